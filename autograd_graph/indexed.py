"""A network's description as integer arrays: :class:`IndexedGraph`, built and searched with numpy.

:func:`index_graph` numbers the nodes of an ``nx.DiGraph``; networks read
from arrays build their description directly (:mod:`autograd_graph.arrays`).
:func:`generation_array` gives every node's topological generation (Kahn's
algorithm) and :func:`reachable` follows paths, both on the edge arrays and
in time linear in their size. :mod:`autograd_graph.topology` hands these on
with the checks and the layers.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter

import networkx as nx
import numpy as np

from .activations import Activation
from .exceptions import CycleError

__all__ = ["IndexedGraph", "index_graph", "generation_array", "reachable"]


@dataclass(frozen=True, eq=False)
class IndexedGraph:
    """A graph as integer arrays: node ``i`` is ``nodes[i]`` (graph order).

    What the engines read of a network (``net.indexed()``): it never changes
    once built, and a network builds a new one when its structure changes.

    Attributes
    ----------
    nodes : list
        The nodes, in the graph's order (``net.neurons``).
    src, dst : ndarray of int64
        Source and target index of every edge, edges in flat-weight order.
    generation : ndarray of int64 or None
        Each node's topological generation; None when the graph has a cycle.
    kinds : tuple of str
        Each node's kind (``input``, ``bias``, ``hidden``, ``output``; None
        when the graph has no kinds).
    activations : tuple
        Each node's :class:`~autograd_graph.Activation` (None for input and bias neurons).
    edges : sequence of (i, j)
        The edges by neuron id, in flat-weight order (``net.edges``).
    positions : mapping
        ``edge -> position`` in the flat weight vector (the inverse of ``edges``).
    """

    nodes: list[Hashable]  # a NodeIndex (a sequence, not a list) for a network read from arrays
    src: np.ndarray
    dst: np.ndarray
    generation: np.ndarray | None
    kinds: tuple[str | None, ...] = ()
    activations: tuple[Activation | None, ...] = ()
    edges: Sequence[tuple] = ()
    positions: Mapping[tuple, int] = field(default_factory=dict)
    _by_kind: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # of_kind, once

    def of_kind(self, kind: str) -> np.ndarray:
        """Indices of the nodes of ``kind``, in graph order (read-only)."""
        if not self._by_kind:
            found: dict[str | None, list[int]] = {}
            for i, k in enumerate(self.kinds):
                found.setdefault(k, []).append(i)
            for k, indices in found.items():
                self._by_kind[k] = array = np.array(indices, dtype=np.int64)
                array.flags.writeable = False
            self._by_kind[""] = None  # computed (for a graph without nodes too)
        found_kind = self._by_kind.get(kind)
        return np.zeros(0, dtype=np.int64) if found_kind is None else found_kind

    def ids(self, indices: np.ndarray) -> list[Hashable]:
        """The nodes of ``indices``, as a list."""
        nodes = self.nodes
        if getattr(nodes, "plain", False):  # a NodeIndex of 0 … n−1: the indices are the ids
            return indices.tolist()
        return [nodes[i] for i in indices.tolist()]

    def topological_order(self) -> np.ndarray:
        """Node indices by generation, graph order within one (an acyclic graph)."""
        if self.generation is None:
            raise CycleError("the graph has a cycle; it has no topological order (see check_acyclic)")
        return np.argsort(self.generation, kind="stable")


def index_graph(
    G: nx.DiGraph, edges: Sequence[tuple] | None = None, positions: Mapping[tuple, int] | None = None
) -> IndexedGraph:
    """Number the nodes of ``G`` and compute their generations with numpy, in time linear in its size.

    Parameters
    ----------
    G : networkx.DiGraph
        Node attributes ``kind`` and ``activation``, when present, fill
        ``kinds`` and ``activations``.
    edges : sequence of (u, v), optional
        The edges of ``G`` in the order wanted for ``src`` and ``dst``;
        ``G.edges`` order when omitted.
    positions : mapping, optional
        ``edge -> position`` in ``edges`` (built when omitted and ``edges`` given).

    Examples
    --------
    >>> ix = index_graph(nx.DiGraph([("a", "b"), ("a", "c"), ("b", "c")]))
    >>> ix.src.tolist(), ix.dst.tolist(), ix.generation.tolist()
    ([0, 0, 1], [1, 2, 2], [0, 1, 2])
    """
    nodes = list(G)
    if all(type(node) is int for node in nodes) and nodes == list(range(len(nodes))):
        lookup = None  # nodes 0, 1, 2, … in order (as networkx's generators make them) are their own indices
    else:
        lookup = {node: i for i, node in enumerate(nodes)}.__getitem__

    def indices(labels: Iterable, count: int) -> np.ndarray:
        return np.fromiter(labels if lookup is None else map(lookup, labels), dtype=np.int64, count=count)

    if edges is None:
        succ = getattr(G, "_succ", None)  # plain dicts iterate much faster than G.succ's views
        successors = list(succ.values() if type(succ) is dict else G.succ.values())
        degrees = np.fromiter(map(len, successors), dtype=np.int64, count=len(nodes))
        src = np.repeat(np.arange(len(nodes), dtype=np.int64), degrees)
        dst = indices(chain.from_iterable(successors), src.size)
    else:
        src = indices(map(itemgetter(0), edges), len(edges))
        dst = indices(map(itemgetter(1), edges), len(edges))
    kinds = tuple(kind for _, kind in G.nodes(data="kind"))
    activations = tuple(act for _, act in G.nodes(data="activation"))
    if edges is not None and positions is None:
        positions = dict(zip(edges, range(len(edges)), strict=True))
    for array in (src, dst):
        array.flags.writeable = False
    return IndexedGraph(
        nodes,
        src,
        dst,
        generation_array(len(nodes), src, dst),
        kinds,
        activations,
        () if edges is None else edges,
        {} if positions is None else positions,
    )


# Below this many edges, Kahn's algorithm runs over Python lists (fast for deep, narrow
# graphs); above it, one numpy step per generation (fast for wide ones).
_PYTHON_KAHN_MAX_EDGES = 200_000


def generation_array(n: int, src: np.ndarray, dst: np.ndarray, by_generation: bool | None = None) -> np.ndarray | None:
    """Each of ``n`` nodes' generation, by Kahn's algorithm on edge arrays: ``None`` if one is on a cycle.

    ``by_generation``: one numpy step per generation (True: few, wide generations), Python lists
    (False: deep, narrow graphs), or chosen by size (None).
    """
    grouped = not src.size or bool(np.all(src[1:] >= src[:-1]))  # a network's flat order: sorted already
    targets = dst if grouped else dst[np.argsort(src, kind="stable")]
    first = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=first[1:])
    missing = np.bincount(dst, minlength=n)  # incoming edges not yet seen
    if by_generation is False or (by_generation is None and src.size <= _PYTHON_KAHN_MAX_EDGES):
        levels = _kahn_lists(targets.tolist(), first.tolist(), missing.tolist())
        return None if min(levels, default=0) < 0 else np.array(levels, dtype=np.int64)
    generation = np.full(n, -1, dtype=np.int64)
    frontier = np.flatnonzero(missing == 0)
    g = 0
    while frontier.size:
        generation[frontier] = g
        starts, counts = first[frontier], first[frontier + 1] - first[frontier]
        # the positions of all edges out of the frontier, without a loop over its nodes
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        heads = targets[offsets]
        missing -= np.bincount(heads, minlength=n)  # (far faster than np.subtract.at)
        ready = heads[missing[heads] == 0]  # each new node once per edge into it from this frontier
        frontier = np.unique(ready)
        g += 1
    return None if (generation < 0).any() else generation


def _kahn_lists(targets: list[int], first: list[int], missing: list[int]) -> list[int]:
    generation = [-1] * len(missing)
    frontier = [i for i, m in enumerate(missing) if m == 0]
    g = 0
    while frontier:
        following = []
        for u in frontier:
            generation[u] = g
            for v in targets[first[u] : first[u + 1]]:
                missing[v] -= 1
                if not missing[v]:
                    following.append(v)
        frontier = following
        g += 1
    return generation


def reachable(indexed: IndexedGraph, start: np.ndarray) -> np.ndarray:
    """Which nodes a path reaches from the nodes where ``start`` is true (an acyclic graph).

    Examples
    --------
    >>> ix = index_graph(nx.DiGraph([(0, 1), (2, 3)]))
    >>> reachable(ix, np.array([True, False, False, False])).tolist()
    [True, True, False, False]
    """
    gen = indexed.generation
    if gen is None:
        raise CycleError("reachable needs an acyclic graph; this one has a cycle (see check_acyclic)")
    reached = start.copy()
    src, dst = indexed.src, indexed.dst
    if not src.size:
        return reached
    n = gen.size
    if np.all(src[1:] >= src[:-1]):  # edges grouped by source (a network's flat order): no sort needed
        first = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=first[1:])
        nodes = np.argsort(gen, kind="stable")
        bounds = np.searchsorted(gen[nodes], np.arange(gen.max() + 2))
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            live = nodes[lo:hi][reached[nodes[lo:hi]]]  # reached nodes of this generation
            starts, counts = first[live], first[live + 1] - first[live]
            edges = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
            reached[dst[edges]] = True
        return reached
    order = np.argsort(gen[src], kind="stable")  # edges by the generation of their source
    src, dst = src[order], dst[order]
    bounds = np.searchsorted(gen[src], np.arange(gen.max() + 2))
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        live = reached[src[lo:hi]]
        reached[dst[lo:hi][live]] = True
    return reached
