"""Structure of a neuron graph: the feed-forward check, generations and layers.

These functions take a :class:`networkx.DiGraph` whose nodes carry a ``kind``
attribute (``input``, ``bias``, ``hidden``, ``output``); the :class:`Network`
methods of the same names call them on the network's own graph. Within a
generation or a layer, neurons keep the graph's node order (the order they
were added in).

:class:`IndexedGraph` is the network as integer arrays, with each neuron's
kind and activation: the documented description the engines read
(``net.indexed()``), built in time linear in the graph's size; it lives in
:mod:`autograd_graph.indexed` (with :func:`index_graph`, :func:`reachable`
and :func:`generation_array`), and this module hands it on.

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
from collections.abc import Hashable, Mapping

import networkx as nx
import numpy as np

from .exceptions import CycleError, IncompleteNetworkError, NotLayeredError, UnreachableOutputWarning
from .indexed import IndexedGraph, generation_array, index_graph, reachable

__all__ = [
    "grouped_layers",
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
    return grouped_layers(layer_numbers(G))


def grouped_layers(numbers: Mapping[Hashable, int]) -> list[list[Hashable]]:
    """:func:`layer_numbers`' result as lists of neurons, layer 1 first, each in the mapping's order."""
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
