"""The neuron graph: build it, validate it, read and write its weights.

A :class:`Network` keeps its structure in a :class:`networkx.DiGraph` (node
attributes ``kind`` and ``activation``) and its weights in one flat float64
array, in ``net.edges`` order, which is networkx's ``G.edges`` order of the
structure: grouped by source neuron (in the order neurons were added), then by
target (in the order connected). ``to_networkx`` and ``from_networkx`` keep it.
Passes are delegated to the compiled engine (default) or to the explicit
reference engine.
"""

from __future__ import annotations

import gc
import math
import numbers
import warnings
from collections.abc import Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Literal

import networkx as nx
import numpy as np

from . import engine, reference, render, topology
from .activations import Activation, activation_name, get_activation
from .exceptions import (
    CycleError,
    DuplicateEdgeError,
    DuplicateNeuronError,
    IncompleteNetworkError,
    InvalidDtypeError,
    InvalidEdgeError,
    InvalidSeedError,
    InvalidWeightError,
    NetworkStructureError,
    StaleTraceError,
    UnknownEdgeError,
    UnknownEngineError,
    UnknownNeuronError,
    UnreachableOutputWarning,
)
from .losses import Loss
from .results import Gradients, Trace

__all__ = ["Network", "KINDS"]

KINDS = ("input", "bias", "hidden", "output")
Engine = Literal["compiled", "reference"]


def _generator(seed: Any) -> np.random.Generator:
    """``numpy.random.default_rng(seed)``, with an error that names the argument."""
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError) as error:
        raise InvalidSeedError(
            f"seed must be None, a non-negative int, a SeedSequence or a Generator, got {seed!r} ({error})"
        ) from None


def _floating(dtype: Any) -> np.dtype:
    """``dtype`` as a numpy floating dtype, or a clear error."""
    try:
        result = np.dtype(dtype)
    except TypeError:
        result = None
    if result is None or result.kind != "f":
        raise InvalidDtypeError(f"dtype must be a floating type such as float64 or float32, got {dtype!r}")
    return result


