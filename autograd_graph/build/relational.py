"""Relational-graph MLPs: You et al.'s construction of a neural network from a graph.

You et al. (2020, "Graph Structure of Neural Networks"; facebookresearch/graph2nn,
``TalkLinear`` in ``pycls/models/relation_graph.py`` and ``MLPNet`` in
``pycls/models/mlp.py``) turn a *relational graph* ``G`` of ``n`` nodes into
an MLP:

- each hidden layer's ``width`` neurons are split among the nodes of ``G``,
  as evenly as possible (node sizes differ by at most one; which nodes get
  the larger share is graph2nn's ``compute_size``: a permutation drawn with
  numpy's seed 1), node by node in neuron order;
- a neuron of layer ``l + 1`` at node ``i`` receives from the neurons of
  layer ``l`` at node ``i`` and at every neighbour of ``i`` (the graph with
  a self-loop on every node): one round of message exchange per layer;
- before the relational layers, a dense *stem* takes the inputs to the first
  hidden layer; after them a dense *head* takes the last hidden layer to the
  outputs (graph2nn's ``MLPStem`` and ``MLPHead``).

So ``relational_mlp(G, width, layers)`` has ``layers + 1`` hidden layers of
``width`` neurons, and the complete graph gives the plain MLP
``ag.layered([n_inputs] + [width] * (layers + 1) + [n_outputs])``: the same
neurons, edges and (with the same seed) weights.

Two differences from graph2nn, both of this library's networks: there is no
batch normalisation, and every layer has a bias neuron (``bias=False``
leaves them out); bias edges are not constrained by ``G``. Missing weights
are drawn as ``ag.layered`` draws them, uniform in ``±1/√fan_in`` of each
neuron's actual fan-in (graph2nn rescales its masked weights the same way).

Examples
--------
>>> import networkx as nx
>>> net = relational_mlp(nx.cycle_graph(4), width=8, layers=2, n_inputs=3, n_outputs=2, seed=0)
>>> [len(layer) for layer in net.layers()]          # each with its bias neuron, but the outputs
[4, 9, 9, 9, 2]
>>> net.n_weights                                   # stem 3·8, 2 layers of 8·6 (3 of 4 nodes), head 8·2, biases
162
>>> net.node_of[net.layers()[1][0]], net.relational_graph.number_of_edges()
(0, 4)
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, cast

import networkx as nx
import numpy as np

from .._checks import whole_number
from ..activations import Activation
from ..exceptions import BuilderError
from ..network import Network
from .builders import layered

__all__ = ["relational_mlp", "RelationalMLP", "node_sizes"]


class RelationalMLP(Network):
    """A network built by :func:`relational_mlp`: it remembers its relational graph.

    Attributes
    ----------
    relational_graph : networkx.Graph
        The graph ``G`` it was built from (:func:`~autograd_graph.graph_measures`
        reports its ``C`` and ``L`` too).
    node_of : dict
        The node of ``G`` of each hidden neuron.
    """

    relational_graph: nx.Graph
    node_of: dict[Hashable, Any]

    def __getstate__(self) -> dict:
        return {**super().__getstate__(), "relational": (self.relational_graph.copy(), dict(self.node_of))}

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        self.relational_graph, self.node_of = state["relational"]


def node_sizes(width: int, n: int) -> np.ndarray:
    """How many of ``width`` neurons each of ``n`` nodes holds: graph2nn's ``compute_size``.

    Examples
    --------
    >>> node_sizes(10, 4).tolist()
    [2, 2, 3, 3]
    """
    sizes = np.full(n, width // n, dtype=np.int64)
    sizes[: width % n] += 1
    return np.random.RandomState(1).permutation(sizes)  # graph2nn: np.random.seed(1), then a permutation


def relational_mlp(
    G: nx.Graph,
    width: int,
    layers: int,
    n_inputs: int,
    n_outputs: int,
    *,
    activation: str | Activation = "relu",
    output_activation: str | Activation = "identity",
    bias: bool = True,
    seed: int | np.random.Generator | None = None,
) -> RelationalMLP:
    """An MLP wired by the relational graph ``G`` (see the module notes).

    Parameters
    ----------
    G : networkx.Graph
        The relational graph (undirected; self-loops are implied). Its nodes,
        in ``G``'s order, split every hidden layer.
    width : int
        Neurons per hidden layer, at least the number of nodes of ``G``.
    layers : int
        Relational layers (between hidden layers), at least 1; the network has ``layers + 1`` hidden layers.
    n_inputs, n_outputs : int
    activation, output_activation : str or Activation, default "relu" and "identity"
    bias : bool, default True
        A bias neuron in every layer but the outputs.
    seed : int, Generator or None
        Seeds the weights.

    Returns
    -------
    RelationalMLP
        A :class:`~autograd_graph.Network` with ``relational_graph`` and ``node_of``.

    Raises
    ------
    BuilderError
        A directed or empty graph, a width below its number of nodes, a bad count.

    Examples
    --------
    The complete graph gives the plain MLP, weights included:

    >>> import networkx as nx
    >>> import autograd_graph as ag
    >>> mlp = relational_mlp(nx.complete_graph(4), width=8, layers=2, n_inputs=3, n_outputs=2, seed=0)
    >>> plain = ag.layered([3, 8, 8, 8, 2], activation="relu", seed=0)
    >>> mlp.edges == plain.edges, bool((mlp.weights == plain.weights).all())
    (True, True)
    """
    if not isinstance(G, nx.Graph) or G.is_directed() or G.number_of_nodes() == 0:
        raise BuilderError(f"G must be a non-empty undirected networkx Graph, got {G!r}")
    n = G.number_of_nodes()
    width = whole_number("width", width, BuilderError, minimum=n)
    layers = whole_number("layers", layers, BuilderError)
    sizes = [whole_number("n_inputs", n_inputs, BuilderError), *[width] * (layers + 1),
             whole_number("n_outputs", n_outputs, BuilderError)]  # fmt: skip
    plain = layered(sizes, activation=activation, output_activation=output_activation, bias=bias)
    allowed = nx.to_numpy_array(G, nodelist=list(G), weight=None) > 0
    np.fill_diagonal(allowed, True)  # a node's own neurons talk to each other
    node = np.repeat(np.arange(n), node_sizes(width, n))  # node index of each neuron of a hidden layer
    hidden = [[v for v in layer if plain.kind(v) != "bias"] for layer in plain.layers()[1:-1]]
    node_of = {v: node[i] for layer in hidden for i, v in enumerate(layer)}
    D = plain.to_networkx()
    cut = [(u, v) for lower, upper in zip(hidden, hidden[1:], strict=False) for u in lower for v in upper
           if not allowed[node_of[u], node_of[v]]]  # fmt: skip
    D.remove_edges_from(cut)
    for _, _, data in D.edges(data=True):
        data.pop("weight", None)  # drawn anew, for each neuron's actual fan-in
    net = cast(RelationalMLP, RelationalMLP.from_networkx(D, seed=seed))  # cls(...): a RelationalMLP
    nodes = list(G)
    net.relational_graph = G.copy()
    net.node_of = {v: nodes[i] for v, i in node_of.items()}
    return net
