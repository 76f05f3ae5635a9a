"""``autograd-graph explore``: a saved network (and a recorded training) as an explorer page."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import CommandLineError, ShapeError
from ..io.files import check_writable
from ..io.serialization import load
from ..losses import LOSSES
from ..show.explorer.explore import explore
from ..training.recorder import load_record
from .options import DATASETS, floats, max_file_option, positive_int, read_data

__all__ = ["add", "run"]


def add(commands: Any) -> None:
    """Add the command to the subparsers ``commands``."""
    page = commands.add_parser(
        "explore",
        help="write an explorer page: step through the passes and the training in a browser",
        description="Write one self-contained HTML page (it loads nothing, opens offline) that draws the network "
        "with every value of the chosen example, walks the forward and backward pass step by step, recomputes "
        "everything when an input or a weight is edited, and plays a recorded training.",
    )
    page.add_argument("file", help="a saved network (JSON)")
    page.add_argument("--x", type=floats, metavar="X1,X2,...", help="one example, in the network's input order")
    page.add_argument("--y", type=floats, metavar="Y1,...", help="its targets, in output order (for the gradients)")
    page.add_argument(
        "--data",
        help=f"examples instead: a built-in data set ({', '.join(DATASETS)}) or a CSV (input columns, then output "
        "columns, an optional first row of names)",
    )
    page.add_argument("--record", metavar="RUN.json", help="a recorded training (Record.save) to play")
    page.add_argument("--loss", choices=sorted(LOSSES), default="squared_error", help="the loss (squared_error)")
    page.add_argument("--max-examples", type=positive_int, default=256, help="examples the page holds (256)")
    page.add_argument("--view", choices=("auto", "full", "compact"), default="auto", help="the picture (auto)")
    page.add_argument("-o", "--output", default="explore.html", help="the page to write (default: explore.html)")
    max_file_option(page)
    page.set_defaults(run=run)


def run(args: argparse.Namespace) -> None:
    output = check_writable(Path(args.output))  # checked before any work
    if args.data is not None and (args.x is not None or args.y is not None):
        raise CommandLineError("give --data or --x/--y, not both")
    if args.y is not None and args.x is None:
        raise CommandLineError("--y (targets) needs --x (inputs) as well")
    net = load(args.file, max_bytes=args.max_bytes)
    record = None if args.record is None else load_record(args.record, max_bytes=args.max_bytes)
    X = Y = None
    if args.data is not None:
        X, Y = read_data(args.data, net)
    elif args.x is not None:
        X, Y = np.array([args.x]), None if args.y is None else np.array([args.y])
    try:
        explorer = explore(net, X, Y, loss=args.loss, record=record, view=args.view, max_examples=args.max_examples)
    except ShapeError as error:
        raise CommandLineError(f"{'--data' if args.data else '--x/--y'}: {error}") from None
    print(f"wrote {explorer.save(output)}: {explorer!r}")
