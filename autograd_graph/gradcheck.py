"""Checking gradients against central finite differences, in float64."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .data import as_batch
from .exceptions import GradientCheckError
from .losses import Loss

if TYPE_CHECKING:
    from .network import Network

__all__ = ["check_gradients", "GradientCheckReport"]


@dataclass(frozen=True)
class GradientCheckReport:
    """What :func:`check_gradients` compared.

    Attributes
    ----------
    names : list of str
        What each row is: ``"w[i→j]"`` for a weight, ``"x[k]"`` for input neuron ``k``.
    analytic, numeric : ndarray
        Backward's values and the finite-difference estimates.
    max_error : float
        The largest absolute difference ``|analytic − numeric|`` (inf when a
        value on either side is not finite).
    """

    names: list[str]
    analytic: np.ndarray
    numeric: np.ndarray
    max_error: float

    def __str__(self) -> str:
        lines = [f"{'':>16} {'analytic':>14} {'numeric':>14}"]
        lines += [
            f"{n:>16} {a:14.8g} {b:14.8g}" for n, a, b in zip(self.names, self.analytic, self.numeric, strict=True)
        ]
        return "\n".join(lines)


def check_gradients(
    net: Network,
    X: Any,
    Y: Any,
    *,
    loss: str | Loss = "squared_error",
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-4,
    engine: str = "compiled",
    max_weights: int | None = None,
    seed: int = 0,
) -> GradientCheckReport:
    """Compare ``net.backward`` with central finite differences of the loss.

    Checks ``∂L/∂w`` of every weight (or of ``max_weights`` of them, drawn
    with ``seed``) and ``∂L/∂z`` of every input neuron summed over the batch
    (perturbing ``X``). Everything runs in float64; the network's weights are
    restored afterwards, with their version: traces computed before the
    check stay valid. A value that is NaN or infinite on either side fails.

    Parameters
    ----------
    net : Network
    X, Y : array_like or mapping
        As for ``forward`` and ``backward``.
    loss : str or Loss
    eps : float
        Finite-difference step.
    atol, rtol : float
        A value passes when ``|analytic − numeric| ≤ atol + rtol·|numeric|``.
    engine : {"compiled", "reference"}
        The engine whose backward is checked.
    max_weights : int, optional
        Check a random subset of this many weights (for big networks).
    seed : int
        Seeds that subset.

    Returns
    -------
    GradientCheckReport

    Raises
    ------
    GradientCheckError
        On the first mismatch (or non-finite value), naming the edge or
        neuron and showing both values.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=1)
    >>> report = check_gradients(net, [[0.3]], [[1.0]])
    >>> report.max_error < 1e-8
    True
    """
    X = as_batch(X, net.inputs, dtype=np.float64)
    with np.errstate(all="ignore"):  # a non-finite value is reported below
        trace = net.forward(X, engine=engine, dtype=np.float64)
        grads = net.backward(trace, Y, loss=loss)
    original = net.get_weights()
    positions = np.arange(net.n_weights)
    if max_weights is not None and max_weights < positions.size:
        positions = np.sort(np.random.default_rng(seed).choice(positions, max_weights, replace=False))

    def loss_at(weights: np.ndarray, inputs: np.ndarray) -> float:
        net.set_weights(weights)
        return net.backward(net.forward(inputs, engine=engine, dtype=np.float64), Y, loss=loss).loss

    names, analytic, numeric = [], [], []
    # the weights and their version come back as they were: the caller's traces stay valid
    with net.preserving_weights(), np.errstate(all="ignore"):
        for p in positions:
            u, v = net.edges[p]
            plus, minus = original.copy(), original.copy()
            plus[p] += eps
            minus[p] -= eps
            names.append(f"w[{u!r}→{v!r}]")
            analytic.append(grads.weights.flat[p])
            numeric.append((loss_at(plus, X) - loss_at(minus, X)) / (2 * eps))
        for column, k in enumerate(net.inputs):
            plus, minus = X.copy(), X.copy()
            plus[:, column] += eps
            minus[:, column] -= eps
            names.append(f"x[{k!r}]")
            analytic.append(float(grads.z[k].sum()))
            numeric.append((loss_at(original, plus) - loss_at(original, minus)) / (2 * eps))
    analytic_a, numeric_a = np.array(analytic, dtype=float), np.array(numeric, dtype=float)
    with np.errstate(invalid="ignore"):
        error = np.abs(analytic_a - numeric_a)
    finite = np.isfinite(analytic_a) & np.isfinite(numeric_a)
    report = GradientCheckReport(names, analytic_a, numeric_a, float(np.where(finite, error, np.inf).max(initial=0.0)))
    # NaN or inf on either side is a failure (a comparison with NaN is false: it must not pass)
    bad = np.flatnonzero(~finite | ~(error <= atol + rtol * np.abs(numeric_a)))
    if bad.size:
        i = bad[0]
        what = "∂L/∂w" if names[i].startswith("w") else "∂L/∂z (summed over the batch)"
        if finite[i]:
            why = f"difference {error[i]:.3g} > {atol} + {rtol}·|numeric|"
        else:
            side = " and ".join(
                s for s, v in (("analytic", analytic_a[i]), ("numeric", numeric_a[i])) if not np.isfinite(v)
            )
            why = f"{side} not finite"
        raise GradientCheckError(
            f"{what} of {names[i]}: analytic {analytic_a[i]:.10g} but numeric {numeric_a[i]:.10g} "
            f"({why}); {bad.size} of {len(names)} values disagree\n{report}"
        )
    return report
