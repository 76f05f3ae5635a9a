"""A sweep as a matplotlib figure: a heatmap over two binned measures, and trends with confidence bands.

Every point is one network: the mean of the value over its seeds (the seeds
themselves show faintly). The heatmap averages the networks whose measures
fall in each cell, as You et al. (2020) draw accuracy over clustering
coefficient and path length; the scatter panels fit a polynomial trend of
the value against each measure by least squares, with the 95% confidence
band of the fitted mean. A baseline network (the complete graph, say) shows
as a line with its own 95% interval, apart from the points and fits. The figure is a plain
:class:`matplotlib.figure.Figure` on an Agg canvas, never shown.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..exceptions import ComparisonError
from .stats import METRICS, interval

__all__ = ["sweep_figure", "trend", "network_means"]


def trend(x: Any, y: Any, degree: int = 2, points: int = 100) -> tuple[np.ndarray, ...]:
    """A least-squares polynomial fit of ``y`` on ``x`` and the 95% confidence band of its mean.

    Returns ``(grid, fit, low, high)`` over ``points`` values of ``x`` from its least to its
    greatest; the degree drops so that at least two degrees of freedom remain.

    Examples
    --------
    >>> x = np.arange(10.0)
    >>> grid, fit, low, high = trend(x, 3 + 2 * x - 0.5 * x**2 + np.sin(x), degree=2)
    >>> bool(np.allclose(fit, np.polyval(np.polyfit(x, 3 + 2 * x - 0.5 * x**2 + np.sin(x), 2), grid)))
    True
    >>> bool((low < fit).all() and (fit < high).all())
    True
    """
    from scipy import stats

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    degree = max(0, min(degree, len(np.unique(x)) - 1, x.size - 3))
    grid = np.linspace(x.min(), x.max(), points) if x.size else np.zeros(0)
    if x.size < 3:
        return grid, np.full(grid.shape, math.nan), np.full(grid.shape, math.nan), np.full(grid.shape, math.nan)
    design = np.vander(x, degree + 1)  # (n, degree + 1): x^degree … 1, as np.polyfit
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    dof = x.size - (degree + 1)
    s2 = float(((y - design @ beta) ** 2).sum() / dof)
    cov = s2 * np.linalg.pinv(design.T @ design)
    G = np.vander(grid, degree + 1)
    fit = G @ beta
    half = float(stats.t.ppf(0.975, dof)) * np.sqrt(np.einsum("ij,jk,ik->i", G, cov, G))
    return grid, fit, fit - half, fit + half


def network_means(result: Any, column: str, leave_out: str | None = None) -> tuple[list[str], np.ndarray]:
    """Per network (in order, but ``leave_out``), the mean of ``column`` over its seeds."""
    names = [name for name in result.networks if name != leave_out]
    return names, np.array([np.nanmean(result.values(name, column)) for name in names])


def _label(column: str) -> str:
    names = {"clustering": "clustering coefficient C", "path_length": "average path length L",
             "relational_clustering": "C of the relational graph",
             "relational_path_length": "L of the relational graph"}  # fmt: skip
    return names.get(column, METRICS.get(column, (column, True))[0])


def _heatmap(ax: Any, fig: Any, result: Any, x: str, y: str, value: str, bins: int, baseline: str | None) -> None:
    _, xs = network_means(result, x, baseline)
    _, ys = network_means(result, y, baseline)
    _, vs = network_means(result, value, baseline)
    keep = np.isfinite(xs) & np.isfinite(ys) & np.isfinite(vs)
    xs, ys, vs = xs[keep], ys[keep], vs[keep]
    x_edges = np.linspace(xs.min(), xs.max() + 1e-12, bins + 1)
    y_edges = np.linspace(ys.min(), ys.max() + 1e-12, bins + 1)
    total, _, _ = np.histogram2d(xs, ys, bins=[x_edges, y_edges], weights=vs)
    count, _, _ = np.histogram2d(xs, ys, bins=[x_edges, y_edges])
    with np.errstate(invalid="ignore"):
        mean = np.where(count > 0, total / count, np.nan)
    scale = 100 if "accuracy" in value else 1
    image = ax.pcolormesh(x_edges, y_edges, np.ma.masked_invalid(mean.T * scale), cmap="viridis", shading="flat")
    fig.colorbar(image, ax=ax, label=_label(value) + (" (%)" if scale == 100 else ""))
    for i in range(bins):
        for j in range(bins):
            if count[i, j]:
                ax.text((x_edges[i] + x_edges[i + 1]) / 2, (y_edges[j] + y_edges[j + 1]) / 2,
                        f"{mean[i, j] * scale:.3g}\n({int(count[i, j])})", ha="center", va="center", fontsize=6,
                        color="white")  # fmt: skip
    ax.set_xlabel(_label(x))
    ax.set_ylabel(_label(y))
    ax.set_title(f"mean {_label(value)} per cell (networks)", fontsize="medium")


def _scatter(ax: Any, result: Any, x: str, value: str, degree: int, baseline: str | None) -> None:
    names, xs = network_means(result, x, baseline)
    _, vs = network_means(result, value, baseline)
    for name, xm in zip(names, xs, strict=True):
        seeds = result.values(name, value)
        ax.scatter(np.full(seeds.size, xm), seeds, s=6, color="C0", alpha=0.2, linewidths=0)
    ax.scatter(xs, vs, s=16, color="C0", label="networks (mean over seeds)")
    grid, fit, low, high = trend(xs, vs, degree)
    if np.isfinite(fit).any():
        ax.plot(grid, fit, color="C1", label=f"degree-{degree} fit")
        ax.fill_between(grid, low, high, color="C1", alpha=0.25, linewidth=0, label="95% band of the fit")
    if baseline is not None:
        mean, _, lo, hi = interval(result.values(baseline, value))
        ax.axhline(mean, color="C3", linestyle="--", label=f"{baseline} (95% interval)")
        if not math.isnan(lo):
            ax.axhspan(lo, hi, color="C3", alpha=0.12, linewidth=0)
    ax.set_xlabel(_label(x))
    ax.set_ylabel(_label(value))
    ax.grid(True, alpha=0.3)


def sweep_figure(result: Any, x: str = "clustering", y: str | None = "path_length", value: str = "test_accuracy", *,
                 bins: int = 6, degree: int = 2, baseline: str | None = None, width: float = 4.6,
                 height: float = 3.8) -> Any:  # fmt: skip
    """The figure of :meth:`SweepResult.plot <autograd_graph.comparison.sweep_result.SweepResult.plot>`.

    Parameters
    ----------
    result : SweepResult
    x, y : str
        Columns of the rows (graph measures or parameters); ``y=None`` draws only the scatter against ``x``.
    value : str
        The metric drawn (default: the sweep's headline metric).
    bins : int, default 6
        Cells of the heatmap along each axis.
    degree : int, default 2
        Of the fitted polynomial trends.
    baseline : str, optional
        A network drawn as a reference line with its 95% interval (and left out of the cells and fits).

    Examples
    --------
    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> X = np.linspace(-1, 1, 12).reshape(-1, 1)
    >>> nets = ag.grid(lambda seed, k: ag.random_dag(10, "watts_strogatz", k=k, p=0.3, seed=seed), k=[2, 4, 6])
    >>> result = ag.sweep(nets, X, np.sin(3 * X), seeds=2, epochs=3)
    >>> [ax.get_xlabel() for ax in result.plot("clustering", "path_length", "train_loss", bins=2).axes[:3]]
    ['clustering coefficient C', 'clustering coefficient C', 'average path length L']
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not result.rows:
        raise ComparisonError("the sweep has no rows to draw")
    for column in (x, y, value):
        if column is not None and column not in result.rows[0]:
            raise ComparisonError(f"no column {column!r} in the sweep; columns: {', '.join(result.rows[0])}")
    panels = 1 if y is None else 3
    fig = Figure(figsize=(width * panels, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, panels, squeeze=False).ravel()
    if y is not None:
        _heatmap(axes[0], fig, result, x, y, value, bins, baseline)
        _scatter(axes[1], result, x, value, degree, baseline)
        _scatter(axes[2], result, y, value, degree, baseline)
    else:
        _scatter(axes[0], result, x, value, degree, baseline)
    axes[-1].legend(fontsize="x-small")
    fig.suptitle(f"{result.title}: {len(result.networks)} networks × {len(result.seeds)} seeds")
    return fig
