"""The PyTorch export's plan: a network's schedule laid out as index arrays for torch kernels.

:class:`TorchPlan` is pure numpy (no torch import): it reads the
:class:`~autograd_graph.engines.schedule.Schedule` the compiled engine runs,
the same rows, stages, activation groups and block kinds, and lays out each
block for the kernel :class:`~autograd_graph.io.torch_module.GraphModule`
runs on it:

- ``view``: the weight matrix is a strided view of the flat weights
  (``base``, ``row_stride``, ``col_stride``), no index at all;
- ``scatter``: a dense matrix, built from ``dense_flat`` (each edge's place
  in the row-major ``(targets, span)`` block) and ``dense_pos`` (its place in
  the flat weights);
- ``sparse``: a CSR matrix ``(targets, span)`` for the forward product
  (``crow``, ``col``, values ``w[csr_pos]``) and, for the backward product, a
  CSR matrix of the transposed block restricted to the source rows the block
  reads (``used``, ``crow_t``, ``col_t``, values ``w[csr_pos_t]``), so that
  the backward pass writes only those rows and its temporary grows with the
  edges, not with all earlier rows.

Every array grows with the edges (or the neurons): memory is linear in the
network's size. Each stage's slices of the concatenated arrays are plain
integers in :class:`StagePlan`.

Examples
--------
>>> import autograd_graph as ag
>>> plan = TorchPlan(ag.running_example(seed=0).compile().schedule)
>>> [(st.kind, st.start, st.stop) for st in plan.stages]
[('view', 4, 6), ('scatter', 6, 8), ('view', 8, 9)]
>>> plan.n_rows, plan.n_sources, plan.output_rows.tolist()
(9, 4, [8])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engines.schedule import Schedule, index_dtype

__all__ = ["TorchPlan", "StagePlan"]

_INDEX_ARRAYS = (
    "crow", "col", "csr_pos", "used", "crow_t", "col_t", "csr_pos_t", "dense_flat", "dense_pos",
    "bias_targets", "bias_positions", "bias_rows", "output_rows",
)  # fmt: skip
_CSR_ARRAYS = ("crow", "col", "used", "crow_t", "col_t")  # int32 when every index fits


@dataclass(frozen=True)
class StagePlan:
    """One stage: target rows ``[start, stop)`` read source rows ``[s0, s1)`` through a block of ``kind``.

    ``kind`` is ``"none"`` (only bias edges), ``"view"``, ``"scatter"`` or
    ``"sparse"``; ``groups`` are ``(activation name, first row, last row + 1)``
    relative to ``start``. The other fields are the stage's slices of the
    plan's arrays (see :class:`TorchPlan`).
    """

    start: int
    stop: int
    s0: int
    s1: int
    kind: str
    groups: tuple[tuple[str, int, int], ...]
    has_bias: bool
    edges: tuple[int, int] = (0, 0)  # sparse: col, csr_pos, col_t, csr_pos_t; scatter: dense_flat, dense_pos
    crow: tuple[int, int] = (0, 0)  # sparse: this stage's slice of crow (n_targets + 1 entries)
    used: tuple[int, int] = (0, 0)  # sparse: its slice of used
    crow_t: tuple[int, int] = (0, 0)  # sparse: its slice of crow_t (one more entry than used)
    view: tuple[int, int, int] = (0, 0, 0)  # view: base, row_stride, col_stride

    @property
    def shape(self) -> tuple[int, int]:
        """``(targets, span)``."""
        return self.stop - self.start, self.s1 - self.s0


def _indptr(keys: np.ndarray, n: int) -> np.ndarray:
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=indptr[1:])
    return indptr


class TorchPlan:
    """A schedule as index arrays for torch (see the module notes).

    Attributes
    ----------
    n_inputs, n_sources, n_rows : int
        Inputs; inputs and bias neurons (the first rows); all rows.
    stages : tuple of StagePlan
    activation_rows : dict
        Activation name -> the sorted target rows that have it, counted from the first target row.
    crow, col, csr_pos, used, crow_t, col_t, csr_pos_t, dense_flat, dense_pos : ndarray
        The blocks' index arrays, concatenated stage after stage (int64; the
        CSR structure, ``crow``, ``col``, ``used``, ``crow_t`` and ``col_t``,
        int32 when every index fits).
    bias_targets, bias_positions, bias_rows : ndarray (int64)
        Each bias edge's target row, its place in the flat weights, and its
        target counted from the first target row.
    output_rows : ndarray (int64)
        The rows of the outputs, in ``net.outputs`` order.
    n_weights : int
    """

    def __init__(self, schedule: Schedule) -> None:
        self.n_inputs, self.n_sources, self.n_rows = len(schedule.inputs), schedule.n_sources, len(schedule.order)
        self.n_weights = schedule.n_weights
        parts: dict[str, list[np.ndarray]] = {name: [] for name in _INDEX_ARRAYS[:9]}
        counts = dict.fromkeys(("csr", "crow", "used", "crow_t", "dense"), 0)
        stages = []
        rows_of: dict[str, list[np.ndarray]] = {}
        for st in schedule.stages:
            groups = tuple((act.name, lo - st.start, hi - st.start) for act, lo, hi in st.groups)
            for act, lo, hi in st.groups:
                rows_of.setdefault(act.name, []).append(np.arange(lo, hi))
            common = (st.start, st.stop, st.source_start, st.source_stop)
            b = st.block
            if b is None:
                stages.append(StagePlan(*common, "none", groups, st.has_bias))
            elif b.kind == "view":
                stages.append(StagePlan(*common, "view", groups, st.has_bias,
                                        view=(b.base, b.row_stride, b.col_stride)))  # fmt: skip
            elif b.kind == "scatter":
                e = counts["dense"]
                parts["dense_flat"].append(b.rows.astype(np.int64) * b.shape[1] + b.cols)
                parts["dense_pos"].append(b.positions.astype(np.int64))
                counts["dense"] += b.positions.size
                stages.append(StagePlan(*common, "scatter", groups, st.has_bias, edges=(e, counts["dense"])))
            else:
                stages.append(self._sparse(st, b, groups, parts, counts))
        self.stages = tuple(stages)
        csr_index = index_dtype(self.n_rows + 1, counts["csr"] + 1)  # int32 when it fits: faster products
        for name, chunks in parts.items():
            dtype = csr_index if name in _CSR_ARRAYS else np.int64  # torch's index_copy_ takes int64 only
            setattr(self, name, np.concatenate([np.zeros(0, np.int64), *chunks]).astype(dtype))
        self.bias_targets = schedule.bias_targets.astype(np.int64)
        self.bias_positions = schedule.bias_positions.astype(np.int64)
        self.bias_rows = self.bias_targets - self.n_sources  # their rows among the target rows
        self.output_rows = schedule.output_rows.astype(np.int64)
        self.activation_rows = {name: np.concatenate(chunks) - self.n_sources for name, chunks in rows_of.items()}

    @staticmethod
    def _sparse(st, b, groups, parts, counts) -> StagePlan:
        """A sparse block: CSR of the block (by target, then source) and of its transpose over the rows it reads."""
        n_targets, _ = b.shape
        rows, cols = b.rows.astype(np.int64), b.cols.astype(np.int64)  # sorted by source, then target
        by_target = np.lexsort((cols, rows))
        used, inverse = np.unique(cols, return_inverse=True)
        e, c, u, t = counts["csr"], counts["crow"], counts["used"], counts["crow_t"]
        parts["crow"].append(_indptr(rows, n_targets))
        parts["col"].append(cols[by_target])
        parts["csr_pos"].append(b.positions[by_target].astype(np.int64))
        parts["used"].append(used + st.source_start)  # absolute rows
        parts["crow_t"].append(_indptr(inverse, used.size))
        parts["col_t"].append(rows)  # already by source, then target
        parts["csr_pos_t"].append(b.positions.astype(np.int64))
        counts["csr"] += rows.size
        counts["crow"] += n_targets + 1
        counts["used"] += used.size
        counts["crow_t"] += used.size + 1
        return StagePlan(st.start, st.stop, st.source_start, st.source_stop, "sparse", groups, st.has_bias,
                         edges=(e, counts["csr"]), crow=(c, counts["crow"]), used=(u, counts["used"]),
                         crow_t=(t, counts["crow_t"]))  # fmt: skip

    def arrays(self) -> dict[str, np.ndarray]:
        """Every index array by name (what the module moves to its device)."""
        found = {name: getattr(self, name) for name in _INDEX_ARRAYS}
        found.update({f"rows:{name}": rows for name, rows in self.activation_rows.items()})
        return found

    def nbytes(self) -> int:
        """Bytes of all the index arrays."""
        return sum(a.nbytes for a in self.arrays().values())
