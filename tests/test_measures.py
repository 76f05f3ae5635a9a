"""Graph measures, WS-flex graphs and relational MLPs: against networkx, hand-computed values and graph2nn."""

import math
import random

import networkx as nx
import numpy as np
import pytest
from networkx.utils import py_random_state

import autograd_graph as ag
from autograd_graph.build.relational import node_sizes
from autograd_graph.comparison.measures import undirected_graph


# ----------------------------------------------------------------- measures
def test_running_example_by_hand():
    # without its bias neurons the running example is 1-3, 1-4, 3-6, 4-6, 4-7, 6-9, 7-9: no triangle, so C = 0;
    # the 15 distances: from 1: 1+1+2+2+3; from 3: 2+1+3+2; from 4: 1+1+2; from 6: 2+1; from 7: 1 -> 25
    m = ag.graph_measures(ag.running_example())
    assert m["clustering"] == 0.0
    assert m["path_length"] == pytest.approx(25 / 15)
    assert (m["depth"], m["width"], m["skip_fraction"]) == (3, [2, 2, 1], 0.0)
    assert m["fan_in"] == {"min": 1.0, "mean": 1.4, "max": 2.0, "std": pytest.approx(0.4898979485566356)}
    assert m["density"] == pytest.approx(7 / 15)


def test_a_triangle_by_hand():
    m = ag.graph_measures(ag.from_edge_list([("A", "B"), ("A", "C"), ("B", "C")]))
    assert (m["clustering"], m["path_length"], m["density"]) == (1.0, 1.0, 1.0)
    assert m["skip_fraction"] == pytest.approx(1 / 3)  # A → C skips B's generation
    assert (m["fan_in"]["mean"], m["fan_out"]["mean"], m["depth"]) == (1.5, 1.5, 2)


@pytest.mark.parametrize("seed", range(4))
def test_equal_to_networkx_on_the_undirected_neuron_graph(seed):
    net = ag.random_dag(40, "gnp", p=0.15, n_inputs=4, n_outputs=3, seed=seed)
    G = net.to_networkx().to_undirected()
    G.remove_nodes_from([n for n, k in net.to_networkx().nodes(data="kind") if k == "bias"])
    m = ag.graph_measures(net)
    assert m["clustering"] == pytest.approx(nx.average_clustering(G), abs=1e-15)
    parts = [G.subgraph(c) for c in nx.connected_components(G)]
    pairs = sum(len(p) * (len(p) - 1) for p in parts)
    total = sum(nx.average_shortest_path_length(p) * len(p) * (len(p) - 1) for p in parts if len(p) > 1)
    assert m["path_length"] == pytest.approx(total / pairs)
    assert m["density"] == pytest.approx(nx.density(G))
    assert m["exact"] is True
    with_biases = ag.graph_measures(net, include_biases=True)
    assert with_biases["path_length"] < m["path_length"]  # one bias neuron joins every neuron


def test_big_graphs_get_a_seeded_estimate_close_to_the_exact_value():
    G = nx.connected_watts_strogatz_graph(1200, 6, 0.2, seed=3)
    net = ag.orient_by_node_order(G, n_inputs=10, n_outputs=5, bias=None)
    exact = ag.graph_measures(net)
    estimate = ag.graph_measures(net, samples=400, seed=1, exact_limit=1000)  # "big": above the limit
    assert estimate["exact"] is False and exact["exact"] is True
    assert estimate["clustering"] == pytest.approx(exact["clustering"], abs=0.06)  # ~0.5/√400 standard error
    assert estimate["path_length"] == pytest.approx(exact["path_length"], rel=0.03)
    assert ag.graph_measures(net, samples=400, seed=1, exact_limit=1000) == estimate


def test_undirected_graph_keeps_what_is_asked():
    net = ag.running_example()
    assert len(undirected_graph(net, include_biases=True)) == 9
    assert 1 not in undirected_graph(net, include_inputs=False)


# ------------------------------------------------------------------ WS-flex
def compute_count(channel, group):  # graph2nn's pycls/models/relation_graph.py (MIT), as published
    divide = channel // group
    remain = channel % group
    out = np.zeros(group, dtype=int)
    out[:remain] = divide + 1
    out[remain:] = divide
    return out


@py_random_state(3)
def graph2nn_ws_graph(n, k, p, seed=1):
    edge_num = int(round(k * n / 2))
    count = compute_count(edge_num, n)
    G = nx.Graph()
    for i in range(n):
        source = [i] * count[i]
        target = [node % n for node in range(i + 1, i + count[i] + 1)]
        G.add_edges_from(zip(source, target, strict=True))
    nodes = list(G.nodes())
    for i in range(n):
        u = i
        for v in [node % n for node in range(i + 1, i + count[i] + 1)]:
            if seed.random() < p:
                w = seed.choice(nodes)
                while w == u or G.has_edge(u, w):
                    w = seed.choice(nodes)
                    if G.degree(u) >= n - 1:
                        break
                else:
                    G.remove_edge(u, v)
                    G.add_edge(u, w)
    return G


@py_random_state(4)
def graph2nn_connected_ws_graph(n, k, p, tries=100, seed=1):
    for _ in range(tries):
        G = graph2nn_ws_graph(n, k, p, seed)
        if nx.is_connected(G):
            return G
    raise nx.NetworkXError("Maximum number of tries exceeded")


