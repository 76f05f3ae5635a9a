"""The ``autograd-graph`` command: ``demo``, ``render``, ``info``, ``train`` and ``compare``.

Run ``autograd-graph --help`` (or ``python -m autograd_graph --help``). Each
command is a module here with ``add(commands)`` (its options) and
``run(args)``; :func:`main` maps bad input to a one-line message on stderr and
a non-zero exit status, never a traceback.

- :mod:`.options`: what the commands share (option types, data files, pictures);
- :mod:`.main`: the parser and :func:`main`;
- one module per command: :mod:`.demo`, :mod:`.render`, :mod:`.info`, :mod:`.train`, :mod:`.compare`.

Examples
--------
>>> main(["info", "no-such-file.json"])
1
"""

from .main import COMMANDS, build_parser, main
from .options import DATASETS, PROG

__all__ = ["main", "build_parser", "COMMANDS", "DATASETS", "PROG"]
