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
- ``sparse``: a CSR matrix over the stage's source rows.

Edges from bias neurons become a bias vector added to ``a``.

The state of a pass is two arrays ``A`` and ``Z`` of shape
``(n_neurons, batch)`` (one row per neuron, so a stage's rows are one
contiguous block); forward and backward loop over stages, never over neurons
or examples.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.lib.stride_tricks import as_strided
from scipy.sparse import csr_array

from . import topology
from .activations import Activation
from .data import as_batch
from .exceptions import ShapeError
from .losses import Loss, loss_terms
from .results import EdgeValues, Gradients, NeuronValues, Trace

if TYPE_CHECKING:
    from .network import Network

__all__ = ["Plan", "Stage", "compile_plan", "DENSE_MIN_DENSITY"]

# Edges per stage below which a dense product beats CSR gather/scatter, as a
# fraction of the stage's (targets × source span) block; from
# benchmarks/dense_vs_sparse.py on this project's 2-core reference machine.
DENSE_MIN_DENSITY = 0.25
# Edges per chunk when summing ∂L/∂w of a sparse stage over the batch (bounds memory).
SPARSE_GRAD_CHUNK = 1 << 16


@dataclass
class _View:
    """Weights of a full block as a strided view of the flat vector."""

    base: int
    row_stride: int
    col_stride: int
    shape: tuple[int, int]

    def of(self, flat: np.ndarray) -> np.ndarray:
        size = flat.itemsize
        return as_strided(flat[self.base :], self.shape, (self.row_stride * size, self.col_stride * size))

    def forward(self, w: np.ndarray, z_src: np.ndarray, a: np.ndarray) -> None:
        np.matmul(self.of(w), z_src, out=a)

    def backward(self, w, z_src, dz_src, da, dw) -> None:
        dz_src += self.of(w).T @ da
        self.of(dw)[...] = da @ z_src.T


@dataclass
class _Scatter:
    """A dense block with holes: weights scattered into a zero matrix per pass."""

    flat_index: np.ndarray  # position in the (targets, span) block
    positions: np.ndarray  # position in the flat weight vector
    shape: tuple[int, int]

    def matrix(self, w: np.ndarray) -> np.ndarray:
        W = np.zeros(self.shape, w.dtype)
        W.flat[self.flat_index] = w[self.positions]
        return W

    def forward(self, w, z_src, a) -> None:
        np.matmul(self.matrix(w), z_src, out=a)

    def backward(self, w, z_src, dz_src, da, dw) -> None:
        dz_src += self.matrix(w).T @ da
        dw[self.positions] = (da @ z_src.T).flat[self.flat_index]


@dataclass
class _Sparse:
    """A CSR matrix of shape (targets, span); ``positions`` orders its data."""

    indptr: np.ndarray
    indices: np.ndarray
    rows: np.ndarray  # target row (within the stage) of each stored weight
    positions: np.ndarray
    shape: tuple[int, int]

    def matrix(self, w: np.ndarray) -> csr_array:
        return csr_array((w[self.positions], self.indices, self.indptr), shape=self.shape)

    def forward(self, w, z_src, a) -> None:
        a[...] = self.matrix(w) @ z_src

    def backward(self, w, z_src, dz_src, da, dw) -> None:
        dz_src += self.matrix(w).T @ da
        # ∂L/∂w_e = Σ_batch ∂L/∂a_target(e) · z_source(e), in chunks to bound memory
        for lo in range(0, self.positions.size, SPARSE_GRAD_CHUNK):
            hi = lo + SPARSE_GRAD_CHUNK
            dw[self.positions[lo:hi]] = np.einsum(
                "eb,eb->e", da[self.rows[lo:hi]], z_src[self.indices[lo:hi]]
            )


@dataclass
class Stage:
    """One topological generation: target rows ``[start, stop)``."""

    start: int
    stop: int
    groups: list[tuple[Activation, int, int]]  # (σ, first row, last row + 1)
    source_start: int  # the kernel reads Z[source_start:source_stop]
    source_stop: int
    kernel: _View | _Scatter | _Sparse | None
    bias_rows: np.ndarray  # target row (within the stage) of each bias edge
    bias_sources: np.ndarray  # bias neuron (row − n_inputs) of each bias edge
    bias_positions: np.ndarray
    output_rows: np.ndarray  # absolute rows of output neurons in this stage
    output_columns: np.ndarray  # their columns in trace.output


def _dense_kernel(rows: np.ndarray, cols: np.ndarray, positions: np.ndarray, shape: tuple[int, int]):
    n, span = shape
    flat_index = rows * span + cols
    if positions.size == n * span:
        block = np.empty(n * span, dtype=np.int64)
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
    order = np.lexsort((cols, rows))
    rows, cols, positions = rows[order], cols[order], positions[order]
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    return _Sparse(indptr, cols.astype(np.int64), rows, positions, shape)


