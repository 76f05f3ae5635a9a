"""``ag.plot_weights``: the weight (or gradient) matrix as a heatmap, and histograms per layer or generation.

The researchers' standard view of a network's weights: row ``j``, column
``i`` holds ``w_{i,j}`` (the rows are the neurons that have inputs, the
columns those that feed others; as the SPEC's ``A_k``, a row is what one
neuron adds up), both ordered by layer (layered networks) or generation
(any other), inside one in the compact view's order; lines mark where a
layer or a group of generations ends (consecutive thin generations grouped
as in the overview, at most ``max_groups``). Cells without an edge are
blank. A matrix bigger than ``max_cells`` a side is binned (a sparse one
down to about ``4·√edges`` cells a side, so that its entries stay visible):
each cell is the mean of the weights that fall in it. Below, histograms of the weights (and
of the gradients) into each layer or group.

The figure is a plain :class:`matplotlib.figure.Figure` on an Agg canvas:
no pyplot, nothing shown; save it with ``fig.savefig(path)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import PictureOptionError, ShapeError
from .equations import NetworkReads
from .layout import column_numbers, order_columns
from .masks import draw_masks
from .overview import group_columns
from .views import MAX_GROUPS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..results import Gradients

__all__ = ["plot_weights", "weight_matrix", "MAX_CELLS"]

MAX_CELLS = 500  # a matrix with more rows or columns than this is binned down to it
SPARSE_CELLS = 60  # … and a sparse one down to about 4·√edges cells a side, not fewer than this


def _positions(keys: np.ndarray, used: np.ndarray) -> np.ndarray:
    """Each used neuron's position when sorted by ``keys``; -1 for the others."""
    order = np.flatnonzero(used)[np.lexsort((np.flatnonzero(used), keys[used]))]
    position = np.full(keys.size, -1, dtype=np.int64)
    position[order] = np.arange(order.size)
    return position


def weight_matrix(
    net: NetworkReads, values: np.ndarray | None = None, max_cells: int = MAX_CELLS, max_groups: int = MAX_GROUPS
) -> dict:
    """The matrix behind the heatmap: ``values`` (by default the weights) in row = target, column = source.

    Returns a dict: ``matrix`` (rows × columns, NaN where no edge; binned
    means beyond ``max_cells``), ``rows`` and ``columns`` (the neurons, in
    order; for a binned axis, the first neuron of each bin), ``shape`` (rows
    and columns before binning), ``row_breaks`` and ``column_breaks`` (the
    positions, before binning, where a layer or group starts),
    ``row_groups``/``column_groups`` (the group of each row and column before
    binning) and ``edge_group`` (the group of each edge's target).

    Examples
    --------
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> m = weight_matrix(net)
    >>> m["rows"], m["columns"]
    ([3, 4, 6, 7, 9], [1, 2, 3, 4, 5, 6, 7, 8])
    >>> round(float(m["matrix"][2, 2]), 3) == round(net.get_weight(3, 6), 3), bool(np.isnan(m["matrix"][3, 2]))
    (True, True)
    >>> m["row_breaks"], m["column_breaks"]
    ([2, 4], [2, 5])
    """
    ix = net.indexed()
    values = np.asarray(net.weights if values is None else values, dtype=float)
    column = column_numbers(net)
    rank, _, _ = order_columns(column, ix.src, ix.dst)
    group_of_column = group_columns(column, max_groups)
    group = group_of_column[column]
    key = column * (len(ix.nodes) + 1) + rank  # by column, then the compact view's order
    n = len(ix.nodes)
    targets, sources = np.bincount(ix.dst, minlength=n) > 0, np.bincount(ix.src, minlength=n) > 0
    row, col = _positions(key, targets), _positions(key, sources)
    n_rows, n_cols = int(targets.sum()), int(sources.sum())
    # sparse matrices get coarser cells (about 4·√edges a side), so that their entries stay visible
    side = min(max_cells, max(SPARSE_CELLS, int(4 * np.sqrt(ix.src.size))))
    cells_r, cells_c = max(1, min(n_rows, side)), max(1, min(n_cols, side))  # every cell holds a neuron
    r = row[ix.dst] * cells_r // max(n_rows, 1)
    c = col[ix.src] * cells_c // max(n_cols, 1)
    flat = r * cells_c + c
    total = np.bincount(flat, weights=values, minlength=cells_r * cells_c)
    count = np.bincount(flat, minlength=cells_r * cells_c)
    with np.errstate(invalid="ignore"):
        matrix = (total / count).reshape(cells_r, cells_c)
    row_neurons = np.flatnonzero(targets)[np.argsort(row[targets])]
    col_neurons = np.flatnonzero(sources)[np.argsort(col[sources])]

    def breaks(neurons: np.ndarray) -> list[int]:
        return (np.flatnonzero(np.diff(group[neurons])) + 1).tolist()

    def first_of_bins(neurons: np.ndarray, cells: int) -> list:
        cell = np.arange(neurons.size) * cells // max(neurons.size, 1)
        return [ix.nodes[i] for i in neurons[np.searchsorted(cell, np.arange(cells))]]

    return {
        "matrix": matrix,
        "rows": first_of_bins(row_neurons, cells_r),
        "columns": first_of_bins(col_neurons, cells_c),
        "row_breaks": breaks(row_neurons),
        "column_breaks": breaks(col_neurons),
        "shape": (n_rows, n_cols),
        "row_groups": group[row_neurons],
        "column_groups": group[col_neurons],
        "edge_group": group[ix.dst],
        "binned": (cells_r < n_rows, cells_c < n_cols),
        "unit": "layer" if net.is_layered() else "generation",
        "group_columns": group_of_column,
    }


