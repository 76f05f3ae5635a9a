"""Losses: the value of each example's loss ``ℓ`` and its gradient.

All arrays here are ``(batch, n_outputs)``, columns in ``net.outputs`` order.
A loss returns the per-example values ``ℓ`` (shape ``(batch,)``) and
``∂ℓ/∂z`` of the outputs; the engines divide by the batch size, because the
loss of a batch is the mean ``L`` of its examples' ``ℓ``.

A loss may also give ``∂ℓ/∂a`` of the outputs directly (``gradient_a``), when
that is more stable than ``∂ℓ/∂z · σ'(a)``: binary cross-entropy on logistic
outputs gives ``z − y`` even where ``σ'`` underflows to 0.

Every form of a loss sits in its entry: besides the arrays, ``scalar`` (its
terms as Python expressions, for the straight-line code of
:func:`~autograd_graph.per_example_sgd`) and ``own_terms`` (the formulas that
:func:`~autograd_graph.explain` prints for the loss's own term of ``∂ℓ/∂z``
and ``∂ℓ/∂a``).

Examples
--------
>>> import numpy as np
>>> se = get_loss("squared_error")
>>> z, y = np.array([[0.5, 2.0]]), np.array([[1.0, 1.0]])
>>> se.value(z, y, z)
array([1.25])
>>> se.gradient_z(z, y, z)          # 2 (z − y), the SPEC's ∂ℓ/∂z
array([[-1.,  2.]])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.special import expit

from .exceptions import IncompatibleLossError, UnknownLossError

if TYPE_CHECKING:
    from .activations import Activation

__all__ = ["Loss", "ScalarLoss", "LOSSES", "get_loss", "loss_terms", "terms_function", "check_compatible"]

# (z, y, a) -> array; z, y, a are (batch, n_outputs)
LossFunction = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
# (z, y, a) -> (ℓ per example, the loss's own ∂L/∂z, its own ∂L/∂a or None)
TermsFunction = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, "np.ndarray | None"]]

_PROBABILITY_FLOOR = 1e-15  # keeps ∂ℓ/∂z of cross-entropy finite where z rounds to 0 or 1


@dataclass(frozen=True)
class ScalarLoss:
    """A loss as Python expressions of one output's error ``{e} = z − y``, for generated code.

    ``value`` is one output's term of ``ℓ`` (the terms are added up),
    ``gradient`` its ``∂ℓ/∂z``; ``{n}`` stands for the number of outputs.
    """

    value: str
    gradient: str


@dataclass(frozen=True, eq=False)
class Loss:
    """A loss function of the network's outputs.

    Parameters
    ----------
    name : str
        Its name (``net.backward(..., loss=name)``).
    value : callable
        ``value(z, y, a) -> ℓ`` per example, shape ``(batch,)``.
    gradient_z : callable
        ``gradient_z(z, y, a) -> ∂ℓ/∂z``, shape ``(batch, n_outputs)``.
    gradient_a : callable or None
        ``gradient_a(z, y, a) -> ∂ℓ/∂a`` of the outputs, used instead of
        ``∂ℓ/∂z · σ'(a)`` when given.
    requires_activation : str or None
        The activation every output neuron must have (``"logistic"`` for
        binary cross-entropy).
    min_outputs : int, default 1
        The fewest output neurons the loss is defined for (2 for softmax
        cross-entropy: over one output it is 0 whatever the network does).
    scalar : ScalarLoss or None
        The loss for generated straight-line code, when it can be written so.
    value_and_gradient_z : callable or None
        ``(ℓ, ∂ℓ/∂z)`` at once, sharing the work, with the same numbers as
        ``value`` and ``gradient_z`` (the gradient a fresh array): what the
        engines call when it is given.
    own_terms : mapping
        ``{"z": formula}`` (and ``"a"`` for a loss with ``gradient_a``): the
        loss's own term of ``∂ℓ/∂z`` and ``∂ℓ/∂a``, as :func:`~autograd_graph.explain`
        prints it.
    """

    name: str
    value: LossFunction
    gradient_z: LossFunction
    gradient_a: LossFunction | None = None
    requires_activation: str | None = None
    min_outputs: int = 1
    scalar: ScalarLoss | None = None
    own_terms: Mapping[str, str] = field(default_factory=dict)
    value_and_gradient_z: Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None

    def __repr__(self) -> str:
        return f"Loss({self.name!r})"


def _bce_value(z: np.ndarray, y: np.ndarray, a: np.ndarray) -> np.ndarray:
    # −y log σ(a) − (1 − y) log(1 − σ(a)) = softplus(a) − y a, computed from a.
    return (np.logaddexp(0, a) - y * a).sum(axis=1)


def _bce_gradient_z(z: np.ndarray, y: np.ndarray, a: np.ndarray) -> np.ndarray:
    p = np.clip(z, _PROBABILITY_FLOOR, 1 - _PROBABILITY_FLOOR)
    return (p - y) / (p * (1 - p))


# Softmax and logsumexp in plain numpy: scipy's (1.17) go through array-API helpers that cost
# ~100 µs per call at batch 32 against ~16 µs here (a training step of 64→16→10 took 257 µs
# with scipy's; see benchmarks/README.md, "small batches"). The reductions call the ufuncs'
# reduce directly: what z.max and z.sum call, without their Python wrappers (~1 µs each).
_max, _sum = np.maximum.reduce, np.add.reduce


def _shifted(z: np.ndarray) -> np.ndarray:
    """``z − max_k z_k`` per example: the exponentials of it cannot overflow."""
    return z - _max(z, axis=1, keepdims=True)


def _softmax_ce_value(z: np.ndarray, y: np.ndarray, a: np.ndarray) -> np.ndarray:
    # −Σ_k y_k log softmax(z)_k = Σ_k y_k (logsumexp(z) − z_k)
    shifted = _shifted(z)
    log_total = np.log(_sum(np.exp(shifted), axis=1, keepdims=True))
    return _sum(y * (log_total - shifted), axis=1)


def _softmax_ce_gradient_z(z: np.ndarray, y: np.ndarray, a: np.ndarray) -> np.ndarray:
    e = np.exp(_shifted(z))
    e *= _sum(y, axis=1, keepdims=True) / _sum(e, axis=1, keepdims=True)  # softmax(z) · Σ_k y_k
    e -= y
    return e


def _softmax_ce_both(z: np.ndarray, y: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # the two above, sharing z − max z, its exponentials and their sum: the same operations
    shifted = _shifted(z)
    e = np.exp(shifted)
    total = _sum(e, axis=1, keepdims=True)
    value = _sum(y * (np.log(total) - shifted), axis=1)
    e *= _sum(y, axis=1, keepdims=True) / total
    e -= y
    return value, e


def _squared_error_both(z: np.ndarray, y: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    error = z - y  # (y − z)² = (z − y)², and 2 (z − y) is twice it: the same numbers
    value = (error * error).sum(axis=1)
    error *= 2
    return value, error


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in [
        # The sources' loss: ℓ = Σ_k (y_k − z_k)², ∂ℓ/∂z_k = 2 (z_k − y_k).
        Loss(
            "squared_error",
            lambda z, y, a: ((y - z) ** 2).sum(axis=1),
            lambda z, y, a: 2 * (z - y),
            scalar=ScalarLoss("{e} * {e}", "2.0 * {e}"),
            own_terms={"z": "2 (z − y)"},
            value_and_gradient_z=_squared_error_both,
        ),
        # ℓ = mean_k (y_k − z_k)², as torch.nn.MSELoss over one example.
        Loss(
            "mse",
            lambda z, y, a: ((y - z) ** 2).mean(axis=1),
            lambda z, y, a: 2 * (z - y) / z.shape[1],
            scalar=ScalarLoss("{e} * {e} / {n}.0", "2.0 * {e} / {n}.0"),
            own_terms={"z": "2 (z − y) / n_outputs"},
        ),
        Loss(
            "binary_cross_entropy",
            _bce_value,
            _bce_gradient_z,
            gradient_a=lambda z, y, a: expit(a) - y,
            requires_activation="logistic",
            own_terms={"z": "(z − y) / (z (1 − z)); ∂ℓ/∂a takes σ(a) − y, not this times σ′", "a": "σ(a) − y"},
        ),
        # Softmax over the outputs' z (logits), then cross-entropy with y.
        Loss(
            "softmax_cross_entropy",
            _softmax_ce_value,
            _softmax_ce_gradient_z,
            min_outputs=2,
            own_terms={"z": "softmax(z) − y"},
            value_and_gradient_z=_softmax_ce_both,
        ),
    ]
}


def get_loss(spec: str | Loss) -> Loss:
    """Look a loss up by name, or pass a :class:`Loss` through.

    Raises
    ------
    UnknownLossError
        If ``spec`` is not a known name; the message lists the known ones.

    Examples
    --------
    >>> get_loss("mse")
    Loss('mse')
    """
    if isinstance(spec, Loss):
        return spec
    try:
        return LOSSES[spec]
    except (KeyError, TypeError):
        known = ", ".join(sorted(LOSSES))
        raise UnknownLossError(f"unknown loss {spec!r}; known: {known} (or pass a Loss)") from None


def check_compatible(loss: Loss, output_activations: Sequence, outputs: Sequence | None = None) -> None:
    """Raise :class:`IncompatibleLossError` unless ``loss`` is defined for outputs with these
    activations (in column order; ``outputs`` names them in the message).

    Examples
    --------
    >>> from autograd_graph.activations import get_activation
    >>> check_compatible(get_loss("binary_cross_entropy"), [get_activation("identity")], ["y"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.IncompatibleLossError: loss 'binary_cross_entropy' needs logistic output neurons; ...
    """
    if len(output_activations) < loss.min_outputs:
        raise IncompatibleLossError(
            f"loss {loss.name!r} needs at least {loss.min_outputs} output neurons, the network has "
            f"{len(output_activations)} (for one output, use binary_cross_entropy on a logistic output, "
            f"or squared_error)"
        )
    if loss.requires_activation is not None:
        wrong = [i for i, act in enumerate(output_activations) if act.name != loss.requires_activation]
        if wrong:
            which = f"column {wrong[0]}" if outputs is None else f"neuron {outputs[wrong[0]]!r}"
            raise IncompatibleLossError(
                f"loss {loss.name!r} needs {loss.requires_activation} output neurons; output {which} has "
                f"activation {output_activations[wrong[0]].name!r}"
            )


def loss_terms(
    loss: str | Loss, z: np.ndarray, y: np.ndarray, a: np.ndarray, output_activations: Sequence[Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """What both engines need from a loss, for the batch mean ``L``.

    Parameters
    ----------
    loss : str or Loss
    z, y, a : ndarray, shape (batch, n_outputs)
        Outputs, targets, and the outputs' weighted inputs.
    output_activations : sequence of Activation
        The output neurons' activations, in column order.

    Returns
    -------
    losses : ndarray, shape (batch,)
        Each example's ``ℓ``.
    dz : ndarray, shape (batch, n_outputs)
        The loss's own ``∂L/∂z`` of the outputs (``∂ℓ/∂z / batch``).
    da : ndarray or None
        The loss's own ``∂L/∂a`` of the outputs when the loss gives it.
    """
    return terms_function(loss, output_activations)(z, y, a)


def terms_function(loss: str | Loss, output_activations: Sequence[Activation]) -> TermsFunction:
    """:func:`loss_terms` of one loss for one network's outputs, checked once: ``terms(z, y, a)``.

    Raises
    ------
    IncompatibleLossError
        Too few outputs, or an output activation the loss does not allow.
    """
    loss = get_loss(loss)
    check_compatible(loss, output_activations)
    both, value, gradient_z, gradient_a = loss.value_and_gradient_z, loss.value, loss.gradient_z, loss.gradient_a

    def terms(z: np.ndarray, y: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        batch = z.shape[0]
        if both is None:
            losses, dz = value(z, y, a), gradient_z(z, y, a) / batch
        else:
            losses, dz = both(z, y, a)
            dz /= batch
        return losses, dz, None if gradient_a is None else gradient_a(z, y, a) / batch

    return terms
