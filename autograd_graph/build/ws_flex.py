"""WS-flex graphs: You et al.'s Watts–Strogatz graphs of any average degree, and sets of them covering (C, L).

You et al. (2020, "Graph Structure of Neural Networks", facebookresearch/graph2nn,
``pycls/models/relation_graph.py``) generalise the Watts–Strogatz model so
that the average degree ``k`` can be any real number in ``[2, n]``:

1. ``round(k·n/2)`` edges are dealt out to the ``n`` nodes as evenly as
   possible (the first ``edges mod n`` nodes get one more), and node ``i``
   is joined to the next ``count[i]`` nodes round the ring;
2. every one of those edges ``(i, j)`` is, with probability ``p``, rewired to
   ``(i, w)`` for a uniformly random ``w`` (no self-loop, no double edge;
   a node already joined to every other one keeps its edge);
3. :func:`ws_flex` (``connected=True``) draws again, from the same random
   stream, until the graph is connected (at most ``tries`` times).

:func:`ws_flex` follows their ``ws_graph``/``connected_ws_graph`` draw for
draw (Python's ``random.Random(seed)``), so the same ``(n, k, p, seed)``
gives the same graph as theirs. With an even integer ``k`` and ``p = 0`` it
is the ring lattice of :func:`networkx.watts_strogatz_graph`.

:func:`relational_graphs` picks, from many WS-flex graphs, a set that covers
the plane of clustering coefficient ``C`` and average path length ``L``
evenly: one graph per cell of a grid over (C, L), as You et al. chose their
3,942 graphs.

Examples
--------
>>> G = ws_flex(16, 4.5, 0.2, seed=1)
>>> G.number_of_nodes(), G.number_of_edges()     # round(4.5 · 16 / 2) = 36 edges
(16, 36)
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np

from .._checks import fraction, real, whole_number
from ..exceptions import BuilderError

__all__ = ["ws_flex", "relational_graphs"]


def _ws_flex_once(n: int, k: float, p: float, rng: random.Random) -> nx.Graph:
    """One draw of graph2nn's ``ws_graph`` (which it does not check for connectedness)."""
    edges = int(round(k * n / 2))
    count = np.full(n, edges // n, dtype=int)
    count[: edges % n] += 1
    G = nx.Graph()
    G.add_nodes_from(range(n))
    for i in range(n):
        G.add_edges_from((i, j % n) for j in range(i + 1, i + count[i] + 1))
    nodes = list(G.nodes())
    for u in range(n):
        for v in [j % n for j in range(u + 1, u + count[u] + 1)]:
            if rng.random() < p:
                w = rng.choice(nodes)
                while w == u or G.has_edge(u, w):  # no self-loop, no double edge
                    w = rng.choice(nodes)
                    if G.degree(u) >= n - 1:
                        break  # u is joined to every node: keep the edge
                else:
                    if G.has_edge(u, v):  # (graph2nn would fail on an edge rewired away already)
                        G.remove_edge(u, v)
                        G.add_edge(u, w)
    return G


def ws_flex(n: int, k: float, p: float, *, seed: int | None = None, connected: bool = True,
            tries: int = 100) -> nx.Graph:  # fmt: skip
    """A WS-flex graph: ``n`` nodes, average degree ``k`` (any real in [2, n]), rewiring probability ``p``.

    Parameters
    ----------
    n : int
        Nodes (``0 … n−1``), at least 2.
    k : float
        Average degree, in ``[2, n]``.
    p : float
        Probability of rewiring each edge, in ``[0, 1]``.
    seed : int, optional
        Seeds ``random.Random``, as graph2nn does.
    connected : bool, default True
        Draw again until the graph is connected (graph2nn's ``connected_ws_graph``).
    tries : int, default 100

    Raises
    ------
    BuilderError
        A parameter out of range, or no connected graph in ``tries`` draws.

    Examples
    --------
    With an even ``k`` and no rewiring, the ring lattice:

    >>> import networkx as nx
    >>> nx.utils.graphs_equal(ws_flex(10, 4, 0.0), nx.watts_strogatz_graph(10, 4, 0.0))
    True
    >>> round(nx.average_clustering(ws_flex(64, 8, 0.0)), 4)     # 3(k − 2) / (4(k − 1))
    0.6429
    """
    n = whole_number("n", n, BuilderError, minimum=2)
    k = real("k", k, BuilderError, low=2.0, high=float(n))
    p = fraction("p", p, BuilderError)
    tries = whole_number("tries", tries, BuilderError)
    rng = random.Random(seed)
    for _ in range(tries if connected else 1):
        G = _ws_flex_once(n, k, p, rng)
        if not connected or nx.is_connected(G):
            return G
    raise BuilderError(f"no connected WS-flex graph with n={n}, k={k}, p={p} in {tries} tries; raise k or tries")


def relational_graphs(
    n: int,
    *,
    degrees: Iterable[float] | None = None,
    ps: Iterable[float] | None = None,
    seeds: Iterable[int] = range(3),
    clustering_bins: Iterable[float] = np.linspace(0, 0.7, 8),
    path_bins: Iterable[float] = np.linspace(1, 4, 9),
    per_bin: int = 1,
) -> list[dict[str, Any]]:
    """WS-flex graphs that cover the (C, L) plane: at most ``per_bin`` per cell of the grid.

    Every ``(k, p, seed)`` of ``degrees × ps × seeds`` gives a candidate
    (:func:`ws_flex`), with its clustering coefficient ``C``
    (:func:`networkx.average_clustering`) and average path length ``L``
    (:func:`networkx.average_shortest_path_length`); the candidates are
    binned by ``clustering_bins`` × ``path_bins`` (edges; values outside are
    left out) and the first ``per_bin`` of each cell kept, cells in order of
    C, then L.

    Parameters
    ----------
    n : int
        Nodes of every graph.
    degrees : iterable of float, optional
        Average degrees to try; by default 30 values from 2 to ``n − 1``, denser at small degrees
        (``linspace(√2, √(n−1))²``, as You et al. sweep them).
    ps : iterable of float, optional
        Rewiring probabilities; by default 30 values of ``linspace(0, 1)²``.
    seeds : iterable of int, default 0, 1, 2
    clustering_bins, path_bins : iterable of float
        Bin edges of C (default 0 … 0.7 in steps of 0.1) and L (1 … 4 in steps of 0.375).
    per_bin : int, default 1

    Returns
    -------
    list of dict
        ``graph``, ``k``, ``p``, ``seed``, ``clustering``, ``path_length``.

    Examples
    --------
    >>> chosen = relational_graphs(8, degrees=[2, 3, 4, 7], ps=[0.0, 0.5], seeds=[0])
    >>> [(g["k"], g["p"], round(g["clustering"], 2), round(g["path_length"], 2)) for g in chosen][:3]
    [(2, 0.0, 0.0, 2.29), (3, 0.5, 0.36, 1.71), (3, 0.0, 0.38, 1.75)]
    """
    n = whole_number("n", n, BuilderError, minimum=3)
    per_bin = whole_number("per_bin", per_bin, BuilderError)
    degrees = list(np.linspace(np.sqrt(2), np.sqrt(n - 1), 30) ** 2 if degrees is None else degrees)
    ps = list(np.linspace(0, 1, 30) ** 2 if ps is None else ps)
    c_edges, l_edges = np.asarray(list(clustering_bins), float), np.asarray(list(path_bins), float)
    cells: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for k in degrees:
        for p in ps:
            for seed in seeds:
                try:
                    G = ws_flex(n, k, p, seed=seed)
                except BuilderError:
                    continue  # no connected graph for these parameters
                C, L = nx.average_clustering(G), nx.average_shortest_path_length(G)
                cell = cells.setdefault((_bin(c_edges, C), _bin(l_edges, L)), [])
                if len(cell) < per_bin:
                    cell.append({"graph": G, "k": k, "p": p, "seed": seed, "clustering": float(C),
                                 "path_length": float(L)})  # fmt: skip
    return [graph for key in sorted(cells) if -1 not in key for graph in cells[key]]


def _bin(edges: np.ndarray, value: float) -> int:
    """The bin of ``value`` between ``edges`` (the last one closed), or −1 outside them."""
    if not edges[0] <= value <= edges[-1]:
        return -1
    return min(int(np.searchsorted(edges, value, side="right")) - 1, len(edges) - 2)
