"""A sparse block cut into ranges of source rows that threads can run at once.

A ``sparse`` :class:`~.schedule.Block` keeps its edges sorted by source, then
target. :func:`split_block` cuts its source rows into ``P`` ranges with about
as many edges in each (a range's edges are then a contiguous slice). Every
pass then streams each source row once, whatever the number of threads:

- forward, range ``p`` adds its sources' terms into a ``(targets, batch)``
  block of its own (range 0 into ``a`` itself, which holds the bias), and the
  blocks are then added into ``a`` in range order;
- backward, range ``p`` writes ∂L/∂z of its own source rows, and the
  ∂L/∂w of its own edges.

The ranges are fixed when the block is compiled, and every part runs the same
operations in the same order on one thread or on several: the numbers never
depend on the number of threads. (Cutting by target rows instead would keep
the forward sums in one piece, but each part would then stream the same
source rows again: as much memory traffic as parts, and a pass over a big DAG
is bound by memory traffic.)

Examples
--------
>>> import numpy as np
>>> from autograd_graph.engines.schedule import sparse_block
>>> block = sparse_block(np.array([0, 1, 1, 2]), np.array([0, 0, 1, 2]), np.arange(4), (3, 3))
>>> ranges = split_block(block, 2, min_edges=1)
>>> ranges.sources.tolist(), ranges.edges.tolist()
([0, 1, 3], [0, 2, 4])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .schedule import Block

__all__ = ["Ranges", "split_block", "PART_MIN_EDGES"]

# Blocks with fewer edges are kept whole: their calls are too short to share out.
PART_MIN_EDGES = 4096


@dataclass(frozen=True, eq=False)
class Ranges:
    """A sparse block's source rows cut into ranges (see the module notes).

    Attributes
    ----------
    sources : ndarray, shape (P + 1,)
        Range ``p`` holds the source rows ``sources[p]:sources[p + 1]`` ...
    edges : ndarray, shape (P + 1,)
        ... whose edges are ``edges[p]:edges[p + 1]`` (in block order).
    """

    sources: np.ndarray
    edges: np.ndarray

    @property
    def count(self) -> int:
        return self.sources.size - 1


def split_block(block: Block, parts: int, *, min_edges: int | None = None) -> Ranges:
    """Cut a ``sparse`` block's sources into ``parts`` ranges of about equal edges (one range below
    ``min_edges`` edges, by default :data:`PART_MIN_EDGES`)."""
    indptr = block.indptr.astype(np.int64)  # type: ignore[union-attr]
    n_edges, span = int(indptr[-1]), indptr.size - 1
    parts = 1 if n_edges < (PART_MIN_EDGES if min_edges is None else min_edges) else max(1, min(parts, span))
    cuts = np.searchsorted(indptr, np.arange(1, parts) * n_edges / parts, side="left")
    sources = np.unique(np.concatenate([[0], np.clip(cuts, 0, span), [span]])).astype(np.int64)
    return Ranges(sources, indptr[sources])
