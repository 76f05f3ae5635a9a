"""The full picture: every neuron and edge with its numbers, drawn by Graphviz's layered layout.

:class:`Drawing` draws one network into a ``graphviz`` graph (the whole
picture, or one cluster of a side-by-side one): each neuron with its id, its
function and (given a pass) ``a``, ``z``, ``∂ℓ/∂a``; each edge with ``w`` and
``∂ℓ/∂w``; tooltips with the equations of :mod:`.equations`; one rank per
layer or generation (:func:`rank_groups`). :mod:`.render` builds the
picture around it.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

import graphviz

from .. import topology
from ..constraints import edge_marks
from .changes import CHANGE_COLORS
from .equations import Equation, NetworkReads, PassValues, edge_weights, format_number, join_sum, select_example
from .views import Style

if TYPE_CHECKING:
    from ..results import Gradients, NeuronValues, Trace

__all__ = ["Style", "Drawing", "rank_groups", "sign_color", "KIND_COLORS", "EDGE_LABELS_UP_TO", "PEN_WIDTH"]

# (fill, border) per kind, as in the source figures: input green, output red, bias blue, hidden neutral
KIND_COLORS: dict[str, tuple[str, str]] = {
    "input": ("#b2df8a", "#33a02c"),
    "output": ("#fb9a99", "#e31a1c"),
    "bias": ("#a6cee3", "#1f78b4"),
    "hidden": ("#eeeeee", "#636363"),
}
# a diverging palette (ColorBrewer PuOr) for the sign of a weight: orange < 0 < purple
NEGATIVE, ZERO, POSITIVE = (230, 97, 1), (186, 186, 186), (94, 60, 153)
PEN_WIDTH = (0.6, 4.0)  # thinnest and thickest edge, for edge_width=True
EDGE_LABELS_UP_TO = 60  # by default, edges are labelled only when at most this many are drawn


def rank_groups(net: NetworkReads) -> list[list[Hashable]]:
    """The neurons of each rank of the picture, left to right.

    A layered network gets its layers; any other one its topological
    generations, each bias neuron moved to just before the first neuron it
    feeds (otherwise every bias would sit with the inputs).

    Examples
    --------
    >>> import networkx as nx
    >>> from autograd_graph import Network
    >>> rank_groups(Network.from_networkx(nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C")])))
    [['A'], ['B'], ['C']]
    """
    if net.is_layered():
        return net.layers()
    G = net.graph
    number = topology.generation_numbers(G)
    for bias in net.biases:
        fed = [number[s] for s in G.successors(bias)]
        if fed:
            number[bias] = min(fed) - 1
    groups: list[list[Hashable]] = [[] for _ in range(max(number.values(), default=-1) + 1)]
    for neuron in net.neurons:
        groups[number[neuron]].append(neuron)
    return [group for group in groups if group]


def _dot_names(net: NetworkReads, prefix: str) -> dict[Hashable, str]:
    """DOT node names by position: any id is safe (``"in:1"`` would be a port, ``"b\\"`` a syntax error)."""
    return {n: f"{prefix}n{p}" for p, n in enumerate(net.neurons)}


def _lines(*lines: str) -> str:
    """Lines for a DOT label or tooltip: each escaped, joined by DOT's ``\\n``."""
    return "\\n".join(graphviz.escape(line) for line in lines)


def sign_color(fraction: float) -> str:
    """The diverging palette at ``fraction`` in [-1, 1]."""
    end = POSITIVE if fraction >= 0 else NEGATIVE
    t = min(abs(fraction), 1.0)
    r, g, b = (round(z + t * (e - z)) for z, e in zip(ZERO, end, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


class Drawing:
    """One network drawn into a graph (the whole picture, or one cluster of it).

    ``focus``, when given, is the set of neurons drawn (a neighbourhood): an
    edge between a drawn neuron and one left out ends in a "+N more" node
    beside the drawn one, and ``highlight`` gets a thick border.
    """

    def __init__(
        self,
        net: NetworkReads,
        trace: Trace | None,
        grads: Gradients | None,
        style: Style,
        prefix: str,
        focus: set | None = None,
        highlight: Hashable | None = None,
    ):
        self.net, self.style = net, style
        self.values = None if trace is None else PassValues.of(net, trace, grads, style.loss)
        chosen = None if trace is None else select_example(style.example or 0, trace.batch_size)
        self.example: int = chosen or 0
        self.weights = edge_weights(net) if self.values is None else self.values.weights
        self.names = _dot_names(net, prefix)
        self.prefix = prefix
        self.folded = set(net.biases) if style.folds("full") else set()
        self.focus, self.highlight = focus, highlight
        groups = rank_groups(net)
        if focus is not None:
            groups = [[n for n in group if n in focus] for group in groups]
        self.ranks, self.more = self._cap(groups)
        self.marks = edge_marks(net)  # frozen edges dashed, tied ones with a diamond (and said in the label)

    @property
    def loss(self) -> str:
        return "ℓ" if self.values is None else self.values.loss

    def _cap(self, groups: list[list[Hashable]]) -> tuple[list[list[Hashable]], dict[Hashable, str]]:
        """Drop folded biases; keep at most ``max_per_rank`` per rank, the rest to a "+N more" node."""
        ranks, more = [], {}
        limit = self.style.max_per_rank
        for r, group in enumerate(groups):
            shown = [n for n in group if n not in self.folded]
            if limit is not None and len(shown) > limit:
                for n in shown[limit:]:
                    more[n] = f"{self.prefix}more_{r}"
                shown = shown[:limit]
            if shown:
                ranks.append(shown)
        return ranks, more

    # ---------------------------------------------------------------- neurons
    def _at(self, values: NeuronValues, k: Hashable) -> str:
        """Neuron ``k``'s value of the shown example, formatted."""
        return self.style.number(float(values[k][self.example]))

    def neuron_label(self, k: Hashable) -> str:
        kind, activation, v = self.net.kind(k), self.net.activation(k), self.values
        lines = [str(k), kind if activation is None else activation.name]
        if v is not None and kind == "input":
            lines.append(f"x = {self._at(v.trace.z, k)}")
        elif v is not None and kind != "bias":
            lines += [f"a = {self._at(v.trace.a, k)}", f"z = {self._at(v.trace.z, k)}"]
        if v is not None and v.grads is not None and kind != "bias":
            lines.append(f"∂{self.loss}/∂a = {self._at(v.grads.a, k)}")
        for source in self.net.graph.predecessors(k):
            if source in self.folded:
                lines += self._folded_bias(source, k)
        return _lines(*lines)

    def _folded_bias(self, bias: Hashable, k: Hashable) -> list[str]:
        name = "b" if sum(s in self.folded for s in self.net.graph.predecessors(k)) == 1 else f"b_{bias}"
        lines = [f"{name} = {self.style.number(self.weights[bias, k])}"]
        if self.values is not None and self.values.grads is not None:
            gradient = self._value(self.edge_gradient((bias, k)))
            lines.append(f"∂{self.loss}/∂{name} = {self.style.number(gradient)}")
        return lines

    def neuron_tooltip(self, k: Hashable) -> str:
        kind, activation, v = self.net.kind(k), self.net.activation(k), self.values
        fmt, sigma = self.style.number_format, "" if activation is None else activation.name
        if kind == "input":
            lines = [f"z_{k} = x_{k}" + ("" if v is None else f" = {self._at(v.trace.z, k)}")]
        elif kind == "bias":
            lines = [f"z_{k} = 1 (bias)"]
        elif v is None:
            symbols, numbers = [], []
            for s in self.net.graph.predecessors(k):
                w, z = self.weights[s, k], "" if self.net.kind(s) == "bias" else f"·z_{s}"
                symbols.append(f"w_{s},{k}{z}")
                numbers.append(format_number(w, fmt) + z)
            lines = [f"a_{k} = " + " + ".join(symbols), "= " + join_sum(numbers), f"z_{k} = {sigma}(a_{k})"]
        else:
            a, z = self._at(v.trace.a, k), self._at(v.trace.z, k)
            lines = [v.weighted_input(k, self.example).format(fmt), f"z_{k} = {sigma}(a_{k}) = {sigma}({a}) = {z}"]
        if v is not None and v.grads is not None:
            lines += [eq.format(fmt) for eq in v.neuron_gradient(k, self.example)]
        return _lines(*lines)

    # ------------------------------------------------------------------ edges
    def edge_gradient(self, edge: tuple) -> Equation:
        assert self.values is not None, "only called when gradients are shown"
        return self.values.weight_gradient(edge, self.example)

    @staticmethod
    def _value(equation: Equation) -> float:
        return equation.engine if equation.engine is not None else equation.value

    def edge_attributes(self, edge: tuple, scale: float, labels: bool) -> dict[str, str]:
        w, style = self.weights[edge], self.style
        i, j = edge
        attrs: dict[str, str] = {}
        label = [style.number(w)]
        tooltip = [f"w_{i},{j} = {style.number(w)}"]
        if self.values is not None and self.values.grads is not None:
            gradient = self.edge_gradient(edge)
            label.append(f"∂{self.loss}/∂w = {style.number(self._value(gradient))}")
            tooltip.append(gradient.format(style.number_format))
        frozen, tie = self.marks.get(edge, (False, None))
        if frozen or tie is not None:
            mark = ", ".join([*(["frozen"] if frozen else []), *([] if tie is None else [f"tie {tie}"])])
            label.append(mark)
            tooltip.append(mark)
            attrs.update({"style": "dashed"} if frozen else {})
            attrs.update({} if tie is None else {"arrowhead": "diamond"})
        if labels:
            attrs["label"] = _lines(*label)
        if style.tooltips:
            attrs["tooltip"] = attrs["labeltooltip"] = _lines(*tooltip)
        if style.edge_width:
            low, high = PEN_WIDTH
            attrs["penwidth"] = f"{low + (high - low) * abs(w) / scale:.2f}"
        if style.edge_color:
            attrs["color"] = sign_color(w / scale)
            attrs["fontcolor"] = sign_color(1.0 if w >= 0 else -1.0)  # labels stay readable near 0
        if style.changes is not None:  # a picture of changes: the colour says added or kept
            status = style.changes.status(edge)
            attrs["color"] = attrs["fontcolor"] = CHANGE_COLORS[status]
            attrs.setdefault("penwidth", "2.2" if status == "added" else "1.0")
            if style.tooltips:
                said = f"{status} {style.changes.label}".strip()
                attrs["tooltip"] = attrs["labeltooltip"] = attrs["tooltip"] + f"\\n{said}"
        return attrs

    # ------------------------------------------------------------------- draw
    def draw(self, g: graphviz.Digraph, *, reversed_in_clusters: bool = False) -> None:
        """Draw into ``g``: one rank=same group per rank, its neurons kept in order by invisible edges.

        ``reversed_in_clusters``: ``g`` is a cluster of a picture running left
        to right (or right to left), where ``dot`` places the ends of such an
        edge in the other order than at the top level (measured with
        Graphviz 2.43; ``tests/test_render.py`` checks the order in the
        rendered picture), so the edges run bottom to top there.
        """
        with_values = self.values is not None
        for r, rank in enumerate(self.ranks):
            with g.subgraph() as same:
                same.attr(rank="same")
                for k in rank:
                    fill, border = KIND_COLORS[self.net.kind(k)]
                    attrs = {"color": border, "fillcolor": fill, "shape": "box" if with_values else "circle"}
                    if k == self.highlight and self.highlight is not None:
                        attrs["penwidth"] = "3"
                    if self.style.tooltips:
                        attrs["tooltip"] = self.neuron_tooltip(k)
                    same.node(self.names[k], self.neuron_label(k), **attrs)
                order = [self.names[k] for k in rank]
                hidden = [n for n, node in self.more.items() if node == f"{self.prefix}more_{r}"]
                if hidden:
                    same.node(f"{self.prefix}more_{r}", f"+{len(hidden)} more", shape="plaintext", style="")
                    order.append(f"{self.prefix}more_{r}")
                chain = order[::-1] if reversed_in_clusters else order
                for upper, lower in zip(chain, chain[1:], strict=False):
                    same.edge(upper, lower, style="invis")
        drawn, collapsed, cut = self._edges()
        for stub, count in cut.items():
            g.node(stub, f"+{count} more", shape="plaintext", style="", fontcolor="#757575")
        shown = [e for e in self.net.edges if e[0] not in self.folded]
        scale = max((abs(self.weights[e]) for e in shown), default=0.0) or 1.0
        labels = len(drawn) <= EDGE_LABELS_UP_TO if self.style.edge_labels is None else self.style.edge_labels
        for i, j in drawn:
            g.edge(self.names[i], self.names[j], **self.edge_attributes((i, j), scale, labels))
        for ends in collapsed:
            g.edge(*ends, style="dashed", color="#9e9e9e")
        if self.style.changes is not None:
            self._removed(g)

    def _removed(self, g: graphviz.Digraph) -> None:
        """The edges removed since (no longer in the network): dashed red, between the neurons drawn; a caption."""
        changes = self.style.changes
        shown = {n for rank in self.ranks for n in rank}
        for i, j in sorted(changes.removed, key=repr):
            if i in shown and j in shown:
                tip = _lines(f"w_{i},{j}: removed {changes.label}".strip())
                g.edge(self.names[i], self.names[j], style="dashed", color=CHANGE_COLORS["removed"], penwidth="1.4",
                       constraint="false", tooltip=tip)  # fmt: skip
        label = g.graph_attr.get("label")
        g.graph_attr.update(label=f"{label}\\n{changes.caption()}" if label else changes.caption(), labelloc="t")

    def _edges(self) -> tuple[list[tuple], list[tuple[str, str]], dict[str, int]]:
        """The edges drawn between shown neurons, the dashed ones to and from "+N more" nodes (DOT names), and
        the "+N more" nodes of edges cut by the focus, with their counts."""
        drawn: list[tuple] = []
        collapsed: dict[tuple[str, str], None] = {}
        cut: dict[str, int] = {}
        focus = self.focus
        for i, j in self.net.edges:
            if i in self.folded:
                continue
            if focus is not None and (i not in focus or j not in focus):
                inside = i if i in focus else j if j in focus else None
                if inside is None or inside in self.more:
                    continue
                stub = f"{self.prefix}cut_{'in' if inside == j else 'out'}_{self.names[inside]}"
                if stub not in cut:
                    collapsed[(stub, self.names[j]) if inside == j else (self.names[i], stub)] = None
                cut[stub] = cut.get(stub, 0) + 1
                continue
            if i not in self.more and j not in self.more:
                drawn.append((i, j))
                continue
            ends = (self.more.get(i, self.names[i]), self.more.get(j, self.names[j]))
            if ends[0] != ends[1]:
                collapsed[ends] = None
        return drawn, list(collapsed), cut

    def drawn_size(self) -> tuple[int, int]:
        """``(nodes, edges)`` this drawing puts in the picture."""
        drawn, collapsed, cut = self._edges()
        nodes = sum(map(len, self.ranks)) + len(set(self.more.values())) + len(cut)
        return nodes, len(drawn) + len(collapsed)
