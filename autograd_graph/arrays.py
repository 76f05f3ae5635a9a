"""Networks from edge arrays: :meth:`Network.from_arrays <autograd_graph.Network.from_arrays>`.

The network is read straight into its description (an
:class:`~autograd_graph.topology.IndexedGraph` of integer arrays), with numpy
over all edges at once: no ``nx.DiGraph``, no tuple or dict per edge. Its
structure graph is built only if something asks for it (``net.graph``, a
change of structure, ``net.layers()``); passes and training never do. At
10^7 edges this is the difference between about 4 GB and a few hundred MB
(see ``benchmarks/README.md``).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np

from . import topology
from ._checks import floating_dtype, printable_id
from .activations import Activation, get_activation
from .edgeviews import EdgeList, EdgePositions, NodeIndex
from .exceptions import (
    DuplicateEdgeError,
    DuplicateNeuronError,
    InvalidDtypeError,
    InvalidEdgeError,
    InvalidWeightError,
    NetworkStructureError,
    ShapeError,
    UnknownActivationError,
    UnknownNeuronError,
)
from .structure import KINDS
from .weights import WeightVector

__all__ = ["from_arrays"]

_CODES = {kind: code for code, kind in enumerate(KINDS)}  # input 0, bias 1, hidden 2, output 3


def from_arrays(
    cls: type,
    sources: Any,
    targets: Any,
    weights: Any = None,
    *,
    kinds: Sequence[str] | Mapping[Hashable, str] | None = None,
    activations: Sequence[Any] | Mapping[Hashable, Any] | None = None,
    neurons: Sequence[Hashable] | None = None,
    hidden_activation: str | Activation = "logistic",
    output_activation: str | Activation = "identity",
    seed: int | np.random.Generator | None = None,
    dtype: Any = np.float64,
) -> Any:
    """Build a network from arrays of edges, in time and memory linear in their number.

    Parameters
    ----------
    sources, targets : array_like, shape (n_edges,)
        Edge ``e`` goes from ``sources[e]`` to ``targets[e]``. Integer arrays
        are neuron indices: positions in ``neurons``, or the ids ``0 … n−1``
        themselves when ``neurons`` is not given (``n`` is then ``len(kinds)``,
        else the largest index + 1). Any other values are neuron ids, looked
        up in ``neurons`` (by default: the ids in order of first appearance).
    weights : array_like of float, shape (n_edges,), optional
        ``w_{i,j}`` of each edge; NaN where a weight is to be drawn (as all
        are when omitted), uniformly in ``±1/√fan_in`` from ``seed``.
    kinds : sequence or mapping, optional
        Each neuron's kind (``input``, ``bias``, ``hidden``, ``output``), in
        node order, or ``{neuron: kind}`` (hidden when missing). By default,
        as ``from_networkx`` for a graph without kinds: neurons without
        incoming edges are inputs, those without outgoing edges outputs.
    activations : sequence or mapping, optional
        Each hidden or output neuron's activation (name or
        :class:`Activation`; None: ``hidden_activation`` or
        ``output_activation``), in node order or by neuron.
    neurons : sequence, optional
        The neuron ids, in node order: the order of ``net.neurons``.
    hidden_activation, output_activation, seed, dtype
        As for :meth:`~autograd_graph.Network.from_networkx`.

    Returns
    -------
    Network
        Its ``net.edges`` are grouped by source in node order, the given
        order within a source: what ``from_networkx`` gives for a graph with
        these neurons, then these edges, added in this order.

    Raises
    ------
    ShapeError
        Arrays of the wrong shape or length.
    InvalidEdgeError, DuplicateEdgeError, CycleError, UnknownNeuronError
        An index out of range, a self-loop, an edge into an input or bias
        neuron, an edge given twice, a cycle, an unknown id (named).
    NetworkStructureError, DuplicateNeuronError, UnknownActivationError, InvalidWeightError
        A bad kind, neuron id, activation or weight (named).
    IncompleteNetworkError
        As :meth:`~autograd_graph.Network.validate`.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> net = ag.Network.from_arrays([0, 0, 1], [1, 2, 2], [0.5, -1.0, 2.0])
    >>> net.inputs, net.hidden, net.outputs, net.edges
    ([0], [1], [2], [(0, 1), (0, 2), (1, 2)])
    >>> net.forward([[2.0]]).output.round(6)      # −1·2 + 2·σ(0.5·2)
    array([[-0.537883]])
    >>> named = ag.Network.from_arrays(["x", "b", "h"], ["h", "h", "y"], kinds={"x": "input", "b": "bias",
    ...                                "y": "output"}, seed=0)
    >>> named.neurons, named.biases, sorted(named.graph.edges)
    (['x', 'h', 'b', 'y'], ['b'], [('b', 'h'), ('h', 'y'), ('x', 'h')])
    """
    dtype = floating_dtype(dtype, InvalidDtypeError)
    src, dst, nodes = _indices(sources, targets, neurons, kinds)
    n = len(nodes)
    codes = _kinds(kinds, nodes, src, dst)
    names = tuple(map(KINDS.__getitem__, codes.tolist()))  # the four strings of KINDS, shared
    acts = _activations(activations, nodes, names, {"hidden": hidden_activation, "output": output_activation})
    values = _weights(weights, src.size, nodes, src, dst)
    _check_edges(nodes, codes, src, dst)
    if src.size and np.any(src[1:] < src[:-1]):  # grouped by source, in node order: G.edges order
        order = np.argsort(src * src.size + np.arange(src.size))  # stable, by a sort of unique keys (faster)
        src, dst, values = src[order], dst[order], values[order]
    for array in (src, dst):
        array.flags.writeable = False
    edges = EdgeList(nodes, src, dst)
    indexed = topology.IndexedGraph(nodes, src, dst, topology.generation_array(n, src, dst), names, acts,  # type: ignore[arg-type]
                                    edges, EdgePositions(edges))  # fmt: skip
    if indexed.generation is None:  # name a cycle (the graph is built for it only then)
        G = nx.DiGraph()
        G.add_nodes_from(nodes)
        G.add_edges_from(edges)
        topology.check_acyclic(G, indexed)
    net = cls(seed=seed, dtype=dtype)
    net._reset(None, WeightVector(edges, values), arrays=indexed)
    net.validate()
    return net


def _indices(sources: Any, targets: Any, neurons: Any, kinds: Any) -> tuple[np.ndarray, np.ndarray, NodeIndex]:
    """Edge arrays as node indices (int64), and the nodes."""
    src, dst = np.asarray(sources), np.asarray(targets)
    if src.ndim != 1 or dst.shape != src.shape:
        raise ShapeError(f"sources and targets must be 1-D arrays of one length, got shapes {src.shape} and "
                         f"{dst.shape}")  # fmt: skip
    nodes = None if neurons is None else _nodes(neurons)
    integer = src.dtype.kind in "iu" and dst.dtype.kind in "iu" or src.size == 0
    if not integer:  # neuron ids
        if nodes is None:
            first: dict[Hashable, int] = {}
            for node in (v for pair in zip(src.tolist(), dst.tolist(), strict=True) for v in pair):
                first.setdefault(node, len(first))
            nodes = _nodes(list(first))
        lookup = nodes.index
        try:
            return (np.fromiter(map(lookup, src.tolist()), np.int64, src.size),
                    np.fromiter(map(lookup, dst.tolist()), np.int64, dst.size), nodes)  # fmt: skip
        except KeyError as error:
            raise UnknownNeuronError(f"edge endpoint {error.args[0]!r} is not among the neurons given") from None
    src, dst = src.astype(np.int64, copy=False), dst.astype(np.int64, copy=False)
    if nodes is None:
        if kinds is not None and not isinstance(kinds, Mapping):
            n = len(kinds)  # one kind per neuron: the number of neurons
        else:
            n = max(int(src.max(initial=-1)), int(dst.max(initial=-1))) + 1
        nodes = NodeIndex(range(n))
    for name, array in (("source", src), ("target", dst)):
        bad = np.flatnonzero((array < 0) | (array >= len(nodes)))
        if bad.size:
            e = int(bad[0])
            raise InvalidEdgeError(f"edge {e}: {name} index {int(array[e])} is not a neuron (0 … {len(nodes) - 1})")
    return src, dst, nodes


def _nodes(neurons: Sequence[Hashable]) -> NodeIndex:
    nodes = list(neurons)
    if any(node is None for node in nodes):
        raise NetworkStructureError("a neuron id cannot be None")
    try:
        unique = len(set(nodes)) == len(nodes)
    except TypeError:
        raise NetworkStructureError("neuron ids must be hashable") from None
    if not unique:
        seen: set = set()
        twice = next(node for node in nodes if node in seen or seen.add(node))  # type: ignore[func-returns-value]
        raise DuplicateNeuronError(f"neuron {twice!r} is given twice in neurons")
    plain = all(type(node) is int for node in nodes) and nodes == list(range(len(nodes)))
    if not plain:
        for node in nodes:
            printable_id(node, NetworkStructureError)  # messages, files and pictures name it
    return NodeIndex(range(len(nodes)) if plain else nodes)


def _per_neuron(values: Any, nodes: NodeIndex, what: str, missing: Any) -> list:
    """A per-neuron sequence or ``{neuron: value}`` mapping as a list in node order."""
    if isinstance(values, Mapping):
        unknown = [k for k in values if k not in nodes]
        if unknown:
            raise UnknownNeuronError(f"{what}: {unknown[0]!r} is not a neuron")
        return [values.get(node, missing) for node in nodes]
    values = list(values)
    if len(values) != len(nodes):
        raise ShapeError(f"{what} has {len(values)} entries for {len(nodes)} neurons; give one per neuron")
    return values


def _kinds(kinds: Any, nodes: NodeIndex, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Each neuron's kind as a code, the position of its name in ``KINDS``."""
    n = len(nodes)
    if kinds is None:
        fed, feeds = np.bincount(dst, minlength=n) > 0, np.bincount(src, minlength=n) > 0
        return np.where(~fed, 0, np.where(~feeds, 3, 2))
    strings = None if isinstance(kinds, Mapping) else np.asarray(kinds)
    if strings is not None and strings.dtype.kind == "U" and strings.shape == (n,):  # compared in bulk
        names: Any = strings
        codes = np.full(n, -1)
        for kind, code in _CODES.items():
            codes[strings == kind] = code
    else:
        names = _per_neuron(kinds, nodes, "kinds", "hidden")
        codes = np.fromiter((_CODES.get(k, -1) if isinstance(k, str) else -1 for k in names), np.int64, n)
    if (codes < 0).any():
        i = int(np.flatnonzero(codes < 0)[0])
        bad = names[i].item() if isinstance(names[i], np.generic) else names[i]
        raise NetworkStructureError(f"neuron {nodes[i]!r} has kind {bad!r}; expected one of {', '.join(KINDS)}")
    return codes


