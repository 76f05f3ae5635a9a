"""Reading a saved network's JSON document field by field: every error names the field's path.

:func:`parse` turns the text into JSON values (refusing ``NaN``, a key given
twice in one object, nesting too deep), :func:`check_envelope` checks the
format and its version, and :func:`from_document` checks every field before
building the network. :mod:`.serialization` reads files with them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Hashable, Mapping
from typing import Any

import networkx as nx
import numpy as np

from .._checks import FLOAT_DTYPES
from ..activations import ACTIVATIONS
from ..exceptions import AutogradGraphError, SerializationError
from ..network import KINDS, Network
from .ids import decode_id

__all__ = ["parse", "check_envelope", "from_document", "FORMAT", "FORMAT_VERSION"]

FORMAT = "autograd_graph.network"
FORMAT_VERSION = 1
_TOP_FIELDS = {"format", "version", "dtype", "network", "metadata"}
_NETWORK_FIELDS = {"directed", "multigraph", "graph", "nodes", "edges"}


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


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise ValueError(f"the key {twice!r} appears twice in one object (JSON would keep the last one silently)")
    return obj


def parse(text: str, source: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        raise SerializationError(
            f"{source}: not valid JSON (truncated or corrupted?): {error.msg} at line {error.lineno}, "
            f"column {error.colno}"
        ) from None
    except (ValueError, RecursionError) as error:
        raise SerializationError(f"{source}: not a valid network file: {error}") from None


def check_envelope(doc: Any, source: str) -> None:
    if not isinstance(doc, dict):
        raise SerializationError(f"{source}: expected a JSON object at the top, got {_describe(doc)}")
    if doc.get("format") != FORMAT:
        raise SerializationError(
            f'{source}: not an autograd_graph network file (its "format" is {doc.get("format")!r}, expected {FORMAT!r})'
        )
    version = doc.get("version")
    if type(version) is not int or version != FORMAT_VERSION:  # not 1.0, not true
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
    check_envelope(doc, source)
    r = _Reader(source)
    r.no_extra(doc, _TOP_FIELDS, "the file")
    dtype_name = r.field(doc, "dtype", "the file", str, "a numpy float type name")
    try:
        dtype = np.dtype(dtype_name)
    except TypeError:
        dtype = None
    if dtype is None or dtype not in FLOAT_DTYPES:  # the types every engine computes in, end to end
        raise r.fail("dtype", f"expected 'float64' or 'float32', got {dtype_name!r}")
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

    frozen: list[tuple] = []  # the edges marked "frozen": true
    ties: dict[int, list[tuple]] = {}  # group number -> its edges
    for i, edge in enumerate(r.field(graph, "edges", "network", list, "an array of edges")):
        where = f"network.edges[{i}]"
        if not isinstance(edge, dict):
            raise r.fail(where, f"expected an object, got {_describe(edge)}")
        r.no_extra(edge, {"source", "target", "weight", "frozen", "tie"}, where)
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
        _read_constraints(r, edge, where, (u, v), frozen, ties)

    try:
        net = Network.from_networkx(G, dtype=dtype, validate=False)  # as saved: complete or not yet
        if ties:
            net.tie(list(ties.values()))
        if frozen:
            net.freeze(frozen)
    except AutogradGraphError as error:
        raise SerializationError(f"{source}: not a valid network: {error}") from error
    return net


def _read_constraints(r: _Reader, edge: dict, where: str, ends: tuple, frozen: list, ties: dict) -> None:
    """An edge's optional ``"frozen": true`` and ``"tie": k`` (a group number ≥ 0), into ``frozen`` and ``ties``."""
    if "frozen" in edge:
        if r.field(edge, "frozen", where, bool, "true or false"):
            frozen.append(ends)
    if "tie" in edge:
        group = r.field(edge, "tie", where, int, "a tied group's number (an integer ≥ 0)")
        if group < 0:
            raise r.fail(f"{where}.tie", f"expected a tied group's number (an integer ≥ 0), got {group}")
        ties.setdefault(group, []).append(ends)
