"""Straight-line Python for small networks: per-example SGD without numpy.

At batch 1 a numpy call costs more than the arithmetic it does, so the array
engine spends its time in call overhead. For a small network,
:func:`per_example_sgd` instead writes the network out as Python source, one
line per formula of the SPEC, the weights as local floats:

- forward, in the compiled row order: ``a_k = Σ_i w_{i,k} z_i``, ``z_k = σ_k(a_k)``;
- the loss and its ``∂ℓ/∂z`` of every output;
- backward, in reverse: ``∂ℓ/∂z_k = Σ_j ∂ℓ/∂a_j w_{k,j}`` (plus the loss's own
  term for an output), ``∂ℓ/∂a_k = ∂ℓ/∂z_k σ_k'(a_k)``;
- the update ``w_{i,j} -= η ∂ℓ/∂a_j z_i`` once every gradient of the example is known.

The source is compiled once per network structure and loss, and is readable
(``sgd_source(net)``): for the running example it is the hand derivation of
the source texts. Networks it cannot write out (more than
:data:`MAX_EDGES` edges, an activation or loss without a scalar formula here)
take the array engine instead, with the same numbers.

Examples
--------
>>> import numpy as np
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> x = np.linspace(-1, 1, 8)[:, None]
>>> losses = per_example_sgd(net, x, np.sin(3 * x), 0.1)
>>> losses.shape
(8,)
>>> print(sgd_source(net).splitlines()[0])
def sgd(w, X, Y, step_sizes):
"""

from __future__ import annotations

from collections.abc import Sequence
from math import exp, expm1, log1p, tanh
from typing import TYPE_CHECKING, Any

import numpy as np

from .activations import ACTIVATIONS, LEAKY_RELU_SLOPE
from .data import as_batch
from .exceptions import ShapeError
from .losses import Loss, get_loss

if TYPE_CHECKING:
    from .network import Network

__all__ = ["per_example_sgd", "sgd_source", "MAX_EDGES"]

MAX_EDGES = 5_000  # larger networks are not written out: the array engine is as fast per example

# activation name -> (σ(a), σ'(a, z)) as Python expressions of `a` and `z` (each safe as a factor)
_SCALAR_ACTIVATIONS = {
    "identity": ("{a}", "1.0"),
    "logistic": ("_logistic({a})", "{z} * (1.0 - {z})"),
    "tanh": ("_tanh({a})", "(1.0 - {z} * {z})"),
    "relu": ("({a} if {a} > 0.0 else 0.0)", "(1.0 if {a} > 0.0 else 0.0)"),
    "leaky_relu": ("({a} if {a} > 0.0 else _LEAKY * {a})", "(1.0 if {a} > 0.0 else _LEAKY)"),
    "elu": ("({a} if {a} > 0.0 else _expm1({a}))", "(1.0 if {a} > 0.0 else {z} + 1.0)"),
    "softplus": ("_softplus({a})", "_logistic({a})"),
    "step": ("(1.0 if {a} >= 0.0 else 0.0)", "0.0"),
}
# the table's own activations (a user may register a different function under the same name)
_BUILTIN = {name: ACTIVATIONS[name] for name in _SCALAR_ACTIVATIONS}
# loss name -> (ℓ as a sum of terms of `e = z − y`, ∂ℓ/∂z of one output), with n = number of outputs
_SCALAR_LOSSES = {
    "squared_error": ("{e} * {e}", "2.0 * {e}"),
    "mse": ("{e} * {e} / {n}.0", "2.0 * {e} / {n}.0"),
}


def _logistic(a: float) -> float:
    if a >= 0.0:
        return 1.0 / (1.0 + exp(-a))
    e = exp(a)
    return e / (1.0 + e)


def _softplus(a: float) -> float:
    return max(a, 0.0) + log1p(exp(-abs(a)))


_NAMESPACE = {
    "_logistic": _logistic,
    "_tanh": tanh,
    "_expm1": expm1,
    "_softplus": _softplus,
    "_LEAKY": LEAKY_RELU_SLOPE,
}


