"""Graph measures of a network's wiring: what topology studies put on their axes.

:func:`graph_measures` describes a network by the measures You et al. (2020,
"Graph Structure of Neural Networks") found to predict accuracy, the
clustering coefficient ``C`` and the average shortest-path length ``L``,
and by the plainer ones of a DAG: depth, width per generation, density,
the fraction of skip edges, fan-in and fan-out.

``C`` and ``L`` are measures of an undirected graph: the neuron graph is
taken as undirected (an edge ``i → j`` joins ``i`` and ``j``), as You et al.
take their relational graphs. Which neurons count:

- **input neurons count** (they are where the signal enters; leaving them
  out would cut every path that goes through the input layer);
- **bias neurons do not count** by default: one bias neuron feeds every
  neuron of a layer (in ``ag.layered``, of the whole network in
  ``ag.random_dag``), so it would join all of them through itself and pull
  ``L`` towards 2 whatever the wiring; ``include_biases=True`` keeps them.

``C`` is networkx's :func:`~networkx.average_clustering` (neurons of degree
below 2 count as 0). ``L`` is the mean distance over all pairs of neurons
joined by some path (:func:`~networkx.average_shortest_path_length` when the
graph is connected; the pairs within each connected part otherwise).
Both take time: ``L`` visits the whole graph from every neuron. Above
``exact_limit`` neurons (or with ``exact=False``) both are *estimated*:

- ``C`` by :func:`networkx.algorithms.approximation.average_clustering`
  (``samples`` random neurons, each with a random pair of its neighbours:
  the fraction of such pairs that are joined; standard error about
  ``0.5/√samples``);
- ``L`` by a breadth-first search from ``samples`` random neurons: the mean
  distance from them to every neuron they reach, an unbiased estimate of the
  mean over connected pairs.

The estimates are seeded (``seed``), so the same network gives the same numbers.

For a relational MLP (:func:`~autograd_graph.relational_mlp`), the measures
also hold ``relational_clustering`` and ``relational_path_length``: ``C`` and
``L`` of its relational graph ``G`` itself, the axes of You et al.'s plots.

Examples
--------
>>> import autograd_graph as ag
>>> m = graph_measures(ag.running_example())
>>> m["clustering"], round(m["path_length"], 4), m["depth"], m["width"]
(0.0, 1.6667, 3, [2, 2, 1])
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from .._checks import whole_number
from ..exceptions import ComparisonError

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["graph_measures", "undirected_graph", "clustering_and_path_length", "EXACT_LIMIT"]

EXACT_LIMIT = 2000  # neurons: above this, C and L are estimated (the exact L visits the graph from every neuron)


def undirected_graph(net: Network, *, include_inputs: bool = True, include_biases: bool = False) -> nx.Graph:
    """The neuron graph as an undirected ``nx.Graph`` (the neurons :func:`graph_measures` counts).

    Examples
    --------
    >>> import autograd_graph as ag
    >>> G = undirected_graph(ag.running_example())
    >>> sorted(G.nodes), G.number_of_edges()
    ([1, 3, 4, 6, 7, 9], 7)
    """
    ix = net.indexed()
    keep = np.array(
        [(k != "bias" or include_biases) and (k != "input" or include_inputs) for k in ix.kinds], dtype=bool
    )
    G = nx.Graph()
    G.add_nodes_from(node for node, ok in zip(ix.nodes, keep.tolist(), strict=True) if ok)
    both = keep[ix.src] & keep[ix.dst]
    nodes = ix.nodes
    G.add_edges_from((nodes[u], nodes[v]) for u, v in zip(ix.src[both].tolist(), ix.dst[both].tolist(), strict=True))
    return G


def _mean_distance(G: nx.Graph, sources: list | None) -> float:
    """The mean shortest-path length over connected pairs (from ``sources`` only, when given)."""
    total = pairs = 0
    for source in G if sources is None else sources:
        lengths = nx.single_source_shortest_path_length(G, source)
        total += sum(lengths.values())
        pairs += len(lengths) - 1
    return total / pairs if pairs else math.nan


def clustering_and_path_length(
    G: nx.Graph, *, exact: bool | None = None, samples: int = 500, seed: int = 0, exact_limit: int = EXACT_LIMIT
) -> tuple[float, float, bool]:
    """``C``, ``L`` of an undirected graph, and whether they are exact (see the module notes).

    Examples
    --------
    >>> import networkx as nx
    >>> clustering_and_path_length(nx.complete_graph(5))
    (1.0, 1.0, True)
    >>> C, L, exact = clustering_and_path_length(nx.watts_strogatz_graph(3000, 6, 0.1, seed=1), seed=0)
    >>> exact, round(C, 1), round(L, 1)
    (False, 0.4, 7.3)
    """
    n = G.number_of_nodes()
    if n == 0:
        return math.nan, math.nan, True
    if exact is None:
        exact = n <= exact_limit
    if exact:
        C = float(nx.average_clustering(G))
        if nx.is_connected(G):
            L = float(nx.average_shortest_path_length(G)) if n > 1 else math.nan
        else:
            L = _mean_distance(G, None)
        return C, L, True
    rng = np.random.default_rng(seed)
    C = float(nx.algorithms.approximation.average_clustering(G, trials=samples, seed=int(rng.integers(2**31))))
    nodes = list(G)
    picked = rng.choice(len(nodes), size=min(samples, len(nodes)), replace=False)
    return C, _mean_distance(G, [nodes[i] for i in picked.tolist()]), False


def _stats(values: np.ndarray) -> dict[str, float]:
    if values.size == 0:
        return {"min": 0.0, "mean": 0.0, "max": 0.0, "std": 0.0}
    return {"min": float(values.min()), "mean": float(values.mean()), "max": float(values.max()),
            "std": float(values.std())}  # fmt: skip


def graph_measures(
    net: Network,
    *,
    include_inputs: bool = True,
    include_biases: bool = False,
    exact: bool | None = None,
    samples: int = 500,
    seed: int = 0,
    exact_limit: int = EXACT_LIMIT,
) -> dict[str, Any]:
    """Measures of a network's wiring (see the module notes for what counts and how).

    Parameters
    ----------
    net : Network
    include_inputs, include_biases : bool, default True and False
        Which neurons the undirected graph of ``C``, ``L`` and ``density`` holds.
    exact : bool, optional
        Exact ``C`` and ``L`` (networkx's algorithms), or their estimates; by
        default exact up to ``exact_limit`` neurons.
    samples : int, default 500
        Neurons the estimates start from.
    seed : int, default 0
        Seeds the estimates' choices.
    exact_limit : int, default 2000

    Returns
    -------
    dict
        ``clustering`` (C), ``path_length`` (L), ``exact`` (whether they are
        exact), ``density`` (edges ÷ pairs of the undirected graph), ``depth``
        (edges on the longest path), ``width`` (neurons per generation after
        the inputs), ``skip_fraction`` (edges, bias edges aside, spanning more
        than one generation), ``fan_in`` (over hidden and output neurons) and
        ``fan_out`` (over input and hidden neurons), each ``min``/``mean``/``max``/``std``,
        bias edges not counted; ``n_neurons``, ``n_weights``; and for a
        relational MLP ``relational_clustering``, ``relational_path_length``.

    Examples
    --------
    The measures are networkx's on the undirected neuron graph:

    >>> import networkx as nx
    >>> import autograd_graph as ag
    >>> net = ag.add_skip_connections(ag.layered([3, 6, 6, 2], density=0.5, seed=0), span=2, probability=0.3, seed=0)
    >>> m = graph_measures(net)
    >>> G = undirected_graph(net)
    >>> m["clustering"] == nx.average_clustering(G), m["path_length"] == nx.average_shortest_path_length(G)
    (True, True)
    >>> m["fan_in"]["max"] >= m["fan_in"]["mean"] >= m["fan_in"]["min"] >= 1
    True
    """
    samples = whole_number("samples", samples, ComparisonError)
    G = undirected_graph(net, include_inputs=include_inputs, include_biases=include_biases)
    C, L, is_exact = clustering_and_path_length(G, exact=exact, samples=samples, seed=seed, exact_limit=exact_limit)
    ix = net.indexed()
    kinds = np.array(ix.kinds, dtype=object)
    gen = ix.generation if ix.generation is not None else np.zeros(len(ix.nodes), dtype=np.int64)
    from_bias = kinds[ix.src] == "bias"
    src, dst = ix.src[~from_bias], ix.dst[~from_bias]
    fan_in = np.bincount(dst, minlength=len(ix.nodes))
    fan_out = np.bincount(src, minlength=len(ix.nodes))
    targets = (kinds == "hidden") | (kinds == "output")
    feeders = (kinds == "hidden") | (kinds == "input")
    later = gen[targets]
    n = G.number_of_nodes()
    measures: dict[str, Any] = {
        "clustering": C,
        "path_length": L,
        "exact": is_exact,
        "density": float(nx.density(G)) if n > 1 else math.nan,
        "depth": int(later.max()) if later.size else 0,
        "width": np.bincount(later, minlength=int(later.max()) + 1)[1:].tolist() if later.size else [],
        "skip_fraction": float((gen[dst] - gen[src] > 1).mean()) if src.size else 0.0,
        "fan_in": _stats(fan_in[targets]),
        "fan_out": _stats(fan_out[feeders]),
        "n_neurons": net.n_neurons,
        "n_weights": net.n_weights,
    }
    relational = getattr(net, "relational_graph", None)
    if isinstance(relational, nx.Graph):
        rC, rL, _ = clustering_and_path_length(relational, exact=True)
        measures.update(relational_clustering=rC, relational_path_length=rL)
    return measures
