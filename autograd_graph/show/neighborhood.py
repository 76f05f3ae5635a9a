"""``ag.neighborhood``: one neuron and everything within a few edges of it, in the full view.

For a neuron of a big network: the neurons that reach it in at most
``hops`` edges (its inputs, their inputs …) and those it reaches in at most
``hops`` edges, drawn in the full view with their values; wherever an edge
leaves the picture a "+N more" node stands for what was cut. Given a trace
(and gradients) the picture's caption holds the neuron's forward (and
backward) equations with their numbers, as :func:`~autograd_graph.explain`
prints them.
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

import graphviz

from ..exceptions import PictureOptionError, UnknownNeuronError
from .equations import NetworkReads, PassValues, select_example
from .full import Drawing
from .picture import Picture
from .render import batch_note, new_digraph
from .views import Style, check_full_size, check_view_options

if TYPE_CHECKING:
    from ..results import Gradients, Trace

__all__ = ["neighborhood", "within"]


def within(net: NetworkReads, neuron: Hashable, hops: int) -> set[Hashable]:
    """``neuron``, the neurons with a path of at most ``hops`` edges into it, and those it reaches in as many.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> sorted(within(ag.running_example(), 6, 1))
    [3, 4, 5, 6, 9]
    >>> sorted(within(ag.running_example(), 6, 2))
    [1, 2, 3, 4, 5, 6, 9]
    """
    G = net.graph
    found = {neuron}
    for step in (G.predecessors, G.successors):
        frontier = {neuron}
        for _ in range(hops):
            frontier = {m for n in frontier for m in step(n)} - found
            found |= frontier
            if not frontier:
                break
    return found


def _equations(net: NetworkReads, neuron: Hashable, values: PassValues, example: int, style: Style) -> list[str]:
    kind, fmt = net.kind(neuron), style.number_format
    if kind == "input":
        return [f"z_{neuron} = x_{neuron} = {style.number(float(values.trace.z[neuron][example]))}"]
    if kind == "bias":
        return [f"z_{neuron} = 1 (bias)"]
    activation = net.activation(neuron)
    name = "" if activation is None else activation.name
    a, z = (style.number(float(v[neuron][example])) for v in (values.trace.a, values.trace.z))
    lines = [values.weighted_input(neuron, example).format(fmt), f"z_{neuron} = {name}(a_{neuron}) = {name}({a}) = {z}"]
    if values.grads is not None:
        lines += [equation.format(fmt) for equation in values.neuron_gradient(neuron, example)]
    return lines


def neighborhood(
    net: NetworkReads,
    neuron: Hashable,
    hops: int = 1,
    *,
    trace: Trace | None = None,
    grads: Gradients | None = None,
    rankdir: str = "LR",
    title: str | None = None,
    **options: Any,
) -> Picture:
    """A picture of ``neuron`` and everything within ``hops`` edges of it, in and out, in the full view.

    Parameters
    ----------
    net : Network
    neuron : hashable
        The neuron in the middle (drawn with a thick border).
    hops : int, default 1
        How many edges away, upstream and downstream, neurons are drawn;
        the edges that leave the picture end in "+N more" nodes.
    trace, grads : optional
        A forward (and backward) pass: every neuron shows its values, and the
        caption gives ``neuron``'s equations with their numbers.
    rankdir, title, **options
        As in :func:`~autograd_graph.to_graphviz`'s full view
        (``number_format``, ``example``, ``max_per_rank``, ``edge_labels`` …).

    Returns
    -------
    Picture
        A ``graphviz.Digraph`` in the full view.

    Raises
    ------
    UnknownNeuronError
        No such neuron.
    PictureOptionError
        ``hops`` not a whole number of at least 1, or a bad option value.
    PictureTooBigError
        The neighbourhood is too big for the full view (use ``max_per_rank=``).

    Examples
    --------
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> trace = net.forward([[0.5]])
    >>> g = neighborhood(net, 6, trace=trace, grads=net.backward(trace, [[1.0]]), number_format=".3f")
    >>> print(g.graph_attr["label"].replace("\\\\l", "\\n"))
    neuron 6 and its neighbours within 1 edge
    a_6 = w_3,6·z_3 + w_4,6·z_4 + w_5,6 = 0.362·0.365 + 0.477·0.300 + 0.265 = 0.540
    z_6 = logistic(a_6) = logistic(0.540) = 0.632
    ∂ℓ/∂z_6 = ∂ℓ/∂a_9·w_6,9 = (-2.129)·0.502 = -1.070
    ∂ℓ/∂a_6 = ∂ℓ/∂z_6·σ_6′(a_6) = (-1.070)·0.233 = -0.249
    <BLANKLINE>
    >>> sorted(line.split('"')[1] for line in g.source.splitlines() if 'label="+' in line)
    ['+1 more', '+1 more', '+2 more', '+2 more', '+2 more']
    """
    if neuron not in net:
        raise UnknownNeuronError(f"no neuron {neuron!r} in the network")
    if isinstance(hops, bool) or not isinstance(hops, numbers.Integral) or hops < 1:
        raise PictureOptionError(f"hops must be a whole number of at least 1, got {hops!r}")
    check_view_options("full", "full", set(options))
    style = Style(**options)
    focus = within(net, neuron, int(hops))
    drawing = Drawing(net, trace, grads, style, prefix="", focus=focus, highlight=neuron)
    check_full_size(*drawing.drawn_size())
    lines = [title or f"neuron {neuron} and its neighbours within {hops} edge{'s' * (hops != 1)}"]
    if drawing.values is not None:
        example = select_example(style.example, drawing.values.trace.batch_size) or 0
        lines += _equations(net, neuron, drawing.values, example, style)
        lines += [note] if (note := batch_note(trace, style.example)) else []
    g = new_digraph(rankdir, None)
    label = "".join(f"{graphviz.escape(line)}\\l" for line in lines)  # \l: each line left-justified
    g.graph_attr.update(label=label, labelloc="t", labeljust="l", fontsize="12")
    g.size = (len(focus), sum(1 for i, j in net.edges if i in focus and j in focus))
    drawing.draw(g)
    return g
