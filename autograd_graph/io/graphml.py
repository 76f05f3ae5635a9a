"""GraphML files (Gephi, yEd): :func:`write_graphml` and :func:`read_graphml`.

GraphML keeps node attributes ``kind`` and ``activation`` (by name) and the
edge attribute ``weight``, neurons and edges in the network's order, so
:func:`read_graphml` gives back the same network, weight order included.
GraphML node ids are strings: a neuron ``n`` is the node ``str(n)``, and an id
that is no string is also kept, as JSON, in the attribute ``python_id`` and
restored on reading. The ids accepted are those :func:`~autograd_graph.save`
accepts (:mod:`autograd_graph.io.ids`): strings, integers, finite floats,
booleans and tuples of them; numpy scalars are kept as the numbers they hold.

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

import os
from collections.abc import Hashable
from pathlib import Path

import networkx as nx
import numpy as np

from ..activations import Activation
from ..exceptions import NetworkStructureError, SerializationError
from ..network import Network
from .files import write_atomically
from .ids import id_from_text, id_to_text

__all__ = ["write_graphml", "read_graphml"]


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
    names: dict[str, Hashable] = {}
    for node, data in net.graph.nodes(data=True):
        python_id = id_to_text(node)  # checks the id first: SerializationError naming it
        name = str(node)
        if name in names:
            raise NetworkStructureError(
                f"neurons {names[name]!r} and {node!r} would both be {name!r} in GraphML; rename one"
            )
        names[name] = node
        attributes = {"kind": data["kind"], "label": name}
        if data["activation"] is not None:
            attributes["activation"] = data["activation"].name
        if python_id is not None:
            attributes["python_id"] = python_id
        G.add_node(name, **attributes)
    G.add_weighted_edges_from((str(u), str(v), float(w)) for (u, v), w in zip(net.edges, net.weights, strict=True))
    return write_atomically(path, "\n".join(nx.generate_graphml(G)) + "\n")


def read_graphml(
    path: str | os.PathLike,
    *,
    hidden_activation: str | Activation = "logistic",
    output_activation: str | Activation = "identity",
    seed: int | np.random.Generator | None = None,
) -> Network:
    """Read a network from a GraphML file (ours, or any directed one from Gephi or yEd).

    Nodes without ``kind`` follow :meth:`Network.from_networkx`'s rules;
    missing weights are drawn from ``seed``.

    Raises
    ------
    NetworkStructureError
        If the file holds an undirected graph, or anything ``from_networkx`` rejects.
    SerializationError
        If a node's ``python_id`` is not a neuron id written as JSON.

    Examples
    --------
    >>> import tempfile
    >>> import networkx as nx
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "gephi.graphml"
    ...     nx.write_graphml(nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C")]), path)
    ...     net = read_graphml(path, seed=0)
    >>> net.inputs, net.hidden, net.outputs
    (['A'], ['B'], ['C'])
    """
    G = nx.read_graphml(path)
    if not G.is_directed():
        raise NetworkStructureError(f"{os.fspath(path)!r} holds an undirected graph; a network needs directed edges")
    ids = {
        node: id_from_text(data["python_id"], f"node {node!r}") if "python_id" in data else node
        for node, data in G.nodes(data=True)
    }
    if len(set(ids.values())) < len(ids):
        twice = [node for node in ids if list(ids.values()).count(ids[node]) > 1]
        raise SerializationError(f"nodes {twice!r} of {os.fspath(path)!r} stand for the same neuron id")
    G = nx.relabel_nodes(G, ids)
    for _, data in G.nodes(data=True):
        data.pop("python_id", None)
        data.pop("label", None)
    return Network.from_networkx(G, hidden_activation=hidden_activation, output_activation=output_activation, seed=seed)
