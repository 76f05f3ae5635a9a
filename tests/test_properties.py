"""Property tests over random DAGs: the compiled engine equals the reference
engine, gradients equal finite differences, and layers() equals a brute force."""

import networkx as nx
import numpy as np
import pytest
from helpers import assert_engines_agree
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from random_dags import ALL_ACTIVATIONS, KINKED_ACTIVATIONS, LOSSES, SMOOTH_ACTIVATIONS, data_for, min_outputs, networks

import autograd_graph as ag
from autograd_graph import topology

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
batches = st.sampled_from([1, 1, 2, 5])


# ------------------------------------------------------------ compiled == reference
@SETTINGS
@given(data=st.data(), loss=st.sampled_from(LOSSES), batch=batches, seed=st.integers(0, 2**16))
def test_compiled_equals_reference(data, loss, batch, seed):
    logistic = "logistic" if loss == "binary_cross_entropy" else None
    net = data.draw(networks(output_activation=logistic, min_outputs=min_outputs(loss)))
    X, Y = data_for(net, batch, seed, loss)
    assert_engines_agree(net, X, Y, loss)


@SETTINGS
@given(net=networks(biases=False), batch=batches, seed=st.integers(0, 2**16))
def test_compiled_equals_reference_without_biases(net, batch, seed):
    assert not net.biases
    assert_engines_agree(net, *data_for(net, batch, seed), "squared_error")


# ------------------------------------------------------------ finite differences
@settings(max_examples=40, deadline=None)
@given(data=st.data(), loss=st.sampled_from(LOSSES), batch=batches, seed=st.integers(0, 2**16))
def test_gradients_equal_finite_differences_smooth(data, loss, batch, seed):
    logistic = "logistic" if loss == "binary_cross_entropy" else None
    net = data.draw(networks(activations=SMOOTH_ACTIVATIONS, output_activation=logistic, min_outputs=min_outputs(loss)))
    X, Y = data_for(net, batch, seed, loss)
    ag.check_gradients(net, X, Y, loss=loss)
    ag.check_gradients(net, X, Y, loss=loss, engine="reference")


@settings(max_examples=40, deadline=None)
@given(net=networks(activations=ALL_ACTIVATIONS), batch=batches, seed=st.integers(0, 2**16))
def test_gradients_equal_finite_differences_away_from_kinks(net, batch, seed):
    X, Y = data_for(net, batch, seed)
    trace = net.forward(X)
    kinked = [k for k in net.neurons if net.activation(k) is not None and net.activation(k).name in KINKED_ACTIVATIONS]
    assume(all(np.abs(trace.a[k]).min() > 1e-3 for k in kinked))
    ag.check_gradients(net, X, Y)


# ------------------------------------------------------------ layers, by brute force
def brute_force_layerings(G: nx.DiGraph) -> list[dict]:
    """Every assignment of layers 1..n with inputs in layer 1 and every edge going
    from layer t to t + 1, in which each weakly connected part without an input
    starts at layer 1 (topology.layer_numbers's convention for such parts)."""
    nodes = list(G)
    found = []

    def extend(level: dict) -> None:
        if len(level) == len(nodes):
            parts = nx.weakly_connected_components(G)
            if all(
                min(level[n] for n in part) == 1
                for part in parts
                if not any(G.nodes[n]["kind"] == "input" for n in part)
            ):
                found.append(dict(level))
            return
        node = nodes[len(level)]
        for number in [1] if G.nodes[node]["kind"] == "input" else range(1, len(nodes) + 1):
            level[node] = number
            if all(level[u] + 1 == level[v] for u, v in G.edges if u in level and v in level):
                extend(level)
            del level[node]

    extend({})
    return found


@st.composite
def small_graphs(draw) -> nx.DiGraph:
    """Small random DAGs with kinds, valid networks or not (isolated neurons, no input)."""
    n = draw(st.integers(1, 6))
    order = draw(st.permutations(range(n)))  # a topological order
    pairs = [(order[i], order[j]) for i in range(n) for j in range(i + 1, n)]
    keep = draw(st.lists(st.booleans(), min_size=len(pairs), max_size=len(pairs)))
    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    G.add_edges_from(p for p, k in zip(pairs, keep, strict=True) if k)
    for node in G:
        sources = ("input", "bias", "hidden") if G.in_degree(node) == 0 else ("hidden", "output")
        G.nodes[node]["kind"] = draw(st.sampled_from(sources))
    return G


def assert_layers_match_brute_force(G: nx.DiGraph) -> None:
    found = brute_force_layerings(G)
    assert len(found) <= 1  # the layering is unique when it exists
    assert topology.is_layered(G) == bool(found)
    if found:
        assert topology.layer_numbers(G) == found[0]
        layers = topology.layers(G)
        assert sorted(n for layer in layers for n in layer) == sorted(G)
        assert all(found[0][n] == t for t, layer in enumerate(layers, 1) for n in layer)
    else:
        with pytest.raises(ag.NotLayeredError) as info:
            topology.layers(G)
        assert G.has_edge(*info.value.edge)
        u, v = info.value.edge
        assert f"{u!r} → {v!r}" in str(info.value)


@settings(max_examples=150, deadline=None)
@given(G=small_graphs())
def test_layers_agree_with_brute_force(G):
    assert_layers_match_brute_force(G)


@settings(max_examples=40, deadline=None)
@given(net=networks(max_neurons=6))
def test_network_layers_agree_with_brute_force(net):
    G = net.to_networkx()
    assert_layers_match_brute_force(G)
    assert net.is_layered() == topology.is_layered(G)


def test_brute_force_knows_the_classic_cases():
    # sanity of the checker itself: the running example is layered, A→B, A→C, B→C is not
    G = ag.running_example().to_networkx()
    assert brute_force_layerings(G) == [{1: 1, 2: 1, 3: 2, 4: 2, 5: 2, 6: 3, 7: 3, 8: 3, 9: 4}]
    H = nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C")])
    nx.set_node_attributes(H, {"A": "input", "B": "hidden", "C": "output"}, "kind")
    assert brute_force_layerings(H) == []
