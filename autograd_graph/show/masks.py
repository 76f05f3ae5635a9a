"""The mask over training: which (source, target) pairs hold an edge at several moments, for ``ag.plot_weights``.

``ag.plot_weights(net, masks={"epoch 0": edges0, "epoch 5": edges5, ...})``
adds a row of panels, one per mask, on the axes of the weight matrix (row =
target, column = source, by layer or generation): each cell says whether the
pair holds an edge, and how that changed since the panel before it: kept
(dark grey), added (green), removed (red). A matrix bigger than ``max_cells``
a side is binned, and each cell then shows the fraction of its pairs that
hold an edge. The masks come from ``callback.history.masks(epochs)`` (SET,
RigL) or ``result.masks()`` (lottery tickets), or any edge lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from ..exceptions import PictureOptionError
from .changes import CHANGE_COLORS
from .equations import NetworkReads
from .layout import column_numbers, order_columns

if TYPE_CHECKING:
    from matplotlib.figure import SubFigure

__all__ = ["mask_matrices", "draw_masks", "MASK_STATES"]

MASK_STATES = ("none", "kept", "added", "removed")  # the cell values 0, 1, 2, 3 of an unbinned mask
KEPT = "#424242"


def _positions(keys: np.ndarray, used: np.ndarray) -> np.ndarray:
    order = np.flatnonzero(used)[np.lexsort((np.flatnonzero(used), keys[used]))]
    position = np.full(keys.size, -1, dtype=np.int64)
    position[order] = np.arange(order.size)
    return position


def mask_matrices(net: NetworkReads, masks: Mapping[str, Iterable[tuple]], max_cells: int = 500) -> dict:
    """Each mask as a matrix (row = target, column = source, ordered as the weight matrix).

    Returns a dict: ``labels``, ``matrices`` (unbinned: 0 none, 1 kept, 2 added,
    3 removed since the mask before; binned: the fraction of each cell's pairs
    holding an edge), ``binned``, ``counts`` (edges per mask), ``shape``.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> m = mask_matrices(net, {"before": net.edges, "after": [e for e in net.edges if e != (4, 7)] + [(3, 7)]})
    >>> m["counts"], int((m["matrices"][1] == 2).sum()), int((m["matrices"][1] == 3).sum())
    ([12, 12], 1, 1)
    """
    if not isinstance(masks, Mapping) or not masks:
        raise PictureOptionError("masks must be a non-empty dict of labels to edge lists (history.masks(epochs))")
    ix = net.indexed()
    index = {node: i for i, node in enumerate(ix.nodes)}
    n = len(ix.nodes)
    sets = []
    for label, edges in masks.items():
        try:
            pairs = [(index[s], index[t]) for s, t in edges]
        except (KeyError, TypeError, ValueError):
            raise PictureOptionError(f"masks[{label!r}] must hold edges (i, j) between the network's neurons") from None
        array = np.array(pairs, dtype=np.int64).reshape(-1, 2)
        sets.append(np.unique(array[:, 0] * n + array[:, 1]))
    everything = np.unique(np.concatenate(sets))
    src, dst = everything // n, everything % n
    column = column_numbers(net)
    rank, _, _ = order_columns(column, ix.src, ix.dst)
    key = column * (n + 1) + rank
    targets, sources = np.bincount(dst, minlength=n) > 0, np.bincount(src, minlength=n) > 0
    row, col = _positions(key, targets), _positions(key, sources)
    n_rows, n_cols = int(targets.sum()), int(sources.sum())
    cells_r, cells_c = max(1, min(n_rows, max_cells)), max(1, min(n_cols, max_cells))
    binned = cells_r < n_rows or cells_c < n_cols
    matrices, previous = [], None
    for codes in sets:
        r = row[codes % n] * cells_r // max(n_rows, 1)
        c = col[codes // n] * cells_c // max(n_cols, 1)
        if binned:
            area = (
                np.bincount(np.arange(n_rows) * cells_r // max(n_rows, 1), minlength=cells_r)[:, None]
                * np.bincount(np.arange(n_cols) * cells_c // max(n_cols, 1), minlength=cells_c)[None, :]
            )
            count = np.bincount(r * cells_c + c, minlength=cells_r * cells_c).reshape(cells_r, cells_c)
            matrices.append(count / np.maximum(area, 1))
        else:
            matrix = np.zeros((cells_r, cells_c), dtype=np.int64)
            state = np.ones(codes.size, dtype=np.int64)
            if previous is not None:
                state[~np.isin(codes, previous)] = 2
                gone = np.setdiff1d(previous, codes)
                matrix[row[gone % n], col[gone // n]] = 3
            matrix[r, c] = state
            matrices.append(matrix)
        previous = codes
    return {"labels": list(masks), "matrices": matrices, "binned": binned, "counts": [int(s.size) for s in sets],
            "shape": (n_rows, n_cols)}  # fmt: skip


def draw_masks(fig: SubFigure, net: NetworkReads, masks: Mapping[str, Iterable[tuple]], max_cells: int) -> None:
    """One panel per mask, in a row of ``fig`` (a matplotlib figure or subfigure)."""
    from matplotlib.colors import ListedColormap

    m = mask_matrices(net, masks, max_cells)
    axes = fig.subplots(1, len(m["labels"]), squeeze=False)[0]
    rows, columns = m["shape"]
    extent = (-0.5, columns - 0.5, rows - 0.5, -0.5)
    colors = ListedColormap(["#ffffff", KEPT, CHANGE_COLORS["added"], CHANGE_COLORS["removed"]])
    for k, (ax, label, matrix, count) in enumerate(zip(axes, m["labels"], m["matrices"], m["counts"], strict=True)):
        if m["binned"]:
            ax.imshow(matrix, cmap="Greys", vmin=0, vmax=max(float(matrix.max()), 1e-12), aspect="auto",
                      interpolation="nearest", extent=extent)  # fmt: skip
        else:
            ax.imshow(matrix, cmap=colors, vmin=-0.5, vmax=3.5, aspect="auto", interpolation="nearest", extent=extent)
        ax.set_title(f"{label}\n{count:,d} edges", fontsize="small")
        ax.set_xlabel("source", fontsize="small")
        if k == 0:
            ax.set_ylabel("target", fontsize="small")
    what = "fraction of each cell's pairs with an edge" if m["binned"] else "grey kept, green added, red removed"
    fig.suptitle(f"the mask over training ({what}, each panel since the one before)", fontsize="small")
