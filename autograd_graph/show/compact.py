"""The compact view: every neuron a dot at the library's position, edges colored by weight or gradient.

Positions come from :mod:`.layout` (a column per layer or generation,
barycentre crossing reduction, tall columns split, deep networks wrapped),
so Graphviz only draws them (``layout=nop2``); without Graphviz the same
scene is written as SVG directly. Edges carry no labels: their color gives
the sign of the weight (or of its gradient, ``color_by="gradient"``, the
default when gradients are given) on the diverging palette of the full view,
their width and opacity its size. Above ``max_edges`` edges only each
neuron's strongest inputs are drawn (as many per neuron as fit), and the
caption says how many. Bias neurons are folded by default: their weights
appear in the tooltip of the neuron they feed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .changes import CHANGE_COLORS
from .equations import NetworkReads, check_pass, select_example
from .full import KIND_COLORS, sign_color
from .layout import ROW, Layout, layout
from .picture import Picture, to_digraph
from .scene import Edge, Node, Scene, neuron_names, straight, text_width
from .views import Style, size_text

if TYPE_CHECKING:
    from ..results import Gradients, Trace

__all__ = ["compact", "compact_scene", "strongest_inputs", "column_scale", "LABELS_UP_TO"]

LABELS_UP_TO = 150  # neurons: up to this many, each dot is big enough to show its id
DOT = (8.0, 18.0)  # diameter of a neuron's dot in points: without and with its id
EDGE_WIDTH = (0.35, 2.2)  # thinnest and thickest edge
TOOLTIPS_UP_TO = 1_500  # edges: above this many drawn, edges have no tooltip (the SVG stays small)
CAPTION = 26.0  # points above the picture for its caption
LONG_EDGE = 3.0  # column gaps: longer edges are drawn fainter, the longer the fainter
DENSE = 120  # edges into one column: beyond this many, edges are drawn more translucent, as 1/√count


def strongest_inputs(dst: np.ndarray, strength: np.ndarray, cap: int | None) -> np.ndarray:
    """Which edges to draw: all when they fit in ``cap``, else the ``k`` strongest into every neuron.

    ``k`` is the largest number with at most ``cap`` edges kept in all
    (a neuron with fewer inputs keeps them all); ties go to the earlier edge.

    Examples
    --------
    >>> dst = np.array([5, 5, 5, 6, 6])
    >>> strongest_inputs(dst, np.array([0.1, 0.9, 0.5, 0.3, 0.2]), 4).tolist()
    [False, True, True, True, True]
    """
    if cap is None or dst.size <= cap:
        return np.ones(dst.size, dtype=bool)
    order = np.lexsort((np.arange(dst.size), -strength, dst))  # by target, strongest first
    sorted_dst = dst[order]
    first = np.searchsorted(sorted_dst, sorted_dst, side="left")
    place = np.empty(dst.size, dtype=np.int64)
    place[order] = np.arange(dst.size) - first  # 0 for a neuron's strongest input
    indegree = np.bincount(dst)
    indegree = indegree[indegree > 0]
    low, high = 1, int(indegree.max())
    while low < high:  # the largest k with Σ min(indegree, k) ≤ cap
        k = (low + high + 1) // 2
        low, high = (k, high) if np.minimum(indegree, k).sum() <= cap else (low, k - 1)
    return place < low


def column_scale(column: np.ndarray, magnitude: np.ndarray, quantile: float = 0.99) -> np.ndarray:
    """Each edge's scale: the ``quantile`` of the magnitudes of the edges into the same column.

    Weights into a layer of 784 inputs are much smaller than weights into
    one of 16 (``±1/√fan_in``); scaling per column of the target shows the
    strong and weak edges of each layer, and one outlier does not wash out
    the rest.

    Examples
    --------
    >>> column_scale(np.array([1, 1, 2]), np.array([0.5, 1.0, 4.0]), quantile=1.0).tolist()
    [1.0, 1.0, 4.0]
    """
    if column.size == 0:
        return np.ones(0)
    order = np.lexsort((magnitude, column))
    groups, first, count = np.unique(column[order], return_index=True, return_counts=True)
    at = first + np.floor(quantile * (count - 1)).astype(np.int64)
    per_group = magnitude[order][at]
    per_group = np.where(per_group > 0, per_group, 1.0)
    return per_group[np.searchsorted(groups, column)]


def _values(net: NetworkReads, grads: Gradients | None, color_by: str) -> np.ndarray:
    if color_by == "gradient" and grads is not None:
        return np.asarray(grads.weights.flat, dtype=float)
    return np.asarray(net.weights, dtype=float)


def _tooltips(net: NetworkReads, lay: Layout, trace: Trace | None, grads: Gradients | None, style: Style) -> list[str]:
    """Each drawn neuron's tooltip: id, kind, function, column, and the values of the example shown."""
    ix, fmt = net.indexed(), style.number
    unit = "layer" if net.is_layered() else "column"
    example = 0 if trace is None else select_example(style.example, trace.batch_size) or 0
    folded: dict[int, list[str]] = {}
    if style.folds("compact"):
        w = net.weights
        for e in np.flatnonzero(lay.column[ix.src] < 0):
            folded.setdefault(int(ix.dst[e]), []).append(f"b_{ix.nodes[ix.src[e]]} = {fmt(float(w[e]))}")
    texts = []
    for i, neuron in enumerate(ix.nodes):
        if lay.column[i] < 0:
            texts.append("")
            continue
        activation = ix.activations[i]
        kind = ix.kinds[i]
        lines = [f"{neuron} ({kind}{'' if activation is None else ', ' + activation.name}), {unit} {lay.column[i] + 1}"]
        if trace is not None and kind != "bias":
            z = fmt(float(trace.z[neuron][example]))
            lines.append(f"x = {z}" if kind == "input" else f"a = {fmt(float(trace.a[neuron][example]))}, z = {z}")
        if grads is not None and kind not in ("input", "bias"):
            lines.append(f"∂L/∂a = {fmt(float(grads.a[neuron][example]))}")
        lines += folded.get(i, [])
        texts.append("\n".join(lines))
    return texts


