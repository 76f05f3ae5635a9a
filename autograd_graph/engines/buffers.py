"""The public passes' big arrays, reused once nothing refers to them any more.

A pass over a big network allocates its state afresh (``a`` and ``z`` of
every neuron forward; ``∂L/∂a``, ``∂L/∂z`` and ``∂L/∂w`` backward): 200 MB at
10^6 edges and batch 64, 2 GB at 10^7. Arrays that big are mapped from the
system and given back when freed, so every pass pays for the system to map
and zero its pages again. Measured on the benchmark machine (a virtual
machine, where a fresh page costs the most): a 10^7-edge pass took 3.3–7.2 s
through the public API (2.7–8.5 s of it in the system) against 1.5–1.9 s
with the same arrays reused; 0.23–0.75 s against 0.15–0.22 s at 10^6 edges.

A :class:`BufferPool` keeps up to :data:`POOL_SIZE` blocks of at least
:data:`MIN_POOLED_BYTES` (enough for a loop that keeps the last pass's trace
and gradients while it computes the next; a free block of another size makes
room for a new one). It hands out an array over a block through an object of
its own (a numpy array over a ``memoryview``), which every view of that array
refers to: numpy stops collapsing a view's ``base`` at an array whose own
base is not an array. When that object is gone, so is every array and view
over it, and a ``weakref.finalize`` marks the block free. :meth:`release`
gives every free block back to the system (``ag.evaluate`` does, after its
chunks).

Each engine keeps its own blocks while its network lives: after passes whose
arrays are 256 KiB to 4 MiB, up to 12 blocks under 4 MiB each (48 MiB); 3.8
MB for 64→16→10 after a forward of 1,797 rows, 22 MB for 784→512→512→10
after passes at batches 256 and 100 in both dtypes. The free blocks of all
pools together are kept to :data:`MAX_FREE_BYTES`: a pool that makes a new
block gives back the free blocks of the pools used longest ago beyond that,
so a program that runs passes over many networks holds about that much at
most between them (one pass's blocks more: those it just freed).
``net.compile().release_buffers()`` gives one network's back.

Every array it hands out of :data:`ALIGNED_MIN_BYTES` or more starts at a
multiple of :data:`ALIGNMENT` bytes (a cache line; :func:`aligned_empty`),
numpy's own 16 or 48 bytes past one: a row of 64 float64 then spans 8 cache
lines rather than 9, and one of 64 float32 4 rather than 5 (rows start at
cache lines when the batch times the item size is a multiple of 64). Smaller
arrays are numpy's own: aligning costs about 2 µs an array, a sixth of a
pass of the running example at batch 1. The edge-by-edge loops
(:mod:`.pull_loops`) read a random row per edge; measured on the benchmark
machine, rows aligned ÷ 16 bytes off: 0.86 backward and 0.90 forward at 10^6
rows of float64, 0.77 and 0.86 of float32, 0.81 backward at 10^5 rows of
float32.

Examples
--------
>>> pool = BufferPool()
>>> a = pool.empty((1024, 1024), np.dtype(np.float64))  # 8 MiB: from the pool
>>> v = a[10:]  # a view keeps the block in use ...
>>> del a
>>> b = pool.zeros((1024, 1024), np.dtype(np.float64))  # ... so this is another block
>>> bool(np.shares_memory(v, b)), pool.n_blocks
(False, 2)
>>> del v
>>> c = pool.empty((1024, 1024), np.dtype(np.float64))  # the first block is free again: reused
>>> pool.n_blocks, pool.release(), pool.n_blocks  # release gives back the free blocks (none now)
(2, 0, 2)
"""

from __future__ import annotations

import itertools
import math
import threading
import weakref

import numpy as np

__all__ = [
    "BufferPool",
    "ALIGNMENT",
    "ALIGNED_MIN_BYTES",
    "MAX_FREE_BYTES",
    "MIN_POOLED_BYTES",
    "POOL_SIZE",
    "aligned_empty",
    "aligned_zeros",
]

# Smaller arrays come from numpy's allocator ... (from 4 MiB down, as it was, the system took their pages back
# too: a pass at 10^5 edges in float32, 2.5 MB arrays, met 2,722 fresh pages and took 78 against 44 ns an edge
# with 256 KiB, best of 9 rounds alternating; a second measurement: 2,157 pages, 61 against 50 ns)
MIN_POOLED_BYTES = 1 << 18
# ... and at most this many big blocks are kept per engine: a pass's six arrays (the pull plan's row sums
# with them), and what a loop of its own still holds of the last pass, or a pass in the other dtype (with 8,
# passes at 10^7 edges alternating float64 and float32 took fresh pages again: 3.4 s median against 1.3 s best).
POOL_SIZE = 12
# the free blocks of all pools together, at most (see the module notes): a pass at 10^6 edges and batch 64
# allocates 203 MiB; 150 networks 64→16→10 after a forward of 1,797 rows each held 570 MB without it
MAX_FREE_BYTES = 1 << 28
# where every array of the pool starts: a multiple of a cache line (see the module notes) ...
ALIGNMENT = 64
# ... from this size up (smaller ones are numpy's own: aligning one costs more than a pass reading it gains)
ALIGNED_MIN_BYTES = 1 << 12


