"""A bulk change of structure: remove some edges and add others in one step, as integer arrays.

:meth:`~autograd_graph.structure.NetworkStructure.rewire` takes edges by id;
the sparse-training callbacks (:mod:`autograd_graph.sparse`) take them as node
indices and weight positions. Both end here: :func:`check_change` checks a
change with numpy (no per-edge Python beyond the networkx update), and
:func:`plan_change` computes what the network becomes: the new edges in
canonical order (networkx's ``G.edges`` order: a source's kept edges keep
their order, its new ones follow, as ``G.add_edges_from`` puts them), their
source and target indices, the generations (the cycle check), and where each
new weight position was before (``-1`` for an added edge).

The network's description (:class:`~autograd_graph.topology.IndexedGraph`)
of the new structure is made from the old one's arrays, so a change of ``k``
edges costs ``O(k)`` Python and ``O(E)`` numpy (copies and one sort of the
edge keys), not the ``O(E)`` Python of re-indexing the graph.

Examples
--------
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> source = net.rewire(remove=[(4, 7)], add=[(3, 7, 0.5)])
>>> [e for e in net.edges if 7 in e], int(source[net.edges.index((3, 7))])
([(3, 7), (5, 7), (7, 9)], -1)
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from ._checks import safe_repr
from .exceptions import CycleError, DuplicateEdgeError, InvalidEdgeError, UnknownEdgeError
from .topology import IndexedGraph, generation_array

__all__ = ["Change", "Plan", "check_change", "plan_change", "edge_codes"]


@dataclass(frozen=True)
class Change:
    """A change of structure by indices: the positions of edges removed, the ends of edges added.

    Attributes
    ----------
    remove : ndarray of int64
        Positions (in the flat weight vector) of the edges to remove.
    src, dst : ndarray of int64
        Node indices (``net.indexed().nodes``) of the source and target of each edge to add.
    values : ndarray of float64
        The weight of each edge added (NaN: drawn by the network's initializer when next read).
    """

    remove: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class Plan:
    """What a network becomes after a :class:`Change` (see :func:`plan_change`)."""

    order: np.ndarray  # the new edge positions as indices into (kept edges, then added edges)
    kept: np.ndarray  # old positions of the kept edges
    src: np.ndarray  # source index of every new edge, in the new order
    dst: np.ndarray
    generation: np.ndarray
    source: np.ndarray  # old position of every new edge, -1 for an added one


def edge_codes(src: np.ndarray, dst: np.ndarray, n: int) -> np.ndarray:
    """One integer per edge, ``src · n + dst``: edges compared and looked up as plain numbers."""
    return src.astype(np.int64) * n + dst.astype(np.int64)


def _edge(indexed: IndexedGraph, s: int, d: int) -> str:
    return f"{safe_repr(indexed.nodes[s])} → {safe_repr(indexed.nodes[d])}"


def check_change(indexed: IndexedGraph, change: Change) -> None:
    """Refuse a change that cannot be made, naming the first edge at fault (nothing is changed).

    Raises
    ------
    UnknownEdgeError
        A position to remove that holds no edge.
    DuplicateEdgeError
        An edge removed twice, added twice, added while it exists, or both removed and added.
    InvalidEdgeError
        An added edge that is a self-loop, or heads into an input or bias neuron.
    """
    n_edges, n = indexed.src.size, len(indexed.nodes)
    remove = change.remove
    if remove.size and (remove.min() < 0 or remove.max() >= n_edges):
        bad = int(remove[(remove < 0) | (remove >= n_edges)][0])
        raise UnknownEdgeError(f"rewire: position {bad} holds no edge (the network has {n_edges})")
    if np.unique(remove).size < remove.size:
        p = int(remove[np.flatnonzero(np.bincount(remove) > 1)[0] == remove][0])
        raise DuplicateEdgeError(f"rewire: edge {_edge(indexed, indexed.src[p], indexed.dst[p])} is removed twice")
    src, dst = change.src, change.dst
    if not src.size:
        return
    if src.min() < 0 or dst.min() < 0 or max(src.max(), dst.max()) >= n:
        raise UnknownEdgeError(f"rewire: an added edge names a node index outside 0…{n - 1}")
    loops = np.flatnonzero(src == dst)
    if loops.size:
        s = int(src[loops[0]])
        raise InvalidEdgeError(f"rewire: edge {_edge(indexed, s, s)} is a self-loop; the network must be feed-forward")
    kinds = np.array([k in ("input", "bias") for k in indexed.kinds], dtype=bool)
    into = np.flatnonzero(kinds[dst])
    if into.size:
        s, d = int(src[into[0]]), int(dst[into[0]])
        raise InvalidEdgeError(
            f"rewire: edge {_edge(indexed, s, d)} heads into {indexed.kinds[d]} neuron "
            f"{safe_repr(indexed.nodes[d])}; only hidden and output neurons have incoming edges"
        )
    codes = edge_codes(src, dst, n)
    _, first, counts = np.unique(codes, return_index=True, return_counts=True)
    if (counts > 1).any():
        i = int(first[np.flatnonzero(counts > 1)[0]])
        raise DuplicateEdgeError(f"rewire: edge {_edge(indexed, src[i], dst[i])} is added twice")
    existing = edge_codes(indexed.src, indexed.dst, n)
    clash = np.flatnonzero(np.isin(codes, existing))
    if clash.size:
        i = int(clash[0])
        removed = np.isin(codes[i], existing[remove])
        said = "is both removed and added (set its weight instead)" if removed else "already exists"
        raise DuplicateEdgeError(f"rewire: edge {_edge(indexed, src[i], dst[i])} {said}")


def plan_change(indexed: IndexedGraph, change: Change) -> Plan:
    """The structure after ``change`` (checked by :func:`check_change`), or :class:`CycleError` naming a cycle."""
    n_edges = indexed.src.size
    keep = np.ones(n_edges, dtype=bool)
    keep[change.remove] = False
    kept = np.flatnonzero(keep)
    k = change.src.size
    src = np.concatenate([indexed.src[kept], change.src.astype(np.int64)])
    dst = np.concatenate([indexed.dst[kept], change.dst.astype(np.int64)])
    # canonical order: by source in node order; a source's kept edges in their order, then its new ones
    rank = np.concatenate([kept, np.arange(k, dtype=np.int64)])
    is_new = np.concatenate([np.zeros(kept.size, dtype=np.int8), np.ones(k, dtype=np.int8)])
    order = np.lexsort((rank, is_new, src))
    src, dst = src[order], dst[order]
    shallow = indexed.generation is not None and int(indexed.generation.max(initial=0)) < SHALLOW
    generation = generation_array(len(indexed.nodes), src, dst, by_generation=shallow)
    if generation is None:
        raise CycleError(*_cycle(indexed, src, dst))
    source = np.concatenate([kept, np.full(k, -1, dtype=np.int64)])[order]
    for array in (src, dst, generation, source):
        array.flags.writeable = False
    return Plan(order, kept, src, dst, generation, source)


# Below this many generations, the generations of a changed structure are found one
# numpy step per generation (a layered network: a few steps over whole arrays).
SHALLOW = 32


def _cycle(indexed: IndexedGraph, src: np.ndarray, dst: np.ndarray) -> tuple[str, list[tuple]]:
    """The message and edges of one cycle the change would close (only when one is known to exist)."""
    nodes = indexed.nodes
    G = nx.DiGraph()
    G.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
    cycle = [(nodes[u], nodes[v]) for u, v, *_ in nx.find_cycle(G)]
    path = " → ".join(safe_repr(u) for u, _ in cycle) + f" → {safe_repr(cycle[0][0])}"
    return f"rewire would close the cycle {path}; the network must be feed-forward", cycle
