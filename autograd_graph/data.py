"""Turning user data into ``(batch, n)`` arrays, with errors that say what was expected.

User data comes in as arrays (anything ``numpy.asarray`` reads), mappings
``{neuron: values}``, or pandas objects, which are matched by label, never by
position (pandas is not imported here: an object is recognised as pandas'
only when pandas is already loaded):

- a ``DataFrame`` whose column labels name the neurons gives them in the
  neurons' order, whatever the order of its columns; a label that names no
  neuron is an error listing the expected ones; a frame whose columns are
  unlabeled (a ``RangeIndex``, as ``pd.DataFrame(array)`` makes) keeps the
  positional order;
- a ``Series`` named after a neuron is that neuron's column; otherwise one
  whose index labels name the neurons is one example, and an unlabeled one
  (a ``RangeIndex``) is read by position.

Values must be real numbers: complex numbers, strings, dates and masked arrays
are refused (:class:`~autograd_graph.exceptions.DataTypeError`, a
``ShapeError`` and a ``TypeError``), never converted with a part dropped.
"""

from __future__ import annotations

import numbers
import sys
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np

from .exceptions import DataTypeError, ShapeError

__all__ = ["as_batch", "from_pandas"]

_NUMERIC_KINDS = frozenset("biuf")  # bool, signed and unsigned integers, floats
_KIND_NAMES = {"c": "complex numbers", "U": "strings", "S": "bytes", "M": "dates", "m": "time spans",
               "V": "structured records", "O": "Python objects"}  # fmt: skip


def _short(items: Sequence[Hashable], most: int = 12) -> str:
    """A list for a message: the first ``most`` items, then how many there are."""
    items = list(items)
    return repr(items) if len(items) <= most else repr(items[:most])[:-1] + f", … ({len(items)} in all)]"


def _refuse_kind(array: np.ndarray, what: str) -> None:
    kind = array.dtype.kind
    if kind == "c":
        raise DataTypeError(
            f"{what} must be numeric: it holds complex numbers ({array.dtype}); the network computes with real "
            f"numbers (pass its .real if the imaginary parts are 0)"
        )
    raise DataTypeError(f"{what} must be numeric: it holds {_KIND_NAMES.get(kind, str(array.dtype))} ({array.dtype})")


def numeric(values: Any, dtype: Any, what: str) -> np.ndarray:
    """``values`` as a float array of ``dtype``: real numbers only (see the module notes).

    Examples
    --------
    >>> numeric([[1, 2]], np.float64, "X")
    array([[1., 2.]])
    >>> numeric([["1", "2"]], np.float64, "X")
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.DataTypeError: X must be numeric: it holds strings (<U1)
    """
    if isinstance(values, np.ma.MaskedArray):
        raise DataTypeError(
            f"{what} is a masked array; its masked entries have no value to compute with: pass "
            f"{what}.filled(value), or leave out the masked rows"
        )
    try:
        array = np.asarray(values)
    except (TypeError, ValueError) as error:
        raise ShapeError(f"{what} must be numeric, shape (batch, n): {error}") from None
    kind = array.dtype.kind
    if kind == "O":  # a list of mixed objects: every element must be a real number
        for position, value in np.ndenumerate(array):
            if not isinstance(value, numbers.Real):
                where = f"{what}[{', '.join(map(str, position))}]" if position else what
                kind_name = "a complex number" if isinstance(value, complex) else f"a {type(value).__name__}"
                raise DataTypeError(f"{where} is {kind_name} ({value!r:.60}); {what} must be numeric")
    elif kind not in _NUMERIC_KINDS:
        _refuse_kind(array, what)
    try:
        return array.astype(dtype, copy=False)
    except (TypeError, ValueError, OverflowError) as error:
        raise ShapeError(f"{what} must be numeric: {error}") from None


def _pandas() -> Any:
    return sys.modules.get("pandas")


def _labels_error(what: str, labels: Sequence, neurons: Sequence[Hashable], of: str) -> ShapeError:
    known = set(neurons)
    stray = [label for label in labels if not _is_among(label, known)]
    return ShapeError(
        f"{what} has {of} {_short(stray)} that name no neuron; expected {of} {_short(neurons)} (matched by "
        f"name, in any order)"
    )


def _is_among(label: Any, known: set) -> bool:
    try:
        return label in known
    except TypeError:  # an unhashable label
        return False