def _nbytes(shape: int | tuple[int, ...], dtype: np.dtype) -> int:
    # math.prod, not np.prod: 0.1 µs against 3 µs on a tuple (a small pass allocates several arrays)
    return int(shape if isinstance(shape, int) else math.prod(shape)) * dtype.itemsize


def aligned_empty(shape: int | tuple[int, ...], dtype: np.dtype | type) -> np.ndarray:
    """An uninitialised C-order array, as ``np.empty``, whose data starts at a multiple of :data:`ALIGNMENT` bytes
    (when it is :data:`ALIGNED_MIN_BYTES` or more: smaller ones are ``np.empty``'s).

    >>> x = aligned_empty((30, 50), np.float32)
    >>> x.shape, x.dtype, x.ctypes.data % ALIGNMENT, x.flags.c_contiguous
    ((30, 50), dtype('float32'), 0, True)
    """
    return _aligned(np.empty, shape, np.dtype(dtype))


def _aligned(make, shape: int | tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    nbytes = _nbytes(shape, dtype)
    if nbytes < ALIGNED_MIN_BYTES:
        return make(shape, dtype)
    raw = make(nbytes + ALIGNMENT, np.uint8)
    start = -raw.ctypes.data % ALIGNMENT
    return raw[start : start + nbytes].view(dtype).reshape(shape)


def aligned_zeros(shape: int | tuple[int, ...], dtype: np.dtype | type) -> np.ndarray:
    """:func:`aligned_empty`, zeroed (as ``np.zeros``: from ``calloc``, whose big blocks come as zeroed pages,
    touched only when written)."""
    return _aligned(np.zeros, shape, np.dtype(dtype))


class BufferPool:
    """Big blocks of memory for a pass's arrays, reused when free (see the module notes)."""

    def __init__(self) -> None:
        # one [block, free] pair per block: its finalizers set `free` in the pair itself, with no lock
        # and no index (they may run in any thread, even inside `empty`)
        self._slots: list[list] = []
        self._lock = threading.Lock()
        self._used = next(_TICKS)  # when a pass last asked for a block: the pools used longest ago give theirs first
        with _POOLS_LOCK:
            _POOLS.add(self)

    @property
    def n_blocks(self) -> int:
        """How many blocks the pool holds (in use or free)."""
        return len(self._slots)

    @property
    def last_used(self) -> int:
        """When a pass last asked it for a big array: a tick of one counter for all pools."""
        return self._used

    @property
    def free_bytes(self) -> int:
        """The bytes of the blocks it holds that nothing uses."""
        return sum(s[0].nbytes for s in list(self._slots) if s[1])

    def empty(self, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """An uninitialised array, as ``np.empty``; from a free block when it is big."""
        dtype = np.dtype(dtype)
        nbytes = _nbytes(shape, dtype)
        if nbytes < MIN_POOLED_BYTES:
            return aligned_empty(shape, dtype)
        made = False
        with self._lock:
            self._used = next(_TICKS)
            slot = next((s for s in self._slots if s[1] and s[0].nbytes == nbytes), None)
            if slot is None and len(self._slots) >= POOL_SIZE:  # full: a free block of another size makes room
                self._slots = [s for s in self._slots if not s[1]] + [s for s in self._slots if s[1]][1:]
            if slot is None and len(self._slots) < POOL_SIZE:
                slot, made = [aligned_empty(nbytes, np.uint8), True], True
                self._slots.append(slot)
            if slot is None:
                return aligned_empty(shape, dtype)  # the pool is full and in use: an array of its own
            slot[1] = False
        if made:  # after this pool's lock: trimming takes the others'
            _trim(self)
        owner = np.frombuffer(memoryview(slot[0]), dtype)  # every view of what is handed out refers to it
        weakref.finalize(owner, slot.__setitem__, 1, True)
        return owner.reshape(shape)

    def zeros(self, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """A zeroed array, as ``np.zeros``; from a free block when it is big."""
        dtype = np.dtype(dtype)
        if _nbytes(shape, dtype) < MIN_POOLED_BYTES:
            return aligned_zeros(shape, dtype)
        out = self.empty(shape, dtype)
        out.fill(0)
        return out

    def release(self) -> int:
        """Give every free block back to the system; the number given back."""
        with self._lock:
            kept = [s for s in self._slots if not s[1]]
            released, self._slots = len(self._slots) - len(kept), kept
        return released


_POOLS: weakref.WeakSet[BufferPool] = weakref.WeakSet()  # every living pool, for _trim
_POOLS_LOCK = threading.Lock()
_TICKS = itertools.count()


def _trim(active: BufferPool) -> None:
    """Give back the free blocks of the pools used longest ago (``active`` excepted) until all pools' free
    blocks take at most :data:`MAX_FREE_BYTES`."""
    with _POOLS_LOCK:
        others = [p for p in _POOLS if p is not active]
    free = active.free_bytes + sum(p.free_bytes for p in others)
    for pool in sorted(others, key=lambda p: p.last_used):
        if free <= MAX_FREE_BYTES:
            return
        given = pool.free_bytes
        pool.release()
        free -= given
