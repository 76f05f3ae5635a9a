"""The schedule: a network compiled once into rows and stages, as plain data.

:func:`build_schedule` orders the neurons into *rows*, inputs and bias neurons
first, then one *stage* per topological generation, its neurons grouped by
activation so that each group is one slice of rows. For the edges into a
stage from non-bias neurons it chooses a :class:`Block` layout by density:

- ``view``: a full block whose weights lie in the flat weight vector with a
  regular stride (a layered network built row by row): the weight matrix can
  be a strided *view* of the flat vector, no copy;
- ``scatter``: a dense enough block (at least :data:`DENSE_MIN_DENSITY`):
  weights scattered into a dense matrix, then one BLAS product;
- ``sparse``: the block's edges sorted by source (a CSR matrix of the
  transposed block), so both directions stream through the large source rows
  and scatter into, or gather from, the small block of the stage.

Edges from bias neurons become a bias vector added to ``a``.

The schedule is what every consumer of the network's order shares: the
compiled engine (:mod:`.compiled`, with the kernels of :mod:`.kernels`), the
straight-line code (:mod:`.codegen`) and the PyTorch export. It holds no
weights and never changes once built.

Examples
--------
>>> import autograd_graph as ag
>>> schedule = build_schedule(ag.running_example(seed=0).indexed())
>>> schedule.order
[1, 2, 5, 8, 3, 4, 6, 7, 9]
>>> [(st.start, st.stop, st.block.kind) for st in schedule.stages]
[(4, 6, 'view'), (6, 8, 'scatter'), (8, 9, 'view')]
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..activations import Activation
from ..ordering import lex_order, stable_order
from ..topology import IndexedGraph

__all__ = [
    "Schedule",
    "Stage",
    "Block",
    "build_schedule",
    "dense_block",
    "sparse_block",
    "DENSE_MIN_DENSITY",
    "added_rows",
    "inputs_apart",
]

# The density (edges ÷ the stage's targets × source span) from which a stage takes a dense
# kernel: the median crossover over block shapes and batch sizes measured by
# benchmarks/dense_vs_sparse.py on this project's 2-core reference machine (the
# crossovers ranged from 0.1 at batch 256 to 0.5 and more at batch 16).
DENSE_MIN_DENSITY = 0.15


def index_dtype(*sizes: int) -> np.dtype:
    """int32 when every index fits (half the memory traffic), else int64."""
    return np.dtype(np.int32 if max(sizes, default=0) < np.iinfo(np.int32).max else np.int64)


@dataclass(frozen=True, eq=False)
class Block:
    """The edges into one stage from non-bias neurons, laid out for one kind of kernel.

    Attributes
    ----------
    kind : {"view", "scatter", "sparse"}
    shape : (int, int)
        ``(targets, span)``: the stage's rows by the source rows it reads.
    rows, cols, positions : ndarray
        Each edge's target (row within the stage), source (column within the
        span) and place in the flat weight vector; for ``sparse``, sorted by
        source then target.
    indptr : ndarray or None
        ``sparse``: edges ``indptr[c]:indptr[c + 1]`` leave source column ``c``.
    base, row_stride, col_stride : int
        ``view``: weight ``(r, c)`` is at ``base + r·row_stride + c·col_stride``.
    """

    kind: str
    shape: tuple[int, int]
    rows: np.ndarray
    cols: np.ndarray
    positions: np.ndarray
    indptr: np.ndarray | None = None
    base: int = 0
    row_stride: int = 0
    col_stride: int = 0


@dataclass(frozen=True, eq=False)
class Stage:
    """One topological generation: target rows ``[start, stop)``."""

    start: int
    stop: int
    groups: tuple[tuple[Activation, int, int], ...]  # (σ, first row, last row + 1)
    source_start: int  # the block reads Z[source_start:source_stop]
    source_stop: int
    block: Block | None  # None: only bias edges head into the stage
    has_bias: bool  # whether bias edges head into this stage
    deferred: int  # the first `deferred` rows of the span are inputs or biases: their ∂L/∂z waits
    sole: bool  # the other rows of the span get ∂L/∂z from this stage only (and are not outputs)
    output_rows: np.ndarray  # absolute rows of output neurons in this stage
    output_columns: np.ndarray  # their columns in trace.output


@dataclass(frozen=True, eq=False)
class Schedule:
    """A network compiled into rows and stages (see the module notes). Built by :func:`build_schedule`."""

    graph: IndexedGraph
    order: list[Hashable]  # neuron of each row
    rows: Mapping[Hashable, int]  # neuron -> row
    node_rows: np.ndarray  # row of each node index (graph order)
    inputs: list[Hashable]
    outputs: list[Hashable]
    n_biases: int
    stages: tuple[Stage, ...]
    output_rows: np.ndarray
    output_activations: tuple[Activation, ...]
    bias_targets: np.ndarray  # target row of each bias edge, grouped by bias neuron
    bias_indptr: np.ndarray  # bias neuron k owns bias edges bias_indptr[k]:bias_indptr[k + 1]
    bias_positions: np.ndarray  # their positions in the flat weight vector

    @property
    def n_sources(self) -> int:
        """Rows of inputs and bias neurons (the first rows)."""
        return len(self.inputs) + self.n_biases

    @property
    def n_weights(self) -> int:
        return self.graph.src.size

    @cached_property
    def one_bias_per_row(self) -> bool:
        """Whether no row has two bias edges (then a row's bias is its one weight: ``Prepared.refresh``)."""
        return bool(np.all(np.diff(np.sort(self.bias_targets)) > 0))


def dense_block(rows: np.ndarray, cols: np.ndarray, positions: np.ndarray, shape: tuple[int, int]) -> Block:
    """A ``view`` block when the weights lie in the flat vector with a regular stride, else ``scatter``."""
    n, span = shape
    if positions.size == n * span:
        flat = np.empty(n * span, dtype=np.int64)
        flat[rows * span + cols] = positions
        block = flat.reshape(n, span)
        base = int(block[0, 0])
        col_stride = int(block[0, 1] - base) if span > 1 else 1
        row_stride = int(block[1, 0] - base) if n > 1 else span * col_stride
        expected = base + np.arange(n)[:, None] * row_stride + np.arange(span)[None, :] * col_stride
        if row_stride >= 1 and col_stride >= 1 and np.array_equal(block, expected):
            return Block("view", shape, rows, cols, positions, None, base, row_stride, col_stride)
    return Block("scatter", shape, rows, cols, positions)


def sparse_block(rows: np.ndarray, cols: np.ndarray, positions: np.ndarray, shape: tuple[int, int]) -> Block:
    """A ``sparse`` block: the edges sorted by source, with the CSR pointers of the transposed block."""
    n_targets, span = shape
    order = lex_order(cols, rows, n_targets)  # by source, then target (radix passes: :mod:`..ordering`)
    rows, cols, positions = rows[order], cols[order], positions[order]
    index = index_dtype(span + 1, n_targets, positions.size)
    indptr = np.zeros(span + 1, dtype=index)
    np.cumsum(np.bincount(cols, minlength=span), out=indptr[1:])
    return Block("sparse", shape, rows.astype(index), cols.astype(index), positions, indptr)


def _row_order(graph: IndexedGraph) -> tuple[np.ndarray, list[tuple[int, int, tuple]]]:
    """Node indices in row order, and each stage's ``(start, stop, groups)``.

    Rows: inputs, bias neurons, then generation after generation; within a
    generation, neurons are grouped by activation (groups in the order of
    their first neuron), graph order within a group.
    """
    kind_rank = np.full(len(graph.kinds), 2, dtype=np.int64)
    kind_rank[graph.of_kind("input")], kind_rank[graph.of_kind("bias")] = 0, 1
    # one label per activation object (None for inputs and biases): any distinct labels do
    _, act_id = np.unique(np.fromiter(map(id, graph.activations), np.int64, len(graph.activations)),
                          return_inverse=True)  # fmt: skip
    gen = graph.generation
    if gen is None:
        raise ValueError("a schedule needs an acyclic graph")
    group = gen * (int(act_id.max(initial=0)) + 1) + act_id
    keys, first = np.unique(group, return_index=True)
    first_of_group = first[np.searchsorted(keys, group)]  # each node: the first node of its group
    order = np.lexsort((np.arange(gen.size), first_of_group, gen, kind_rank))
    n_sources = int((kind_rank < 2).sum())
    target_gen, target_group = gen[order[n_sources:]], group[order[n_sources:]]
    stage_starts = n_sources + np.flatnonzero(np.diff(target_gen, prepend=-1))
    group_starts = n_sources + np.flatnonzero(np.diff(target_group, prepend=-1))
    bounds = []
    for start, stop in zip(stage_starts.tolist(), [*stage_starts[1:].tolist(), gen.size], strict=True):
        los = group_starts[(group_starts >= start) & (group_starts < stop)].tolist()
        groups = tuple((graph.activations[order[lo]], lo, hi) for lo, hi in zip(los, [*los[1:], stop], strict=True))
        bounds.append((start, stop, groups))
    return order, bounds


def build_schedule(graph: IndexedGraph) -> Schedule:
    """Compile an evaluable :class:`~autograd_graph.topology.IndexedGraph` into a :class:`Schedule`."""
    inputs, outputs = graph.ids(graph.of_kind("input")), graph.ids(graph.of_kind("output"))
    n_inputs, n_biases = len(inputs), len(graph.of_kind("bias"))
    n_sources = n_inputs + n_biases
    node_order, stage_bounds = _row_order(graph)
    order = graph.ids(node_order)
    rows = dict(zip(order, range(len(order)), strict=True))
    node_rows = np.empty(len(order), dtype=np.int64)
    node_rows[node_order] = np.arange(len(order))
    src, dst = node_rows[graph.src], node_rows[graph.dst]  # rows of each edge, in flat order
    by_target = stable_order(dst, len(order))  # by target, flat order within one
    src, dst, pos = src[by_target], dst[by_target], by_target
    is_bias = (src >= n_inputs) & (src < n_sources)
    output_rows = np.array([rows[n] for n in outputs], dtype=np.int64)

    blocks = []  # (block, first source row, last + 1, deferred rows, has bias) per stage
    readers = np.zeros(len(order) + 1, dtype=np.int64)  # difference array: how many stages read each row
    for start, stop, _ in stage_bounds:
        lo, hi = np.searchsorted(dst, [start, stop])
        keep = ~is_bias[lo:hi]
        s, d, p = src[lo:hi][keep], dst[lo:hi][keep] - start, pos[lo:hi][keep]
        block = None
        s0 = s1 = 0
        if s.size:
            s0, s1 = int(s.min()), int(s.max()) + 1
            shape = (stop - start, s1 - s0)
            dense = s.size / (shape[0] * shape[1]) >= DENSE_MIN_DENSITY
            block = (dense_block if dense else sparse_block)(d, s - s0, p, shape)
        deferred = int(np.clip(n_sources - s0, 0, s1 - s0))
        readers[s0 + deferred] += 1
        readers[s1] -= 1
        blocks.append((block, s0, s1, deferred, bool(is_bias[lo:hi].any())))
    readers = np.cumsum(readers)
    readers[output_rows] += 1  # an output's ∂L/∂z has the loss's own term as well
    stages = []
    for (start, stop, groups), (block, s0, s1, deferred, has_bias) in zip(stage_bounds, blocks, strict=True):
        sole = s0 + deferred < s1 and bool((readers[s0 + deferred : s1] == 1).all())
        in_stage = (output_rows >= start) & (output_rows < stop)
        stages.append(
            Stage(start, stop, groups, s0, s1, block, has_bias, deferred, sole,
                  output_rows[in_stage], np.flatnonzero(in_stage))
        )  # fmt: skip
    # bias edges: target rows, and a CSR matrix (bias neuron × rows) for the biases' own ∂L/∂z
    b_src, b_dst, b_pos = src[is_bias] - n_inputs, dst[is_bias], pos[is_bias]
    by_bias = lex_order(b_src, b_dst, len(order))
    b_src, b_dst, b_pos = b_src[by_bias], b_dst[by_bias], b_pos[by_bias]
    index = index_dtype(len(order) + 1, b_pos.size)
    bias_indptr = np.zeros(n_biases + 1, dtype=index)
    np.cumsum(np.bincount(b_src, minlength=n_biases), out=bias_indptr[1:])
    output_activations = tuple(graph.activations[i] for i in graph.of_kind("output").tolist())
    return Schedule(
        graph, order, rows, node_rows, inputs, outputs, n_biases, tuple(stages), output_rows,
        output_activations, b_dst.astype(index), bias_indptr, b_pos,  # type: ignore[arg-type]
    )  # fmt: skip


def _dense(st: Stage) -> bool:
    return st.block is not None and st.block.kind in ("view", "scatter")  # one BLAS product per direction


def inputs_apart(sc: Schedule) -> bool:
    """Whether every stage that reads input rows reads inputs only, through a dense product (the
    compiled engine then hands those stages ``X`` itself)."""
    n_in = len(sc.inputs)
    readers = [st for st in sc.stages if st.block is not None and st.source_start < n_in]
    return bool(readers) and all(st.source_stop <= n_in and _dense(st) for st in readers)


def added_rows(sc: Schedule) -> list[slice]:
    """The rows of ∂L/∂z among the targets that a backward sweep adds into, as slices: all but those
    a dense product writes whole (``sole``: no other stage reads them, they are no outputs), which
    need no zeroing before it."""
    added = np.ones(len(sc.order) + 1, dtype=bool)
    added[: sc.n_sources] = added[-1] = False  # the sources' rows wait for their fill; a sentinel
    for st in sc.stages:
        if st.sole and _dense(st):
            added[st.source_start + st.deferred : st.source_stop] = False
    edges = np.flatnonzero(np.diff(added, prepend=False)).tolist()  # starts and stops of the runs
    return [slice(lo, hi) for lo, hi in zip(edges[::2], edges[1::2], strict=True)]