def compile_plan(net: Network) -> Plan:
    """Compile ``net`` into a :class:`Plan` (the network must be valid)."""
    G = net._graph
    inputs, biases, outputs = net.inputs, net.biases, net.outputs
    order: list[Hashable] = inputs + biases
    stage_bounds: list[tuple[int, int, list]] = []
    for generation in topology.generations(G)[1:]:
        by_activation: dict[Activation, list] = {}
        for node in generation:
            by_activation.setdefault(G.nodes[node]["activation"], []).append(node)
        start = len(order)
        groups = []
        for act, members in by_activation.items():
            groups.append((act, len(order), len(order) + len(members)))
            order.extend(members)
        stage_bounds.append((start, len(order), groups))
    rows = {node: i for i, node in enumerate(order)}
    n_sources = len(inputs) + len(biases)

    edges = net._edges
    src = np.fromiter((rows[u] for u, _ in edges), dtype=np.int64, count=len(edges))
    dst = np.fromiter((rows[v] for _, v in edges), dtype=np.int64, count=len(edges))
    by_target = np.argsort(dst, kind="stable")
    src, dst, pos = src[by_target], dst[by_target], by_target
    output_rows = np.array([rows[n] for n in outputs], dtype=np.int64)

    stages = []
    for start, stop, groups in stage_bounds:
        lo, hi = np.searchsorted(dst, [start, stop])
        s, d, p = src[lo:hi], dst[lo:hi] - start, pos[lo:hi]
        is_bias = (s >= len(inputs)) & (s < n_sources)
        ms, md, mp = s[~is_bias], d[~is_bias], p[~is_bias]
        kernel = None
        s0 = s1 = 0
        if ms.size:
            s0, s1 = int(ms.min()), int(ms.max()) + 1
            shape = (stop - start, s1 - s0)
            density = ms.size / (shape[0] * shape[1])
            make = _dense_kernel if density >= DENSE_MIN_DENSITY else _sparse_kernel
            kernel = make(md, ms - s0, mp, shape)
        in_stage = (output_rows >= start) & (output_rows < stop)
        stages.append(
            Stage(
                start, stop, groups, s0, s1, kernel,
                d[is_bias], s[is_bias] - len(inputs), p[is_bias],
                output_rows[in_stage], np.flatnonzero(in_stage),
            )
        )
    output_activations = [G.nodes[n]["activation"] for n in outputs]
    return Plan(order, rows, inputs, outputs, len(biases), len(edges), stages, output_rows,
                output_activations, dict(net._position))


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

    def forward(self, w: np.ndarray, X: Any, dtype: np.dtype, versions: tuple[object, int, int]) -> Trace:
        """All neurons' ``a`` and ``z`` for a batch; ``w`` is the flat weight vector."""
        X = as_batch(X, self.inputs, dtype=dtype)  # (batch, n_inputs)
        n_in = len(self.inputs)
        n_sources = n_in + self.n_biases
        A = np.empty((len(self.order), X.shape[0]), dtype)  # (n_neurons, batch)
        Z = np.empty_like(A)
        Z[:n_in] = X.T
        Z[n_in:n_sources] = 1
        A[:n_sources] = Z[:n_sources]
        w = w.astype(dtype, copy=False)
        for st in self.stages:
            a = A[st.start : st.stop]
            if st.kernel is None:
                a[...] = 0
            else:
                st.kernel.forward(w, Z[st.source_start : st.source_stop], a)
            if st.bias_positions.size:
                a += np.bincount(st.bias_rows, w[st.bias_positions], a.shape[0]).astype(dtype)[:, None]
            for act, lo, hi in st.groups:
                Z[lo:hi] = act.function(A[lo:hi])
        output = np.ascontiguousarray(Z[self.output_rows].T)
        return Trace(
            NeuronValues(self.rows, A, "a"), NeuronValues(self.rows, Z, "z"), output,
            "compiled", self.inputs, self.outputs, versions, self,
        )

    def backward(self, w: np.ndarray, trace: Trace, Y: Any, loss: str | Loss) -> Gradients:
        """Reverse sweep over the stages: ∂L/∂a, ∂L/∂z of every neuron, ∂L/∂w of every edge."""
        A, Z = trace.a.array, trace.z.array
        dtype = A.dtype
        Y = as_batch(Y, self.outputs, dtype=dtype, what="Y")
        if Y.shape[0] != trace.batch_size:
            raise ShapeError(f"Y has {Y.shape[0]} examples but the trace has {trace.batch_size}")
        losses, dz_own, da_own = loss_terms(
            loss, trace.output, Y, A[self.output_rows].T, self.output_activations
        )
        w = w.astype(dtype, copy=False)
        n_in = len(self.inputs)
        n_sources = n_in + self.n_biases
        dZ = np.zeros_like(Z)  # (n_neurons, batch)
        dA = np.empty_like(A)
        dw = np.zeros(self.n_weights, dtype)
        if da_own is None:
            dZ[self.output_rows] = dz_own.T
        for st in reversed(self.stages):
            for act, lo, hi in st.groups:
                dA[lo:hi] = dZ[lo:hi] * act.derivative(A[lo:hi], Z[lo:hi])
            if da_own is not None and st.output_rows.size:
                dA[st.output_rows] += da_own.T[st.output_columns]
            da = dA[st.start : st.stop]
            if st.bias_positions.size:
                dw[st.bias_positions] = da.sum(axis=1)[st.bias_rows]
                np.add.at(dZ, n_in + st.bias_sources, w[st.bias_positions, None] * da[st.bias_rows])
            if st.kernel is not None:
                s0, s1 = st.source_start, st.source_stop
                st.kernel.backward(w, Z[s0:s1], dZ[s0:s1], da, dw)
        dA[:n_sources] = dZ[:n_sources]  # inputs and biases: a = z
        if da_own is not None:
            dZ[self.output_rows] += dz_own.T
        return Gradients(
            float(losses.mean()), losses,
            NeuronValues(self.rows, dA, "∂L/∂a"), NeuronValues(self.rows, dZ, "∂L/∂z"),
            EdgeValues(self.edge_positions, dw, "∂L/∂w"),
        )
