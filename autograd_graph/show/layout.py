"""Positions computed by the library: a column per layer or generation, crossing reduction, wrapping.

The compact view places every neuron itself, so Graphviz only draws (no
layout search runs). Everything here works on the network's integer
description (``net.indexed()``: edge arrays ``src``, ``dst``, a generation
per neuron) with numpy, over all neurons or edges at once:

1. :func:`column_numbers`: a column per layer of a layered network, per
   topological generation of any other one (a bias neuron just before the
   first neuron it feeds);
2. :func:`order_columns`: the order inside each column, by barycentre sweeps
   (each neuron moves to the mean position of its neighbours in the columns
   before, then after), keeping the order with the fewest crossings
   (:func:`count_crossings`; the graph's own order when no sweep improves on
   it, so the running example keeps 3 above 4);
3. :func:`place`: coordinates in points. A column taller than
   :data:`MAX_ROWS` splits into sub-columns side by side; a network much
   wider than tall (hundreds of generations) wraps its columns into lines
   that snake (every other line right to left) so that the picture keeps a
   screen's proportions; anything longer than :data:`MAX_SIDE` is scaled
   down to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .equations import NetworkReads

__all__ = [
    "Layout",
    "column_numbers",
    "order_columns",
    "count_crossings",
    "place",
    "layout",
    "ROW",
    "MAX_ROWS",
    "MAX_SIDE",
    "SWEEPS",
]

ROW = 14.0  # points between two neurons of a column
SUB_COLUMN = 14.0  # between the sub-columns of a tall column
MAX_ROWS = 56  # a column of more neurons splits into sub-columns
COLUMN_GAP = (36.0, 160.0)  # points between columns: the narrow end for deep networks, the wide for shallow ones
LINE_GAP = 48.0  # between the lines of a wrapped picture
WRAP_ASPECT = 4.0  # wrap the columns when the picture would be this many times wider than tall
TARGET_ASPECT = 1.6  # … into lines that make it about this wide for its height
MAX_SIDE = 3600.0  # points: the longest side of the picture (PNG pixels at 72 dpi)
SWEEPS = 8  # barycentre sweeps (alternately from the inputs and from the outputs)
SPAN_COUNTED = 8  # the sweeps count the crossings of edges spanning up to this many columns


def column_numbers(net: NetworkReads, fold_biases: bool = False) -> np.ndarray:
    """The column of every neuron (in ``net.neurons`` order); -1 for a folded bias.

    Layered networks get their layers (from 0), any other one its
    topological generations, each bias neuron moved to just before the first
    neuron it feeds. Empty columns are dropped.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> column_numbers(ag.running_example()).tolist()
    [0, 0, 1, 1, 1, 2, 2, 2, 3]
    >>> import networkx as nx
    >>> column_numbers(ag.Network.from_networkx(nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C")]))).tolist()
    [0, 1, 2]
    """
    ix = net.indexed()
    n = len(ix.nodes)
    bias = np.array([k == "bias" for k in ix.kinds], dtype=bool) if n else np.zeros(0, bool)
    if net.is_layered():
        where = {node: i for i, node in enumerate(ix.nodes)}
        column = np.empty(n, dtype=np.int64)
        for c, layer in enumerate(net.layers()):
            column[[where[node] for node in layer]] = c
    else:
        assert ix.generation is not None, "a network that validates is acyclic"
        column = ix.generation.copy()
        from_bias = bias[ix.src]
        first_fed = np.full(n, np.iinfo(np.int64).max)
        np.minimum.at(first_fed, ix.src[from_bias], column[ix.dst[from_bias]])
        feeds = bias & (first_fed < np.iinfo(np.int64).max)
        column[feeds] = first_fed[feeds] - 1
    if fold_biases:
        column[bias] = -1
    used = np.unique(column[column >= 0])
    renumber = np.full(int(column.max(initial=0)) + 1, -1, dtype=np.int64)
    renumber[used] = np.arange(used.size)
    return np.where(column >= 0, renumber[np.maximum(column, 0)], -1)


def _ranks(column: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Each neuron's position inside its column when the column is sorted by ``key`` (ties: graph order)."""
    n = column.size
    order = np.lexsort((np.arange(n), key, column))
    counts = np.bincount(column, minlength=int(column.max(initial=-1)) + 1)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - starts[column[order]]
    return rank


def _inversions(group: np.ndarray, values: np.ndarray) -> int:
    """Pairs ``i < j`` of the same group with ``values[i] > values[j]`` (sorted by group), one merge level at a time."""
    n = values.size
    if n < 2:
        return 0
    span = int(values.max()) + 1
    groups = int(group.max()) + 1
    index = np.arange(n)
    total, size = 0, 1
    while size < n:
        block = index // (2 * size)
        right = (index // size) % 2 == 1
        key = (block * groups + group) * span
        left_keys = np.sort(key[~right] + values[~right])
        query = key[right]
        above = np.searchsorted(left_keys, query + span - 1, side="right")
        at_most = np.searchsorted(left_keys, query + values[right], side="right")
        total += int((above - at_most).sum())
        size *= 2
    return total


def count_crossings(
    column: np.ndarray, rank: np.ndarray, src: np.ndarray, dst: np.ndarray, max_span: int | None = None
) -> int:
    """Crossings of the edges drawn as straight lines between columns, for the order ``rank`` (vectorised).

    Each column's neurons sit one row apart, centred; an edge is a straight
    line from its source's column to its target's. Inside the strip
    between two neighbouring columns, two lines cross when their order just
    after the left column differs from their order just before the right
    one, so those crossings are counted strip by strip, as inversions, all
    strips at once; two lines that pass through a column at the same height
    cross there and are counted apart. Lines that only touch (at a neuron)
    do not cross. Every value is an exact ratio of whole numbers, so ties
    are exact. Neurons with ``column == -1`` are left out, and so are edges
    spanning more than ``max_span`` columns when it is given (the sweeps
    compare orders by the edges of up to :data:`SPAN_COUNTED` columns: longer
    ones cost time in proportion to their span and gain little).

    Examples
    --------
    >>> column = np.array([0, 0, 1, 1])
    >>> count_crossings(column, np.array([0, 1, 0, 1]), np.array([0, 1]), np.array([3, 2]))
    1
    >>> count_crossings(column, np.array([0, 1, 1, 0]), np.array([0, 1]), np.array([3, 2]))
    0
    """
    keep = (column[src] >= 0) & (column[dst] > column[src])
    if max_span is not None:
        keep &= column[dst] - column[src] <= max_span
    s, d = src[keep], dst[keep]
    if s.size < 2:
        return 0
    col = np.where(column >= 0, column, 0)
    size = np.bincount(col, minlength=int(col.max()) + 1)
    y = 2 * rank - (size[col] - 1)  # twice the centred row: whole numbers
    spans = col[d] - col[s]
    edge = np.repeat(np.arange(s.size), spans)  # one entry per edge and strip it crosses
    step = np.arange(edge.size) - np.repeat(np.cumsum(spans) - spans, spans)
    strip = col[s][edge] + step
    span, y0, rise = spans[edge], y[s][edge], (y[d] - y[s])[edge]
    left = (y0 * span + step * rise) / span  # exact ratios, correctly rounded: equal ratios, equal floats
    right = (y0 * span + (step + 1) * rise) / span
    slope = rise / span
    # in each strip: sorted just after its left column, then the order just before its right column
    order = np.lexsort((slope, left, strip))
    after = np.lexsort((-slope, right, strip))
    key = np.empty(edge.size, dtype=np.int64)
    sorted_key = np.stack([strip[after], right[after], -slope[after]])
    key[after] = np.cumsum(np.concatenate(([0], np.any(np.diff(sorted_key, axis=1) != 0, axis=0))))
    total = _inversions(strip[order], key[order])
    # lines through a column (not starting there) at the same height, at different slopes, cross on it
    t = np.flatnonzero(step > 0)
    o = t[np.lexsort((slope[t], left[t], strip[t]))]
    point = np.concatenate(([True], (strip[o][1:] != strip[o][:-1]) | (left[o][1:] != left[o][:-1])))
    same_slope = point | np.concatenate(([True], slope[o][1:] != slope[o][:-1]))

    def pairs(starts: np.ndarray) -> int:
        sizes = np.diff(np.append(np.flatnonzero(starts), starts.size))
        return int((sizes * (sizes - 1) // 2).sum())

    total += pairs(point) - pairs(same_slope)
    return total


def order_columns(
    column: np.ndarray, src: np.ndarray, dst: np.ndarray, sweeps: int = SWEEPS, *, span: int | None = None
) -> tuple[np.ndarray, int, int]:
    """The order inside each column: barycentre sweeps over the edge arrays, the best order kept.

    Returns ``(rank, crossings, crossings_before)``: each neuron's position in
    its column, and the crossings (:func:`count_crossings` of the edges
    spanning up to :data:`SPAN_COUNTED` columns) of that order and of the
    graph's own order. Neurons with ``column == -1`` are left out.

    A sweep goes through the columns from the inputs (even sweeps) or from
    the outputs (odd sweeps); each column sorts its neurons by the mean
    position (scaled to [0, 1] in its column) of their neighbours in the
    column just visited, all of the column's edges at once; a neuron
    without such neighbours keeps its place. ``span`` is how many columns
    away a neighbour may be (None: any).

    Examples
    --------
    >>> column = np.array([0, 0, 1, 1])
    >>> rank, after, before = order_columns(column, np.array([0, 1]), np.array([3, 2]))
    >>> rank.tolist(), after, before
    ([0, 1, 1, 0], 0, 1)
    """
    shown = column >= 0
    keep = shown[src] & shown[dst]
    src, dst = src[keep], dst[keep]
    col = np.where(shown, column, 0)
    n_columns = int(col.max(initial=0)) + 1
    rank = _ranks(col, np.zeros(col.size))
    size = np.bincount(col, minlength=n_columns)
    before = best_crossings = count_crossings(column, rank, src, dst, SPAN_COUNTED)
    best = rank.copy()
    gap = col[dst] - col[src]
    near = (gap > 0) if span is None else (gap > 0) & (gap <= span)
    s, d = src[near], dst[near]
    # the edges by the column of their target (for sweeps from the inputs) and of their source (from the outputs)
    by_target, by_source = np.argsort(col[d], kind="stable"), np.argsort(col[s], kind="stable")
    target_start = np.searchsorted(col[d][by_target], np.arange(n_columns + 1))
    source_start = np.searchsorted(col[s][by_source], np.arange(n_columns + 1))
    members = [np.flatnonzero(col == c) for c in range(n_columns)]  # graph order: rank 0, 1, …
    position = (rank + 0.5) / size[col]
    for sweep in range(sweeps if best_crossings else 0):
        forward = sweep % 2 == 0
        for c in range(1, n_columns) if forward else range(n_columns - 2, -1, -1):
            if forward:
                e = by_target[target_start[c] : target_start[c + 1]]
                a, b = s[e], d[e]  # b, in column c, moves to the mean of its sources a
            else:
                e = by_source[source_start[c] : source_start[c + 1]]
                a, b = d[e], s[e]
            m = members[c]
            if m.size < 2 or e.size == 0:
                continue
            total = np.bincount(rank[b], weights=position[a], minlength=m.size)
            count = np.bincount(rank[b], minlength=m.size)
            key = np.where(count > 0, total / np.maximum(count, 1), position[m])
            m = m[np.lexsort((rank[m], key))]
            members[c] = m
            rank[m] = np.arange(m.size)
            position[m] = (rank[m] + 0.5) / m.size
        crossings = count_crossings(column, rank, src, dst, SPAN_COUNTED)
        if crossings < best_crossings:
            best, best_crossings = rank.copy(), crossings
        if best_crossings == 0:
            break
    best[~shown] = -1
    return best, best_crossings, before


@dataclass(frozen=True, eq=False)
class Layout:
    """Where the compact view draws each neuron, in points (x to the right, y down).

    Attributes
    ----------
    column, rank : ndarray of int
        Each neuron's column and position in it (``net.neurons`` order); -1
        for a neuron not drawn (a folded bias).
    x, y : ndarray of float
        The centre of each neuron (NaN when not drawn).
    width, height : float
        The picture's extent; every centre lies inside it.
    lines : int
        How many lines the columns wrap into (1: not wrapped).
    scale : float
        The factor applied to fit :data:`MAX_SIDE` (1: none); draw neurons
        ``scale`` times their size.
    gap : float
        The distance between two columns, in points (scaled).
    crossings, crossings_before : int
        Edge crossings between adjacent columns in this order, and in the
        graph's own order.
    """

    column: np.ndarray
    rank: np.ndarray
    x: np.ndarray
    y: np.ndarray
    width: float
    height: float
    lines: int
    scale: float
    gap: float
    crossings: int
    crossings_before: int


def _lines(slot: np.ndarray, heights: np.ndarray, lines: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Columns cut into ``lines`` lines: each column's line and start, and each line's height."""
    per_line = -(-slot.size // lines)
    line_of = np.arange(slot.size) // per_line
    starts = np.concatenate(([0.0], np.cumsum(slot)[:-1]))
    line_start = np.full(lines, np.inf)
    np.minimum.at(line_start, line_of, starts)  # the first column's start, per line
    line_height = np.zeros(lines)
    np.maximum.at(line_height, line_of, heights)
    return line_of, starts - line_start[line_of], line_height


def _line_count(slot: np.ndarray, heights: np.ndarray) -> int:
    """The number of lines whose picture comes closest to :data:`TARGET_ASPECT` (width over height)."""
    best, best_error = 1, math.inf
    for lines in range(1, min(slot.size, 64) + 1):
        line_of, start, line_height = _lines(slot, heights, lines)
        width = float((start + slot).max())
        height = float(line_height.sum() + LINE_GAP * (lines - 1))
        error = abs(math.log(width / max(height, 1.0) / TARGET_ASPECT))
        if error < best_error:
            best, best_error = lines, error
    return best


def place(
    column: np.ndarray,
    rank: np.ndarray,
    *,
    margin: float = 12.0,
    wrap: bool | None = None,
    row: float = ROW,
    snake: bool = True,
) -> dict:
    """Coordinates for columns and ranks: sub-columns for tall columns, lines for deep networks.

    ``row`` is the distance between two neurons of a column, in points;
    ``wrap=None`` wraps when the picture would be more than
    :data:`WRAP_ASPECT` times wider than tall, into the number of lines
    that brings it closest to :data:`TARGET_ASPECT`; ``snake`` runs every
    other line right to left, so that consecutive lines join at their ends
    (fewer and shorter crossing edges than lines that all start on the left:
    see ``benchmarks/README.md``). Returns the fields of :class:`Layout` that
    are coordinates (``x``, ``y``, ``width``, ``height``, ``lines``, ``scale``, ``gap``).
    """
    shown = column >= 0
    sub_gap = row * SUB_COLUMN / ROW
    n_columns = int(column.max(initial=-1)) + 1
    counts = np.bincount(column[shown], minlength=n_columns)
    subs = np.maximum(1, -(-counts // MAX_ROWS))  # sub-columns per column
    rows = -(-counts // subs)  # neurons per sub-column
    tall = rows.max(initial=1) * row
    width_of = (subs - 1) * sub_gap  # from a column's first sub-column to its last
    # columns as far apart as keeps the picture about TARGET_ASPECT times wider than tall, within COLUMN_GAP
    gap = float(np.clip((TARGET_ASPECT * tall - width_of.sum()) / max(n_columns, 1), *COLUMN_GAP))
    slot = width_of + gap  # horizontal room each column takes
    if wrap is None:
        wrap = slot.sum() > WRAP_ASPECT * (tall + 2 * margin)
    lines = _line_count(slot, rows * row) if wrap and n_columns > 1 else 1
    line_of, start, line_height = _lines(slot, rows * row, lines)
    column_x = start + margin
    line_top = np.concatenate(([0.0], np.cumsum(line_height + LINE_GAP)[:-1])) + margin
    c = np.where(shown, column, 0)
    # a tall column fills its sub-columns row by row, so that y grows with the rank
    sub = np.where(shown, rank % subs[c], 0)
    level = np.where(shown, rank // subs[c], 0)
    x = column_x[c] + sub * sub_gap
    if snake and lines > 1:  # odd lines run right to left from the right edge (a short last line too)
        right_edge = float((column_x + width_of).max())
        x = np.where(line_of[c] % 2 == 1, right_edge + margin - x, x)
    middle = line_top[line_of[c]] + line_height[line_of[c]] / 2
    y = middle + (level - (rows[c] - 1) / 2) * row
    width = float((column_x + width_of).max(initial=0.0)) + margin
    height = float(line_top[-1] + line_height[-1]) + margin
    scale = min(1.0, MAX_SIDE / max(width, height, 1.0))
    x, y = np.where(shown, x * scale, np.nan), np.where(shown, y * scale, np.nan)
    return {"x": x, "y": y, "width": width * scale, "height": height * scale, "lines": lines, "scale": scale,
            "gap": gap * scale}  # fmt: skip


def layout(
    net: NetworkReads, *, fold_biases: bool = False, wrap: bool | None = None, sweeps: int = SWEEPS, row: float = ROW
) -> Layout:
    """The compact view's positions of ``net``: columns, crossing reduction, coordinates.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> lay = layout(ag.running_example())
    >>> lay.column.tolist(), lay.rank.tolist(), lay.crossings
    ([0, 0, 1, 1, 1, 2, 2, 2, 3], [0, 1, 0, 1, 2, 0, 1, 2, 0], 2)
    >>> bool(lay.y[2] < lay.y[3]), bool(lay.y[5] < lay.y[6])  # 3 above 4, 6 above 7
    (True, True)
    """
    ix = net.indexed()
    column = column_numbers(net, fold_biases)
    rank, crossings, before = order_columns(column, ix.src, ix.dst, sweeps)
    return Layout(column, rank, **place(column, rank, wrap=wrap, row=row), crossings=crossings, crossings_before=before)
