"""The user's CSV files on the command line: numbers, an optional header, targets chosen by ``--target``.

A CSV is numbers separated by commas, one example a row; a first row that is
not all numbers is a header of column names. ``--target`` names the target
columns (``--target y`` or ``--target y1,y2``; by 0-based position, ``-1``
the last, when there is no header); the other columns, in their order, are
the inputs. A network whose input and output neurons are named by the header
is matched by name; otherwise the last columns are the targets, as many as
the network has outputs (``train``), or the last one (``compare``).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "data.csv"
>>> _ = path.write_text("a,y,b\\n1,0,2\\n3,1,4\\n")
>>> table = read_table(path)
>>> X, Y, inputs, targets = table.split("y")
>>> X.tolist(), Y.tolist(), inputs, targets
([[1.0, 2.0], [3.0, 4.0]], [[0.0], [1.0]], ['a', 'b'], ['y'])
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import CommandLineError

__all__ = ["Table", "read_table", "is_header", "csv_task", "PROBLEMS"]


def is_header(line: str) -> bool:
    """Whether a CSV's first line is a row of names: some field of it is not a number."""
    try:
        [float(field) for field in line.split(",")]
    except ValueError:
        return True
    return False


@dataclass
class Table:
    """A CSV's numbers ``(rows, columns)`` and its column names (None without a header)."""

    path: Path
    values: np.ndarray
    names: list[str] | None

    def _column(self, spec: str) -> int:
        spec = spec.strip()
        if self.names is not None and spec in self.names:
            return self.names.index(spec)
        try:
            position = int(spec)
        except ValueError:
            known = f"its columns are {', '.join(self.names)}" if self.names else "it has no header: give positions"
            raise CommandLineError(f"--target {spec!r}: {self.path} has no such column ({known})") from None
        width = self.values.shape[1]
        if not -width <= position < width:
            raise CommandLineError(f"--target {spec}: {self.path} has {width} columns (positions 0 to {width - 1})")
        return position % width

    def label(self, column: int) -> str:
        return self.names[column] if self.names is not None else str(column)

    def split(self, target: str | None, n_targets: int = 1) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
        """Inputs, targets and their column names: ``target`` (names or positions, by commas), else the last
        ``n_targets`` columns."""
        width = self.values.shape[1]
        if target is not None:
            columns = [self._column(part) for part in target.split(",")]
            if len(set(columns)) < len(columns):
                raise CommandLineError(f"--target {target!r} names a column twice")
        else:
            columns = list(range(width - n_targets, width))
        inputs = [c for c in range(width) if c not in set(columns)]
        if not inputs:
            raise CommandLineError(f"{self.path}: --target leaves no input column")
        labels = [self.label(c) for c in inputs], [self.label(c) for c in columns]
        return self.values[:, inputs], self.values[:, columns], *labels

    def by_name(self, inputs: Sequence[Hashable], outputs: Sequence[Hashable]) -> tuple[np.ndarray, np.ndarray] | None:
        """The columns named after the neurons (every input and output named in the header), else None."""
        if self.names is None:
            return None
        wanted = [str(n) for n in [*inputs, *outputs]]
        if not all(name in self.names for name in wanted):
            return None
        index = [self.names.index(name) for name in wanted]
        return self.values[:, index[: len(inputs)]], self.values[:, index[len(inputs) :]]


def read_table(path: Path) -> Table:
    """Read a CSV of numbers (see the module notes).

    Raises
    ------
    CommandLineError
        A file that is not numbers separated by commas, or one without a row of data; the message says where.
    """
    with open(path, encoding="utf-8", errors="replace") as file:
        first = file.readline()
    header = is_header(first)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an empty file: numpy warns, then the row count below says it
            values = np.loadtxt(path, delimiter=",", ndmin=2, skiprows=int(header))
    except ValueError as error:
        raise CommandLineError(f"{path} is not a CSV of numbers: {error}") from None
    names = [name.strip() for name in first.rstrip("\r\n").split(",")] if header else None
    if values.shape[0] == 0:
        raise CommandLineError(f"{path} has {values.shape[1]} columns and 0 rows; it needs at least one row")
    if names is not None and len(names) != values.shape[1]:
        raise CommandLineError(f"{path}: the header names {len(names)} columns, the rows have {values.shape[1]}")
    return Table(Path(path), values, names)


