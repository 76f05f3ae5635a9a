"""Test data that should stay unseen: a :class:`~autograd_graph.Task` marks its test arrays here,
and :func:`~autograd_graph.train` warns when it is given them as validation data.

The marks are weak references (a mark never keeps an array alive) and an array
counts as marked when it shares memory with a marked one: ``task.X_test`` and
``task.X_test[:50]`` alike; a copy (``task.X_test.copy()``, a DataFrame made
from it) is no longer recognised.

Examples
--------
>>> import numpy as np
>>> X_test = np.zeros((4, 2))
>>> hold_out(X_test, "the task 'xor' (task.X_test)")
>>> held_out(X_test[:2]), held_out(np.zeros((4, 2)))
("the task 'xor' (task.X_test)", None)
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

__all__ = ["hold_out", "held_out"]

_MARKED: list[tuple[weakref.ref, str]] = []  # (array, what it is)


def hold_out(array: Any, what: str) -> None:
    """Mark ``array`` (a numpy array) as test data, described by ``what`` in warnings."""
    if not isinstance(array, np.ndarray):
        return
    _MARKED[:] = [(ref, text) for ref, text in _MARKED if ref() is not None]  # forget the arrays gone
    _MARKED.append((weakref.ref(array), what))


def held_out(values: Any) -> str | None:
    """What ``values`` is, when it is (or shares memory with) marked test data; else None."""
    if not isinstance(values, np.ndarray) or not _MARKED:
        return None
    for ref, what in _MARKED:
        array = ref()
        if array is not None and np.may_share_memory(values, array):
            return what
    return None
