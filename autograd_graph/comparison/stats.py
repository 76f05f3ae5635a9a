"""The statistics of a comparison: ``mean ± std`` over seeds and Welch's t-test.

A comparison summarizes each network over its seeds as ``mean ± std``
(sample standard deviation, ``ddof=1``), and says how sure a difference is
with Welch's t-test (:func:`welch`): with a handful of seeds only large,
consistent differences come out as significant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "METRICS",
    "Difference",
    "mean_std",
    "welch",
    "format_value",
    "signed_text",
    "nan_to_none",
    "span_of",
    "interval",
]

# metric -> (label, lower is better)
METRICS: dict[str, tuple[str, bool]] = {
    "train_loss": ("train loss", True),
    "test_loss": ("test loss", True),
    "train_accuracy": ("train accuracy", False),
    "test_accuracy": ("test accuracy", False),
    "seconds_per_epoch": ("time per epoch", True),
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
                f"difference {signed_text(m, self.delta)}")  # fmt: skip
        if math.isnan(self.p_value):
            return text + " (no p-value: too few seeds or no spread)"
        interval = f"95% CI {signed_text(m, self.low, unit=False)} to {signed_text(m, self.high, unit=False)}"
        return text + f" ({interval}, Welch's t-test p = {self.p_value:.2g})"


def signed_text(metric: str, value: float, *, unit: bool = True) -> str:
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


def nan_to_none(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: nan_to_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [nan_to_none(v) for v in value]
    return value


def span_of(values: list[int]) -> str:
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


def interval(values: Any) -> tuple[float, float, float, float]:
    """Mean, sample standard deviation and the 95% confidence interval of the mean (NaN when undefined).

    Examples
    --------
    >>> mean, std, low, high = interval([1.0, 2.0, 3.0])
    >>> mean, std, round(low, 3), round(high, 3)        # 2 ± t(0.975, 2) · 1/√3
    (2.0, 1.0, -0.484, 4.484)
    """
    from scipy import stats  # as in welch: loaded only when needed

    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    mean, std = mean_std(values)
    if values.size < 2 or math.isnan(std):
        return mean, std, math.nan, math.nan
    half = float(stats.t.ppf(0.975, values.size - 1)) * std / math.sqrt(values.size)
    return mean, std, mean - half, mean + half
