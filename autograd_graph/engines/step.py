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
  often shorter), allocated once: ``a``, ``z``, ``∂L/∂a``, ``∂L/∂z``,
  ``∂L/∂w`` and the losses in one buffer, so that a single sum tells whether
  all of them are finite (a sum is finite when every term is, unless it
  overflows: then the caller looks closer and finds nothing).

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

from ..losses import Loss, terms_function
from .compiled import CompiledEngine, Prepared
from .dropout import DropoutMasks

__all__ = ["TrainingStep"]


class _State:
    """The arrays of a step at one batch size, in one buffer (see the module notes)."""

    def __init__(self, n_neurons: int, n_sources: int, n_biases_from: int, n_outputs: int, batch: int,
                 n_weights: int, dtype: np.dtype) -> None:  # fmt: skip
        size = n_neurons * batch
        self.buffer = np.zeros(4 * size + n_weights + batch, dtype)
        A, Z, dA, dZ = (self.buffer[k * size : (k + 1) * size].reshape(n_neurons, batch) for k in range(4))
        self.A, self.Z, self.dA, self.dZ = A, Z, dA, dZ
        self.dw = self.buffer[4 * size : 4 * size + n_weights]
        self.losses = self.buffer[4 * size + n_weights :]
        Z[n_biases_from:n_sources] = 1  # bias neurons output 1
        self.targets = dZ[n_sources:]  # the rows of ∂L/∂z a backward sweep adds into
        self.output = np.empty((batch, n_outputs), dtype)  # C order, as trace.output: the loss sums alike


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
        self.prepared = Prepared(sc, engine.kernels, self.w, self.dtype)
        self._one_bias_per_row = bool(np.all(np.diff(np.sort(sc.bias_targets)) > 0))
        rows = sc.output_rows
        contiguous = rows.size and np.array_equal(rows, np.arange(rows[0], rows[0] + rows.size))
        self._outputs = slice(int(rows[0]), int(rows[0]) + rows.size) if contiguous else rows
        self._states: dict[int, _State] = {}
        self.losses = np.zeros(0)  # each example's loss in the latest gradient's pass

    def load(self, w: np.ndarray) -> None:
        """Start again from the weights ``w`` (copied into :attr:`w`)."""
        np.copyto(self.w, w)
        self.refresh()

    def refresh(self) -> None:
        """Call after changing :attr:`w` in place: the prepared weights follow it."""
        self.prepared.refresh(self.w, self._one_bias_per_row)

    def _state(self, batch: int) -> _State:
        state = self._states.get(batch)
        if state is None:
            sc = self.engine.schedule
            n_outputs = len(sc.outputs)
            state = _State(len(sc.order), sc.n_sources, len(sc.inputs), n_outputs, batch, sc.n_weights, self.dtype)
            self._states[batch] = state
        return state

    def losses_and_outputs(self, X: np.ndarray, Y: np.ndarray, chunk: int) -> tuple[np.ndarray, np.ndarray]:
        """Each example's loss ``ℓ`` and the outputs ``(batch, n_outputs)``, by forward sweeps over
        chunks of ``chunk`` examples into this step's buffers: the numbers of ``net.forward`` and of
        ``loss_terms`` on them, as :func:`~autograd_graph.evaluate` computes them, without its
        allocations (a new ``(n_neurons, batch)`` pair per call, which the system must zero)."""
        rows, losses, outputs = self._outputs, [], []
        for lo in range(0, X.shape[0], chunk):
            x, y = X[lo : lo + chunk], Y[lo : lo + chunk]
            s = self._state(x.shape[0])
            self.engine.forward_into(self.prepared, x, s.A, s.Z)
            np.copyto(s.output, s.Z[rows].T)
            a = np.ascontiguousarray(s.A[rows].T)  # (batch, n_outputs) in C order, as evaluate stacks it
            losses.append(self.terms(s.output, y, a)[0])
            outputs.append(s.output.copy())
        return np.concatenate(losses), np.concatenate(outputs)

    def gradient(self, X: np.ndarray, Y: np.ndarray, drop: DropoutMasks | None = None) -> np.ndarray | None:
        """``∂L/∂w`` of the batch ``(X, Y)`` (float arrays ``(batch, n)``, checked by the caller), or None
        when some value of the pass is not finite (or the check's sum overflowed); with ``drop``, of the
        pass with its dropout masks (:mod:`.dropout`). :attr:`losses` are then its examples' losses.

        The array returned is a buffer of this step, overwritten by the next call of the same batch size.
        """
        s = self._state(X.shape[0])
        engine, prep = self.engine, self.prepared
        engine.forward_into(prep, X, s.A, s.Z, drop)
        rows = self._outputs
        np.copyto(s.output, s.Z[rows].T)
        losses, dz_own, da_own = self.terms(s.output, Y.astype(self.dtype, copy=False), s.A[rows].T)
        s.losses[...] = losses
        s.targets.fill(0)
        engine.backward_into(prep, s.A, s.Z, s.dA, s.dZ, s.dw, dz_own, da_own, drop)
        self.losses = s.losses
        return s.dw if math.isfinite(s.buffer.sum()) else None
