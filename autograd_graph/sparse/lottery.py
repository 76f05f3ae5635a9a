"""Lottery tickets: train, prune, rewind the survivors to early weights, train again, round after round.

:func:`lottery_ticket` follows Frankle & Carbin (2019, "The Lottery Ticket
Hypothesis"): train the network, remove the fraction ``amount`` of its
remaining prunable edges of smallest trained ``|w|`` (:func:`~.prune.prune`),
set every surviving edge back to the weight it had at epoch ``rewind_to`` of
the first training (0: its initial weight; a few epochs in: Frankle et al.'s
2020 "late rewinding", which holds up better on deeper networks), and repeat.
Each round reports the weights that remain and the accuracy (or loss) the
ticket trains to, so ``result.figure()`` plots accuracy against remaining
weights. With ``control=True`` each pruned structure is also trained from a
fresh random initialization (the paper's control: a winning ticket beats it).

Every round trains with the same settings and seed (the same shuffles), as
the paper does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import whole_number
from ..exceptions import PruningError
from ..training import EpochLog, evaluate, train
from ..training.evaluation import CLASSIFICATION_LOSSES
from ..training.history import TrainingResult
from .edges import prunable
from .prune import Score, prune

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..network import Network

__all__ = ["lottery_ticket", "LotteryResult"]


class _Capture:
    """A training callback keeping the weights (and their edges) after one epoch."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch
        self.weights: dict[tuple, float] | None = None

    def __call__(self, log: EpochLog) -> None:
        if log.epoch == self.epoch:
            self.weights = dict(zip(log.network.edges, log.network.weights.tolist(), strict=True))


