"""Stable orders of small non-negative integers, by numpy's radix sort (the engines' and rewiring's sorts).

numpy sorts 8- and 16-bit integers with a radix sort when asked for a stable
sort (``kind="stable"``), in time linear in their number; wider integers
take a comparison sort. Node, row and generation numbers are small
non-negative integers, so :func:`stable_order` sorts them 16 bits at a time
(least significant first, each pass stable): one pass below 65,536, two
below 2^32, numpy's own sort above. Measured on the fifth session's machine (AMD EPYC), on
10^5 numbers below 1,000: 1.2 ms against 6.2 ms for ``np.argsort(...,
kind="stable")`` of int64 (3.4 ms against 8.1 ms for numbers below 2^31).

Examples
--------
>>> import numpy as np
>>> stable_order(np.array([3, 1, 3, 0, 1])).tolist()
[3, 1, 4, 0, 2]
>>> lex_order(np.array([1, 0, 1, 0]), np.array([0, 1, 1, 0]), 2).tolist()  # by major, then minor
[3, 1, 0, 2]
>>> first_of_each(np.array([5, 2, 5, 7, 2])).tolist()
[True, True, False, True, False]
"""

from __future__ import annotations

import numpy as np

__all__ = ["stable_order", "lex_order", "first_of_each"]

_DIGIT = 1 << 16


def stable_order(values: np.ndarray, bound: int | None = None) -> np.ndarray:
    """``np.argsort(values, kind="stable")`` for non-negative integers below ``bound`` (default: their max + 1)."""
    if not values.size:
        return np.zeros(0, dtype=np.int64)
    bound = int(values.max()) + 1 if bound is None else bound
    if bound <= _DIGIT:
        return np.argsort(values.astype(np.uint16), kind="stable")
    if bound <= _DIGIT * _DIGIT:
        order = np.argsort((values & (_DIGIT - 1)).astype(np.uint16), kind="stable")
        return order[np.argsort((values[order] >> 16).astype(np.uint16), kind="stable")]
    return np.argsort(values, kind="stable")


def lex_order(major: np.ndarray, minor: np.ndarray, n_minor: int) -> np.ndarray:
    """``np.lexsort((minor, major))`` (by ``major``, then ``minor``, then position) for non-negative integers,
    ``minor < n_minor``: one stable pass by ``major`` when ``minor`` is ascending already, else two."""
    if minor.size < 2 or bool(np.all(minor[1:] >= minor[:-1])):
        return stable_order(major)
    first = stable_order(minor, n_minor)
    return first[stable_order(major[first])]


def first_of_each(values: np.ndarray, bound: int | None = None) -> np.ndarray:
    """Where each value first occurs (a boolean mask) among non-negative integers below ``bound``: what
    ``np.unique(values, return_index=True)`` gives as indices, without its comparison sort."""
    order = stable_order(values, bound)
    ordered = values[order]
    head = np.ones(values.size, dtype=bool)
    head[1:] = ordered[1:] != ordered[:-1]  # the first of each run: the earliest, the order being stable
    first = np.zeros(values.size, dtype=bool)
    first[order[head]] = True
    return first
