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
from dataclasses import dataclass
from typing import TYPE_CHECKING

import graphviz

from .. import topology
from ..constraints import edge_marks
from ..exceptions import PictureOptionError
from ..losses import Loss
from .equations import (
    Equation,
    NetworkReads,
    NumberFormat,
    PassValues,
    edge_weights,
    format_number,
    join_sum,
    select_example,
)

if TYPE_CHECKING:
    from ..results import Gradients, NeuronValues, Trace

__all__ = ["Style", "Drawing", "rank_groups", "KIND_COLORS", "EDGE_LABELS_UP_TO", "PEN_WIDTH"]

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


@dataclass(frozen=True)
class Style:
    """The options of :func:`to_graphviz` that shape each network's drawing."""

    example: int = 0
    number_format: NumberFormat = ".3g"
    edge_labels: bool | None = None
    edge_width: bool = False
    edge_color: bool = False
    fold_biases: bool = False
    max_per_rank: int | None = None
    tooltips: bool = True
    loss: str | Loss | None = None

    def __post_init__(self) -> None:
        if self.max_per_rank is not None and self.max_per_rank < 1:
            raise PictureOptionError(
                f"max_per_rank must be a whole number of at least 1 (or None), got {self.max_per_rank!r}"
            )

    def number(self, value: float) -> str:
        return format_number(value, self.number_format)


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


def _sign_color(fraction: float) -> str:
    """The diverging palette at ``fraction`` in [-1, 1]."""
    end = POSITIVE if fraction >= 0 else NEGATIVE
    t = min(abs(fraction), 1.0)
    r, g, b = (round(z + t * (e - z)) for z, e in zip(ZERO, end, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


class Drawing:
    """One network drawn into a graph (the whole picture, or one cluster of it)."""

    def __init__(self, net: NetworkReads, trace: Trace | None, grads: Gradients | None, style: Style, prefix: str):
        self.net, self.style = net, style
        self.values = None if trace is None else PassValues.of(net, trace, grads, style.loss)
        chosen = None if trace is None else select_example(style.example or 0, trace.batch_size)
        self.example: int = chosen or 0
        self.weights = edge_weights(net) if self.values is None else self.values.weights
        self.names = _dot_names(net, prefix)
        self.prefix = prefix
        self.folded = set(net.biases) if style.fold_biases else set()
        self.ranks, self.more = self._cap(rank_groups(net))
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
            attrs["color"] = _sign_color(w / scale)
            attrs["fontcolor"] = _sign_color(1.0 if w >= 0 else -1.0)  # labels stay readable near 0
        return attrs

    # ------------------------------------------------------------------- draw
    def draw(self, g: graphviz.Digraph) -> None:
        with_values = self.values is not None
        for r, rank in enumerate(self.ranks):
            with g.subgraph() as same:
                same.attr(rank="same")
                for k in rank:
                    fill, border = KIND_COLORS[self.net.kind(k)]
                    attrs = {"color": border, "fillcolor": fill, "shape": "box" if with_values else "circle"}
                    if self.style.tooltips:
                        attrs["tooltip"] = self.neuron_tooltip(k)
                    same.node(self.names[k], self.neuron_label(k), **attrs)
                order = [self.names[k] for k in rank]
                hidden = [n for n, node in self.more.items() if node == f"{self.prefix}more_{r}"]
                if hidden:
                    same.node(f"{self.prefix}more_{r}", f"+{len(hidden)} more", shape="plaintext", style="")
                    order.append(f"{self.prefix}more_{r}")
                if not self.prefix:
                    # keep the neurons' order within the rank (in clusters dot 2.43 flips such edges: leave it be)
                    for upper, lower in zip(order, order[1:], strict=False):
                        same.edge(upper, lower, style="invis")
        shown = [e for e in self.net.edges if e[0] not in self.folded]
        scale = max((abs(self.weights[e]) for e in shown), default=0.0) or 1.0
        drawn = [e for e in shown if e[0] not in self.more and e[1] not in self.more]
        labels = len(drawn) <= EDGE_LABELS_UP_TO if self.style.edge_labels is None else self.style.edge_labels
        for i, j in drawn:
            g.edge(self.names[i], self.names[j], **self.edge_attributes((i, j), scale, labels))
        collapsed = set()
        for i, j in shown:
            ends = (self.more.get(i, self.names[i]), self.more.get(j, self.names[j]))
            if (i in self.more or j in self.more) and ends not in collapsed and ends[0] != ends[1]:
                collapsed.add(ends)
                g.edge(*ends, style="dashed", color="#9e9e9e")
