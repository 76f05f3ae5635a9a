"""Structure of a neuron graph: the feed-forward check, generations and layers.

These functions take a :class:`networkx.DiGraph` whose nodes carry a ``kind``
attribute (``input``, ``bias``, ``hidden``, ``output``); the :class:`Network`
methods of the same names call them on the network's own graph. Within a
generation or a layer, neurons keep the graph's node order (the order they
were added in).

:class:`IndexedGraph` is the network as integer arrays, with each neuron's
kind and activation: the documented description the engines read
(``net.indexed()``), built in time linear in the graph's size.

Examples
--------
>>> import networkx as nx
>>> G = nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C")])
>>> nx.set_node_attributes(G, {"A": "input", "B": "hidden", "C": "output"}, "kind")
>>> generations(G)
[['A'], ['B'], ['C']]
>>> is_layered(G)
False
>>> layers(G)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
autograd_graph.exceptions.NotLayeredError: the network is not layered: edge 'A' → 'C' cannot go ...
"""

from __future__ import annotations

import warnings
from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter

import networkx as nx
import numpy as np

from .activations import Activation
from .exceptions import CycleError, IncompleteNetworkError, NotLayeredError, UnreachableOutputWarning

__all__ = [
    "IndexedGraph",
    "index_graph",
    "generation_array",
    "check_acyclic",
    "check_evaluable",
    "reachable",
    "generations",
    "generation_numbers",
    "depth",
    "layer_numbers",
    "layers",
    "is_layered",
]


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

    nodes: list[Hashable]
    src: np.ndarray
    dst: np.ndarray
    generation: np.ndarray | None
    kinds: tuple[str | None, ...] = ()
    activations: tuple[Activation | None, ...] = ()
    edges: Sequence[tuple] = ()
    positions: Mapping[tuple, int] = field(default_factory=dict)

    def of_kind(self, kind: str) -> np.ndarray:
        """Indices of the nodes of ``kind``, in graph order."""
        return np.array([i for i, k in enumerate(self.kinds) if k == kind], dtype=np.int64)

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
    """Each node's generation by Kahn's algorithm: ``None`` if some node is on a cycle. ``by_generation``: one
    numpy step per generation (True: few, wide generations), Python lists (False: deep, narrow graphs), or by size."""
    by_source = np.argsort(src, kind="stable")
    targets = dst[by_source]
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
        np.subtract.at(missing, heads, 1)
        heads = np.unique(heads)
        frontier = heads[missing[heads] == 0]
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
    if not indexed.src.size:
        return reached
    order = np.argsort(gen[indexed.src], kind="stable")  # edges by the generation of their source
    src, dst = indexed.src[order], indexed.dst[order]
    bounds = np.searchsorted(gen[src], np.arange(gen.max() + 2))
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        live = reached[src[lo:hi]]
        reached[dst[lo:hi][live]] = True
    return reached


def check_acyclic(G: nx.DiGraph, indexed: IndexedGraph | None = None) -> None:
    """Raise :class:`CycleError` naming one cycle if ``G`` has any.

    The test is linear (:func:`index_graph`, or ``indexed`` when given);
    only when a cycle is known to exist is one found (``nx.find_cycle``) to
    name it.

    Examples
    --------
    >>> check_acyclic(nx.DiGraph([(1, 2), (2, 3), (3, 1)]))
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.CycleError: the network must be feed-forward, but it has the cycle 1 → 2 → 3 → 1
    """
    if (indexed or index_graph(G)).generation is not None:
        return
    cycle = [edge[:2] for edge in nx.find_cycle(G)]
    path = " → ".join(repr(u) for u, _ in cycle) + f" → {cycle[0][0]!r}"
    raise CycleError(f"the network must be feed-forward, but it has the cycle {path}", cycle)


def check_evaluable(indexed: IndexedGraph) -> None:
    """Check that a network (an :class:`IndexedGraph` with kinds) can be evaluated.

    Raises
    ------
    IncompleteNetworkError
        No input, no output, or a hidden or output neuron with no incoming edge.
    CycleError
        The graph has a cycle.

    Warns
    -----
    UnreachableOutputWarning
        For an output that no input reaches: it computes a constant, which is
        legal (and may be intended) but usually a wiring mistake.
    """
    kinds = indexed.kinds
    if "input" not in kinds:
        raise IncompleteNetworkError("the network has no input neuron; add one with add_input")
    if "output" not in kinds:
        raise IncompleteNetworkError("the network has no output neuron; add one with add_output")
    if indexed.generation is None:
        raise CycleError("the network must be feed-forward, but it has a cycle")
    targets = np.array([kind in ("hidden", "output") for kind in kinds], dtype=bool)
    unfed = np.flatnonzero(targets & (np.bincount(indexed.dst, minlength=len(kinds)) == 0))
    if unfed.size:
        neuron = indexed.nodes[unfed[0]]
        raise IncompleteNetworkError(
            f"{kinds[unfed[0]]} neuron {neuron!r} has no incoming edge; connect a neuron into it or remove it"
        )
    reached = reachable(indexed, np.array([kind == "input" for kind in kinds], dtype=bool))
    unreached = [
        n for n, kind, hit in zip(indexed.nodes, kinds, reached.tolist(), strict=True) if kind == "output" and not hit
    ]
    if unreached:
        warnings.warn(
            f"no input neuron reaches the output neurons {unreached!r}: they compute constants",
            UnreachableOutputWarning,
            stacklevel=4,
        )


