"""Big sparse DAGs' passes edge list by edge list, compiled by numba (the optional extra ``numba``).

The sparse kernels (:mod:`.kernels`) run backward stage by stage, by the
edges *into* a stage: each edge adds ``w ∂L/∂a_j`` into its source's
``∂L/∂z_i`` and reads ``z_i`` again for ``∂L/∂w = Σ_batch z_i ∂L/∂a_j``. On a
big random DAG a neuron's edges leave for many stages, so its rows of ``z``
and ``∂L/∂z`` are read and written once per stage: that traffic bounds the
pass (``benchmarks/README.md``, "Random DAG, 10^3 to 10^7 edges").

:class:`PullPlan` also keeps every sparse edge by its source row. When the
reverse sweep reaches a stage, every target of its rows' edges is in a later
stage, so ``∂L/∂a`` of those targets is known; one loop per source row then
*pulls* them: ``∂L/∂z_i += Σ_j w_ij ∂L/∂a_j`` and ``∂L/∂w_ij = Σ_batch z_i
∂L/∂a_j``, reading the source's rows once and each target's row once per
edge. Forward, one loop per target row sums ``w z`` over its edges (by
target: no partial sums to add up afterwards). The loops are machine code
from numba; the backward's sums over the batch use ``reassoc``, so they are
vectorised in an order fixed for the compiled code (not the one numpy's
``vecdot`` uses: the numbers agree with the kernels' to rounding, and the
tests compare them). A stage's rows are cut into ranges of about equal edges
that the engine's threads run at once, each writing its own rows and edges:
the numbers do not depend on the number of threads.

Each range's activations run in the task that computed its rows, right
after the loop (``z = σ(a)`` forward, ``∂L/∂a = ∂L/∂z σ'(a)`` backward): one
hand-over between threads per stage and direction, rows still in the cache.
Backward, the loop itself applies σ' of the activations used most
(:data:`.pull_loops.CHAINS`) and sums each row's ``∂L/∂a`` over the batch
(the bias weights' ∂L/∂w); a row of ∂L/∂z that only the plan writes is set,
not added into, so it needs no zeroing before the sweep.

When every stage is the plan's (no dense stage, only those activations) and
a pass is big enough, each sweep is one numba call on each thread
(:meth:`PullPlan.sweep`, :class:`ForwardSweep`): the threads claim a stage's
parts with atomic counters and start it once the stage before is done, so
they hand over once a pass instead of once a stage (waking a worker costs
tens of microseconds). Forward, the calling thread applies each stage's
activations (numpy's) and marks it ready for the workers.

Measured at 10^6 edges, batch 64, one thread, interleaved with the kernels'
passes (medians), when the plan came: forward 1.14× faster, backward 2.27×,
the pass 383 → 214 ms; with the changes since (the paragraph above, the
prefetch of :mod:`.pull_loops`, the sweeps in one call) a pass took 151 ms on
one thread and 77 ms on two (best rounds, ``benchmarks/README.md``, "Both
cores on a big DAG").

The public passes (``net.forward``/``net.backward``) and the training step
(:mod:`.step`; not a step with dropout) use a plan. numba is imported the first time a pass runs with
a plan; without numba, or below :data:`PULL_MIN_EDGES` sparse edges, there
is no plan.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

import numpy as np

from ..activations import ACTIVATIONS
from .jit import available
from .kernels import SparseKernel
from .schedule import Schedule, added_rows, index_dtype
from .threads import PARTS, get_threads, parallel, run, start

if TYPE_CHECKING:
    from ..activations import Activation

__all__ = ["PullPlan", "build_plan", "PULL_MIN_EDGES", "USE_PULL"]

Groups = Sequence[tuple["Activation", int, int]]  # a stage's activations, each with its rows lo:hi

# Networks with fewer sparse edges keep the kernels (numba's first compile of the loops costs seconds:
# 4.4 s for float64 and 1.6 s more for float32 with an empty cache; at these sizes a pass takes about a
# millisecond either way).
PULL_MIN_EDGES = 1 << 13
# Whether the compiled engine pulls by sources when it can (the tests compare both ways).
USE_PULL = True
# The loops ask for a row this many edges before they read it (4 and 8 measured the same, 2 less well) when
# a pass's (n_neurons, batch) arrays take at least PREFETCH_MIN_BYTES each (the L2 cache is 2 MiB a core on
# the benchmark machine). Passes with and without, interleaved: 0.87× at 10^6 edges (49 MiB arrays), 0.94×
# at 10^5 (4.9 MiB); 1.08× at 10^4 (0.5 MiB) and 1.17× on the `sparse` benchmark's network (0.7 MiB).
AHEAD = 4
PREFETCH_MIN_BYTES = 4 << 20
# The parts of a stage in the sweeps (claimed by the threads one by one), and the multiply-adds (edges × batch)
# from which a sweep runs on the threads: they then hand over once a pass, not once a stage.
SWEEP_PARTS = 8
SWEEP_MIN_WORK = 1 << 22
# The built-in activations' chain rules, as the package defines them: an activation registered later under
# one of their names (overwrite=True) has its own, which the loops must not replace by the built-in σ'.
_BUILT_IN_CHAINS = {name: act.chain_into for name, act in ACTIVATIONS.items() if act.chain_into is not None}
# Why numba could not be imported, once it failed (then no plan is built again, and no warning repeated).
USE_NUMBA_FAILED: list[str] = []


@lru_cache(maxsize=1)
def _kernels() -> Any:
    """The numba loops, backward and forward (:mod:`.pull_loops`: imported, hence numba, on first use)."""
    from . import pull_loops

    return pull_loops.pull_rows, pull_loops.gather_rows, pull_loops.pull_sweep


class PullPlan:
    """Every sparse edge of a schedule by its source row (see the module notes).

    Attributes
    ----------
    indptr : ndarray, shape (n_rows + 1,)
        Row ``i``'s edges are ``indptr[i]:indptr[i + 1]`` ...
    targets, positions : ndarray
        ... their target rows and places in the flat weight vector.
    cuts, in_cuts : list
        Per stage, its rows cut into ranges of about equal edges (the threads' parts, backward and forward),
        with their number of edges.
    rows : ndarray of uint8, shape (n_rows,)
        Per row, ``FRESH`` when only the plan writes its ∂L/∂z (it sets the row instead of adding into
        it), and the code of the activation whose σ' the loop applies (:mod:`.pull_loops`) ...
    added : list of slice
        ... the rows a backward sweep adds into all the same, which must be zero before it ...
    unchained : list of tuple
        ... and per stage, the activation groups whose ``chain_into`` runs after the loop.
    """

    def __init__(self, schedule: Schedule, kernels: list) -> None:
        sources, targets, positions = [], [], []
        for st, kernel in zip(schedule.stages, kernels, strict=True):
            if isinstance(kernel, SparseKernel):
                b = kernel.block
                sources.append(b.cols.astype(np.int64) + st.source_start)
                targets.append(b.rows.astype(np.int64) + st.start)
                positions.append(b.positions.astype(np.int64))
        n_rows = len(schedule.order)
        rows, places = index_dtype(n_rows), index_dtype(schedule.n_weights)  # int32 when they fit
        src, tgt = np.concatenate(sources).astype(rows), np.concatenate(targets).astype(rows)
        pos = np.concatenate(positions).astype(places)
        # the blocks' edges are by stage, then source, then target: a stable sort by source keeps the
        # rest of that order (the backward's), one by target gives each target's edges by source (the forward's)
        order = np.argsort(src, kind="stable")
        self.targets, self.positions = tgt[order], pos[order]
        self.indptr = _row_pointers(src, n_rows)
        order = np.argsort(tgt, kind="stable")
        self.in_sources, self.in_positions = src[order], pos[order]
        self.in_indptr = _row_pointers(tgt, n_rows)
        self.pulled = [isinstance(k, SparseKernel) for k in kernels]  # the stages whose block is in the plan
        self.cuts = [_cut(self.indptr, st.start, st.stop) for st in schedule.stages]
        self.in_cuts = [_cut(self.in_indptr, st.start, st.stop) for st in schedule.stages]
        self.source_cuts = _cut(self.indptr, 0, schedule.n_sources)
        # the sweeps in one call (pull_loops.pull_sweep, gather_sweep): each stage in up to SWEEP_PARTS parts
        self.part_ptr, self.part_lo, self.part_hi = _sweep_parts(self.indptr, schedule)
        self.in_part_ptr, self.in_part_lo, self.in_part_hi = _sweep_parts(self.in_indptr, schedule)
        n_stages = len(schedule.stages)
        self.sweep_order = np.arange(n_stages - 1, -1, -1, dtype=np.int64)  # backward: the last stage first
        self.in_sweep_order = np.arange(n_stages, dtype=np.int64)  # forward: every stage (edgeless: its bias)
        self.sweep_edges = int(self.indptr[-1])  # a sweep runs on the threads when edges × batch ≥ SWEEP_MIN_WORK
        self.output_rows, self.n_sources = schedule.output_rows, schedule.n_sources
        fresh = _fresh(schedule, kernels)
        self.added = _slices(_added_mask(schedule) & ~fresh)
        from .pull_loops import CHAINS, FRESH

        self.rows = np.where(fresh, FRESH, 0).astype(np.uint8)
        self.unchained: list[tuple] = []  # per stage, the activations whose chain_into runs after the loop
        for st in schedule.stages:
            rest = []
            for act, lo, hi in st.groups:
                code = CHAINS.get(act.name, 0) if act.chain_into is _BUILT_IN_CHAINS.get(act.name) else 0
                if code:
                    self.rows[lo:hi] |= code
                else:
                    rest.append((act, lo, hi))
            self.unchained.append(tuple(rest))
        # one call does the whole backward when every stage's work is the plan's loops (no kernel, no chain_into)
        self.one_sweep = all(p or k is None for p, k in zip(self.pulled, kernels, strict=True)) and not any(
            self.unchained
        )

    def weights(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The weights in the backward's and the forward's order (prepared once per weights version)."""
        return w[self.positions], w[self.in_positions]

    def refresh(self, weights: tuple[np.ndarray, np.ndarray], w: np.ndarray) -> None:
        """:meth:`weights` again, in place, after ``w`` changed in place."""
        np.take(w, self.positions, out=weights[0])
        np.take(w, self.in_positions, out=weights[1])

    def forward(self, k: int, weights, bias: np.ndarray, with_bias: bool, Z: np.ndarray, A: np.ndarray,
                groups: Groups, sweep: ForwardSweep | None = None) -> None:  # fmt: skip
        """``a`` of stage ``k``'s rows: their bias plus ``Σ w z`` over their sparse edges, target by target;
        then their ``z = σ(a)`` (``groups``: the stage's activations and their rows), range by range. With
        ``sweep`` (:meth:`start_forward`), with the workers it started; the activations then all here."""
        if sweep is not None:
            sweep.stage(k, groups)
            return
        args = (self.in_indptr, self.in_sources, weights[1], bias, with_bias, Z, A, _ahead(Z))
        parts, edges = self.in_cuts[k]
        if len(parts) > 1 and parallel(edges * Z.shape[1]):
            _run(_kernels()[1], self.in_cuts[k], Z.shape[1], args, partial(_activate, groups, A, Z))
        else:  # as _run, without its frames: a small DAG's pass is mostly calls (9% at 10^4 edges)
            _kernels()[1](parts[0][0], parts[-1][1], *args)
            for act, lo, hi in groups:  # the stage's rows, all computed
                act.apply(A[lo:hi], Z[lo:hi])

    def start_forward(self, weights, bias: np.ndarray, Z: np.ndarray, A: np.ndarray) -> ForwardSweep | None:
        """The workers of a forward sweep started (:class:`ForwardSweep`), when every stage is the plan's (or
        has no edges) and the pass is big enough for the threads; else None: :meth:`forward` stage by stage."""
        if not self.one_sweep or not _shared_out(self.sweep_edges * Z.shape[1]):
            return None
        return ForwardSweep(self, weights, bias, Z, A)

    def stage(self, k: int, weights, A, Z, dZ, dA, dw, sums) -> None:
        """∂L/∂z of stage ``k``'s rows from their sparse edges' targets, and those edges' ∂L/∂w; then the
        rows' ``∂L/∂a = ∂L/∂z σ'(a)``, range by range (in the loop for those of :data:`.pull_loops.CHAINS`),
        and their sums over the batch into ``sums`` (for the bias weights' ∂L/∂w: :meth:`bias_sums`)."""
        args = (self.indptr, self.targets, weights[0], self.positions, self.rows, A, Z, dZ, dA, dw, sums, True, True,
                _ahead(Z))  # fmt: skip
        rest = self.unchained[k]
        _run(_kernels()[0], self.cuts[k], Z.shape[1], args, partial(_chain, rest, A, Z, dZ, dA, sums) if rest else None)

    def sweep(self, weights, A, Z, dZ, dA, dw, sums) -> bool:
        """Every stage's :meth:`stage`, in one call of :func:`.pull_loops.pull_sweep` on every thread (no hand-over
        between stages: the threads claim each stage's parts as they come); False, doing nothing, unless
        :attr:`one_sweep`. The numbers are :meth:`stage`'s, bit for bit."""
        if not self.one_sweep:
            return False
        counters = np.zeros((2, len(self.part_ptr) - 1), np.int64)  # claimed, done: per pass
        args = (self.sweep_order, self.part_ptr, self.part_lo, self.part_hi, counters[0], counters[1], self.indptr,
                self.targets, weights[0], self.positions, self.rows, A, Z, dZ, dA, dw, sums, _ahead(Z))  # fmt: skip
        sweep = _kernels()[2]
        if _shared_out(self.sweep_edges * Z.shape[1]):
            start([partial(sweep, *args)] * (get_threads() - 1))  # they end with the sweep: not waited for
        sweep(*args)
        return True

    def sources(self, weights, Z, dZ, dA, dw, *, with_dz: bool, with_dw: bool) -> None:
        """The same for the input and bias rows: their edges' ∂L/∂w, and (when asked) their ∂L/∂z."""
        args = (self.indptr, self.targets, weights[0], self.positions, self.rows, Z, Z, dZ, dA, dw, dw[:0], with_dz,
                with_dw, _ahead(Z))  # fmt: skip
        _run(_kernels()[0], self.source_cuts, Z.shape[1], args)

    def bias_sums(self, sums: np.ndarray, dA: np.ndarray) -> np.ndarray:
        """Σ over the batch of ∂L/∂a of every row after the sources, from the sweep's ``sums`` (the output rows'
        again: a loss's own ∂L/∂a is added to them after their chain)."""
        sums[self.output_rows] = np.add.reduce(dA[self.output_rows], axis=1)
        return sums[self.n_sources :]


class ForwardSweep:
    """A forward pass's stages gathered by the calling thread and the workers at once (``gather_sweep``: one
    call on each worker for the whole pass, no hand-over per stage). The calling thread claims parts too, waits
    for the stage's parts to be done, applies the stage's activations (numpy's, in the calling thread) and marks
    it ready: the workers gather the next stage from then on. The numbers are :meth:`PullPlan.forward`'s."""

    def __init__(self, plan: PullPlan, weights, bias: np.ndarray, Z: np.ndarray, A: np.ndarray) -> None:
        from . import pull_loops

        self.loops = pull_loops
        n = len(plan.in_part_ptr) - 1
        self.ready = np.zeros(n, np.int64)
        counters = np.zeros((2, n), np.int64)  # claimed, done
        self.shared = (plan.in_part_ptr, plan.in_part_lo, plan.in_part_hi, counters[0], counters[1], plan.in_indptr,
                       plan.in_sources, weights[1], bias, Z, A, _ahead(Z))  # fmt: skip
        self.done, self.ptr, self.A, self.Z = counters[1], plan.in_part_ptr, A, Z
        worker = partial(pull_loops.gather_sweep, plan.in_sweep_order, self.ready, *self.shared)
        start([worker] * (get_threads() - 1))  # they end with the pass's last stage: not waited for

    def stage(self, k: int, groups: Groups) -> None:
        """Stage ``k``: the stage before marked ready, then its parts gathered (with the workers), then its
        activations (marked ready by the next stage's call, or by nobody after the last)."""
        self.loops.gather_claims(k, True, self.ready, *self.shared)
        self.loops.wait_done(self.done, k, self.ptr[k + 1] - self.ptr[k])
        _activate(groups, self.A, self.Z, 0, self.A.shape[0])


def _shared_out(work: int) -> bool:
    """Whether a sweep of this many multiply-adds is worth the workers (a hand-over once a pass)."""
    return get_threads() > 1 and work >= SWEEP_MIN_WORK


def _ahead(Z: np.ndarray) -> int:
    """How many edges ahead the loops ask for the rows they will read (:mod:`.pull_loops`): :data:`AHEAD`
    when a pass's arrays outgrow the caches, else 0 (no prefetch)."""
    return AHEAD if Z.nbytes >= PREFETCH_MIN_BYTES else 0


def _run(kernel, cut: tuple[tuple[tuple[int, int], ...], int], batch: int, args: tuple,
         then: Callable[[int, int], None] | None = None) -> None:  # fmt: skip
    """``kernel(lo, hi, *args)``, then ``then(lo, hi)``, for every range of rows of ``cut`` (:func:`_cut`),
    on the engine's threads when the work is big enough.

    The activations run in the same task as the loop that wrote their rows: one hand-over per stage and
    direction instead of two, and each thread reads rows still in its cache.
    """
    parts, edges = cut
    if len(parts) > 1 and parallel(edges * batch):
        run([partial(_part, kernel, lo, hi, args, then) for lo, hi in parts])
    else:  # the same numbers as range by range: every row is computed alone
        _part(kernel, parts[0][0], parts[-1][1], args, then)


def _part(kernel, lo: int, hi: int, args: tuple, then: Callable[[int, int], None] | None) -> None:
    kernel(lo, hi, *args)
    if then is not None:
        then(lo, hi)


def _activate(groups: Groups, A: np.ndarray, Z: np.ndarray, lo: int, hi: int) -> None:
    """``z = σ(a)`` of the rows ``lo:hi``, each row by its group's activation."""
    for act, g0, g1 in groups:
        r0, r1 = max(lo, g0), min(hi, g1)
        if r0 < r1:
            act.apply(A[r0:r1], Z[r0:r1])


def _chain(groups: Groups, A, Z, dZ, dA, sums, lo: int, hi: int) -> None:
    """``∂L/∂a = ∂L/∂z σ'(a)`` of the rows ``lo:hi``, as :func:`_activate`, and their sums over the batch."""
    for act, g0, g1 in groups:
        r0, r1 = max(lo, g0), min(hi, g1)
        if r0 < r1:
            act.chain(A[r0:r1], Z[r0:r1], dZ[r0:r1], dA[r0:r1])
            np.add.reduce(dA[r0:r1], axis=1, out=sums[r0:r1])


def _sweep_parts(indptr: np.ndarray, schedule: Schedule) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every stage's rows cut into up to :data:`SWEEP_PARTS` parts (:func:`_cut`), flat: stage ``k``'s parts
    are ``ptr[k]:ptr[k + 1]``, part ``q`` the rows ``lo[q]:hi[q]``."""
    parts = [_cut(indptr, st.start, st.stop, SWEEP_PARTS)[0] for st in schedule.stages]
    ptr = np.cumsum([0] + [len(p) for p in parts]).astype(np.int64)
    lo, hi = (np.array([r[i] for p in parts for r in p], np.int64) for i in (0, 1))
    return ptr, lo, hi


def _fresh(schedule: Schedule, kernels: list) -> np.ndarray:
    """Per row, True where only the plan writes ∂L/∂z in a backward sweep (:meth:`PullPlan.stage` then sets
    the row instead of adding into it): no input, bias or output, no source of a stage with a dense kernel."""
    fresh = np.ones(len(schedule.order), bool)
    fresh[: schedule.n_sources] = False
    fresh[schedule.output_rows] = False
    for st, kernel in zip(schedule.stages, kernels, strict=True):
        if kernel is not None and not isinstance(kernel, SparseKernel):
            fresh[st.source_start : st.source_stop] = False
    return fresh


def _added_mask(schedule: Schedule) -> np.ndarray:
    """:func:`.schedule.added_rows` as a mask of rows."""
    mask = np.zeros(len(schedule.order), bool)
    for rows in added_rows(schedule):
        mask[rows] = True
    return mask


def _slices(mask: np.ndarray) -> list[slice]:
    """The runs of True of ``mask``, as slices."""
    edges = np.flatnonzero(np.diff(mask, prepend=False, append=False)).tolist()
    return [slice(lo, hi) for lo, hi in zip(edges[::2], edges[1::2], strict=True)]


def _row_pointers(rows: np.ndarray, n_rows: int) -> np.ndarray:
    """CSR row pointers of edges sorted by ``rows``."""
    indptr = np.zeros(n_rows + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    return indptr


def _cut(indptr: np.ndarray, lo: int, hi: int, parts: int = PARTS) -> tuple[tuple[tuple[int, int], ...], int]:
    """Rows ``lo:hi`` cut into at most ``parts`` ranges ``(first, last + 1)`` of about equal edges (none
    empty), and the number of edges."""
    ends = indptr[lo : hi + 1]
    marks = ends[0] + (ends[-1] - ends[0]) * np.arange(1, parts) / parts
    inner = lo + np.searchsorted(ends, marks, side="left")
    cuts = sorted({lo, hi, *np.clip(inner, lo, hi).tolist()})
    return tuple((a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a), int(ends[-1] - ends[0])


def build_plan(schedule: Schedule, kernels: list) -> PullPlan | None:
    """The schedule's plan when numba is installed and it has enough sparse edges, else None."""
    n_sparse = sum(k.block.positions.size for k in kernels if isinstance(k, SparseKernel))
    if not USE_PULL or USE_NUMBA_FAILED or n_sparse < PULL_MIN_EDGES or not available():
        return None
    try:
        _kernels()
    except ImportError as error:  # numba installed but broken (e.g. too old for this numpy): the kernels run
        warnings.warn(f"numba could not be imported ({error}); the sparse stages run without it", stacklevel=2)
        USE_NUMBA_FAILED.append(str(error))
        return None
    return PullPlan(schedule, kernels)
