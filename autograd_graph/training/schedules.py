"""Step-size schedules: the step size ``η_t`` of update ``t``.

A schedule is any callable ``schedule(t) -> η_t``, where ``t`` counts the
updates made so far in the run (0 for the first update; one update per batch,
so an epoch of stochastic gradient descent on ``n`` examples is ``n`` updates).
The classes below are the usual ones; a plain function works as well.

==================  ==========================================
schedule            ``η_t``
==================  ==========================================
ConstantSchedule    ``η₀``
InverseTimeDecay    ``η₀ / (1 + decay · t)`` (the 1/t decay)
ExponentialDecay    ``η₀ · rate ** (t / every)``
StepDecay           ``η₀ · factor ** floor(t / every)``
==================  ==========================================

Examples
--------
>>> schedule = InverseTimeDecay(0.5, decay=1.0)
>>> [schedule(t) for t in range(4)]
[0.5, 0.25, 0.16666666666666666, 0.125]
>>> StepDecay(0.1, factor=0.5, every=10)(25)
0.025
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

from .._checks import fraction, real, whole_number
from ..exceptions import TrainingError

__all__ = [
    "Schedule",
    "ConstantSchedule",
    "InverseTimeDecay",
    "ExponentialDecay",
    "StepDecay",
    "as_schedule",
    "step_size_at",
]

Schedule = Callable[[int], float]


@dataclass(frozen=True)
class ConstantSchedule:
    """``η_t = rate`` for every ``t``.

    Examples
    --------
    >>> ConstantSchedule(0.1)(1000)
    0.1
    """

    rate: float

    def __post_init__(self) -> None:
        real("rate", self.rate, TrainingError)

    def __call__(self, t: int) -> float:
        return self.rate


@dataclass(frozen=True)
class InverseTimeDecay:
    """``η_t = rate / (1 + decay · t)``: the step size falls like 1/t.

    With ``Σ η_t = ∞`` and ``Σ η_t² < ∞`` it satisfies the Robbins–Monro
    conditions under which stochastic gradient descent converges.

    Examples
    --------
    >>> InverseTimeDecay(1.0, decay=0.1)(10)
    0.5
    """

    rate: float
    decay: float = 1.0

    def __post_init__(self) -> None:
        real("rate", self.rate, TrainingError, low_open=True)
        real("decay", self.decay, TrainingError)

    def __call__(self, t: int) -> float:
        return self.rate / (1.0 + self.decay * t)


@dataclass(frozen=True)
class ExponentialDecay:
    """``η_t = rate · decay_rate ** (t / every)``: multiplied by ``decay_rate`` every ``every`` updates, smoothly.

    Examples
    --------
    >>> ExponentialDecay(1.0, decay_rate=0.5, every=100)(50)
    0.7071067811865476
    """

    rate: float
    decay_rate: float
    every: int = 1

    def __post_init__(self) -> None:
        real("rate", self.rate, TrainingError, low_open=True)
        fraction("decay_rate", self.decay_rate, TrainingError, low_open=True)
        real("every", self.every, TrainingError, low_open=True)

    def __call__(self, t: int) -> float:
        return self.rate * self.decay_rate ** (t / self.every)


@dataclass(frozen=True)
class StepDecay:
    """``η_t = rate · factor ** floor(t / every)``: multiplied by ``factor`` after every ``every`` updates.

    Examples
    --------
    >>> [StepDecay(1.0, factor=0.1, every=2)(t) for t in range(5)]
    [1.0, 1.0, 0.1, 0.1, 0.010000000000000002]
    """

    rate: float
    factor: float
    every: int

    def __post_init__(self) -> None:
        real("rate", self.rate, TrainingError, low_open=True)
        fraction("factor", self.factor, TrainingError, low_open=True)
        whole_number("every", self.every, TrainingError)

    def __call__(self, t: int) -> float:
        return self.rate * self.factor ** (t // self.every)


def as_schedule(learning_rate: float | Schedule) -> Schedule:
    """A number becomes a :class:`ConstantSchedule`; a callable is used as it is.

    Raises
    ------
    TrainingError
        If ``learning_rate`` is neither a finite number ≥ 0 nor a callable.

    Examples
    --------
    >>> as_schedule(0.5)
    ConstantSchedule(rate=0.5)
    >>> as_schedule(lambda t: 0.1)(3)
    0.1
    """
    if callable(learning_rate):
        return learning_rate
    if isinstance(learning_rate, numbers.Real) and not isinstance(learning_rate, bool):
        return ConstantSchedule(float(learning_rate))
    raise TrainingError(
        f"learning_rate must be a number or a schedule (a callable t -> step size), got {learning_rate!r}"
    )


def step_size_at(schedule: Schedule, t: int) -> float:
    """``schedule(t)``, checked: a finite number ≥ 0.

    Raises
    ------
    TrainingError
        Naming the step when the schedule gives anything else.

    Examples
    --------
    >>> step_size_at(StepDecay(1.0, factor=0.5, every=10), 25)
    0.25
    >>> step_size_at(lambda t: -1.0, 3)
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.TrainingError: the step-size schedule gave -1.0 at update 3; expected a finite number ≥ 0
    """
    value = schedule(t)
    try:
        eta = float(value)
    except (TypeError, ValueError):
        raise TrainingError(f"the step-size schedule gave {value!r} at update {t}; expected a number") from None
    if not (math.isfinite(eta) and eta >= 0):
        raise TrainingError(f"the step-size schedule gave {eta} at update {t}; expected a finite number ≥ 0")
    return eta
