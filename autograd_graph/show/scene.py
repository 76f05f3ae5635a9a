"""What a view draws, with the library's positions: nodes and edges in points, as plain data.

A :class:`Scene` is the whole picture of the compact or the overview view:
every node (position, size, colors, label, tooltip, and the data it stands
for) and every edge (its path as a cubic Bézier, color, width, label and
its position, data), in points with ``y`` growing downwards, as in SVG and
the browser. :meth:`Scene.to_dict` gives JSON-ready dicts (for an explorer
page); :mod:`.picture` turns a scene into DOT that Graphviz draws without a
layout search, :mod:`.svg` into SVG without Graphviz.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

__all__ = ["Node", "Edge", "Scene", "beside", "straight", "arrow_base", "text_width", "neuron_names", "ARROW"]

Point = tuple[float, float]
ARROW = 5.0  # points: the length of an arrowhead


@dataclass
class Node:
    """One node of a scene: a neuron (compact view), a group of them (overview), or a caption.

    ``x``, ``y`` is the centre and ``width``, ``height`` the size, in points
    (y down); ``shape`` is ``"circle"``, ``"box"`` or ``"plaintext"``;
    ``data`` holds what the node stands for (``neuron``, ``kind``, counts …).
    """

    name: str
    x: float
    y: float
    width: float
    height: float
    shape: str = "circle"
    fill: str = "#eeeeee"
    border: str = "#636363"
    label: tuple[str, ...] = ()
    tooltip: str = ""
    font_size: float = 9.0
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Edge:
    """One edge of a scene: its path ``points`` (a cubic Bézier: 4, 7, 10 … points, y down) and its style.

    ``arrow`` puts an arrowhead at the last point; ``label_at`` is the
    centre of the label; ``data`` holds what the edge stands for (``weight``,
    ``gradient``, counts …).
    """

    tail: str
    head: str
    points: tuple[Point, ...]
    color: str = "#555555"
    width: float = 1.0
    arrow: bool = False
    label: tuple[str, ...] = ()
    label_at: Point | None = None
    tooltip: str = ""
    font_size: float = 8.0
    data: dict[str, Any] = field(default_factory=dict)
    dashed: bool = False  # drawn dashed (an edge removed, in a picture of changes)


@dataclass
class Scene:
    """A whole picture: its view, its extent in points, its nodes and edges, and notes for the reader."""

    view: str
    width: float
    height: float
    nodes: list[Node]
    edges: list[Edge]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain dicts and lists (JSON-ready once the neuron ids are): the positions and data of every node and edge.

        Examples
        --------
        >>> scene = Scene("compact", 40, 20, [Node("a", 10, 10, 8, 8), Node("b", 30, 10, 8, 8)],
        ...               [Edge("a", "b", straight((10, 10), (30, 10)))])
        >>> d = scene.to_dict()
        >>> d["view"], [n["name"] for n in d["nodes"]], d["edges"][0]["points"][0]
        ('compact', ['a', 'b'], (10, 10))
        """
        return {
            "view": self.view,
            "width": self.width,
            "height": self.height,
            "notes": list(self.notes),
            "nodes": [asdict(node) for node in self.nodes],
            "edges": [asdict(edge) for edge in self.edges],
        }


def straight(start: Point, end: Point) -> tuple[Point, ...]:
    """A straight segment as a cubic Bézier (its control points on the line).

    Examples
    --------
    >>> straight((0, 0), (30, 0))
    ((0, 0), (10.0, 0.0), (20.0, 0.0), (30, 0))
    """
    (x0, y0), (x1, y1) = start, end
    return (start, (x0 + (x1 - x0) / 3, y0 + (y1 - y0) / 3), (x0 + 2 * (x1 - x0) / 3, y0 + 2 * (y1 - y0) / 3), end)


def arrow_base(points: tuple[Point, ...], length: float = ARROW) -> tuple[Point, ...]:
    """The path without its last ``length`` points: where an arrowhead pointing at its end starts.

    The last cubic segment is cut at the parameter that leaves about
    ``length`` of its chord (de Casteljau), so the path keeps its shape.

    Examples
    --------
    >>> arrow_base(((0, 0), (10, 0), (20, 0), (30, 0)))
    ((0, 0), (8.33, 0.0), (16.67, 0.0), (25.0, 0.0))
    """
    p0, p1, p2, p3 = points[-4:]
    chord = ((p3[0] - p0[0]) ** 2 + (p3[1] - p0[1]) ** 2) ** 0.5
    t = max(0.0, 1.0 - length / chord) if chord > 0 else 1.0

    def mix(a: Point, b: Point) -> Point:
        return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))

    q0, q1, q2 = mix(p0, p1), mix(p1, p2), mix(p2, p3)
    r0, r1 = mix(q0, q1), mix(q1, q2)
    end = mix(r0, r1)
    cut = tuple((round(x, 2), round(y, 2)) for x, y in (q0, r0, end))
    return (*points[:-3], *cut)


def text_width(text: str, font_size: float) -> float:
    """A generous estimate of the width of ``text`` in Helvetica (or its stand-ins), in points."""
    narrow = sum(ch in "il.,:;|!'1()[]" for ch in text)
    return font_size * (0.62 * (len(text) - narrow) + 0.32 * narrow)


def beside(scenes: list[Scene], titles: list[str], title: str | None = None, gap: float = 36.0) -> Scene:
    """Scenes placed side by side at one scale, each under its title (node names prefixed ``p0_``, ``p1_`` …).

    Examples
    --------
    >>> one = Scene("compact", 40, 20, [Node("a", 10, 10, 8, 8)], [])
    >>> both = beside([one, one], ["left", "right"])
    >>> [(n.name, n.x) for n in both.nodes if n.shape != "plaintext"], both.width
    ([('p0_a', 10.0), ('p1_a', 86.0)], 116.0)
    """
    top = 30.0 if title else 0.0
    caption = 20.0 if titles else 0.0
    nodes, edges, x = [], [], 0.0
    for p, scene in enumerate(scenes):
        dy = top + caption
        for node in scene.nodes:
            nodes.append(replace(node, name=f"p{p}_{node.name}", x=node.x + x, y=node.y + dy))
        for edge in scene.edges:
            points = tuple((u + x, v + dy) for u, v in edge.points)
            at = None if edge.label_at is None else (edge.label_at[0] + x, edge.label_at[1] + dy)
            edges.append(replace(edge, tail=f"p{p}_{edge.tail}", head=f"p{p}_{edge.head}", points=points, label_at=at))
        if titles:
            nodes.append(Node(f"p{p}_title", x + scene.width / 2, top + caption / 2, scene.width, caption - 2,
                              "plaintext", label=(titles[p],), font_size=12.0, data={"panel": p}))  # fmt: skip
        x += scene.width + gap
    width = max(x - gap, 1.0)
    height = top + caption + max((scene.height for scene in scenes), default=0.0)
    if title:
        nodes.append(Node("title", width / 2, top / 2, width, top - 4, "plaintext", label=(title,), font_size=13.0))
    view = scenes[0].view if scenes else "compact"
    return Scene(view, width, height, nodes, edges, tuple(titles))


def neuron_names(neurons: list[Hashable]) -> dict[Hashable, str]:
    """DOT node names by position (``n0``, ``n1`` …): any neuron id is safe."""
    return {n: f"n{p}" for p, n in enumerate(neurons)}
