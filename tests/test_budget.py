"""Matched budgets: non-layered networks with the weights of a layered one (within 5%: here, exactly)."""

import networkx as nx
import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.comparison import match_weights, matched_builders, matched_random_dag, matched_skip_network

LAYERED = [[64, 16, 10], [2, 8, 1], [2, 3, 1], [1, 8, 8, 1], [5, 12, 9, 3], [10, 20, 20, 20, 4]]


def on_input_output_paths(net):
    """Every neuron is reached from an input (or is an input or bias) and reaches an output."""
    G = net.graph
    reached = set(net.inputs) | set(net.biases)
    for source in net.inputs:
        reached |= nx.descendants(G, source)
    reaching = set(net.outputs)
    for target in net.outputs:
        reaching |= nx.ancestors(G, target)
    return reached == set(net.neurons) and reaching >= set(net.neurons) - set(net.outputs)


def assert_within_budget(net, base):
    assert abs(net.n_weights - base.n_weights) <= 0.05 * base.n_weights
    assert net.n_weights == base.n_weights  # in fact exactly


@pytest.mark.parametrize("sizes", LAYERED)
@pytest.mark.parametrize("seed", [0, 1])
def test_random_dag_matches_the_budget(sizes, seed):
    base = ag.layered(sizes, activation="tanh", seed=0)
    net = matched_random_dag(base, seed=seed)
    assert_within_budget(net, base)
    assert (len(net.inputs), len(net.hidden), len(net.outputs)) == (len(base.inputs), len(base.hidden),
                                                                     len(base.outputs))  # fmt: skip
    assert not net.is_layered()
    assert nx.is_directed_acyclic_graph(net.graph)
    assert on_input_output_paths(net)
    assert {net.activation(k).name for k in net.hidden} == {"tanh"}
    assert {net.activation(k).name for k in net.outputs} == {"identity"}


@pytest.mark.parametrize("sizes", LAYERED)
def test_skip_network_matches_the_budget_and_keeps_every_skip_edge(sizes):
    base = ag.layered(sizes, seed=0)
    net = matched_skip_network(base, seed=0)
    assert_within_budget(net, base)
    assert not net.is_layered()
    assert on_input_output_paths(net)
    assert net.inputs == base.inputs[: len(net.inputs)] and len(net.outputs) == len(base.outputs)
    assert ag.summary(net)["skip_edges"] > 0
    assert len(net.hidden) <= len(base.hidden)


@pytest.mark.parametrize("build", [matched_random_dag, matched_skip_network])
def test_the_same_seed_gives_the_same_network(build):
    base = ag.layered([5, 12, 9, 3], seed=0)
    a, b, c = build(base, seed=4), build(base, seed=4), build(base, seed=5)
    assert a.edges == b.edges and np.array_equal(a.weights, b.weights)
    assert a.edges != c.edges


def test_other_random_graph_models():
    base = ag.layered([6, 10, 2], seed=0)
    for model, params in [("watts_strogatz", {"k": 4, "p": 0.3}), ("barabasi_albert", {"m": 3}), ("gnp", {"p": 0.3})]:
        net = matched_random_dag(base, model=model, seed=0, **params)
        assert_within_budget(net, base)
        assert on_input_output_paths(net)


def test_match_weights_adds_and_drops_edges_and_keeps_weights():
    net = ag.running_example(seed=0)
    rng = np.random.default_rng(0)
    more, fewer = match_weights(net, 16, rng), match_weights(net, 11, rng)  # only 4 → 6 can go
    assert (more.n_weights, fewer.n_weights) == (16, 11)
    assert set(net.edges) <= set(more.edges) and set(fewer.edges) <= set(net.edges)
    for u, v in fewer.edges:
        assert fewer.get_weight(u, v) == net.get_weight(u, v)
    assert on_input_output_paths(more) and on_input_output_paths(fewer)


def test_impossible_budgets_say_why():
    net = ag.running_example(seed=0)
    with pytest.raises(ag.ComparisonError, match="room for only"):
        match_weights(net, 100, np.random.default_rng(0))
    with pytest.raises(ag.ComparisonError, match="cut a neuron off"):
        match_weights(net, 5, np.random.default_rng(0))
    with pytest.raises(ag.ComparisonError, match="needs a hidden layer"):
        matched_skip_network(ag.layered([3, 2], seed=0))
    with pytest.raises(ag.NotLayeredError):
        matched_skip_network(ag.densenet([2, 3, 3, 1], seed=0))


def test_matched_builders_name_both_and_skip_only_layered():
    base = ag.layered([2, 8, 1], seed=0)
    assert list(matched_builders(base)) == ["random DAG (same budget)", "skip connections (same budget)"]
    assert list(matched_builders(ag.densenet([2, 3, 3, 1], seed=0))) == ["random DAG (same budget)"]
