"""``python -m autograd_graph``: the ``autograd-graph`` command."""

from .cli import main

raise SystemExit(main())
