"""The numba loops of :mod:`.pull`: the backward's by source rows, the forward's by target rows.

Compiled for each dtype on first call and cached on disk (``cache=True``).
This module imports numba; :mod:`.pull` imports it only when it first builds
a plan.

The loops ask for the row they will read a few edges ahead (a software
prefetch, LLVM's ``llvm.prefetch``): on a big DAG each read of a random row
waits for memory, and the hint lets the reads overlap. Measured alone on the
benchmark machine (random 512-byte rows, one thread, 4 edges ahead): 163 →
117 ns an edge from DRAM (10^6 rows), 65 → 62 ns from the L3 cache (10^5 rows).
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic

__all__ = [
    "pull_rows",
    "gather_rows",
    "pull_sweep",
    "gather_claims",
    "gather_sweep",
    "wait_done",
    "prefetch",
    "prefetch_write",
    "CHAINS",
    "FRESH",
]

# The flags of a row in PullPlan.rows: FRESH, and the activation whose σ' the loop applies itself (the
# activations used most; each code's formula is the same as its chain_into in the activation table, and
# tests/test_pull.py checks that they agree); 0: the activation's chain_into runs after the loop.
IDENTITY, TANH, LOGISTIC, RELU, FRESH = 1, 2, 3, 4, 8
# How long a worker of a forward sweep waits for a stage to be ready, in cycles (about 10 ms at 2-3 GHz; a
# stage's activations at 10^7 edges take about 2 ms).
PATIENCE = 25_000_000
CHAINS = {"identity": IDENTITY, "tanh": TANH, "logistic": LOGISTIC, "relu": RELU}


def _prefetch_codegen(write: int):
    """The code of a prefetch of ``M[index]``: LLVM's ``llvm.prefetch`` (``write``: 0 to read, 1 to write)."""

    def codegen(context, builder, sig, args):
        ary = context.make_array(sig.args[0])(context, builder, args[0])
        index = [context.cast(builder, v, t, types.intp) for v, t in zip(args[1:], sig.args[1:], strict=True)]
        item = cgutils.get_item_pointer(context, builder, sig.args[0], ary, index)
        pointer = builder.bitcast(item, ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [pointer.type, i32, i32, i32])
        fn = builder.module.declare_intrinsic("llvm.prefetch", [pointer.type], fnty)
        builder.call(fn, [pointer, i32(write), i32(3), i32(1)])  # kept in every level of the data cache
        return context.get_dummy_value()

    return codegen


@intrinsic
def prefetch(typingctx, M, i, j):  # pragma: no cover - runs as machine code
    """Fetch the cache line of ``M[i, j]`` to read it."""
    return types.void(M, i, j), _prefetch_codegen(0)


@intrinsic
def prefetch_write(typingctx, v, i):  # pragma: no cover - runs as machine code
    """Fetch the cache line of ``v[i]`` to write it."""
    return types.void(v, i), _prefetch_codegen(1)


@intrinsic
def load_acquire(typingctx, v, i):  # pragma: no cover - runs as machine code
    """``v[i]`` read atomically (acquire): what another thread wrote before its release is visible after."""

    def codegen(context, builder, sig, args):
        ary = context.make_array(sig.args[0])(context, builder, args[0])
        item = cgutils.get_item_pointer(context, builder, sig.args[0], ary, [args[1]])
        return builder.load_atomic(item, "acquire", sig.args[0].dtype.bitwidth // 8)

    return v.dtype(v, types.intp), codegen


@intrinsic
def store_release(typingctx, v, i, x):  # pragma: no cover - runs as machine code
    """``v[i] = x`` atomically (release): every write before it is visible to a thread that reads it (acquire)."""

    def codegen(context, builder, sig, args):
        ary = context.make_array(sig.args[0])(context, builder, args[0])
        item = cgutils.get_item_pointer(context, builder, sig.args[0], ary, [args[1]])
        builder.store_atomic(args[2], item, "release", sig.args[0].dtype.bitwidth // 8)
        return context.get_dummy_value()

    return types.void(v, types.intp, v.dtype), codegen


@intrinsic
def fetch_add(typingctx, v, i, x):  # pragma: no cover - runs as machine code
    """``v[i] += x`` atomically; the value before."""

    def codegen(context, builder, sig, args):
        ary = context.make_array(sig.args[0])(context, builder, args[0])
        item = cgutils.get_item_pointer(context, builder, sig.args[0], ary, [args[1]])
        return builder.atomic_rmw("add", item, args[2], "seq_cst")

    return v.dtype(v, types.intp, v.dtype), codegen


@intrinsic
def cycles(typingctx):  # pragma: no cover - runs as machine code
    """The processor's cycle counter (LLVM's ``readcyclecounter``: the time-stamp counter on x86)."""

    def codegen(context, builder, sig, args):
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.IntType(64), []), "llvm.readcyclecounter"
        )
        return builder.call(fn, [])

    return types.int64(), codegen


