"""Turning user data into ``(batch, n)`` arrays, with errors that say what was expected."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np

from .exceptions import ShapeError

__all__ = ["as_batch"]


def as_batch(values: Any, neurons: Sequence[Hashable], *, dtype: Any = np.float64, what: str = "X") -> np.ndarray:
    """Return ``values`` as an array of shape ``(batch, len(neurons))``.

    Parameters
    ----------
    values : array_like or mapping
        ``(batch, n)`` with columns in ``neurons`` order; a 1-D array of
        length ``n`` is one example; or a mapping ``{neuron: value}`` whose
        values are scalars or 1-D arrays of one common length.
    neurons : sequence
        The neurons the columns stand for (``net.inputs`` or ``net.outputs``).
    dtype : numpy dtype, default float64
    what : str
        The argument's name, for messages.

    Raises
    ------
    ShapeError
        If the shape or the keys do not match ``neurons``.

    Examples
    --------
    >>> as_batch([1.0, 2.0], ["x1", "x2"])
    array([[1., 2.]])
    >>> as_batch({"x2": [3, 4], "x1": [1, 2]}, ["x1", "x2"])
    array([[1., 3.],
           [2., 4.]])
    """
    n = len(neurons)
    if isinstance(values, Mapping):
        missing = [k for k in neurons if k not in values]
        if missing:
            raise ShapeError(f"{what} has no values for neurons {missing!r}; expected keys {list(neurons)!r}")
        extra = [k for k in values if k not in set(neurons)]
        if extra:
            raise ShapeError(f"{what} has keys {extra!r} that are not among the neurons {list(neurons)!r}")
        columns = [np.atleast_1d(np.asarray(values[k], dtype=dtype)) for k in neurons]
        lengths = {c.shape for c in columns}
        if len(lengths) != 1 or any(c.ndim != 1 for c in columns):
            shapes = {k: c.shape for k, c in zip(neurons, columns, strict=True)}
            raise ShapeError(
                f"{what}: every neuron needs a scalar or a 1-D array of one common length; got shapes {shapes}"
            )
        array = np.stack(columns, axis=1)
    else:
        try:
            array = np.asarray(values, dtype=dtype)
        except (TypeError, ValueError) as error:
            raise ShapeError(f"{what} must be numeric, shape (batch, {n}): {error}") from None
    if array.ndim == 1:
        if array.shape[0] != n:
            hint = " (for a batch of examples with one value each, use shape (batch, 1))" if n == 1 else ""
            raise ShapeError(
                f"{what} is 1-D with {array.shape[0]} values; one example needs {n} values "
                f"for neurons {list(neurons)!r}{hint}"
            )
        return array.reshape(1, n)
    if array.ndim != 2 or array.shape[1] != n:
        raise ShapeError(
            f"{what} has shape {array.shape}; expected (batch, {n}), columns in the order {list(neurons)!r}"
        )
    if array.shape[0] == 0:
        raise ShapeError(f"{what} has no examples (shape {array.shape}); a batch needs at least one")
    return array
