"""Where the explorer page draws each neuron and edge: the full view's positions, or the compact view's.

The full view (small networks: :data:`~autograd_graph.show.views.FULL_UP_TO`)
is laid out by Graphviz's ``dot`` as ``to_graphviz`` draws it (boxes sized for
the labels ``a``, ``z``, ``∂ℓ/∂a``; edge labels where ``dot`` puts them,
:func:`~autograd_graph.show.writing.laid_out`); without Graphviz, the
library's own column layout (:mod:`~autograd_graph.show.layout`) with
straight edges. The compact view takes the positions of its scene
(:func:`~autograd_graph.show.compact.compact_scene`): dots, at most
``max_edges`` edges (each neuron's strongest inputs), biases folded.

Everything is in points with ``y`` down, as SVG draws it; one entry per
neuron (``net.neurons`` order) and per edge (``net.edges`` order), ``None``
for what the view leaves out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ...exceptions import GraphvizNotFoundError, RenderError
from ..compact import compact_scene
from ..layout import layout
from ..scene import text_width
from ..views import Style, choose_view
from ..writing import laid_out

if TYPE_CHECKING:
    from ...network import Network

__all__ = ["picture_positions", "full_positions", "library_positions", "compact_positions", "SIZING_NUMBER"]

SIZING_NUMBER = "-0.1234"  # the boxes are sized for numbers this wide (".4g" of most values)
FONT = 11.0  # points: the neurons' labels
LINE = 13.0  # points between two lines of a label


def _round(value: float) -> float:
    return round(float(value), 1)


def _sized_pass(net: Network) -> tuple[Any, Any]:
    """A pass of one example of zeros, only for the picture's label sizes."""
    trace = net.forward(np.zeros((1, len(net.inputs))))
    return trace, net.backward(trace, np.zeros((1, len(net.outputs))))


def _points(text: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in (pair.split(",")[:2] for pair in text.split())]