@intrinsic
def pause(typingctx):  # pragma: no cover - runs as machine code
    """The processor's spin-wait hint (x86 ``pause``)."""

    def codegen(context, builder, sig, args):
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), []), "llvm.x86.sse2.pause")
        builder.call(fn, [])
        return context.get_dummy_value()

    return types.void(), codegen


@numba.njit(nogil=True, boundscheck=False, fastmath={"reassoc"}, cache=True)
def pull_rows(lo, hi, indptr, targets, weights, positions, rows, A, Z, dZ, dA, dw, sums, with_dz, with_dw, ahead):  # noqa: E501  # pragma: no cover
    """For the source rows ``lo:hi``: ``∂L/∂w`` of their edges (``with_dw``), ``∂L/∂z`` from their targets'
    ``∂L/∂a`` (``with_dz``), then, when ``rows`` holds their activation's code, their ``∂L/∂a`` and its sum
    over the batch (into ``sums``)."""
    batch = Z.shape[1]
    acc = np.zeros(batch, dZ.dtype)
    zero, one = np.zeros(1, dw.dtype), np.ones(1, dA.dtype)
    end, line = indptr[hi], 64 // dA.itemsize
    for s in range(lo, hi):
        z = Z[s]
        acc[:] = 0
        for e in range(indptr[s], indptr[s + 1]):
            if ahead and e + ahead < end:  # the row a few edges on, while this one is summed
                for b in range(0, batch, line):
                    prefetch(dA, targets[e + ahead], b)
                if with_dw:
                    prefetch_write(dw, positions[e + ahead])
            x = dA[targets[e]]
            if with_dw:
                d = zero[0]
                for b in range(batch):
                    d += z[b] * x[b]
                dw[positions[e]] = d
            if with_dz:
                w = weights[e]
                for b in range(batch):
                    acc[b] += w * x[b]
        if with_dz:
            dz, code = dZ[s], rows[s]
            if code & FRESH:  # nothing else writes this row: no zeroing before the sweep
                dz[:] = acc
            else:
                for b in range(batch):
                    dz[b] += acc[b]
            code &= ~FRESH
            if code:  # ∂L/∂a = ∂L/∂z σ'(a), as the activation table's chain_into computes it
                da, u = dA[s], one[0]
                if code == IDENTITY:
                    da[:] = dz
                elif code == TANH:
                    for b in range(batch):
                        da[b] = (u - z[b] * z[b]) * dz[b]
                elif code == LOGISTIC:
                    for b in range(batch):
                        da[b] = (u - z[b]) * z[b] * dz[b]
                else:  # RELU
                    a = A[s]
                    for b in range(batch):
                        da[b] = (u if a[b] > 0 else u - u) * dz[b]
                total = u - u
                for b in range(batch):
                    total += da[b]
                sums[s] = total


@numba.njit(nogil=True, boundscheck=False, cache=True)
def gather_rows(lo, hi, indptr, sources, weights, bias, with_bias, Z, A, ahead):  # pragma: no cover
    """``a`` of the target rows ``lo:hi``: their bias (``with_bias``) plus ``Σ w z`` over their edges."""
    batch = Z.shape[1]
    acc = np.zeros(batch, A.dtype)
    end, line = indptr[hi], 64 // Z.itemsize
    for t in range(lo, hi):
        acc[:] = bias[t] if with_bias else 0
        for e in range(indptr[t], indptr[t + 1]):
            if ahead and e + ahead < end:
                for b in range(0, batch, line):
                    prefetch(Z, sources[e + ahead], b)
            w = weights[e]
            z = Z[sources[e]]
            for b in range(batch):
                acc[b] += w * z[b]
        A[t] = acc