def from_pandas(values: Any, neurons: Sequence[Hashable], what: str = "X") -> Any:
    """A pandas ``DataFrame`` or ``Series`` as what :func:`as_batch` reads: a mapping ``{neuron: values}``
    when its labels name the neurons, an array when it is unlabeled. Anything else is returned as it is.

    Raises
    ------
    ShapeError
        Labels that name no neuron (the message lists the expected ones), or a label given twice.
    DataTypeError
        A column that does not hold numbers (strings, dates, categories); the message names it.

    Examples
    --------
    >>> import pandas as pd
    >>> from_pandas(pd.DataFrame({"b": [2.0], "a": [1.0]}), ["a", "b"])  # by label
    {'b': array([2.]), 'a': array([1.])}
    >>> as_batch(pd.DataFrame({"b": [2.0], "a": [1.0]}), ["a", "b"])
    array([[1., 2.]])
    """
    pd = _pandas()
    if pd is None:
        return values
    if isinstance(values, pd.DataFrame):
        columns = values.columns
        if isinstance(columns, pd.RangeIndex):  # unlabeled: by position
            return _frame_array(values, what)
        if columns.has_duplicates:
            raise ShapeError(f"{what} has the columns {_short(list(columns[columns.duplicated()]))} twice")
        known = set(neurons)
        if not all(_is_among(label, known) for label in columns):
            raise _labels_error(what, list(columns), neurons, "columns")
        return {label: _column(values.iloc[:, i], f"{what}[{label!r}]") for i, label in enumerate(columns)}
    if isinstance(values, pd.Series):
        index, known = values.index, set(neurons)
        # the name first: read as a column, a row (whose name is its row label) can only fail loudly
        if values.name is not None and _is_among(values.name, known):  # one neuron's column
            return {values.name: _column(values, f"{what}[{values.name!r}]")}
        if isinstance(index, pd.RangeIndex):  # unlabeled: by position
            return _column(values, what)
        if not all(_is_among(label, known) for label in index):
            raise _labels_error(what, list(index), neurons, "labels")
        if index.has_duplicates:
            raise ShapeError(f"{what} has the labels {_short(list(index[index.duplicated()]))} twice")
        return dict(zip(index, _column(values, what), strict=True))  # one example, by label
    return values


def _check_column(dtype: Any, what: str) -> None:
    types = _pandas().api.types
    if types.is_complex_dtype(dtype):
        _refuse_kind(np.empty(0, dtype), what)
    if not (types.is_numeric_dtype(dtype) or types.is_bool_dtype(dtype)):
        raise DataTypeError(f"{what} must be numeric: it holds {dtype} values")


def _column(series: Any, what: str) -> np.ndarray:
    _check_column(series.dtype, what)
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _frame_array(frame: Any, what: str) -> np.ndarray:
    for i, dtype in enumerate(frame.dtypes):
        _check_column(dtype, f"{what} column {i}")
    return frame.to_numpy(dtype=np.float64, na_value=np.nan)


def as_batch(values: Any, neurons: Sequence[Hashable], *, dtype: Any = np.float64, what: str = "X") -> np.ndarray:
    """Return ``values`` as an array of shape ``(batch, len(neurons))``.

    Parameters
    ----------
    values : array_like, mapping, DataFrame or Series
        ``(batch, n)`` with columns in ``neurons`` order; a 1-D array of
        length ``n`` is one example; a mapping ``{neuron: value}`` whose
        values are scalars or 1-D arrays of one common length; pandas objects
        are matched by label (see the module notes).
    neurons : sequence
        The neurons the columns stand for (``net.inputs`` or ``net.outputs``).
    dtype : numpy dtype, default float64
    what : str
        The argument's name, for messages.

    Raises
    ------
    ShapeError
        If the shape, the keys or the labels do not match ``neurons``.
    DataTypeError
        If the values are not real numbers (complex, strings, a masked array).

    Examples
    --------
    >>> as_batch([1.0, 2.0], ["x1", "x2"])
    array([[1., 2.]])
    >>> as_batch({"x2": [3, 4], "x1": [1, 2]}, ["x1", "x2"])
    array([[1., 3.],
           [2., 4.]])
    """
    n = len(neurons)
    if type(values) is np.ndarray and values.dtype.kind in _NUMERIC_KINDS:  # the common case, checked fast
        array = values.astype(dtype, copy=False)
    else:
        values = from_pandas(values, neurons, what)
        if isinstance(values, Mapping):
            array = _from_mapping(values, neurons, dtype, what)
        else:
            array = numeric(values, dtype, what)
    if array.ndim == 1:
        if array.shape[0] != n:
            hint = " (for a batch of examples with one value each, use shape (batch, 1))" if n == 1 else ""
            raise ShapeError(
                f"{what} is 1-D with {array.shape[0]} values; one example needs {n} values "
                f"for neurons {_short(neurons)}{hint}"
            )
        return array.reshape(1, n)
    if array.ndim != 2 or array.shape[1] != n:
        raise ShapeError(
            f"{what} has shape {array.shape}; expected (batch, {n}), columns in the order {_short(neurons)}"
        )
    if array.shape[0] == 0:
        raise ShapeError(f"{what} has no examples (shape {array.shape}); a batch needs at least one")
    return array


def _from_mapping(values: Mapping, neurons: Sequence[Hashable], dtype: Any, what: str) -> np.ndarray:
    missing = [k for k in neurons if k not in values]
    if missing:
        raise ShapeError(f"{what} has no values for neurons {_short(missing)}; expected keys {_short(neurons)}")
    known = set(neurons)
    extra = [k for k in values if not _is_among(k, known)]
    if extra:
        raise ShapeError(f"{what} has keys {_short(extra)} that are not among the neurons {_short(neurons)}")
    columns = [np.atleast_1d(numeric(values[k], dtype, f"{what}[{k!r}]")) for k in neurons]
    lengths = {c.shape for c in columns}
    if len(lengths) != 1 or any(c.ndim != 1 for c in columns):
        shapes = {k: c.shape for k, c in zip(neurons, columns, strict=True)}
        raise ShapeError(
            f"{what}: every neuron needs a scalar or a 1-D array of one common length; got shapes {shapes}"
        )
    return np.stack(columns, axis=1)
