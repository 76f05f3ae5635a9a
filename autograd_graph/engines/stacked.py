"""Many networks as one: the disjoint union of their DAGs, compiled into stacks of dense blocks.

The disjoint union of several networks is one DAG; this module compiles it
for :func:`~autograd_graph.train_many`, where every member sees its own batch
of the same data. The members are *stacked*: each one's neurons get rows of a
common layout, and a pass keeps ``A`` and ``Z`` as ``(rows, members, batch)``
arrays, so every generation of all the members is one batched matrix product
(``numpy.matmul`` over the members' axis, each member's ``(rows, batch)``
matrix a strided view), whatever each member's wiring. A slab of rows is then
one contiguous block for all the members, on which numpy 2.4's elementwise
functions run 1.2–5× as fast as on ``(members, rows, batch)`` views (``1 − z²``
of 30 members' 16 rows of 32 examples: 9 against 46 µs on the reference machine).

The layout of a stack of members with at most ``L`` generations:

- rows ``0 … d−1``: the inputs (in ``net.inputs`` order, the columns of X);
- the next ``B`` rows: bias neurons (``z = 1``);
- then level 1, …, level L. Level ``l`` holds each member's neurons of
  generation ``l``, except that output neurons that feed nothing go to the
  last level (they can be computed any time after their sources; there they
  share one block). Within a level, neurons are grouped by activation, one
  slab of rows per activation, so each function runs on a slab of all the
  members at once.

Levels and slabs are as tall as the member that needs most rows; the others
get *padding rows*: no edge heads into them or leaves them, so they cost
arithmetic but change nothing. The weights into level ``l`` are a dense
``(members, rows of l, rows before l)`` array, zero where a member has no
edge; the gradient of an edge is read back from the same place. The flat
weight vector of the union (what the optimizer steps) holds only the real
edges, level by level.

Members of very different depths would pad each other a lot (a 2-generation
network stacked with a 13-generation one computes 11 levels of padding), so
the members are split into *stacks* of similar depth: :func:`stack_members`
merges members of neighbouring depths while that is cheaper by a simple cost
model (a fixed cost per level, a cost per padded weight). Usually there are
one or two stacks; every generation of a stack is one ``matmul``.

A pass over data that every member shares (an evaluation of ``ag.compare``'s
training or test set) computes the inputs' part of all levels in one product
against the same inputs, without a copy per member (:meth:`StackedEngine.outputs`).

Examples
--------
>>> import numpy as np
>>> import autograd_graph as ag
>>> nets = [ag.layered([1, 3, 1], seed=s) for s in range(2)] + [ag.running_example(seed=0)]
>>> engine = StackedEngine([net.indexed() for net in nets])
>>> X = np.linspace(-1, 1, 5).reshape(1, 5, 1).repeat(3, axis=0)      # (members, batch, inputs)
>>> engine.load(engine.union_weights([net.weights for net in nets]))
>>> z, a = engine.forward(X)
>>> z.shape                                                             # (outputs, members, batch)
(1, 3, 5)
>>> bool(np.allclose(z[:, 2].T, ag.running_example(seed=0).forward(X[2]).output))
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import numpy as np

from ..activations import ACTIVATIONS, Activation
from ..exceptions import ShapeError
from ..topology import IndexedGraph
from .stack_plan import Level, plan_levels, profile, scatter_mask, split_gradient, stack_members

__all__ = ["StackedEngine", "stack_members", "all_finite", "ONE_THREAD_PRODUCT"]

Op = Callable[[], object]  # a call bound to its arrays

# Multiply-adds of a matrix product above which OpenBLAS splits it over threads (2-core reference machine: (36, 65)
# @ (65, 112) 6 µs, @ (65, 128) 14 µs; with the other core busy big products 10-30× as long). Chunks keep below.
ONE_THREAD_PRODUCT = 1 << 18
_IDENTITY = ACTIVATIONS["identity"]  # the built-in one (a function registered later under its name is another)


class _Stack:
    """Members of similar depth, stacked (see the module notes).

    The weights are one ``(members, targets, rows)`` block ``W``: row ``r − n_sources``
    of it holds the weights into row ``r`` (zero from any row at or after its level),
    so level ``l`` reads ``W[:, l's rows, :start]`` and the chain rule sends
    ``∂L/∂a`` of all later levels back to it through ``W[:, later rows, l's rows]``.
    """

    def __init__(self, nets: Sequence[IndexedGraph], members: list[int], first_weight: int, dtype: np.dtype) -> None:
        profiles = [profile(nets[j]) for j in members]
        self.members = np.array(members, dtype=np.int64)
        first = members[0]
        # members next to each other (train_many orders them so): their arrays are views, not copies
        self.take: slice | np.ndarray = self.members
        if members == list(range(first, first + len(members))):
            self.take = slice(first, first + len(members))
        m = len(members)
        self.n_inputs = profiles[0].n_inputs
        self.n_sources = self.n_inputs + max(p.n_biases for p in profiles)
        depth, levels = plan_levels(profiles)
        starts: dict[tuple[int, Activation], int] = {}  # (level, σ) -> first row of its slab
        bounds, row = [], self.n_sources
        for lv, level in enumerate(levels):
            first = row
            for act, n in level:
                starts[lv, act] = row
                row += n
            bounds.append((first, row))
        self.n_rows = row
        s, height = self.n_sources, row - self.n_sources
        index_parts, owners, edge_ids, outputs = [], [], [], []
        for k, (p, j) in enumerate(zip(profiles, members, strict=True)):
            ix = nets[j]
            r = np.empty(len(ix.nodes), dtype=np.int64)  # the row of each node
            inputs = [i for i, kind in enumerate(ix.kinds) if kind == "input"]
            biases = [i for i, kind in enumerate(ix.kinds) if kind == "bias"]
            r[inputs] = np.arange(len(inputs))
            r[biases] = self.n_inputs + np.arange(len(biases))
            placed = np.where(p.sink_output, depth, p.generation) - 1
            used: dict[tuple[int, Activation], int] = {}
            for node, lv, act in zip(p.targets.tolist(), placed.tolist(), p.activations, strict=True):
                n = used.get((lv, act), 0)
                used[lv, act] = n + 1
                r[node] = starts[lv, act] + n
            dst, src = r[ix.dst], r[ix.src]
            index_parts.append((k * height + dst - s) * row + src)  # place in the flattened (m, height, rows) W
            owners.append(np.full(dst.size, k))
            edge_ids.append(np.arange(dst.size))
            outputs.append(r[ix.of_kind("output")])
        self.w_index, owner, edge = (np.concatenate(x) for x in (index_parts, owners, edge_ids))
        order = np.argsort(self.w_index, kind="stable")  # a sorted scatter into W
        self.w_index, owner, edge = self.w_index[order], owner[order], edge[order]
        self.lo, self.hi = first_weight, first_weight + self.w_index.size
        self.n_weights, self.w_mask = self.w_index.size, scatter_mask(self.w_index, m * height * row)  # mask or None
        self.positions = []  # per member: the union position of each of its weights, in net.edges order
        for k, j in enumerate(members):
            mine = np.flatnonzero(owner == k)
            at = np.empty(nets[j].src.size, dtype=np.int64)
            at[edge[mine]] = first_weight + mine
            self.positions.append(at)
        self.output_rows = np.array(outputs, dtype=np.int64)  # (m, n_outputs)
        self.output_members = np.repeat(np.arange(m)[:, None], self.output_rows.shape[1], axis=1)
        first_out = int(self.output_rows[0, 0]) if self.output_rows.size else 0
        same = np.arange(first_out, first_out + self.output_rows.shape[1])
        # the common case: every member's outputs are the same block of rows (the last level's)
        self.out: slice | tuple = slice(first_out, same[-1] + 1 if same.size else first_out)
        if not (self.output_rows == same).all():
            self.out = (self.output_rows.T, self.output_members.T)  # values[out]: (outputs, members, batch)
        self.levels = []
        for lv, (start, stop) in enumerate(bounds):
            slabs = [(act, starts[lv, act], starts[lv, act] + n) for act, n in levels[lv]]
            member, column = np.nonzero((self.output_rows >= start) & (self.output_rows < stop))
            identity = len(slabs) == 1 and slabs[0][0] is _IDENTITY
            self.levels.append(Level(start, stop, slabs, (self.output_rows[member, column], member), (column, member),
                                      bool(member.size), identity))  # fmt: skip
        # the last level holds exactly every member's outputs, in order (the common case)
        self.outputs_last = isinstance(self.out, slice) and (self.out.start, self.out.stop) == bounds[-1]
        self.dtype = dtype
        self.W = np.zeros((m, height, row), dtype)  # (members, targets, rows)
        self.dW = np.empty_like(self.W)  # ∂L/∂W of a backward sweep (made once: it is as big as W)
        self._buffers: dict[int, tuple[np.ndarray, ...]] = {}
        self._bound: dict[int, tuple[list[Op], list[Op], list[Op], list[Op]]] = {}
        self.last: tuple[np.ndarray, ...] = ()  # the buffers of the last forward pass

    @property
    def padded_weights(self) -> int:
        """Weights in the dense blocks that levels read (real edges and padding)."""
        return len(self.members) * sum((lv.stop - lv.start) * lv.start for lv in self.levels)

    def load(self, w: np.ndarray) -> None:
        self.W.reshape(-1)[self.w_index if self.w_mask is None else self.w_mask] = w[self.lo : self.hi]

    def buffers(self, batch: int) -> tuple[np.ndarray, ...]:
        """``A``, ``Z``, ``∂L/∂a``, ``∂L/∂z`` for a batch size, (rows, members, batch), made once and reused."""
        buffers = self._buffers.get(batch)
        if buffers is None:
            shape = (self.n_rows, len(self.members), batch)  # (rows, members, batch)
            A, Z, dA, dZ = (np.zeros(shape, self.dtype) for _ in range(4))
            Z[self.n_inputs : self.n_sources] = 1
            buffers = self._buffers[batch] = (A, Z, dA, dZ)
        return buffers

    def _sweeps(self, batch: int) -> tuple[list[Op], list[Op], list[Op], list[Op]]:
        """The forward sweep, the backward sweep below the last level (∂L/∂W included), :meth:`forward_shared`'s
        levels and the ∂L/∂W products alone: :meth:`forward`'s, :meth:`backward`'s and :meth:`forward_shared`'s
        operations in order, as calls bound once per batch size to the buffers' views (as :mod:`.bound` does)."""
        sweeps = self._bound.get(batch)
        if sweeps is None:
            A, Z, dA, dZ = self.buffers(batch)
            mA, mZ, mdA, mdZ = (x.transpose(1, 0, 2) for x in (A, Z, dA, dZ))  # (members, rows, batch) views
            s = self.n_sources
            fwd: list[Op] = []
            bwd: list[Op] = []
            shared: list[Op] = []
            for lv in self.levels:
                W = self.W[:, lv.start - s : lv.stop - s, : lv.start]  # (m, rows of l, rows before l)
                fwd.append(partial(np.matmul, W, mZ[:, : lv.start], out=mA[:, lv.start : lv.stop]))
                slabs = [partial(act.forward_into or act.apply, A[lo:hi], Z[lo:hi]) for act, lo, hi in lv.slabs]
                fwd += slabs
                if lv.start > s:  # what earlier neurons send (dA is the scratch of the shared pass)
                    sent, a = mdA[:, lv.start : lv.stop], mA[:, lv.start : lv.stop]
                    shared += [partial(np.matmul, W[:, :, s:], mZ[:, s : lv.start], out=sent),
                               partial(np.add, a, sent, out=a)]  # fmt: skip
                shared += slabs
            for lv in reversed(self.levels[:-1]):  # ∂L/∂z from all later levels at once, then ∂L/∂a
                later = self.W[:, lv.stop - s :, lv.start : lv.stop].transpose(0, 2, 1)  # (m, rows of l, later)
                bwd.append(partial(np.matmul, later, mdA[:, lv.stop :], out=mdZ[:, lv.start : lv.stop]))
                bwd += [partial(act.chain_into or act.chain, A[lo:hi], Z[lo:hi], dZ[lo:hi], dA[lo:hi])
                        for act, lo, hi in lv.slabs]  # fmt: skip
            self._bound[batch] = sweeps = (fwd, bwd + (grads := self._gradient_ops(batch)), shared, grads)
        return sweeps

    def _gradient_ops(self, batch: int) -> list[Op]:
        """∂L/∂W = Σ over the batch of ∂L/∂a ⊗ z: one product over the whole block, or one per level over the
        rows it reads when cheaper (:func:`~.stack_plan.split_gradient`; the rest of the block is not read)."""
        _, Z, dA, _ = self.buffers(batch)
        s, dW, spans = self.n_sources, self.dW, [(lv.start, lv.stop) for lv in self.levels]
        ZT, mdA = Z.transpose(1, 2, 0), dA.transpose(1, 0, 2)  # (members, batch, rows), (members, rows, batch)
        if not split_gradient(spans, s, len(self.members), batch):
            return [partial(np.matmul, mdA[:, s:], ZT, out=dW)]
        return [partial(np.matmul, mdA[:, lo:hi], ZT[:, :, :lo], out=dW[:, lo - s : hi - s, :lo]) for lo, hi in spans]

    def forward(self, XT: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``XT``: (members of the stack, inputs, batch); fills and returns ``A`` and ``Z`` (rows, members, batch)."""
        self.last = A, Z, _, _ = self.buffers(XT.shape[2])
        Z[: self.n_inputs] = XT.transpose(1, 0, 2)
        for op in self._sweeps(XT.shape[2])[0]:  # per level: the product, then each slab's σ
            op()
        return A, Z

    def forward_shared(self, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`forward` when every member reads the same examples: ``sources`` (n_sources, chunk) holds
        their inputs' rows and the biases' (ones). Fills and returns ``A`` and ``Z`` (their rows of inputs
        and biases are left as they were).

        The inputs' and biases' part of every neuron's ``a`` is one product, for all levels at once and
        without a copy of the inputs per member; each later level then adds what earlier neurons send it.
        """
        A, Z, _, _ = self.buffers(sources.shape[1])
        s = self.n_sources
        np.matmul(self.W[:, :, :s], sources, out=A[s:].transpose(1, 0, 2))  # the same sources for all
        for op in self._sweeps(sources.shape[1])[2]:  # per level: + what earlier neurons send, then each slab's σ
            op()
        return A, Z

    def outputs(self, values: np.ndarray) -> np.ndarray:
        """The output neurons' rows of ``A`` or ``Z``: (outputs, members, batch)."""
        return values[self.out]

    def backward(self, dz_own: np.ndarray | None, da_own: np.ndarray | None, grad: np.ndarray) -> None:
        """The reverse sweep after :meth:`forward`; writes ∂L/∂w of the stack's edges into ``grad``.

        ``dz_own`` and ``da_own``: the loss's own ∂L/∂z (or ∂L/∂a) of the outputs, (outputs, members, batch).
        """
        A, Z, dA, dZ = self.last
        s = self.n_sources
        own = dz_own if da_own is None else None
        last = len(self.levels) - 1
        if own is not None and self.outputs_last and not any(lv.has_outputs for lv in self.levels[:-1]):
            lv = self.levels[-1]  # the common case: the loss's own ∂L/∂z is the last level's, and only its
            rows = slice(lv.start, lv.stop)
            if lv.identity:  # ∂L/∂a = ∂L/∂z
                np.copyto(dA[rows], own)
            else:
                np.copyto(dZ[rows], own)
                for act, lo, hi in lv.slabs:
                    act.chain(A[lo:hi], Z[lo:hi], dZ[lo:hi], dA[lo:hi])
            for op in self._sweeps(A.shape[2])[1]:
                op()
            np.take(self.dW.reshape(-1), self.w_index, out=grad[self.lo : self.hi], mode="clip")
            return
        mdA, mdZ = dA.transpose(1, 0, 2), dZ.transpose(1, 0, 2)  # (members, rows, batch) views
        for i in range(last, -1, -1):
            lv = self.levels[i]
            rows = slice(lv.start, lv.stop)
            if i == last and own is not None and self.outputs_last:  # ∂L/∂z of the outputs is the loss's own
                if lv.identity:  # and ∂L/∂a = ∂L/∂z
                    np.copyto(dA[rows], own)
                    continue
                np.copyto(dZ[rows], own)
            elif i == last:
                dZ[rows] = 0
            else:  # ∂L/∂z = Σ over later neurons j of w_kj ∂L/∂a_j, for all later levels at once
                later = self.W[:, lv.stop - s :, rows].transpose(0, 2, 1)  # (m, rows of l, later rows)
                np.matmul(later, mdA[:, lv.stop :], out=mdZ[:, rows])
            if own is not None and lv.has_outputs and not (i == last and self.outputs_last):
                if i == last and isinstance(self.out, slice):  # rows of earlier levels: rewritten there
                    dZ[self.out] += own
                else:
                    dZ[lv.at] += own[lv.own]
            for act, lo, hi in lv.slabs:
                act.chain(A[lo:hi], Z[lo:hi], dZ[lo:hi], dA[lo:hi])
            if da_own is not None and lv.has_outputs:
                if i == last and isinstance(self.out, slice):
                    dA[self.out] += da_own
                else:
                    dA[lv.at] += da_own[lv.own]
        for op in self._sweeps(A.shape[2])[3]:  # ∂L/∂W (m, targets, rows): Σ over the batch
            op()
        np.take(self.dW.reshape(-1), self.w_index, out=grad[self.lo : self.hi], mode="clip")  # (valid indices)


class StackedEngine:
    """Passes of many networks at once, each on its own batch (see the module notes).

    Parameters
    ----------
    nets : sequence of IndexedGraph
        The members' descriptions (``net.indexed()``); all with the same numbers of inputs and outputs.
    dtype : numpy dtype, default float64
        Of the passes.
    stacks : list of list of int, optional
        Which members share a stack (default :func:`stack_members`).

    Attributes
    ----------
    n_weights : int
        Weights of the union: every member's, level by level.
    positions : list of ndarray
        Per member, the place of each of its weights (``net.edges`` order) in the union's flat vector.
    """

    def __init__(self, nets: Sequence[IndexedGraph], stacks: list[list[int]] | None = None,
                 dtype: np.dtype | type = np.float64) -> None:  # fmt: skip
        if not nets:
            raise ShapeError("StackedEngine needs at least one network")
        shapes = {(n.of_kind("input").size, n.of_kind("output").size) for n in nets}
        if len(shapes) > 1:
            raise ShapeError(f"networks stacked together must have the same inputs and outputs, got {sorted(shapes)}")
        self.n_members = len(nets)
        self.stacks: list[_Stack] = []
        first = 0
        self.dtype = np.dtype(dtype)
        for members in stack_members(nets) if stacks is None else stacks:
            stack = _Stack(nets, members, first, self.dtype)
            first += stack.n_weights
            self.stacks.append(stack)
        self.n_weights = first
        self._passes: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # z, a, ∂L/∂w per batch size
        self.positions: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * len(nets)
        for stack in self.stacks:
            for j, at in zip(stack.members.tolist(), stack.positions, strict=True):
                self.positions[j] = at

    def union_weights(self, weights: Sequence[np.ndarray]) -> np.ndarray:
        """The union's flat vector holding each member's ``weights`` (its ``net.edges`` order)."""
        w = np.empty(self.n_weights)  # the optimizer's float64 vector, as a network's weights are
        for at, values in zip(self.positions, weights, strict=True):
            w[at] = values
        return w

    def member_weights(self, w: np.ndarray, j: int) -> np.ndarray:
        """Member ``j``'s weights in its own ``net.edges`` order, from the union's ``w`` (a copy)."""
        return w[self.positions[j]]

    def load(self, w: np.ndarray) -> None:
        """Put the union's flat weights into the stacks' blocks (before passes)."""
        for stack in self.stacks:
            stack.load(w)

    def forward(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Outputs ``z`` and their ``a``, each (outputs, members, batch), for ``X`` (members, batch, inputs).

        That layout makes ``z.reshape(n_outputs, -1).T`` the (examples, outputs) array a loss takes,
        every member's batch one after the other, without a copy. ``z`` and ``a`` are the engine's
        buffers for this batch size, overwritten by its next pass of the same size.
        """
        z, a, _ = self._pass(X.shape[1])
        for stack in self.stacks:
            A, Z = stack.forward(X[stack.take].transpose(0, 2, 1))
            z[:, stack.take] = stack.outputs(Z)
            a[:, stack.take] = stack.outputs(A)
        return z, a

    def _pass(self, batch: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The arrays :meth:`forward` and :meth:`backward` return at a batch size, made once and reused."""
        arrays = self._passes.get(batch)
        if arrays is None:
            k = self.stacks[0].output_rows.shape[1]
            z = np.empty((k, self.n_members, batch), self.dtype)
            arrays = self._passes[batch] = (z, np.empty_like(z), np.empty(self.n_weights, self.dtype))
        return arrays

    def outputs(self, XT: np.ndarray, elements: int) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`forward` over many examples in chunks, each stack's chunk sized so its ``(rows, members,
        chunk)`` arrays hold about ``elements`` numbers (and stay in cache).

        ``XT`` holds the inputs as (members, inputs, n) (:func:`~autograd_graph.training.lockstep.transposed`:
        made once for data evaluated again and again; its chunks are then copied row by row). ``z`` and ``a`` are the
        engine's buffers for ``n`` examples, as :meth:`forward`'s are."""
        n = XT.shape[2]
        z, a, _ = self._pass(n)  # the arrays of a pass over n examples (made once, as the chunks' are)
        shared = XT.shape[0] > 1 and XT.strides[0] == 0  # one data set for all members
        for stack in self.stacks:
            chunk = max(16, elements // (len(stack.members) * stack.n_rows))
            if shared:  # each member's product of the sources stays on one thread
                chunk = max(16, min(chunk, ONE_THREAD_PRODUCT // ((stack.n_rows - stack.n_sources) * stack.n_sources)))
                sources = np.ones((stack.n_sources, n), self.dtype)  # the inputs' rows, then the biases' (1)
                sources[: stack.n_inputs] = XT[0]
            mine = XT[stack.take]
            for lo in range(0, n, chunk):
                if shared:
                    A, Z = stack.forward_shared(sources[:, lo : lo + chunk])
                else:
                    A, Z = stack.forward(mine[:, :, lo : lo + chunk])
                z[:, stack.take, lo : lo + chunk] = stack.outputs(Z)
                a[:, stack.take, lo : lo + chunk] = stack.outputs(A)
        return z, a

    def backward(self, dz_own: np.ndarray, da_own: np.ndarray | None) -> np.ndarray:
        """∂L/∂w of the union (flat), after :meth:`forward`; ``dz_own``/``da_own`` are (outputs, members, batch).

        The array returned is the engine's buffer for this batch size, overwritten by its next backward pass.
        """
        grad = self._pass(dz_own.shape[2])[2]
        for stack in self.stacks:
            dz = None if da_own is not None else dz_own[:, stack.take]
            da = None if da_own is None else da_own[:, stack.take]
            stack.backward(dz, da, grad)
        return grad

    def pass_sum(self) -> float:
        """The sum of every ``a`` and ``z`` of the last forward pass's neurons: finite when all are (unless it
        overflows: :meth:`finite_members` decides). The rows of inputs (finite data) and biases (1) are left out."""
        return sum(float(s.last[0][s.n_sources :].sum()) + float(s.last[1][s.n_sources :].sum())
                   for s in self.stacks)  # fmt: skip

    def finite_members(self) -> np.ndarray | None:
        """None when every ``a`` and ``z`` of the last forward pass is finite; else, per member, whether its are."""
        if all(all_finite(s.last[0]) and all_finite(s.last[1]) for s in self.stacks):
            return None
        ok = np.ones(self.n_members, dtype=bool)
        for stack in self.stacks:
            A, Z = stack.last[0], stack.last[1]
            ok[stack.take] = np.isfinite(A).all(axis=(0, 2)) & np.isfinite(Z).all(axis=(0, 2))
        return ok


def all_finite(array: np.ndarray) -> bool:
    """Whether every value is finite: one sum (finite only if all its terms are, unless it overflows: then each)."""
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(array.sum()):
            return True
    return bool(np.isfinite(array).all())
