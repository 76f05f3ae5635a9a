"""Small networks' public passes: the engine's sweeps bound once, over arrays of their own.

A public pass (``net.forward``, ``net.backward``) gets new arrays every time,
so it runs the engine's sweeps (:meth:`~.compiled.CompiledEngine.forward_into`,
:meth:`~.compiled.CompiledEngine.backward_into`), which slice the rows of
every stage and pick its operations anew; on a small network that costs as
much as the arithmetic. A training step binds them once to buffers it keeps
(:mod:`.bound`, :mod:`.step`). :class:`BoundPasses` does the same for the
public passes of a small network: per batch size and dtype, arrays of its
own and the sweeps bound to them, over its own copy of the weights, prepared
again in place when the network's weights change (as a training step's). A
pass copies its inputs into those arrays and its results out into the
arrays the engine hands to the trace or gradients: a few copies of arrays
of at most :data:`SMALL_BYTES` (the ``(n_neurons, batch)`` arrays, and the
weights: a network of many weights and few neurons keeps the sweeps). The operations are the sweeps' own, in the
same order, so the numbers are the same, bit for bit (the tests compare both
ways).

Measured on the 2-core benchmark machine (AMD EPYC), a forward then a
backward through the public API, the two ways interleaved (median of 15
rounds): 0.83× the sweeps' time on a random DAG of 10^3 edges (100 neurons
in 23 generations, batch 64: 472 against 595 µs), 0.81× on the running
example at batch 1 (63 against 79 µs), 0.80× at batch 32.

Passes may run at once on one network from several threads (``net.forward``
leaves the network's lock): one at a time has the bound arrays, the others
take the engine's sweeps. Networks whose passes pull their sparse edges
(:mod:`.pull`) keep the sweeps.

Examples
--------
>>> import numpy as np
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> engine = net.compile()
>>> A, Z = (np.empty((len(engine.schedule.order), 1)) for _ in range(2))  # (n_neurons, batch)
>>> engine.bound_passes.forward(net.weights, net.versions[2], np.array([[0.5]]), A, Z)
True
>>> bool(np.array_equal(Z[engine.schedule.output_rows], net.forward([[0.5]]).output.T))
True
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import Any

import numpy as np

from .prepared import Prepared

__all__ = ["BoundPasses", "SMALL_BYTES", "MAX_BOUND", "USE_BOUND_PASSES"]

# Whether small networks' public passes take the bound sweeps (the tests compare both ways)
USE_BOUND_PASSES = True

# Passes whose (n_neurons, batch) arrays, and whose weights, take at most this many bytes take the bound sweeps
# (a few µs to copy an array this big, against 1.5–3 µs a stage for the sweeps to slice and dispatch; at 256 KiB
# the copies cost what binding saves on a 10^3-edge DAG)
SMALL_BYTES = 1 << 17
# Batch sizes (and dtypes) whose arrays are kept at once, the latest used: a training's public passes use two
# (its batch and the last, shorter one), an evaluation in chunks two more
MAX_BOUND = 4


class _Bound:
    """The arrays of one batch size and dtype, and the engine's sweeps bound to them."""

    def __init__(self, engine: Any, prep: Prepared, batch: int, dtype: np.dtype) -> None:
        sc = engine.schedule
        shape = (len(sc.order), batch)
        self.A, self.Z, self.dA, self.dZ = (np.zeros(shape, dtype) for _ in range(4))
        self.Z[len(sc.inputs) : sc.n_sources] = 1
        self.dw = np.zeros(sc.n_weights, dtype)
        self.X = np.empty((batch, len(sc.inputs)), dtype) if engine.inputs_apart else None  # what the stages read
        self.forward = engine.forward_ops(prep, self.A, self.Z, self.X)
        self.backward = engine.backward_ops(prep, self.A, self.Z, self.dA, self.dZ, self.dw, self.X)


