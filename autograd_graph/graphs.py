"""Networks to and from ``networkx.DiGraph``: the parts :meth:`Network.from_networkx` assembles.

:func:`read_digraph` checks any ``nx.DiGraph`` and returns what a network is
made of (neurons with kind and activation, edges in ``G.edges`` order, their
weights, the :class:`~autograd_graph.topology.IndexedGraph`), in time linear in
the graph's size; :func:`network_parts` turns them into a network's weights and
description (the network builds its own structure graph from it only when
needed, :func:`~autograd_graph.structure.structure_digraph`);
:func:`plain_digraph` writes a network back as a plain graph with
``kind``/``activation``/``weight`` attributes.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from . import topology
from ._checks import printable_id
from .activations import Activation, activation_name, get_activation
from .edgeviews import EdgeList, NodeIndex
from .exceptions import InvalidEdgeError, NetworkStructureError, UnknownActivationError
from .structure import KINDS
from .weights import WeightVector, weight_values

__all__ = ["DigraphParts", "read_digraph", "network_parts", "plain_digraph", "collector_paused", "node_index"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector (reference counting still frees everything):
    millions of small dicts would wake it over and over while a big graph is built."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class DigraphParts:
    """What :func:`read_digraph` reads: a network's neurons, edges, weights and index."""

    nodes: list[tuple[Hashable, dict]]  # (neuron, {"kind": ..., "activation": ...}) in G's order
    edges: EdgeList  # in G.edges order
    values: np.ndarray  # the weights, NaN where missing
    indexed: topology.IndexedGraph


# what igraph (and tools that go through it) write for an attribute a node does not have
UNSET = ("", "None")


def _adjacency(G: nx.DiGraph) -> Mapping:
    """``G``'s successors as plain dicts when it keeps them so (a DiGraph, not a view of one):
    iterating them is several times faster than through ``G.adj``'s read-only views."""
    adjacency = getattr(G, "_adj", None)
    if type(adjacency) is dict and all(type(successors) is dict for successors in adjacency.values()):
        return adjacency
    return G.adj


def read_digraph(
    G: Any, kind: str, activation: str, weight: str, defaults: Mapping[str, str | Activation]
) -> DigraphParts:
    """Check ``G`` and read its parts (see :meth:`Network.from_networkx` for the rules).

    Raises
    ------
    NetworkStructureError
        (or a subclass) naming the neuron or edge at fault.
    """
    if not isinstance(G, nx.DiGraph) or G.is_multigraph():
        raise NetworkStructureError(f"expected a networkx DiGraph, got {type(G).__name__}")
    indexed = topology.index_graph(G)  # nodes and edges in G's order: the network's order too
    topology.check_acyclic(G, indexed)
    kinds = dict(G.nodes(data=kind))
    if any(type(k) is str and k in UNSET for k in kinds.values()):  # unset, as igraph writes it
        kinds = {n: None if type(k) is str and k in UNSET else k for n, k in kinds.items()}
    if all(k is None for k in kinds.values()):
        kinds = {n: "input" if G.in_degree(n) == 0 else "output" if G.out_degree(n) == 0 else "hidden" for n in G}
    acts = {k: get_activation(defaults[k]) for k in ("hidden", "output")}
    nodes = []
    known: dict[str, Activation] = {}  # activation names looked up so far
    for node, data in G.nodes(data=True):
        if type(node) is not str:
            printable_id(node, NetworkStructureError)  # messages, files and pictures name it
        k = kinds[node] if kinds[node] is not None else "hidden"
        if k not in KINDS:
            raise NetworkStructureError(f"neuron {node!r} has kind {k!r}; expected one of {', '.join(KINDS)}")
        act = None
        if k in ("input", "bias"):
            if G.in_degree(node):
                source = next(iter(G.predecessors(node)))
                raise InvalidEdgeError(
                    f"edge {source!r} → {node!r} heads into {k} neuron {node!r}; "
                    f"only hidden and output neurons have incoming edges"
                )
        else:
            spec = data.get(activation)
            try:
                if spec is None or (type(spec) is str and spec in UNSET):  # unset ('' and 'None': igraph's)
                    act = acts[k]
                elif isinstance(spec, str):
                    act = known.get(spec) or known.setdefault(spec, get_activation(spec))
                else:
                    act = get_activation(spec)
            except UnknownActivationError as error:
                raise UnknownActivationError(f"neuron {node!r}: {error}") from None
        nodes.append((node, {"kind": k, "activation": act}))
    adjacency = _adjacency(G)  # in G.edges order: source by source, as indexed.src and dst
    edges = EdgeList(node_index(indexed.nodes), indexed.src, indexed.dst)
    values = weight_values(
        edges, [data.get(weight) for successors in adjacency.values() for data in successors.values()]
    )
    return DigraphParts(nodes, edges, values, indexed)


def node_index(nodes: Sequence[Hashable]) -> NodeIndex:
    """The :class:`NodeIndex` of a node list: ``range(n)`` when the nodes are 0, 1, … n−1 in order."""
    plain = all(type(node) is int for node in nodes) and list(nodes) == list(range(len(nodes)))
    return NodeIndex(range(len(nodes)) if plain else list(nodes))


def network_parts(
    G: Any, kind: str, activation: str, weight: str, defaults: Mapping[str, str | Activation]
) -> tuple[WeightVector, topology.IndexedGraph]:
    """A network's weights and description, read from ``G`` (see :func:`read_digraph`)."""
    with collector_paused():
        parts = read_digraph(G, kind, activation, weight, defaults)
        weights = WeightVector(parts.edges, parts.values)
        edges, positions = weights.shared_edges()
        kinds = tuple(data["kind"] for _, data in parts.nodes)
        acts = tuple(data["activation"] for _, data in parts.nodes)
        indexed = dataclasses.replace(parts.indexed, nodes=parts.edges.nodes, kinds=kinds, activations=acts,  # type: ignore[arg-type]
                                      edges=edges, positions=positions)  # fmt: skip
        return weights, indexed


def plain_digraph(indexed: topology.IndexedGraph, weights: np.ndarray) -> nx.DiGraph:
    """A plain ``nx.DiGraph`` of a network's description: node attributes ``kind`` and ``activation``
    (the name, or the :class:`Activation` if it is not in the table), edge attribute ``weight``."""
    G = nx.DiGraph()
    with collector_paused():
        for node, kind, act in zip(indexed.nodes, indexed.kinds, indexed.activations, strict=True):
            G.add_node(node, kind=kind, **({} if act is None else {"activation": activation_name(act)}))
        nodes = indexed.nodes
        ids = (lambda a: a.tolist()) if isinstance(nodes, NodeIndex) and nodes.plain else (
            lambda a: [nodes[i] for i in a.tolist()])  # fmt: skip
        G.add_weighted_edges_from(zip(ids(indexed.src), ids(indexed.dst), weights.tolist(), strict=True))
    return G
