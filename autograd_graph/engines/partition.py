"""A sparse block cut into parts that threads can run at once, with the numbers of the whole.

A ``sparse`` :class:`~.schedule.Block` keeps its edges sorted by source, then
target. :func:`split_block` cuts it into ``P`` parts by target rows (about
as many edges in each) and reorders the edges part by part, each part still
sorted by source then target. Then:

- forward, part ``p`` writes only its own target rows ``targets[p]:targets[p + 1]``;
- backward, the product into the sources is cut by source rows
  (``sources``), each range adding the parts in order, which is the order of
  the whole block (part ``p`` holds lower targets than part ``p + 1``);
- the ∂L/∂w sums are independent per edge (``edges``: equal ranges).

Every row of ``a`` or ``∂L/∂z`` therefore sees the same additions in the
same order as with one part: the results are the same bit for bit.

Examples
--------
>>> import numpy as np
>>> from autograd_graph.engines.schedule import sparse_block
>>> block = sparse_block(np.array([0, 1, 1, 2]), np.array([0, 0, 1, 1]), np.arange(4), (3, 2))
>>> parts = split_block(block, 2, min_edges=1)
>>> parts.targets.tolist(), parts.rows.tolist(), parts.indptr.tolist()
([0, 2, 3], [0, 1, 1, 0], [[0, 2, 3], [3, 3, 4]])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .schedule import Block

__all__ = ["Parts", "split_block", "PART_MIN_EDGES"]

# Blocks with fewer edges are kept whole: their calls are too short to share out.
PART_MIN_EDGES = 4096


@dataclass(frozen=True, eq=False)
class Parts:
    """A sparse block's edges cut into ``len(targets) - 1`` parts (see the module notes).

    Attributes
    ----------
    order : ndarray
        Block edge order -> part order: the edges of the parts, one after the other.
    rows : ndarray
        Each edge's target row within its part, in part order.
    block_rows, cols, positions : ndarray
        Each edge's target row within the block, source column and place in
        the flat weights, in part order.
    targets : ndarray, shape (P + 1,)
        Part ``p`` holds the target rows ``targets[p]:targets[p + 1]``.
    indptr : ndarray, shape (P, span + 1)
        The edges of part ``p`` leaving source ``c`` are ``indptr[p, c]:indptr[p, c + 1]``.
    sources : ndarray, shape (P + 1,)
        Source rows cut into ranges of about equal edges.
    edges : ndarray, shape (P + 1,)
        Edge ranges of equal size.
    """

    order: np.ndarray
    rows: np.ndarray
    block_rows: np.ndarray
    cols: np.ndarray
    positions: np.ndarray
    targets: np.ndarray
    indptr: np.ndarray
    sources: np.ndarray
    edges: np.ndarray

    @property
    def count(self) -> int:
        return self.targets.size - 1


def _bounds(counts: np.ndarray, parts: int) -> np.ndarray:
    """Cut points of ``0 … len(counts)`` with about equal sums of ``counts`` between them."""
    total = np.concatenate([[0], np.cumsum(counts)])
    cuts = np.searchsorted(total, np.arange(1, parts) * total[-1] / parts, side="left")
    return np.concatenate([[0], cuts, [counts.size]]).astype(np.int64)


def split_block(block: Block, parts: int, *, min_edges: int | None = None) -> Parts:
    """Cut a ``sparse`` block into ``parts`` parts by target rows (one part below ``min_edges`` edges,
    by default :data:`PART_MIN_EDGES`)."""
    n_targets, span = block.shape
    rows, cols = block.rows.astype(np.int64), block.cols.astype(np.int64)
    n_edges = rows.size
    parts = 1 if n_edges < (PART_MIN_EDGES if min_edges is None else min_edges) else max(1, min(parts, n_targets))
    targets = _bounds(np.bincount(rows, minlength=n_targets), parts)
    part = np.searchsorted(targets[1:-1], rows, side="right")  # each edge's part
    order = np.arange(n_edges)  # stable, so still by source then target within each part:
    if parts > 1:
        order = np.argsort(part * n_edges + order)
    part, rows, cols = part[order], rows[order], cols[order]
    first = np.searchsorted(part, np.arange(parts + 1))  # each part's first edge
    indptr = np.empty((parts, span + 1), dtype=np.int64)
    for p in range(parts):
        indptr[p, 0] = first[p]
        np.cumsum(np.bincount(cols[first[p] : first[p + 1]], minlength=span), out=indptr[p, 1:])
        indptr[p, 1:] += first[p]
    index = block.rows.dtype
    return Parts(
        order,
        (rows - targets[part]).astype(index),
        rows.astype(index),
        cols.astype(index),
        block.positions[order],
        targets,
        indptr.astype(block.indptr.dtype),  # type: ignore[union-attr]
        _bounds(np.bincount(cols, minlength=span), parts),
        np.linspace(0, n_edges, parts + 1).astype(np.int64),
    )
