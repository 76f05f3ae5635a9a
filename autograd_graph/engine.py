"""The compiled engine: a network compiled once into a schedule of stages.

Compiling (:func:`compile_plan`) orders the neurons into rows, inputs and bias
neurons first, then one *stage* per topological generation, its neurons grouped
by activation so that each group is one slice. Each stage holds integer index
arrays and one of three kernels for the edges into it, chosen by density:

- ``view``: a full block whose weights lie in the flat weight vector with a
  regular stride (a layered network built row by row): the weight matrix is a
  strided *view* of the flat vector, no copy;
- ``scatter``: a dense enough block: weights are scattered into a dense
  matrix and the stage is one BLAS product;
- ``sparse``: the block's edges sorted by source (CSR of the transposed
  block), so that both directions stream through the large source rows and
  scatter into, or gather from, the small block of the stage.

Edges from bias neurons become a bias vector added to ``a``.

The state of a pass is two arrays ``A`` and ``Z`` of shape
``(n_neurons, batch)`` (one row per neuron, so a stage's rows are one
contiguous block); forward and backward loop over stages, never over neurons
or examples.

What a pass needs from the weights (the dense matrices, the sparse data in
kernel order, the bias vector, all in the pass's dtype) is prepared once per
weights version and dtype and reused until the weights change, so a forward
and its backward, or repeated passes with fixed weights, share it.

The gradients of input and bias neurons (``∂L/∂z`` of a row that is never a
target) are needed by no weight, so the backward pass leaves them for later:
they are computed the first time ``grads.a`` or ``grads.z`` is read.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.lib.stride_tricks import as_strided
from scipy.sparse import csr_array
from scipy.special import expit

from . import topology
from .activations import ACTIVATIONS, Activation
from .data import as_batch
from .exceptions import ShapeError
from .losses import Loss, get_loss, loss_terms
from .results import EdgeValues, Gradients, NeuronValues, Trace

try:  # scipy's compiled loops that accumulate a sparse product into an existing array
    from scipy.sparse import _sparsetools
except ImportError:  # pragma: no cover - the public (slower) path below covers it
    _sparsetools = None

if TYPE_CHECKING:
    from .network import Network

__all__ = ["Plan", "Stage", "compile_plan", "DENSE_MIN_DENSITY"]

# The density (edges ÷ the stage's targets × source span) from which a stage takes a dense
# kernel: the median crossover over block shapes and batch sizes measured by
# benchmarks/dense_vs_sparse.py on this project's 2-core reference machine (the
# crossovers ranged from 0.1 at batch 256 to 0.5 and more at batch 16).
DENSE_MIN_DENSITY = 0.15
# Most edges per chunk when summing ∂L/∂w of a sparse stage over the batch ...
SPARSE_GRAD_CHUNK = 1 << 16
# ... and at most this many bytes per gathered block, so that it stays in cache.
SPARSE_GRAD_CHUNK_BYTES = 1 << 19
# dtypes the compiled sparse loops handle; others take the public scipy path.
_FAST_SPARSE_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _index_dtype(*sizes: int) -> np.dtype:
    return np.dtype(np.int32 if max(sizes, default=0) < np.iinfo(np.int32).max else np.int64)


def _relu_chain(a, z, dz, da) -> None:
    np.multiply(dz, a > 0, out=da)


def _logistic_chain(a, z, dz, da) -> None:
    np.subtract(1, z, out=da)  # σ' = z (1 − z)
    da *= z
    da *= dz


def _tanh_chain(a, z, dz, da) -> None:
    np.multiply(z, z, out=da)  # σ' = 1 − z²
    np.subtract(1, da, out=da)
    da *= dz


# The table's own activations written into preallocated rows, without temporaries: the
# same operations in the same order as their entries in activations.ACTIVATIONS. (Keys
# compare by name *and* functions, so an activation registered under a taken name is not one.)
_INTO: dict[Activation, tuple[Callable, Callable]] = {
    ACTIVATIONS["identity"]: (lambda a, z: np.copyto(z, a), lambda a, z, dz, da: np.copyto(da, dz)),
    ACTIVATIONS["relu"]: (lambda a, z: np.maximum(a, 0, out=z), _relu_chain),
    ACTIVATIONS["logistic"]: (lambda a, z: expit(a, out=z), _logistic_chain),
    ACTIVATIONS["tanh"]: (lambda a, z: np.tanh(a, out=z), _tanh_chain),
}


def _apply(act: Activation, a: np.ndarray, z: np.ndarray) -> None:
    """``z[...] = σ(a)``."""
    into = _INTO.get(act)
    if into is None:
        z[...] = act.function(a)
    else:
        into[0](a, z)


def _chain(act: Activation, a: np.ndarray, z: np.ndarray, dz: np.ndarray, da: np.ndarray) -> None:
    """``da[...] = dz · σ'(a)``."""
    into = _INTO.get(act)
    if into is None:
        np.multiply(dz, act.derivative(a, z), out=da)
    else:
        into[1](a, z, dz, da)


