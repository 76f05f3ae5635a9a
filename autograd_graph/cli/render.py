"""``autograd-graph render``: a saved network to SVG, PNG or PDF, with the values of one example."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import CommandLineError, ShapeError
from ..io.serialization import load
from ..show.render import FORMATS, render
from ..show.views import VIEWS
from .options import floats, max_file_option, number_format, output_options, positive_int, say

__all__ = ["add", "run"]


def add(commands: Any) -> None:
    """Add the command to the subparsers ``commands``."""
    pic = commands.add_parser(
        "render",
        help="draw a saved network to SVG, PNG or PDF",
        description="Draw a saved network. With --x the neurons show a and z; with --y as well, the gradients.",
    )
    pic.add_argument("file", help="a saved network (JSON)")
    pic.add_argument("-o", "--output", help="the picture to write (default: FILE with the format's suffix)")
    pic.add_argument("--format", choices=FORMATS, help="svg, png or pdf (default: from --output's suffix, else svg)")
    pic.add_argument("--x", type=floats, metavar="X1,X2,...", help="one input example, in the network's input order")
    pic.add_argument("--y", type=floats, metavar="Y1,...", help="its targets, in output order: show gradients too")
    pic.add_argument(
        "--number-format", type=number_format, default=".3g", help="format spec of the numbers (default: .3g)"
    )
    pic.add_argument(
        "--no-edge-labels",
        action="store_true",
        help="leave the weights off the edges (they are on when at most 60 edges are drawn)",
    )
    pic.add_argument("--edge-width", action="store_true", help="edge width by |w|")
    pic.add_argument("--edge-color", action="store_true", help="edge color by the sign of w")
    pic.add_argument("--fold-biases", action="store_true", help="fold bias neurons into the neurons they feed")
    pic.add_argument("--max-per-rank", type=positive_int, help="show at most N neurons per rank (+N more)")
    pic.add_argument("--rankdir", choices=("LR", "RL", "TB", "BT"), default="LR", help="layout direction (LR)")
    max_file_option(pic)
    pic.add_argument(
        "--view",
        choices=VIEWS,
        default="auto",
        help="full (values on every neuron and edge), compact (every neuron a dot), overview (one node per layer "
        "or group of generations); auto (default) picks by size",
    )
    pic.add_argument(
        "--timeout", type=float, default=60.0, metavar="SECONDS", help="stop Graphviz after this long (default 60)"
    )
    output_options(pic, progress=False)
    pic.set_defaults(run=run)


def picture_path(output: str | None, fmt: str | None, file: str) -> Path:
    """Where the picture goes: ``-o``, else FILE with the format's suffix; ``-o``'s suffix and ``--format`` agree."""
    if output is None:
        return Path(file).with_suffix(f".{fmt or 'svg'}")
    suffix = Path(output).suffix.lstrip(".").lower()
    if fmt is not None and suffix in FORMATS and suffix != fmt:
        raise CommandLineError(
            f"-o {output} ends in .{suffix} but --format is {fmt}: the file would hold {fmt} under another name; "
            f"give one of them, or make them agree"
        )
    return Path(output)


def run(args: argparse.Namespace) -> None:
    output = picture_path(args.output, args.format, args.file)  # checked before any work
    net = load(args.file, max_bytes=args.max_bytes)
    trace = grads = None
    if args.y is not None and args.x is None:
        raise CommandLineError("--y (targets) needs --x (inputs) as well")
    try:
        if args.x is not None:
            trace = net.forward(np.array([args.x]))
        if trace is not None and args.y is not None:
            grads = net.backward(trace, np.array([args.y]))
    except ShapeError as error:
        option = "--x" if trace is None else "--y"
        raise CommandLineError(f"{option}: {error}") from None
    given = {
        "edge_labels": False if args.no_edge_labels else None,
        "edge_width": args.edge_width or None,
        "edge_color": args.edge_color or None,
        "fold_biases": args.fold_biases or None,
        "max_per_rank": args.max_per_rank,
    }
    options = {name: value for name, value in given.items() if value is not None}  # only what was asked for
    picture = net.to_graphviz(
        trace, grads, view=args.view, number_format=args.number_format, rankdir=args.rankdir, **options
    )
    say(args, f"wrote {render(picture, output, format=args.format, timeout=args.timeout)} ({picture.view} view)")
