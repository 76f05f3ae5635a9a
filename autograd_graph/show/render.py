r"""Pictures of a network with graphviz: ``net.to_graphviz(...)``, :func:`side_by_side`, :func:`render`.

Building a picture is pure: :func:`to_graphviz` returns a
:class:`graphviz.Digraph` whose ``.source`` is DOT text (Jupyter shows it
through the graphviz package). Only :func:`render` runs Graphviz's ``dot``;
when ``dot`` is missing it raises :class:`GraphvizNotFoundError`, which says
how to install it.

What the picture shows:

- every neuron with its id and its function, colored by kind (input green,
  output red, bias blue, hidden neutral);
- every edge with its weight ``w_{i,j}``;
- given a trace, ``a`` and ``z`` in every neuron; given gradients too,
  ``∂ℓ/∂a`` in every neuron and ``∂ℓ/∂w`` on every edge (for a batch, of
  one example: ``example=``);
- in SVG, tooltips with each neuron's formulas and each weight's chain rule,
  numbers filled in (see :mod:`autograd_graph.show.equations`);
- DOT names the neurons by position (``n0``, ``n1``, ... in ``net.neurons``
  order), so any id is safe (``"in:1"`` is not read as a port); the ids
  appear in the labels and tooltips;
- one rank (column, left to right) per layer of a layered network, per
  topological generation of any other one (a bias neuron sits just before
  the first neuron it feeds), so skip edges show as such.

Examples
--------
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> g = net.to_graphviz()
>>> g.graph_attr["rankdir"]
'LR'
>>> lines = [line.strip() for line in g.source.splitlines()]
>>> print(next(line for line in lines if line.startswith("n5 -> n8")))
n5 -> n8 [label=0.502 labeltooltip="w_6,9 = 0.502" tooltip="w_6,9 = 0.502"]
>>> node = next(line for line in lines if line.startswith("n5 ["))
>>> node.split(" color=")[0]
'n5 [label="6\\nlogistic"'
>>> print(node.split("tooltip=")[1].replace("\\n", "\n"))
"a_6 = w_3,6·z_3 + w_4,6·z_4 + w_5,6
= 0.362·z_3 + 0.477·z_4 + 0.265
z_6 = logistic(a_6)"]
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import graphviz

from .. import topology
from ..exceptions import GraphvizNotFoundError, PictureOptionError, RenderError, UnknownPictureOptionError
from ..io.files import write_atomically
from ..losses import Loss
from .equations import (
    Equation,
    NetworkReads,
    NumberFormat,
    PassValues,
    edge_weights,
    format_number,
    join_sum,
    select_example,  # fmt: skip
)

if TYPE_CHECKING:
    from ..results import Gradients, NeuronValues, Trace

__all__ = ["to_graphviz", "side_by_side", "render", "rank_groups", "KIND_COLORS", "FORMATS", "INSTALL_GRAPHVIZ"]

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
FORMATS = ("svg", "png", "pdf")
INSTALL_GRAPHVIZ = (
    "Graphviz's `dot` program was not found on PATH: pictures can be built without it, but writing "
    "SVG, PNG or PDF needs it. Install Graphviz (Debian/Ubuntu: `sudo apt-get install graphviz`; "
    "macOS: `brew install graphviz`; conda: `conda install -c conda-forge graphviz`; Windows and "
    "others: https://graphviz.org/download/), then check with `dot -V`."
)


@dataclass(frozen=True)
class _Style:
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


class _Drawing:
    """One network drawn into a graph (the whole picture, or one cluster of it)."""

    def __init__(self, net: NetworkReads, trace: Trace | None, grads: Gradients | None, style: _Style, prefix: str):
        self.net, self.style = net, style
        self.values = None if trace is None else PassValues.of(net, trace, grads, style.loss)
        chosen = None if trace is None else select_example(style.example or 0, trace.batch_size)
        self.example: int = chosen or 0
        self.weights = edge_weights(net) if self.values is None else self.values.weights
        self.names = _dot_names(net, prefix)
        self.prefix = prefix
        self.folded = set(net.biases) if style.fold_biases else set()
        self.ranks, self.more = self._cap(rank_groups(net))

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


def _new_digraph(rankdir: str, title: str | None) -> graphviz.Digraph:
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise PictureOptionError(f"rankdir must be one of 'LR', 'RL', 'TB', 'BT', got {rankdir!r}")
    graph = {"rankdir": rankdir, "nodesep": "0.35", "ranksep": "1.1", "fontname": "Helvetica"}
    if title:
        graph.update(label=title, labelloc="t", fontsize="13")
    return graphviz.Digraph(
        "network",
        graph_attr=graph,
        node_attr={"style": "filled,rounded", "fontname": "Helvetica", "fontsize": "11", "margin": "0.08,0.04"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "arrowsize": "0.6"},
    )


def _batch_note(trace: Trace | None, example: int) -> str:
    if trace is None or trace.batch_size == 1:
        return ""
    b = select_example(example, trace.batch_size)
    return f"example {b} of {trace.batch_size}; ∂L/∂w is that example's share (L = batch mean)"


def to_graphviz(
    net: NetworkReads,
    trace: Trace | None = None,
    grads: Gradients | None = None,
    *,
    example: int = 0,
    number_format: NumberFormat = ".3g",
    edge_labels: bool | None = None,
    edge_width: bool = False,
    edge_color: bool = False,
    fold_biases: bool = False,
    max_per_rank: int | None = None,
    tooltips: bool = True,
    loss: str | Loss | None = None,
    rankdir: str = "LR",
    title: str | None = None,
) -> graphviz.Digraph:
    r"""A picture of ``net``, with its weights, and the values of a pass if given.

    Parameters
    ----------
    net : NetworkReads
    trace : Trace, optional
        ``net.forward(X)``: each neuron shows ``a`` and ``z`` (an input its ``x``).
    grads : Gradients, optional
        ``net.backward(trace, Y)``: each neuron shows ``∂ℓ/∂a``, each edge ``∂ℓ/∂w``.
    example : int, default 0
        Which example of the batch the values are of.
    number_format : str or callable, default ".3g"
        A format spec, or a function of a float.
    edge_labels : bool, optional
        Write the weight (and its gradient) on each edge; by default only
        when at most 60 edges are drawn (beyond that labels swamp the
        picture: the SVG tooltips still carry them).
    edge_width, edge_color : bool, default False
        Edge width by ``|w|``; edge color by the sign of ``w`` on a diverging
        palette (orange negative, purple positive, grey near 0).
    fold_biases : bool, default False
        Leave bias neurons out; the neurons they feed show ``b = w``.
    max_per_rank : int, optional
        Show at most this many neurons per rank; the others become one
        "+N more" node, their edges dashed.
    tooltips : bool, default True
        SVG tooltips with each neuron's formulas and each weight's chain rule.
    loss : str or Loss, optional
        The loss ``grads`` were computed with; by default the one they record
        (see :func:`~autograd_graph.explain`).
    rankdir : {"LR", "RL", "TB", "BT"}, default "LR"
        Graphviz's direction: the ranks run left to right by default.
    title : str, optional

    Returns
    -------
    graphviz.Digraph
        ``.source`` is the DOT text; :func:`render` writes it to a file.

    Raises
    ------
    StaleTraceError
        The network changed after ``trace`` was computed.
    ExampleError
        ``example`` out of range for the batch.
    PictureOptionError
        ``max_per_rank`` below 1, or an unknown ``rankdir``.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> trace = net.forward([[0.5]])
    >>> grads = net.backward(trace, [[1.0]])
    >>> g = to_graphviz(net, trace, grads, number_format=".2f")
    >>> edge = next(line.strip() for line in g.source.splitlines() if line.strip().startswith("n5 -> n8"))
    >>> edge.split(" labeltooltip=")[0]
    'n5 -> n8 [label="0.50\\n∂ℓ/∂w = -1.35"'
    >>> print(edge.split(" tooltip=")[1].replace("\\n", "\n"))
    "w_6,9 = 0.50
    ∂ℓ/∂w_6,9 = ∂ℓ/∂a_9·z_6 = (-2.13)·0.63 = -1.35"]
    """
    style = _Style(
        example, number_format, edge_labels, edge_width, edge_color, fold_biases, max_per_rank, tooltips, loss
    )
    note = _batch_note(trace, example)
    g = _new_digraph(rankdir, "\n".join(t for t in (title, note) if t) or None)
    _Drawing(net, trace, grads, style, prefix="").draw(g)
    return g


def side_by_side(
    panels: Sequence[NetworkReads | tuple],
    *,
    titles: Sequence[str] | None = None,
    rankdir: str = "LR",
    title: str | None = None,
    **options: Any,
) -> graphviz.Digraph:
    """Several networks in one picture, each in its own framed cluster, side by side.

    Parameters
    ----------
    panels : sequence
        Each a :class:`Network`, or a tuple ``(net, trace)`` or ``(net, trace, grads)``.
    titles : sequence of str, optional
        One caption per panel.
    rankdir, title :
        As in :func:`to_graphviz`, for the whole picture.
    **options :
        Any other option of :func:`to_graphviz`, for every panel.

    Raises
    ------
    PictureOptionError
        Not one title per panel, or a bad option value.
    UnknownPictureOptionError
        An option :func:`to_graphviz` does not take.

    Examples
    --------
    >>> import networkx as nx
    >>> import autograd_graph as ag
    >>> skip = ag.Network.from_networkx(nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C")]), seed=0)
    >>> g = side_by_side([ag.running_example(), skip], titles=["layered", "not layered"])
    >>> edges = [line for line in g.source.splitlines() if "->" in line and "invis" not in line]
    >>> g.source.count("subgraph cluster_"), len(edges)
    (2, 15)
    """
    if titles is not None and len(titles) != len(panels):
        raise PictureOptionError(f"titles: expected one title per panel ({len(panels)}), got {len(titles)} titles")
    unknown = sorted(set(options) - set(_Style.__dataclass_fields__))
    if unknown:
        raise UnknownPictureOptionError(
            f"unknown options {unknown}; side_by_side takes titles, rankdir, title and "
            f"to_graphviz's {', '.join(_Style.__dataclass_fields__)}"
        )
    style = _Style(**options)
    g = _new_digraph(rankdir, title)
    previous = None
    for p, panel in enumerate(panels):
        net, trace, grads = (tuple(panel) + (None, None))[:3] if isinstance(panel, tuple) else (panel, None, None)
        caption = [titles[p]] if titles is not None else []
        caption += [note] if (note := _batch_note(trace, style.example)) else []
        drawing = _Drawing(net, trace, grads, style, prefix=f"p{p}_")
        with g.subgraph(name=f"cluster_{p}") as cluster:
            cluster.attr(label="\n".join(caption), style="rounded,dashed", color="#9e9e9e", fontsize="12")
            drawing.draw(cluster)
        if previous is not None and previous.ranks and drawing.ranks:  # the next panel to the right
            g.edge(previous.names[previous.ranks[-1][0]], drawing.names[drawing.ranks[0][0]], style="invis")
        previous = drawing
    return g


def render(
    picture: graphviz.Digraph | NetworkReads, path: str | os.PathLike, *, format: str | None = None, **options: Any
) -> Path:
    """Write a picture to an SVG, PNG or PDF file, whole or not at all.

    Parameters
    ----------
    picture : graphviz.Digraph or Network
        A picture from :func:`to_graphviz` or :func:`side_by_side`, or a
        network (drawn with ``options``, which go to :func:`to_graphviz`).
    path : str or path-like
        The file to write; its suffix gives the format unless ``format`` does.
    format : {"svg", "png", "pdf"}, optional

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    GraphvizNotFoundError
        Graphviz's ``dot`` is not installed; the message says how to install it.
    RenderError
        ``dot`` failed on the picture.
    PictureOptionError
        An unknown format.
    UnknownPictureOptionError
        Options given with a finished picture (they apply to a network only).

    Examples
    --------
    >>> import shutil, tempfile
    >>> from pathlib import Path
    >>> import autograd_graph as ag
    >>> folder = Path(tempfile.mkdtemp())
    >>> path = render(ag.running_example(seed=0), folder / "new" / "net.svg", edge_width=True)
    >>> path.name, path.read_text().lstrip().startswith("<?xml") if shutil.which("dot") else True
    ('net.svg', True)
    """
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise PictureOptionError(
            f"cannot write a picture as {fmt!r} ({path}): expected a path ending in, or format=, one of "
            f"{', '.join(FORMATS)}"
        )
    if not isinstance(picture, graphviz.Digraph):
        picture = to_graphviz(picture, **options)
    elif options:
        raise UnknownPictureOptionError(
            f"options {sorted(options)} apply to a Network, not to a finished picture: pass them to to_graphviz"
        )
    try:
        data = picture.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError(INSTALL_GRAPHVIZ) from None
    except graphviz.CalledProcessError as error:
        stderr = (error.stderr or b"").decode(errors="replace").strip()
        raise RenderError(f"Graphviz's dot failed writing {path}: {stderr or error}") from None
    write_atomically(path, data)
    return path
