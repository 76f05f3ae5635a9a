"""Randomly wired networks: networkx random graphs turned into feed-forward networks.

As in randomly wired neural networks, an undirected random graph becomes a DAG
by orienting every edge from the earlier node to the later one (node order).
The first ``n_inputs`` nodes become the inputs and the last ``n_outputs`` the
outputs; edges among inputs or among outputs are dropped (inputs have no
incoming edges, outputs feed nothing). Then the graph is repaired so that
every neuron lies on a path from an input to an output: a neuron without
incoming edges gets one from a random earlier neuron, a neuron without
outgoing edges gets one to a random later neuron. A bias neuron feeds every
hidden and output neuron unless ``bias=None``.

Examples
--------
>>> net = random_dag(12, "watts_strogatz", k=4, p=0.2, n_inputs=3, n_outputs=2, seed=0)
>>> len(net.inputs), len(net.hidden), len(net.outputs), len(net.biases)
(3, 7, 2, 1)
>>> random_dag(12, "watts_strogatz", k=4, p=0.2, n_inputs=3, n_outputs=2, seed=0).edges == net.edges
True
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import networkx as nx
import numpy as np

from .._checks import fraction, whole_number
from ..activations import Activation
from ..exceptions import BuilderError
from ..network import Network

__all__ = ["GRAPH_MODELS", "random_dag", "orient_by_node_order"]

# model name -> (networkx generator of an undirected graph on nodes 0 … n−1, its parameters)
GRAPH_MODELS: dict[str, tuple[Callable[..., nx.Graph], tuple[str, ...]]] = {
    "gnp": (nx.gnp_random_graph, ("p",)),  # Erdős–Rényi: each edge with probability p
    "erdos_renyi": (nx.gnp_random_graph, ("p",)),
    "gnm": (nx.gnm_random_graph, ("m",)),  # Erdős–Rényi: m edges drawn uniformly
    "watts_strogatz": (nx.watts_strogatz_graph, ("k", "p")),  # ring of k neighbours, rewired with probability p
    "barabasi_albert": (nx.barabasi_albert_graph, ("m",)),  # preferential attachment, m edges per new node
}


def random_dag(
    n: int,
    model: str = "gnp",
    *,
    n_inputs: int = 1,
    n_outputs: int = 1,
    activation: str | Activation = "logistic",
    output_activation: str | Activation = "identity",
    bias: Hashable | None = "bias",
    seed: int | np.random.Generator | None = None,
    **params: float,
) -> Network:
    """A randomly wired network of ``n`` neurons (bias neuron not counted).

    Parameters
    ----------
    n : int
        Neurons of the random graph: ``n_inputs`` inputs, ``n_outputs``
        outputs and ``n − n_inputs − n_outputs`` hidden neurons, named ``0 … n−1``.
    model : str, default "gnp"
        A key of :data:`GRAPH_MODELS`: ``"gnp"`` / ``"erdos_renyi"`` (needs
        ``p``), ``"gnm"`` (``m``), ``"watts_strogatz"`` (``k``, ``p``),
        ``"barabasi_albert"`` (``m``).
    n_inputs, n_outputs : int, default 1
    activation, output_activation : str or Activation
        The functions of hidden and output neurons.
    bias : hashable or None, default "bias"
        The id of a bias neuron feeding every hidden and output neuron; None for none.
    seed : int, Generator or None
        Seeds the graph, the repair and the weights: the same seed gives the same network.
    **params
        The model's parameters, passed to the networkx generator.

    Returns
    -------
    Network

    Raises
    ------
    BuilderError
        For an unknown model, missing or wrong model parameters (``p`` must be in
        [0, 1]; ``m`` and ``k`` whole numbers ≥ 0), or sizes that do not fit; the
        message names the parameter and its value.

    Examples
    --------
    >>> net = random_dag(20, "gnp", p=0.2, n_inputs=4, n_outputs=3, seed=1)
    >>> net.n_neurons, len(net.inputs), len(net.outputs)
    (21, 4, 3)
    >>> random_dag(10, "barabasi_albert", seed=0)
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.BuilderError: model 'barabasi_albert' takes the parameters m; got none
    """
    if model not in GRAPH_MODELS:
        raise BuilderError(f"unknown graph model {model!r}; known: {', '.join(GRAPH_MODELS)}")
    _check_counts(n, n_inputs, n_outputs)
    generator, expected = GRAPH_MODELS[model]
    if set(params) != set(expected):
        raise BuilderError(
            f"model {model!r} takes the parameters {', '.join(expected)}; got {', '.join(params) or 'none'}"
        )
    for name, value in params.items():
        if name == "p":
            fraction(f"p (a parameter of model {model!r})", value, BuilderError)
        else:  # m, k: counts
            whole_number(f"{name} (a parameter of model {model!r})", value, BuilderError, minimum=0)
    rng = np.random.default_rng(seed)
    try:
        G = generator(n, **params, seed=int(rng.integers(2**32)))
    except nx.NetworkXError as error:
        raise BuilderError(f"model {model!r} with n={n}, {params}: {error}") from None
    return orient_by_node_order(
        G,
        n_inputs=n_inputs,
        n_outputs=n_outputs,
        activation=activation,
        output_activation=output_activation,
        bias=bias,
        seed=rng,
    )


def _check_counts(n: int, n_inputs: int, n_outputs: int) -> None:
    for name, value in (("n", n), ("n_inputs", n_inputs), ("n_outputs", n_outputs)):
        whole_number(name, value, BuilderError)
    if n_inputs + n_outputs > n:
        raise BuilderError(f"n_inputs + n_outputs = {n_inputs + n_outputs} neurons do not fit in n = {n}")


def orient_by_node_order(
    G: nx.Graph,
    *,
    n_inputs: int = 1,
    n_outputs: int = 1,
    activation: str | Activation = "logistic",
    output_activation: str | Activation = "identity",
    bias: Hashable | None = "bias",
    seed: int | np.random.Generator | None = None,
) -> Network:
    """Turn any graph into a feed-forward network by orienting its edges by node order.

    Parameters
    ----------
    G : networkx.Graph
        Any graph (a directed one is oriented by node order too); its nodes
        become the neurons, in ``list(G)`` order.
    n_inputs, n_outputs : int, default 1
        The first ``n_inputs`` nodes become inputs, the last ``n_outputs`` outputs.
    activation, output_activation, bias, seed :
        As in :func:`random_dag`; ``seed`` drives the repair and the weights.

    Returns
    -------
    Network

    Examples
    --------
    >>> net = orient_by_node_order(nx.cycle_graph(4), bias=None, seed=0)
    >>> net.edges     # the cycle 0-1-2-3-0, each edge from the earlier node to the later
    [(0, 1), (0, 3), (1, 2), (2, 3)]
    """
    order = list(G)
    _check_counts(len(order), n_inputs, n_outputs)
    if bias is not None and bias in G:
        raise BuilderError(f"the bias neuron's id {bias!r} is already a node of the graph; pass another bias=")
    rng = np.random.default_rng(seed)
    n = len(order)
    first_output = n - n_outputs
    position = {node: i for i, node in enumerate(order)}
    preds: list[set[int]] = [set() for _ in range(n)]
    succs: list[set[int]] = [set() for _ in range(n)]
    for u, v in G.edges():
        i, j = sorted((position[u], position[v]))
        if i == j or j < n_inputs or i >= first_output:
            continue  # self-loop, or an edge among inputs or among outputs
        preds[j].add(i)
        succs[i].add(j)
    for j in range(n_inputs, n):  # every neuron gets an earlier non-output neuron feeding it
        if not preds[j]:
            i = int(rng.integers(min(j, first_output)))
            preds[j].add(i)
            succs[i].add(j)
    for i in range(first_output - 1, -1, -1):  # every non-output feeds a later non-input neuron
        if not succs[i]:
            j = int(rng.integers(max(i + 1, n_inputs), n))
            preds[j].add(i)
            succs[i].add(j)

    D = nx.DiGraph()
    D.add_nodes_from(order[:n_inputs], kind="input")
    if bias is not None:
        D.add_node(bias, kind="bias")
    D.add_nodes_from(order[n_inputs:first_output], kind="hidden")
    D.add_nodes_from(order[first_output:], kind="output")
    edges: list[tuple[Hashable, Hashable]] = []
    for j in range(n_inputs, n):
        edges.extend((order[i], order[j]) for i in sorted(preds[j]))
        if bias is not None:
            edges.append((bias, order[j]))
    D.add_edges_from(edges)
    net = Network.from_networkx(D, hidden_activation=activation, output_activation=output_activation, seed=rng)
    net.get_weights()  # draws every weight now, so the seed alone fixes the network
    return net
