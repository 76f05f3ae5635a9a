"""The compiled engine's kernels: the edges into one stage, forward and backward.

One class per :class:`~autograd_graph.engines.schedule.Block` kind, each built
from its block (:func:`kernel_for`) and used in three steps:

- ``prepare(w)``: what the kernel needs from the flat weights ``w`` in the
  pass's dtype (a strided view, a dense matrix, the sparse data in kernel
  order), once per weights version; ``refresh(W, w)`` does it again in
  place after ``w`` changed in place (training steps);
- ``forward(W, z_src, a, bias)``: ``a = W z_src (+ bias)`` for the stage's rows;
- ``backward(W, z_src, dz_src, da, dw, skip, sole)``: ``dz_src[skip:] += Wᵀ da``
  (the multivariate chain rule, every target's share added into its sources)
  and ``∂L/∂w = Σ_batch ∂L/∂a_j · z_i`` into ``dw``; the first ``skip``
  (deferred) source rows are left to ``backward_sources``.

Arrays are ``(rows, batch)``: one row per neuron, so a stage is a contiguous
block of rows and a BLAS product covers the batch at once.
"""

from __future__ import annotations

from functools import partial

import numpy as np
from numpy.lib.stride_tricks import as_strided
from scipy.sparse import csr_array

from .partition import split_block
from .schedule import Block
from .threads import PARTS, parallel, run

try:  # scipy's compiled loops that accumulate a sparse product into an existing array
    from scipy.sparse import _sparsetools
except ImportError:  # pragma: no cover - the public (slower) path below covers it
    _sparsetools = None

__all__ = ["Kernel", "ViewKernel", "ScatterKernel", "SparseKernel", "EdgeGradients", "kernel_for"]

# Most edges per chunk when summing ∂L/∂w of a sparse stage over the batch ...
SPARSE_GRAD_CHUNK = 1 << 16
# ... and at most this many bytes per gathered block, so that it stays in cache.
SPARSE_GRAD_CHUNK_BYTES = 1 << 19
# dtypes the compiled sparse loops handle; others take the public scipy path.
_FAST_SPARSE_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
# Whether sparse products use scipy's compiled loops that add into an existing array (a private
# scipy module, with no temporary the size of the output); False takes scipy's public operators,
# with the same numbers (the tests compare both).
USE_COMPILED_LOOPS = _sparsetools is not None


def fast_sparse(dtype: np.dtype) -> bool:
    """Whether the compiled accumulate-into loops run for this dtype."""
    return USE_COMPILED_LOOPS and dtype in _FAST_SPARSE_DTYPES


