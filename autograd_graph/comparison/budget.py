"""Matched budgets: a non-layered network with as many weights as a given layered one.

A comparison of topologies is only fair at the same budget. Two ways to
spend a layered network's weights differently:

- :func:`matched_random_dag`: a randomly wired network (a networkx random
  graph oriented by node order, :func:`~autograd_graph.random_dag`) with the
  same inputs, outputs and number of hidden neurons;
- :func:`matched_skip_network`: the same layers, narrowed so that skip
  connections from every layer to the later ones fit in the budget
  (:func:`~autograd_graph.layered` then :func:`~autograd_graph.add_skip_connections`).

Both then add or drop single edges at random until the number of weights
(bias weights included) is exactly the target, keeping every neuron on a path
from an input to an output. Both are seeded: the same seed gives the same network.

Examples
--------
>>> import autograd_graph as ag
>>> base = ag.layered([8, 6, 3], seed=0)
>>> base.n_weights
75
>>> dag = matched_random_dag(base, seed=0)
>>> dag.n_weights, len(dag.hidden), dag.is_layered()
(75, 6, False)
>>> skip = matched_skip_network(base, seed=0)      # hidden layer narrowed from 6 to 4, + 8·3 skip edges
>>> skip.n_weights, len(skip.hidden), skip.is_layered()
(75, 4, False)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from typing import Any

import networkx as nx
import numpy as np

from ..activations import Activation
from ..build.builders import add_skip_connections, layered
from ..build.random_dags import random_dag
from ..exceptions import ComparisonError
from ..network import Network

__all__ = ["matched_random_dag", "matched_skip_network", "matched_builders", "match_weights"]


def _common_activation(net: Network, neurons: list[Hashable], fallback: str) -> Activation | str:
    """The activation most of ``neurons`` use (by name), or ``fallback`` when there are none."""
    acts = [act for act in map(net.activation, neurons) if act is not None]
    if not acts:
        return fallback
    name = Counter(act.name for act in acts).most_common(1)[0][0]
    return next(act for act in acts if act.name == name)


def match_weights(net: Network, target: int, rng: np.random.Generator, *, drop_last: Iterable[tuple] = ()) -> Network:
    """A copy of ``net`` with random edges added or dropped until it has ``target`` weights.

    Added edges go forward in a topological order (so the network stays
    acyclic) between non-bias neurons, never into an input or out of an
    output. An edge ``u → v`` is dropped only if ``u`` keeps another outgoing
    edge and ``v`` another incoming one from a non-bias neuron, so every
    neuron stays on a path from an input to an output. Kept edges keep their
    weights; new ones are drawn by the network's initializer.

    Parameters
    ----------
    net : Network
    target : int
    rng : numpy Generator
    drop_last : iterable of edges, optional
        Edges to drop only once no other edge can go.

    Raises
    ------
    ComparisonError
        If no more edges can be added or dropped before reaching ``target``.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> net = match_weights(ag.running_example(seed=0), 14, np.random.default_rng(0))
    >>> net.n_weights, net.get_weight(1, 3) == ag.running_example(seed=0).get_weight(1, 3)
    (14, True)
    """
    G = net.to_networkx()
    kind = dict(G.nodes(data="kind"))
    missing = target - G.number_of_edges()
    if missing > 0:
        order = [n for n in nx.topological_sort(G) if kind[n] != "bias"]
        candidates = [(u, v) for i, u in enumerate(order) if kind[u] != "output"
                      for v in order[i + 1 :] if kind[v] != "input" and not G.has_edge(u, v)]  # fmt: skip
        if len(candidates) < missing:
            raise ComparisonError(
                f"cannot reach {target} weights: the network has {G.number_of_edges()} and room for only "
                f"{len(candidates)} more edges among its {G.number_of_nodes()} neurons"
            )
        picks = rng.choice(len(candidates), size=missing, replace=False)
        G.add_edges_from(candidates[p] for p in sorted(picks))
    elif missing < 0:
        last = set(drop_last)
        edges = [(u, v) for u, v in G.edges if kind[u] != "bias"]
        first = [edges[p] for p in rng.permutation(len(edges)) if edges[p] not in last]
        then = [edges[p] for p in rng.permutation(len(edges)) if edges[p] in last]
        for u, v in first + then:
            if G.number_of_edges() == target:
                break
            feeds_other = G.out_degree(u) > 1
            fed_by_other = sum(1 for w in G.predecessors(v) if kind[w] != "bias") > 1
            if feeds_other and fed_by_other:
                G.remove_edge(u, v)
        if G.number_of_edges() != target:
            raise ComparisonError(
                f"cannot bring the network down to {target} weights: {G.number_of_edges()} are left whose "
                f"removal would cut a neuron off from the inputs or the outputs"
            )
    else:
        return net.copy()
    return Network.from_networkx(G, seed=rng, dtype=net.dtype)


def matched_random_dag(
    net: Network,
    *,
    model: str = "gnm",
    n_hidden: int | None = None,
    activation: Any = None,
    output_activation: Any = None,
    seed: int | np.random.Generator | None = None,
    **params: float,
) -> Network:
    """A randomly wired network with exactly as many weights as ``net``.

    Parameters
    ----------
    net : Network
        The network whose budget to match (usually a layered one).
    model : str, default "gnm"
        A graph model of :func:`~autograd_graph.random_dag`. With ``"gnm"``
        and no ``m``, the number of random edges is chosen to land near the
        budget.
    n_hidden : int, optional
        Hidden neurons (default: as many as ``net`` has).
    activation, output_activation : str or Activation, optional
        Default: the functions most of ``net``'s hidden and output neurons use.
    seed : int, Generator or None
    **params
        The model's parameters (``p``, ``k``, ``m``).

    Returns
    -------
    Network
        The same numbers of inputs and outputs, ``n_hidden`` hidden neurons
        and one bias neuron (if ``net`` has any) feeding every other neuron, and
        exactly ``net.n_weights`` weights.

    Raises
    ------
    ComparisonError
        If the budget cannot be met with that many neurons (too few weights
        to connect them, or more than a DAG on them can hold).

    Examples
    --------
    >>> import autograd_graph as ag
    >>> base = ag.layered([64, 16, 10], seed=0)
    >>> net = matched_random_dag(base, seed=1)
    >>> net.n_weights == base.n_weights, len(net.inputs), len(net.hidden), len(net.outputs)
    (True, 64, 16, 10)
    """
    n_in, n_out = len(net.inputs), len(net.outputs)
    n_hidden = len(net.hidden) if n_hidden is None else n_hidden
    activation = activation or _common_activation(net, net.hidden, "logistic")
    output_activation = output_activation or _common_activation(net, net.outputs, "identity")
    bias = "bias" if net.biases else None
    n = n_in + n_hidden + n_out
    if model == "gnm" and not params:
        bias_edges = (n_hidden + n_out) if bias else 0
        usable = n_in * (n_hidden + n_out) + n_hidden * (n_hidden - 1) // 2 + n_hidden * n_out  # pairs kept
        wanted = max(net.n_weights - bias_edges, 0)
        params = {"m": min(round(wanted * (n * (n - 1) / 2) / max(usable, 1)), n * (n - 1) // 2)}
    rng = np.random.default_rng(seed)
    dag = random_dag(n, model, n_inputs=n_in, n_outputs=n_out, activation=activation,
                     output_activation=output_activation, bias=bias, seed=rng, **params)  # fmt: skip
    return match_weights(dag, net.n_weights, rng)


def _layered_counts(sizes: list[int], has_bias: list[bool], spans: list[int] | None) -> tuple[int, int]:
    """Weights of the layered network of ``sizes``, and how many skip edges of ``spans`` it could take."""
    layered_weights = sum(sizes[k] * (sizes[k + 1]) + has_bias[k] * sizes[k + 1] for k in range(len(sizes) - 1))
    skips = sum(sizes[i] * sizes[j] for i in range(len(sizes)) for j in range(i + 2, len(sizes))
                if spans is None or j - i in spans)  # fmt: skip
    return layered_weights, skips


def matched_skip_network(
    net: Network, *, span: int | list[int] | None = None, seed: int | np.random.Generator | None = None
) -> Network:
    """The layered network ``net`` with skip connections, narrowed to keep exactly its number of weights.

    The hidden layers are narrowed by a common factor just enough that the
    skip connections (every layer to every later one but the next, or only
    those of ``span``) fit in the budget; then random layer-to-layer edges are
    dropped until the count is exact (and, if that is not enough, skip edges).

    Parameters
    ----------
    net : Network
        A layered network with at least one hidden layer; it is not changed.
    span : int, list of int or None, default None
        The spans of the skip edges, as in :func:`~autograd_graph.add_skip_connections`
        (None: all of them, DenseNet style).
    seed : int, Generator or None

    Returns
    -------
    Network
        Not layered; same inputs, outputs and activations, narrower hidden
        layers, exactly ``net.n_weights`` weights.

    Raises
    ------
    NotLayeredError
        If ``net`` is not layered.
    ComparisonError
        If it has no hidden layer, or no narrowing fits the skip connections in the budget.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> base = ag.layered([64, 16, 10], activation="tanh", seed=0)   # 1,210 weights
    >>> net = matched_skip_network(base, seed=0)
    >>> net.n_weights, len(net.hidden), ag.summary(net)["skip_edges"]    # 64·8 + 8 + 8·10 + 10 = 610, + 640 skips, − 40
    (1210, 8, 640)
    """
    layers = net.layers()
    if len(layers) < 3:
        raise ComparisonError(f"a skip connection needs a hidden layer; the network has {len(layers)} layers")
    bias_of = [[k for k in layer if net.kind(k) == "bias"] for layer in layers]
    sizes = [len(layer) - len(b) for layer, b in zip(layers, bias_of, strict=True)]
    has_bias = [bool(b) for b in bias_of[:-1]]
    hidden_acts = [_common_activation(net, [k for k in layer if net.kind(k) != "bias"], "logistic")
                   for layer in layers[1:-1]]  # fmt: skip
    output_act = _common_activation(net, net.outputs, "identity")
    spans = None if span is None else sorted({span} if isinstance(span, int) else set(span))
    target = net.n_weights
    widest = max(sizes[1:-1])
    for width in range(1, widest + 1):  # narrowest first: the first that fits all skips is the least narrowed
        new = [sizes[0], *[max(1, round(h * width / widest)) for h in sizes[1:-1]], sizes[-1]]
        base_weights, skips = _layered_counts(new, has_bias, spans)
        if skips and target <= base_weights + skips:
            break
    else:
        raise ComparisonError(
            f"no narrowing of the hidden layers {sizes[1:-1]} fits skip connections (spans {span or 'all'}) "
            f"into {target} weights"
        )
    rng = np.random.default_rng(seed)
    base = layered(new, activation=hidden_acts, output_activation=output_act, bias=has_bias, seed=rng)
    with_skips = add_skip_connections(base, span=span, seed=rng)
    skip_edges = set(with_skips.edges) - set(base.edges)
    matched = match_weights(with_skips, target, rng, drop_last=skip_edges)
    if not skip_edges & set(matched.edges):
        raise ComparisonError(
            f"no room for skip connections in {target} weights: the layers {sizes} cannot lose the edges they need"
        )
    return matched


def matched_builders(net: Network) -> dict[str, Callable[[int], Network]]:
    """Builders ``seed -> Network`` of the two matched networks of ``net``, named for a comparison.

    ``"random DAG (same budget)"`` (:func:`matched_random_dag`) and, when ``net``
    is layered, ``"skip connections (same budget)"`` (:func:`matched_skip_network`).
    Each seed gives its own wiring.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> builders = matched_builders(ag.layered([2, 8, 1], seed=0))
    >>> {name: build(0).n_weights for name, build in builders.items()}
    {'random DAG (same budget)': 33, 'skip connections (same budget)': 33}
    """
    builders: dict[str, Callable[[int], Network]] = {
        "random DAG (same budget)": lambda seed: matched_random_dag(net, seed=seed)
    }
    if net.is_layered():
        builders["skip connections (same budget)"] = lambda seed: matched_skip_network(net, seed=seed)
    return builders
