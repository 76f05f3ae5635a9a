"""A network's structure: its neurons, their kinds and activations, its edges, validated.

:class:`NetworkStructure` is the part of :class:`~autograd_graph.Network` that
builds and reads the graph: the structure sits in a :class:`networkx.DiGraph`
(node attributes ``kind`` and ``activation``), the edges' weights in a
:class:`~autograd_graph.weights.WeightVector` in ``net.edges`` order, which is
networkx's ``G.edges`` order (grouped by source neuron in the order neurons
were added, then by target in the order connected). A change of structure
gives a new structure token, and drops the description
(:meth:`NetworkStructure.indexed`) and the engines built from it.

A network read from arrays (``Network.from_arrays``, ``from_networkx``)
starts from its description alone, an
:class:`~autograd_graph.topology.IndexedGraph`: its ``nx.DiGraph`` (about
400 bytes an edge, 14 times the compiled plan) is built from it the first
time something needs it (``net.graph``, a change of structure, layers), by
:func:`structure_digraph`, and kept from then on. Passes, training and the
reads below (neurons, kinds, inputs, outputs, generations) never need it.

The one-time work a read may do (putting edges added by ``connect`` in
canonical order) runs under the network's lock, so readers in several threads
never see it half done.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable

import networkx as nx
import numpy as np

from . import topology
from ._checks import printable_id, safe_repr
from .activations import Activation, get_activation
from .constraints import EdgeConstraints
from .edgeviews import EdgeList, NodeIndex
from .exceptions import (
    CycleError,
    DuplicateEdgeError,
    DuplicateNeuronError,
    InvalidEdgeError,
    NetworkStructureError,  # fmt: skip
    NotLayeredError,
    UnknownEdgeError,
    UnknownNeuronError,
)
from .prediction import Predicting
from .rewiring import Change, change_by_ids, check_change, plan_change, update_graph
from .weights import WeightVector, finite_weight, new_token

__all__ = ["NetworkStructure", "KINDS", "structure_digraph"]

KINDS = ("input", "bias", "hidden", "output")


class NetworkStructure(EdgeConstraints, Predicting):
    """Neurons and edges of a feed-forward network (the base of :class:`~autograd_graph.Network`;
    frozen and tied edges in :mod:`.constraints`, ``predict`` in :mod:`.prediction`)."""

    _indexed_graph: topology.IndexedGraph | None  # the description of the current structure, once built

    def __init__(self) -> None:
        self._reset(nx.DiGraph(), WeightVector())

    def _reset(self, graph: nx.DiGraph | None, weights: WeightVector, ordered: bool = True,
               arrays: topology.IndexedGraph | None = None) -> None:  # fmt: skip
        """Start from ``graph`` (or from its description ``arrays``, the graph built when first needed)
        and ``weights``, as a network of its own (new identity, lock and caches)."""
        self._nx, self._weights = graph, weights
        self._identity = object()  # tells this network's traces from another network's
        self._lock = threading.RLock()  # guards the one-time work of reads
        self._ordered = ordered  # whether the weights are in canonical (networkx G.edges) order
        self._structure = new_token()
        self._indexed_graph: topology.IndexedGraph | None = arrays  # None with a graph: built when first asked
        self._built: dict = {}  # what is built from this structure (the engines), dropped with it

    @property
    def _graph(self) -> nx.DiGraph:
        """The structure graph, built from the description the first time it is needed (see the module notes)."""
        if self._nx is None:
            with self._lock:
                if self._nx is None:
                    assert self._indexed_graph is not None  # a network without a graph has its description
                    self._nx = structure_digraph(self._indexed_graph)
        return self._nx

    def _arrays(self) -> topology.IndexedGraph | None:
        """The description, when the network has no graph yet (reads then use it instead)."""
        return self._indexed_graph if self._nx is None else None

    # ------------------------------------------------------------------ neurons
    def _add(self, neuron: Hashable, kind: str, activation: str | Activation | None) -> None:
        if neuron is None:
            raise NetworkStructureError("a neuron id cannot be None")
        try:
            hash(neuron)
        except TypeError:
            raise NetworkStructureError(f"neuron ids must be hashable, got {neuron!r}") from None
        printable_id(neuron, NetworkStructureError)  # messages, files and pictures name it
        if neuron in self._graph:
            raise DuplicateNeuronError(f"neuron {neuron!r} already exists (a {self.kind(neuron)} neuron)")
        act = None if activation is None else get_activation(activation)
        self._graph.add_node(neuron, kind=kind, activation=act)
        self._structure_changed()

    def add_input(self, neuron: Hashable) -> None:
        """Add an input neuron: ``z = x``, no function, no incoming edges."""
        self._add(neuron, "input", None)

    def add_bias(self, neuron: Hashable) -> None:
        """Add a bias neuron: it always outputs 1 and has no incoming edges."""
        self._add(neuron, "bias", None)

    def add_neuron(self, neuron: Hashable, activation: str | Activation = "logistic") -> None:
        """Add a hidden neuron computing ``z = σ(a)`` with the given activation."""
        self._add(neuron, "hidden", activation)

    def add_output(self, neuron: Hashable, activation: str | Activation = "identity") -> None:
        """Add an output neuron: its ``z`` is part of the network's output."""
        self._add(neuron, "output", activation)

    def remove_neuron(self, neuron: Hashable) -> None:
        """Remove a neuron and every edge into or out of it."""
        self._require_neuron(neuron)
        with self._lock:
            removed = set(self._graph.in_edges(neuron)) | set(self._graph.out_edges(neuron))
            self._weights.drop(removed)
            self._drop_constraints(removed)
            self._graph.remove_node(neuron)
            self._structure_changed()

    def set_activation(self, neuron: Hashable, activation: str | Activation) -> None:
        """Change the activation of a hidden or output neuron."""
        kind = self.kind(neuron)
        if kind in ("input", "bias"):
            raise NetworkStructureError(f"neuron {neuron!r} is a {kind} neuron and applies no function")
        self._graph.nodes[neuron]["activation"] = get_activation(activation)
        self._structure_changed()

    def kind(self, neuron: Hashable) -> str:
        """The kind of ``neuron``: ``input``, ``bias``, ``hidden`` or ``output``."""
        self._require_neuron(neuron)
        if (ix := self._arrays()) is not None:
            return ix.kinds[ix.nodes.index(neuron)]  # type: ignore[return-value]
        return self._graph.nodes[neuron]["kind"]

    def activation(self, neuron: Hashable) -> Activation | None:
        """The activation of ``neuron`` (None for input and bias neurons)."""
        self._require_neuron(neuron)
        if (ix := self._arrays()) is not None:
            return ix.activations[ix.nodes.index(neuron)]
        return self._graph.nodes[neuron]["activation"]

    def _require_neuron(self, neuron: Hashable) -> None:
        if neuron not in self:
            raise UnknownNeuronError(f"no neuron {safe_repr(neuron)} in the network")

    # -------------------------------------------------------------------- edges
    def connect(self, source: Hashable, target: Hashable, weight: float | None = None) -> None:
        """Add the edge ``source → target`` with weight ``w_{source,target}``.

        Parameters
        ----------
        source, target : hashable
            Existing neurons; ``target`` must be hidden or output.
        weight : float, optional
            A finite number; drawn by the seeded initializer when omitted.

        Raises
        ------
        UnknownNeuronError, InvalidEdgeError, DuplicateEdgeError, CycleError, InvalidWeightError
            The network is left unchanged.
        """
        for neuron in (source, target):
            self._require_neuron(neuron)
        if target in {source}:  # the same node by networkx's (dict) notion of equality
            raise InvalidEdgeError(f"edge {source!r} → {target!r} is a self-loop; the network must be feed-forward")
        if (kind := self.kind(target)) in ("input", "bias"):
            raise InvalidEdgeError(f"edge {source!r} → {target!r} heads into {kind} neuron {target!r}; "
                                   f"only hidden and output neurons have incoming edges")  # fmt: skip
        if self._graph.has_edge(source, target):
            raise DuplicateEdgeError(f"edge {source!r} → {target!r} already exists; use set_weight to change it")
        value = None if weight is None else finite_weight(weight, (source, target))
        G = self._graph  # a path target → … → source needs an edge out of target and one into source
        if G.succ[target] and G.pred[source] and nx.has_path(G, target, source):
            path = [source, *nx.shortest_path(self._graph, target, source)]
            raise CycleError(f"edge {source!r} → {target!r} would close the cycle {' → '.join(map(repr, path))}",
                             list(zip(path, path[1:], strict=False)))  # fmt: skip
        with self._lock:
            self._weights.append((source, target), value)
            self._graph.add_edge(source, target)
            self._ordered = False
            self._structure_changed()

    def disconnect(self, source: Hashable, target: Hashable) -> None:
        """Remove the edge ``source → target`` and its weight."""
        if not (source in self and target in self and self._graph.has_edge(source, target)):
            raise UnknownEdgeError(f"no edge {safe_repr(source)} → {safe_repr(target)} in the network")
        with self._lock:
            self._weights.drop({(source, target)})
            self._drop_constraints({(source, target)})
            self._graph.remove_edge(source, target)
            self._structure_changed()

    def rewire(self, remove: Iterable[tuple] = (), add: Iterable[tuple] = ()) -> np.ndarray:
        """Remove some edges and add others in one change of structure (one recompile, not one per edge).

        Parameters
        ----------
        remove : iterable of (i, j)
            Existing edges.
        add : iterable of (i, j) or (i, j, w)
            New edges, with their weight ``w`` (drawn by the seeded initializer when omitted or None).

        Returns
        -------
        ndarray of int64
            For every position of the new weight vector (``net.edges`` order), the position its
            edge had before, or −1 for an added edge: what carries per-weight state (an
            optimizer's moments) across the change.

        Raises
        ------
        UnknownEdgeError, UnknownNeuronError, InvalidEdgeError, DuplicateEdgeError, CycleError, InvalidWeightError
            Naming the edge at fault (an edge both removed and added is a ``DuplicateEdgeError``:
            set its weight instead). Everything is checked first: the network is left unchanged.

        Examples
        --------
        >>> import autograd_graph as ag
        >>> net = ag.running_example(seed=0)
        >>> source = net.rewire(remove=[(4, 7), (1, 4)], add=[(3, 7, 0.25), (1, 7)])
        >>> net.n_weights, net.get_weight(3, 7), source.tolist().count(-1)
        (12, 0.25, 2)
        >>> net.rewire(add=[(9, 3)])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        autograd_graph.exceptions.CycleError: rewire would close the cycle ...
        """
        with self._lock:
            indexed = self.indexed()
            return self.apply_change(change_by_ids(indexed, remove, add))

    def apply_change(self, change: Change) -> np.ndarray:
        """:meth:`rewire` by indices: positions of the edges removed, node indices of those added.

        The form the sparse-training callbacks use (``change`` a :class:`~autograd_graph.rewiring.Change`
        on ``net.indexed()``): checked with numpy, applied in ``O(k)`` Python for ``k`` edges. Returns
        and raises as :meth:`rewire`; the network is left unchanged on error.
        """
        with self._lock:
            indexed = self.indexed()
            check_change(indexed, change)
            if not change.remove.size and not change.src.size:
                return np.arange(indexed.src.size, dtype=np.int64)
            plan = plan_change(indexed, change)
            w, nodes = self._weights, indexed.nodes
            # the new edge list as index arrays: no tuple per edge (plan_change keeps them grouped by source)
            new_edges: list[tuple] | EdgeList
            if not plan.src.size or bool(np.all(plan.src[1:] >= plan.src[:-1])):
                new_edges = EdgeList(w.edges.nodes if isinstance(w.edges, EdgeList) else NodeIndex(nodes),
                                     plan.src, plan.dst)  # fmt: skip
            else:  # (not grouped by source in node order: a plain list, as EdgePositions needs them grouped)
                new_edges = [(nodes[i], nodes[j]) for i, j in zip(plan.src.tolist(), plan.dst.tolist(), strict=True)]
            values = np.concatenate([w.values[plan.kept], change.values])[plan.order]
            constrained = bool(self.frozen or self.ties)
            from_arrays = isinstance(nodes, NodeIndex) and not (self._nx is not None and self._nx.graph)
            if from_arrays and not constrained:  # its graph, if built, holds nothing the arrays do not: it goes
                self._nx = None  # (and is built again from them when next needed)
            else:  # the graph follows (k edges), and so do the frozen or tied edges
                node = np.fromiter(nodes, dtype=object, count=len(nodes))
                removed = list(zip(node[indexed.src[change.remove]].tolist(),
                                   node[indexed.dst[change.remove]].tolist(), strict=True))  # fmt: skip
                added = list(zip(node[change.src].tolist(), node[change.dst].tolist(), strict=True))
                update_graph(self._graph, removed, added)
                self._drop_constraints(removed)
            w.rewire(new_edges, values)
            self._ordered = True  # plan_change put the edges in networkx's G.edges order
            self._structure_changed(build_graph=False)  # a network read from arrays stays so
            shared, positions = w.shared_edges()
            self._indexed_graph = topology.IndexedGraph(nodes, plan.src, plan.dst, plan.generation, indexed.kinds,
                                                        indexed.activations, shared, positions)  # fmt: skip
            return plan.source.copy()

    # ---------------------------------------------------------------- structure
    @property
    def graph(self) -> nx.DiGraph:
        """A read-only view of the structure (node attributes ``kind``, ``activation``)."""
        return self._graph.copy(as_view=True)

    @property
    def neurons(self) -> list[Hashable]:
        """All neurons, in the order they were added."""
        ix = self._arrays()
        return list(self._graph if ix is None else ix.nodes)

    def _of_kind(self, kind: str) -> list[Hashable]:
        if (ix := self._arrays()) is not None:
            return [ix.nodes[i] for i in ix.of_kind(kind).tolist()]
        return [n for n, k in self._graph.nodes(data="kind") if k == kind]

    inputs = property(lambda self: self._of_kind("input"), doc="Input neurons, in the order of the columns of X.")
    outputs = property(lambda self: self._of_kind("output"), doc="Output neurons: the columns of output and Y.")
    biases = property(lambda self: self._of_kind("bias"), doc="Bias neurons.")
    hidden = property(lambda self: self._of_kind("hidden"), doc="Hidden neurons.")
    n_neurons = property(lambda self: len(self.indexed().nodes) if self._nx is None else self._nx.number_of_nodes(),
                         doc="Number of neurons.")  # fmt: skip
    n_weights = property(lambda self: len(self._weights), doc="Number of weights (edges), bias weights included.")

    def __len__(self) -> int:
        return self.n_neurons

    def __contains__(self, neuron: object) -> bool:
        if (ix := self._arrays()) is not None:
            return neuron in ix.nodes
        try:
            return neuron in self._graph
        except TypeError:
            return False

    def _graph_if_cyclic(self, indexed: topology.IndexedGraph) -> nx.DiGraph:
        """The graph when a cycle must be named (an acyclic network's checks never read it)."""
        return self._graph if indexed.generation is None or self._nx is not None else nx.DiGraph()

    def generations(self) -> list[list[Hashable]]:
        """Topological generations (the scheduler's stages); see :func:`topology.generations`."""
        indexed = self.indexed()
        return topology.generations(self._graph_if_cyclic(indexed), indexed)

    def depth(self) -> int:
        """Edges on the longest path (number of generations − 1)."""
        return max(len(self.generations()) - 1, 0)

    def is_layered(self) -> bool:
        """Whether the network splits into layers with every edge going to the next one."""
        return not isinstance(self._layer_numbers(), NotLayeredError)

    def layers(self) -> list[list[Hashable]]:
        """The layers, from layer 1 (the inputs); raises :class:`NotLayeredError` naming an edge that breaks them."""
        numbers = self._layer_numbers()
        if isinstance(numbers, NotLayeredError):
            raise NotLayeredError(str(numbers), numbers.edge)
        return topology.grouped_layers(numbers)

    def _layer_numbers(self) -> dict[Hashable, int] | NotLayeredError:
        """:func:`topology.layer_numbers` of this structure (or why it has none), worked out once: a sparse
        training's first update asks three times, each a search over every edge in Python."""
        if "layers" not in self._built:
            try:
                self._built["layers"] = topology.layer_numbers(self._graph)
            except NotLayeredError as error:
                self._built["layers"] = error
        return self._built["layers"]

    def validate(self) -> None:
        """Check that the network can be evaluated; see :func:`topology.check_evaluable` (errors and warning)."""
        indexed = self.indexed()
        topology.check_acyclic(self._graph_if_cyclic(indexed), indexed)
        topology.check_evaluable(indexed)
        self._built["validated"] = True  # passes of this structure need not check it again

    def _canonical(self) -> WeightVector:
        """The weights in canonical order: networkx's ``G.edges`` order, so ``to_networkx``/``from_networkx``
        keep it exactly (``connect`` appends; this sorts once, under the lock, when next read)."""
        with self._lock:
            w = self._weights
            if not self._ordered:
                order = list(self._graph.edges)
                w.reorder(order, np.fromiter(map(w.positions.__getitem__, order), np.int64, len(order)))
                self._ordered, self._indexed_graph = True, None  # its edge arrays follow the old order
            return w

    def indexed(self) -> topology.IndexedGraph:
        """The network's description for engines: integer arrays, kinds, activations (cached per structure)."""
        with self._lock:
            w = self._canonical()
            if self._indexed_graph is None:
                edges, positions = w.shared_edges()
                self._indexed_graph = topology.index_graph(self._graph, edges, positions)
            return self._indexed_graph

    def __repr__(self) -> str:
        counts = ", ".join(f"{len(self._of_kind(k))} {k}" for k in KINDS)
        try:
            shape = "layered" if self.is_layered() else "not layered"
        except NetworkStructureError:
            shape = "cyclic"
        return f"<Network: {self.n_neurons} neurons ({counts}), {self.n_weights} weights, {shape}>"

    def _structure_changed(self, build_graph: bool = True) -> None:
        if build_graph:  # a network read from arrays builds its graph before a change made on the graph
            self._graph  # noqa: B018
        self._structure = new_token()
        self._indexed_graph = None
        self._built = {}  # what is built from this structure (the engines), dropped with it


