"""Saving and loading networks as JSON: never pickle, always validated.

A saved network is one JSON object::

    {
      "format": "autograd_graph.network",
      "version": 1,
      "dtype": "float64",
      "network": {"directed": true, "multigraph": false, "graph": {},
                  "nodes": [{"id": 1, "kind": "input"}, {"id": 3, "kind": "hidden", "activation": "logistic"}, ...],
                  "edges": [{"source": 1, "target": 3, "weight": 0.5}, ...]},
      "metadata": {...} or null
    }

``"network"`` is networkx's node-link layout (``nx.node_link_data(G, edges="edges")``
reads the same way: ``nx.node_link_graph(doc["network"], edges="edges")``), with
nodes in ``net.neurons`` order and edges in ``net.edges`` order, so the flat
weight vector comes back in the same order. Weights are written with
``repr(float)``, which round-trips exactly. Neuron ids may be strings, integers,
finite floats, booleans, or tuples of these (written ``{"tuple": [...]}``;
numpy scalars are saved as the numbers they hold), the same ids as GraphML
takes (:mod:`autograd_graph.io.ids`).
Activations are saved by name: a custom activation must be registered with
:func:`~autograd_graph.register_activation` before saving and before loading.

Writing is atomic: the file is written to a temporary file in the same
directory and renamed over the target (``os.replace``, by
:func:`~autograd_graph.io.files.write_atomically`), so a crash leaves
either the old file or the new one, never half of one.

Examples
--------
>>> import os, tempfile
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> path = os.path.join(tempfile.mkdtemp(), "net.json")
>>> _ = save(net, path, metadata={"note": "untrained"})
>>> back = load(path)
>>> bool((back.weights == net.weights).all()), back.edges == net.edges
(True, True)
>>> load_metadata(path)
{'note': 'untrained'}
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from ..activations import ACTIVATIONS, activation_name
from ..exceptions import AutogradGraphError, SerializationError
from ..network import KINDS, Network
from .files import write_atomically
from .ids import decode_id, encode_id

__all__ = ["save", "load", "load_metadata", "to_document", "from_document", "FORMAT", "FORMAT_VERSION"]

FORMAT = "autograd_graph.network"
FORMAT_VERSION = 1
_TOP_FIELDS = {"format", "version", "dtype", "network", "metadata"}
_NETWORK_FIELDS = {"directed", "multigraph", "graph", "nodes", "edges"}


# ------------------------------------------------------------------ writing
def _json_default(value: Any) -> Any:
    # numpy numbers and arrays in metadata become plain JSON
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} {value!r} is not JSON serializable")


def to_document(net: Network, metadata: Mapping[str, Any] | None = None) -> dict:
    """The JSON-ready dict that :func:`save` writes.

    Raises
    ------
    SerializationError
        A neuron id that JSON cannot hold, an activation that is not
        registered by name, or ``metadata`` that is not a mapping.
    """
    if metadata is not None and not isinstance(metadata, Mapping):
        raise SerializationError(f"metadata must be a mapping (a dict) or None, got {type(metadata).__name__}")
    ids = {neuron: encode_id(neuron) for neuron in net.neurons}
    nodes = []
    for neuron in net.neurons:
        node = {"id": ids[neuron], "kind": net.kind(neuron)}
        act = net.activation(neuron)
        if act is not None:
            name = activation_name(act)
            if not isinstance(name, str):
                raise SerializationError(
                    f"neuron {neuron!r} uses the activation {act.name!r}, which is not registered; an unregistered "
                    f"function cannot be saved by name: register it with ag.register_activation({act.name!r}, ...) "
                    f"before saving (and before loading)"
                )
            node["activation"] = name
        nodes.append(node)
    edges = [
        {"source": ids[u], "target": ids[v], "weight": w}
        for (u, v), w in zip(net.edges, net.get_weights().tolist(), strict=True)
    ]
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "dtype": net.dtype.name,
        "network": {"directed": True, "multigraph": False, "graph": {}, "nodes": nodes, "edges": edges},
        "metadata": None if metadata is None else dict(metadata),
    }


def _to_text(doc: dict) -> str:
    """JSON with one neuron or edge per line: readable, and small diffs between checkpoints."""

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, default=_json_default)

    def rows(items: list) -> str:
        return "[\n" + ",\n".join(f"   {dump(item)}" for item in items) + "\n  ]" if items else "[]"

    graph = doc["network"]
    network = (
        f'{{"directed": true, "multigraph": false, "graph": {dump(graph["graph"])},\n'
        f'  "nodes": {rows(graph["nodes"])},\n  "edges": {rows(graph["edges"])}}}'
    )
    fields = [f"{dump(key)}: {network if key == 'network' else dump(value)}" for key, value in doc.items()]
    return "{\n " + ",\n ".join(fields) + "\n}\n"


def save(net: Network, path: str | os.PathLike, metadata: Mapping[str, Any] | None = None) -> Path:
    """Save ``net`` (structure, activations, weights) and optional ``metadata`` as JSON, atomically.

    Parameters
    ----------
    net : Network
    path : str or path-like
        The file to write (missing folders are created).
    metadata : mapping, optional
        Anything JSON can hold (numpy numbers and arrays are converted), for
        example ``result.metadata()`` of a training run.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    SerializationError
        If the network or the metadata cannot be written as JSON; the file at
        ``path`` is then left as it was.

    Examples
    --------
    >>> import tempfile
    >>> from autograd_graph.build.running_example import running_example
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save(running_example(seed=0), Path(folder) / "net.json", metadata={"epochs": 0})
    ...     print(path.name, path.read_text().splitlines()[1])
    net.json  "format": "autograd_graph.network",
    """
    path = Path(path)
    doc = to_document(net, metadata)
    try:
        text = _to_text(doc)
    except (TypeError, ValueError) as error:
        raise SerializationError(f"cannot save to {str(path)!r}: the metadata is not valid JSON: {error}") from error
    return write_atomically(path, text)


# ------------------------------------------------------------------ reading
class _Reader:
    """Checks one document field by field; every error names the field's path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> SerializationError:
        return SerializationError(f"{self.source}: {where}: {message}")

    def field(self, obj: Any, key: str, where: str, types: type | tuple, what: str) -> Any:
        if key not in obj:
            raise self.fail(where, f"missing field {key!r}")
        value = obj[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in _as_tuple(types)):
            raise self.fail(f"{where}.{key}", f"expected {what}, got {_describe(value)}")
        return value

    def no_extra(self, obj: Mapping, allowed: set, where: str) -> None:
        extra = sorted(set(obj) - allowed)
        if extra:
            raise self.fail(where, f"unexpected fields {extra}; expected only {sorted(allowed)}")

    def neuron_id(self, value: Any, where: str) -> Hashable:
        if type(value) in (str, int, bool):  # what json.loads gives, checked fast
            return value
        try:
            return decode_id(value, where)
        except SerializationError as error:
            raise SerializationError(f"{self.source}: {error}") from None