def sgd_source(net: Network, loss: str | Loss = "squared_error") -> str | None:
    """The straight-line Python of one epoch of per-example SGD on ``net``, or None if it cannot be written.

    The function it defines, ``sgd(w, X, Y, step_sizes)``, takes the flat
    weights and lists of examples, and returns the new weights and each
    example's loss (before its step).
    """
    loss = get_loss(loss)
    if net.n_weights > MAX_EDGES or loss.name not in _SCALAR_LOSSES or get_loss(loss.name) is not loss:
        return None
    plan = net.compile()
    G = net._graph
    formulas = {}
    for row, node in enumerate(plan.order):
        act = G.nodes[node]["activation"]
        if act is not None:
            name = act.name
            if _BUILTIN.get(name) is not act:
                return None
            formulas[row] = _SCALAR_ACTIVATIONS[name]
    n_in = len(plan.inputs)
    n_sources = n_in + plan.n_biases
    rows = plan.rows
    into: dict[int, list[tuple[int, int]]] = {}  # target row -> [(source row, weight position)]
    out_of: dict[int, list[tuple[int, int]]] = {}  # source row -> [(target row, weight position)]
    for p, (u, v) in enumerate(net._edges):
        into.setdefault(rows[v], []).append((rows[u], p))
        out_of.setdefault(rows[u], []).append((rows[v], p))

    label = _labels(plan.order)
    weight = [f"w_{label[rows[u]]}_{label[rows[v]]}" for u, v in net._edges]
    if len(set(weight)) < len(weight):  # ids with underscores can make two names alike
        label = [f"r{row}" for row in range(len(plan.order))]
        weight = [f"w_{label[rows[u]]}_{label[rows[v]]}" for u, v in net._edges]

    def term(p: int, source: int) -> str:  # a bias neuron's z is 1: its weight enters alone
        return weight[p] if n_in <= source < n_sources else f"{weight[p]} * z_{label[source]}"

    names = ", ".join(weight)
    lines = [
        "def sgd(w, X, Y, step_sizes):",
        f"    {names}, = w",
        "    losses = []",
        "    for x, y, eta in zip(X, Y, step_sizes):",
    ]
    body = [f"{', '.join(f'z_{label[r]}' for r in range(n_in))}, = x"]
    for row in range(n_sources, len(plan.order)):
        f, _ = formulas[row]
        k = label[row]
        body.append(f"a_{k} = {' + '.join(term(p, s) for s, p in into[row])}")
        body.append(f"z_{k} = {f.format(a=f'a_{k}')}")
    value, gradient = _SCALAR_LOSSES[loss.name]
    n_out = len(plan.outputs)
    own = {}
    for column, row in enumerate(plan.output_rows.tolist()):
        body.append(f"e_{label[row]} = z_{label[row]} - y[{column}]")
        own[row] = gradient.format(e=f"e_{label[row]}", n=n_out)
    body.append("losses.append(" + " + ".join(value.format(e=f"e_{label[r]}", n=n_out) for r in own) + ")")
    for row in range(len(plan.order) - 1, n_sources - 1, -1):  # backward: ∂ℓ/∂a, in reverse row order
        k = label[row]
        parts = [f"da_{label[t]} * {weight[p]}" for t, p in out_of.get(row, [])] + ([own[row]] if row in own else [])
        derivative = formulas[row][1].format(a=f"a_{k}", z=f"z_{k}")
        dz = " + ".join(parts) or "0.0"  # ∂ℓ/∂z_k
        body.append(f"da_{k} = {dz}" if derivative == "1.0" else f"da_{k} = ({dz}) * {derivative}")
    for p, (u, v) in enumerate(net._edges):  # ∂ℓ/∂w_{u,v} = ∂ℓ/∂a_v z_u: every gradient is known now
        s, t = rows[u], rows[v]
        body.append(f"{weight[p]} -= eta * da_{label[t]}" + ("" if n_in <= s < n_sources else f" * z_{label[s]}"))
    lines += [f"        {line}" for line in body]
    lines.append(f"    return [{names}], losses")
    return "\n".join(lines) + "\n"


def _labels(order: list) -> list[str]:
    """Names for the neurons in variable names: their ids when those read as names, else ``r<row>``."""

    def readable(n: object) -> bool:
        return (isinstance(n, int) and not isinstance(n, bool) and n >= 0) or (isinstance(n, str) and n.isidentifier())

    labels = [str(n) if readable(n) else f"r{row}" for row, n in enumerate(order)]
    return labels if len(set(labels)) == len(labels) else [f"r{row}" for row in range(len(order))]


def _program(net: Network, loss: str | Loss):
    """The compiled ``sgd`` function, cached on the network's compiled plan; None if none."""
    plan = net.compile()
    key = ("straight-line sgd", get_loss(loss))
    if key not in plan._cache:
        source = sgd_source(net, loss)
        namespace = dict(_NAMESPACE)
        if source is not None:
            exec(compile(source, f"<straight-line SGD of {net!r}>", "exec"), namespace)  # noqa: S102
        plan._cache[key] = namespace.get("sgd")
    return plan._cache[key]


def per_example_sgd(
    net: Network, X: Any, Y: Any, step_sizes: float | Sequence[float], *, loss: str | Loss = "squared_error"
) -> np.ndarray:
    """One epoch of stochastic gradient descent, one example at a time, in the order given.

    For each example ``(x, y)`` in turn: forward, backward, and every weight
    moves against its derivative, ``w ← w − η ∂ℓ/∂w``. Small networks run as
    straight-line Python (see the module notes); others through
    :meth:`Network.forward` and :meth:`Network.backward`, with the same numbers.

    Parameters
    ----------
    net : Network
        Its weights are updated (once, at the end).
    X, Y : array_like
        ``(n_examples, n_inputs)`` and ``(n_examples, n_outputs)``, as for ``forward``.
    step_sizes : float or sequence of float
        ``η``: one for all steps, or one per example (a decreasing schedule).
    loss : str or Loss, default "squared_error"

    Returns
    -------
    ndarray, shape (n_examples,)
        Each example's loss ``ℓ``, computed just before its step.

    Raises
    ------
    InvalidWeightError
        If a weight became non-finite (the step sizes are too large); the
        network keeps the weights it had before the call.
    """
    X = as_batch(X, net.inputs)
    Y = as_batch(Y, net.outputs, what="Y")
    if X.shape[0] != Y.shape[0]:
        raise ShapeError(f"X has {X.shape[0]} examples but Y has {Y.shape[0]}")
    eta = np.broadcast_to(np.asarray(step_sizes, dtype=float), (X.shape[0],))
    sgd = _program(net, loss)
    if sgd is not None:
        weights, losses = sgd(net.weights.tolist(), X.tolist(), Y.tolist(), eta.tolist())
        net.set_weights(weights)
        return np.array(losses)
    start = net.get_weights()
    losses = np.empty(X.shape[0])
    try:
        for i in range(X.shape[0]):
            grads = net.backward(net.forward(X[i]), Y[i], loss=loss)
            losses[i] = grads.loss
            net.set_weights(net.weights - eta[i] * grads.weights.flat)
    except BaseException:
        net.set_weights(start)  # all or nothing, as the straight-line path
        raise
    return losses