def full_positions(net: Network, timeout: float = 30.0) -> dict[str, Any]:
    """The full view as ``dot`` lays it out (raises :class:`GraphvizNotFoundError` without Graphviz)."""
    trace, grads = _sized_pass(net)
    picture = net.to_graphviz(trace, grads, view="full", tooltips=False, edge_labels=True,
                              number_format=lambda value: SIZING_NUMBER)  # fmt: skip
    doc = laid_out(picture, timeout=timeout)
    height = float(doc["bb"].split(",")[3])
    index = {f"n{p}": p for p in range(net.n_neurons)}
    nodes: list[dict | None] = [None] * net.n_neurons
    names = {}
    for obj in doc.get("objects", []):
        names[obj.get("_gvid")] = obj.get("name")
        if obj.get("name") in index and "pos" in obj:
            x, y = _points(obj["pos"])[0]
            w, h = float(obj["width"]) * 72, float(obj["height"]) * 72  # inches → points
            nodes[index[obj["name"]]] = {"x": _round(x), "y": _round(height - y), "w": _round(w), "h": _round(h)}
    position = {edge: p for p, edge in enumerate(net.edges)}
    neurons = net.neurons
    edges: list[dict | None] = [None] * net.n_weights
    for edge in doc.get("edges", []):
        tail, head = names.get(edge["tail"]), names.get(edge["head"])
        if edge.get("style") == "invis" or tail not in index or head not in index or "pos" not in edge:
            continue
        p = position.get((neurons[index[tail]], neurons[index[head]]))
        if p is None:
            continue
        tokens = edge["pos"].split()
        end = [t for t in tokens if t.startswith("e,")]
        curve = _points(" ".join(t for t in tokens if not t.startswith(("e,", "s,"))))
        path = f"M{curve[0][0]:.1f} {height - curve[0][1]:.1f} C" + " ".join(
            f"{x:.1f} {height - y:.1f}" for x, y in curve[1:]
        )
        if end:
            x, y = _points(end[0][2:])[0]
            path += f" L{x:.1f} {height - y:.1f}"
        label = _points(edge["lp"])[0] if "lp" in edge else curve[len(curve) // 2]
        edges[p] = {"d": path, "lx": _round(label[0]), "ly": _round(height - label[1])}
    width = float(doc["bb"].split(",")[2])
    return {"view": "full", "layout": "dot", "width": _round(width), "height": _round(height),
            "nodes": nodes, "edges": edges}  # fmt: skip


def library_positions(net: Network) -> dict[str, Any]:
    """The full view without Graphviz: the library's columns, boxes sized for their labels, straight edges."""
    lay = layout(net, row=5.2 * LINE + 16)
    nodes: list[dict] = []
    for neuron in net.neurons:
        act = net.activation(neuron)
        lines = [str(neuron), "" if act is None else act.name, f"∂ℓ/∂a = {SIZING_NUMBER}"]
        rows = {"input": 3, "bias": 2}.get(net.kind(neuron), 5)
        nodes.append({"w": _round(max(text_width(line, FONT) for line in lines) + 14), "h": _round(rows * LINE + 10)})
    widest = max((node["w"] for node in nodes), default=40.0)
    gap = widest + 150.0
    x = (lay.x - np.nanmin(lay.x)) / max(lay.gap, 1e-9) * gap + widest / 2 + 12
    y = lay.y - np.nanmin(lay.y) + 5.2 * LINE / 2 + 12
    for node, u, v in zip(nodes, x.tolist(), y.tolist(), strict=True):
        node["x"], node["y"] = _round(u), _round(v)
    edges = []
    for i, j in net.edges:
        a, b = nodes[net.neurons.index(i)], nodes[net.neurons.index(j)]
        x0, y0, x1, y1 = a["x"] + a["w"] / 2, a["y"], b["x"] - b["w"] / 2, b["y"]
        path = f"M{x0:.1f} {y0:.1f} L{x1:.1f} {y1:.1f}"
        edges.append({"d": path, "lx": _round(x0 + 0.3 * (x1 - x0)), "ly": _round(y0 + 0.3 * (y1 - y0) - 6)})
    width = max(n["x"] + n["w"] / 2 for n in nodes) + 12
    height = max(n["y"] + n["h"] / 2 for n in nodes) + 12
    return {"view": "full", "layout": "library", "width": _round(width), "height": _round(height),
            "nodes": nodes, "edges": edges}  # fmt: skip


def compact_positions(net: Network, max_edges: int | None = None) -> dict[str, Any]:
    """The compact view's dots and (at most ``max_edges``) straight edges, each with its target's column."""
    style = Style(tooltips=False) if max_edges is None else Style(tooltips=False, max_edges=max_edges)
    scene, lay = compact_scene(net, style=style)
    index = {f"n{p}": p for p in range(net.n_neurons)}
    nodes: list[dict | None] = [None] * net.n_neurons
    for node in scene.nodes:
        if node.name in index:
            nodes[index[node.name]] = {"x": _round(node.x), "y": _round(node.y), "w": _round(node.width),
                                       "h": _round(node.height)}  # fmt: skip
    position = {edge: p for p, edge in enumerate(net.edges)}
    columns = lay.column
    where = {neuron: p for p, neuron in enumerate(net.neurons)}
    edges: list[dict | None] = [None] * net.n_weights
    for edge in scene.edges:
        source, target = edge.data["source"], edge.data["target"]
        (x0, y0), (x1, y1) = edge.points[0], edge.points[-1]
        edges[position[source, target]] = {"d": f"M{x0:.1f} {y0:.1f} L{x1:.1f} {y1:.1f}",
                                           "c": int(columns[where[target]])}  # fmt: skip
    return {"view": "compact", "layout": "library", "width": _round(scene.width), "height": _round(scene.height),
            "nodes": nodes, "edges": edges, "notes": list(scene.notes)}  # fmt: skip


def picture_positions(net: Network, view: str = "auto") -> dict[str, Any]:
    """The page's picture: the full view up to 50 neurons and 200 edges (``view="auto"``), else the compact one."""
    chosen = choose_view(view, net.n_neurons, net.n_weights)
    if chosen == "full":
        try:
            return full_positions(net)
        except (GraphvizNotFoundError, RenderError):
            return library_positions(net)
    return compact_positions(net)