class BoundPasses:
    """The public passes of a small network through sweeps bound once (see the module notes).

    Parameters
    ----------
    engine : CompiledEngine
        The engine whose sweeps these are.
    """

    def __init__(self, engine: Any) -> None:
        self._engine = weakref.ref(engine)  # the engine holds this: no reference cycle
        self._weight_bytes = engine.schedule.n_weights * 8  # of the float64 copy; a float32 pass's are half
        self._lock = threading.Lock()
        self._w: np.ndarray | None = None  # the weights the prepared ones are of (float64, a copy) ...
        self._token: Any = None  # ... and their version
        self._prepared: dict[np.dtype, tuple[Any, Prepared]] = {}  # per dtype: (version, prepared in place)
        self._bound: OrderedDict[tuple[int, np.dtype], _Bound] = OrderedDict()

    @property
    def n_bound(self) -> int:
        """How many sets of arrays (batch sizes and dtypes) are kept."""
        return len(self._bound)

    def release(self) -> int:
        """Drop the bound arrays, the weights' copy and the prepared weights; how many sets of arrays."""
        with self._lock:
            count = len(self._bound)
            self._bound.clear()
            self._prepared.clear()
            self._w, self._token = None, None
            return count

    def _usable(self, engine: Any, A: np.ndarray) -> bool:
        small = A.nbytes <= SMALL_BYTES and self._weight_bytes <= SMALL_BYTES
        return USE_BOUND_PASSES and small and engine.pull_plan() is None

    def _prepare(self, engine: Any, w: np.ndarray, token: Any, dtype: np.dtype) -> Prepared:
        """The prepared weights of version ``token`` in ``dtype``: made once, then prepared again in place."""
        if self._w is None:  # the prepared weights of every dtype read this array: it is never replaced
            self._w = np.array(w, dtype=np.float64)
        elif self._token != token:
            np.copyto(self._w, w)
        self._token = token
        hit = self._prepared.get(dtype)
        if hit is None:
            prep = Prepared(engine.schedule, engine.kernels, self._w, dtype)
        else:
            prep = hit[1]
            if hit[0] != token:
                prep.refresh(self._w)
        self._prepared[dtype] = (token, prep)
        return prep

    def _arrays(self, engine: Any, w: np.ndarray, token: Any, batch: int, dtype: np.dtype) -> _Bound:
        prep = self._prepare(engine, w, token, dtype)
        key = (batch, dtype)
        bound = self._bound.get(key)
        if bound is None:
            bound = self._bound[key] = _Bound(engine, prep, batch, dtype)
            if len(self._bound) > MAX_BOUND:
                self._bound.popitem(last=False)
        else:
            self._bound.move_to_end(key)
        return bound

    def forward(self, w: np.ndarray, token: Any, X: np.ndarray, A: np.ndarray, Z: np.ndarray) -> bool:
        """The forward sweep of ``X`` (what ``forward_into`` does) with the weights ``w`` of version ``token``,
        into ``A`` and ``Z``; False (nothing done) when the network is not small enough, or another thread
        has the arrays."""
        engine = self._engine()
        if engine is None or not self._usable(engine, A) or not self._lock.acquire(blocking=False):
            return False
        try:
            b = self._arrays(engine, w, token, A.shape[1], A.dtype)
            if b.X is not None:
                np.copyto(b.X, X)
            else:
                b.Z[: X.shape[1]] = X.T
            for op in b.forward:
                op()
            np.copyto(A, b.A)
            np.copyto(Z, b.Z)
        finally:
            self._lock.release()
        return True

    def backward(self, w: np.ndarray, token: Any, A: np.ndarray, Z: np.ndarray, X: np.ndarray | None,
                 dz_own: np.ndarray, dA: np.ndarray, dZ: np.ndarray, dw: np.ndarray) -> bool:  # fmt: skip
        """The reverse sweep of a trace's ``A``, ``Z`` and inputs ``X`` (what ``backward_into`` does, the loss's
        ∂L/∂z ``dz_own`` given) into ``dA``, ``dZ`` and ``dw`` (the rows of inputs and biases left, as it leaves them);
        False (nothing done) as for :meth:`forward`."""
        engine = self._engine()
        if engine is None or not self._usable(engine, A) or not self._lock.acquire(blocking=False):
            return False
        try:
            b = self._arrays(engine, w, token, A.shape[1], A.dtype)
            np.copyto(b.A, A)
            np.copyto(b.Z, Z)
            if b.X is not None:  # the stages read the inputs apart: a trace of this engine keeps them
                assert X is not None
                np.copyto(b.X, X)
            engine.clear_added(b.dZ)
            b.dZ[engine.schedule.output_rows] = dz_own.T
            for op in b.backward:
                op()
            np.copyto(dA, b.dA)
            np.copyto(dZ, b.dZ)
            np.copyto(dw, b.dw)
        finally:
            self._lock.release()
        return True