def _add_transposed_product(W: np.ndarray, dz_src: np.ndarray, da: np.ndarray, skip: int, sole: bool) -> None:
    """``dz_src[skip:] += W[:, skip:].T @ da`` for a dense block; written straight into
    ``dz_src`` when no other stage adds to those rows (``sole``)."""
    if skip >= W.shape[1]:
        return
    if sole:
        np.matmul(W[:, skip:].T, da, out=dz_src[skip:])
    else:
        dz_src[skip:] += W[:, skip:].T @ da


@dataclass
class _View:
    """Weights of a full block as a strided view of the flat vector."""

    base: int
    row_stride: int
    col_stride: int
    shape: tuple[int, int]

    def of(self, flat: np.ndarray) -> np.ndarray:
        n, span = self.shape
        room = flat.size - self.base  # slicing and reshaping is much cheaper than as_strided
        if self.col_stride == 1 and self.row_stride >= span and n * self.row_stride <= room:
            return flat[self.base : self.base + n * self.row_stride].reshape(n, self.row_stride)[:, :span]
        if self.row_stride == 1 and self.col_stride >= n and span * self.col_stride <= room:
            return flat[self.base : self.base + span * self.col_stride].reshape(span, self.col_stride)[:, :n].T
        size = flat.itemsize
        return as_strided(flat[self.base :], self.shape, (self.row_stride * size, self.col_stride * size))

    def prepare(self, w: np.ndarray) -> np.ndarray:
        return self.of(w)

    def snapshot(self, W: np.ndarray, skip: int) -> np.ndarray:
        """A private copy of the columns a deferred source-gradient product reads."""
        return np.array(W[:, :skip], order="K")

    def forward(self, W: np.ndarray, z_src: np.ndarray, a: np.ndarray, bias: np.ndarray | None) -> None:
        """``a = W z_src (+ bias)``."""
        np.matmul(W, z_src, out=a)
        if bias is not None:
            a += bias[:, None]

    def backward(self, W, z_src, dz_src, da, dw, skip: int, sole: bool) -> None:
        _add_transposed_product(W, dz_src, da, skip, sole)
        D = self.of(dw)  # (targets, span), a strided view of the flat gradient
        if self.col_stride == 1:
            np.matmul(da, z_src.T, out=D)
        elif self.row_stride == 1:
            np.matmul(z_src, da.T, out=D.T)
        else:
            D[...] = da @ z_src.T

    def backward_sources(self, W, dz_src, da) -> None:
        """``dz_src += W.T @ da`` for the first ``len(dz_src)`` (deferred) source rows."""
        dz_src += W[:, : dz_src.shape[0]].T @ da


