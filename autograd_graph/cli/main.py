"""The command line's entry point: the parser of every command, and :func:`main`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..exceptions import AutogradGraphError
from . import compare, demo, explore, info, render, sweep, train
from .options import PROG, Parser

__all__ = ["build_parser", "main", "COMMANDS"]

COMMANDS = (demo, render, info, train, compare, sweep, explore)  # each module adds its subcommand and runs it


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``autograd-graph``.

    Examples
    --------
    >>> args = build_parser().parse_args(["train", "net.json", "--data", "xor", "--batch-size", "full"])
    >>> args.batch_size, args.learning_rate, args.decay
    ('full', None, None)
    """
    parser = Parser(
        prog=PROG,
        description="An explicit computation-graph autodiff engine for neural networks, neuron by neuron.",
        epilog=f"Saved networks are the JSON files of ag.save (networkx node-link data inside); `{PROG} demo` "
        "writes one. "
        f"Run `{PROG} COMMAND --help` for a command's options.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)

    for command in COMMANDS:
        command.add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 on success).

    Bad input (a missing or malformed file, data that does not fit the
    network, a bad option) gives one line on stderr and a non-zero status.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from autograd_graph import running_example, save
    >>> path = save(running_example(seed=0), Path(tempfile.mkdtemp()) / "net.json")
    >>> main(["info", str(path)])  # doctest: +ELLIPSIS
    /.../net.json: <Network: 9 neurons (1 input, 3 bias, 4 hidden, 1 output), 12 weights, layered>
    neurons      input 1, bias 3, hidden 4, output 1, total 9
    ...
    0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, or a usage mistake already reported
        return stop.code if isinstance(stop.code, int) else 0
    where = f"{PROG} {args.command}"
    try:
        status = args.run(args)
    except (AutogradGraphError, OSError, ValueError) as error:
        print(f"{where}: error: {describe(error)}", file=sys.stderr)
        return 1
    except MemoryError:
        print(f"{where}: error: out of memory (a file that large? ag.load refuses files over --max-file-mb)",
              file=sys.stderr)  # fmt: skip
        return 1
    except KeyboardInterrupt:
        print(f"{where}: interrupted", file=sys.stderr)
        return 130
    return status or 0


def describe(error: BaseException) -> str:
    """One line for an error: an OSError as what happened and to which file, without ``[Errno N]``."""
    if isinstance(error, OSError) and error.strerror and error.filename is not None:
        files = " → ".join(repr(str(f)) for f in (error.filename, error.filename2) if f is not None)
        return f"{error.strerror}: {files}"
    return " ".join(str(error).split()) or type(error).__name__
