"""What the commands share: the program's name, option types, step sizes, data files, pictures."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any, NoReturn

import graphviz
import numpy as np

from ..comparison import load_task
from ..comparison.tasks import TASKS
from ..exceptions import CommandLineError, GraphvizNotFoundError
from ..io.files import MAX_FILE_BYTES, write_atomically
from ..network import Network
from ..show.render import render
from ..training import InverseTimeDecay, TrainingResult
from .csvdata import read_table

PROG = "autograd-graph"
DATASETS = tuple(TASKS)  # built-in data sets: the comparison tasks' training data
TRAIN_STEP_SIZE = InverseTimeDecay(0.1, decay=0.001)  # train's default step size


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (value >= 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a finite number ≥ 0, got {text!r}")
    return value


def fraction(text: str) -> float:
    """A number in [0, 1)."""
    value = non_negative_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}")
    return value


def number_format(text: str) -> str:
    """A format spec for numbers (``.3g``, ``.2f``, ``+.1e``), tried on a number before anything is drawn."""
    try:
        format(-1.5, text)
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(
            f"expected a format spec for numbers such as .3g or .2f, got {text!r}"
        ) from None
    return text


def max_bytes(text: str) -> int | None:
    """--max-file-mb: a size in MiB, or 'none' for no limit."""
    if text.strip().lower() == "none":
        return None
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a size in MiB > 0, or 'none', got {text!r}")
    return int(value * 2**20)


def max_file_option(parser: argparse.ArgumentParser) -> None:
    """--max-file-mb, for the commands that read saved networks (ag.load's max_bytes)."""
    parser.add_argument(
        "--max-file-mb",
        dest="max_bytes",
        type=max_bytes,
        default=MAX_FILE_BYTES,
        metavar="MB",
        help=f"refuse network files larger than this ('none': no limit; default: {MAX_FILE_BYTES // 2**20})",
    )


def step_size_options(parser: argparse.ArgumentParser, rate: str, decay: str) -> None:
    """--learning-rate and --decay, the same in every command: step size LR / (1 + DECAY·t) at update t."""
    parser.add_argument(
        "--learning-rate",
        type=non_negative_float,
        metavar="LR",
        help=f"initial step size, LR in LR / (1 + DECAY·t) (default: {rate})",
    )
    parser.add_argument(
        "--decay", type=non_negative_float, help=f"step size LR / (1 + DECAY·t) at update t (default: {decay})"
    )


def floats(text: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}") from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


FULL = "full"  # --batch-size full: the whole data set per update


def batch_size_option(text: str) -> int | str:
    if text.strip().lower() == FULL:
        return FULL
    try:
        return positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected a positive whole number or 'full', got {text!r}") from None


def step_size(initial: float | None, decay: float | None, default: Any) -> Any:
    """``initial / (1 + decay·t)``; what is not given comes from ``default`` (a rate or an InverseTimeDecay)."""
    if initial is None and decay is None:
        return default
    if isinstance(default, InverseTimeDecay):
        default_initial, default_decay = default.rate, default.decay
    elif isinstance(default, (int, float)):
        default_initial, default_decay = float(default), 0.0
    else:
        raise CommandLineError("--decay needs --learning-rate: the default step size is a schedule of its own")
    return InverseTimeDecay(
        default_initial if initial is None else initial, decay=default_decay if decay is None else decay
    )


def read_data(spec: str, net: Network, target: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A built-in data set by name, or a CSV file (:mod:`.csvdata`): the columns named after the network's
    neurons, or the ``--target`` columns and the others, or the inputs' columns then the outputs'."""
    if spec in DATASETS:
        if target is not None:
            raise CommandLineError(f"--target chooses columns of a CSV file; {spec!r} is a built-in data set")
        task = load_task(spec)
        X, Y = task.X, task.Y
    else:
        path = Path(spec)
        if not path.is_file():
            raise CommandLineError(f"no data set {spec!r}: neither a built-in one ({', '.join(DATASETS)}) nor a file")
        table = read_table(path)
        named = None if target is not None else table.by_name(net.inputs, net.outputs)
        n_in, n_out = len(net.inputs), len(net.outputs)
        if named is not None:
            X, Y = named
        elif target is None and table.values.shape[1] != n_in + n_out:
            raise CommandLineError(
                f"{path} has {table.values.shape[1]} columns and {table.values.shape[0]} rows; the network needs "
                f"{n_in} input + {n_out} output columns (or choose the targets with --target)"
            )
        else:
            X, Y, _, _ = table.split(target, n_out)
    if X.shape[1] != len(net.inputs) or Y.shape[1] != len(net.outputs):
        raise CommandLineError(
            f"data set {spec!r} has {X.shape[1]} inputs and {Y.shape[1]} outputs; "
            f"the network has {len(net.inputs)} inputs and {len(net.outputs)} outputs"
        )
    return X, Y


def output_options(parser: argparse.ArgumentParser, progress: bool = True) -> None:
    """``-q/--quiet`` (only errors and warnings, on stderr) and, for commands that train,
    ``--progress/--no-progress`` (a progress bar on stderr; by default when stderr is a terminal)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors and warnings")
    if progress:
        group.add_argument(
            "--progress",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="a progress bar on stderr (default: when stderr is a terminal)",
        )


def show_progress(args: argparse.Namespace) -> bool:
    """Whether to draw progress bars: ``--progress``/``--no-progress``, off with ``--quiet``, else when stderr
    is a terminal (never into a file or a pipe)."""
    if getattr(args, "quiet", False):
        return False
    choice = getattr(args, "progress", None)
    return sys.stderr.isatty() if choice is None else bool(choice)


def say(args: argparse.Namespace, *lines: str) -> None:
    """Print ``lines`` on stdout unless ``--quiet``."""
    if not getattr(args, "quiet", False):
        print(*lines, sep="\n")


class Pictures:
    """Renders pictures; without Graphviz's dot, writes their DOT source (``.gv``) and says so once."""

    def __init__(self) -> None:
        self.have_dot = True

    def write(self, picture: graphviz.Digraph, path: Path) -> Path:
        if self.have_dot:
            try:
                return render(picture, path)
            except GraphvizNotFoundError as error:
                self.have_dot = False
                print(f"{PROG}: warning: {error} Writing DOT sources (.gv) instead.", file=sys.stderr)
        return write_atomically(path.with_suffix(".gv"), picture.source)


def print_losses(result: TrainingResult, args: argparse.Namespace | None = None) -> None:
    """About ten epochs of the best run's losses, then where the best weights came from (not with --quiet)."""
    if args is not None and getattr(args, "quiet", False):
        return
    losses, epochs = result.history.loss, len(result.history) - 1
    for epoch in sorted({0, *range(0, epochs + 1, max(epochs // 10, 1)), epochs}):
        print(f"epoch {epoch:>5}: loss {losses[epoch]:.6g}")
    best = result.best
    run = f" of run {best.run} ({len(result.runs)} runs)" if len(result.runs) > 1 else ""
    print(f"best loss {best.best_loss:.6g} at epoch {best.best_epoch}{run}")