@numba.njit(nogil=True, boundscheck=False, cache=True)
def pull_sweep(
    stages,
    part_ptr,
    part_lo,
    part_hi,
    claimed,
    done,
    indptr,
    targets,
    weights,
    positions,
    rows,
    A,
    Z,
    dZ,
    dA,
    dw,
    sums,
    ahead,
):  # pragma: no cover - fmt: skip
    """:func:`pull_rows` of every part of every stage, stage after stage (``stages``: their order), on as many
    threads as call it at once: each thread claims the parts of a stage one by one (``claimed``) and counts
    those it finished (``done``); a stage starts once the one before is done. A thread that comes late
    finds the stages claimed and leaves; every caller returns once the last stage is done."""
    previous = -1
    for j in range(stages.size):
        k = stages[j]
        n = part_ptr[k + 1] - part_ptr[k]
        if load_acquire(claimed, k) < n:
            if previous >= 0:
                wait_done(done, previous, part_ptr[previous + 1] - part_ptr[previous])
            while True:
                p = fetch_add(claimed, k, 1)
                if p >= n:
                    break
                q = part_ptr[k] + p
                pull_rows(part_lo[q], part_hi[q], indptr, targets, weights, positions, rows, A, Z, dZ, dA, dw, sums,
                          True, True, ahead)  # fmt: skip
                fetch_add(done, k, 1)
        previous = k
    wait_done(done, previous, part_ptr[previous + 1] - part_ptr[previous])


@numba.njit(nogil=True, cache=True)
def wait_done(done, k, n):  # pragma: no cover
    """Spin until ``done[k]`` reaches ``n``."""
    while load_acquire(done, k) < n:
        pause()


@numba.njit(nogil=True, boundscheck=False, cache=True)
def gather_claims(
    k, mark, ready, part_ptr, part_lo, part_hi, claimed, done, indptr, sources, weights, bias, Z, A, ahead
):  # pragma: no cover - fmt: skip
    """:func:`gather_rows` of the parts of stage ``k`` this thread claims (``claimed``, counted in ``done``);
    with ``mark``, first the stage before marked ``ready`` (the calling thread's: it has applied that stage's
    activations, and the release makes them visible to the workers that read the mark)."""
    if mark and k > 0:
        store_release(ready, k - 1, 1)
    n = part_ptr[k + 1] - part_ptr[k]
    while True:
        p = fetch_add(claimed, k, 1)
        if p >= n:
            return
        q = part_ptr[k] + p
        gather_rows(part_lo[q], part_hi[q], indptr, sources, weights, bias, True, Z, A, ahead)
        fetch_add(done, k, 1)


@numba.njit(nogil=True, boundscheck=False, cache=True)
def gather_sweep(
    stages, ready, part_ptr, part_lo, part_hi, claimed, done, indptr, sources, weights, bias, Z, A, ahead
):  # pragma: no cover - fmt: skip
    """A worker's share of a forward sweep: the parts it claims of each stage of ``stages`` (in order), each
    once the stage before it is ``ready`` (its activations applied by the calling thread). It stops waiting
    after :data:`PATIENCE` cycles: the calling thread claims whatever is left, so leaving is always safe."""
    for j in range(stages.size):
        k = stages[j]
        if load_acquire(claimed, k) >= part_ptr[k + 1] - part_ptr[k]:
            continue  # a worker come late: claimed already
        if k > 0:
            since = cycles()
            while load_acquire(ready, k - 1) == 0:
                pause()
                if cycles() - since > PATIENCE:
                    return  # the calling thread is busy elsewhere (or its pass failed): it does the rest alone
        gather_claims(k, False, ready, part_ptr, part_lo, part_hi, claimed, done, indptr, sources, weights, bias, Z,
                      A, ahead)  # fmt: skip
