"""``autograd-graph train``: train a saved network on a CSV or a built-in data set, and save it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..io.files import check_writable, interrupts_deferred
from ..io.serialization import load, save
from ..training import train
from .options import (
    DATASETS,
    FULL,
    PROG,
    TRAIN_STEP_SIZE,
    batch_size_option,
    max_file_option,
    positive_int,
    print_losses,
    read_data,
    step_size,
    step_size_options,
)

__all__ = ["add", "run"]


def add(commands: Any) -> None:
    """Add the command to the subparsers ``commands``."""
    train = commands.add_parser(
        "train",
        help="train a saved network on a CSV or a built-in data set, and save it",
        description="Train a saved network with ag.train: stochastic gradient descent (one shuffled example "
        "per update by default) on the squared error, the step size of update t being LR / (1 + DECAY·t), "
        "and save the network with the best weights found (and the run's summary as metadata).",
    )
    train.add_argument("file", help="a saved network (JSON)")
    train.add_argument(
        "--data",
        required=True,
        help=f"a built-in data set ({', '.join(DATASETS)}) or a CSV file: one example a row, the input "
        "columns then the output columns, an optional first row of names",
    )
    train.add_argument("-o", "--output", help="where to save the trained network (default: FILE.trained.json)")
    train.add_argument("--epochs", type=positive_int, default=100, help="passes over the data (default: 100)")
    step_size_options(train, f"{TRAIN_STEP_SIZE.rate:g}", f"{TRAIN_STEP_SIZE.decay:g}")
    train.add_argument(
        "--batch-size", type=batch_size_option, default=1, help="examples per update, or 'full' (default: 1)"
    )
    train.add_argument(
        "--restarts", type=positive_int, default=1, help="runs from redrawn weights; the best is kept (default: 1)"
    )
    train.add_argument("--seed", type=int, default=0, help="seed of the shuffling and the restarts (default: 0)")
    train.add_argument("--restart", action="store_true", help="redraw the weights from --seed before training")
    max_file_option(train)
    train.set_defaults(run=run)


def missing_folders(path: Path) -> list[Path]:
    """The folders above ``path`` that do not exist yet, the outermost first."""
    missing = []
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing[::-1]


def run(args: argparse.Namespace) -> int:
    net = load(args.file, max_bytes=args.max_bytes)
    X, Y = read_data(args.data, net)
    output = Path(args.output) if args.output else Path(args.file).with_name(Path(args.file).stem + ".trained.json")
    check_writable(output)  # a path that cannot be written fails now, not after training
    created = missing_folders(output)
    schedule = step_size(args.learning_rate, args.decay, TRAIN_STEP_SIZE)
    batch_size = None if args.batch_size == FULL else args.batch_size
    if args.restart:
        net.initialize(args.seed)
    result = train(
        net,
        X,
        Y,
        epochs=args.epochs,
        batch_size=batch_size,
        learning_rate=schedule,
        restarts=args.restarts,
        seed=args.seed,
    )  # fmt: skip  (Ctrl-C: it returns what it has)
    print_losses(result)
    with interrupts_deferred():  # a Ctrl-C now waits for the file
        path = save(net, output, metadata=result.metadata())
    if created:
        print(f"created the folder {created[-1]}")
    print(f"wrote {path}")
    if result.interrupted:
        print(f"{PROG} train: interrupted; {path} holds the best weights found so far", file=sys.stderr)
        return 130
    return 0
