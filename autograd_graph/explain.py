"""The chain rule with numbers: ``ag.explain(net, trace, grads, target)``.

For a neuron ``k`` it decomposes ``∂ℓ/∂z_k`` into what flows back from every
neuron ``k`` feeds (the multivariate chain rule), then ``∂ℓ/∂a_k``; for a
weight ``w_{i,j}`` it gives ``∂ℓ/∂w_{i,j} = ∂ℓ/∂a_j · z_i``. Every symbol gets
its number from the forward trace and the backward gradients, so each line
can be checked by hand, in the SPEC's notation (``w_4,6`` is ``w_{4,6}``).

With a batch of one example the loss is ``ℓ``; with a bigger batch it is the
batch mean ``L``, and per-example gradients carry its ``1/batch``.

The same equations give the tooltips of :mod:`autograd_graph.render`.

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

import math
import numbers
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .exceptions import ExampleError, MissingGradientsError, ShapeError, StaleTraceError, UnknownEdgeError
from .losses import Loss, get_loss

if TYPE_CHECKING:
    from .network import Network
    from .results import Gradients, Trace

__all__ = [
    "Term",
    "Equation",
    "Explanation",
    "explain",
    "format_number",
    "join_sum",
    "PassValues",
    "check_pass",
    "check_trace",
    "edge_weights",
    "select_example",
]

NumberFormat = str | Callable[[float], str]
# the own term of each built-in loss: of ∂ℓ/∂z, and of ∂ℓ/∂a for a loss that gives it
_OWN_TERMS = {
    ("squared_error", "z"): "2 (z − y)",
    ("mse", "z"): "2 (z − y) / n_outputs",
    ("binary_cross_entropy", "z"): "(z − y) / (z (1 − z)); ∂ℓ/∂a takes σ(a) − y, not this times σ′",
    ("binary_cross_entropy", "a"): "σ(a) − y",
    ("softmax_cross_entropy", "z"): "softmax(z) − y",
}
MAX_TERMS_SHOWN = 8  # the numeric side of a long sum stops after this many terms


def format_number(value: float, number_format: NumberFormat = ".4g") -> str:
    """Format one number with a format spec (``".3g"``) or a callable.

    Examples
    --------
    >>> format_number(0.123456, ".3f"), format_number(2.0, lambda v: f"{v:+.1f}")
    ('0.123', '+2.0')
    """
    return number_format(value) if callable(number_format) else format(value, number_format)


@dataclass(frozen=True)
class Term:
    """One product of a sum, as ``(symbol, value)`` factors.

    Examples
    --------
    >>> t = Term((("∂ℓ/∂a_6", -0.5), ("w_4,6", 0.25)))
    >>> t.symbol, t.numbers(".2f"), t.value
    ('∂ℓ/∂a_6·w_4,6', '(-0.50)·0.25', -0.125)
    """

    factors: tuple[tuple[str, float], ...]

    @property
    def value(self) -> float:
        """The product of the factors."""
        return math.prod(value for _, value in self.factors)

    @property
    def symbol(self) -> str:
        """The product in symbols, e.g. ``∂ℓ/∂a_6·w_4,6``."""
        return "·".join(symbol for symbol, _ in self.factors)

    def numbers(self, number_format: NumberFormat = ".4g") -> str:
        """The product in numbers; negative factors of a product get parentheses."""
        texts = [format_number(value, number_format) for _, value in self.factors]
        if len(texts) > 1:
            texts = [f"({t})" if t.startswith("-") else t for t in texts]
        return "·".join(texts)


def join_sum(texts: list[str]) -> str:
    """Join the terms of a sum, subtracting those written with a leading minus.

    Examples
    --------
    >>> join_sum(["0.5·z_1", "-0.25", "(-1)·z_2"])
    '0.5·z_1 - 0.25 + (-1)·z_2'
    """
    joined = texts[0]
    for text in texts[1:]:
        joined += f" - {text[1:]}" if text.startswith("-") else f" + {text}"
    return joined


@dataclass(frozen=True)
class Equation:
    """``lhs = Σ terms``, with the value the engine computed for ``lhs``.

    Attributes
    ----------
    lhs : str
        The quantity, e.g. ``∂ℓ/∂z_4``.
    terms : tuple of Term
        The sum's terms with their numbers.
    engine : float or None
        The value the forward or backward pass computed for ``lhs`` (None
        when the passes hold no such value, e.g. one example's share of a
        weight's gradient); :attr:`value` should equal it.
    symbolic : str or None
        The right-hand side in symbols when it is not just the terms' symbols
        (a sum over a batch).
    note : str
        A remark printed after the equation.

    Examples
    --------
    >>> eq = Equation("a_6", (Term((("w_4,6", 0.5), ("z_4", 2.0))), Term((("w_5,6", -0.25),))), engine=0.75)
    >>> print(eq.format(".2f"))
    a_6 = w_4,6·z_4 + w_5,6 = 0.50·2.00 - 0.25 = 0.75
    >>> eq.value == eq.engine
    True
    """

    lhs: str
    terms: tuple[Term, ...]
    engine: float | None = None
    symbolic: str | None = None
    note: str = ""

    @property
    def value(self) -> float:
        """The sum of the terms."""
        return math.fsum(term.value for term in self.terms)

    def format(self, number_format: NumberFormat = ".4g", max_terms: int = MAX_TERMS_SHOWN) -> str:
        """``lhs = symbols = numbers = value``; the numbers only where they add something."""
        if not self.terms:
            return f"{self.lhs} = 0" + (f"   ({self.note})" if self.note else "")
        symbolic = self.symbolic or " + ".join(term.symbol for term in self.terms)
        numbers = join_sum([term.numbers(number_format) for term in self.terms[:max_terms]])
        if len(self.terms) > max_terms:
            numbers += f" + … ({len(self.terms) - max_terms} more terms)"
        value = format_number(self.value, number_format)
        parts = [self.lhs, symbolic] + ([numbers] if numbers != value else []) + [value]
        return " = ".join(parts) + (f"   ({self.note})" if self.note else "")

    def __str__(self) -> str:
        return self.format()


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


# ----------------------------------------------------------------- checks
def check_trace(net: Network, trace: Trace) -> None:
    """Check that ``trace`` was computed by ``net`` as it is now (the check of ``Network.backward``).

    Raises
    ------
    StaleTraceError
        Another network computed ``trace``, or ``net`` changed since.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> trace = net.forward([[0.5]])
    >>> check_trace(net, trace)
    >>> net.set_weight(6, 9, 0.1)
    >>> try:
    ...     check_trace(net, trace)
    ... except StaleTraceError as error:
    ...     print(error)
    the network changed (structure or weights) after this trace was computed; call forward again
    """
    if trace.versions[0] is not net._versions[0]:
        raise StaleTraceError("this trace was computed by another network; call forward on this one")
    if trace.versions != net._versions:
        raise StaleTraceError(
            "the network changed (structure or weights) after this trace was computed; call forward again"
        )


def edge_weights(net: Network) -> dict[tuple, float]:
    """``{(i, j): w_{i,j}}`` for every edge, as Python floats.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> round(edge_weights(ag.running_example(seed=0))[6, 9], 3)
    0.502
    """
    return dict(zip(net.edges, net.weights.tolist(), strict=True))


def check_pass(net: Network, trace: Trace | None, grads: Gradients | None = None) -> None:
    """Check that ``trace`` (and ``grads``) come from ``net`` as it is now.

    Raises
    ------
    StaleTraceError
        The network changed after ``trace`` was computed (see :func:`check_trace`).
    MissingGradientsError
        ``grads`` without ``trace``.
    ShapeError
        Gradients of another network or batch.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> trace = net.forward([[0.5], [1.0]])
    >>> check_pass(net, trace, net.backward(trace, [[1.0], [0.0]]))
    >>> try:
    ...     check_pass(net, None, net.backward(trace, [[1.0], [0.0]]))
    ... except MissingGradientsError as error:
    ...     print(error)
    gradients need the trace they were computed from; pass trace= as well
    """
    if trace is None:
        if grads is not None:
            raise MissingGradientsError("gradients need the trace they were computed from; pass trace= as well")
        return
    check_trace(net, trace)
    if grads is not None and (len(grads.a) != net.n_neurons or grads.a.array.shape[1] != trace.batch_size):
        raise ShapeError(
            f"the gradients do not match the trace: {len(grads.a)} neurons × {grads.a.array.shape[1]} examples "
            f"against {net.n_neurons} neurons × {trace.batch_size} examples"
        )


def select_example(example: int | None, batch_size: int) -> int | None:
    """The example to show: ``example`` checked against the batch (negative counts from the end).

    None stays None (the whole batch), except for a batch of one, where it is 0.

    Examples
    --------
    >>> select_example(-1, 4), select_example(None, 1), select_example(None, 4)
    (3, 0, None)
    >>> select_example(4, 4)
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.ExampleError: example 4 is out of range for a batch of 4 (use 0 … 3)
    """
    if example is None:
        return 0 if batch_size == 1 else None
    integer = isinstance(example, numbers.Integral) and not isinstance(example, bool)
    if not integer or not -batch_size <= example < batch_size:
        raise ExampleError(
            f"example {example!r} is out of range for a batch of {batch_size} (use 0 … {batch_size - 1})"
        )
    return int(example) % batch_size


# -------------------------------------------------------------- equations
@dataclass(frozen=True)
class PassValues:
    """A network with the values of one forward (and backward) pass, read neuron by neuron.

    Build it with :meth:`of`, which checks that the passes belong to the
    network as it is now; its methods give the equations of single neurons
    and weights (the SPEC's formulas with the numbers filled in).
    """

    net: Network
    trace: Trace
    grads: Gradients | None
    weights: dict[tuple, float]  # w_{i,j} by edge, read once
    loss_function: Loss  # the loss ``grads`` are of

    @classmethod
    def of(
        cls, net: Network, trace: Trace, grads: Gradients | None = None, loss: str | Loss | None = None
    ) -> PassValues:
        """Check ``trace`` and ``grads`` against ``net`` (see :func:`check_pass`) and bundle them.

        ``loss`` is the loss ``grads`` were computed with; by default the one
        they record (``grads.loss_function``), or squared error without ``grads``.

        Examples
        --------
        >>> import autograd_graph as ag
        >>> net = ag.running_example(seed=0)
        >>> values = PassValues.of(net, net.forward([[0.5]]), loss="mse")
        >>> values.loss, values.loss_function
        ('ℓ', Loss('mse'))
        """
        check_pass(net, trace, grads)
        if loss is None:
            loss = getattr(grads, "loss_function", None) or "squared_error"
        return cls(net, trace, grads, edge_weights(net), get_loss(loss))

    @property
    def loss(self) -> str:
        """``ℓ`` for a batch of one example, else ``L`` (the batch mean)."""
        return "ℓ" if self.trace.batch_size == 1 else "L"

    def _gradients(self) -> Gradients:
        if self.grads is None:
            raise MissingGradientsError("this needs the gradients of a backward pass: grads = net.backward(trace, Y)")
        return self.grads

    def weighted_input(self, neuron: Hashable, example: int) -> Equation:
        """``a_k = Σ_i w_{i,k}·z_i`` of a hidden or output neuron, for one example.

        A bias neuron's ``z = 1`` is left out of its term, as the SPEC writes
        ``a_6 = w_3,6·z_3 + w_4,6·z_4 + w_5,6``.

        Examples
        --------
        >>> import autograd_graph as ag
        >>> net = ag.running_example(seed=0)
        >>> values = PassValues.of(net, net.forward([[0.5]]))
        >>> print(values.weighted_input(6, 0).format(".3f"))
        a_6 = w_3,6·z_3 + w_4,6·z_4 + w_5,6 = 0.362·0.365 + 0.477·0.300 + 0.265 = 0.540
        """
        terms = []
        for source in self.net.graph.predecessors(neuron):
            w = (f"w_{source},{neuron}", self.weights[source, neuron])
            z = (f"z_{source}", float(self.trace.z[source][example]))
            terms.append(Term((w,) if self.net.kind(source) == "bias" else (w, z)))
        return Equation(f"a_{neuron}", tuple(terms), engine=float(self.trace.a[neuron][example]))

    def _own_term(self, of: str) -> str:
        """The note naming the loss's own term of ``∂ℓ/∂z`` (``of="z"``) or ``∂ℓ/∂a`` (``of="a"``)."""
        name = self.loss_function.name
        formula = _OWN_TERMS.get((name, of))
        per_batch = " / batch" if self.loss == "L" else ""
        if formula is None:
            return f"[loss] is the own term of loss {name!r}"
        return f"[loss] is {name}'s own term, {formula}{per_batch}"

    def neuron_gradient(self, neuron: Hashable, example: int) -> tuple[Equation, ...]:
        """``∂ℓ/∂z_k = Σ_j ∂ℓ/∂a_j·w_{k,j}``, then ``∂ℓ/∂a_k = ∂ℓ/∂z_k·σ_k′(a_k)`` (not for input and bias neurons).

        An output neuron's ``∂ℓ/∂z`` also has the loss's own term; the passes
        do not keep it apart, so it is ``∂ℓ/∂z_k`` minus what flows back. A
        loss that gives ``∂ℓ/∂a`` of the outputs itself (binary cross-entropy
        on logistic outputs: ``σ(a) − y``) adds its own term to ``∂ℓ/∂a``
        instead: ``∂ℓ/∂a_k = (Σ_j ∂ℓ/∂a_j·w_{k,j})·σ_k′(a_k) + [loss]``.

        Examples
        --------
        >>> import autograd_graph as ag
        >>> net = ag.from_edge_list([("x", "y", 40.0)], output_activation="logistic")
        >>> trace = net.forward([[1.0]])
        >>> grads = net.backward(trace, [[0.0]], loss="binary_cross_entropy")
        >>> values = PassValues.of(net, trace, grads, loss="binary_cross_entropy")
        >>> print(values.neuron_gradient("y", 0)[-1].format(".3g"))
        ∂ℓ/∂a_y = ∂ℓ/∂a_y[loss] = 1   ([loss] is binary_cross_entropy's own term, σ(a) − y)
        """
        grads, loss = self._gradients(), self.loss
        terms = [
            Term(((f"∂{loss}/∂a_{j}", float(grads.a[j][example])), (f"w_{neuron},{j}", self.weights[neuron, j])))
            for j in self.net.graph.successors(neuron)
        ]
        downstream = math.fsum(t.value for t in terms)
        dz = float(grads.z[neuron][example])
        da = float(grads.a[neuron][example])
        output = self.net.kind(neuron) == "output"
        own_a = output and self.loss_function.gradient_a is not None
        note = "" if terms else "it feeds no neuron"
        if output:
            terms.insert(0, Term(((f"∂{loss}/∂z_{neuron}[loss]", dz - downstream),)))
            note = self._own_term("z")
        equations = [Equation(f"∂{loss}/∂z_{neuron}", tuple(terms), engine=dz, note=note)]
        activation = self.net.activation(neuron)
        if activation is None:
            return tuple(equations)
        a = self.trace.a[neuron][example : example + 1]
        z = self.trace.z[neuron][example : example + 1]
        slope = float(activation.derivative(a, z)[0])
        sigma = (f"σ_{neuron}′(a_{neuron})", slope)
        if not own_a:
            factors = ((f"∂{loss}/∂z_{neuron}", dz), sigma)
            equations.append(Equation(f"∂{loss}/∂a_{neuron}", (Term(factors),), engine=da))
            return tuple(equations)
        # the loss's own ∂ℓ/∂a replaces its ∂ℓ/∂z·σ′ (which underflows where σ′ does); what flows back keeps σ′
        flows_back = len(terms) > 1
        a_terms = [Term(((f"∂{loss}/∂z_{neuron}[net]", downstream), sigma))] if flows_back else []
        a_terms.append(Term(((f"∂{loss}/∂a_{neuron}[loss]", da - (downstream * slope if flows_back else 0.0)),)))
        equations.append(Equation(f"∂{loss}/∂a_{neuron}", tuple(a_terms), engine=da, note=self._own_term("a")))
        return tuple(equations)

    def weight_gradient(self, edge: tuple, example: int | None) -> Equation:
        """``∂ℓ/∂w_{i,j} = ∂ℓ/∂a_j·z_i`` for one example, or its sum over the batch (``example=None``).

        For a bias neuron ``i`` (``z_i = 1``) the factor ``z_i`` is left out.

        Examples
        --------
        >>> import autograd_graph as ag
        >>> net = ag.running_example(seed=0)
        >>> trace = net.forward([[0.5]])
        >>> values = PassValues.of(net, trace, net.backward(trace, [[1.0]]))
        >>> print(values.weight_gradient((8, 9), 0).format(".3f"))
        ∂ℓ/∂w_8,9 = ∂ℓ/∂a_9 = -2.129
        """
        if edge not in self.weights:
            raise UnknownEdgeError(f"no edge {edge!r} in the network")
        grads, (i, j) = self._gradients(), edge
        bias = self.net.kind(i) == "bias"
        name = f"w_{i},{j}"
        if example is None:
            terms = tuple(
                Term(((f"∂L/∂a_{j}[{b}]", float(da)),) + (() if bias else ((f"z_{i}[{b}]", float(z)),)))
                for b, (da, z) in enumerate(zip(grads.a[j], self.trace.z[i], strict=True))
            )
            symbolic = f"Σ_b ∂L/∂a_{j}[b]" + ("" if bias else f"·z_{i}[b]")
            return Equation(f"∂L/∂{name}", terms, engine=grads.weights[edge], symbolic=symbolic)
        factors: tuple[tuple[str, float], ...] = ((f"∂{self.loss}/∂a_{j}", float(grads.a[j][example])),)
        if not bias:
            factors += ((f"z_{i}", float(self.trace.z[i][example])),)
        if self.trace.batch_size == 1:
            return Equation(f"∂ℓ/∂{name}", (Term(factors),), engine=grads.weights[edge])
        note = f"example {example}'s share of ∂L/∂{name} = {grads.weights[edge]:.4g}"
        return Equation(f"∂L/∂{name}", (Term(factors),), note=note)


# ----------------------------------------------------------------- explain
def explain(
    net: Network,
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
    net : Network
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
