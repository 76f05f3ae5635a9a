"""What training reports: a per-epoch :class:`History` per run, a :class:`RunResult` per run,
and the :class:`TrainingResult` of all runs.

Epoch 0 of a history is the network before its first update, so every run's
curve starts where its initial weights put it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["History", "EpochLog", "RunResult", "TrainingResult"]

COLUMNS = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "step_size", "seconds")


@dataclass
class History:
    """Per-epoch values of one run, one list per column (epoch 0 = before training).

    Attributes
    ----------
    epoch : list of int
    loss, accuracy : list of float
        On the whole training set, after the epoch. ``accuracy`` is NaN
        unless training a classifier.
    val_loss, val_accuracy : list of float
        On the validation data (NaN without validation data).
    step_size : list of float
        The step size of the next update (``η_t`` after the epoch's updates).
    seconds : list of float
        Time since the run started.

    Examples
    --------
    >>> h = History()
    >>> h.append(epoch=0, loss=1.0, step_size=0.1, seconds=0.0)
    >>> h.append(epoch=1, loss=0.5, step_size=0.1, seconds=0.2)
    >>> h.loss, len(h)
    ([1.0, 0.5], 2)
    >>> h.as_dict()["val_loss"]
    [nan, nan]
    """

    epoch: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    step_size: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def append(
        self,
        *,
        epoch: int,
        loss: float,
        step_size: float,
        seconds: float,
        accuracy: float = math.nan,
        val_loss: float = math.nan,
        val_accuracy: float = math.nan,
    ) -> None:
        """Add one epoch's row."""
        row = {"epoch": epoch, "loss": loss, "accuracy": accuracy, "val_loss": val_loss,
               "val_accuracy": val_accuracy, "step_size": step_size, "seconds": seconds}  # fmt: skip
        for name in COLUMNS:
            getattr(self, name).append(row[name])

    def as_dict(self) -> dict[str, list]:
        """The columns as a dict of lists (``pandas.DataFrame(history.as_dict())`` makes a table)."""
        return {name: list(getattr(self, name)) for name in COLUMNS}

    def to_pandas(self) -> Any:
        """The history as a ``pandas.DataFrame``, one row per epoch (index ``epoch``), as Keras users
        make of ``history.history``.

        Examples
        --------
        >>> h = History()
        >>> h.append(epoch=0, loss=1.0, step_size=0.1, seconds=0.0)
        >>> h.append(epoch=1, loss=0.5, step_size=0.1, seconds=0.2)
        >>> frame = h.to_pandas()
        >>> frame.index.name, frame["loss"].tolist(), list(frame.columns)[:3]
        ('epoch', [1.0, 0.5], ['loss', 'accuracy', 'val_loss'])
        """
        import pandas as pd

        return pd.DataFrame(self.as_dict()).set_index("epoch")

    def __len__(self) -> int:
        return len(self.epoch)


@dataclass(frozen=True)
class EpochLog:
    """What a callback receives at the end of each epoch.

    A callback is any callable ``callback(log)``; returning ``True`` stops the
    current run (the next restart, if any, still runs).
    """

    run: int
    epoch: int
    loss: float
    accuracy: float
    val_loss: float
    val_accuracy: float
    step_size: float
    network: Network
    history: History


@dataclass
class RunResult:
    """One run of training, from its initial weights.

    Attributes
    ----------
    run : int
        Its number, from 0.
    init_seed : int or None
        ``net.initialize(init_seed)`` redraws its initial weights; None when
        the run started from the weights the network already had.
    history : History
    best_epoch : int
        The epoch with the lowest monitored loss (0: the initial weights; the last epoch with
        ``restore_best="last"``).
    best_loss : float
        That loss (validation loss when there is validation data).
    best_weights : ndarray
        The weights at ``best_epoch``, in ``net.edges`` order.
    best_edges : sequence of (i, j) or None
        The edges of those weights (``net.edges`` at ``best_epoch``: a callback may change the structure).
    steps : int
        Updates made.
    stop_reason : str
        ``"epochs"`` (all done), ``"early stopping"``, ``"callback"`` or ``"interrupted"``.
    """

    run: int
    init_seed: int | None
    history: History
    best_epoch: int = 0
    best_loss: float = math.inf
    best_weights: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    best_edges: Sequence[tuple] | None = field(default=None, repr=False)
    steps: int = 0
    stop_reason: str = "epochs"

    @property
    def epochs(self) -> int:
        """Epochs completed."""
        return max(len(self.history) - 1, 0)

    @property
    def final_loss(self) -> float:
        """Training loss after the last completed epoch."""
        return self.history.loss[-1] if len(self.history) else math.nan


@dataclass
class TrainingResult:
    """All runs of :func:`~autograd_graph.train`; the network holds the best run's best weights.

    Attributes
    ----------
    runs : list of RunResult
        Every run, in order.
    best_run : int
        The index of the run with the lowest monitored loss.
    monitor : str
        The loss that chose the weights: ``"loss"`` (training, ``restore_best="train"``, the default, and
        ``"last"``) or ``"val_loss"`` (``restore_best="val"``).
    seed : int (or list of int)
        The entropy all random choices came from: passing it as ``seed`` repeats the training.
    interrupted : bool
        Whether Ctrl-C stopped the training early.
    """

    runs: list[RunResult]
    best_run: int
    monitor: str
    seed: int | list[int]
    interrupted: bool = False

    @property
    def best(self) -> RunResult:
        """The best run."""
        return self.runs[self.best_run]

    @property
    def history(self) -> History:
        """The best run's history."""
        return self.best.history

    @property
    def loss(self) -> float:
        """The best run's best monitored loss."""
        return self.best.best_loss

    @property
    def weights(self) -> np.ndarray:
        """The best weights found (what the network holds after training)."""
        return self.best.best_weights

    def to_pandas(self) -> Any:
        """Every run's history as one ``pandas.DataFrame``, indexed by ``(run, epoch)``."""
        import pandas as pd

        frames = [run.history.to_pandas().assign(run=run.run) for run in self.runs]
        return pd.concat(frames).reset_index().set_index(["run", "epoch"])

    def plot(self, *, runs: str = "best", log: bool | None = None, ax: Any = None) -> Any:
        """Learning curves as a matplotlib figure (returned, never shown); see
        :func:`~autograd_graph.training.plots.plot_history`."""
        from .plots import plot_history

        return plot_history(self, runs=runs, log=log, ax=ax)

    def metadata(self) -> dict:
        """A JSON-ready summary, for :func:`~autograd_graph.save` (``metadata=result.metadata()``)."""
        return {
            "monitor": self.monitor,
            "seed": self.seed,
            "best_run": self.best_run,
            "interrupted": self.interrupted,
            "runs": [
                {
                    "run": r.run,
                    "init_seed": r.init_seed,
                    "epochs": r.epochs,
                    "best_epoch": r.best_epoch,
                    "best_loss": r.best_loss,
                    "final_loss": r.final_loss,
                    "steps": r.steps,
                    "stop_reason": r.stop_reason,
                }  # fmt: skip
                for r in self.runs
            ],
        }

    def __str__(self) -> str:
        lines = [f"{'run':>4} {'init seed':>20} {'epochs':>6} {'best epoch':>10} {'best ' + self.monitor:>14} "
                 f"{'final loss':>12}  stopped by"]  # fmt: skip
        for r in self.runs:
            seed = "current weights" if r.init_seed is None else str(r.init_seed)
            mark = " *" if r.run == self.best_run else ""
            lines.append(f"{r.run:>4} {seed:>20} {r.epochs:>6} {r.best_epoch:>10} {r.best_loss:>14.6g} "
                         f"{r.final_loss:>12.6g}  {r.stop_reason}{mark}")  # fmt: skip
        lines.append("(* the best run; the network holds its best weights)")
        return "\n".join(lines)
