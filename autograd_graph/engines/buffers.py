"""The public passes' big arrays, reused once nothing refers to them any more.

A pass over a big network allocates its state afresh (``a`` and ``z`` of
every neuron forward; ``∂L/∂a``, ``∂L/∂z`` and ``∂L/∂w`` backward): 200 MB at
10^6 edges and batch 64, 2 GB at 10^7. Arrays that big are mapped from the
system and given back when freed, so every pass pays for the system to map
and zero its pages again. Measured on the benchmark machine (a virtual
machine, where a fresh page costs the most): a 10^7-edge pass took 3.3–7.2 s
through the public API (2.7–8.5 s of it in the system) against 1.5–1.9 s
with the same arrays reused; 0.23–0.75 s against 0.15–0.22 s at 10^6 edges.

A :class:`BufferPool` keeps up to :data:`POOL_SIZE` such blocks (a free block
of another size makes room for a new one). An array it
hands out is a view of one of them, so the block is referred to by every
array and view made from it (numpy's ``base`` is the block itself); a block
is handed out again only when nothing but the pool refers to it, i.e. when
every trace and gradient that used it, and every view of them, is gone.
Arrays below :data:`MIN_POOLED_BYTES` come from numpy as usual.

Examples
--------
>>> pool = BufferPool()
>>> a = pool.empty((1024, 1024), np.dtype(np.float64))  # 8 MiB: from the pool
>>> a.base is pool.empty((1024, 1024), np.dtype(np.float64)).base  # still in use: another block
False
>>> first = id(a.base)
>>> del a
>>> b = pool.zeros((1024, 1024), np.dtype(np.float64))  # the first block is free again: reused, zeroed
>>> id(b.base) == first, float(b.sum())
(True, 0.0)
"""

from __future__ import annotations

import sys
import threading

import numpy as np

__all__ = ["BufferPool", "MIN_POOLED_BYTES", "POOL_SIZE"]

# Smaller arrays come from numpy's allocator (the system keeps their pages) ...
MIN_POOLED_BYTES = 1 << 22
# ... and at most this many big blocks are kept per engine: a forward and backward pass's five.
POOL_SIZE = 6


def _references(block: np.ndarray) -> int:
    return sys.getrefcount(block)


class BufferPool:
    """Big blocks of memory for a pass's arrays, reused when free (see the module notes)."""

    def __init__(self) -> None:
        self._blocks: list[np.ndarray] = []
        self._lock = threading.Lock()

    def empty(self, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """An uninitialised array, as ``np.empty``; from a free block when it is big."""
        dtype = np.dtype(dtype)
        nbytes = int(np.prod(shape)) * dtype.itemsize
        if nbytes < MIN_POOLED_BYTES or not _COUNTS_REFERENCES:
            return np.empty(shape, dtype)
        with self._lock:  # the check and the new view at once: two threads never get the same block
            other = -1  # a free block of another size, given back to the system if the pool is full
            for k, block in enumerate(self._blocks):
                if _references(block) == _FREE:
                    if block.nbytes == nbytes:
                        return block.view(dtype).reshape(shape)
                    other = k
            if len(self._blocks) >= POOL_SIZE and other >= 0:
                del self._blocks[other]
            if len(self._blocks) < POOL_SIZE:
                block = np.empty(nbytes, np.uint8)
                self._blocks.append(block)
                return block.view(dtype).reshape(shape)
        return np.empty(shape, dtype)  # the pool is full and in use: an array of its own

    def zeros(self, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """A zeroed array, as ``np.zeros``; from a free block when it is big."""
        out = self.empty(shape, dtype)
        if out.base is None:
            return np.zeros(shape, dtype)  # numpy's own: its pages come zeroed
        out.fill(0)
        return out


def _free_count() -> int:
    """What :func:`_references` says of a block only the pool refers to, inside ``BufferPool.empty``'s loop."""
    blocks = [np.empty(1, np.uint8)]
    for _, block in enumerate(blocks):
        return _references(block)
    raise AssertionError  # pragma: no cover


_COUNTS_REFERENCES = hasattr(sys, "getrefcount")  # CPython; elsewhere nothing is pooled
_FREE = _free_count() if _COUNTS_REFERENCES else -1
