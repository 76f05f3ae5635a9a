"""RigL's growth criterion: the absent edges of largest ``|∂L/∂w|``, without the dense gradient matrix.

For an edge ``s → t`` that is not in the network, ``∂L/∂w_{s,t}`` at
``w_{s,t} = 0`` is ``Σ_batch ∂L/∂a_t · z_s`` (the SPEC's step 3: adding the
edge with weight 0 changes no value of the pass). One forward and one
backward pass of the network as it is give every ``z_s`` and ``∂L/∂a_t``;
:func:`largest_gradients` then scores a group's pairs a block of targets at
a time (at most :data:`CHUNK_CELLS` pairs held at once, one BLAS product per
block) and keeps the ``k`` best seen so far, so the ``targets × sources``
matrix of a group is never held whole.

The choice is deterministic (the same pass gives the same edges); the final
list is ordered by ``|∂L/∂w|``, then by the pair's code (``s · n + t``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .space import GrowthSpace

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["pass_values", "largest_gradients", "CHUNK_CELLS"]

CHUNK_CELLS = 1 << 20  # pairs scored at once (8 MiB of float64)


def pass_values(net: Network, X: np.ndarray, Y: np.ndarray, loss: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``Z`` and ``∂L/∂a`` of a forward and backward pass on ``(X, Y)``, ``(rows, batch)``, and each node's row."""
    trace = net.forward(X)
    grads = net.backward(trace, Y, loss=loss)
    nodes = net.indexed().nodes
    rows = np.fromiter(map(trace.z.row, nodes), dtype=np.int64, count=len(nodes))
    return trace.z.array, grads.a.raw, rows  # target rows of ∂L/∂a are complete in raw (see NeuronValues)


def largest_gradients(
    space: GrowthSpace,
    g: int,
    k: int,
    values: tuple[np.ndarray, np.ndarray, np.ndarray],
    present: tuple[np.ndarray, np.ndarray],
    chunk_cells: int = CHUNK_CELLS,
) -> np.ndarray:
    """The codes of the ``k`` absent pairs of group ``g`` with the largest ``|∂L/∂w|``, largest first.

    ``values``: :func:`pass_values`; ``present``: source and target indices of
    the group's edges (which are not candidates).
    """
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    Z, dA, rows = values
    S, T, n = space.sources[g], space.targets[g], space.n
    z_sources = Z[rows[S]]  # (sources, batch)
    col_of = np.full(n, -1, dtype=np.int64)
    col_of[S] = np.arange(S.size)
    row_of = np.full(n, -1, dtype=np.int64)
    row_of[T] = np.arange(T.size)
    ps, pt = present
    by_row = np.argsort(row_of[pt], kind="stable")
    p_rows, p_cols = row_of[pt][by_row], col_of[ps][by_row]
    source_rank = space.rank[S]
    ordered = bool((source_rank.max(initial=-1) < space.rank[T]).all())  # every pair keeps the order (layers)
    best_codes, best_scores = np.zeros(0, dtype=np.int64), np.zeros(0)
    step = max(1, chunk_cells // max(S.size, 1))
    for lo in range(0, T.size, step):
        t = T[lo : lo + step]
        scores = np.abs(dA[rows[t]] @ z_sources.T)  # (targets of the block, sources): |∂L/∂w| of each pair
        a, b = np.searchsorted(p_rows, [lo, lo + t.size])
        scores[p_rows[a:b] - lo, p_cols[a:b]] = -1.0  # edges that exist are no candidates
        if not ordered:
            scores[source_rank[None, :] >= space.rank[t][:, None]] = -1.0
        flat = scores.ravel()
        if flat.size > k:
            pick = np.argpartition(-flat, k - 1)[:k]
        else:
            pick = np.arange(flat.size)
        pick = pick[flat[pick] >= 0]
        codes = S[pick % S.size] * n + t[pick // S.size]
        best_codes = np.concatenate([best_codes, codes])
        best_scores = np.concatenate([best_scores, flat[pick]])
        if best_codes.size > k:
            keep = np.lexsort((best_codes, -best_scores))[:k]
            best_codes, best_scores = best_codes[keep], best_scores[keep]
    order = np.lexsort((best_codes, -best_scores))
    return best_codes[order][:k]
