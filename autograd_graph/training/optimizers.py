"""Optimizers: how one gradient moves the flat weight vector.

Every optimizer works on the whole weight vector at once, in ``net.edges``
order (``net.get_weights()``, gradient ``grads.weights.flat``). Its step size
``η_t`` comes from a schedule (:mod:`.schedules`); ``t`` counts its updates.

==========  =================================================================
optimizer   update ``t`` with gradient ``g`` (``t`` from 0)
==========  =================================================================
SGD         ``w ← w − η_t g``
Momentum    ``v ← μ v − η_t g``; ``w ← w + v`` (``v`` starts at 0)
Adam        ``m ← β₁ m + (1 − β₁) g``; ``s ← β₂ s + (1 − β₂) g²``;
            ``w ← w − η_t m̂ / (√ŝ + ε)`` with ``m̂ = m / (1 − β₁^(t+1))``,
            ``ŝ = s / (1 − β₂^(t+1))`` (Kingma & Ba, 2015)
RMSprop     ``s ← α s + (1 − α) g²``; ``w ← w − η_t g / (√s + ε)`` (``s`` starts
            at 0; Hinton's lecture 6e, as ``torch.optim.RMSprop``)
==========  =================================================================

Weight decay, L1, clipping and the constraints of frozen and tied edges act
on the gradient before any of these (:mod:`.regularization`).

Examples
--------
>>> import numpy as np
>>> opt = SGD(learning_rate=0.1)
>>> opt.reset(2)
>>> opt.step(np.array([1.0, 2.0]), np.array([0.5, -1.0]))
array([0.95, 2.1 ])
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

import numpy as np

from .._checks import fraction, real
from ..exceptions import TrainingError
from .schedules import Schedule, as_schedule, step_size_at

__all__ = ["Optimizer", "SGD", "Momentum", "Adam", "RMSprop", "OPTIMIZERS", "get_optimizer"]


class Optimizer(ABC):
    """Base class: a step-size schedule, a count of updates, and per-weight state.

    Parameters
    ----------
    learning_rate : float or callable
        A constant step size, or a schedule ``t -> η_t``.

    Notes
    -----
    Call :meth:`reset` before the first :meth:`step` of a run: it sizes the
    state and sets ``t`` back to 0. :meth:`step` never modifies its arguments;
    :meth:`step_into` makes the same update in place (what the training loop
    calls), through ``_update_into``, which a subclass may write without
    temporaries (by default it copies ``_update``'s result).

    Examples
    --------
    A subclass implements ``_update``; here, steps of the gradient's sign:

    >>> class SignSGD(Optimizer):
    ...     def _update(self, weights, gradient, eta):
    ...         return weights - eta * np.sign(gradient)
    >>> opt = SignSGD(0.1)
    >>> opt.reset(2)
    >>> opt.step(np.array([1.0, 1.0]), np.array([3.0, -0.5])), opt.t
    (array([0.9, 1.1]), 1)
    """

    default_learning_rate = 0.01
    state_names: tuple[str, ...] = ()  # the per-weight state arrays, in net.edges order (see remap)

    def __init__(self, learning_rate: float | Schedule | None = None) -> None:
        self.learning_rate = self.default_learning_rate if learning_rate is None else learning_rate
        self.schedule = as_schedule(self.learning_rate)
        self.t = 0  # updates made since the last reset

    def reset(self, n_weights: int) -> None:
        """Forget all state, for a run over ``n_weights`` weights."""
        self.t = 0
        self._reset_state(n_weights)

    def _reset_state(self, n_weights: int) -> None:  # noqa: B027 (plain SGD has no state)
        """Size the per-weight state."""

    def remap(self, source: np.ndarray) -> None:
        """Carry the per-weight state across a change of structure (``source`` from ``net.rewire``).

        New position ``p`` takes the state of old position ``source[p]``; an
        added edge (``-1``) starts from zero, as at a reset. ``t`` goes on. A
        subclass lists its per-weight arrays in ``state_names``.

        Examples
        --------
        >>> opt = Momentum(0.1)
        >>> opt.reset(3)
        >>> opt.velocity = np.array([1.0, 2.0, 3.0])
        >>> opt.remap(np.array([2, -1, 0]))
        >>> opt.velocity
        array([3., 0., 1.])
        """
        kept = source >= 0
        for name in self.state_names:
            old = getattr(self, name)
            new = np.zeros(source.shape + old.shape[1:], dtype=old.dtype)
            new[kept] = old[source[kept]]
            setattr(self, name, new)

    def step(self, weights: np.ndarray, gradient: np.ndarray) -> np.ndarray:
        """The weights after one update with ``gradient`` (a new array).

        Raises
        ------
        TrainingError
            If the schedule gives a step size that is not a finite number ≥ 0.
        """
        eta = step_size_at(self.schedule, self.t)
        new = self._update(weights, gradient, eta)
        self.t += 1
        return new

    def step_into(self, weights: np.ndarray, gradient: np.ndarray) -> None:
        """The update of :meth:`step`, with the same numbers, written into ``weights`` (float64, writable).

        Raises
        ------
        TrainingError
            As :meth:`step`; ``weights`` is then unchanged.
        """
        eta = step_size_at(self.schedule, self.t)
        self._update_into(weights, gradient, eta)
        self.t += 1

    def _update_into(self, weights: np.ndarray, gradient: np.ndarray, eta: float) -> None:
        """``weights[...] = self._update(weights, gradient, eta)``, or the same without temporaries."""
        weights[...] = self._update(weights, gradient, eta)

    @property
    def step_size(self) -> float:
        """The step size of the next update, ``η_t``."""
        return step_size_at(self.schedule, self.t)

    @abstractmethod
    def _update(self, weights: np.ndarray, gradient: np.ndarray, eta: float) -> np.ndarray:
        """The new weights; ``self.t`` is the number of earlier updates."""

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({params})"

    def _params(self) -> dict:
        return {"learning_rate": self.learning_rate}


class SGD(Optimizer):
    """Plain gradient descent: ``w ← w − η_t g``.

    Examples
    --------
    >>> SGD(0.5).step_size
    0.5
    """

    def _update(self, weights, gradient, eta):
        return weights - eta * gradient

    def _update_into(self, weights, gradient, eta):
        weights -= eta * gradient


class Momentum(Optimizer):
    """Gradient descent with momentum: ``v ← μ v − η_t g``, ``w ← w + v``.

    Parameters
    ----------
    learning_rate : float or callable, default 0.01
    momentum : float, default 0.9
        ``μ``, in [0, 1); 0 gives plain SGD.

    Examples
    --------
    The same gradient twice: the second step is ``1 + μ`` times the first.

    >>> opt = Momentum(0.1, momentum=0.5)
    >>> opt.reset(1)
    >>> w = opt.step(np.array([0.0]), np.array([1.0]))
    >>> w, opt.step(w, np.array([1.0]))
    (array([-0.1]), array([-0.25]))
    """

    state_names = ("velocity",)

    def __init__(self, learning_rate: float | Schedule | None = None, momentum: float = 0.9) -> None:
        super().__init__(learning_rate)
        self.momentum = fraction("momentum", momentum, TrainingError, high_open=True)
        self.velocity = np.zeros(0)

    def _reset_state(self, n_weights):
        self.velocity = np.zeros(n_weights)

    def _update(self, weights, gradient, eta):
        self.velocity = self.momentum * self.velocity - eta * gradient
        return weights + self.velocity

    def _update_into(self, weights, gradient, eta):
        v = self.velocity
        v *= self.momentum
        v -= eta * gradient
        weights += v

    def _params(self):
        return {**super()._params(), "momentum": self.momentum}


class Adam(Optimizer):
    """Adam: steps scaled by running estimates of the gradient's first and second moments.

    Parameters
    ----------
    learning_rate : float or callable, default 0.001
    beta1, beta2 : float, default 0.9 and 0.999
        Decay rates of the moment estimates, in [0, 1).
    eps : float, default 1e-8
        Added to ``√ŝ`` so a zero gradient gives a zero step.

    Examples
    --------
    The first step moves every weight by about the step size, whatever the
    gradient's scale:

    >>> opt = Adam(0.01)
    >>> opt.reset(2)
    >>> opt.step(np.zeros(2), np.array([1000.0, -0.001])).round(6)
    array([-0.01,  0.01])
    """

    default_learning_rate = 0.001
    state_names = ("m", "s")
    # the same update as one compiled loop (training.fused.fuse sets it when numba is worth it):
    # fused(w, g, m, s, β₁, β₂, 1 − β₁, 1 − β₂, 1 − β₁^(t+1), 1 − β₂^(t+1), η, ε)
    fused: Callable | None = None

    def __init__(
        self,
        learning_rate: float | Schedule | None = None,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        super().__init__(learning_rate)
        self.beta1 = fraction("beta1", beta1, TrainingError, high_open=True)
        self.beta2 = fraction("beta2", beta2, TrainingError, high_open=True)
        self.eps = real("eps", eps, TrainingError, low_open=True)
        self._reset_state(0)

    def _reset_state(self, n_weights):
        self._moments = np.zeros((2, n_weights))  # m and s as the rows of one array: one call updates both
        self.m, self.s = self._moments
        self._work = np.empty((2, n_weights))  # step_into's temporaries, allocated once
        self._decay = np.array([[self.beta1], [self.beta2]])
        self._complement = np.array([[1 - self.beta1], [1 - self.beta2]])
        self._correction = np.ones((2, 1))

    def remap(self, source):
        super().remap(source)
        self._work = np.empty((2, source.size))  # the temporaries follow the new number of weights

    def _update_into(self, weights, gradient, eta):
        # the operations of _update in the same order, into m, s and two work rows; where m and s take
        # the same operation (with their own β), one call on the array whose rows they are
        ms, work, (u, v) = self._moments, self._work, self._work
        if self.m.base is not ms or self.s.base is not ms:  # replaced (remap, or by hand): join them again
            ms = self._moments = np.stack([self.m, self.s])
            self.m, self.s = ms
        if self.fused is not None and weights.dtype == gradient.dtype == ms.dtype == np.float64:
            b1, b2, t = self.beta1, self.beta2, self.t + 1
            self.fused(weights, np.ascontiguousarray(gradient), self.m, self.s, b1, b2, 1 - b1, 1 - b2, 1 - b1**t,
                       1 - b2**t, eta, self.eps)  # fmt: skip
            return
        ms *= self._decay  # m *= β₁, s *= β₂
        np.multiply(gradient, self._complement[0, 0], out=u)  # (1 − β₁) g
        np.multiply(gradient, gradient, out=v)
        v *= self._complement[1, 0]  # (1 − β₂) g²
        ms += work
        correction = self._correction
        correction[0, 0] = 1 - self.beta1 ** (self.t + 1)
        correction[1, 0] = 1 - self.beta2 ** (self.t + 1)
        if correction[0, 0] == 1.0:  # β₁^(t+1) is below half an ulp of 1 (t ≥ 350 at β₁ = 0.9): m̂ = m / 1 = m
            np.multiply(self.m, eta, out=u)
            np.divide(self.s, correction[1, 0], out=v)  # ŝ
        else:
            np.divide(ms, correction, out=work)  # m̂, ŝ
            u *= eta
        np.sqrt(v, out=v)
        v += self.eps
        u /= v
        weights -= u

    def _update(self, weights, gradient, eta):
        self.m = self.beta1 * self.m + (1 - self.beta1) * gradient
        self.s = self.beta2 * self.s + (1 - self.beta2) * gradient**2
        m_hat = self.m / (1 - self.beta1 ** (self.t + 1))
        s_hat = self.s / (1 - self.beta2 ** (self.t + 1))
        return weights - eta * m_hat / (np.sqrt(s_hat) + self.eps)

    def _params(self):
        return {**super()._params(), "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}


class RMSprop(Optimizer):
    """RMSprop: steps divided by a running root mean square of the gradient.

    Parameters
    ----------
    learning_rate : float or callable, default 0.01
    alpha : float, default 0.99
        Decay rate of the mean square, in [0, 1).
    eps : float, default 1e-8
        Added to ``√s`` (after the square root, as PyTorch).

    Examples
    --------
    The first step is ``η g / (√(1 − α) |g| + ε)``: ten times the step size for ``α = 0.99``.

    >>> opt = RMSprop(0.01)
    >>> opt.reset(2)
    >>> opt.step(np.zeros(2), np.array([3.0, -0.5])).round(6)
    array([-0.1,  0.1])
    """

    state_names = ("s",)

    def __init__(self, learning_rate: float | Schedule | None = None, alpha: float = 0.99, eps: float = 1e-8) -> None:
        super().__init__(learning_rate)
        self.alpha = fraction("alpha", alpha, TrainingError, high_open=True)
        self.eps = real("eps", eps, TrainingError, low_open=True)
        self.s = np.zeros(0)
        self._work = np.empty(0)

    def _reset_state(self, n_weights):
        self.s = np.zeros(n_weights)
        self._work = np.empty(n_weights)

    def remap(self, source):
        super().remap(source)
        self._work = np.empty(source.size)

    def _update(self, weights, gradient, eta):
        self.s = self.alpha * self.s + (1 - self.alpha) * gradient**2
        return weights - eta * (gradient / (np.sqrt(self.s) + self.eps))

    def _update_into(self, weights, gradient, eta):
        s, u = self.s, self._work  # the operations of _update in the same order
        s *= self.alpha
        np.multiply(gradient, gradient, out=u)
        u *= 1 - self.alpha
        s += u
        np.sqrt(s, out=u)
        u += self.eps
        np.divide(gradient, u, out=u)
        u *= eta
        weights -= u

    def _params(self):
        return {**super()._params(), "alpha": self.alpha, "eps": self.eps}


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "momentum": Momentum, "adam": Adam, "rmsprop": RMSprop}


def get_optimizer(spec: str | Optimizer, learning_rate: float | Schedule | None = None) -> Optimizer:
    """An optimizer by name (``"sgd"``, ``"momentum"``, ``"adam"``, ``"rmsprop"``), or an :class:`Optimizer`
    passed through.

    Parameters
    ----------
    spec : str or Optimizer
    learning_rate : float or callable, optional
        For a name only: the step size or schedule (the optimizer's default when omitted).

    Raises
    ------
    TrainingError
        An unknown name (the message lists the known ones), or a
        ``learning_rate`` given together with an :class:`Optimizer`.

    Examples
    --------
    >>> get_optimizer("adam", 0.01)
    Adam(learning_rate=0.01, beta1=0.9, beta2=0.999, eps=1e-08)
    """
    if isinstance(spec, Optimizer):
        if learning_rate is not None:
            raise TrainingError(
                f"learning_rate={learning_rate!r} was given with the optimizer {spec!r}, which has its own; "
                f"pass it to the optimizer instead"
            )
        return spec
    try:
        cls = OPTIMIZERS[spec]
    except (KeyError, TypeError):
        known = ", ".join(OPTIMIZERS)
        raise TrainingError(f"unknown optimizer {spec!r}; known: {known} (or pass an Optimizer)") from None
    return cls(learning_rate)
