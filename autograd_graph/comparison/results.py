"""What a comparison reports: one :class:`SeedRun` per network and seed, and the :class:`Comparison`.

A comparison summarizes each network over its seeds as ``mean ± std``
(sample standard deviation, ``ddof=1``), and says how sure a difference is
with Welch's t-test (:meth:`Comparison.difference`): with a handful of seeds
only large, consistent differences come out as significant.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import ComparisonError
from ..training import History

if TYPE_CHECKING:
    import graphviz
    from matplotlib.figure import Figure

    from ..network import Network

__all__ = ["Structure", "SeedRun", "Difference", "Comparison", "METRICS", "mean_std", "welch", "format_value"]

# metric -> (label, lower is better)
METRICS: dict[str, tuple[str, bool]] = {
    "train_loss": ("train loss", True),
    "test_loss": ("test loss", True),
    "train_accuracy": ("train accuracy", False),
    "test_accuracy": ("test accuracy", False),
    "seconds_per_epoch": ("time per epoch", True),
}


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


def mean_std(values: Any) -> tuple[float, float]:
    """The mean and the sample standard deviation (NaN for fewer than two finite values).

    Examples
    --------
    >>> mean_std([1.0, 2.0, 3.0])
    (2.0, 1.0)
    >>> mean_std([4.0])
    (4.0, nan)
    """
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return math.nan, math.nan
    return float(values.mean()), float(values.std(ddof=1)) if values.size > 1 else math.nan


@dataclass(frozen=True)
class Difference:
    """``mean(b) − mean(a)`` of one metric over the seeds, with Welch's 95% interval and p-value.

    ``p_value`` is NaN when it cannot be computed (fewer than two seeds a
    side, or no spread at all).
    """

    metric: str
    a: str
    b: str
    mean_a: float
    mean_b: float
    delta: float
    low: float
    high: float
    p_value: float

    @property
    def significant(self) -> bool:
        """Whether ``p < 0.05``."""
        return bool(self.p_value < 0.05)

    def __str__(self) -> str:
        label = METRICS.get(self.metric, (self.metric, True))[0]
        m = self.metric
        text = (f"{label}: {self.b} {format_value(m, self.mean_b)} vs {self.a} {format_value(m, self.mean_a)}, "
                f"difference {_signed(m, self.delta)}")  # fmt: skip
        if math.isnan(self.p_value):
            return text + " (no p-value: too few seeds or no spread)"
        interval = f"95% CI {_signed(m, self.low, unit=False)} to {_signed(m, self.high, unit=False)}"
        return text + f" ({interval}, Welch's t-test p = {self.p_value:.2g})"


def _signed(metric: str, value: float, *, unit: bool = True) -> str:
    """A difference of ``metric``: percentage points for accuracies, ms for times."""
    if "accuracy" in metric:
        return f"{100 * value:+.1f}" + (" points" if unit else "")
    if metric == "seconds_per_epoch":
        return f"{1000 * value:+.3g}" + (" ms" if unit else "")
    return f"{value:+.3g}"


def welch(metric: str, a: str, values_a: Any, b: str, values_b: Any) -> Difference:
    """Compare two samples of a metric with Welch's unequal-variance t-test.

    Examples
    --------
    >>> d = welch("test_loss", "A", [1.0, 1.1, 0.9], "B", [2.0, 2.2, 1.8])
    >>> round(d.delta, 3), d.significant
    (1.0, True)
    """
    from scipy import stats  # loads only when needed: it takes as long to import as the rest of the package

    x = np.asarray(values_a, dtype=float)
    y = np.asarray(values_b, dtype=float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    delta = float(y.mean() - x.mean()) if x.size and y.size else math.nan
    low = high = p = math.nan
    if x.size > 1 and y.size > 1:
        va, vb = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
        se = math.sqrt(va + vb)
        scale = max(abs(float(x.mean())), abs(float(y.mean())), 1e-300)
        if se > 1e-9 * scale:  # below that the spread is rounding error: no test
            df = (va + vb) ** 2 / (va**2 / (x.size - 1) + vb**2 / (y.size - 1))
            half = float(stats.t.ppf(0.975, df)) * se
            low, high = delta - half, delta + half
            p = float(2 * stats.t.sf(abs(delta) / se, df))  # two-sided
    mean_a = float(x.mean()) if x.size else math.nan
    mean_b = float(y.mean()) if y.size else math.nan
    return Difference(metric, a, b, mean_a, mean_b, delta, low, high, p)


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nan_to_none(v) for v in value]
    return value


def _span(values: list[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}–{high}"


def format_value(metric: str, mean: float, std: float = math.nan) -> str:
    """``mean ± std`` of a metric as the table shows it: accuracies in %, times in ms.

    Examples
    --------
    >>> format_value("test_loss", 0.059421, 0.00077043)
    '0.05942 ± 0.00077'
    >>> format_value("test_accuracy", 0.9512, 0.004), format_value("seconds_per_epoch", 0.003536)
    ('95.1 ± 0.4%', '3.54 ms')
    """
    if math.isnan(mean):
        return "–"
    if "accuracy" in metric:
        return f"{100 * mean:.1f}" + ("" if math.isnan(std) else f" ± {100 * std:.1f}") + "%"
    if metric == "seconds_per_epoch":
        return f"{1000 * mean:.3g}" + ("" if math.isnan(std) else f" ± {1000 * std:.2g}") + " ms"
    return f"{mean:.4g}" + ("" if math.isnan(std) else f" ± {std:.2g}")


@dataclass
class Comparison:
    """Several networks trained on the same data with the same settings over the same seeds.

    Made by :func:`~autograd_graph.compare`. ``print(comparison)`` shows the
    table; :meth:`rows` and :meth:`to_dict` give the numbers; :meth:`figure`,
    :meth:`diagrams` and :meth:`report` draw them.

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
                                   "epochs": _span([r.epochs for r in runs])}  # fmt: skip
            for key in ("n_weights", "n_neurons", "depth"):
                row[f"{key}_range"] = _span([getattr(r.structure, key) for r in runs])
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
        return json.dumps(_nan_to_none(self.to_dict()), indent=1, ensure_ascii=False)

    # ------------------------------------------------------------- pictures
    # plots and report import this module: importing them here, at call time, avoids a cycle
    def figure(self, **options: Any) -> Figure:
        """Learning curves with bands across seeds, and the final metrics; see :func:`.plots.figure`."""
        from .plots import figure

        return figure(self, **options)

    def diagrams(self, **options: Any) -> graphviz.Digraph:
        """The networks side by side (first seed's, trained); see :func:`.report.diagrams`."""
        from .report import diagrams

        return diagrams(self, **options)

    def report(self, path: str | os.PathLike, **options: Any) -> Path:
        """Write the self-contained HTML report; see :func:`.report.write_report`."""
        from .report import write_report

        return write_report(self, path, **options)