def generations(G: nx.DiGraph, indexed: IndexedGraph | None = None) -> list[list[Hashable]]:
    """Topological generations: generation 0 holds the neurons without inputs,
    and each neuron sits one generation after the latest neuron feeding it.

    These are the stages of the compiled scheduler: the neurons of one
    generation depend only on earlier ones, so they are computed together.
    ``indexed`` (from :func:`index_graph`) saves indexing ``G`` again.

    Examples
    --------
    >>> generations(nx.DiGraph([(1, 3), (2, 3), (3, 4), (1, 4)]))
    [[1, 2], [3], [4]]
    """
    indexed = indexed or index_graph(G)
    check_acyclic(G, indexed)
    gen = indexed.generation
    assert gen is not None  # check_acyclic raised otherwise
    order = np.argsort(gen, kind="stable")  # by generation, graph order within one
    bounds: np.ndarray | list[int] = np.cumsum(np.bincount(gen))[:-1] if gen.size else []
    nodes = indexed.nodes
    return [[nodes[i] for i in part] for part in np.split(order, bounds)] if gen.size else []


def generation_numbers(G: nx.DiGraph) -> dict[Hashable, int]:
    """Map each neuron to its generation number (0 for neurons without inputs)."""
    return {node: g for g, gen in enumerate(generations(G)) for node in gen}


def depth(G: nx.DiGraph) -> int:
    """The number of edges on the longest path: the number of generations − 1.

    Examples
    --------
    >>> depth(nx.DiGraph([(1, 2), (2, 3), (1, 3)]))
    2
    """
    return max(len(generations(G)) - 1, 0)


def _breaking_edge(G: nx.DiGraph, conflict: tuple) -> tuple:
    """Prefer naming a skip edge (it spans several generations) over the
    edge where the search happened to notice the conflict."""
    gen = generation_numbers(G)
    for u, v in G.edges:
        if G.nodes[u].get("kind") != "bias" and gen[v] - gen[u] > 1:
            return (u, v)
    return conflict


def layer_numbers(G: nx.DiGraph) -> dict[Hashable, int]:
    """Map every neuron to its layer (from 1, the input layer).

    A network is layered when its neurons split into an ordered list of
    subsets such that every edge goes from one subset to the next. Input
    neurons are in layer 1; a bias neuron sits in the layer before the
    neurons it feeds. Parts of the graph that no input touches start at
    layer 1 too.

    Raises
    ------
    NotLayeredError
        If no such split exists; the message and ``.edge`` name an edge
        that breaks it.
    """
    check_acyclic(G)
    level: dict[Hashable, int] = {}

    def spread(start: list) -> tuple | None:
        # Breadth-first over edges in both directions: an edge u → v asks
        # level[v] = level[u] + 1. Returns the first edge that cannot hold.
        queue = deque(start)
        while queue:
            u = queue.popleft()
            for v in G.successors(u):
                if v not in level:
                    level[v] = level[u] + 1
                    queue.append(v)
                elif level[v] != level[u] + 1:
                    return (u, v)
            for p in G.predecessors(u):
                if p not in level:
                    level[p] = level[u] - 1
                    queue.append(p)
                elif level[p] != level[u] - 1:
                    return (p, u)
        return None

    inputs = [n for n, kind in G.nodes(data="kind") if kind == "input"]
    level.update(dict.fromkeys(inputs, 1))
    conflict = spread(inputs)
    if conflict is None:
        early = [n for n in level if level[n] < 1]
        if early:
            n = early[0]
            succ = next(iter(G.successors(n)))
            raise NotLayeredError(
                f"the network is not layered: neuron {n!r} would have to sit before the "
                f"input layer (its edge {n!r} → {succ!r} reaches layer {level[succ]})",
                (n, succ),
            )
    for node in G:
        if conflict is not None:
            break
        if node in level:
            continue
        component_start = set(level)
        level[node] = 0
        conflict = spread([node])
        component = [n for n in level if n not in component_start]
        shift = 1 - min(level[n] for n in component)
        for n in component:
            level[n] += shift
    if conflict is not None:
        u, v = _breaking_edge(G, conflict)
        gen = generation_numbers(G)
        raise NotLayeredError(
            f"the network is not layered: edge {u!r} → {v!r} cannot go from one layer "
            f"to the next ({u!r} would be in layer {gen[u] + 1}, {v!r} in layer {gen[v] + 1})",
            (u, v),
        )
    return {node: level[node] for node in G}


def layers(G: nx.DiGraph) -> list[list[Hashable]]:
    """The layers as lists of neurons, layer 1 (the inputs) first.

    Raises
    ------
    NotLayeredError
        If the network is not layered (see :func:`layer_numbers`).

    Examples
    --------
    >>> G = nx.DiGraph([("x", "h"), ("b", "h"), ("h", "y")])
    >>> nx.set_node_attributes(G, {"x": "input", "b": "bias", "h": "hidden", "y": "output"}, "kind")
    >>> layers(G)
    [['x', 'b'], ['h'], ['y']]
    """
    numbers = layer_numbers(G)
    result: list[list[Hashable]] = [[] for _ in range(max(numbers.values(), default=0))]
    for node, number in numbers.items():
        result[number - 1].append(node)
    return result


def is_layered(G: nx.DiGraph) -> bool:
    """Whether :func:`layers` succeeds on ``G``."""
    try:
        layer_numbers(G)
    except NotLayeredError:
        return False
    return True