def structure_digraph(indexed: topology.IndexedGraph) -> nx.DiGraph:
    """A network's structure graph from its description: the nodes with ``kind`` and ``activation``,
    the edges (no edge attributes) in flat order, which is grouped by source in node order.

    Built straight into the adjacency dicts, one neuron at a time: a fraction
    of ``add_edges_from``'s time, which handles every edge in Python.
    """
    H = nx.DiGraph()
    H.add_nodes_from(
        (node, {"kind": kind, "activation": act})
        for node, kind, act in zip(indexed.nodes, indexed.kinds, indexed.activations, strict=True)
    )
    names = np.fromiter(indexed.nodes, dtype=object, count=len(indexed.nodes))
    n_edges = indexed.src.size
    data = np.fromiter(({} for _ in range(n_edges)), dtype=object, count=n_edges)  # one dict per edge, both ways
    for adjacency, by, other in [(H._succ, indexed.src, indexed.dst), (H._pred, indexed.dst, indexed.src)]:
        order = np.argsort(by, kind="stable")  # the edges of each neuron, in flat order
        bounds = np.searchsorted(by[order], np.arange(names.size + 1)).tolist()
        keys, values = names[other[order]].tolist(), data[order].tolist()
        for name, lo, hi in zip(indexed.nodes, bounds, bounds[1:], strict=False):
            if lo < hi:
                adjacency[name].update(zip(keys[lo:hi], values[lo:hi], strict=True))
    return H
