"""The compiled engine's sweeps as calls bound once to fixed buffers.

A training step reuses the same arrays for every batch of one size
(:mod:`.step`): the views of each stage's rows, the prepared weights, the
activation's in-place form and whether a group is big enough to share out
among threads are the same every time. :func:`forward_ops` and
:func:`backward_ops` work them out once and return the sweep as a list of
calls (``functools.partial`` objects over numpy functions and kernel
methods), the operations of
:meth:`~.compiled.CompiledEngine.forward_into` and
:meth:`~.compiled.CompiledEngine.backward_into` in the same order, hence the
same numbers bit for bit. At batch 32 on 64→16→10 the per-call slicing and
dispatch cost about as much as the arithmetic.

The group functions (an activation over some rows, shared out among the
engine's threads when big) are the engine's own, used by both, and so are
a dense stage's: its bias and activations in the calling thread, in one
compiled loop where :mod:`.epilogue` has one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from ..activations import Activation
from .epilogue import loops_for
from .kernels import EdgeGradients, Kernel, ScatterKernel, ViewKernel
from .schedule import Schedule, Stage
from .threads import MIN_PARALLEL_WORK, get_threads, parallel, run

__all__ = [
    "Op",
    "forward_ops",
    "backward_ops",
    "apply_group",
    "chain_group",
    "dense_forward",
    "dense_chain",
    "row_parts",
    "source_rows",
]

Op = Callable[[], object]  # a call bound to its arrays


def row_parts(lo: int, hi: int) -> list[slice]:
    """Rows ``lo:hi`` cut into one slice per thread (an in-place activation's work, shared out)."""
    cuts = np.linspace(lo, hi, get_threads() + 1).astype(np.int64).tolist()
    return [slice(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def apply_group(act: Activation, A: np.ndarray, Z: np.ndarray, lo: int, hi: int) -> None:
    """``z = σ(a)`` for the rows ``lo:hi`` of one activation, shared out among the threads when big."""
    if act.forward_into is not None and parallel((hi - lo) * A.shape[1]):
        run([partial(act.apply, A[r], Z[r]) for r in row_parts(lo, hi)])
    else:
        act.apply(A[lo:hi], Z[lo:hi])


def chain_group(
    act: Activation, A: np.ndarray, Z: np.ndarray, dZ: np.ndarray, dA: np.ndarray, lo: int, hi: int
) -> None:
    """``∂L/∂a = ∂L/∂z · σ'(a)`` for the rows ``lo:hi`` of one activation, as :func:`apply_group` shares out."""
    if act.chain_into is not None and parallel((hi - lo) * A.shape[1]):
        run([partial(act.chain, A[r], Z[r], dZ[r], dA[r]) for r in row_parts(lo, hi)])
    else:
        act.chain(A[lo:hi], Z[lo:hi], dZ[lo:hi], dA[lo:hi])


def dense_forward(st: Stage, kernel: Kernel, W: Any, z_src: np.ndarray, A: np.ndarray, Z: np.ndarray,
                  bias: np.ndarray | None) -> None:  # fmt: skip
    """A dense stage's forward (``bias``: its rows of the prepared bias, or None): the product, then each
    group's σ in the calling thread, with the bias added in the same compiled loop where it has one."""
    a = A[st.start : st.stop]
    loops = None if bias is None else loops_for(st.groups, a.size, A.dtype)
    kernel.forward(W, z_src, a, None if loops else bias)
    if loops is None:
        for act, lo, hi in st.groups:
            act.apply(A[lo:hi], Z[lo:hi])
        return
    for (_, lo, hi), loop in zip(st.groups, loops, strict=True):
        loop.forward(A[lo:hi], bias[lo - st.start : hi - st.start], Z[lo:hi])  # type: ignore[index]


def dense_chain(act: Activation, A: np.ndarray, Z: np.ndarray, dZ: np.ndarray, dA: np.ndarray, lo: int,
                hi: int) -> None:  # fmt: skip
    """``∂L/∂a = ∂L/∂z · σ'(a)`` for the rows ``lo:hi`` of a dense stage, in the calling thread: in one
    compiled loop where the activation has one (:mod:`.epilogue`)."""
    loops = loops_for(((act, lo, hi),), (hi - lo) * A.shape[1], A.dtype)
    (act.chain if loops is None else loops[0].chain)(A[lo:hi], Z[lo:hi], dZ[lo:hi], dA[lo:hi])


def _serial(work: int) -> bool:
    """Whether work of this size runs in the calling thread whatever the number of threads."""
    return work < MIN_PARALLEL_WORK


def _dense(kernel: Kernel | None) -> bool:
    """Whether a stage's kernel is a BLAS product: its activations then stay in the calling thread
    (see :class:`~.compiled.CompiledEngine`)."""
    return isinstance(kernel, (ViewKernel, ScatterKernel))


def _add_product(M: np.ndarray, x: np.ndarray, out: np.ndarray) -> None:
    out += M @ x


def _set_product(M: np.ndarray, x: np.ndarray, out: np.ndarray) -> None:
    out[...] = M @ x


def _kernel_forward(kernel: Kernel, W: Any, z_src: np.ndarray, a: np.ndarray, bias: np.ndarray | None) -> list[Op]:
    """``kernel.forward(W, z_src, a, bias)``, bound; the dense kernels' two products as they make them."""
    if not isinstance(kernel, (ViewKernel, ScatterKernel)):
        return [partial(kernel.forward, W, z_src, a, bias)]
    ops: list[Op] = [partial(np.matmul, W, z_src, out=a)]  # _Dense.forward
    return ops if bias is None else [*ops, partial(np.add, a, bias[:, None], out=a)]


def _kernel_backward(kernel: Kernel, W: Any, z_src: np.ndarray, dz_src: np.ndarray, da: np.ndarray, dw: np.ndarray,
                     skip: int, sole: bool, scratch: np.ndarray) -> list[Op]:  # fmt: skip
    """``kernel.backward(...)``, bound; a dense kernel's products as it makes them (a view kernel's into its
    view of ``dw``, a scatter kernel's into ``scratch``, shared by the stages, then gathered into ``dw``)."""
    if not isinstance(kernel, (ViewKernel, ScatterKernel)):
        return [partial(kernel.backward, W, z_src, dz_src, da, dw, skip, sole)]
    ops: list[Op] = []
    if skip < W.shape[1]:  # _Dense._sources
        if sole:
            ops.append(partial(np.matmul, W[:, skip:].T, da, out=dz_src[skip:]))
        else:
            ops.append(partial(_add_product, W[:, skip:].T, da, dz_src[skip:]))
    if isinstance(kernel, ScatterKernel):  # ScatterKernel.backward's ∂L/∂W: the product, its edges' entries
        D = scratch[: math.prod(kernel.block.shape)].reshape(kernel.block.shape)
        gather = partial(_set_gathered, dw, kernel.block.positions, D.reshape(-1), kernel.flat_index)
        return [*ops, partial(np.matmul, da, z_src.T, out=D), gather]
    D, block = kernel.of(dw), kernel.block
    if block.col_stride == 1:
        ops.append(partial(np.matmul, da, z_src.T, out=D))
    elif block.row_stride == 1:
        ops.append(partial(np.matmul, z_src, da.T, out=D.T))
    else:
        ops.append(partial(_set_product, da, z_src.T, D))
    return ops


def _set_gathered(out: np.ndarray, positions: np.ndarray, values: np.ndarray, rows: np.ndarray) -> None:
    out[positions] = values[rows]


def source_rows(Z: np.ndarray, xT: np.ndarray | None, s0: int, s1: int) -> np.ndarray:
    """The source rows ``s0:s1`` a kernel reads: of ``Z``, or of ``xT`` (``X.T``) for inputs read apart."""
    return (Z if xT is None or s0 >= xT.shape[0] else xT)[s0:s1]


def forward_ops(schedule: Schedule, kernels: list[Kernel | None], prep: Any, A: np.ndarray, Z: np.ndarray,
                xT: np.ndarray | None = None) -> list[Op]:  # fmt: skip
    """``forward_into`` (without dropout) as calls bound once to these buffers: the same operations in
    the same order, without the per-call slicing and dispatch. They expect the inputs in ``Z`` already,
    or in ``xT`` (``X.T`` of a buffer) when given (the engine's ``inputs_apart``)."""
    batch, forward = A.shape[1], []
    for st, kernel, W in zip(schedule.stages, kernels, prep.kernels, strict=True):
        a = A[st.start : st.stop]
        bias = prep.bias[st.start : st.stop] if st.has_bias else None
        loops = loops_for(st.groups, a.size, A.dtype) if _dense(kernel) and bias is not None else None
        if kernel is not None:  # with loops, they add the bias (as dense_forward)
            z_src = source_rows(Z, xT, st.source_start, st.source_stop)
            forward += _kernel_forward(kernel, W, z_src, a, None if loops else bias)
        elif bias is None:
            forward.append(partial(a.fill, 0))
        else:
            forward.append(partial(np.copyto, a, bias[:, None]))
        if loops is not None:
            forward += [partial(loop.forward, A[lo:hi], bias[lo - st.start : hi - st.start], Z[lo:hi])  # type: ignore[index]
                        for (_, lo, hi), loop in zip(st.groups, loops, strict=True)]  # fmt: skip
            continue
        for act, lo, hi in st.groups:
            if act.forward_into is None or _serial((hi - lo) * batch) or _dense(kernel):  # act.apply, undispatched
                forward.append(partial(act.forward_into or act.apply, A[lo:hi], Z[lo:hi]))
            else:
                forward.append(partial(apply_group, act, A, Z, lo, hi))
    return forward


def backward_ops(schedule: Schedule, kernels: list[Kernel | None], prep: Any, edge_gradients: EdgeGradients,
             bias_rows: np.ndarray, A: np.ndarray, Z: np.ndarray, dA: np.ndarray, dZ: np.ndarray,
             dw: np.ndarray, xT: np.ndarray | None = None) -> list[Op]:  # fmt: skip
    """``backward_into`` (without dropout or a loss's own ∂L/∂a) as calls bound once to these buffers,
    as :func:`forward_ops`. They expect the loss's own ∂L/∂z in ``dZ`` already."""
    batch = A.shape[1]
    backward: list[Op] = []
    stages = list(zip(schedule.stages, kernels, prep.kernels, strict=True))
    blocks = [math.prod(k.block.shape) for k in kernels if isinstance(k, ScatterKernel)]
    scratch = np.empty(max(blocks, default=0), dA.dtype)  # the scatter stages' ∂L/∂W products, one after another
    for st, kernel, W in reversed(stages):
        for act, lo, hi in st.groups:
            loops = loops_for(((act, lo, hi),), (hi - lo) * batch, A.dtype) if _dense(kernel) else None
            if loops is not None:
                backward.append(partial(loops[0].chain, A[lo:hi], Z[lo:hi], dZ[lo:hi], dA[lo:hi]))
            elif act.chain_into is None or _serial((hi - lo) * batch) or _dense(kernel):
                backward.append(partial(act.chain_into or act.chain, A[lo:hi], Z[lo:hi], dZ[lo:hi], dA[lo:hi]))
            else:
                backward.append(partial(chain_group, act, A, Z, dZ, dA, lo, hi))
        if kernel is not None:
            s0, s1 = st.source_start, st.source_stop
            z_src = source_rows(Z, xT, s0, s1)
            backward += _kernel_backward(kernel, W, z_src, dZ[s0:s1], dA[st.start : st.stop], dw, st.deferred,
                                         st.sole, scratch)  # fmt: skip
    if edge_gradients.positions.size:
        backward.append(partial(edge_gradients, Z, dA, dw))
    sc = schedule
    if sc.bias_positions.size:
        sums = np.empty(dA.shape[0] - sc.n_sources, dA.dtype)
        backward.append(partial(np.matmul, dA[sc.n_sources :], np.ones(batch, dA.dtype), out=sums))
        backward.append(partial(_set_gathered, dw, sc.bias_positions, sums, bias_rows))
    return backward
