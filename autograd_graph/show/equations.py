"""Equations with numbers: the terms that :func:`~autograd_graph.explain` prints and pictures show.

An :class:`Equation` is ``lhs = Σ terms``, each :class:`Term` a product of
``(symbol, value)`` factors, and keeps the value the engine computed so that
each line can be checked. :class:`PassValues` reads one forward (and
backward) pass of a network neuron by neuron and gives the SPEC's equations
with the numbers filled in: ``a_k = Σ_i w_{i,k}·z_i``,
``∂ℓ/∂z_k = Σ_j ∂ℓ/∂a_j·w_{k,j}``, ``∂ℓ/∂a_k = ∂ℓ/∂z_k·σ_k′(a_k)``,
``∂ℓ/∂w_{i,j} = ∂ℓ/∂a_j·z_i``. A loss's own term comes from its entry in the
loss table (``own_terms``).

These read the network only through the public reads listed in
:class:`NetworkReads` (every :class:`~autograd_graph.Network` has them), so
the network can hand its pictures to this package without a circle.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import networkx as nx

from ..activations import Activation
from ..exceptions import ExampleError, MissingGradientsError, ShapeError, UnknownEdgeError
from ..losses import Loss, get_loss

if TYPE_CHECKING:
    import numpy as np

    from ..results import Gradients, Trace
    from ..topology import IndexedGraph

__all__ = [
    "NetworkReads",
    "Term",
    "Equation",
    "format_number",
    "join_sum",
    "PassValues",
    "check_pass",
    "edge_weights",
    "select_example",
    "NumberFormat",
]


class NetworkReads(Protocol):
    """The public reads of a :class:`~autograd_graph.Network` that explanations and pictures use."""

    @property
    def graph(self) -> nx.DiGraph: ...
    @property
    def neurons(self) -> list[Hashable]: ...
    @property
    def edges(self) -> list[tuple]: ...
    @property
    def weights(self) -> np.ndarray: ...
    @property
    def biases(self) -> list[Hashable]: ...
    @property
    def n_neurons(self) -> int: ...
    @property
    def n_weights(self) -> int: ...
    def kind(self, neuron: Hashable) -> str: ...
    def activation(self, neuron: Hashable) -> Activation | None: ...
    def is_layered(self) -> bool: ...
    def layers(self) -> list[list[Hashable]]: ...
    def generations(self) -> list[list[Hashable]]: ...
    def indexed(self) -> IndexedGraph: ...
    def check_trace(self, trace: Trace) -> None: ...
    def __contains__(self, neuron: object) -> bool: ...


NumberFormat = str | Callable[[float], str]
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


# ----------------------------------------------------------------- checks
def edge_weights(net: NetworkReads) -> dict[tuple, float]:
    """``{(i, j): w_{i,j}}`` for every edge, as Python floats.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> round(edge_weights(ag.running_example(seed=0))[6, 9], 3)
    0.502
    """
    return dict(zip(net.edges, net.weights.tolist(), strict=True))


def check_pass(net: NetworkReads, trace: Trace | None, grads: Gradients | None = None) -> None:
    """Check that ``trace`` (and ``grads``) come from ``net`` as it is now.

    Raises
    ------
    StaleTraceError
        The network changed after ``trace`` was computed (see ``Network.check_trace``).
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
    net.check_trace(trace)
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

    net: NetworkReads
    trace: Trace
    grads: Gradients | None
    weights: dict[tuple, float]  # w_{i,j} by edge, read once
    loss_function: Loss  # the loss ``grads`` are of

    @classmethod
    def of(
        cls, net: NetworkReads, trace: Trace, grads: Gradients | None = None, loss: str | Loss | None = None
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
        formula = self.loss_function.own_terms.get(of)
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