@dataclass
class LotteryResult:
    """The rounds of :func:`lottery_ticket`.

    Attributes
    ----------
    rows : list of dict
        One per round: ``round``, ``weights`` (all the ticket's weights), ``prunable`` (those that
        may be pruned), ``remaining`` (their fraction of the first round's), ``train_loss``,
        ``train_accuracy``, ``test_loss``, ``test_accuracy``, ``best_epoch``; and with ``control``,
        ``control_test_accuracy`` and ``control_test_loss`` (the same structure from a random start).
    rewind_epoch : int
        The epoch of the first training whose weights the survivors get back.
    rewind_weights : dict
        Those weights, ``edge -> w``, for every edge of the first network.
    starts : list of Network
        The ticket of each round before training (round 0: the network given).
    tickets : list of Network
        The ticket of each round after training.
    results : list of TrainingResult
        Each round's training.
    """

    rows: list[dict[str, Any]]
    rewind_epoch: int
    rewind_weights: dict[tuple, float]
    starts: list[Network] = field(repr=False)
    tickets: list[Network] = field(repr=False)
    results: list[TrainingResult] = field(repr=False)
    metric: str = "test_accuracy"

    def masks(self) -> dict[str, list[tuple]]:
        """``{"round r (p% left)": edges}``: each round's structure, for ``ag.plot_weights(net, masks=...)``."""
        return {f"round {row['round']} ({row['remaining']:.0%} left)": list(net.edges)
                for row, net in zip(self.rows, self.starts, strict=True)}  # fmt: skip

    def figure(self, *, width: float = 6.0, height: float = 4.0) -> Figure:
        """``metric`` against the fraction of prunable weights remaining (log scale), per round."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        x = [row["remaining"] for row in self.rows]
        ax.plot(
            x, [row[self.metric] for row in self.rows], "o-", label=f"ticket (rewound to epoch {self.rewind_epoch})"
        )
        control = f"control_{self.metric}"
        if control in self.rows[-1]:
            ax.plot(x[1:], [row[control] for row in self.rows[1:]], "s--", label="same structure, random start")
        ax.set_xscale("log")
        ax.invert_xaxis()
        ax.set_xlabel("fraction of prunable weights remaining")
        ax.set_ylabel(self.metric.replace("_", " "))
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
        ax.set_title("lottery ticket: iterative magnitude pruning with rewinding")
        return fig

    def __str__(self) -> str:
        cols = [c for c in ("round", "weights", "remaining", "train_loss", "test_loss", self.metric,
                            f"control_{self.metric}") if c in self.rows[0] or c in self.rows[-1]]  # fmt: skip
        lines = ["  ".join(f"{c:>14}" for c in cols)]
        for row in self.rows:
            cells = []
            for c in cols:
                v = row.get(c, math.nan)
                cells.append(f"{v:>14.4g}" if isinstance(v, float) else f"{v:>14}")
            lines.append("  ".join(cells))
        return "\n".join(lines)


def lottery_ticket(
    net: Network,
    X: Any,
    Y: Any,
    X_test: Any = None,
    Y_test: Any = None,
    *,
    rounds: int = 3,
    amount: float = 0.2,
    rewind_to: int = 0,
    by: Score = "magnitude",
    scope: str = "global",
    biases: bool = False,
    keep_connected: bool = True,
    control: bool = False,
    **settings: Any,
) -> LotteryResult:
    """Iterative pruning with rewinding: train, prune ``amount`` of what remains, rewind, ``rounds`` times.

    Parameters
    ----------
    net : Network
        The dense (or sparse) network to start from; it is not changed.
    X, Y : array_like
        Training data; ``X_test, Y_test`` (optional) held-out data for the report.
    rounds : int, default 3
        Prunings (the result has ``rounds + 1`` rows: round 0 is the network as given).
    amount : float in (0, 1), default 0.2
        The fraction of the remaining prunable edges each round removes.
    rewind_to : int, default 0
        The epoch of the first training whose weights the surviving edges get back (0: the initial ones).
    by, scope, biases, keep_connected
        As for :func:`~autograd_graph.prune` (scores of the trained network).
    control : bool, default False
        Also train each pruned structure from random weights (``net.initialize(seed)``).
    **settings
        Passed to :func:`~autograd_graph.train` for every round (``epochs``, ``optimizer``,
        ``seed``, ``loss``, ...; not ``restarts``).

    Returns
    -------
    LotteryResult

    Examples
    --------
    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 8)); Y = np.eye(2)[(X[:, 0] * X[:, 1] > 0).astype(int)]
    >>> net = ag.layered([8, 10, 2], activation="tanh", seed=0)
    >>> result = ag.lottery_ticket(net, X, Y, rounds=2, amount=0.4, epochs=5, loss="softmax_cross_entropy",
    ...                            optimizer="adam", learning_rate=0.05, seed=0, progress=False)
    >>> [row["prunable"] for row in result.rows], [f"{row['remaining']:.2f}" for row in result.rows]
    ([100, 60, 36], ['1.00', '0.60', '0.36'])
    >>> start = result.starts[2]   # the twice-pruned ticket, rewound to the initial weights
    >>> all(start.get_weight(*e) == result.rewind_weights[e] for e in start.edges)
    True
    """
    rounds = whole_number("rounds", rounds, PruningError, minimum=1)
    if isinstance(amount, bool) or not isinstance(amount, float | int) or not 0 < amount < 1:
        raise PruningError(f"amount must be a fraction in (0, 1) of the remaining prunable edges, got {amount!r}")
    rewind_to = whole_number("rewind_to", rewind_to, PruningError, minimum=0)
    if settings.get("restarts", 1) != 1:
        raise PruningError("lottery_ticket trains one run per round; restarts= would redraw the weights")
    epochs = settings.get("epochs", 100)
    if rewind_to > epochs:
        raise PruningError(f"rewind_to={rewind_to} is past the {epochs} epochs of training")
    loss = settings.get("loss", "squared_error")
    name = getattr(loss, "name", loss)
    classification = settings.get("classification", name in CLASSIFICATION_LOSSES or None)
    test = None if X_test is None else (X_test, Y_test)
    metric = "test_accuracy" if test is not None else "train_accuracy"

    capture = _Capture(rewind_to)
    capture.weights = dict(zip(net.edges, net.weights.tolist(), strict=True)) if rewind_to == 0 else None
    first = int(prunable(net, biases).sum())
    rows, starts, tickets, results = [], [], [], []
    ticket = net.copy()
    for r in range(rounds + 1):
        starts.append(ticket.copy())
        callbacks = [*settings.get("callbacks", ()), *([capture] if r == 0 and rewind_to else [])]
        result = train(ticket, X, Y, **{**settings, "callbacks": callbacks})
        row = {"round": r, "weights": ticket.n_weights, "prunable": int(prunable(ticket, biases).sum())}
        row["remaining"] = row["prunable"] / first if first else math.nan
        row.update(_scores(ticket, X, Y, test, loss, classification), best_epoch=result.best.best_epoch)
        if control and r:
            fresh = starts[-1].copy()
            fresh.initialize(settings.get("seed"))
            train(fresh, X, Y, **settings)
            scores = _scores(fresh, X, Y, test, loss, classification)
            row.update({f"control_{k}": v for k, v in scores.items() if k.startswith("test") or test is None})
        rows.append(row)
        tickets.append(ticket)
        results.append(result)
        if r == rounds:
            break
        assert capture.weights is not None  # the first training reached epoch rewind_to
        ticket = prune(ticket, amount, by=by, scope=scope, biases=biases, keep_connected=keep_connected)
        ticket.set_weights(np.array([capture.weights[e] for e in ticket.edges]))  # rewind the survivors
    metric = metric if not math.isnan(rows[0][metric]) else metric.replace("accuracy", "loss")
    return LotteryResult(rows, rewind_to, capture.weights or {}, starts, tickets, results, metric)


def _scores(net: Network, X: Any, Y: Any, test: tuple | None, loss: Any, classification: Any) -> dict[str, float]:
    train_eval = evaluate(net, X, Y, loss=loss, classification=classification)
    row = {"train_loss": train_eval.loss, "train_accuracy": train_eval.accuracy,
           "test_loss": math.nan, "test_accuracy": math.nan}  # fmt: skip
    if test is not None:
        test_eval = evaluate(net, *test, loss=loss, classification=classification)
        row.update(test_loss=test_eval.loss, test_accuracy=test_eval.accuracy)
    return row
