"""The comparison as a matplotlib figure: learning curves with bands across seeds, and the final metrics.

The figure is a plain :class:`matplotlib.figure.Figure` on an Agg canvas:
no pyplot, no global state, nothing shown. Save it with ``fig.savefig(path)``;
in Jupyter it shows itself.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np

from .stats import METRICS, mean_std

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .runs import ComparisonData

__all__ = ["figure", "curve_band"]

# curve -> label
_CURVES = {"loss": "training loss", "test_loss": "test loss", "accuracy": "training accuracy",
           "test_accuracy": "test accuracy"}  # fmt: skip


def curve_band(curves: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Epochs, mean and sample standard deviation across seeds of curves that may differ in length.

    A run that stopped early counts only for the epochs it ran; where only
    one run is left the deviation is 0.

    Examples
    --------
    >>> epochs, mean, std = curve_band([np.array([3.0, 2.0, 1.0]), np.array([5.0, 6.0])])
    >>> epochs.tolist(), mean.tolist(), std.tolist()
    ([0, 1, 2], [4.0, 4.0, 1.0], [1.4142135623730951, 2.8284271247461903, 0.0])
    """
    length = max(len(c) for c in curves)
    table = np.full((len(curves), length), np.nan)  # (seeds, epochs)
    for row, curve in zip(table, curves, strict=True):
        row[: len(curve)] = curve
    counts = np.isfinite(table).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(table, axis=0) / counts
        std = np.sqrt(np.nansum((table - mean) ** 2, axis=0) / np.maximum(counts - 1, 1))
    return np.arange(length), mean, std


def _lowest(curves: list[np.ndarray]) -> np.ndarray:
    """The lowest value across seeds at each epoch (a floor for bands on a log scale)."""
    length = max(len(c) for c in curves)
    return np.array([min(c[e] for c in curves if e < len(c)) for e in range(length)])


def _stop_at_one(ax: Axes) -> None:
    """An accuracy axis ends at 1 at most (the margins matplotlib adds would show 102%)."""
    low, high = ax.get_ylim()
    if high > 1.0:
        ax.set_ylim(low, 1.0)


def _curves(ax: Axes, comparison: ComparisonData, curve: str, colors: dict[str, Any]) -> None:
    low = min(float(np.nanmin(run.curve(curve))) for runs in comparison.runs.values() for run in runs)
    log = "loss" in curve and low > 0
    for name, runs in comparison.runs.items():
        curves = [run.curve(curve) for run in runs]
        epochs, mean, std = curve_band(curves)
        ax.plot(epochs, mean, color=colors[name], label=name, linewidth=1.6)
        bottom = np.maximum(mean - std, _lowest(curves)) if log else mean - std  # a log axis has no room below 0
        top = np.minimum(mean + std, 1.0) if "accuracy" in curve else mean + std  # no accuracy above 1
        ax.fill_between(epochs, bottom, top, color=colors[name], alpha=0.2, linewidth=0)
    ax.set_title(_CURVES[curve])
    ax.set_xlabel("epoch")
    if log:
        ax.set_yscale("log")
    if "accuracy" in curve:
        _stop_at_one(ax)
    ax.grid(True, alpha=0.3)


def _finals(ax: Axes, comparison: ComparisonData, metric: str, colors: dict[str, Any]) -> None:
    """Per network: the mean with a ± std bar, and every seed as a faint dot beside it."""
    names = comparison.names
    for x, name in enumerate(names):
        values = comparison.values(name, metric)
        mean, std = mean_std(values)
        spread = 0.0 if np.isnan(std) else std
        above = min(spread, 1.0 - mean) if "accuracy" in metric else spread  # an accuracy stops at 1
        ax.errorbar(x, mean, yerr=[[spread], [max(above, 0.0)]], fmt="o", color=colors[name], capsize=5, markersize=7)
        ax.scatter(np.full(len(values), x + 0.15), values, color=colors[name], alpha=0.5, s=14)
    ax.set_xticks(range(len(names)), names, rotation=20, ha="right")
    ax.set_xlim(-0.5, len(names) - 0.5)
    ax.set_title(f"final {METRICS[metric][0]}")
    if "accuracy" in metric:
        _stop_at_one(ax)
    ax.set_ylabel("mean ± std (dots: seeds)", fontsize="small")
    ax.grid(True, axis="y", alpha=0.3)


def figure(comparison: ComparisonData, *, width: float = 4.2, height: float = 3.6) -> Figure:
    """Learning curves (mean line, band ± one standard deviation across seeds) and the final headline metric.

    Panels: the training loss per epoch; the test loss per epoch (with test
    data); the test (or training) accuracy per epoch (classifiers); the final
    value of :attr:`~ComparisonData.headline` per network.

    Parameters
    ----------
    comparison : ComparisonData
    width, height : float
        Inches per panel (four panels make a 2 × 2 grid, fewer a row).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> X = np.linspace(-1, 1, 11).reshape(-1, 1)
    >>> result = ag.compare({"A": ag.running_example()}, X, np.sin(3 * X), X, np.sin(3 * X), seeds=2, epochs=3)
    >>> [ax.get_title() for ax in figure(result).axes]
    ['training loss', 'test loss', 'final test loss']
    """
    # matplotlib loads only when a figure is drawn: importing it would double the package's import time
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    curves = ["loss"] + (["test_loss"] if comparison.has_test else [])
    if comparison.classification:
        curves.append("test_accuracy" if comparison.has_test else "accuracy")
    n_panels = len(curves) + 1
    columns = 2 if n_panels == 4 else n_panels
    rows = n_panels // columns
    fig = Figure(figsize=(width * columns, height * rows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    palette = [f"C{i}" for i in range(10)]
    colors = {name: palette[i % len(palette)] for i, name in enumerate(comparison.names)}
    for ax, curve in zip(axes, curves, strict=False):
        _curves(ax, comparison, curve, colors)
    _finals(axes[-1], comparison, comparison.headline, colors)
    axes[0].legend(fontsize="small")
    fig.suptitle(textwrap.fill(f"{comparison.title}: {len(comparison.seeds)} seeds, loss {comparison.loss}", 80))
    return fig
