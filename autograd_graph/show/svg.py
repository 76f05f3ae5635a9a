"""SVG written directly from a :class:`~.scene.Scene`: pictures without Graphviz.

The compact and overview views compute every position themselves, so they
need Graphviz only to draw; when its ``dot`` program is missing (a pip-only
install), :func:`scene_svg` writes the same picture as SVG: the same nodes
and edges, colors, widths, labels, and tooltips as ``<title>`` elements
(which browsers show on hover). Its groups carry Graphviz's class names
(``graph``, ``node``, ``edge``), so the two SVGs read alike.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

from .scene import ARROW, Edge, Node, Point, Scene, arrow_base

__all__ = ["scene_svg"]

FONT = "Helvetica,Arial,sans-serif"
LINE_HEIGHT = 1.2  # of the font size


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _color(color: str) -> str:
    """A color attribute pair: SVG wants ``#rrggbb`` and an opacity for Graphviz's ``#rrggbbaa``."""
    if len(color) == 9 and color.startswith("#"):
        return f'"{color[:7]}" stroke-opacity="{int(color[7:], 16) / 255:.2f}"'
    return quoteattr(color)


def _path(points: tuple[Point, ...]) -> str:
    (x, y), rest = points[0], points[1:]
    parts = [f"M{_n(x)},{_n(y)}"]
    for k in range(0, len(rest) - 2, 3):
        (a, b), (c, d), (e, f) = rest[k : k + 3]
        parts.append(f"C{_n(a)},{_n(b)} {_n(c)},{_n(d)} {_n(e)},{_n(f)}")
    return " ".join(parts)


def _text(lines: tuple[str, ...], x: float, y: float, size: float, color: str = "#000000") -> list[str]:
    """Lines of text centred on ``(x, y)``."""
    top = y - (len(lines) - 1) * size * LINE_HEIGHT / 2 + size * 0.35
    return [
        f'<text text-anchor="middle" x="{_n(x)}" y="{_n(top + i * size * LINE_HEIGHT)}" font-family="{FONT}" '
        f'font-size="{_n(size)}" fill="{color}">{escape(line)}</text>'
        for i, line in enumerate(lines)
    ]


def _arrowhead(points: tuple[Point, ...], color: str) -> str:
    tip, base = points[-1], arrow_base(points)[-1]
    dx, dy = tip[0] - base[0], tip[1] - base[1]
    norm = math.hypot(dx, dy) or 1.0
    half = ARROW * 0.4 / norm
    left = (base[0] - dy * half, base[1] + dx * half)
    right = (base[0] + dy * half, base[1] - dx * half)
    corners = " ".join(f"{_n(x)},{_n(y)}" for x, y in (tip, left, right))
    return f'<polygon fill={_color(color).split(" ")[0]} stroke="none" points="{corners}"/>'


def _edge(edge: Edge, number: int) -> str:
    path = arrow_base(edge.points) if edge.arrow else edge.points
    title = edge.tooltip or f"{edge.tail}->{edge.head}"
    stroke = f'stroke={_color(edge.color)} stroke-width="{_n(edge.width)}"'
    if edge.dashed:
        stroke += ' stroke-dasharray="4,3"'
    out = [f'<g id="edge{number}" class="edge"><title>{escape(title)}</title>',
           f'<path fill="none" {stroke} d="{_path(path)}"/>']  # fmt: skip
    if edge.arrow:
        out.append(_arrowhead(edge.points, edge.color))
    if edge.label and edge.label_at is not None:
        out += _text(edge.label, *edge.label_at, edge.font_size)
    out.append("</g>")
    return "".join(out)


def _node(node: Node, number: int) -> str:
    title = node.tooltip or node.name
    out = [f'<g id="node{number}" class="node"><title>{escape(title)}</title>']
    paint = f'fill="{node.fill}" stroke="{node.border}"'
    if node.shape == "circle":
        out.append(f'<ellipse {paint} cx="{_n(node.x)}" cy="{_n(node.y)}" rx="{_n(node.width / 2)}" '
                   f'ry="{_n(node.height / 2)}"/>')  # fmt: skip
    elif node.shape == "box":
        out.append(f'<rect {paint} x="{_n(node.x - node.width / 2)}" y="{_n(node.y - node.height / 2)}" '
                   f'width="{_n(node.width)}" height="{_n(node.height)}" rx="4" ry="4"/>')  # fmt: skip
    if node.label:
        out += _text(node.label, node.x, node.y, node.font_size)
    out.append("</g>")
    return "".join(out)


def scene_svg(scene: Scene) -> str:
    """The scene as an SVG document (a string): edges first, nodes on top, as Graphviz draws it.

    Examples
    --------
    >>> from autograd_graph.show.scene import Edge, Node, straight
    >>> scene = Scene("compact", 40, 20, [Node("a", 10, 10, 8, 8, tooltip="neuron a"), Node("b", 30, 10, 8, 8)],
    ...               [Edge("a", "b", straight((14, 10), (26, 10)))])
    >>> svg = scene_svg(scene)
    >>> svg.count('class="node"'), svg.count('class="edge"'), "<title>neuron a</title>" in svg
    (2, 1, True)
    """
    w, h = _n(scene.width), _n(scene.height)
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
           f'<svg width="{w}pt" height="{h}pt" viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg">',
           f'<g id="graph0" class="graph"><title>{escape(scene.view)}</title>',
           f'<rect x="0" y="0" width="{w}" height="{h}" fill="white"/>']  # fmt: skip
    out += [_edge(edge, i + 1) for i, edge in enumerate(scene.edges)]
    out += [_node(node, i + 1) for i, node in enumerate(scene.nodes)]
    out += ["</g>", "</svg>", ""]
    return "\n".join(out)