def row_dots(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``Σ_b x[e, b] · y[e, b]`` for every row ``e``: numpy's vecdot (2.0+; faster than einsum and it
    lets other threads run), else einsum."""
    return np.vecdot(x, y) if _VECDOT else np.einsum("eb,eb->e", x, y)


_VECDOT = hasattr(np, "vecdot")


def add_csr_product(indptr, indices, data, x: np.ndarray, out: np.ndarray, n_cols: int) -> None:
    """``out += M @ x`` for the CSR matrix ``M = (data, indices, indptr)`` of ``n_cols`` columns.

    scipy's compiled loop adds straight into ``out`` (no temporary the size
    of ``out``); the public operator is the fallback for other dtypes.
    """
    if fast_sparse(out.dtype):
        _sparsetools.csr_matvecs(out.shape[0], n_cols, x.shape[1], indptr, indices, data, x.reshape(-1),
                                 out.reshape(-1))  # fmt: skip
    else:
        lo = indptr[0]  # a slice of a bigger matrix's rows: rebase it
        out += csr_array((data[lo:], indices[lo:], indptr - lo), shape=(out.shape[0], n_cols)) @ x


class _Dense:
    """Shared by the two dense kernels: the products with a dense ``W``."""

    block: Block

    def forward(self, W: np.ndarray, z_src: np.ndarray, a: np.ndarray, bias: np.ndarray | None) -> None:
        np.matmul(W, z_src, out=a)  # (targets, span) @ (span, batch)
        if bias is not None:
            a += bias[:, None]

    @staticmethod
    def _sources(W: np.ndarray, dz_src: np.ndarray, da: np.ndarray, skip: int, sole: bool) -> None:
        """``dz_src[skip:] += W[:, skip:].T @ da``; written straight into ``dz_src`` when no
        other stage adds to those rows (``sole``: saves a temporary and a pass over it)."""
        if skip >= W.shape[1]:
            return
        if sole:
            np.matmul(W[:, skip:].T, da, out=dz_src[skip:])
        else:
            dz_src[skip:] += W[:, skip:].T @ da

    def backward_sources(self, W: np.ndarray, dz_src: np.ndarray, da: np.ndarray) -> None:
        """``dz_src += W.T @ da`` for the first ``len(dz_src)`` (deferred) source rows."""
        dz_src += W[:, : dz_src.shape[0]].T @ da


class ViewKernel(_Dense):
    """A full block whose weights are a strided view of the flat vector: no copy, ever."""

    copies = False  # its prepared weights are a view: refresh has nothing to do

    def __init__(self, block: Block) -> None:
        self.block = block

    def of(self, flat: np.ndarray) -> np.ndarray:
        """The ``(targets, span)`` view of ``flat`` (the weights, or their gradient, to write into)."""
        b = self.block
        n, span = b.shape
        room = flat.size - b.base  # slicing and reshaping is much cheaper than as_strided
        if b.col_stride == 1 and b.row_stride >= span and n * b.row_stride <= room:
            return flat[b.base : b.base + n * b.row_stride].reshape(n, b.row_stride)[:, :span]
        if b.row_stride == 1 and b.col_stride >= n and span * b.col_stride <= room:
            return flat[b.base : b.base + span * b.col_stride].reshape(span, b.col_stride)[:, :n].T
        size = flat.itemsize
        return as_strided(flat[b.base :], b.shape, (b.row_stride * size, b.col_stride * size),
                          writeable=flat.flags.writeable)  # fmt: skip

    def prepare(self, w: np.ndarray) -> np.ndarray:
        return self.of(w)

    def refresh(self, W: np.ndarray, w: np.ndarray) -> None:
        """Nothing to do: ``W`` is a view of ``w``."""

    def backward(self, W, z_src, dz_src, da, dw, skip: int, sole: bool) -> None:
        self._sources(W, dz_src, da, skip, sole)
        D = self.of(dw)  # (targets, span), a strided view of the flat gradient: written in place
        if self.block.col_stride == 1:
            np.matmul(da, z_src.T, out=D)
        elif self.block.row_stride == 1:
            np.matmul(z_src, da.T, out=D.T)
        else:
            D[...] = da @ z_src.T


class ScatterKernel(_Dense):
    """A dense block with holes: weights scattered into a zero matrix, once per weights version."""

    copies = True  # its prepared weights are a copy: refresh writes them again

    def __init__(self, block: Block) -> None:
        self.block = block
        self.flat_index = block.rows * block.shape[1] + block.cols  # position in the (targets, span) block

    def prepare(self, w: np.ndarray) -> np.ndarray:
        W = np.zeros(self.block.shape, w.dtype)
        W.flat[self.flat_index] = w[self.block.positions]
        return W

    def refresh(self, W: np.ndarray, w: np.ndarray) -> None:
        """``prepare`` again into ``W`` (the holes stay zero)."""
        W.flat[self.flat_index] = w[self.block.positions]

    def backward(self, W, z_src, dz_src, da, dw, skip: int, sole: bool) -> None:
        self._sources(W, dz_src, da, skip, sole)
        dw[self.block.positions] = (da @ z_src.T).flat[self.flat_index]


class SparseKernel:
    """The block's edges sorted by source: a CSR matrix of shape ``(span, targets)``, its source rows
    cut into ranges that the engine's threads run at once (:mod:`.partition`, :mod:`.threads`)."""

    copies = True

    def __init__(self, block: Block) -> None:
        self.block = block
        self.ranges = split_block(block, PARTS)
        self.gradients_apart = False  # True: EdgeGradients computes this block's ∂L/∂w with others
        s, e = self.ranges.sources.tolist(), self.ranges.edges.tolist()
        # per range: its sources, its edges, and its column pointers from 0 (what csc_matvecs reads)
        assert block.indptr is not None
        self._ranges = [(s0, s1, e0, e1, block.indptr[s0 : s1 + 1] - e0)
                        for s0, s1, e0, e1 in zip(s, s[1:], e, e[1:], strict=False)]  # fmt: skip

    def prepare(self, w: np.ndarray) -> np.ndarray:
        return w[self.block.positions]  # the weights in kernel order

    def refresh(self, data: np.ndarray, w: np.ndarray) -> None:
        np.take(w, self.block.positions, out=data)

    def _run(self, function, ranges: list[tuple], batch: int) -> None:
        """``function(*r)`` for every range, on the engine's threads when the work is big enough."""
        if len(ranges) == 1:
            function(*ranges[0])
        elif parallel(self.block.positions.size * batch):
            run([partial(function, *r) for r in ranges])
        else:
            for r in ranges:
                function(*r)

    def forward(self, data: np.ndarray, z_src: np.ndarray, a: np.ndarray, bias: np.ndarray | None) -> None:
        b = self.block
        n_targets, batch = b.shape[0], a.shape[1]
        a[...] = 0 if bias is None else bias[:, None]
        sums = [a] + [np.zeros_like(a) for _ in self._ranges[1:]]  # range 0 adds into a, the others apart

        def sources(k: int, s0: int, s1: int, e0: int, e1: int, indptr: np.ndarray) -> None:
            # a += Wᵀᵀ z_src over these source rows: stream them, scatter into the stage's block
            if fast_sparse(a.dtype):
                _sparsetools.csc_matvecs(n_targets, s1 - s0, batch, indptr, b.rows[e0:e1], data[e0:e1],
                                         z_src[s0:s1].reshape(-1), sums[k].reshape(-1))  # fmt: skip
            else:
                M = csr_array((data[e0:e1], b.rows[e0:e1], indptr), shape=(s1 - s0, n_targets))
                sums[k] += M.T @ z_src[s0:s1]

        self._run(sources, [(k, *r) for k, r in enumerate(self._ranges)], batch)
        for other in sums[1:]:  # in range order: the same sums on any number of threads
            a += other

    def _add_sources(self, data, dz_src, da, skip: int, stop: int) -> None:
        """``dz_src[skip:stop] += (Wᵀ @ da)[skip:stop]``, in place, by ranges of source rows."""
        b, indptr = self.block, self.block.indptr
        assert indptr is not None  # a sparse block has its column pointers

        def sources(lo: int, hi: int) -> None:  # disjoint rows of dz_src: the numbers of the whole
            add_csr_product(indptr[lo : hi + 1], b.rows, data, da, dz_src[lo:hi], b.shape[0])

        bounds = [min(max(s, skip), stop) for s in self.ranges.sources.tolist()]
        self._run(sources, [(lo, hi) for lo, hi in zip(bounds, bounds[1:], strict=False) if hi > lo], da.shape[1])

    def backward(self, data, z_src, dz_src, da, dw, skip: int, sole: bool) -> None:
        b = self.block
        self._add_sources(data, dz_src, da, skip, b.shape[1])
        if self.gradients_apart:
            return
        # ∂L/∂w_e = Σ_batch z_source(e) · ∂L/∂a_target(e), in chunks that stay in cache
        chunk = max(1, min(SPARSE_GRAD_CHUNK, SPARSE_GRAD_CHUNK_BYTES // max(1, da.shape[1] * da.itemsize)))

        def edges(*r) -> None:
            for lo in range(r[2], r[3], chunk):
                hi = min(lo + chunk, r[3])
                z = z_src.take(b.cols[lo:hi], axis=0)  # (chunk, batch)
                dw[b.positions[lo:hi]] = row_dots(z, da.take(b.rows[lo:hi], axis=0))

        self._run(edges, self._ranges, da.shape[1])

    def backward_sources(self, data, dz_src, da) -> None:
        self._add_sources(data, dz_src, da, 0, dz_src.shape[0])


class EdgeGradients:
    """∂L/∂w of the small sparse blocks of a schedule, all at once after the backward sweep.

    A small stage's ∂L/∂w sums cost four numpy calls whatever its size (at 10^4
    edges, 45 stages of about 220 edges): gathered over every small block,
    they take a few calls per chunk of edges instead, with the same numbers
    (each edge's sum is its own). ``items`` are ``(kernel, first source row,
    first target row)``; the kernels leave their ∂L/∂w to this from then on.
    """

    def __init__(self, items: list[tuple[SparseKernel, int, int]]) -> None:
        for kernel, _, _ in items:
            kernel.gradients_apart = True

        def joined(part) -> np.ndarray:
            return np.concatenate([part(k, s0, t0) for k, s0, t0 in items]) if items else np.zeros(0, np.int64)

        self.sources = joined(lambda k, s0, t0: k.block.cols.astype(np.int64) + s0)  # rows of Z
        self.targets = joined(lambda k, s0, t0: k.block.rows.astype(np.int64) + t0)  # rows of ∂L/∂a
        self.positions = joined(lambda k, s0, t0: k.block.positions)

    def __call__(self, Z: np.ndarray, dA: np.ndarray, dw: np.ndarray) -> None:
        chunk = max(1, min(SPARSE_GRAD_CHUNK, SPARSE_GRAD_CHUNK_BYTES // max(1, dA.shape[1] * dA.itemsize)))
        for lo in range(0, self.positions.size, chunk):
            z = Z.take(self.sources[lo : lo + chunk], axis=0)  # (chunk, batch)
            dw[self.positions[lo : lo + chunk]] = row_dots(z, dA.take(self.targets[lo : lo + chunk], axis=0))


Kernel = ViewKernel | ScatterKernel | SparseKernel
_KERNELS: dict[str, type[ViewKernel] | type[ScatterKernel] | type[SparseKernel]] = {
    "view": ViewKernel,
    "scatter": ScatterKernel,
    "sparse": SparseKernel,
}


def kernel_for(block: Block) -> Kernel:
    """The kernel of a block, by its kind."""
    return _KERNELS[block.kind](block)
