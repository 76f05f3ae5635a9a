"""The :class:`Picture` every view returns, and DOT from a :class:`~.scene.Scene` that Graphviz draws as given.

:func:`to_digraph` writes a scene as DOT with every position fixed (graph
attribute ``layout=nop2``: Graphviz takes the positions as given, in points,
as ``neato -n2`` does, and runs no layout search), so ``dot -Tsvg`` or
``-Tpng`` only draws it. :class:`Picture` is a :class:`graphviz.Digraph`
that also knows its view, the size of the network it shows and, for the
library's positions, its scene; in Jupyter it shows itself, drawn by
Graphviz, or from its scene (:func:`~.svg.scene_svg`) when Graphviz is missing.
"""

from __future__ import annotations

import graphviz

from .scene import Point, Scene, arrow_base
from .svg import scene_svg

__all__ = ["Picture", "to_digraph"]


class Picture(graphviz.Digraph):
    """A :class:`graphviz.Digraph` that knows what it shows.

    Attributes
    ----------
    view : str
        ``"full"``, ``"compact"`` or ``"overview"`` (``"panels"`` for :func:`side_by_side`).
    size : tuple of int or None
        ``(neurons, edges)`` of the network drawn (summed over panels).
    scene : Scene or None
        The positions and data of every node and edge, for the views whose
        positions are the library's (compact, overview); None for the full
        view, which Graphviz's ``dot`` lays out.
    """

    view: str = "full"
    size: tuple[int, int] | None = None
    scene: Scene | None = None

    def copy(self) -> Picture:
        """An independent copy, view, size and scene included."""
        new = super().copy()
        new.view, new.size, new.scene = self.view, self.size, self.scene
        return new

    def _repr_image_svg_xml(self) -> str:
        """The SVG Jupyter shows: Graphviz's, or the scene's own when Graphviz is missing."""
        try:
            return super()._repr_image_svg_xml()
        except graphviz.ExecutableNotFound:
            if self.scene is None:
                raise
            return scene_svg(self.scene)


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _pos(point: Point, height: float) -> str:
    return f"{_number(point[0])},{_number(height - point[1])}"


def _lines(lines: tuple[str, ...]) -> str:
    return "\\n".join(graphviz.escape(line) for line in lines)


def to_digraph(scene: Scene, *, size: tuple[int, int] | None = None, fontname: str = "Helvetica") -> Picture:
    """The scene as a :class:`Picture` that Graphviz draws from the positions given (``layout=nop2``).

    Examples
    --------
    >>> from autograd_graph.show.scene import Edge, Node, straight
    >>> scene = Scene("compact", 40, 20, [Node("a", 10, 10, 8, 8), Node("b", 30, 10, 8, 8)],
    ...               [Edge("a", "b", straight((14, 10), (26, 10)), arrow=True)])
    >>> g = to_digraph(scene)
    >>> g.graph_attr["layout"], g.view
    ('nop2', 'compact')
    >>> print(g.source.splitlines()[-2].strip())
    a -> b [color="#555555" dir=forward penwidth=1 pos="e,26,10 14,10 16.33,10 18.67,10 21,10"]
    """
    g = Picture(
        "network",
        graph_attr={
            "layout": "nop2",
            "outputorder": "edgesfirst",
            "bgcolor": "white",
            "dpi": "72",
            "pad": "0.05",
            "bb": f"0,0,{_number(scene.width)},{_number(scene.height)}",
        },  # fmt: skip
        node_attr={"fontname": fontname, "fixedsize": "true", "style": "filled"},
        edge_attr={"fontname": fontname, "arrowsize": "0.5", "dir": "none"},
    )
    g.view, g.size, g.scene = scene.view, size, scene
    for node in scene.nodes:
        attrs = {
            "pos": _pos((node.x, node.y), scene.height) + "!",
            "width": f"{node.width / 72:.4f}",
            "height": f"{node.height / 72:.4f}",
            "shape": node.shape,
            "fontsize": _number(node.font_size),
        }
        if node.shape == "plaintext":
            attrs["style"] = ""
        else:
            attrs.update(fillcolor=node.fill, color=node.border)
        if node.shape == "box":
            attrs["style"] = "filled,rounded"
        if node.tooltip:
            attrs["tooltip"] = _lines(tuple(node.tooltip.split("\n")))
        g.node(node.name, _lines(node.label), **attrs)
    for edge in scene.edges:
        attrs = {"color": edge.color, "penwidth": _number(edge.width)}
        if edge.dashed:
            attrs["style"] = "dashed"
        if edge.arrow:
            path = " ".join(_pos(p, scene.height) for p in arrow_base(edge.points))
            attrs.update(dir="forward", pos=f"e,{_pos(edge.points[-1], scene.height)} {path}")
        else:
            attrs["pos"] = " ".join(_pos(p, scene.height) for p in edge.points)
        if edge.label and edge.label_at is not None:
            attrs.update(label=_lines(edge.label), lp=_pos(edge.label_at, scene.height))
            attrs["fontsize"] = _number(edge.font_size)
        if edge.tooltip:
            attrs["tooltip"] = _lines(tuple(edge.tooltip.split("\n")))
        g.edge(edge.tail, edge.head, **attrs)
    return g
