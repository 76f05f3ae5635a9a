"""GraphML files (Gephi, yEd): :func:`write_graphml` and :func:`read_graphml`.

GraphML keeps node attributes ``kind`` and ``activation`` (by name) and the
edge attribute ``weight``, neurons and edges in the network's order, so
:func:`read_graphml` gives back the same network, weight order included.
GraphML node ids are strings: a neuron ``n`` is the node ``str(n)``, and an id
that is no string is also kept, as JSON, in the attribute ``python_id`` and
restored on reading. The ids accepted are those :func:`~autograd_graph.save`
accepts (:mod:`autograd_graph.io.ids`): strings, integers, finite floats,
booleans and tuples of them; numpy scalars are kept as the numbers they hold.
A string id with characters XML cannot hold (control characters such as
``"\\x00"``, ``"\\ufffe"``) is written escaped (``\\x00``), with the id itself
in ``python_id``, so it reads back exactly.

Reading refuses (:class:`~autograd_graph.SerializationError`, naming the
file) what is not GraphML networkx can read, files over ``max_bytes`` and
what is not a regular file, as :func:`~autograd_graph.load` does; XML
entities are not fetched (no external entity reaches the network or the disk).

Examples
--------
>>> import os, tempfile
>>> from autograd_graph.build.running_example import running_example
>>> net = running_example(seed=0)
>>> with tempfile.TemporaryDirectory() as folder:
...     path = os.path.join(folder, "net.graphml")
...     _ = write_graphml(net, path)
...     again = read_graphml(path)
>>> again.edges == net.edges, bool((again.weights == net.weights).all())
(True, True)
"""

from __future__ import annotations

import io
import json
import os
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Hashable
from pathlib import Path

import networkx as nx
import numpy as np

from .._checks import safe_repr
from ..activations import Activation
from ..exceptions import DuplicateEdgeError, MissingWeightsWarning, NetworkStructureError, SerializationError
from ..network import Network
from .files import MAX_FILE_BYTES, read_limited, write_atomically
from .ids import encode_id, id_from_text, id_to_text

__all__ = ["write_graphml", "read_graphml"]

