"""The chain rule with numbers: ``ag.explain(net, trace, grads, target)``.

For a neuron ``k`` it decomposes ``∂ℓ/∂z_k`` into what flows back from every
neuron ``k`` feeds (the multivariate chain rule), then ``∂ℓ/∂a_k``; for a
weight ``w_{i,j}`` it gives ``∂ℓ/∂w_{i,j} = ∂ℓ/∂a_j · z_i``. Every symbol gets
its number from the forward trace and the backward gradients, so each line
can be checked by hand, in the SPEC's notation (``w_4,6`` is ``w_{4,6}``).

With a batch of one example the loss is ``ℓ``; with a bigger batch it is the
batch mean ``L``, and per-example gradients carry its ``1/batch``.

The equations come from :mod:`.equations`, which gives the tooltips of the pictures too.

Examples
--------
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> trace = net.forward([[0.5]])
>>> grads = net.backward(trace, [[1.0]])
>>> print(explain(net, trace, grads, 4, number_format=".3f"))
neuron 4 (hidden, logistic), example 0 of 1:
∂ℓ/∂z_4 = ∂ℓ/∂a_6·w_4,6 + ∂ℓ/∂a_7·w_4,7 = (-0.249)·0.477 + (-0.194)·0.151 = -0.148
∂ℓ/∂a_4 = ∂ℓ/∂z_4·σ_4′(a_4) = (-0.148)·0.210 = -0.031
>>> e = explain(net, trace, grads, (6, 9))
>>> print(e.equations[0].format(".3f"))
∂ℓ/∂w_6,9 = ∂ℓ/∂a_9·z_6 = (-2.129)·0.632 = -1.345
>>> bool(abs(e.value - grads.weights[(6, 9)]) < 1e-12)
True
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from ..exceptions import ExampleError, MissingGradientsError
from ..losses import Loss
from ..results import Gradients, Trace
from ..tables import html_table
from .equations import (
    MAX_TERMS_SHOWN,
    Equation,
    NetworkReads,
    NumberFormat,
    PassValues,
    format_number,
    join_sum,
    select_example,
)

__all__ = ["Explanation", "explain"]


@dataclass(frozen=True)
class Explanation:
    """What :func:`explain` returns: the equations of one neuron or weight.

    Attributes
    ----------
    target : neuron id or edge ``(i, j)``
    example : int or None
        The example of the batch, or None for a sum over the whole batch.
    batch_size : int
    equations : tuple of Equation
        The first is the target's own gradient (``∂ℓ/∂z_k`` of a neuron,
        ``∂ℓ/∂w_{i,j}`` of a weight); the next ones are the links of the
        chain behind it.
    header : str
        The first line of ``str(explanation)``.
    number_format : str or callable
        How ``str`` formats the numbers.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> trace = net.forward([[0.5]])
    >>> e = explain(net, trace, net.backward(trace, [[1.0]]), (6, 9))
    >>> e.target, e.example, e.batch_size, len(e.equations)
    ((6, 9), 0, 1, 2)
    >>> e.header
    'weight w_6,9 (edge 6 → 9), example 0 of 1:'
    """

    target: Hashable
    example: int | None
    batch_size: int
    equations: tuple[Equation, ...]
    header: str
    number_format: NumberFormat = ".4g"

    @property
    def value(self) -> float:
        """The target's gradient, as the sum of the first equation's terms."""
        return self.equations[0].value

    def __str__(self) -> str:
        return "\n".join([self.header, *(eq.format(self.number_format) for eq in self.equations)])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        """A table for Jupyter: a row per equation, its symbols, its numbers, its value."""
        rows = []
        for eq in self.equations:
            symbols = eq.symbolic or " + ".join(term.symbol for term in eq.terms) or "0"
            shown = eq.terms[:MAX_TERMS_SHOWN]
            numbers = join_sum([term.numbers(self.number_format) for term in shown]) if eq.terms else ""
            if len(eq.terms) > MAX_TERMS_SHOWN:
                numbers += f" + … ({len(eq.terms) - MAX_TERMS_SHOWN} more terms)"
            rows.append([eq.lhs, symbols, numbers, format_number(eq.value, self.number_format), eq.note])
        return html_table(["quantity", "in symbols", "in numbers", "value", "note"], rows, self.header)


# ----------------------------------------------------------------- explain
def explain(
    net: NetworkReads,
    trace: Trace,
    grads: Gradients,
    target: Hashable | tuple,
    *,
    example: int | None = None,
    number_format: NumberFormat = ".4g",
    loss: str | Loss | None = None,
) -> Explanation:
    """The chain-rule decomposition of one neuron's or one weight's gradient, with numbers.

    Parameters
    ----------
    net : NetworkReads
    trace : Trace
        ``net.forward(X)``, with the network unchanged since.
    grads : Gradients
        ``net.backward(trace, Y)``.
    target : neuron id or edge ``(i, j)``
        A neuron: ``∂ℓ/∂z_k = Σ_j ∂ℓ/∂a_j·w_{k,j}`` and ``∂ℓ/∂a_k``. An edge
        (a tuple that is an edge of the network): ``∂ℓ/∂w_{i,j} = ∂ℓ/∂a_j·z_i``
        and the link ``∂ℓ/∂a_j = ∂ℓ/∂z_j·σ_j′(a_j)`` behind it.
    example : int, optional
        Which example of the batch. By default: the only one of a batch of
        one; for a weight on a bigger batch, the sum over the batch (which is
        ``grads.weights[(i, j)]``). A neuron on a bigger batch needs it.
    number_format : str or callable, default ".4g"
        A format spec, or a function of a float, for ``str(explanation)``.
    loss : str or Loss, optional
        The loss ``grads`` were computed with (by default the one they
        record, ``grads.loss_function``):
        it names the output neurons' own term, and a loss that gives ``∂ℓ/∂a``
        itself (binary cross-entropy) adds that term to ``∂ℓ/∂a``.

    Returns
    -------
    Explanation
        Its ``equations`` hold every term with its number; ``str`` prints them.

    Raises
    ------
    UnknownNeuronError, UnknownEdgeError
        If ``target`` is neither a neuron nor an edge.
    ExampleError
        ``example`` out of range, or missing for a neuron on a batch.
    StaleTraceError
        The network changed after the forward pass.
    MissingGradientsError
        ``grads`` is None.
    UnknownLossError
        ``loss`` is not a known loss.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> trace = net.forward([[0.5], [1.0]])
    >>> grads = net.backward(trace, [[1.0], [0.0]])
    >>> print(explain(net, trace, grads, (8, 9), number_format=".3f"))
    weight w_8,9 (edge 8 → 9), summed over the batch of 2:
    ∂L/∂w_8,9 = Σ_b ∂L/∂a_9[b] = -1.065 - 0.066 = -1.131
    >>> print(explain(net, trace, grads, 7, example=1, number_format=".3f"))
    neuron 7 (hidden, logistic), example 1 of 2:
    ∂L/∂z_7 = ∂L/∂a_9·w_7,9 = (-0.066)·0.365 = -0.024
    ∂L/∂a_7 = ∂L/∂z_7·σ_7′(a_7) = (-0.024)·0.249 = -0.006

    With binary cross-entropy the loss gives ``∂ℓ/∂a`` of a logistic output
    itself, exact even where ``σ′`` underflows to 0:

    >>> net = ag.from_edge_list([("x", "y", 40.0)], output_activation="logistic")
    >>> trace = net.forward([[1.0]])
    >>> grads = net.backward(trace, [[0.0]], loss="binary_cross_entropy")
    >>> e = explain(net, trace, grads, "y")  # the loss is the one grads record
    >>> print(e.equations[-1].format(".3g"))
    ∂ℓ/∂a_y = ∂ℓ/∂a_y[loss] = 1   ([loss] is binary_cross_entropy's own term, σ(a) − y)
    >>> float(grads.a["y"][0])
    1.0
    """
    if grads is None:
        raise MissingGradientsError(
            f"explain needs the gradients of a backward pass for {target!r}: grads = net.backward(trace, Y)"
        )
    values = PassValues.of(net, trace, grads, loss)
    batch = trace.batch_size
    chosen = select_example(example, batch)
    if isinstance(target, tuple) and len(target) == 2 and target not in net:
        return _explain_weight(values, target, chosen, number_format)
    kind = net.kind(target)  # raises UnknownNeuronError naming the target
    if chosen is None:
        raise ExampleError(
            f"neuron {target!r} has one gradient per example; pass example=0 … {batch - 1} "
            f"(only a weight's gradient is summed over the batch)"
        )
    activation = net.activation(target)
    what = kind if activation is None else f"{kind}, {activation.name}"
    header = f"neuron {target} ({what}), example {chosen} of {batch}:"
    equations = values.neuron_gradient(target, chosen)
    return Explanation(target, chosen, batch, equations, header, number_format)


def _explain_weight(values: PassValues, edge: tuple, example: int | None, number_format: NumberFormat) -> Explanation:
    i, j = edge
    main = values.weight_gradient(edge, example)
    batch = values.trace.batch_size
    where = f"summed over the batch of {batch}" if example is None else f"example {example} of {batch}"
    header = f"weight w_{i},{j} (edge {i} → {j}), {where}:"
    equations = (main,) if example is None else (main, values.neuron_gradient(j, example)[-1])
    return Explanation(edge, example, batch, equations, header, number_format)
