"""Checking gradients against central finite differences, in float64."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .data import as_batch
from .exceptions import GradientCheckError
from .losses import Loss
from .tables import html_table, text_table

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
    atol, rtol : float
        The tolerances: a value passes when ``|analytic − numeric| ≤ atol + rtol·|numeric|``.
    passed : bool
        Whether every value passed.

    Printed (and shown in Jupyter as a table), it ends with the largest error
    and a pass/fail line.
    """

    names: list[str]
    analytic: np.ndarray
    numeric: np.ndarray
    max_error: float
    atol: float = 1e-6
    rtol: float = 1e-4
    passed: bool = True

    def _rows(self) -> list[list[str]]:
        with np.errstate(invalid="ignore"):
            error = np.abs(self.analytic - self.numeric)
        return [[n, f"{a:.8g}", f"{b:.8g}", f"{e:.2g}"]
                for n, a, b, e in zip(self.names, self.analytic, self.numeric, error, strict=True)]  # fmt: skip

    def summary(self) -> str:
        """The largest error and whether the check passed, in two lines."""
        with np.errstate(invalid="ignore"):
            error = np.abs(self.analytic - self.numeric)
        finite = np.isfinite(error)
        worst = int(np.argmax(np.where(finite, error, np.inf))) if error.size else None
        where = "" if worst is None else f" ({self.names[worst]})"
        bad = int(np.count_nonzero(~(error <= self.atol + self.rtol * np.abs(self.numeric))))
        verdict = (
            f"passed: all {error.size} values within atol + rtol·|numeric| (atol={self.atol:g}, rtol={self.rtol:g})"
            if self.passed
            else f"FAILED: {bad} of {error.size} values outside atol + rtol·|numeric| (atol={self.atol:g}, "
            f"rtol={self.rtol:g})"
        )
        return f"largest error {self.max_error:.3g}{where}\n{verdict}"

    def __str__(self) -> str:
        return text_table(["", "analytic", "numeric", "error"], self._rows()) + "\n" + self.summary()

    __repr__ = __str__

    def _repr_html_(self) -> str:
        caption = self.summary().replace("\n", "; ")
        return html_table(["", "analytic", "numeric", "error"], self._rows(), caption)


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
    raise_exception: bool = True,
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
    raise_exception : bool, default True
        Raise on a mismatch (as ``torch.autograd.gradcheck``); False returns
        the report with ``passed=False`` instead.

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
    >>> print(report.summary())  # doctest: +ELLIPSIS
    largest error ... (w[...])
    passed: all 13 values within atol + rtol·|numeric| (atol=1e-06, rtol=0.0001)
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
    # NaN or inf on either side is a failure (a comparison with NaN is false: it must not pass)
    bad = np.flatnonzero(~finite | ~(error <= atol + rtol * np.abs(numeric_a)))
    largest = float(np.where(finite, error, np.inf).max(initial=0.0))
    report = GradientCheckReport(names, analytic_a, numeric_a, largest, atol, rtol, passed=not bad.size)
    if bad.size and raise_exception:
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
