"""Neuron ids in files: one encoding for JSON (:mod:`.serialization`) and GraphML (:mod:`.interop`).

A neuron id can be written to a file when it is a string (that UTF-8 can
encode: no lone surrogate), an integer, a finite float, a boolean, or a tuple
of these (nested tuples too). numpy
scalars count as the Python numbers they hold (``np.int64(1)`` is written as
``1``, through ``.item()``). Anything else (``None``, a frozenset, NaN, an
object) is rejected by both formats, with an error naming the neuron.

In JSON an id is the value itself, a tuple ``{"tuple": [...]}``. GraphML node
ids are strings, so GraphML keeps ``str(id)`` as the node id and, for ids that
are not strings, the same JSON text in the attribute ``python_id``.

Examples
--------
>>> import numpy as np
>>> encode_id((np.int64(1), "a", (2.5, True)))
{'tuple': [1, 'a', {'tuple': [2.5, True]}]}
>>> decode_id({'tuple': [1, 'a', {'tuple': [2.5, True]}]})
(1, 'a', (2.5, True))
>>> try:
...     encode_id((None, 1))
... except SerializationError as error:
...     print(str(error)[:68])
neuron (None, 1) cannot be written to a file: its part None (a NoneT
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Hashable
from typing import Any

import numpy as np

from .._checks import safe_repr
from ..exceptions import SerializationError

__all__ = ["encode_id", "decode_id", "id_to_text", "id_from_text", "check_text"]

_WHAT = "a string, an integer, a finite float, a boolean or a tuple of them"


def check_text(text: str, what: str) -> str:
    """``text``, if UTF-8 can encode it: a lone surrogate (``"\\ud800"``, from a bad decode) cannot be
    written to a file; :class:`SerializationError` names ``what`` and where the surrogate is.

    Examples
    --------
    >>> check_text("naïve", "neuron 'naïve'")
    'naïve'
    >>> check_text("a\\udc80", "neuron 'a\\udc80'")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.SerializationError: neuron 'a\\udc80' cannot be written to a file: it holds the lone ...
    """
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            bad = text[error.start]
            raise SerializationError(
                f"{what} cannot be written to a file: it holds the lone surrogate {bad!r} (at position "
                f"{error.start}), which UTF-8 cannot encode"
            ) from None
    return text


def _encode(part: Any, neuron: Hashable) -> Any:
    if type(part) is str:  # the common cases first
        return part if part.isascii() else check_text(part, f"neuron {safe_repr(neuron)}")
    if type(part) in (int, bool):
        return part
    if isinstance(part, np.generic):  # np.int64(1) -> 1, np.True_ -> True
        part = part.item()
        if type(part) in (str, int, bool):
            return _encode(part, neuron)
    if isinstance(part, tuple):
        return {"tuple": [_encode(p, neuron) for p in part]}
    if isinstance(part, str):
        return _encode(str(part), neuron)
    if isinstance(part, numbers.Integral):  # bools are caught above
        return int(part)
    if isinstance(part, numbers.Real) and math.isfinite(part):
        return float(part)
    if part is neuron:
        reason = f"it is a {type(part).__name__}, not {_WHAT}"
    else:
        reason = f"its part {safe_repr(part)} (a {type(part).__name__}) is not {_WHAT}"
    raise SerializationError(f"neuron {safe_repr(neuron)} cannot be written to a file: {reason}")


def encode_id(neuron: Hashable) -> Any:
    """The JSON value of a neuron id.

    Raises
    ------
    SerializationError
        Naming the neuron, when it (or a part of it) is not one of the kinds above.

    Examples
    --------
    >>> try:
    ...     encode_id(frozenset({1}))
    ... except SerializationError as error:
    ...     print(str(error)[:73])
    neuron frozenset({1}) cannot be written to a file: it is a frozenset, not
    """
    return _encode(neuron, neuron)


def _describe(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)


def decode_id(value: Any, where: str = "id") -> Hashable:
    """The neuron id a JSON value stands for (the inverse of :func:`encode_id`).

    Raises
    ------
    SerializationError
        ``"{where}: expected a neuron id …"``, naming the part at fault (``id.tuple[1]``).

    Examples
    --------
    >>> try:
    ...     decode_id([1, 2], where="nodes[0].id")
    ... except SerializationError as error:
    ...     print(str(error)[-31:])
    {"tuple": [...]}), got an array
    """
    if type(value) in (str, int, bool):  # what json.loads gives, checked fast
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SerializationError(f"{where}: a neuron id must be finite, got {value}")
        return value
    if isinstance(value, dict) and set(value) == {"tuple"} and isinstance(value["tuple"], list):
        return tuple(decode_id(part, f"{where}.tuple[{i}]") for i, part in enumerate(value["tuple"]))
    raise SerializationError(
        f'{where}: expected a neuron id (a string, a number, a boolean or {{"tuple": [...]}}), got {_describe(value)}'
    )


def id_to_text(neuron: Hashable) -> str | None:
    """The JSON text GraphML keeps in ``python_id``; None for a string id (the node id itself).

    Examples
    --------
    >>> id_to_text((0, "in")), id_to_text("x")
    ('{"tuple": [0, "in"]}', None)
    """
    value = encode_id(neuron)
    return None if isinstance(value, str) else json.dumps(value, allow_nan=False)


def id_from_text(text: str, where: str) -> Hashable:
    """The neuron id of a ``python_id`` written by :func:`id_to_text`.

    Examples
    --------
    >>> id_from_text('{"tuple": [0, "in"]}', "node '(0, 'in')'")
    (0, 'in')
    """
    try:
        value = json.loads(text, parse_constant=lambda name: math.nan)
    except (ValueError, RecursionError):  # not JSON, or an integer Python does not read (over 4300 digits)
        raise SerializationError(f"{where}: python_id {text!r:.80} is not a neuron id written as JSON") from None
    return decode_id(value, f"{where}: python_id")
