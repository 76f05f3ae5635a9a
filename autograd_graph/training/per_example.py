"""Per-example SGD, the way the source texts teach it, at the speed of straight-line code.

:func:`per_example_sgd` runs one epoch of stochastic gradient descent, one
example at a time. Small networks run as the straight-line Python that
:mod:`autograd_graph.engines.codegen` writes from their schedule
(:func:`sgd_source` shows it), compiled by numba when it is installed (the
extra ``numba``) and the network has at most
:data:`~autograd_graph.engines.jit.NUMBA_MAX_EDGES` edges; others go through
``forward`` and ``backward``. All three give the same numbers (to rounding).

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
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data import as_batch
from ..engines.codegen import sgd_function
from ..engines.codegen import sgd_source as schedule_source
from ..exceptions import ShapeError
from ..losses import Loss

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["per_example_sgd", "sgd_source"]


def sgd_source(net: Network, loss: str | Loss = "squared_error") -> str | None:
    """The straight-line Python of one epoch of per-example SGD on ``net``, or None if it cannot be written."""
    return schedule_source(net.compile().schedule, loss)


def per_example_sgd(
    net: Network, X: Any, Y: Any, step_sizes: float | Sequence[float], *, loss: str | Loss = "squared_error"
) -> np.ndarray:
    """One epoch of stochastic gradient descent, one example at a time, in the order given.

    For each example ``(x, y)`` in turn: forward, backward, and every weight
    moves against its derivative, ``w ← w − η ∂ℓ/∂w``.

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
    schedule = net.compile().schedule
    compiled = sgd_function(schedule, loss, backend="numba")
    if compiled is not None:
        weights, losses = compiled(*(np.array(a, dtype=np.float64, order="C") for a in (net.weights, X, Y, eta)))
        net.set_weights(weights)
        return losses
    sgd = sgd_function(schedule, loss)
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