def _activations(acts: Any, nodes: NodeIndex, kinds: tuple[str, ...], defaults: Mapping[str, Any]) -> tuple:
    default = {k: get_activation(a) for k, a in defaults.items()}
    if acts is None:
        return tuple(map(default.get, kinds))
    given = _per_neuron(acts, nodes, "activations", None)
    known: dict[str, Activation] = {}  # names looked up so far
    result: list[Activation | None] = []
    for node, kind, spec in zip(nodes, kinds, given, strict=True):
        if kind in ("input", "bias"):
            result.append(None)  # as from_networkx: inputs and biases apply no function
        elif spec is None:
            result.append(default[kind])
        elif isinstance(spec, str) and spec in known:
            result.append(known[spec])
        else:
            try:
                act = get_activation(spec)
            except UnknownActivationError as error:
                raise UnknownActivationError(f"neuron {node!r}: {error}") from None
            if isinstance(spec, str):
                known[spec] = act
            result.append(act)
    return tuple(result)


def _weights(weights: Any, n_edges: int, nodes: NodeIndex, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    if weights is None:
        return np.full(n_edges, np.nan)
    try:
        values = np.array(weights, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidWeightError(f"weights must be real numbers (NaN: to be drawn): {error}") from None
    if values.shape != (n_edges,):
        raise ShapeError(f"weights has shape {values.shape}; expected ({n_edges},), one per edge")
    bad = np.flatnonzero(np.isinf(values))
    if bad.size:
        e = int(bad[0])
        raise InvalidWeightError(f"weight of edge {nodes[src[e]]!r} → {nodes[dst[e]]!r} must be finite (or NaN, "
                                 f"to be drawn), got {values[e]}")  # fmt: skip
    return values


def _check_edges(nodes: NodeIndex, codes: np.ndarray, src: np.ndarray, dst: np.ndarray) -> None:
    """Self-loops, edges into inputs or biases, and edges given twice, each named."""
    loops = np.flatnonzero(src == dst)
    if loops.size:
        u = nodes[src[loops[0]]]
        raise InvalidEdgeError(f"edge {u!r} → {u!r} is a self-loop; the network must be feed-forward")
    into = np.flatnonzero(codes[dst] < 2)
    if into.size:
        u, v = nodes[src[into[0]]], nodes[dst[into[0]]]
        raise InvalidEdgeError(f"edge {u!r} → {v!r} heads into {KINDS[codes[dst[into[0]]]]} neuron {v!r}; "
                               f"only hidden and output neurons have incoming edges")  # fmt: skip
    key = np.sort(src * len(nodes) + dst)
    twice = np.flatnonzero(key[1:] == key[:-1])
    if twice.size:
        u, v = divmod(int(key[twice[0]]), len(nodes))
        raise DuplicateEdgeError(f"edge {nodes[u]!r} → {nodes[v]!r} is given twice")