# characters XML 1.0 cannot hold, even escaped (&#0; is not allowed either)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escaped(text: str) -> str:
    """``text`` with the characters XML cannot hold written as ``\\xNN`` / ``\\uNNNN`` (as ``repr`` does)."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 256 else f"\\u{ord(m[0]):04x}", text)


def write_graphml(net: Network, path: str | os.PathLike) -> Path:
    """Write ``net`` to a GraphML file, whole or not at all.

    Parameters
    ----------
    net : Network
    path : str or path-like
        Written through a temporary file in the same folder, then renamed
        (:func:`~autograd_graph.io.files.write_atomically`).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    SerializationError
        Naming a neuron whose id cannot be written (as :func:`~autograd_graph.save`).
    NetworkStructureError
        If two neuron ids have the same string form (``1`` and ``"1"``).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from autograd_graph.build.builders import from_edge_list
    >>> net = from_edge_list([((0, "in"), "out", 0.5)])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_graphml(net, Path(folder) / "net.graphml")
    ...     print(path.name, read_graphml(path).neurons)
    net.graphml [(0, 'in'), 'out']
    """
    G = nx.DiGraph()
    names: dict[str, Hashable] = {}  # node id in the file -> neuron
    name_of: dict[Hashable, str] = {}
    for node, data in net.graph.nodes(data=True):
        python_id = id_to_text(node)  # checks the id first: SerializationError naming it
        name = str(node)
        if _NOT_XML.search(name):  # kept exactly in python_id (JSON, ASCII), the node id escaped
            name, python_id = _escaped(name), json.dumps(encode_id(node))
        if name in names:
            raise NetworkStructureError(
                f"neurons {names[name]!r} and {node!r} would both be {name!r} in GraphML; rename one"
            )
        names[name], name_of[node] = node, name
        attributes = {"kind": data["kind"], "label": name}
        if data["activation"] is not None:
            attributes["activation"] = data["activation"].name
            if _NOT_XML.search(attributes["activation"]):
                raise SerializationError(
                    f"neuron {safe_repr(node)} cannot be written to GraphML: the name of its activation, "
                    f"{attributes['activation']!r}, has characters XML cannot hold"
                )
        if python_id is not None:
            attributes["python_id"] = python_id
        G.add_node(name, **attributes)
    edges = zip(net.edges, net.weights.tolist(), strict=True)
    G.add_weighted_edges_from((name_of[u], name_of[v], w) for (u, v), w in edges)
    return write_atomically(path, "\n".join(nx.generate_graphml(G)) + "\n")


def read_graphml(
    path: str | os.PathLike,
    *,
    kind: str = "kind",
    activation: str = "activation",
    weight: str = "weight",
    hidden_activation: str | Activation = "logistic",
    output_activation: str | Activation = "identity",
    seed: int | np.random.Generator | None = None,
    max_bytes: int | None = MAX_FILE_BYTES,
) -> Network:
    """Read a network from a GraphML file (ours, or any directed one from Gephi or yEd).

    The attributes are read as :meth:`Network.from_networkx` reads them:
    ``kind=``, ``activation=`` and ``weight=`` name them (a file from another
    tool may keep the weights under ``Weight`` or ``w``); nodes without a kind
    follow ``from_networkx``'s rules; missing weights are drawn from ``seed``,
    with a :class:`~autograd_graph.MissingWeightsWarning` when no edge has the
    weight attribute at all (it lists the attributes the edges have).

    Parameters
    ----------
    path : str or path-like
    kind, activation, weight : str
        The names of the node and edge attributes to read.
    hidden_activation, output_activation : str or Activation
        For nodes without an activation.
    seed : int or Generator, optional
        Draws the weights the file does not give.
    max_bytes : int or None, default 128 MiB
        The largest file read (None: any size), as for :func:`~autograd_graph.load`.

    Raises
    ------
    NetworkStructureError
        If the file holds an undirected graph, or anything ``from_networkx`` rejects (a cycle, an
        edge into an input); an incomplete network (no output yet) is read as it is, and fails when evaluated.
    SerializationError
        If the file is not GraphML networkx can read (malformed XML, an
        unknown attribute type, a value that is not of its type), is too
        large or not a regular file, or a node's ``python_id`` is not a
        neuron id written as JSON; the message names the file.

    Examples
    --------
    >>> import tempfile
    >>> import networkx as nx
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "gephi.graphml"
    ...     G = nx.DiGraph()
    ...     G.add_weighted_edges_from([("A", "B", 0.5), ("A", "C", -1.0), ("B", "C", 2.0)], weight="w")
    ...     nx.write_graphml(G, path)
    ...     net = read_graphml(path, weight="w")
    >>> net.inputs, net.hidden, net.outputs, net.weights.tolist()
    (['A'], ['B'], ['C'], [0.5, -1.0, 2.0])
    """
    source = repr(os.fspath(path))
    G = _parse(read_limited(path, max_bytes), source)
    if not G.is_directed():
        raise NetworkStructureError(f"{source} holds an undirected graph; a network needs directed edges")
    if G.is_multigraph():
        u, v = next((u, v) for u, v, k in G.edges(keys=True) if k != 0)
        raise DuplicateEdgeError(f"{source} has the edge {u!r} → {v!r} twice; a network has one edge per pair at most")
    ids = {
        node: id_from_text(data["python_id"], f"node {node!r}") if "python_id" in data else node
        for node, data in G.nodes(data=True)
    }
    if len(set(ids.values())) < len(ids):
        twice = [node for node in ids if list(ids.values()).count(ids[node]) > 1]
        raise SerializationError(f"nodes {twice!r} of {source} stand for the same neuron id")
    G = nx.relabel_nodes(G, ids)
    for _, data in G.nodes(data=True):
        data.pop("python_id", None)
        data.pop("label", None)
    _warn_without_weights(G, weight, source)
    return Network.from_networkx(G, kind=kind, activation=activation, weight=weight, seed=seed, validate=False,
                                 hidden_activation=hidden_activation, output_activation=output_activation)  # fmt: skip


def _parse(data: bytes, source: str) -> nx.Graph:
    """The graph networkx reads from GraphML bytes, or :class:`SerializationError` naming the file."""
    try:
        return nx.read_graphml(io.BytesIO(data))
    except ET.ParseError as error:
        problem = f"not well-formed XML (truncated or corrupted?): {error}"
    except KeyError as error:  # networkx's table of attribute types, or of booleans
        problem = f"unknown value {error.args[0]!r} (an attr.type that is not GraphML's, or a boolean not true/false)"
    except RecursionError:
        problem = "nested too deeply"
    except (ValueError, TypeError, OverflowError, nx.NetworkXError) as error:
        problem = " ".join(str(error).split()) or type(error).__name__
    raise SerializationError(f"{source}: not a GraphML file networkx can read: {problem}")


def _warn_without_weights(G: nx.Graph, weight: str, source: str) -> None:
    if G.number_of_edges() == 0 or any(weight in data for _, _, data in G.edges(data=True)):
        return
    found = sorted({key for _, _, data in G.edges(data=True) for key in data})
    hint = f"; the edges have {', '.join(map(repr, found))}: pass weight=... to read one" if found else ""
    warnings.warn(
        f"no edge of {source} has the attribute {weight!r}: every weight is drawn at random{hint}",
        MissingWeightsWarning,
        stacklevel=3,
    )