@pytest.mark.parametrize("n, k, p, seed", [(16, 4.5, 0.3, 0), (16, 2.0, 0.9, 5), (64, 7.3, 0.05, 2),
                                           (64, 20.0, 0.6, 1), (32, 3.1, 0.0, 0)])  # fmt: skip
def test_ws_flex_is_graph2nns_generator_draw_for_draw(n, k, p, seed):
    ours = ag.ws_flex(n, k, p, seed=seed)
    theirs = graph2nn_connected_ws_graph(n, k, p, seed=random.Random(seed))
    assert sorted(map(sorted, ours.edges)) == sorted(map(sorted, theirs.edges))


def test_ws_flex_with_an_even_degree_and_no_rewiring_is_the_ring_lattice():
    for n, k in [(10, 4), (64, 8), (30, 2)]:
        assert nx.utils.graphs_equal(ag.ws_flex(n, k, 0.0), nx.watts_strogatz_graph(n, k, 0.0))
    G = ag.ws_flex(20, 5.5, 0.0)
    assert G.number_of_edges() == 55 and nx.is_connected(G)


def test_ws_flex_checks_its_parameters():
    with pytest.raises(ag.BuilderError, match="k must be"):
        ag.ws_flex(10, 1.5, 0.1)
    with pytest.raises(ag.BuilderError, match="p must be"):
        ag.ws_flex(10, 3, 1.5)
    with pytest.raises(ag.BuilderError, match="no connected"):
        ag.ws_flex(40, 2, 1.0, tries=1, seed=1)  # seed 1 draws a disconnected ring first


def test_relational_graphs_cover_the_plane_one_per_cell():
    chosen = ag.relational_graphs(16, seeds=[0], clustering_bins=np.linspace(0, 0.7, 8),
                                  path_bins=np.linspace(1, 4, 9))  # fmt: skip
    counts, _, _ = np.histogram2d([g["clustering"] for g in chosen], [g["path_length"] for g in chosen],
                                  bins=[np.linspace(0, 0.7, 8), np.linspace(1, 4, 9)])  # fmt: skip
    assert counts.max() == 1 and counts.sum() == len(chosen) >= 15  # one graph per cell, all inside
    for g in chosen:
        assert g["clustering"] == nx.average_clustering(g["graph"])
        assert nx.utils.graphs_equal(g["graph"], ag.ws_flex(16, g["k"], g["p"], seed=g["seed"]))


# ----------------------------------------------------------- relational MLP
def test_the_complete_graph_gives_the_plain_mlp():
    mlp = ag.relational_mlp(nx.complete_graph(8), width=16, layers=3, n_inputs=5, n_outputs=3, seed=4)
    plain = ag.layered([5, 16, 16, 16, 16, 3], activation="relu", seed=4)
    assert mlp.n_weights == plain.n_weights and mlp.edges == plain.edges
    other = ag.layered([5, 16, 16, 16, 16, 3], activation="relu", seed=9)
    mlp.set_weights(other.weights)  # the same function, whatever the weights
    X = np.random.default_rng(0).normal(size=(7, 5))
    np.testing.assert_allclose(mlp.forward(X).output, other.forward(X).output, rtol=1e-14)


def test_a_neuron_hears_its_node_and_the_neighbours_only():
    G = nx.path_graph(["a", "b", "c", "d"])
    net = ag.relational_mlp(G, width=10, layers=2, n_inputs=2, n_outputs=1, seed=0)
    sizes = dict(zip(G, node_sizes(10, 4).tolist(), strict=True))
    hidden = [[v for v in layer if net.kind(v) != "bias"] for layer in net.layers()[1:-1]]
    for upper in hidden[1:]:
        for v in upper:
            sources = {u for u in net.graph.predecessors(v) if net.kind(u) != "bias"}
            heard = {net.node_of[u] for u in sources}
            assert heard == {net.node_of[v], *G[net.node_of[v]]}
            assert len(sources) == sum(sizes[n] for n in heard)  # every neuron of those nodes
    fan_in = {v: net.graph.in_degree(v) for v in hidden[1]}
    bound = {v: 1 / math.sqrt(fan_in[v]) for v in hidden[1]}  # weights drawn for the actual fan-in
    assert all(abs(net.get_weight(u, v)) <= bound[v] for v in hidden[1] for u in net.graph.predecessors(v))


def test_relational_measures_and_copies_keep_the_graph():
    G = ag.ws_flex(8, 3, 0.2, seed=1)
    net = ag.relational_mlp(G, width=16, layers=2, n_inputs=4, n_outputs=2, seed=0)
    m = ag.graph_measures(net.copy())
    assert m["relational_clustering"] == nx.average_clustering(G)
    assert m["relational_path_length"] == nx.average_shortest_path_length(G)
    assert isinstance(net.copy(), ag.RelationalMLP) and net.copy().node_of == net.node_of
    with pytest.raises(ag.BuilderError, match="width"):
        ag.relational_mlp(G, width=4, layers=2, n_inputs=4, n_outputs=2)
    with pytest.raises(ag.BuilderError, match="undirected"):
        ag.relational_mlp(nx.DiGraph(G), width=16, layers=2, n_inputs=4, n_outputs=2)
