"""The PyTorch export's plan: a network's schedule laid out as index arrays for torch kernels.

:class:`TorchPlan` is pure numpy (no torch import): it reads the
:class:`~autograd_graph.engines.schedule.Schedule` the compiled engine runs,
the same rows, stages, activation groups and block kinds, and lays out each
block for the kernel :class:`~autograd_graph.io.torch_module.GraphModule`
runs on it. Bias neurons are rows of ones, as in the engine:

- ``view``: the weight matrix is a strided view of the flat weights
  (``base``, ``row_stride``, ``col_stride``), no index at all; the stage's
  bias edges give a bias vector (``bias_targets``, ``bias_positions``);
- ``scatter``: a dense matrix, built from ``dense_flat`` (each edge's place
  in the row-major ``(targets, span)`` block) and ``dense_pos`` (its place in
  the flat weights), and the bias vector;
- ``sparse``: a CSR matrix ``(targets, columns)`` over the rows ``0:columns``
  for the forward product (``crow``, ``col``, values ``w[csr_pos]``), the
  stage's bias edges included as entries in the bias rows and, for the
  backward product, a CSR matrix of its transpose restricted to the source rows
  the stage reads (``used``, ``crow_t``, ``col_t``, values ``w[csr_pos_t]``),
  so that the backward pass writes only those rows and its temporary grows
  with the edges, not with all earlier rows.

∂L/∂w of every edge of the sparse stages and of every bias edge is one
sampled product over the whole pass (``grad_crow``, ``grad_col``,
``grad_pos``): ``∂L/∂w_{i,j} = Σ_batch ∂L/∂a_j · z_i``. Every array grows with
the edges (or the neurons): memory is linear in the network's size. Each
stage's slices of the concatenated arrays are plain integers in
:class:`StagePlan`.

Examples
--------
>>> import autograd_graph as ag
>>> plan = TorchPlan(ag.running_example(seed=0).compile().schedule)
>>> [(st.kind, st.start, st.stop) for st in plan.stages]
[('view', 4, 6), ('scatter', 6, 8), ('view', 8, 9)]
>>> plan.n_rows, plan.n_sources, plan.output_rows.tolist(), plan.grad_pos.size   # the 5 bias edges
(9, 4, [8], 5)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engines.schedule import Schedule, index_dtype

__all__ = ["TorchPlan", "StagePlan"]

_INDEX_ARRAYS = (
    "crow", "col", "csr_pos", "used", "crow_t", "col_t", "csr_pos_t", "dense_flat", "dense_pos",
    "bias_targets", "bias_positions", "grad_crow", "grad_col", "grad_pos", "output_rows",
)  # fmt: skip
_CSR_ARRAYS = ("crow", "col", "used", "crow_t", "col_t", "grad_crow", "grad_col")  # int32 when every index fits


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
    edges: tuple[int, int] = (0, 0)  # sparse: col, csr_pos, col_t, csr_pos_t; scatter: dense_flat, dense_pos
    crow: tuple[int, int] = (0, 0)  # sparse: this stage's slice of crow (n_targets + 1 entries)
    used: tuple[int, int] = (0, 0)  # sparse: its slice of used
    crow_t: tuple[int, int] = (0, 0)  # sparse: its slice of crow_t (one more entry than used)
    columns: int = 0  # sparse: the forward CSR matrix reads rows 0:columns (bias rows included)
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
    n_inputs, n_sources, n_rows, n_weights : int
        Inputs; inputs and bias neurons (the first rows); all rows; weights.
    stages : tuple of StagePlan
    activation_rows : dict
        Activation name -> the sorted target rows that have it, counted from the first target row.
    crow, col, csr_pos, used, crow_t, col_t, csr_pos_t, dense_flat, dense_pos : ndarray
        The blocks' index arrays, concatenated stage after stage.
    bias_targets, bias_positions : ndarray
        The bias edges into the dense and bias-only stages: target row and place in the flat weights.
    grad_crow, grad_col, grad_pos : ndarray
        The CSR pattern ``(target rows − n_sources, rows)`` of the edges whose
        ∂L/∂w is one sampled product, and their places in the flat weights.
    output_rows : ndarray
        The rows of the outputs, in ``net.outputs`` order.

    Positions are int64 (torch's ``index_copy_`` takes no other); the CSR
    structure is int32 when every index fits.
    """

    crow: np.ndarray
    col: np.ndarray
    csr_pos: np.ndarray
    used: np.ndarray
    crow_t: np.ndarray
    col_t: np.ndarray
    csr_pos_t: np.ndarray
    dense_flat: np.ndarray
    dense_pos: np.ndarray
    bias_targets: np.ndarray
    bias_positions: np.ndarray
    grad_crow: np.ndarray
    grad_col: np.ndarray
    grad_pos: np.ndarray

    def __init__(self, schedule: Schedule) -> None:
        self.n_inputs, self.n_sources, self.n_rows = len(schedule.inputs), schedule.n_sources, len(schedule.order)
        self.n_weights = schedule.n_weights
        # bias edges (source row, target row, position), sorted by target row
        bias_src = self.n_inputs + np.repeat(np.arange(schedule.n_biases), np.diff(schedule.bias_indptr))
        by_target = np.argsort(schedule.bias_targets, kind="stable")
        bias = [bias_src[by_target], schedule.bias_targets[by_target].astype(np.int64),
                schedule.bias_positions[by_target].astype(np.int64)]  # fmt: skip
        parts: dict[str, list[np.ndarray]] = {name: [] for name in _INDEX_ARRAYS[:11]}
        grad: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (target row, source row, position)
        counts = dict.fromkeys(("csr", "crow", "used", "crow_t", "dense"), 0)
        stages: list[StagePlan] = []
        rows_of: dict[str, list[np.ndarray]] = {}
        for st in schedule.stages:
            groups = tuple((act.name, lo - st.start, hi - st.start) for act, lo, hi in st.groups)
            for act, lo, hi in st.groups:
                rows_of.setdefault(act.name, []).append(np.arange(lo, hi) - self.n_sources)
            lo, hi = np.searchsorted(bias[1], [st.start, st.stop])
            b_src, b_dst, b_pos = (a[lo:hi] for a in bias)
            common = (st.start, st.stop, st.source_start, st.source_stop)
            b = st.block
            if b is not None and b.kind == "sparse":
                src = np.concatenate([b.cols.astype(np.int64) + st.source_start, b_src])  # absolute rows
                dst = np.concatenate([b.rows.astype(np.int64), b_dst - st.start])  # rows of the stage
                pos = np.concatenate([b.positions.astype(np.int64), b_pos])
                stages.append(self._sparse(common, groups, src, dst, pos, parts, counts))
                grad.append((dst + st.start, src, pos))
                continue
            parts["bias_targets"].append(b_dst)
            parts["bias_positions"].append(b_pos)
            grad.append((b_dst, b_src, b_pos))
            if b is None:
                stages.append(StagePlan(*common, "none", groups))
            elif b.kind == "view":
                stages.append(StagePlan(*common, "view", groups, view=(b.base, b.row_stride, b.col_stride)))
            else:
                e = counts["dense"]
                parts["dense_flat"].append(b.rows.astype(np.int64) * b.shape[1] + b.cols)
                parts["dense_pos"].append(b.positions.astype(np.int64))
                counts["dense"] += b.positions.size
                stages.append(StagePlan(*common, "scatter", groups, edges=(e, counts["dense"])))
        self.stages = tuple(stages)
        g_dst, g_src, g_pos = (np.concatenate([np.zeros(0, np.int64), *chunk]) for chunk in zip(*grad, strict=True))
        order = np.lexsort((g_src, g_dst))
        parts["grad_crow"] = [_indptr(g_dst[order] - self.n_sources, self.n_rows - self.n_sources)]
        parts["grad_col"], parts["grad_pos"] = [g_src[order]], [g_pos[order]]
        csr_index = index_dtype(self.n_rows + 1, g_pos.size + counts["csr"] + 1)  # int32 when it fits: faster
        for name, chunks in parts.items():
            dtype = csr_index if name in _CSR_ARRAYS else np.int64
            setattr(self, name, np.concatenate([np.zeros(0, np.int64), *chunks]).astype(dtype))
        self.output_rows = schedule.output_rows.astype(np.int64)
        self.activation_rows = {name: np.concatenate(chunks) for name, chunks in rows_of.items()}

    @staticmethod
    def _sparse(common: tuple[int, int, int, int], groups: tuple, src: np.ndarray, dst: np.ndarray, pos: np.ndarray,
                parts: dict, counts: dict) -> StagePlan:  # fmt: skip
        """A sparse stage: CSR of its edges (by target, then source) and of their transpose over the rows read."""
        start, stop = common[:2]
        columns = int(src.max()) + 1
        by_target = np.lexsort((src, dst))
        used, inverse = np.unique(src, return_inverse=True)
        by_source = np.lexsort((dst, inverse))
        e, c, u, t = counts["csr"], counts["crow"], counts["used"], counts["crow_t"]
        parts["crow"].append(_indptr(dst, stop - start))
        parts["col"].append(src[by_target])
        parts["csr_pos"].append(pos[by_target])
        parts["used"].append(used)
        parts["crow_t"].append(_indptr(inverse, used.size))
        parts["col_t"].append(dst[by_source])
        parts["csr_pos_t"].append(pos[by_source])
        counts["csr"] += src.size
        counts["crow"] += stop - start + 1
        counts["used"] += used.size
        counts["crow_t"] += used.size + 1
        return StagePlan(*common, "sparse", groups, edges=(e, counts["csr"]), crow=(c, counts["crow"]),
                         used=(u, counts["used"]), crow_t=(t, counts["crow_t"]), columns=columns)  # fmt: skip

    def arrays(self) -> dict[str, np.ndarray]:
        """Every index array by name (what the module moves to its device)."""
        found = {name: getattr(self, name) for name in _INDEX_ARRAYS}
        found.update({f"rows:{name}": rows for name, rows in self.activation_rows.items()})
        return found

    def nbytes(self) -> int:
        """Bytes of all the index arrays."""
        return sum(a.nbytes for a in self.arrays().values())