def _finite_weight(value: Any, edge: tuple) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidWeightError(f"weight of edge {edge[0]!r} → {edge[1]!r} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise InvalidWeightError(f"weight of edge {edge[0]!r} → {edge[1]!r} must be finite, got {value}")
    return value


def _weight_values(edges: list[tuple], raw: list) -> np.ndarray:
    """The weights ``raw`` of ``edges`` as floats, NaN where a weight is None.

    Raises :class:`InvalidWeightError` naming the first bad edge, as
    :func:`_finite_weight` would one edge at a time (it does, when a bad value
    is among them).
    """
    types = set(map(type, raw))
    if all(t is type(None) or (issubclass(t, (int, float, np.integer, np.floating)) and t is not bool) for t in types):
        try:
            values = np.array(raw, dtype=float)  # None becomes NaN
        except (OverflowError, TypeError, ValueError):
            values = None
        if values is not None:
            if type(None) in types:
                given = np.fromiter((w is not None for w in raw), dtype=bool, count=len(raw))
                finite = np.isfinite(values[given]).all()
            else:
                finite = np.isfinite(values).all()
            if finite:
                return values
    values = np.empty(len(edges))
    for p, (edge, w) in enumerate(zip(edges, raw, strict=True)):
        values[p] = math.nan if w is None else _finite_weight(w, edge)
    return values


def _adjacency(G: nx.DiGraph) -> Mapping:
    """``G``'s successors as plain dicts when it keeps them so (a DiGraph, not a view of one):
    iterating them is several times faster than through ``G.adj``'s read-only views."""
    adjacency = getattr(G, "_adj", None)
    if type(adjacency) is dict and all(type(successors) is dict for successors in adjacency.values()):
        return adjacency
    return G.adj


def _digraph(nodes: list[tuple[Hashable, dict]], edges: list[tuple], indexed: topology.IndexedGraph) -> nx.DiGraph:
    """``nx.DiGraph`` with these nodes and edges (no edge attributes), built straight into its
    adjacency dicts, one neuron at a time: a fraction of ``add_edges_from``'s time, which
    handles every edge in Python. ``edges`` come grouped by source in node order (as
    ``G.edges`` gives them), ``indexed`` holds the same edges as node indices."""
    H = nx.DiGraph()
    H.add_nodes_from(nodes)
    names = np.fromiter(indexed.nodes, dtype=object, count=len(indexed.nodes))
    data = np.fromiter(({} for _ in edges), dtype=object, count=len(edges))  # one dict per edge, both ways
    for adjacency, by, other in [(H._succ, indexed.src, indexed.dst), (H._pred, indexed.dst, indexed.src)]:
        order = np.argsort(by, kind="stable")  # the edges of each neuron, in G.edges order
        bounds = np.searchsorted(by[order], np.arange(names.size + 1)).tolist()
        keys, values = names[other[order]].tolist(), data[order].tolist()
        for name, lo, hi in zip(indexed.nodes, bounds, bounds[1:], strict=False):
            if lo < hi:
                adjacency[name].update(zip(keys[lo:hi], values[lo:hi], strict=True))
    return H


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector (reference counting still frees everything)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Network:
    """A feed-forward network of neurons: any DAG, layered or not.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None
        Seeds the initializer that draws the weights not given explicitly.
    dtype : numpy dtype, default float64
        The default floating type of passes (``forward(..., dtype=...)``
        overrides it per pass). Weights are stored in float64 either way.

    Notes
    -----
    Weights not given to :meth:`connect` (or missing in ``from_networkx``)
    are drawn when first needed, uniformly in ``±1/√fan_in`` of the neuron the
    edge heads into (as ``torch.nn.Linear``), from the seeded generator, in
    ``net.edges`` order.

    Examples
    --------
    >>> net = Network(seed=0)
    >>> net.add_input("x"); net.add_bias("b")
    >>> net.add_output("y", activation="identity")
    >>> net.connect("x", "y", weight=2.0); net.connect("b", "y", weight=-1.0)
    >>> net.forward([[3.0]]).output
    array([[5.]])
    >>> net
    <Network: 3 neurons (1 input, 1 bias, 0 hidden, 1 output), 2 weights, layered>
    """

    def __init__(self, *, seed: int | np.random.Generator | None = None, dtype: Any = np.float64) -> None:
        self._graph = nx.DiGraph()
        self._edges: list[tuple] = []  # flat position -> edge
        self._position: dict[tuple, int] = {}  # edge -> flat position
        self._buffer = np.empty(16)  # weights in its first n_weights slots; NaN = not drawn yet
        self._rng = _generator(seed)
        self.dtype = dtype
        self._identity = object()  # tells this network's traces from another network's
        self._ordered = True  # whether _edges is in canonical (networkx G.edges) order
        self._structure_version = 0
        self._weights_version = 0
        self._plan: engine.Plan | None = None
        self._indexed_graph: topology.IndexedGraph | None = None  # cached until the structure changes
        self._undrawn = False  # whether some weight may still be NaN (not drawn yet)

    @property
    def dtype(self) -> np.dtype:
        """The default floating type of passes (float64 unless set otherwise)."""
        return self._dtype

    @dtype.setter
    def dtype(self, value: Any) -> None:
        self._dtype = _floating(value)

    # ------------------------------------------------------------------ neurons
    def _add(self, neuron: Hashable, kind: str, activation: str | Activation | None) -> None:
        if neuron is None:
            raise NetworkStructureError("a neuron id cannot be None")
        try:
            hash(neuron)
        except TypeError:
            raise NetworkStructureError(f"neuron ids must be hashable, got {neuron!r}") from None
        if neuron in self._graph:
            raise DuplicateNeuronError(
                f"neuron {neuron!r} already exists (a {self._graph.nodes[neuron]['kind']} neuron)"
            )
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
        doomed = set(self._graph.in_edges(neuron)) | set(self._graph.out_edges(neuron))
        self._drop_edges(doomed)
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
        return self._graph.nodes[neuron]["kind"]

    def activation(self, neuron: Hashable) -> Activation | None:
        """The activation of ``neuron`` (None for input and bias neurons)."""
        self._require_neuron(neuron)
        return self._graph.nodes[neuron]["activation"]

    def _require_neuron(self, neuron: Hashable) -> None:
        try:
            present = neuron in self._graph
        except TypeError:
            present = False
        if not present:
            raise UnknownNeuronError(f"no neuron {neuron!r} in the network")

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
        edge = (source, target)
        self._check_new_edge(edge)
        value = math.nan if weight is None else _finite_weight(weight, edge)
        self._undrawn |= weight is None
        if nx.has_path(self._graph, target, source):
            path = nx.shortest_path(self._graph, target, source)
            cycle = " → ".join(map(repr, [source, *path]))
            raise CycleError(
                f"edge {source!r} → {target!r} would close the cycle {cycle}",
                list(zip([source, *path], path, strict=False)),
            )
        if len(self._edges) == self._buffer.size:  # grow (by doubling; the buffer may be empty after removals)
            self._buffer = np.concatenate([self._buffer, np.empty(max(self._buffer.size, 16))])
        self._buffer[len(self._edges)] = value
        self._graph.add_edge(source, target)
        self._position[edge] = len(self._edges)
        self._edges.append(edge)
        self._ordered = False
        self._structure_changed()

    def _check_new_edge(self, edge: tuple) -> None:
        source, target = edge
        for neuron in edge:
            self._require_neuron(neuron)
        if target in {source}:  # the same node by networkx's (dict) notion of equality
            raise InvalidEdgeError(f"edge {source!r} → {target!r} is a self-loop; the network must be feed-forward")
        kind = self._graph.nodes[target]["kind"]
        if kind in ("input", "bias"):
            raise InvalidEdgeError(
                f"edge {source!r} → {target!r} heads into {kind} neuron {target!r}; "
                f"only hidden and output neurons have incoming edges"
            )
        if self._graph.has_edge(source, target):
            raise DuplicateEdgeError(
                f"edge {source!r} → {target!r} already exists; use set_weight to change its weight"
            )

    def disconnect(self, source: Hashable, target: Hashable) -> None:
        """Remove the edge ``source → target`` and its weight."""
        edge = (source, target)
        if edge not in self._position:
            raise UnknownEdgeError(f"no edge {source!r} → {target!r} in the network")
        self._drop_edges({edge})
        self._graph.remove_edge(source, target)
        self._structure_changed()

    def _drop_edges(self, doomed: set) -> None:
        if not doomed:
            return
        keep = [p for p, e in enumerate(self._edges) if e not in doomed]
        self._w = self._w[keep]
        self._edges = [self._edges[p] for p in keep]
        self._position = {e: p for p, e in enumerate(self._edges)}

    # ------------------------------------------------------------------ weights
    @property
    def _w(self) -> np.ndarray:
        # the flat weights, in net.edges order (a view of the growable buffer)
        return self._buffer[: len(self._edges)]

    @_w.setter
    def _w(self, values: np.ndarray) -> None:
        self._buffer = np.array(values, dtype=float)
        self._undrawn = bool(np.isnan(self._buffer).any())

    def _normalize(self) -> None:
        """Put the flat weights in canonical order: networkx's ``G.edges`` order
        (grouped by source neuron in neuron order, then by target in the order
        connected), so that ``to_networkx``/``from_networkx`` keep it exactly."""
        if self._ordered:
            return
        order = list(self._graph.edges)
        permutation = np.fromiter((self._position[e] for e in order), dtype=np.int64, count=len(order))
        self._buffer = self._w[permutation]
        self._edges = order
        self._position = {e: p for p, e in enumerate(order)}
        self._ordered = True
        self._indexed_graph = None  # its edge arrays follow the old order

    def _materialize(self) -> None:
        """Draw the weights that were never given (NaN), uniform in ±1/√fan_in."""
        self._normalize()
        if not self._undrawn:  # no pass over the weights on every forward
            return
        self._undrawn = False
        pending = np.flatnonzero(np.isnan(self._w))
        if pending.size == 0:
            return
        fan_in = np.array([self._graph.in_degree(self._edges[p][1]) for p in pending], dtype=float)
        self._w[pending] = self._rng.uniform(-1.0, 1.0, pending.size) / np.sqrt(fan_in)
        self._weights_version += 1

    def initialize(self, seed: int | np.random.Generator | None = None, *, scale: float = 1.0) -> None:
        """Redraw every weight uniformly in ``±scale/√fan_in``.

        Parameters
        ----------
        seed : int, Generator or None
            A new seed; None keeps drawing from the network's own generator.
        scale : float, default 1.0
        """
        if seed is not None:
            self._rng = _generator(seed)
        self._w[:] = np.nan
        self._undrawn = True
        self._materialize()
        if scale != 1.0:
            self._w *= scale

    @property
    def edges(self) -> list[tuple]:
        """The edges ``(i, j)`` in flat-weight order.

        That is networkx's ``G.edges`` order: grouped by source neuron, in the
        order the neurons were added, then by target in the order connected.
        """
        self._normalize()
        return list(self._edges)

    @property
    def weights(self) -> np.ndarray:
        """All weights as a read-only flat array, in :attr:`edges` order.

        Use :meth:`set_weights` to change them; ``get_weights`` gives a copy.
        """
        self._materialize()
        view = self._w.view()
        view.flags.writeable = False
        return view

    def get_weights(self) -> np.ndarray:
        """A copy of all weights, flat, in :attr:`edges` order."""
        self._materialize()
        return self._w.copy()

    def set_weights(self, values: Iterable[float] | Mapping[tuple, float]) -> None:
        """Set all weights from a flat array in :attr:`edges` order, or some from a mapping.

        Raises
        ------
        InvalidWeightError
            Wrong length or a non-finite value (the message names the edge).
        UnknownEdgeError
            A mapping key that is no edge. Nothing is changed on error.
        """
        self._materialize()  # first: it may reorder the positions read below
        if isinstance(values, Mapping):
            updates = {}
            for edge, value in values.items():
                if edge not in self._position:
                    raise UnknownEdgeError(f"no edge {edge!r} in the network")
                updates[self._position[edge]] = _finite_weight(value, edge)
            self._w[list(updates)] = list(updates.values())
        else:
            array = np.asarray(values, dtype=float)
            if array.shape != self._w.shape:
                raise InvalidWeightError(
                    f"expected {self._w.size} weights (one per edge, in net.edges order), got shape {array.shape}"
                )
            bad: np.ndarray | list[int] = [] if np.isfinite(array).all() else np.flatnonzero(~np.isfinite(array))
            if len(bad):
                u, v = self._edges[bad[0]]
                raise InvalidWeightError(f"weight of edge {u!r} → {v!r} must be finite, got {array[bad[0]]}")
            self._w[:] = array
        self._weights_version += 1

    def get_weight(self, source: Hashable, target: Hashable) -> float:
        """``w_{source,target}``."""
        edge = (source, target)
        if edge not in self._position:
            raise UnknownEdgeError(f"no edge {source!r} → {target!r} in the network")
        self._materialize()
        return float(self._w[self._position[edge]])

    def set_weight(self, source: Hashable, target: Hashable, weight: float) -> None:
        """Set ``w_{source,target}`` to a finite number."""
        self.set_weights({(source, target): weight})

    # ---------------------------------------------------------------- structure
    @property
    def graph(self) -> nx.DiGraph:
        """A read-only view of the structure (node attributes ``kind``, ``activation``)."""
        return self._graph.copy(as_view=True)

    @property
    def neurons(self) -> list[Hashable]:
        """All neurons, in the order they were added."""
        return list(self._graph)

    def _of_kind(self, kind: str) -> list[Hashable]:
        return [n for n, k in self._graph.nodes(data="kind") if k == kind]

    @property
    def inputs(self) -> list[Hashable]:
        """Input neurons, in the order of the columns of ``X``."""
        return self._of_kind("input")

    @property
    def outputs(self) -> list[Hashable]:
        """Output neurons, in the order of the columns of ``trace.output`` and ``Y``."""
        return self._of_kind("output")

    @property
    def biases(self) -> list[Hashable]:
        """Bias neurons."""
        return self._of_kind("bias")

    @property
    def hidden(self) -> list[Hashable]:
        """Hidden neurons."""
        return self._of_kind("hidden")

    @property
    def n_neurons(self) -> int:
        """Number of neurons."""
        return self._graph.number_of_nodes()

    @property
    def n_weights(self) -> int:
        """Number of weights (edges), bias weights included."""
        return len(self._edges)

    def __len__(self) -> int:
        return self.n_neurons

    def __contains__(self, neuron: object) -> bool:
        try:
            return neuron in self._graph
        except TypeError:
            return False

    def generations(self) -> list[list[Hashable]]:
        """Topological generations (the scheduler's stages); see :func:`topology.generations`."""
        return topology.generations(self._graph, self._indexed())

    def depth(self) -> int:
        """Edges on the longest path (number of generations − 1)."""
        return topology.depth(self._graph)

    def is_layered(self) -> bool:
        """Whether the network splits into layers with every edge going to the next one."""
        return topology.is_layered(self._graph)

    def layers(self) -> list[list[Hashable]]:
        """The layers, from layer 1 (the inputs); raises :class:`NotLayeredError` naming an edge that breaks them."""
        return topology.layers(self._graph)

    def validate(self) -> None:
        """Check that the network can be evaluated.

        Raises
        ------
        IncompleteNetworkError
            No input, no output, or a hidden or output neuron with no incoming edge.

        Warns
        -----
        UnreachableOutputWarning
            For an output that no input reaches: it computes a constant, which
            is legal (and may be intended) but usually a wiring mistake.
        """
        if not self.inputs:
            raise IncompleteNetworkError("the network has no input neuron; add one with add_input")
        if not self.outputs:
            raise IncompleteNetworkError("the network has no output neuron; add one with add_output")
        indexed = self._indexed()
        topology.check_acyclic(self._graph, indexed)
        kinds = [kind for _, kind in self._graph.nodes(data="kind")]
        targets = np.array([kind in ("hidden", "output") for kind in kinds], dtype=bool)
        unfed = np.flatnonzero(targets & (np.bincount(indexed.dst, minlength=len(kinds)) == 0))
        if unfed.size:
            neuron = indexed.nodes[unfed[0]]
            raise IncompleteNetworkError(
                f"{kinds[unfed[0]]} neuron {neuron!r} has no incoming edge; connect a neuron into it or remove it"
            )
        reached = topology.reachable(indexed, np.array([kind == "input" for kind in kinds], dtype=bool))
        unreached = [
            n
            for n, kind, hit in zip(indexed.nodes, kinds, reached.tolist(), strict=True)
            if kind == "output" and not hit
        ]
        if unreached:
            warnings.warn(
                f"no input neuron reaches the output neurons {unreached!r}: they compute constants",
                UnreachableOutputWarning,
                stacklevel=2,
            )

    def _indexed(self) -> topology.IndexedGraph:
        """The structure as integer arrays, edges in ``net.edges`` order (cached)."""
        if self._indexed_graph is None:
            self._indexed_graph = topology.index_graph(self._graph, self._edges)
        return self._indexed_graph

    def _structure_changed(self) -> None:
        self._structure_version += 1
        self._plan = None
        self._indexed_graph = None

    def compile(self) -> engine.Plan:
        """The compiled schedule, built once and cached until the structure changes."""
        if self._plan is None:
            self._materialize()  # first: it may reorder the edges
            self.validate()
            self._plan = engine.compile_plan(self)
        return self._plan

    # ------------------------------------------------------------------- passes
    @property
    def _versions(self) -> tuple[object, int, int]:
        return (self._identity, self._structure_version, self._weights_version)

    def forward(self, X: Any, *, engine: Engine = "compiled", dtype: Any = None) -> Trace:
        """Compute every neuron's ``a`` and ``z`` for a batch.

        Parameters
        ----------
        X : array_like or mapping
            ``(batch, n_inputs)`` in :attr:`inputs` order, a 1-D array for one
            example, or ``{input neuron: values}``.
        engine : {"compiled", "reference"}
            The compiled schedule (default) or the explicit per-neuron loop.
        dtype : numpy dtype, optional
            float64 unless the network's ``dtype`` says otherwise.

        Returns
        -------
        Trace
        """
        dtype = self.dtype if dtype is None else _floating(dtype)
        self._materialize()
        if engine == "compiled":
            return self.compile().forward(self._w, X, dtype, self._versions)
        if engine == "reference":
            topology.check_acyclic(self._graph)
            self.validate()
            return reference.forward(self, X, dtype)
        raise UnknownEngineError(f"unknown engine {engine!r}; expected 'compiled' or 'reference'")

    def backward(self, trace: Trace, Y: Any, *, loss: str | Loss = "squared_error") -> Gradients:
        """Gradients of the batch-mean loss ``L`` with respect to every ``a``, ``z`` and weight.

        Parameters
        ----------
        trace : Trace
            From :meth:`forward` on this network, with unchanged weights.
        Y : array_like or mapping
            Targets, ``(batch, n_outputs)`` in :attr:`outputs` order (as ``X``).
        loss : str or Loss, default "squared_error"
            ``ℓ = Σ_k (y_k − z_k)²`` by default; see :mod:`autograd_graph.losses`.

        Raises
        ------
        StaleTraceError
            If the network changed since ``trace`` was computed, or another
            network computed it.
        """
        if trace.versions[0] is not self._identity:
            raise StaleTraceError("this trace was computed by another network; call forward on this one")
        if trace.versions != self._versions:
            raise StaleTraceError(
                "the network changed (structure or weights) after this trace was computed; call forward again"
            )
        if trace.engine == "reference":
            return reference.backward(self, trace, Y, loss)
        return trace.plan.backward(self._w, trace, Y, loss)

    # ------------------------------------------------------------- conversions
    @classmethod
    def from_networkx(
        cls,
        G: nx.DiGraph,
        *,
        kind: str = "kind",
        activation: str = "activation",
        weight: str = "weight",
        hidden_activation: str | Activation = "logistic",
        output_activation: str | Activation = "identity",
        seed: int | np.random.Generator | None = None,
        dtype: Any = np.float64,
    ) -> Network:
        """Build a network from any ``nx.DiGraph``, in time linear in its size.

        Parameters
        ----------
        G : networkx.DiGraph
            Node attribute ``kind`` (input, bias, hidden, output; hidden when
            missing; when no node has one, sources become inputs and sinks
            outputs), node attribute ``activation`` (a name or an
            :class:`Activation`), edge attribute ``weight``.
        kind, activation, weight : str
            The attribute names to read.
        hidden_activation, output_activation :
            Activations of neurons that have none.
        seed :
            Seeds the initializer for missing weights.

        Raises
        ------
        NetworkStructureError
            (or a subclass) naming the neuron or edge at fault.

        Examples
        --------
        >>> G = nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C")])
        >>> net = Network.from_networkx(G, seed=0)
        >>> net.inputs, net.outputs, net.n_weights
        (['A'], ['C'], 3)
        """
        if not isinstance(G, nx.DiGraph) or G.is_multigraph():
            raise NetworkStructureError(f"expected a networkx DiGraph, got {type(G).__name__}")
        with _collector_paused():  # millions of small dicts would wake CPython's cycle collector over and over
            indexed = topology.index_graph(G)  # nodes and edges in G's order: the network's order too
            topology.check_acyclic(G, indexed)
            kinds = dict(G.nodes(data=kind))
            if all(k is None for k in kinds.values()):
                kinds = {
                    n: "input" if G.in_degree(n) == 0 else "output" if G.out_degree(n) == 0 else "hidden" for n in G
                }
            net = cls(seed=seed, dtype=dtype)
            defaults = {"hidden": get_activation(hidden_activation), "output": get_activation(output_activation)}
            nodes = []
            known: dict[str, Activation] = {}  # activation names looked up so far
            for node, data in G.nodes(data=True):
                k = kinds[node] if kinds[node] is not None else "hidden"
                if k not in KINDS:
                    raise NetworkStructureError(f"neuron {node!r} has kind {k!r}; expected one of {', '.join(KINDS)}")
                if k in ("input", "bias"):
                    act = None
                    if G.in_degree(node):
                        source = next(iter(G.predecessors(node)))
                        raise InvalidEdgeError(
                            f"edge {source!r} → {node!r} heads into {k} neuron {node!r}; "
                            f"only hidden and output neurons have incoming edges"
                        )
                else:
                    spec = data.get(activation)
                    if spec is None:
                        act = defaults[k]
                    elif isinstance(spec, str):
                        act = known.get(spec) or known.setdefault(spec, get_activation(spec))
                    else:
                        act = get_activation(spec)
                nodes.append((node, {"kind": k, "activation": act}))
            adjacency = _adjacency(G)  # in G.edges order: source by source
            net._edges = [(u, v) for u, successors in adjacency.items() for v in successors]
            values = _weight_values(
                net._edges, [data.get(weight) for successors in adjacency.values() for data in successors.values()]
            )
            net._graph = _digraph(nodes, net._edges, indexed)
            net._position = dict(zip(net._edges, range(len(net._edges)), strict=True))
            net._w = values
            net._indexed_graph = indexed
            net.validate()
        return net

    def to_networkx(self) -> nx.DiGraph:
        """A plain ``nx.DiGraph``: node attributes ``kind`` and ``activation``
        (the name, or the :class:`Activation` if it is not in the table), edge
        attribute ``weight``. ``Network.from_networkx`` of it gives this
        network back exactly."""
        self._materialize()
        G = nx.DiGraph()
        for node, data in self._graph.nodes(data=True):
            act = data["activation"]
            G.add_node(node, kind=data["kind"], **({} if act is None else {"activation": activation_name(act)}))
        G.add_weighted_edges_from((u, v, float(w)) for (u, v), w in zip(self._edges, self._w, strict=True))
        return G

    def to_graphviz(self, trace: Trace | None = None, grads: Gradients | None = None, **options: Any) -> Any:
        """A picture of the network as a ``graphviz.Digraph`` (shows in Jupyter).

        With ``trace`` (and ``grads``) the neurons show ``a``, ``z`` (and
        ``∂L/∂a``), the edges ``∂L/∂w``. See :func:`autograd_graph.render.to_graphviz`
        for ``options``; :func:`autograd_graph.render.render` writes it to a file.
        """
        return render.to_graphviz(self, trace, grads, **options)

    def copy(self) -> Network:
        """An independent copy (structure, weights, and the generator's state)."""
        new = Network.__new__(Network)
        new.__dict__.update(self.__dict__)
        new._graph = self._graph.copy()
        new._edges = list(self._edges)
        new._position = dict(self._position)
        new._buffer = self._w.copy()
        new._rng = np.random.default_rng()
        new._identity = object()
        new._rng.bit_generator.state = self._rng.bit_generator.state
        return new

    def __repr__(self) -> str:
        counts = ", ".join(f"{len(self._of_kind(k))} {k}" for k in KINDS)
        try:
            shape = "layered" if self.is_layered() else "not layered"
        except NetworkStructureError:
            shape = "cyclic"
        return f"<Network: {self.n_neurons} neurons ({counts}), {self.n_weights} weights, {shape}>"