@dataclass
class _Scatter:
    """A dense block with holes: weights scattered into a zero matrix per weights version."""

    flat_index: np.ndarray  # position in the (targets, span) block
    positions: np.ndarray  # position in the flat weight vector
    shape: tuple[int, int]

    def prepare(self, w: np.ndarray) -> np.ndarray:
        W = np.zeros(self.shape, w.dtype)
        W.flat[self.flat_index] = w[self.positions]
        return W

    def snapshot(self, W: np.ndarray, skip: int) -> np.ndarray:
        return W  # already private

    def forward(self, W, z_src, a, bias) -> None:
        np.matmul(W, z_src, out=a)
        if bias is not None:
            a += bias[:, None]

    def backward(self, W, z_src, dz_src, da, dw, skip: int, sole: bool) -> None:
        _add_transposed_product(W, dz_src, da, skip, sole)
        dw[self.positions] = (da @ z_src.T).flat[self.flat_index]

    def backward_sources(self, W, dz_src, da) -> None:
        dz_src += W[:, : dz_src.shape[0]].T @ da


@dataclass
class _Sparse:
    """The block's edges sorted by source: a CSR matrix of shape (span, targets).

    ``indptr`` runs over source rows, ``indices`` holds each stored weight's
    target (a row within the stage), ``sources`` its source (a row within the
    span) and ``positions`` its place in the flat weight vector.
    """

    indptr: np.ndarray
    indices: np.ndarray
    sources: np.ndarray
    positions: np.ndarray
    shape: tuple[int, int]  # (targets, span), as the other kernels

    def prepare(self, w: np.ndarray) -> np.ndarray:
        return w[self.positions]  # already private

    def snapshot(self, data: np.ndarray, skip: int) -> np.ndarray:
        return data

    def _transposed(self, data: np.ndarray, skip: int = 0) -> csr_array:
        indptr = self.indptr[skip:] - self.indptr[skip]
        n_targets, span = self.shape
        lo = self.indptr[skip]
        return csr_array((data[lo:], self.indices[lo:], indptr), shape=(span - skip, n_targets))

    def forward(self, data, z_src, a, bias) -> None:
        n_targets, span = self.shape
        if _sparsetools is not None and a.dtype in _FAST_SPARSE_DTYPES:
            a[...] = 0 if bias is None else bias[:, None]
            # a += Wᵀᵀ z_src, read as a CSC matrix: stream the source rows, scatter into a
            _sparsetools.csc_matvecs(
                n_targets, span, a.shape[1], self.indptr, self.indices, data, z_src.reshape(-1), a.reshape(-1)
            )
        else:
            a[...] = self._transposed(data).T @ z_src
            if bias is not None:
                a += bias[:, None]

    def _add_transposed_product(self, data, dz_src, da, skip: int, stop: int) -> None:
        """``dz_src[skip:stop] += (Wᵀ @ da)[skip:stop]``, in place."""
        if stop <= skip:
            return
        n_targets = self.shape[0]
        if _sparsetools is not None and da.dtype in _FAST_SPARSE_DTYPES:
            _sparsetools.csr_matvecs(
                stop - skip,
                n_targets,
                da.shape[1],
                self.indptr[skip : stop + 1],
                self.indices,
                data,
                da.reshape(-1),
                dz_src[skip:stop].reshape(-1),
            )
        else:
            dz_src[skip:stop] += self._transposed(data, skip)[: stop - skip] @ da

    def backward(self, data, z_src, dz_src, da, dw, skip: int, sole: bool) -> None:
        self._add_transposed_product(data, dz_src, da, skip, self.shape[1])
        # ∂L/∂w_e = Σ_batch z_source(e) · ∂L/∂a_target(e), in chunks that stay in cache
        chunk = max(1, min(SPARSE_GRAD_CHUNK, SPARSE_GRAD_CHUNK_BYTES // max(1, da.shape[1] * da.itemsize)))
        for lo in range(0, self.positions.size, chunk):
            hi = lo + chunk
            z = np.take(z_src, self.sources[lo:hi], axis=0)  # (chunk, batch)
            dw[self.positions[lo:hi]] = np.einsum("eb,eb->e", z, np.take(da, self.indices[lo:hi], axis=0))

    def backward_sources(self, data, dz_src, da) -> None:
        self._add_transposed_product(data, dz_src, da, 0, dz_src.shape[0])


Kernel = _View | _Scatter | _Sparse


@dataclass
class Stage:
    """One topological generation: target rows ``[start, stop)``."""

    start: int
    stop: int
    groups: list[tuple[Activation, int, int]]  # (σ, first row, last row + 1)
    source_start: int  # the kernel reads Z[source_start:source_stop]
    source_stop: int
    kernel: Kernel | None
    has_bias: bool  # whether bias edges head into this stage
    deferred: int  # the first `deferred` rows of the span are inputs or biases: their ∂L/∂z waits
    sole: bool  # the other rows of the span get ∂L/∂z from this stage only (and are not outputs)
    output_rows: np.ndarray  # absolute rows of output neurons in this stage
    output_columns: np.ndarray  # their columns in trace.output


def _dense_kernel(rows: np.ndarray, cols: np.ndarray, positions: np.ndarray, shape: tuple[int, int]):
    n, span = shape
    flat_index = rows * span + cols
    if positions.size == n * span:
        block: np.ndarray = np.empty(n * span, dtype=np.int64)
        block[flat_index] = positions
        block = block.reshape(n, span)
        base = int(block[0, 0])
        col_stride = int(block[0, 1] - base) if span > 1 else 1
        row_stride = int(block[1, 0] - base) if n > 1 else span * col_stride
        expected = base + np.arange(n)[:, None] * row_stride + np.arange(span)[None, :] * col_stride
        if row_stride >= 1 and col_stride >= 1 and np.array_equal(block, expected):
            return _View(base, row_stride, col_stride, shape)
    return _Scatter(flat_index, positions, shape)


def _sparse_kernel(rows: np.ndarray, cols: np.ndarray, positions: np.ndarray, shape: tuple[int, int]):
    n_targets, span = shape
    order = np.lexsort((rows, cols))  # by source, then target
    rows, cols, positions = rows[order], cols[order], positions[order]
    index = _index_dtype(span + 1, n_targets, positions.size)
    indptr = np.zeros(span + 1, dtype=index)
    np.cumsum(np.bincount(cols, minlength=span), out=indptr[1:])
    return _Sparse(indptr, rows.astype(index), cols.astype(index), positions, shape)


def _row_order(net: Network, indexed: topology.IndexedGraph) -> tuple[np.ndarray, list[tuple[int, int, list]]]:
    """Node indices in row order, and each stage's ``(start, stop, groups)``.

    Rows: inputs, bias neurons, then generation after generation; within a
    generation, neurons are grouped by activation (groups in the order of
    their first neuron), graph order within a group.
    """
    G = net._graph
    kind_rank = np.array([{"input": 0, "bias": 1}.get(kind, 2) for _, kind in G.nodes(data="kind")], dtype=np.int64)
    activations = [act for _, act in G.nodes(data="activation")]
    act_ids: dict[Activation | None, int] = {}
    act_id = np.array([act_ids.setdefault(act, len(act_ids)) for act in activations], dtype=np.int64)
    gen = indexed.generation
    assert gen is not None  # a valid network is acyclic
    group = gen * len(act_ids) + act_id
    keys, first = np.unique(group, return_index=True)
    first_of_group = first[np.searchsorted(keys, group)]  # each node: the first node of its group
    order = np.lexsort((np.arange(gen.size), first_of_group, gen, kind_rank))
    n_sources = int((kind_rank < 2).sum())
    target_gen, target_group = gen[order[n_sources:]], group[order[n_sources:]]
    stage_starts = n_sources + np.flatnonzero(np.diff(target_gen, prepend=-1))
    group_starts = n_sources + np.flatnonzero(np.diff(target_group, prepend=-1))
    stage_bounds = []
    for start, stop in zip(stage_starts.tolist(), [*stage_starts[1:].tolist(), gen.size], strict=True):
        los = group_starts[(group_starts >= start) & (group_starts < stop)].tolist()
        groups = [(activations[order[lo]], lo, hi) for lo, hi in zip(los, [*los[1:], stop], strict=True)]
        stage_bounds.append((start, stop, groups))
    return order, stage_bounds


def compile_plan(net: Network) -> Plan:
    """Compile ``net`` into a :class:`Plan` (the network must be valid)."""
    indexed = net._indexed()
    inputs, biases, outputs = net.inputs, net.biases, net.outputs
    n_inputs = len(inputs)
    n_sources = n_inputs + len(biases)
    node_order, stage_bounds = _row_order(net, indexed)
    order = [indexed.nodes[i] for i in node_order.tolist()]
    rows = dict(zip(order, range(len(order)), strict=True))
    row_of = np.empty(len(order), dtype=np.int64)
    row_of[node_order] = np.arange(len(order))
    src, dst = row_of[indexed.src], row_of[indexed.dst]  # rows of each edge, in net.edges order
    by_target = np.argsort(dst, kind="stable")
    src, dst, pos = src[by_target], dst[by_target], by_target
    is_bias = (src >= n_inputs) & (src < n_sources)
    output_rows = np.array([rows[n] for n in outputs], dtype=np.int64)

    kernels = []  # (kernel, first source row, last + 1, deferred rows) per stage
    readers = np.zeros(len(order) + 1, dtype=np.int64)  # difference array: how many stages read each row
    for start, stop, _ in stage_bounds:
        lo, hi = np.searchsorted(dst, [start, stop])
        keep = ~is_bias[lo:hi]
        s, d, p = src[lo:hi][keep], dst[lo:hi][keep] - start, pos[lo:hi][keep]
        kernel = None
        s0 = s1 = 0
        if s.size:
            s0, s1 = int(s.min()), int(s.max()) + 1
            shape = (stop - start, s1 - s0)
            density = s.size / (shape[0] * shape[1])
            make = _dense_kernel if density >= DENSE_MIN_DENSITY else _sparse_kernel
            kernel = make(d, s - s0, p, shape)
        deferred = int(np.clip(n_sources - s0, 0, s1 - s0))
        readers[s0 + deferred] += 1
        readers[s1] -= 1
        kernels.append((kernel, s0, s1, deferred, bool(is_bias[lo:hi].any())))
    readers = np.cumsum(readers)
    readers[output_rows] += 1  # an output's ∂L/∂z has the loss's own term as well
    stages = []
    for (start, stop, groups), (kernel, s0, s1, deferred, has_bias) in zip(stage_bounds, kernels, strict=True):
        sole = s0 + deferred < s1 and bool((readers[s0 + deferred : s1] == 1).all())
        in_stage = (output_rows >= start) & (output_rows < stop)
        stages.append(
            Stage(
                start,
                stop,
                groups,
                s0,
                s1,
                kernel,
                has_bias,
                deferred,
                sole,
                output_rows[in_stage],
                np.flatnonzero(in_stage),
            )
        )
    # bias edges: target rows, and a CSR matrix (bias neuron × rows) for the biases' own ∂L/∂z
    b_src, b_dst, b_pos = src[is_bias] - n_inputs, dst[is_bias], pos[is_bias]
    by_bias = np.lexsort((b_dst, b_src))
    b_src, b_dst, b_pos = b_src[by_bias], b_dst[by_bias], b_pos[by_bias]
    index = _index_dtype(len(order) + 1, b_pos.size)
    bias_indptr = np.zeros(len(biases) + 1, dtype=index)
    np.cumsum(np.bincount(b_src, minlength=len(biases)), out=bias_indptr[1:])
    output_activations = [net._graph.nodes[n]["activation"] for n in outputs]
    return Plan(
        order,
        rows,
        inputs,
        outputs,
        len(biases),
        net.n_weights,
        stages,
        output_rows,
        output_activations,
        dict(net._position),
        b_dst.astype(index),
        bias_indptr,
        b_pos,
    )


class _Prepared:
    """What a pass needs from the weights, in one dtype; built once per weights version."""

    def __init__(self, plan: Plan, w: np.ndarray, dtype: np.dtype) -> None:
        self.w = w.astype(dtype, copy=False)  # (n_weights,); the network's own buffer for float64
        self.aliases = self.w is w  # views of self.w then change with the network's weights
        self.kernels = [None if st.kernel is None else st.kernel.prepare(self.w) for st in plan.stages]
        self.bias_weights = self.w[plan.bias_positions]  # in the order of plan.bias_targets
        total = np.bincount(plan.bias_targets, weights=self.bias_weights, minlength=len(plan.order))
        self.bias = total.astype(dtype, copy=False)  # (n_neurons,): Σ of bias weights into each row
        self._private: list | None = None

    def private_kernels(self, plan: Plan) -> list:
        """The kernels' weights as private copies where they alias the network's buffer (deferred
        stages only): what a deferred gradient reads must not change when the network's weights do."""
        if self._private is None:
            self._private = [
                W
                if W is None or not (self.aliases and st.deferred)
                else cast(Kernel, st.kernel).snapshot(W, st.deferred)
                for st, W in zip(plan.stages, self.kernels, strict=True)
            ]
        return self._private


@dataclass
class Plan:
    """A compiled network: rows, stages and their kernels. Built by :func:`compile_plan`."""

    order: list[Hashable]  # neuron of each row
    rows: dict[Hashable, int]
    inputs: list[Hashable]
    outputs: list[Hashable]
    n_biases: int
    n_weights: int
    stages: list[Stage]
    output_rows: np.ndarray
    output_activations: list[Activation]
    edge_positions: dict[tuple, int]
    bias_targets: np.ndarray  # target row of each bias edge, grouped by bias neuron
    bias_indptr: np.ndarray  # bias neuron k owns bias edges bias_indptr[k]:bias_indptr[k + 1]
    bias_positions: np.ndarray  # their positions in the flat weight vector
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def _prepared(self, w: np.ndarray, dtype: np.dtype, versions: Any) -> _Prepared:
        """The prepared weights for this weights version, from the cache when it has them."""
        key = (versions, w.__array_interface__["data"][0], w.size)
        hit = self._cache.get(dtype)
        if hit is not None and hit[0] == key:
            return hit[2]
        prepared = _Prepared(self, w, dtype)
        self._cache[dtype] = (key, w, prepared)  # holding w keeps its address from being reused
        return prepared

    def forward(self, w: np.ndarray, X: Any, dtype: np.dtype, versions: tuple[object, int, int]) -> Trace:
        """All neurons' ``a`` and ``z`` for a batch; ``w`` is the flat weight vector."""
        X = as_batch(X, self.inputs, dtype=dtype)  # (batch, n_inputs)
        prep = self._prepared(w, dtype, versions)
        n_in = len(self.inputs)
        n_sources = n_in + self.n_biases
        A = np.empty((len(self.order), X.shape[0]), dtype)  # (n_neurons, batch)
        Z = np.empty_like(A)
        Z[:n_in] = X.T
        Z[n_in:n_sources] = 1

        def sources_a() -> None:  # a = z for inputs and biases; filled when trace.a is first read
            A[:n_sources] = Z[:n_sources]

        for st, W in zip(self.stages, prep.kernels, strict=True):
            a = A[st.start : st.stop]
            bias = prep.bias[st.start : st.stop] if st.has_bias else None
            if st.kernel is not None:
                assert W is not None  # prepared from st.kernel
                st.kernel.forward(W, Z[st.source_start : st.source_stop], a, bias)
            else:
                a[...] = 0 if bias is None else bias[:, None]
            for act, lo, hi in st.groups:
                _apply(act, A[lo:hi], Z[lo:hi])
        output = np.ascontiguousarray(Z[self.output_rows].T)
        return Trace(
            NeuronValues(self.rows, A, "a", sources_a),
            NeuronValues(self.rows, Z, "z"),
            output,
            "compiled",
            self.inputs,
            self.outputs,
            versions,
            self,
        )

    def backward(self, w: np.ndarray, trace: Trace, Y: Any, loss: str | Loss) -> Gradients:
        """Reverse sweep over the stages: ∂L/∂a, ∂L/∂z of every neuron, ∂L/∂w of every edge."""
        A, Z = trace.a.raw, trace.z.array  # the rows of targets are all backward reads of A
        dtype = A.dtype
        Y = as_batch(Y, self.outputs, dtype=dtype, what="Y")
        if Y.shape[0] != trace.batch_size:
            raise ShapeError(f"Y has {Y.shape[0]} examples but the trace has {trace.batch_size}")
        losses, dz_own, da_own = loss_terms(loss, trace.output, Y, A[self.output_rows].T, self.output_activations)
        prep = self._prepared(w, dtype, trace.versions)
        n_sources = len(self.inputs) + self.n_biases
        dZ = np.zeros(Z.shape, dtype)  # (n_neurons, batch)
        dA = np.empty_like(A)
        dw = np.empty(self.n_weights, dtype)
        if da_own is None:
            dZ[self.output_rows] = dz_own.T
        for st, W in zip(reversed(self.stages), reversed(prep.kernels), strict=True):
            for act, lo, hi in st.groups:
                _chain(act, A[lo:hi], Z[lo:hi], dZ[lo:hi], dA[lo:hi])
            if da_own is not None and st.output_rows.size:
                dA[st.output_rows] += da_own.T[st.output_columns]
            if st.kernel is not None:
                s0, s1 = st.source_start, st.source_stop
                st.kernel.backward(W, Z[s0:s1], dZ[s0:s1], dA[st.start : st.stop], dw, st.deferred, st.sole)
        if self.bias_positions.size:
            ones = np.ones(dA.shape[1], dtype)
            dw[self.bias_positions] = (dA[n_sources:] @ ones)[self.bias_targets - n_sources]  # Σ over the batch
        if da_own is not None:
            dZ[self.output_rows] += dz_own.T
        fill = self._source_gradients(prep, dA, dZ)
        return Gradients(
            float(losses.mean()),
            losses,
            NeuronValues(self.rows, dA, "∂L/∂a", fill),
            NeuronValues(self.rows, dZ, "∂L/∂z", fill),
            EdgeValues(self.edge_positions, dw, "∂L/∂w"),
            get_loss(loss),
        )

    def _source_gradients(self, prep: _Prepared, dA: np.ndarray, dZ: np.ndarray) -> Callable[[], None]:
        """A function that fills ∂L/∂z (= ∂L/∂a) of the input and bias rows, once.

        It keeps private copies of the weights it reads, so that it gives the
        gradients of the pass even when the weights change before it runs.
        """
        n_in = len(self.inputs)
        n_sources = n_in + self.n_biases
        deferred = [
            (st, W)
            for st, W in zip(self.stages, prep.private_kernels(self), strict=True)
            if st.kernel is not None and st.deferred
        ]
        bias_weights = prep.bias_weights
        done = False

        def fill() -> None:
            nonlocal done
            if done:
                return
            done = True
            for st, W in deferred:
                s0 = st.source_start
                cast(Kernel, st.kernel).backward_sources(W, dZ[s0 : s0 + st.deferred], dA[st.start : st.stop])
            if bias_weights.size:
                self._add_bias_gradients(bias_weights, dA, dZ[n_in:n_sources])
            dA[:n_sources] = dZ[:n_sources]  # inputs and biases: a = z

        return fill

    def _add_bias_gradients(self, bias_weights: np.ndarray, dA: np.ndarray, dz_bias: np.ndarray) -> None:
        """``∂L/∂z_b += Σ_{j : b→j} w_{b,j} ∂L/∂a_j`` for every bias neuron ``b``."""
        if _sparsetools is not None and dA.dtype in _FAST_SPARSE_DTYPES:
            _sparsetools.csr_matvecs(
                self.n_biases,
                dA.shape[0],
                dA.shape[1],
                self.bias_indptr,
                self.bias_targets,
                bias_weights,
                dA.reshape(-1),
                dz_bias.reshape(-1),
            )
        else:
            B = csr_array((bias_weights, self.bias_targets, self.bias_indptr), shape=(self.n_biases, dA.shape[0]))
            dz_bias += B @ dA
