"""Argument checks shared by builders, training and comparisons: one rule, one message.

Each check takes the argument's name, its value and the exception class to
raise (``BuilderError``, ``TrainingError``, ``ComparisonError`` …), and
returns the value as a plain Python number. Booleans are never numbers here.

Examples
--------
>>> from autograd_graph.exceptions import TrainingError
>>> whole_number("epochs", 5, TrainingError, minimum=0)
5
>>> fraction("momentum", 0.9, TrainingError, high_open=True)
0.9
>>> real("rate", -1, TrainingError)
Traceback (most recent call last):
...
autograd_graph.exceptions.TrainingError: rate must be a finite number ≥ 0, got -1
"""

from __future__ import annotations

import math
import numbers
import sys
from typing import Any

import numpy as np

__all__ = [
    "whole_number",
    "real",
    "fraction",
    "seed",
    "floating_dtype",
    "generator",
    "FLOAT_DTYPES",
    "safe_repr",
    "printable_id",
]


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def whole_number(name: str, value: Any, error: type[Exception], *, minimum: int = 1, optional: bool = False) -> Any:
    """``value`` as an int ≥ ``minimum`` (numpy integers accepted; bools and floats not),
    or None when ``optional``.

    Examples
    --------
    >>> from autograd_graph.exceptions import BuilderError
    >>> whole_number("m", 2.5, BuilderError, minimum=0)
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.BuilderError: m must be a whole number ≥ 0, got 2.5
    """
    if optional and value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < minimum:
        raise error(f"{name} must be a whole number ≥ {minimum}{' or None' if optional else ''}, got {value!r}")
    return int(value)


def real(
    name: str,
    value: Any,
    error: type[Exception],
    *,
    low: float = 0.0,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a finite float in the interval from ``low`` to ``high`` (each end closed unless ``*_open``).

    Examples
    --------
    >>> from autograd_graph.exceptions import TrainingError
    >>> real("eps", 0, TrainingError, low_open=True)
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.TrainingError: eps must be a finite number > 0, got 0
    """
    inside = (
        _is_real(value)
        and math.isfinite(value)
        and (low < value if low_open else low <= value)
        and (value < high if high_open else value <= high)
    )
    if not inside:
        if high == math.inf:
            where = f"{'>' if low_open else '≥'} {low:g}"
        else:
            where = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise error(f"{name} must be a finite number {where}, got {value!r}")
    return float(value)


def fraction(name: str, value: Any, error: type[Exception], *, low_open: bool = False,
             high_open: bool = False) -> float:  # fmt: skip
    """``value`` as a float in [0, 1] (either end open on request).

    Examples
    --------
    >>> from autograd_graph.exceptions import BuilderError
    >>> fraction("p", 1.5, BuilderError)
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.BuilderError: p must be a finite number in [0, 1], got 1.5
    """
    return real(name, value, error, low=0.0, high=1.0, low_open=low_open, high_open=high_open)


def seed(name: str, value: Any, error: type[Exception]) -> int | np.random.Generator | np.random.SeedSequence | None:
    """A seed for ``numpy.random.default_rng``: None, an int ≥ 0, a SeedSequence or a Generator.

    Examples
    --------
    >>> from autograd_graph.exceptions import TrainingError
    >>> seed("seed", -1, TrainingError)
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.TrainingError: seed must be an integer ≥ 0, a SeedSequence, a Generator or None, got -1
    """
    if value is None or isinstance(value, (np.random.Generator, np.random.SeedSequence)):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)) and int(value) >= 0:
        return int(value)
    raise error(f"{name} must be an integer ≥ 0, a SeedSequence, a Generator or None, got {value!r}")


# the floating types passes run in: float16 and longdouble fail inside scipy's sparse loops and BLAS
FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def floating_dtype(value: Any, error: type[Exception], what: str = "dtype") -> np.dtype:
    """``value`` as float64 or float32, the dtypes every engine supports end to end.

    Examples
    --------
    >>> from autograd_graph.exceptions import InvalidDtypeError
    >>> floating_dtype("float32", InvalidDtypeError)
    dtype('float32')
    >>> floating_dtype(np.float16, InvalidDtypeError)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.InvalidDtypeError: dtype must be a floating type, float64 or float32, got ...
    """
    try:
        result = np.dtype(value)
    except TypeError:
        result = None
    if result is None or result not in FLOAT_DTYPES:  # (np.dtype(None) is float64: None is no dtype here)
        raise error(f"{what} must be a floating type, float64 or float32, got {value!r}")
    return result


def generator(value: Any, error: type[Exception]) -> np.random.Generator:
    """``numpy.random.default_rng(value)``, with an error that names the argument.

    Examples
    --------
    >>> from autograd_graph.exceptions import InvalidSeedError
    >>> generator("x", InvalidSeedError)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.InvalidSeedError: seed must be None, a non-negative int, ... got 'x'
    """
    try:
        return np.random.default_rng(value)
    except (TypeError, ValueError):
        raise error(f"seed must be None, a non-negative int, a SeedSequence or a Generator, got {value!r}") from None


def safe_repr(value: Any) -> str:
    """``repr(value)``, or a description when Python refuses to print it: an integer of more digits
    than ``sys.get_int_max_str_digits()`` (4300 by default), alone or inside a tuple.

    Examples
    --------
    >>> safe_repr(("h", 3))
    "('h', 3)"
    >>> safe_repr(("h", 7**6000))
    "('h', <an integer of 5071 digits, 0x1180c6…b41681>)"
    """
    try:
        return repr(value)
    except ValueError:
        if isinstance(value, tuple):
            return "(" + ", ".join(map(safe_repr, value)) + ("," if len(value) == 1 else "") + ")"
        if isinstance(value, numbers.Integral):
            digits = _digits(int(value))
            text = hex(int(value))  # hex has no length limit
            return f"<an integer of {digits} digits, {text[:8]}…{text[-6:]}>"
        return f"<a {type(value).__name__} that cannot be printed>"


def _digits(n: int) -> int:
    """The number of decimal digits of ``n``, without printing it."""
    n = abs(n)
    digits = max(int(n.bit_length() * 0.30102999566398120), 1)  # log10(2): exact or one short
    return digits + (n >= 10**digits)


_PRINTABLE = 10**639  # ints of fewer digits always print (sys.set_int_max_str_digits takes at least 640)


def printable_id(neuron: Any, error: type[Exception]) -> None:
    """Raise ``error`` unless ``neuron`` can be printed: messages, files and pictures name neurons by ``repr``.

    Examples
    --------
    >>> from autograd_graph.exceptions import NetworkStructureError
    >>> printable_id(10**5000, NetworkStructureError)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.NetworkStructureError: neuron <an integer of 5001 digits, 0x...> cannot be ...
    """
    if type(neuron) is str or (type(neuron) is int and -_PRINTABLE < neuron < _PRINTABLE):
        return
    try:
        repr(neuron)
    except ValueError:
        raise error(
            f"neuron {safe_repr(neuron)} cannot be a neuron id: Python does not print integers of more than "
            f"{sys.get_int_max_str_digits()} digits (sys.get_int_max_str_digits()), so no message, file or picture "
            f"could name it; use a shorter id"
        ) from None
