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
Frozen edges carry ``"frozen": true`` and the edges of the k-th tied group
``"tie": k`` (:mod:`autograd_graph.constraints`); only where set, so a file
without them is one that older versions wrote, and still loads.
Activations are saved by name: a custom activation must be registered with
:func:`~autograd_graph.register_activation` before saving and before loading.

Metadata always saves when it holds what JSON can (mappings with string keys,
lists, strings, numbers, booleans, None; numpy numbers and arrays become
plain ones): a number that is not finite, which JSON has no word for, is
written as the string ``"NaN"``, ``"Infinity"`` or ``"-Infinity"``
(``float()`` reads each back), so the summary of a training run that
overflowed or was interrupted before its first evaluation still saves.

Reading refuses what is not a regular file (a FIFO, a device), files over
``max_bytes`` (:data:`~autograd_graph.io.files.MAX_FILE_BYTES`, 128 MiB, about
2 million weights, unless told otherwise: parsing JSON takes about 15 times a
file's size in memory), an object with a key twice (JSON would keep the last
silently) and a version that is not the integer 1.

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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..activations import activation_name
from ..exceptions import SerializationError
from ..network import Network
from .files import MAX_FILE_BYTES, read_limited, write_atomically
from .ids import check_text, encode_id
from .reading import FORMAT, FORMAT_VERSION, check_envelope, from_document, parse

__all__ = [
    "save",
    "load",
    "load_metadata",
    "to_document",
    "from_document",
    "plain_metadata",
    "FORMAT",
    "FORMAT_VERSION",
]


# ------------------------------------------------------------------ writing
_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}  # JSON has no word for them


def plain_metadata(value: Any, where: str = "metadata") -> Any:
    """``value`` as plain JSON values: numpy numbers and arrays as Python ones, tuples as lists,
    non-finite floats as ``"NaN"``, ``"Infinity"``, ``"-Infinity"``.

    Raises
    ------
    SerializationError
        Naming the entry (``metadata['runs'][0]['when']``) that JSON cannot hold.

    Examples
    --------
    >>> plain_metadata({"best_loss": float("inf"), "losses": np.array([0.5, np.nan]), "run": np.int64(2)})
    {'best_loss': 'Infinity', 'losses': [0.5, 'NaN'], 'run': 2}
    """
    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _NON_FINITE[repr(value)]
    if isinstance(value, str):
        return check_text(value, where)
    if isinstance(value, Mapping):
        plain = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise SerializationError(f"{where} has the key {key!r} (a {type(key).__name__}); keys must be strings")
            plain[check_text(key, f"{where} key {key!r}")] = plain_metadata(item, f"{where}[{key!r}]")
        return plain
    if isinstance(value, (list, tuple)):
        return [plain_metadata(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise SerializationError(
        f"{where} is a {type(value).__name__} ({value!r:.60}); metadata holds what JSON can: mappings with string "
        f"keys, lists, strings, numbers, booleans and None"
    )


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
    metadata = None if metadata is None else plain_metadata(metadata)
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
    _mark_constraints(net, edges)
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "dtype": net.dtype.name,
        "network": {"directed": True, "multigraph": False, "graph": {}, "nodes": nodes, "edges": edges},
        "metadata": metadata,
    }


def _mark_constraints(net: Network, edges: list[dict]) -> None:
    """``"frozen": true`` on frozen edges, ``"tie": k`` on the edges of the k-th tied group (only where set:
    a file without them is what older versions wrote and read)."""
    frozen, ties = net.frozen, net.ties
    if not (frozen or ties):
        return
    position = {edge: p for p, edge in enumerate(net.edges)}
    for edge in frozen:
        edges[position[edge]]["frozen"] = True
    for k, group in enumerate(ties):
        for edge in group:
            edges[position[edge]]["tie"] = k


def _to_text(doc: dict) -> str:
    """JSON with one neuron or edge per line: readable, and small diffs between checkpoints."""

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)

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
        Anything JSON can hold (numpy numbers and arrays are converted; a
        non-finite number is written as ``"NaN"``, ``"Infinity"`` or
        ``"-Infinity"``), for example ``result.metadata()`` of a training run.

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
    try:
        doc = to_document(net, metadata)
        text = _to_text(doc)
    except SerializationError as error:
        raise SerializationError(f"cannot save to {str(path)!r}: {error}") from None
    except (TypeError, ValueError) as error:  # an integer of over 4300 digits in the metadata
        raise SerializationError(f"cannot save to {str(path)!r}: the metadata is not valid JSON: {error}") from error
    return write_atomically(path, text)


# ------------------------------------------------------------------ reading
def _read(path: str | os.PathLike, max_bytes: int | None) -> tuple[dict, str]:
    source = repr(str(path))
    try:
        text = read_limited(path, max_bytes).decode("utf-8")
    except UnicodeDecodeError as error:
        raise SerializationError(f"{source}: not UTF-8 text: {error}") from None
    doc = parse(text, source)
    check_envelope(doc, source)
    return doc, source


def load(path: str | os.PathLike, *, max_bytes: int | None = MAX_FILE_BYTES) -> Network:
    """Load a network saved by :func:`save`.

    Parameters
    ----------
    path : str or path-like
    max_bytes : int or None, default 128 MiB
        The largest file read (:data:`~autograd_graph.io.files.MAX_FILE_BYTES`);
        None reads any size (parsing takes about 15 times the file's size in memory).

    Raises
    ------
    SerializationError
        If the file is truncated or not JSON, of another format or version,
        or invalid in any field (the message names the field), has a key
        twice in one object, is larger than ``max_bytes`` or is not a
        regular file; the cause of a structural error (a cycle, say) is chained.
        An incomplete network (no output yet) loads as it was saved, and fails when evaluated.
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
    doc, source = _read(path, max_bytes)
    return from_document(doc, source)


def load_metadata(path: str | os.PathLike, *, max_bytes: int | None = MAX_FILE_BYTES) -> dict | None:
    """The metadata saved with a network (None if there was none); the whole file is validated
    (``max_bytes`` as for :func:`load`).

    Examples
    --------
    >>> import tempfile
    >>> from autograd_graph.build.running_example import running_example
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save(running_example(), Path(folder) / "net.json", metadata={"loss": np.float64(0.25)})
    ...     load_metadata(path)
    {'loss': 0.25}
    """
    doc, source = _read(path, max_bytes)
    from_document(doc, source)
    return doc["metadata"]
