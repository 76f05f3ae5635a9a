"""A network's edges by neuron id, read from its index arrays: no tuple or dict per edge.

A network built from arrays (:meth:`~autograd_graph.Network.from_arrays`, and
``from_networkx``) keeps its edges as two integer arrays, ``src`` and
``dst`` (node indices, in flat-weight order, grouped by source). Its
``net.edges``, ``grads.weights`` and ``net.get_weight`` read them through
these two views, which hold the arrays and nothing per edge:

- :class:`EdgeList`, the sequence ``(source id, target id)`` in flat order;
- :class:`EdgePositions`, the mapping ``(source id, target id) -> position``,
  found among the edges of the source (a CSR index over ``src``, built on
  the first lookup).

At 10^7 edges a list of tuples and a dict of positions would take about
1.5 GB; the views take the arrays the network holds anyway. A change of
structure turns them into a plain list and dict
(:class:`~autograd_graph.weights.WeightVector`).

Examples
--------
>>> import numpy as np
>>> nodes = NodeIndex(["a", "b", "c"])
>>> edges = EdgeList(nodes, np.array([0, 0, 1]), np.array([1, 2, 2]))
>>> list(edges), edges[-1]
([('a', 'b'), ('a', 'c'), ('b', 'c')], ('b', 'c'))
>>> positions = EdgePositions(edges)
>>> positions["a", "c"], ("c", "a") in positions, len(positions)
(1, False, 3)
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any, overload

import numpy as np

__all__ = ["NodeIndex", "EdgeList", "EdgePositions"]

_CHUNK = 1 << 16  # edges turned into tuples at a time when iterating


class NodeIndex(Sequence):
    """The neurons of a network in node order, and each one's index.

    ``nodes`` is any sequence of hashable ids; ``range(n)`` (the ids 0 … n−1)
    needs no dict to find an index.
    """

    def __init__(self, nodes: Sequence[Hashable]) -> None:
        self.nodes = nodes
        self._index: dict[Hashable, int] | None = None

    @property
    def plain(self) -> bool:
        """Whether the ids are the indices 0 … n−1."""
        return isinstance(self.nodes, range) and self.nodes.start == 0 and self.nodes.step == 1

    def __len__(self) -> int:
        return len(self.nodes)

    @overload
    def __getitem__(self, i: int) -> Hashable: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Hashable]: ...
    def __getitem__(self, i: Any) -> Any:
        return self.nodes[i]

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self.nodes)

    def index(self, node: Any, start: int = 0, stop: int | None = None) -> int:
        """The index of ``node`` (``KeyError`` when it is none of the neurons)."""
        if self.plain:  # as a dict of ints finds them: 1, np.int64(1), 1.0 and True are the same key
            if isinstance(node, numbers.Real):
                try:
                    i = int(node)  # type: ignore[call-overload]
                except (ValueError, OverflowError):  # NaN, infinities
                    i = -1
                if i == node and 0 <= i < len(self.nodes):
                    return i
            raise KeyError(node)
        if self._index is None:
            self._index = dict(zip(self.nodes, range(len(self.nodes)), strict=True))
        try:
            return self._index[node]
        except TypeError:  # unhashable
            raise KeyError(node) from None

    def __contains__(self, node: object) -> bool:
        try:
            self.index(node)
        except KeyError:
            return False
        return True

    def __reduce__(self) -> tuple:
        return (NodeIndex, (self.nodes,))


class EdgeList(Sequence):
    """The edges ``(source id, target id)`` of index arrays, in their order (see the module notes)."""

    def __init__(self, nodes: NodeIndex, src: np.ndarray, dst: np.ndarray) -> None:
        self.nodes, self.src, self.dst = nodes, src, dst

    def __len__(self) -> int:
        return int(self.src.size)

    def _ids(self, indices: np.ndarray) -> list:
        if self.nodes.plain:
            return indices.tolist()
        return [self.nodes[i] for i in indices.tolist()]

    @overload
    def __getitem__(self, p: int) -> tuple: ...
    @overload
    def __getitem__(self, p: slice) -> list[tuple]: ...
    def __getitem__(self, p: Any) -> Any:
        if isinstance(p, slice):
            return list(zip(self._ids(self.src[p]), self._ids(self.dst[p]), strict=True))
        p = range(len(self))[p]  # negative positions and IndexError as a list
        return (self.nodes[int(self.src[p])], self.nodes[int(self.dst[p])])

    def __iter__(self) -> Iterator[tuple]:
        for lo in range(0, len(self), _CHUNK):
            yield from zip(self._ids(self.src[lo : lo + _CHUNK]), self._ids(self.dst[lo : lo + _CHUNK]), strict=True)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Sequence)
            and len(other) == len(self)
            and all(a == b for a, b in zip(self, other, strict=True))
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<EdgeList of {len(self)} edges>"


class EdgePositions(Mapping):
    """``(source id, target id) -> position`` of an :class:`EdgeList` grouped by source (see the module notes)."""

    def __init__(self, edges: EdgeList) -> None:
        self.edges = edges
        self._first: np.ndarray | None = None  # the first position of each node's edges (CSR over src)

    def __getitem__(self, edge: Any) -> int:
        if not (isinstance(edge, tuple) and len(edge) == 2):  # as a dict keyed by tuples
            raise KeyError(edge)
        try:
            i, j = self.edges.nodes.index(edge[0]), self.edges.nodes.index(edge[1])
        except (KeyError, TypeError):
            raise KeyError(edge) from None
        if self._first is None:
            first = np.zeros(len(self.edges.nodes) + 1, dtype=np.int64)
            np.cumsum(np.bincount(self.edges.src, minlength=len(self.edges.nodes)), out=first[1:])
            self._first = first
        lo, hi = int(self._first[i]), int(self._first[i + 1])
        hits = np.flatnonzero(self.edges.dst[lo:hi] == j)
        if not hits.size:
            raise KeyError(edge)
        return lo + int(hits[0])

    def __iter__(self) -> Iterator[tuple]:
        return iter(self.edges)

    def __len__(self) -> int:
        return len(self.edges)

    def __repr__(self) -> str:
        return f"<EdgePositions of {len(self)} edges>"