# ------------------------------------------------------------------ compare
PROBLEMS = ("auto", "classification", "regression")
MAX_CLASSES = 20  # a column of at most this many distinct whole numbers is a class label (with "auto")


def _classes(Y: np.ndarray, problem: str, where: str) -> np.ndarray | None:
    """The class labels of one target column, or None for a regression (see :func:`csv_task`)."""
    if problem == "regression" or Y.shape[1] != 1:
        return None
    values = np.unique(Y[:, 0])
    whole = bool(np.all(values == np.round(values)))
    if problem == "classification":
        if not whole:
            raise CommandLineError(f"--problem classification: {where} holds numbers that are no class labels")
        return values
    return values if whole and 2 <= values.size <= MAX_CLASSES else None


def csv_task(path: Path, target: str | None, test_size: float, seed: int, problem: str = "auto") -> Any:
    """A :class:`~autograd_graph.Task` of a CSV: its rows split at random into training and test rows
    (``test_size`` of them, seeded), the inputs standardized by the training rows' mean and deviation.

    The target is a classification when it is one column of 2 to 20 distinct whole numbers (binary
    cross-entropy on one logistic output for two classes, softmax cross-entropy on one output per class
    for more) or several columns of one-hot rows; else a regression (squared error, identity outputs).
    ``problem`` forces either. The baseline is a layered network with 16 tanh hidden neurons.
    """
    from ..comparison.tasks import Task

    table = read_table(path)
    X, Y, inputs, targets = table.split(target, 1)
    n = X.shape[0]
    n_test = int(round(test_size * n))
    if not 0 < n_test < n:
        raise CommandLineError(f"--test-size {test_size} of {n} rows leaves no test or no training rows")
    order = np.random.default_rng(seed).permutation(n)
    train, test = order[n_test:], order[:n_test]
    mean, std = X[train].mean(axis=0), X[train].std(axis=0)
    X = (X - mean) / np.where(std > 0, std, 1.0)
    where = f"the column {targets[0]!r}" if len(targets) == 1 else f"the columns {targets}"
    classes = _classes(Y, problem, where)
    one_hot = Y.shape[1] > 1 and problem != "regression" and bool(np.isin(Y, (0, 1)).all() and (Y.sum(1) == 1).all())
    if classes is not None:
        index = np.searchsorted(classes, Y[:, 0])
        Y = index.reshape(-1, 1).astype(float) if classes.size == 2 else np.eye(classes.size)[index]
        kind = f"classification of {classes.size} classes ({', '.join(f'{c:g}' for c in classes)}) from {where}"
    elif one_hot:
        kind = f"classification of {Y.shape[1]} classes, one-hot in {where}"
    else:
        kind = f"regression of {where}"
    if classes is not None or one_hot:
        binary = Y.shape[1] == 1
        loss, output = ("binary_cross_entropy", "logistic") if binary else ("softmax_cross_entropy", "identity")
    else:
        loss, output = "squared_error", "identity"
    description = (f"{path.name}: {kind}; inputs {', '.join(inputs)} (standardized), {n - n_test} training and "
                   f"{n_test} test rows")  # fmt: skip
    settings = {"epochs": 100, "batch_size": 32, "optimizer": "adam", "learning_rate": 0.01}
    return Task(path.stem, description, X[train], Y[train], X[test], Y[test], loss, [X.shape[1], 16, Y.shape[1]],
                "tanh", output, settings)  # fmt: skip