def _removed_edges(ix, lay: Layout, changes, names: dict, radius: float, tooltips: bool) -> list[Edge]:
    """The edges removed since (no longer in the network) between neurons drawn: dashed red lines."""
    index = {n: i for i, n in enumerate(ix.nodes)}
    out = []
    for source, target in sorted(changes.removed, key=repr):
        s, d = index.get(source), index.get(target)
        if s is None or d is None or lay.column[s] < 0 or lay.column[d] < 0:
            continue
        x0, y0, x1, y1 = lay.x[s], lay.y[s] + CAPTION, lay.x[d], lay.y[d] + CAPTION
        length = max(float(np.hypot(x1 - x0, y1 - y0)), 1e-9)
        ux, uy = (x1 - x0) / length * radius, (y1 - y0) / length * radius
        points = straight((float(x0 + ux), float(y0 + uy)), (float(x1 - ux), float(y1 - uy)))
        tip = f"w_{source},{target}: removed {changes.label}".strip() if tooltips else ""
        out.append(Edge(names[source], names[target], points, CHANGE_COLORS["removed"] + "cc", 0.8, tooltip=tip,
                        dashed=True, data={"source": source, "target": target, "change": "removed"}))  # fmt: skip
    return out


def compact_scene(
    net: NetworkReads,
    trace: Trace | None = None,
    grads: Gradients | None = None,
    style: Style | None = None,
    title: str | None = None,
) -> tuple[Scene, Layout]:
    """The compact view as a :class:`~.scene.Scene` (positions and data of every dot and edge) and its layout.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> scene, lay = compact_scene(ag.layered([3, 4, 2], seed=0))
    >>> len(scene.nodes) - 1, len(scene.edges), lay.lines  # the neurons (biases folded) and a caption
    (9, 20, 1)
    >>> scene.nodes[1].data["neuron"], scene.nodes[1].data["column"]
    (2, 0)
    """
    style = style or Style()
    check_pass(net, trace, grads)
    ix = net.indexed()
    fold = style.folds("compact")
    n_shown = int(sum(1 for k in ix.kinds if not (fold and k == "bias")))
    labelled = n_shown <= LABELS_UP_TO
    lay = layout(net, fold_biases=fold, wrap=style.wrap, row=ROW * 1.6 if labelled else ROW)
    color_by = style.color_by or ("gradient" if grads is not None else "weight")
    values = _values(net, grads, color_by)
    shown = (lay.column[ix.src] >= 0) & (lay.column[ix.dst] >= 0)
    candidates = np.flatnonzero(shown)
    changes = style.changes
    strength = np.abs(values[candidates])
    if changes is not None:  # the added edges are drawn first
        added = np.fromiter((ix.edges[e] in changes.added for e in candidates.tolist()), bool, candidates.size)
        strength = np.where(added, np.inf, strength)
    drawn = candidates[strongest_inputs(ix.dst[candidates], strength, style.max_edges)]
    scale = column_scale(lay.column[ix.dst[candidates]], np.abs(values[candidates]))[np.isin(candidates, drawn)]
    into = lay.column[ix.dst[drawn]]
    density = np.clip(np.sqrt(DENSE / np.bincount(into)[into]), 0.15, 1.0)  # bundles of many edges: translucent
    names = neuron_names(ix.nodes)
    diameter = max(3.0, (DOT[1] if labelled else DOT[0]) * lay.scale)
    tooltips = _tooltips(net, lay, trace, grads, style) if style.tooltips else [""] * len(ix.nodes)
    nodes = []
    caption = title or f"compact view: {size_text(net.n_neurons, net.n_weights)}"
    notes = [caption]
    for i in np.flatnonzero(lay.column >= 0):
        kind, neuron = ix.kinds[i], ix.nodes[i]
        fill, border = KIND_COLORS[kind or "hidden"]
        label = (str(neuron)[:5],) if labelled else ()
        data = {"neuron": neuron, "kind": kind, "column": int(lay.column[i]), "rank": int(lay.rank[i])}
        nodes.append(Node(names[neuron], float(lay.x[i]), float(lay.y[i]) + CAPTION, diameter, diameter,
                          "circle", fill, border, label, tooltips[i], 7.0, data))  # fmt: skip
    fraction = np.clip(values[drawn] / scale, -1.0, 1.0)
    low, high = EDGE_WIDTH
    radius = diameter / 2
    edges = []
    with_tooltips = style.tooltips and drawn.size <= TOOLTIPS_UP_TO
    for e, f, opacity in zip(drawn.tolist(), fraction.tolist(), density.tolist(), strict=True):
        s, d = int(ix.src[e]), int(ix.dst[e])
        x0, y0, x1, y1 = lay.x[s], lay.y[s] + CAPTION, lay.x[d], lay.y[d] + CAPTION
        length = max(float(np.hypot(x1 - x0, y1 - y0)), 1e-9)
        ux, uy = (x1 - x0) / length * radius, (y1 - y0) / length * radius
        fade = min(1.0, (LONG_EDGE * lay.gap / length) ** 0.5)  # long lines cross much: dimmer
        alpha = round(255 * (0.3 + 0.7 * abs(f)) * max(fade, 0.35) * opacity)
        source, target = ix.nodes[s], ix.nodes[d]
        tooltip = f"w_{source},{target} = {style.number(float(net.weights[e]))}" if with_tooltips else ""
        if with_tooltips and grads is not None:
            tooltip += f"\n∂L/∂w_{source},{target} = {style.number(float(grads.weights.flat[e]))}"
        data = {"source": source, "target": target, "weight": float(net.weights[e])}
        if grads is not None:
            data["gradient"] = float(grads.weights.flat[e])
        points = straight((float(x0 + ux), float(y0 + uy)), (float(x1 - ux), float(y1 - uy)))
        color, pen = f"{sign_color(f)}{alpha:02x}", round(low + (high - low) * abs(f), 2)
        if changes is not None:
            status = data["change"] = changes.status((source, target))
            added = status == "added"
            color = CHANGE_COLORS[status] + ("ff" if added else f"{alpha // 2:02x}")
            pen = max(pen, 1.2) if added else pen
        edges.append(Edge(names[source], names[target], points, color, pen, tooltip=tooltip, data=data))
    if changes is not None:
        edges += _removed_edges(ix, lay, changes, names, radius, style.tooltips)
        notes.append(changes.caption())
    unit = "layers" if net.is_layered() else "generations"
    notes.append(f"columns: {unit}, left to right" + (f", wrapped into {lay.lines} lines" if lay.lines > 1 else ""))
    if fold and net.biases:
        notes.append("bias neurons folded into the neurons they feed (their weights in the tooltips)")
    if drawn.size < candidates.size:
        notes.append(f"{drawn.size:,d} of {candidates.size:,d} edges drawn: the strongest inputs of every neuron")
    if changes is None:
        notes.append(f"edges: {color_by}, orange < 0 < purple; width by size within each column")
    if trace is not None and trace.batch_size > 1:
        notes.append(f"values of example {select_example(style.example, trace.batch_size)} of {trace.batch_size}")
    line = " · ".join(notes[:2])
    width = max(lay.width, text_width(line, 10.0) + 24)
    nodes.append(Node("caption", width / 2, CAPTION / 2, width, CAPTION - 4, "plaintext", label=(line,),
                      font_size=10.0, data={"notes": notes}))  # fmt: skip
    return Scene("compact", width, lay.height + CAPTION, nodes, edges, tuple(notes)), lay


def compact(
    net: NetworkReads,
    trace: Trace | None = None,
    grads: Gradients | None = None,
    style: Style | None = None,
    title: str | None = None,
) -> Picture:
    """The compact view as a :class:`~.picture.Picture` (a ``graphviz.Digraph``; ``.scene`` has the data).

    Examples
    --------
    >>> import autograd_graph as ag
    >>> g = compact(ag.layered([3, 4, 2], seed=0))
    >>> g.view, g.graph_attr["layout"], len(g.scene.edges)
    ('compact', 'nop2', 20)
    """
    scene, _ = compact_scene(net, trace, grads, style, title)
    return to_digraph(scene, size=(net.n_neurons, net.n_weights))
