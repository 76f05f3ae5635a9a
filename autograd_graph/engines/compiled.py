"""The compiled engine: passes over a :class:`~.schedule.Schedule`, stage by stage.

The state of a pass is two arrays ``A`` and ``Z`` of shape
``(n_neurons, batch)``, rows in schedule order; forward and backward loop over
stages, never over neurons or examples. Four things keep it fast:

- *prepared weights* (:class:`Prepared`): what a pass needs from the weights
  (each kernel's matrix or sparse data, the bias vector, in the pass's dtype)
  is built once per weights version and dtype, and reused by a forward and its
  backward and by every pass until the weights change (training at batch 32
  on 64→16→10 prepared them twice per step without it);
- *fused in-place kernels*: activations and their chain rule write into the
  rows of ``Z`` and ``∂L/∂a`` through the activation table's ``forward_into``
  and ``chain_into`` forms (a pull plan's loops apply the common σ' themselves:
  :mod:`.pull`), without temporaries; big stages run on the threads (:mod:`.threads`);
- *deferred source gradients*: ``∂L/∂z`` of input and bias neurons is needed by
  no weight, so backward leaves it for later: it is computed the first time
  ``grads.a`` or ``grads.z`` is read (half of a wide input layer's backward
  work, e.g. 784→16→10), from the weights of that pass;
- *bound sweeps* for small networks' public passes (:mod:`.small`).

Examples
--------
>>> import numpy as np
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> engine = CompiledEngine(net.indexed())
>>> trace = engine.forward(net.weights, np.array([[0.5]]), np.dtype(np.float64), net.versions)
>>> bool(np.allclose(trace.output, net.forward([[0.5]]).output))
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..data import as_batch
from ..exceptions import ShapeError
from ..losses import Loss, get_loss, loss_terms
from ..results import EdgeValues, EngineKind, Gradients, NeuronValues, Trace
from ..topology import IndexedGraph
from . import bound
from .bound import Op, apply_group, chain_group, dense_chain, dense_forward, source_rows
from .buffers import BufferPool
from .dropout import INPUTS, DropoutMasks
from .epilogue import LOOPS
from .kernels import EdgeGradients, ScatterKernel, SparseKernel, ViewKernel, add_csr_product, kernel_for
from .prepared import Prepared
from .pull import PullPlan, build_plan
from .schedule import added_rows, build_schedule, inputs_apart
from .small import BoundPasses

__all__ = ["CompiledEngine", "Prepared"]


class CompiledEngine:
    """Forward and backward passes of one network structure, compiled once.

    Parameters
    ----------
    graph : IndexedGraph
        An evaluable network's description (``net.indexed()``).

    Attributes
    ----------
    kind : EngineKind
        ``EngineKind.COMPILED``.
    schedule : Schedule
        Rows, stages and blocks (see :mod:`.schedule`).
    """

    kind = EngineKind.COMPILED

    def __init__(self, graph: IndexedGraph) -> None:
        self.graph = graph
        self.schedule = build_schedule(graph)
        self.kernels = [None if st.block is None else kernel_for(st.block) for st in self.schedule.stages]
        small = [(k, st.source_start, st.start) for st, k in zip(self.schedule.stages, self.kernels, strict=True)
                 if isinstance(k, SparseKernel) and k.ranges.count == 1]  # fmt: skip
        self._edge_gradients = EdgeGradients(small)  # their ∂L/∂w after the sweep, in a few calls
        self._pull: PullPlan | None | bool = False  # the public passes' plan (:mod:`.pull`); built on first use
        self._cache: dict[np.dtype, tuple[Any, Prepared]] = {}
        self._bias_rows = self.schedule.bias_targets - self.schedule.n_sources  # each bias edge's row among targets
        self._buffers = BufferPool()  # the passes' big arrays, reused once nothing refers to them
        self.added_rows = added_rows(self.schedule)  # the rows of ∂L/∂z a backward sweep adds into
        # dense stages' activations stay in the calling thread (BLAS's threads spin around their products)
        self._shared = [not isinstance(k, (ViewKernel, ScatterKernel)) for k in self.kernels]
        self._looped = [not shared and all(act in LOOPS for act, _, _ in st.groups)  # bias and σ: :mod:`.epilogue`
                        for shared, st in zip(self._shared, self.schedule.stages, strict=True)]  # fmt: skip
        # whether the stages that read inputs are dense products of inputs only: they then read X itself
        # (its transpose, a BLAS operand as good as rows of Z) and the input rows of Z wait to be read
        self.inputs_apart = inputs_apart(self.schedule)
        self.bound_passes = BoundPasses(self)  # a small network's public passes: sweeps bound once (:mod:`.small`)

    def _prepared(self, w: np.ndarray, dtype: np.dtype, token: Any) -> Prepared:
        """The prepared weights of this weights version (``token``), from the cache when it has them."""
        hit = self._cache.get(dtype)
        if hit is not None and hit[0] == token:
            return hit[1]
        prepared = Prepared(self.schedule, self.kernels, w, dtype, self.pull_plan())
        self._cache[dtype] = (token, prepared)  # one entry per dtype: the latest version
        return prepared

    def release_buffers(self) -> int:
        """Give the passes' free blocks (:mod:`.buffers`) back to the system, and drop the bound passes' arrays
        (:mod:`.small`); how many blocks. Blocks in use stay."""
        self.bound_passes.release()
        return self._buffers.release()

    def pull_plan(self) -> PullPlan | None:
        """The plan of the public passes' sparse stages edge by edge (:mod:`.pull`), built on first use;
        None when numba is not installed or the network has few sparse edges."""
        if self._pull is False:
            self._pull = build_plan(self.schedule, self.kernels)
        return self._pull  # type: ignore[return-value]

    def forward(self, w: np.ndarray, X: Any, dtype: np.dtype, versions: tuple) -> Trace:
        """Every neuron's ``a`` and ``z`` for a batch; ``w`` is the flat weight vector of ``versions``."""
        sc = self.schedule
        X = as_batch(X, sc.inputs, dtype=dtype)  # (batch, n_inputs)
        if self.inputs_apart:  # the trace's own copy (a plain one, not a transposition): the pass reads it
            X = np.array(X, dtype, order="C")
            X.flags.writeable = False
        n_in, n_sources = len(sc.inputs), sc.n_sources
        A = self._buffers.empty((len(sc.order), X.shape[0]), dtype)  # (n_neurons, batch)
        Z = self._buffers.empty(A.shape, dtype)
        if not self.bound_passes.forward(w, versions[2], X, A, Z):  # the bias rows of Z are 1 in its copy too
            Z[n_in:n_sources] = 1
            self.forward_into(self._prepared(w, dtype, versions[2]), X, A, Z)
        filled = not self.inputs_apart

        def inputs_z() -> None:  # z = x of the inputs, when not filled by the sweep: when trace.z is first read
            nonlocal filled
            if not filled:
                filled = True
                Z[:n_in] = X.T

        def sources_a() -> None:  # a = z for inputs and biases; filled when trace.a is first read
            inputs_z()
            A[:n_sources] = Z[:n_sources]

        output = np.ascontiguousarray(Z[sc.output_rows].T)  # (batch, n_outputs)
        a_values = NeuronValues(sc.order, sc.rows, A, "a", sources_a)
        z_values = NeuronValues(sc.order, sc.rows, Z, "z", inputs_z)
        return Trace(a_values, z_values, output, self.kind, sc.inputs, sc.outputs, versions, X)

    def forward_into(self, prep: Prepared, X: np.ndarray, A: np.ndarray, Z: np.ndarray,
                     drop: DropoutMasks | None = None) -> None:  # fmt: skip
        """The forward sweep into ``A`` and ``Z`` (``(n_neurons, batch)``, the bias rows of ``Z`` set to 1);
        with ``drop``, its masks applied to ``z`` (:mod:`.dropout`). With :attr:`inputs_apart` (and no
        dropout of inputs) the input rows of ``Z`` are left as they are: the stages read ``X``, which
        must then be C-contiguous in the pass's dtype, and backward needs it too."""
        xT = self._inputs(X, drop)
        if xT is None:
            Z[: X.shape[1]] = X.T
            if drop is not None:
                drop.forward(INPUTS, Z)
        pull = prep.pull  # sparse stages target by target (:mod:`.pull`), on all threads at once when it can
        sweep = pull.start_forward(prep.pull_weights, prep.bias, Z, A) if pull is not None and drop is None else None
        for k, (st, kernel, W) in enumerate(zip(self.schedule.stages, self.kernels, prep.kernels, strict=True)):
            if pull is not None and (pull.pulled[k] or sweep is not None):  # the activations too
                pull.forward(k, prep.pull_weights, prep.bias, st.has_bias, Z, A, st.groups, sweep)
            elif self._looped[k] and kernel is not None:  # a product, then bias and σ in one loop (calling thread)
                bias = prep.bias[st.start : st.stop] if st.has_bias else None
                dense_forward(st, kernel, W, source_rows(Z, xT, st.source_start, st.source_stop), A, Z, bias)
            else:
                a = A[st.start : st.stop]
                bias = prep.bias[st.start : st.stop] if st.has_bias else None
                if kernel is not None:
                    kernel.forward(W, source_rows(Z, xT, st.source_start, st.source_stop), a, bias)  # type: ignore[arg-type]
                else:
                    a[...] = 0 if bias is None else bias[:, None]
                for act, lo, hi in st.groups:
                    if self._shared[k]:
                        apply_group(act, A, Z, lo, hi)
                    else:
                        act.apply(A[lo:hi], Z[lo:hi])
            if drop is not None:
                drop.forward(k, Z)

    def backward(self, w: np.ndarray, trace: Trace, Y: Any, loss: str | Loss) -> Gradients:
        """Reverse sweep over the stages: ∂L/∂a, ∂L/∂z of every neuron, ∂L/∂w of every edge."""
        sc = self.schedule
        A, Z = trace.a.raw, trace.z.raw  # the rows of targets are all backward reads of A and Z (or trace.x)
        dtype = A.dtype
        Y = as_batch(Y, sc.outputs, dtype=dtype, what="Y")
        if Y.shape[0] != trace.batch_size:
            raise ShapeError(f"Y has {Y.shape[0]} examples but the trace has {trace.batch_size}")
        losses, dz_own, da_own = loss_terms(loss, trace.output, Y, A[sc.output_rows].T, sc.output_activations)
        dZ = self._buffers.empty(Z.shape, dtype)  # (n_neurons, batch): the sources' rows are zeroed when filled
        dA = self._buffers.empty(A.shape, dtype)
        dw = self._buffers.empty((sc.n_weights,), dtype)
        token, prep = trace.versions[2], None
        if da_own is not None or not self.bound_passes.backward(w, token, A, Z, trace.x, dz_own, dA, dZ, dw):
            prep = self._prepared(w, dtype, token)
            self.clear_added(dZ, prep.pull)
            self.backward_into(prep, A, Z, dA, dZ, dw, dz_own, da_own, X=trace.x)
        fill = self._source_gradients(prep, w, dtype, token, dA, dZ)
        da, dz = (NeuronValues(sc.order, sc.rows, x, name, fill) for x, name in ((dA, "∂L/∂a"), (dZ, "∂L/∂z")))
        dw_values = EdgeValues(self.graph.positions, dw, "∂L/∂w")
        return Gradients(float(losses.mean()), losses, da, dz, dw_values, get_loss(loss))

    def backward_into(self, prep: Prepared, A: np.ndarray, Z: np.ndarray, dA: np.ndarray, dZ: np.ndarray,
                      dw: np.ndarray, dz_own: np.ndarray, da_own: np.ndarray | None,
                      drop: DropoutMasks | None = None, X: np.ndarray | None = None) -> None:  # fmt: skip
        """The reverse sweep: ∂L/∂a and ∂L/∂z of every neuron but inputs and biases (left for later, see the
        module notes) into ``dA`` and ``dZ`` (zero on entry, or only their rows :meth:`clear_added` zeroes),
        ∂L/∂w into ``dw``. ``dz_own`` and ``da_own`` are the loss's own terms, ``(batch, n_outputs)``;
        ``drop``, the masks of the forward sweep (then ``prep`` has no pull plan); ``X``, the inputs it read."""
        sc = self.schedule
        xT = None if X is None else self._inputs(X, drop)
        if da_own is None:
            dZ[sc.output_rows] = dz_own.T
        assert drop is None or prep.pull is None, "dropout: the kernels' Prepared (see engines/step.py)"
        pull = prep.pull  # sparse edges by their sources (:mod:`.pull`)
        sums = self._buffers.empty((len(sc.order) if pull else 0,), dA.dtype)  # rows' Σ_batch ∂L/∂a (plan's loops)
        swept = pull is not None and da_own is None and pull.sweep(prep.pull_weights, A, Z, dZ, dA, dw, sums)
        stages = list(enumerate(zip(sc.stages, self.kernels, prep.kernels, strict=True)))
        for k, (st, kernel, W) in reversed(stages):
            if drop is not None:
                drop.backward(k, Z, dZ)
            if pull is not None:  # every target of these rows' sparse edges is in a later stage: done
                if not swept:  # else done at once (pull.sweep); then the stage's chain, range by range
                    pull.stage(k, prep.pull_weights, A, Z, dZ, dA, dw, sums)
            else:
                for act, lo, hi in st.groups:
                    if self._shared[k] or self._looped[k]:
                        (chain_group if self._shared[k] else dense_chain)(act, A, Z, dZ, dA, lo, hi)
                    else:
                        act.chain(A[lo:hi], Z[lo:hi], dZ[lo:hi], dA[lo:hi])
            if da_own is not None and st.output_rows.size:
                dA[st.output_rows] += da_own.T[st.output_columns]
            if kernel is not None and W is not None:  # W is None for the stages the plan pulls
                s0, s1 = st.source_start, st.source_stop
                z_src = source_rows(Z, xT, s0, s1)
                kernel.backward(W, z_src, dZ[s0:s1], dA[st.start : st.stop], dw, st.deferred, st.sole)
        if drop is not None:
            drop.remask(Z)
        if pull is not None:  # the inputs' edges: their ∂L/∂w now, their ∂L/∂z when read
            pull.sources(prep.pull_weights, Z, dZ, dA, dw, with_dz=False, with_dw=True)
        else:
            self._edge_gradients(Z, dA, dw)
        if sc.bias_positions.size:  # Σ over the batch: the plan's loops summed the rows, else a product with ones
            by_row = pull.bias_sums(sums, dA) if pull else dA[sc.n_sources :] @ np.ones(dA.shape[1], dA.dtype)
            dw[sc.bias_positions] = by_row[self._bias_rows]
        if da_own is not None:
            dZ[sc.output_rows] += dz_own.T

    def _inputs(self, X: np.ndarray, drop: DropoutMasks | None) -> np.ndarray | None:
        """``X.T``, the input rows the stages read, when they read them apart; None: from ``Z``."""
        return X.T if self.inputs_apart and (drop is None or INPUTS not in drop.stages) else None

    def clear_added(self, dZ: np.ndarray, pull: PullPlan | None = None) -> None:
        """Zero the rows of ``dZ`` a backward sweep adds into, before it (:attr:`added_rows`, or ``pull.added``)."""
        for rows in self.added_rows if pull is None else pull.added:
            dZ[rows] = 0

    def forward_ops(self, prep: Prepared, A: np.ndarray, Z: np.ndarray, X: np.ndarray | None = None) -> list[Op]:
        """:meth:`forward_into` as calls bound once to these buffers (:func:`.bound.forward_ops`); ``X``, the
        buffer the inputs will be in when the stages read them apart (:attr:`inputs_apart`)."""
        return bound.forward_ops(self.schedule, self.kernels, prep, A, Z, None if X is None else self._inputs(X, None))

    def backward_ops(self, prep: Prepared, A: np.ndarray, Z: np.ndarray, dA: np.ndarray, dZ: np.ndarray,
                     dw: np.ndarray, X: np.ndarray | None = None) -> list[Op]:  # fmt: skip
        """:meth:`backward_into` as calls bound once to these buffers (:func:`.bound.backward_ops`), ``X`` as
        in :meth:`forward_ops`."""
        return bound.backward_ops(self.schedule, self.kernels, prep, self._edge_gradients, self._bias_rows,
                                  A, Z, dA, dZ, dw, None if X is None else self._inputs(X, None))  # fmt: skip

    def _source_gradients(self, prep: Prepared | None, w: np.ndarray, dtype: np.dtype, token: Any, dA: np.ndarray,
                          dZ: np.ndarray) -> Callable[[], None]:  # fmt: skip
        """A function that fills ∂L/∂z (= ∂L/∂a) of the input and bias rows, once (see the module notes), with
        ``prep``, or (after the bound passes, which have their own) the prepared weights of ``w`` (``token``)."""
        sc = self.schedule
        n_in, n_sources = len(sc.inputs), sc.n_sources
        done = False

        def fill() -> None:
            nonlocal done
            if done:
                return
            done = True
            p = prep or self._prepared(w, dtype, token)  # after the bound passes, whose own are prepared in place
            pull, bias_weights = p.pull, p.bias_weights  # backward pulled the sparse edges when it has a plan
            deferred = [(st, kernel, W) for st, kernel, W in zip(sc.stages, self.kernels, p.kernels, strict=True)
                        if kernel is not None and W is not None and st.deferred]  # fmt: skip
            dZ[:n_sources] = 0  # nothing wrote these rows: backward leaves them to this
            for st, kernel, W in deferred:
                s0 = st.source_start
                kernel.backward_sources(W, dZ[s0 : s0 + st.deferred], dA[st.start : st.stop])
            if pull is not None:
                pull.sources(p.pull_weights, dZ, dZ, dA, dZ[:0, 0], with_dz=True, with_dw=False)  # z: unread
            if bias_weights.size:  # ∂L/∂z_b += Σ_{j : b→j} w_{b,j} ∂L/∂a_j for every bias neuron b
                add_csr_product(sc.bias_indptr, sc.bias_targets, bias_weights, dA, dZ[n_in:n_sources], dA.shape[0])
            dA[:n_sources] = dZ[:n_sources]  # inputs and biases: a = z

        return fill