def _as_tuple(types: type | tuple) -> tuple:
    return types if isinstance(types, tuple) else (types,)


def _describe(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    kind = names.get(type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)
    if isinstance(value, (str, int, float)):
        text = json.dumps(value)
        return f"{kind} ({text[:60]}{'…' if len(text) > 60 else ''})"
    return kind


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON (weights and ids must be finite numbers)")


def _parse(text: str, source: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise SerializationError(
            f"{source}: not valid JSON (truncated or corrupted?): {error.msg} at line {error.lineno}, "
            f"column {error.colno}"
        ) from None
    except (ValueError, RecursionError) as error:
        raise SerializationError(f"{source}: not a valid network file: {error}") from None


def _check_envelope(doc: Any, source: str) -> None:
    if not isinstance(doc, dict):
        raise SerializationError(f"{source}: expected a JSON object at the top, got {_describe(doc)}")
    if doc.get("format") != FORMAT:
        raise SerializationError(
            f'{source}: not an autograd_graph network file (its "format" is {doc.get("format")!r}, expected {FORMAT!r})'
        )
    version = doc.get("version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise SerializationError(
            f"{source}: unsupported format version {version!r}; this version of autograd_graph reads "
            f"version {FORMAT_VERSION}"
        )


def from_document(doc: Any, source: str = "document") -> Network:
    """Build a network from a document, validating everything first.

    Parameters
    ----------
    doc : dict
        As :func:`to_document` makes it (and :func:`load` reads it).
    source : str
        Where the document came from, for messages.

    Raises
    ------
    SerializationError
        Naming the field at fault (a missing or extra field, a wrong type, an
        unknown kind or activation, an unknown or duplicate neuron, a
        duplicate edge, a non-finite weight) or the structural problem (a
        cycle, an edge into an input); the cause is chained.
    """
    _check_envelope(doc, source)
    r = _Reader(source)
    r.no_extra(doc, _TOP_FIELDS, "the file")
    dtype_name = r.field(doc, "dtype", "the file", str, "a numpy float type name")
    try:
        dtype = np.dtype(dtype_name)
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind != "f":
        raise r.fail("dtype", f"expected a floating type such as 'float64', got {dtype_name!r}")
    metadata = r.field(doc, "metadata", "the file", (dict, type(None)), "an object or null")
    del metadata  # read by load_metadata; checked here so a bad file is rejected whole
    graph = r.field(doc, "network", "the file", dict, "an object in networkx node-link layout")
    r.no_extra(graph, _NETWORK_FIELDS, "network")
    if r.field(graph, "directed", "network", bool, "true") is not True:
        raise r.fail("network.directed", "a network is a directed graph: expected true")
    if r.field(graph, "multigraph", "network", bool, "false") is not False:
        raise r.fail("network.multigraph", "a network has at most one edge per pair: expected false")
    r.field(graph, "graph", "network", dict, "an object")

    G = nx.DiGraph()
    for i, node in enumerate(r.field(graph, "nodes", "network", list, "an array of neurons")):
        where = f"network.nodes[{i}]"
        if not isinstance(node, dict):
            raise r.fail(where, f"expected an object, got {_describe(node)}")
        r.no_extra(node, {"id", "kind", "activation"}, where)
        if "id" not in node:
            raise r.fail(where, "missing field 'id'")
        neuron = r.neuron_id(node["id"], f"{where}.id")
        if neuron in G:
            raise r.fail(f"{where}.id", f"neuron {neuron!r} appears twice")
        kind = r.field(node, "kind", where, str, f"one of {', '.join(KINDS)}")
        if kind not in KINDS:
            raise r.fail(f"{where}.kind", f"expected one of {', '.join(KINDS)}, got {kind!r}")
        attrs = {"kind": kind}
        if kind in ("input", "bias"):
            if node.get("activation") is not None:
                message = f"{kind} neuron {neuron!r} applies no function: expected no activation"
                raise r.fail(f"{where}.activation", message)
        else:
            name = r.field(node, "activation", where, str, "the name of an activation")
            if name not in ACTIVATIONS:
                known = ", ".join(sorted(ACTIVATIONS))
                raise r.fail(
                    f"{where}.activation",
                    f"unknown activation {name!r} of neuron {neuron!r}; known: {known} (register a custom "
                    f"one with ag.register_activation before loading)",
                )
            attrs["activation"] = name
        G.add_node(neuron, **attrs)

    for i, edge in enumerate(r.field(graph, "edges", "network", list, "an array of edges")):
        where = f"network.edges[{i}]"
        if not isinstance(edge, dict):
            raise r.fail(where, f"expected an object, got {_describe(edge)}")
        r.no_extra(edge, {"source", "target", "weight"}, where)
        ends = []
        for end in ("source", "target"):
            if end not in edge:
                raise r.fail(where, f"missing field {end!r}")
            neuron = r.neuron_id(edge[end], f"{where}.{end}")
            if neuron not in G:
                raise r.fail(f"{where}.{end}", f"no neuron {neuron!r} among the nodes")
            ends.append(neuron)
        u, v = ends
        if G.has_edge(u, v):
            raise r.fail(where, f"edge {u!r} → {v!r} appears twice")
        weight = r.field(edge, "weight", where, (int, float), "a finite number")
        try:
            weight = float(weight)
        except OverflowError:
            weight = math.inf
        if not math.isfinite(weight):
            raise r.fail(f"{where}.weight", f"the weight of edge {u!r} → {v!r} must be finite, got {weight}")
        G.add_edge(u, v, weight=weight)

    try:
        net = Network.from_networkx(G, dtype=dtype)
    except AutogradGraphError as error:
        raise SerializationError(f"{source}: not a valid network: {error}") from error
    return net


def _read(path: str | os.PathLike) -> tuple[dict, str]:
    source = repr(str(path))
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SerializationError(f"{source}: not UTF-8 text: {error}") from None
    doc = _parse(text, source)
    _check_envelope(doc, source)
    return doc, source


def load(path: str | os.PathLike) -> Network:
    """Load a network saved by :func:`save`.

    Raises
    ------
    SerializationError
        If the file is truncated or not JSON, of another format or version,
        or invalid in any field (the message names the field); the cause of
        a structural error (a cycle, say) is chained.
    FileNotFoundError
        If there is no such file.

    Examples
    --------
    >>> import tempfile
    >>> from autograd_graph.build.running_example import running_example
    >>> net = running_example(seed=0)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     again = load(save(net, Path(folder) / "net.json"))
    >>> again.edges == net.edges, again.get_weights().tolist() == net.get_weights().tolist()
    (True, True)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     broken = Path(folder) / "broken.json"
    ...     _ = broken.write_text('{"format": "autograd_graph.network", "version": 1, "dtype": "float64"')
    ...     load(broken)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.SerializationError: '...broken.json': not valid JSON (truncated or corrupted?): ...
    """
    doc, source = _read(path)
    return from_document(doc, source)


def load_metadata(path: str | os.PathLike) -> dict | None:
    """The metadata saved with a network (None if there was none); the whole file is validated.

    Examples
    --------
    >>> import tempfile
    >>> from autograd_graph.build.running_example import running_example
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save(running_example(), Path(folder) / "net.json", metadata={"loss": np.float64(0.25)})
    ...     load_metadata(path)
    {'loss': 0.25}
    """
    doc, source = _read(path)
    from_document(doc, source)
    return doc["metadata"]