def _heatmap(ax: Axes, m: dict, what: str, fig: Figure) -> None:
    matrix = m["matrix"]
    finite = np.abs(matrix[np.isfinite(matrix)])
    limit = float(np.percentile(finite, 99)) if finite.size else 1.0
    rows, columns = m["shape"]
    image = ax.imshow(matrix, cmap="PuOr", vmin=-(limit or 1.0), vmax=limit or 1.0, aspect="auto",
                      interpolation="nearest", extent=(-0.5, columns - 0.5, rows - 0.5, -0.5))  # fmt: skip
    for b in m["row_breaks"]:
        ax.axhline(b - 0.5, color="#333333", linewidth=0.8)
    for b in m["column_breaks"]:
        ax.axvline(b - 0.5, color="#333333", linewidth=0.8)
    binned = ", binned (mean per cell)" if any(m["binned"]) else ""
    ax.set_title(f"{what}{binned}")
    ax.set_xlabel(f"source neuron (column), by {m['unit']}")
    ax.set_ylabel(f"target neuron (row), by {m['unit']}")
    fig.colorbar(image, ax=ax, shrink=0.8, label=what)


def _histograms(ax: Axes, values: np.ndarray, m: dict, what: str) -> None:
    groups = m["edge_group"]
    n_groups = int(m["group_columns"].max(initial=0)) + 1
    edges = np.histogram_bin_edges(values, bins=40).tolist()
    colors = [f"C{g % 10}" for g in range(n_groups)]
    first = {int(g): int(np.flatnonzero(m["group_columns"] == g)[0]) + 1 for g in range(n_groups)}
    last = {int(g): int(np.flatnonzero(m["group_columns"] == g)[-1]) + 1 for g in range(n_groups)}
    for g in range(n_groups):
        into = values[groups == g]
        if into.size == 0:
            continue
        name = f"{m['unit']} {first[g]}" if first[g] == last[g] else f"{m['unit']}s {first[g]}–{last[g]}"
        label = f"into {name} ({into.size:,d})"
        ax.hist(into, bins=edges, histtype="step", color=colors[g], linewidth=1.3, label=label)
    ax.set_yscale("log")
    ax.set_title(f"{what} into each {m['unit']}" + ("" if m["unit"] == "layer" else " or group"))
    ax.set_xlabel(what)
    ax.set_ylabel("edges")
    ax.legend(fontsize="x-small", ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    ax.grid(True, alpha=0.3)


def plot_weights(
    net: NetworkReads,
    grads: Gradients | None = None,
    *,
    max_cells: int = MAX_CELLS,
    max_groups: int = MAX_GROUPS,
    width: float = 6.0,
    height: float = 5.0,
    masks: Mapping[str, Iterable[tuple]] | None = None,
) -> Figure:
    """The weight matrix (and the gradient matrix) as heatmaps, and histograms per layer or generation.

    Parameters
    ----------
    net : Network
    grads : Gradients, optional
        ``net.backward(trace, Y)``: adds the matrix and histograms of ``∂L/∂w``.
    max_cells : int, default 500
        More rows or columns than this are binned (each cell the mean of its edges).
    max_groups : int, default 8
        Generations are grouped into at most this many runs for the lines and histograms.
    width, height : float
        Inches per panel.
    masks : dict of str to edge lists, optional
        Adds the mask over training: one panel per entry (``history.masks([0, 5, 10])`` of
        :class:`~autograd_graph.SET` or :class:`~autograd_graph.RigL`, ``result.masks()`` of a
        lottery ticket), the edges kept, added and removed since the panel before (:mod:`.masks`).

    Returns
    -------
    matplotlib.figure.Figure
        Not shown: save it with ``fig.savefig(path)``, or let Jupyter show it.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> trace = net.forward([[0.5]])
    >>> fig = plot_weights(net, net.backward(trace, [[1.0]]))
    >>> [ax.get_title() for ax in fig.axes if ax.get_label() != "<colorbar>"]  # doctest: +NORMALIZE_WHITESPACE
    ['w', '∂L/∂w', 'w into each layer', '∂L/∂w into each layer']
    """
    if isinstance(max_cells, bool) or not isinstance(max_cells, int) or max_cells < 1:
        raise PictureOptionError(f"max_cells must be a whole number of at least 1, got {max_cells!r}")
    if isinstance(max_groups, bool) or not isinstance(max_groups, int) or max_groups < 1:
        raise PictureOptionError(f"max_groups must be a whole number of at least 1, got {max_groups!r}")
    if grads is not None and len(grads.weights) != net.n_weights:
        raise ShapeError(f"grads holds {len(grads.weights)} weight gradients, the network has {net.n_weights} weights")
    # matplotlib loads only when a figure is drawn, as in the comparison's plots
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = [("w", np.asarray(net.weights, dtype=float))]
    if grads is not None:
        panels.append(("∂L/∂w", np.asarray(grads.weights.flat, dtype=float)))
    wide = width * len(panels) if masks is None else max(width * len(panels), 3.2 * len(masks))
    fig = Figure(figsize=(wide, height * (1.8 if masks is None else 2.5)), layout="constrained")
    FigureCanvasAgg(fig)
    top: Any = fig
    if masks is not None:
        parts: Any = fig.subfigures(2, 1, height_ratios=[1.8, 0.7])  # an array of two subfigures
        top = parts[0]
        draw_masks(parts[1], net, masks, max_cells)
    axes = top.subplots(2, len(panels), squeeze=False, height_ratios=[1.25, 1])
    for p, (what, values) in enumerate(panels):
        m = weight_matrix(net, values, max_cells, max_groups)
        _heatmap(axes[0, p], m, what, top)
        _histograms(axes[1, p], values, m, what)
    return fig
