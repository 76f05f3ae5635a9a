"""What a comparison holds: one :class:`SeedRun` per network and seed, in a :class:`ComparisonData`.

:class:`ComparisonData` is the data and its statistics (:mod:`.stats`);
:mod:`.plots` and :mod:`.report` are functions of it, and
:class:`~autograd_graph.Comparison` (:mod:`.results`) adds them as methods.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import ComparisonError
from ..training import History
from .stats import METRICS, Difference, format_value, mean_std, nan_to_none, span_of, welch

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["Structure", "SeedRun", "ComparisonData"]


@dataclass(frozen=True)
class Structure:
    """The shape of one network: what a budget is measured in.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> Structure.of(ag.running_example())
    Structure(n_weights=12, n_neurons=9, n_hidden=4, depth=3, layered=True)
    """

    n_weights: int
    n_neurons: int
    n_hidden: int
    depth: int  # edges on the longest path
    layered: bool

    @classmethod
    def of(cls, net: Network) -> Structure:
        """The structure of ``net``."""
        return cls(net.n_weights, net.n_neurons, len(net.hidden), net.depth(), net.is_layered())


@dataclass
class SeedRun:
    """One network trained from one seed.

    Attributes
    ----------
    name : str
    seed : int
        ``net.initialize(seed)`` (or ``builder(seed)``) made its initial
        weights, and ``ag.train(..., seed=seed)`` shuffled its examples.
    structure : Structure
    history : History
        ``ag.train``'s per-epoch training loss and accuracy (epoch 0 = before training).
    test_loss, test_accuracy : list of float
        The same per epoch on the test data (NaN without test data, or accuracy of a regression).
    final : dict of str to float
        ``train_loss``, ``train_accuracy``, ``test_loss``, ``test_accuracy`` of the network as
        ``ag.train`` leaves it (its best weights by the monitored loss), and ``seconds_per_epoch``.
    seconds : float
        Wall time of ``ag.train`` (updates plus its evaluation of the training
        set after every epoch; the test curve is not counted).
    network : Network
        The trained network.
    """

    name: str
    seed: int
    structure: Structure
    history: History
    test_loss: list[float]
    test_accuracy: list[float]
    final: dict[str, float]
    seconds: float
    network: Network = field(repr=False)

    @property
    def epochs(self) -> int:
        """Epochs trained."""
        return len(self.history) - 1

    def curve(self, metric: str) -> np.ndarray:
        """One learning curve: ``"loss"``, ``"accuracy"`` (training set), ``"test_loss"`` or ``"test_accuracy"``."""
        curves = {"loss": self.history.loss, "accuracy": self.history.accuracy,
                  "test_loss": self.test_loss, "test_accuracy": self.test_accuracy}  # fmt: skip
        if metric not in curves:
            raise ComparisonError(f"no curve {metric!r}; curves: {', '.join(curves)}")
        return np.asarray(curves[metric], dtype=float)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the seed, the structure, the final metrics and the curves."""
        return {
            "name": self.name,
            "seed": self.seed,
            "structure": vars(self.structure).copy(),
            "final": dict(self.final),
            "seconds": self.seconds,
            "epochs": self.epochs,
            "curves": {
                "loss": list(self.history.loss),
                "accuracy": list(self.history.accuracy),
                "test_loss": list(self.test_loss),
                "test_accuracy": list(self.test_accuracy),
            },  # fmt: skip
        }


