"""``autograd-graph info``: layered or not, layers or generations, counts, depth."""

from __future__ import annotations

import argparse
from typing import Any

from ..exceptions import AutogradGraphError
from ..io.serialization import load
from ..show.summary import print_summary
from .options import max_file_option

__all__ = ["add", "run"]


def add(commands: Any) -> None:
    """Add the command to the subparsers ``commands``."""
    info = commands.add_parser(
        "info",
        help="layered or not, layers or generations, counts",
        description="Describe a saved network: neurons by kind, weights, layers (or generations), depth.",
    )
    info.add_argument("file", help="a saved network (JSON)")
    max_file_option(info)
    info.set_defaults(run=run)


def listing(groups: list[list], name: str, most: int = 12) -> list[str]:
    lines = []
    for number, group in enumerate(groups, start=1):
        shown = ", ".join(map(str, group[:most])) + (f", … (+{len(group) - most} more)" if len(group) > most else "")
        lines.append(f"  {name} {number}: {shown}")
    return lines


def run(args: argparse.Namespace) -> None:
    net = load(args.file, max_bytes=args.max_bytes)
    print(f"{args.file}: {net}")
    print_summary(net)
    if net.is_layered():
        print("\n".join(listing(net.layers(), "layer")))
    else:
        try:
            net.layers()
        except AutogradGraphError as error:
            print(f"not layered: {str(error).removeprefix('the network is not layered: ')}")
        print("\n".join(listing(net.generations(), "generation")))
    print(f"inputs: {net.inputs}\noutputs: {net.outputs}")
