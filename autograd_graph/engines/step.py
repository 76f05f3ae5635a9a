"""Training steps: the gradient of one batch into buffers that every step reuses.

A training loop needs, per batch, only ``∂L/∂w`` (and to know that nothing
went non-finite); it never reads a :class:`~autograd_graph.Trace` or
:class:`~autograd_graph.Gradients`. At batch 32 on 64→16→10 building those,
allocating the arrays of a pass and preparing the weights again after every
update cost more than the arithmetic. :class:`TrainingStep` runs the compiled
engine's own sweeps (:meth:`~.compiled.CompiledEngine.forward_into`,
:meth:`~.compiled.CompiledEngine.backward_into`, hence the same numbers as
``net.backward(net.forward(X), Y)``, bit for bit) over:

- its own copy of the weights, ``step.w``, which the optimizer updates in
  place; the prepared weights are views of it or are refreshed in place
  (:meth:`~.compiled.Prepared.refresh`), never rebuilt;
- one set of state arrays per batch size (the last batch of an epoch is
  often shorter), allocated once: ``∂L/∂a``, ``∂L/∂z``, ``a``, ``z``,
  ``∂L/∂w`` and the losses in one buffer, so that a single sum over the
  last ones tells whether every value the public passes check is finite (a
  sum is finite when every term is, unless it overflows: then the caller
  looks closer and finds nothing), and the engine's sweeps bound to those
  arrays once (:meth:`~.compiled.CompiledEngine.sweep_ops`): per step, only
  the calls that compute.

On a network whose public passes take the sparse stages edge by edge
(:mod:`.pull`: numba installed, a big sparse DAG) the steps do too, through
the engine's sweeps (``forward_into``, ``backward_into``) rather than bound
calls: at batch 32 on the sparse 784→1000→1000→10 of the ``sparse``
benchmark, a step took 5.5 ms with the kernels, and the public pass 2.9 ms
edge by edge. A step with dropout keeps the kernels (the plan's backward
applies σ' in the loop that sums ∂L/∂z, before a mask could apply).

The rows of inputs and biases in ``∂L/∂a`` and ``∂L/∂z`` (deferred by the
engine) are never computed here: no weight needs them.

Examples
--------
>>> import numpy as np
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> step = TrainingStep(net.compile(), "squared_error", np.float64, net.weights)
>>> X, Y = np.array([[0.5], [1.0]]), np.array([[0.1], [0.2]])
>>> dw = step.gradient(X, Y)
>>> bool(np.array_equal(dw, net.backward(net.forward(X), Y).weights.flat))
True
>>> step.w -= 0.1 * dw; step.refresh()    # an update in place, then the next step
>>> step.gradient(X, Y) is dw              # the same buffer, new values
True
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..losses import Loss, get_loss, terms_function
from .buffers import aligned_empty, aligned_zeros
from .compiled import CompiledEngine, Prepared
from .dropout import DropoutMasks

__all__ = ["TrainingStep"]


class _Pass:
    """The arrays of a forward sweep at one batch size, and the engine's sweep bound to them
    (:meth:`~.compiled.CompiledEngine.forward_ops`; None with a pull plan: ``forward_into`` runs):
    what evaluation needs."""

    def __init__(self, engine: CompiledEngine, prep: Prepared, outputs: slice | np.ndarray, A: np.ndarray,
                 Z: np.ndarray) -> None:  # fmt: skip
        sc = engine.schedule
        self.engine, self.prep = engine, prep
        self.A, self.Z = A, Z
        Z[len(sc.inputs) : sc.n_sources] = 1  # bias neurons output 1
        self.inputs = Z[: len(sc.inputs)]
        # the inputs' own buffer when the stages read them apart (engine.inputs_apart): copied, not transposed
        self.X = np.empty((A.shape[1], len(sc.inputs)), A.dtype) if engine.inputs_apart else None
        self.output = np.empty((A.shape[1], len(sc.outputs)), A.dtype)  # C order, as trace.output: the loss sums alike
        contiguous = isinstance(outputs, slice)  # else: copies, made per call
        self.output_z = Z[outputs].T if contiguous else None
        self.output_a = A[outputs].T if contiguous else None
        self.forward = None if prep.pull else engine.forward_ops(prep, A, Z, self.X)  # with a plan: forward_into

    def run(self, X: np.ndarray, rows: slice | np.ndarray) -> None:
        """The forward sweep of ``X`` (what ``forward_into`` does), its outputs into :attr:`output`."""
        if self.X is not None:
            np.copyto(self.X, X)
        if self.forward is None:  # with a pull plan: forward_into, which fills the input rows itself
            self.engine.forward_into(self.prep, X if self.X is None else self.X, self.A, self.Z)
        else:
            if self.X is None:
                self.inputs[...] = X.T
            for op in self.forward:
                op()
        np.copyto(self.output, self.Z[rows].T if self.output_z is None else self.output_z)


class _State(_Pass):
    """The arrays of a step at one batch size, in one buffer (see the module notes), and the
    engine's sweeps bound to them (:meth:`~.compiled.CompiledEngine.backward_ops` too; None with a
    pull plan)."""

    def __init__(self, engine: CompiledEngine, prep: Prepared, outputs: slice | np.ndarray, batch: int,
                 dtype: np.dtype) -> None:  # fmt: skip
        sc = engine.schedule
        n_neurons, n_sources, n_weights = len(sc.order), sc.n_sources, sc.n_weights
        size = n_neurons * batch
        self.buffer = aligned_zeros(4 * size + n_weights + batch, dtype)  # rows at cache lines (see .buffers)
        dA, dZ, A, Z = (self.buffer[k * size : (k + 1) * size].reshape(n_neurons, batch) for k in range(4))
        super().__init__(engine, prep, outputs, A, Z)
        self.dA, self.dZ = dA, dZ
        self.dw = self.buffer[4 * size : 4 * size + n_weights]
        self.losses = self.buffer[4 * size + n_weights :]
        # what a pass that the public passes find finite leaves finite: a and z of every computed neuron, z of
        # the sources, ∂L/∂w and the losses (the engine's backward check reads ∂L/∂w and the loss, not ∂L/∂a
        # or ∂L/∂z); adjacent in the buffer, so one sum checks them all
        self.checked = self.buffer[2 * size + n_sources * batch :]
        self.output_dz = dZ[outputs] if isinstance(outputs, slice) else None
        self.backward = None if prep.pull else engine.backward_ops(prep, A, Z, dA, dZ, self.dw, self.X)


class TrainingStep:
    """``∂L/∂w`` of a batch, for training loops (see the module notes).

    Parameters
    ----------
    engine : CompiledEngine
        The network's engine (``net.compile()``).
    loss : str or Loss
    dtype : float64 or float32
        The passes' floating type; ``w`` stays float64.
    w : ndarray
        The starting weights, copied into :attr:`w`.

    Attributes
    ----------
    w : ndarray
        The weights the steps use, float64, writable: update it in place,
        then call :meth:`refresh` before the next :meth:`gradient`.
    """

    def __init__(self, engine: CompiledEngine, loss: str | Loss, dtype: Any, w: np.ndarray) -> None:
        sc = engine.schedule
        self.engine = engine
        self.dtype = np.dtype(dtype)
        self.terms = terms_function(loss, sc.output_activations)  # checked once
        self.w = np.array(w, dtype=np.float64)
        self.prepared = Prepared(sc, engine.kernels, self.w, self.dtype, engine.pull_plan())
        self._kernels_prepared: Prepared | None = None  # with a plan, the kernels' for dropout (built when used)
        rows = sc.output_rows
        contiguous = rows.size and np.array_equal(rows, np.arange(rows[0], rows[0] + rows.size))
        self._outputs = slice(int(rows[0]), int(rows[0]) + rows.size) if contiguous else rows
        self._states: dict[int, _State] = {}
        self._passes: dict[int, _Pass] = {}  # forward sweeps of other batch sizes (evaluation)
        self._own_da = get_loss(loss).gradient_a is not None  # its ∂L/∂a: backward_into's general sweep
        self._value = get_loss(loss).value
        self.losses = np.zeros(0)  # each example's loss in the latest gradient's pass

    def load(self, w: np.ndarray) -> None:
        """Start again from the weights ``w`` (copied into :attr:`w`)."""
        np.copyto(self.w, w)
        self.refresh()

    def refresh(self) -> None:
        """Call after changing :attr:`w` in place: the prepared weights follow it."""
        for prep in (self.prepared, self._kernels_prepared):
            if prep is not None:
                prep.refresh(self.w)

    def _state(self, batch: int) -> _State:
        state = self._states.get(batch)
        if state is None:
            state = self._states[batch] = _State(self.engine, self.prepared, self._outputs, batch, self.dtype)
        return state

    def _pass(self, batch: int) -> _Pass:
        """A forward sweep's arrays at this batch size: a step's, or arrays of their own (not zeroed)."""
        state = self._states.get(batch) or self._passes.get(batch)
        if state is None:
            sc = self.engine.schedule
            A, Z = (aligned_empty((len(sc.order), batch), self.dtype) for _ in range(2))
            state = self._passes[batch] = _Pass(self.engine, self.prepared, self._outputs, A, Z)
        return state

    def losses_and_outputs(self, X: np.ndarray, Y: np.ndarray, chunk: int) -> tuple[np.ndarray, np.ndarray]:
        """Each example's loss ``ℓ`` and the outputs ``(batch, n_outputs)``, by forward sweeps over
        chunks of ``chunk`` examples into this step's buffers: the numbers of ``net.forward`` and of
        ``loss_terms`` on them, as :func:`~autograd_graph.evaluate` computes them (the loss's ``value``:
        the same numbers as its ``value_and_gradient_z``), without its allocations (a new
        ``(n_neurons, batch)`` pair per call, which the system must zero)."""
        rows, losses, outputs = self._outputs, [], []
        for lo in range(0, X.shape[0], chunk):
            x, y = X[lo : lo + chunk], Y[lo : lo + chunk]
            s = self._pass(x.shape[0])
            s.run(x, rows)
            a = np.ascontiguousarray(s.A[rows].T)  # (batch, n_outputs) in C order, as evaluate stacks it
            losses.append(self._value(s.output, y, a))
            outputs.append(s.output.copy())
        if len(losses) == 1:
            return losses[0], outputs[0]
        return np.concatenate(losses), np.concatenate(outputs)

    def gradient(self, X: np.ndarray, Y: np.ndarray, drop: DropoutMasks | None = None) -> np.ndarray | None:
        """``∂L/∂w`` of the batch ``(X, Y)`` (float arrays ``(batch, n)``, checked by the caller), or None
        when some value of the pass is not finite (or the check's sum overflowed); with ``drop``, of the
        pass with its dropout masks (:mod:`.dropout`). :attr:`losses` are then its examples' losses.

        The array returned is a buffer of this step, overwritten by the next call of the same batch size.
        """
        s = self._state(X.shape[0])
        if drop is not None or self._own_da or s.backward is None:
            return self._gradient(s, X, Y, drop)
        rows = self._outputs
        s.run(X, rows)
        a = s.A[rows].T if s.output_a is None else s.output_a
        losses, dz_own, _ = self.terms(s.output, Y.astype(self.dtype, copy=False), a)
        s.losses[...] = losses
        self.engine.clear_added(s.dZ)
        if s.output_dz is None:  # backward_into's first step, then its bound operations
            s.dZ[rows] = dz_own.T
        else:
            s.output_dz[...] = dz_own.T
        for op in s.backward:
            op()
        self.losses = s.losses
        return s.dw if math.isfinite(np.add.reduce(s.checked)) else None

    def _gradient(self, s: _State, X: np.ndarray, Y: np.ndarray, drop: DropoutMasks | None) -> np.ndarray | None:
        """:meth:`gradient` through the engine's sweeps: for dropout, losses with their own ∂L/∂a and plans."""
        engine, prep = self.engine, self.prepared
        if drop is not None and prep.pull is not None:  # the kernels (see the module notes)
            if self._kernels_prepared is None:
                self._kernels_prepared = Prepared(engine.schedule, engine.kernels, self.w, self.dtype)
            prep = self._kernels_prepared
        if s.X is not None:  # the inputs' buffer, as gradient's bound sweeps read it: the same numbers
            np.copyto(s.X, X)
            X = s.X
        engine.forward_into(prep, X, s.A, s.Z, drop)
        rows = self._outputs
        np.copyto(s.output, s.Z[rows].T)
        losses, dz_own, da_own = self.terms(s.output, Y.astype(self.dtype, copy=False), s.A[rows].T)
        s.losses[...] = losses
        self.engine.clear_added(s.dZ, prep.pull)
        engine.backward_into(prep, s.A, s.Z, s.dA, s.dZ, s.dw, dz_own, da_own, drop, X)
        self.losses = s.losses
        return s.dw if math.isfinite(np.add.reduce(s.checked)) else None
