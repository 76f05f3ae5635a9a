"""The overview: one node per layer or group of generations, one edge per connected pair of groups.

For networks too big to draw neuron by neuron. Each node is a layer (a
layered network) or a generation, and when there are more than
``max_groups`` of them consecutive thin generations are grouped, each group
holding about as many neurons as the others (a wide generation stays on its
own). A node's label gives its neurons by kind and function, and the edges
inside it; an edge gives the number of weights from one group to the other,
their mean ``|w|`` and, with gradients, their mean ``|∂L/∂w|`` (labelled
``|w|`` and ``|∂L/∂w|``, the caption says they are means). Groups run
left to right; an edge between neighbours is a straight arrow, one that
skips groups an arc (above the row for an even span, below for an odd one,
higher the longer), so skip connections show as such. Bias neurons are
folded by default: each group's label gives the mean ``|b|`` of the bias
weights into it. Everything is counted with numpy over the edge arrays.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .equations import NetworkReads, check_pass
from .full import KIND_COLORS
from .layout import column_numbers
from .picture import Picture, to_digraph
from .scene import Edge, Node, Scene, straight, text_width
from .views import Style, size_text

if TYPE_CHECKING:
    from ..results import Gradients, Trace

__all__ = ["Groups", "group_columns", "overview", "overview_scene"]

FONT = 10.0
LINE = FONT * 1.2
ARC_STEP = 3.2 * LINE  # points an arc rises per group it skips (labels of 3 lines stay apart)
GAP = 40.0  # points between two boxes, besides the label of the edge between them
CAPTION = 28.0


def group_columns(column: np.ndarray, max_groups: int) -> np.ndarray:
    """Each column's group: the columns themselves if at most ``max_groups``, else runs of consecutive ones.

    With ``G = max_groups``, column ``c`` joins group
    ``⌊G · (neurons before c + half of c's) / (all neurons)⌋`` (then the
    groups are numbered 0, 1, … in order): every group holds about ``1/G``
    of the neurons, consecutive thin columns are merged, and a column holding
    ``2/G`` of the neurons or more stays alone.

    Examples
    --------
    >>> group_columns(np.array([0, 1, 1, 2, 3, 3, 3, 3]), 2).tolist()  # columns 0 to 2 together, then 3
    [0, 0, 0, 1]
    """
    n_columns = int(column.max(initial=-1)) + 1
    if n_columns <= max_groups:
        return np.arange(n_columns)
    counts = np.bincount(column[column >= 0], minlength=n_columns)
    middle = 2 * np.cumsum(counts) - counts  # twice (neurons before + half of the column's)
    raw = middle * max_groups // max(2 * int(counts.sum()), 1)
    return np.unique(raw, return_inverse=True)[1]


@dataclass(frozen=True)
class Groups:
    """The overview's counts, group by group and pair by pair (plain numpy arrays).

    Attributes
    ----------
    first, last : ndarray
        Each group's first and last column (layer or generation, from 0).
    neurons : ndarray, shape (groups, 4)
        Neurons of each kind (input, bias, hidden, output) per group.
    functions : list of Counter
        Per group, the neurons by function name.
    pairs : ndarray, shape (pairs, 2)
        The connected pairs ``(from group, to group)``, from < to.
    count, mean_w, mean_grad : ndarray
        Per pair: the number of edges, mean ``|w|``, mean ``|∂L/∂w|`` (NaN without gradients).
    inside, inside_w : ndarray
        Per group: edges between its own neurons, their mean ``|w|``.
    bias, bias_w : ndarray
        Per group: folded bias weights into it, their mean ``|b|``.
    """

    first: np.ndarray
    last: np.ndarray
    neurons: np.ndarray
    functions: list[Counter]
    pairs: np.ndarray
    count: np.ndarray
    mean_w: np.ndarray
    mean_grad: np.ndarray
    inside: np.ndarray
    inside_w: np.ndarray
    bias: np.ndarray
    bias_w: np.ndarray

    @classmethod
    def of(cls, net: NetworkReads, grads: Gradients | None, fold: bool, max_groups: int) -> Groups:
        ix = net.indexed()
        column = column_numbers(net, fold)
        column_group = group_columns(column, max_groups)
        n_groups = int(column_group.max(initial=-1)) + 1
        group = np.where(column >= 0, column_group[np.maximum(column, 0)], -1)
        kind_code = np.array([("input", "bias", "hidden", "output").index(k or "hidden") for k in ix.kinds], np.int64)
        shown = group >= 0
        neurons = np.bincount(group[shown] * 4 + kind_code[shown], minlength=4 * n_groups).reshape(n_groups, 4)
        names = np.array([a.name if a is not None else "" for a in ix.activations], dtype=object)
        functions: list[Counter] = [Counter() for _ in range(n_groups)]
        for g, name, n in zip(*_pair_counts(group[shown], names[shown]), strict=True):
            if name:
                functions[g][name] = n
        first = np.full(n_groups, np.iinfo(np.int64).max)
        last = np.zeros(n_groups, dtype=np.int64)
        np.minimum.at(first, column_group, np.arange(column_group.size))
        np.maximum.at(last, column_group, np.arange(column_group.size))
        w = np.abs(np.asarray(net.weights, dtype=float))
        grad = None if grads is None else np.abs(np.asarray(grads.weights.flat, dtype=float))
        gs, gd = group[ix.src], group[ix.dst]
        between = (gs >= 0) & (gs < gd)
        key = gs[between] * n_groups + gd[between]
        keys, where, per_pair = np.unique(key, return_inverse=True, return_counts=True)
        mean_w = np.bincount(where, weights=w[between], minlength=keys.size) / np.maximum(per_pair, 1)
        mean_grad = np.full(keys.size, np.nan)
        if grad is not None:
            mean_grad = np.bincount(where, weights=grad[between], minlength=keys.size) / np.maximum(per_pair, 1)
        inner = (gs >= 0) & (gs == gd)
        inside = np.bincount(gd[inner], minlength=n_groups)
        inside_w = np.bincount(gd[inner], weights=w[inner], minlength=n_groups) / np.maximum(inside, 1)
        biased = (gs < 0) & (gd >= 0)
        bias = np.bincount(gd[biased], minlength=n_groups)
        bias_w = np.bincount(gd[biased], weights=w[biased], minlength=n_groups) / np.maximum(bias, 1)
        pairs = np.stack([keys // max(n_groups, 1), keys % max(n_groups, 1)], axis=1)
        return cls(first, last, neurons, functions, pairs, per_pair, mean_w, mean_grad, inside, inside_w, bias, bias_w)


def _pair_counts(group: np.ndarray, names: np.ndarray) -> tuple[list[int], list[str], list[int]]:
    """``(group, name, count)`` for every function name in every group."""
    labels, code = np.unique(names.astype(str), return_inverse=True)
    keys, counts = np.unique(group * len(labels) + code, return_counts=True)
    return (keys // len(labels)).tolist(), labels[keys % len(labels)].tolist(), counts.tolist()


def _group_label(groups: Groups, g: int, unit: str, style: Style) -> tuple[str, ...]:
    first, last = int(groups.first[g]) + 1, int(groups.last[g]) + 1
    title = f"{unit} {first}" if first == last else f"{unit}s {first}–{last}"
    inputs, biases, hidden, outputs = (int(v) for v in groups.neurons[g])
    total = inputs + biases + hidden + outputs
    lines = [title, f"{total:,d} neuron{'s' * (total != 1)}"]
    kinds = [f"{n:,d} {kind}{'s' * (n != 1)}" for n, kind in ((inputs, "input"), (outputs, "output")) if n]
    kinds += [f"{biases:,d} bias"] if biases else []
    if kinds:
        lines.append(" · ".join(kinds))
    functions = [f"{count:,d} {name}" for name, count in groups.functions[g].most_common(2)]
    if functions:
        lines.append(", ".join(functions) + (", …" if len(groups.functions[g]) > 2 else ""))
    if groups.inside[g]:
        lines.append(f"{int(groups.inside[g]):,d} edges inside, |w| {style.number(groups.inside_w[g])}")
    if groups.bias[g]:
        lines.append(f"{int(groups.bias[g]):,d} biases, |b| {style.number(groups.bias_w[g])}")
    return tuple(lines)


def _edge_label(groups: Groups, p: int, style: Style) -> tuple[str, ...]:
    count = int(groups.count[p])
    lines = [f"{count:,d} edge{'s' * (count != 1)}", f"|w| {style.number(groups.mean_w[p])}"]
    if not np.isnan(groups.mean_grad[p]):
        lines.append(f"|∂L/∂w| {style.number(groups.mean_grad[p])}")
    return tuple(lines)


def _attachments(pairs: np.ndarray, span: np.ndarray, x: np.ndarray, widths: np.ndarray) -> dict[int, tuple]:
    """Where each arc leaves its first box and enters its last: spread along the box's side, nested.

    On each side of a box, arcs coming from the left take its left part
    (the longest outermost) and arcs going to the right its right part (the
    longest outermost), so arcs that share a box do not cross there.
    """
    ends: dict[tuple[int, int], list[tuple[float, int, str]]] = {}
    for p in np.flatnonzero(span > 1).tolist():
        a, b, side = int(pairs[p, 0]), int(pairs[p, 1]), int(span[p] % 2)
        ends.setdefault((a, side), []).append((float(span[p]), int(p), "out"))
        ends.setdefault((b, side), []).append((-float(span[p]), int(p), "in"))
    where: dict[tuple[int, str], float] = {}
    for (g, _), arcs in ends.items():
        arcs.sort(key=lambda arc: (arc[2] == "out", arc[0]))  # incoming (longest first), then outgoing
        low, high = x[g] - widths[g] / 2 + 8, x[g] + widths[g] / 2 - 8
        for k, (_, arc, end) in enumerate(arcs):
            where[arc, end] = low + (high - low) * (k + 0.5) / len(arcs)
    return {p: (where[p, "out"], where[p, "in"]) for p in np.flatnonzero(span > 1).tolist()}


def _fill(groups: Groups, g: int) -> tuple[str, str]:
    inputs, _, hidden, outputs = groups.neurons[g]
    kind = "input" if inputs >= max(hidden, outputs) else "output" if outputs > hidden else "hidden"
    return KIND_COLORS[kind]


def overview_scene(
    net: NetworkReads,
    trace: Trace | None = None,
    grads: Gradients | None = None,
    style: Style | None = None,
    title: str | None = None,
) -> tuple[Scene, Groups]:
    """The overview as a :class:`~.scene.Scene` and the :class:`Groups` it counts.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> scene, groups = overview_scene(ag.layered([784, 16, 10], seed=0))
    >>> [node.label[0] for node in scene.nodes[:3]], groups.count.tolist()
    (['layer 1', 'layer 2', 'layer 3'], [12544, 160])
    >>> scene.edges[0].label
    ('12,544 edges', '|w| 0.0179')
    """
    style = style or Style()
    check_pass(net, trace, grads)
    groups = Groups.of(net, grads, style.folds("overview"), style.max_groups)
    unit = "layer" if net.is_layered() else "generation"
    n_groups = groups.first.size
    labels = [_group_label(groups, g, unit, style) for g in range(n_groups)]
    widths = np.array([max(text_width(line, FONT) for line in lines) + 16 for lines in labels])
    total = groups.neurons.sum(axis=1)
    heights = np.maximum([len(lines) * LINE + 10 for lines in labels], 24 + 90 * np.sqrt(total / max(total.max(), 1)))
    edge_labels = [_edge_label(groups, p, style) for p in range(groups.count.size)]
    span = groups.pairs[:, 1] - groups.pairs[:, 0] if groups.count.size else np.zeros(0, np.int64)
    room = np.zeros(max(n_groups - 1, 0))  # the gap after each box: wide enough for the label of its straight edge
    for p in np.flatnonzero(span == 1).tolist():
        room[groups.pairs[p, 0]] = max(text_width(line, FONT) for line in edge_labels[p])
    left = np.concatenate(([0.0], np.cumsum(widths[:-1] + room + GAP))) + 16
    x = left + widths / 2
    rise_above = float(span[span % 2 == 0].max(initial=0)) * ARC_STEP
    rise_below = float(span[(span % 2 == 1) & (span > 1)].max(initial=0)) * ARC_STEP
    middle = CAPTION + rise_above * 0.75 + 3 * LINE + float(heights.max(initial=0)) / 2 + 8
    width = float(left[-1] + widths[-1]) + 16 if n_groups else 100.0
    height = middle + float(heights.max(initial=0)) / 2 + rise_below * 0.75 + 3 * LINE + 16
    nodes = []
    for g in range(n_groups):
        fill, border = _fill(groups, g)
        data = {"group": g, "first": int(groups.first[g]), "last": int(groups.last[g]),
                "neurons": dict(zip(("input", "bias", "hidden", "output"), groups.neurons[g].tolist(), strict=True)),
                "functions": dict(groups.functions[g])}  # fmt: skip
        nodes.append(Node(f"g{g}", float(x[g]), middle, float(widths[g]), float(heights[g]), "box", fill, border,
                          labels[g], "\n".join(labels[g]) if style.tooltips else "", FONT, data))  # fmt: skip
    attach = _attachments(groups.pairs, span, x, widths)
    edges = []
    for p in range(int(groups.count.size)):
        a, b = (int(v) for v in groups.pairs[p])
        s = int(span[p])
        label_height = len(edge_labels[p]) * LINE
        if s == 1:
            start, end = (x[a] + widths[a] / 2, middle), (x[b] - widths[b] / 2, middle)
            points = straight(start, end)
            label_at = ((start[0] + end[0]) / 2, middle - label_height / 2 - 4)
        else:
            side = -1.0 if s % 2 == 0 else 1.0  # above the row for an even span, below for an odd one
            ya, yb = middle + side * heights[a] / 2, middle + side * heights[b] / 2
            rise = side * s * ARC_STEP
            xa, xb = attach[p]
            points = ((xa, ya), (xa, ya + rise), (xb, yb + rise), (xb, yb))
            apex = (ya + yb) / 2 + 0.75 * rise
            label_at = ((xa + xb) / 2, apex + side * (label_height / 2 + 3))
        width_p = round(0.8 + 0.9 * np.log10(max(int(groups.count[p]), 1)), 2)
        data = {"from": a, "to": b, "edges": int(groups.count[p]), "mean_abs_w": float(groups.mean_w[p])}
        if grads is not None:
            data["mean_abs_gradient"] = float(groups.mean_grad[p])
        edges.append(Edge(f"g{a}", f"g{b}", tuple((float(u), float(v)) for u, v in points), "#5a5a5a", width_p,
                          True, edge_labels[p], (float(label_at[0]), float(label_at[1])),
                          "\n".join(edge_labels[p]) if style.tooltips else "", FONT, data))  # fmt: skip
    kind = "layers" if unit == "layer" else "groups of generations" if n_groups < groups.last[-1] + 1 else "generations"
    means = "mean |w|" + (", mean |∂L/∂w|" if grads is not None else "")
    caption = title or (f"overview: {size_text(net.n_neurons, net.n_weights)} in {n_groups} {kind}; "
                        f"on each node and edge: counts, {means}")  # fmt: skip
    width = max(width, text_width(caption, 11.0) + 24)
    nodes.append(Node("caption", width / 2, CAPTION / 2, width, CAPTION - 4, "plaintext", label=(caption,),
                      font_size=11.0, data={"caption": caption}))  # fmt: skip
    return Scene("overview", width, height, nodes, edges, (caption,)), groups


def overview(
    net: NetworkReads,
    trace: Trace | None = None,
    grads: Gradients | None = None,
    style: Style | None = None,
    title: str | None = None,
) -> Picture:
    """The overview as a :class:`~.picture.Picture` (a ``graphviz.Digraph``; ``.scene`` has the data).

    Examples
    --------
    >>> import networkx as nx
    >>> import autograd_graph as ag
    >>> g = overview(ag.Network.from_networkx(nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C")])))
    >>> [(e.tail, e.head, e.label[0]) for e in g.scene.edges]  # A → C skips generation 2: an arc
    [('g0', 'g1', '1 edge'), ('g0', 'g2', '1 edge'), ('g1', 'g2', '1 edge')]
    """
    scene, _ = overview_scene(net, trace, grads, style, title)
    return to_digraph(scene, size=(net.n_neurons, net.n_weights))