@dataclass
class ComparisonData:
    """Several networks trained on the same data with the same settings over the same seeds: the numbers.

    The base of :class:`~autograd_graph.Comparison` (made by
    :func:`~autograd_graph.compare`), which adds the pictures: plots and
    reports are functions of this data. ``print(comparison)`` shows the
    table; :meth:`rows` and :meth:`to_dict` give the numbers.

    Attributes
    ----------
    runs : dict of str to list of SeedRun
        Per network (in the order given), one run per seed.
    seeds : list of int
    settings : dict
        The settings passed to ``ag.train`` (as text where not JSON).
    loss : str
        The loss trained and reported.
    classification : bool
        Whether accuracies are reported.
    data : dict
        Sizes of the data: ``n_train``, ``n_test``, ``n_inputs``, ``n_outputs``.
    title : str
        What was compared (a task name, say).

    Examples
    --------
    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> X = np.linspace(-1, 1, 11).reshape(-1, 1)
    >>> comparison = ag.compare({"a": ag.running_example(), "b": ag.layered([1, 3, 1])}, X, np.sin(3 * X),
    ...                         seeds=2, epochs=3, learning_rate=0.1)
    >>> comparison.names, comparison.seeds, comparison.loss
    (['a', 'b'], [0, 1], 'squared_error')
    >>> [row["n_weights"] for row in comparison.rows()]
    [12, 10]
    >>> len(comparison.runs["b"])    # one SeedRun per seed
    2
    """

    runs: dict[str, list[SeedRun]]
    seeds: list[int]
    settings: dict[str, Any]
    loss: str
    classification: bool
    data: dict[str, int]
    title: str = "comparison"

    # --------------------------------------------------------------- numbers
    @property
    def names(self) -> list[str]:
        """The networks' names, in order."""
        return list(self.runs)

    @property
    def networks(self) -> dict[str, Network]:
        """Per name, the network trained from the first seed."""
        return {name: runs[0].network for name, runs in self.runs.items()}

    @property
    def has_test(self) -> bool:
        """Whether there was test data."""
        return self.data.get("n_test", 0) > 0

    @property
    def metrics(self) -> list[str]:
        """The metrics reported: losses, accuracies when classifying, test ones with test data, time."""
        wanted = [m for m in METRICS if self.classification or "accuracy" not in m]
        return [m for m in wanted if self.has_test or not m.startswith("test")]

    @property
    def headline(self) -> str:
        """The metric that decides which network did best: test accuracy, else test loss, else train loss."""
        if self.has_test:
            return "test_accuracy" if self.classification else "test_loss"
        return "train_accuracy" if self.classification else "train_loss"

    def values(self, name: str, metric: str) -> np.ndarray:
        """One final metric of one network, per seed."""
        self._check(name, metric)
        return np.array([run.final[metric] for run in self.runs[name]], dtype=float)

    def _check(self, name: str, metric: str) -> None:
        if name not in self.runs:
            raise ComparisonError(f"no network {name!r} in this comparison; networks: {', '.join(self.names)}")
        if metric not in METRICS:
            raise ComparisonError(f"unknown metric {metric!r}; metrics: {', '.join(METRICS)}")

    def epochs_to_reach(self, value: float, curve: str = "loss") -> dict[str, np.ndarray]:
        """Per network and seed, the first epoch whose ``curve`` reaches ``value`` (NaN if it never does).

        Losses reach a value by falling to it or below, accuracies by rising
        to it or above: a measure of how fast each network trains.

        Examples
        --------
        >>> import numpy as np
        >>> import autograd_graph as ag
        >>> X = np.linspace(-1, 1, 21).reshape(-1, 1)
        >>> result = ag.compare({"A": ag.running_example()}, X, np.sin(3 * X), seeds=2, epochs=30, learning_rate=0.5)
        >>> result.epochs_to_reach(0.2)["A"]
        array([29., 13.])
        """
        lower = "loss" in curve
        epochs = {}
        for name, runs in self.runs.items():
            firsts = []
            for run in runs:
                values = run.curve(curve)
                hits = np.flatnonzero(values <= value if lower else values >= value)
                firsts.append(float(hits[0]) if hits.size else math.nan)
            epochs[name] = np.array(firsts)
        return epochs

    def rows(self) -> list[dict[str, Any]]:
        """One dict per network: its structure, then ``{metric}_mean`` and ``{metric}_std`` of every metric.

        Structure values are those of the first seed; when a builder made
        networks of different sizes for different seeds, ``weights_range``
        and the like say so.
        """
        rows = []
        for name, runs in self.runs.items():
            first = runs[0].structure
            row: dict[str, Any] = {"network": name, **vars(first), "seeds": len(runs),
                                   "epochs": span_of([r.epochs for r in runs])}  # fmt: skip
            for key in ("n_weights", "n_neurons", "depth"):
                row[f"{key}_range"] = span_of([getattr(r.structure, key) for r in runs])
            row["layered"] = all(r.structure.layered for r in runs)
            for metric in METRICS:
                row[f"{metric}_mean"], row[f"{metric}_std"] = mean_std(self.values(name, metric))
            rows.append(row)
        return rows

    def best(self, metric: str | None = None) -> str:
        """The network with the best mean of ``metric`` (default: :attr:`headline`)."""
        metric = metric or self.headline
        lower = METRICS[metric][1]
        means = {name: mean_std(self.values(name, metric))[0] for name in self.names}
        finite = {n: m for n, m in means.items() if not math.isnan(m)}
        if not finite:
            raise ComparisonError(f"no network has a value of {metric!r}")
        return (min if lower else max)(finite, key=finite.__getitem__)

    def difference(self, a: str, b: str, metric: str | None = None) -> Difference:
        """How ``b`` differs from ``a`` in ``metric`` (default: :attr:`headline`), with Welch's t-test."""
        metric = metric or self.headline
        return welch(metric, a, self.values(a, metric), b, self.values(b, metric))

    def verdict(self, metric: str | None = None) -> list[str]:
        """Sentences: which network did best in ``metric``, and how each other one compares to it."""
        metric = metric or self.headline
        best = self.best(metric)
        mean, std = mean_std(self.values(best, metric))
        label = METRICS[metric][0]
        lines = [f"best {label}: {best} ({format_value(metric, mean, std)} over {len(self.runs[best])} seeds)"]
        for name in self.names:
            if name != best:
                lines.append(f"  {self.difference(best, name, metric)}")
        return lines

    # ----------------------------------------------------------------- text
    def table(self) -> str:
        """The printed table: structure, then ``mean ± std`` over seeds of every metric."""
        metrics = self.metrics
        header = ["network", "weights", "neurons", "depth", "layered", *[METRICS[m][0] for m in metrics]]
        body = []
        for row in self.rows():
            cells = [row["network"], row["n_weights_range"], row["n_neurons_range"], row["depth_range"],
                     "yes" if row["layered"] else "no"]  # fmt: skip
            cells += [format_value(m, row[f"{m}_mean"], row[f"{m}_std"]) for m in metrics]
            body.append(cells)
        widths = [max(len(str(line[c])) for line in [header, *body]) for c in range(len(header))]
        lines = ["  ".join(str(cell).ljust(w) if c == 0 else str(cell).rjust(w)
                           for c, (cell, w) in enumerate(zip(line, widths, strict=True)))
                 for line in [header, *body]]  # fmt: skip
        lines.insert(1, "  ".join("-" * w for w in widths))
        seeds = ", ".join(map(str, self.seeds))
        lines.append(f"(mean ± std over seeds {seeds}; loss: {self.loss}; {self.data.get('n_train', '?')} training, "
                     f"{self.data.get('n_test', 0)} test examples)")  # fmt: skip
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table() + "\n" + "\n".join(self.verdict())

    def to_dict(self) -> dict[str, Any]:
        """Everything as JSON-ready data: settings, the table's rows, every run's curves."""
        return {
            "title": self.title,
            "seeds": list(self.seeds),
            "loss": self.loss,
            "classification": self.classification,
            "data": dict(self.data),
            "settings": dict(self.settings),
            "headline": self.headline,
            "rows": self.rows(),
            "runs": {name: [run.to_dict() for run in runs] for name, runs in self.runs.items()},
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as JSON text, NaN written as null."""
        return json.dumps(nan_to_none(self.to_dict()), indent=1, ensure_ascii=False)
