"""``autograd-graph train``: train a saved network on a CSV or a built-in data set, and save it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..io.files import check_writable, interrupts_deferred
from ..io.serialization import load, save
from ..losses import LOSSES
from ..training import OPTIMIZERS, train
from .options import (
    DATASETS,
    FULL,
    PROG,
    TRAIN_STEP_SIZE,
    batch_size_option,
    fraction,
    max_file_option,
    non_negative_float,
    output_options,
    positive_int,
    print_losses,
    read_data,
    say,
    show_progress,
    step_size,
    step_size_options,
)

__all__ = ["add", "run"]


def add(commands: Any) -> None:
    """Add the command to the subparsers ``commands``."""
    train = commands.add_parser(
        "train",
        help="train a saved network on a CSV or a built-in data set, and save it",
        description="Train a saved network with ag.train: by default stochastic gradient descent (one shuffled "
        "example per update) on the squared error, the step size of update t being LR / (1 + DECAY·t) "
        "(--optimizer, --loss, --batch-size and the rest change that), and save the network with the weights "
        "--restore-best chooses (and the run's summary as metadata).",
    )
    train.add_argument("file", help="a saved network (JSON)")
    train.add_argument(
        "--data",
        required=True,
        help=f"a built-in data set ({', '.join(DATASETS)}) or a CSV file: one example a row, an optional first "
        "row of names (columns named after the network's neurons are matched by name); otherwise the input "
        "columns then the output columns, or see --target",
    )
    train.add_argument(
        "--target",
        metavar="COLUMNS",
        help="the CSV's target columns, by name or 0-based position (-1: the last), separated by commas; "
        "the other columns are the inputs, in order",
    )
    train.add_argument("-o", "--output", help="where to save the trained network (default: FILE.trained.json)")
    train.add_argument("--epochs", type=positive_int, default=100, help="passes over the data (default: 100)")
    train.add_argument("--loss", choices=tuple(LOSSES), default="squared_error", help="(default: squared_error)")
    train.add_argument(
        "--optimizer", choices=tuple(OPTIMIZERS), default="sgd", help="how each update moves the weights (default: sgd)"
    )
    step_size_options(train, f"{TRAIN_STEP_SIZE.rate:g} with sgd, the optimizer's own otherwise",
                      f"{TRAIN_STEP_SIZE.decay:g} with sgd")  # fmt: skip
    train.add_argument(
        "--batch-size", type=batch_size_option, default=1, help="examples per update, or 'full' (default: 1)"
    )
    train.add_argument(
        "--restarts", type=positive_int, default=1, help="runs from redrawn weights; the best is kept (default: 1)"
    )
    train.add_argument("--seed", type=int, default=0, help="seed of the shuffling and the restarts (default: 0)")
    train.add_argument("--restart", action="store_true", help="redraw the weights from --seed before training")
    train.add_argument(
        "--restore-best", choices=("train", "val", "last"), default="train",
        help="the weights saved: the best by training loss, by validation loss (with --validation-split), or "
        "the last ones (default: train)",
    )  # fmt: skip
    train.add_argument(
        "--validation-split", type=fraction, default=0.0, metavar="F",
        help="hold out this fraction of the examples for validation (default: 0)",
    )  # fmt: skip
    regularization_options(train)
    max_file_option(train)
    output_options(train)
    train.set_defaults(run=run)


def regularization_options(parser: argparse.ArgumentParser) -> None:
    """``--weight-decay``, ``--l1``, ``--dropout``, ``--clip-norm`` (see ``ag.train``)."""
    parser.add_argument(
        "--weight-decay",
        type=non_negative_float,
        default=0.0,
        metavar="L2",
        help="L2 penalty: each update adds L2·w to the gradient; bias weights excepted (default: 0)",
    )
    parser.add_argument(
        "--l1",
        type=non_negative_float,
        default=0.0,
        metavar="L1",
        help="L1 penalty: each update adds L1·sign(w); bias weights excepted (default: 0)",
    )
    parser.add_argument(
        "--dropout",
        type=fraction,
        default=0.0,
        metavar="P",
        help="dropout rate of every hidden neuron while training (default: 0)",
    )
    parser.add_argument("--clip-norm", type=positive_float, default=None, metavar="C",
                        help="clip the gradient's norm to C before each update (default: none)")  # fmt: skip


def positive_float(text: str) -> float:
    """A number > 0."""
    value = non_negative_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


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
    X, Y = read_data(args.data, net, args.target)
    output = Path(args.output) if args.output else Path(args.file).with_name(Path(args.file).stem + ".trained.json")
    check_writable(output)  # a path that cannot be written fails now, not after training
    created = missing_folders(output)
    default = TRAIN_STEP_SIZE if args.optimizer == "sgd" else OPTIMIZERS[args.optimizer].default_learning_rate
    schedule = step_size(args.learning_rate, args.decay, default)
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
        loss=args.loss,
        optimizer=args.optimizer,
        restore_best=args.restore_best,
        validation_split=args.validation_split,
        weight_decay=args.weight_decay,
        l1=args.l1,
        dropout=args.dropout,
        clip_norm=args.clip_norm,
        progress=show_progress(args),
    )  # fmt: skip  (Ctrl-C: it returns what it has)
    print_losses(result, args)
    with interrupts_deferred():  # a Ctrl-C now waits for the file
        path = save(net, output, metadata=result.metadata())
    if created:
        say(args, f"created the folder {created[-1]}")
    say(args, f"wrote {path}")
    if result.interrupted:
        print(f"{PROG} train: interrupted; {path} holds the best weights found so far", file=sys.stderr)
        return 130
    return 0
