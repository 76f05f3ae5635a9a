import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_graph as ag
from autograd_graph.build.builders import add_skip_connections, densenet, from_edge_list, layered


def kernel_names(net):
    return [stage.block.kind for stage in net.compile().schedule.stages]


def on_input_output_path(net):
    G = net.graph
    reached = set().union(*(nx.descendants(G, i) for i in net.inputs)) | set(net.inputs)
    reaching = set().union(*(nx.ancestors(G, o) for o in net.outputs)) | set(net.outputs)
    return all(n in reached and n in reaching for n in net.neurons if net.kind(n) != "bias")


def test_digit_network_has_12730_parameters_and_strided_view_kernels():
    net = layered([784, 16, 10], seed=0)
    assert net.n_weights == 784 * 16 + 16 + 16 * 10 + 10 == 12_730
    assert [len(layer) for layer in net.layers()] == [785, 17, 10]
    assert (len(net.inputs), len(net.biases), len(net.hidden), len(net.outputs)) == (784, 2, 16, 10)
    assert kernel_names(net) == ["view", "view"]


def test_small_layered_network_is_numbered_like_the_running_example():
    net = layered([1, 2, 2, 1], seed=0)
    example = ag.running_example()
    assert net.layers() == example.layers()
    assert [net.kind(n) for n in net.neurons] == [example.kind(n) for n in example.neurons]
    # the same edges in the same (canonical) order, plus the 3 → 7 edge the running example leaves out
    assert [e for e in net.edges if e != (3, 7)] == example.edges


@pytest.mark.parametrize("sizes", [[3, 5, 4, 2], [1, 1], [6, 2, 7, 1, 3]])
def test_layered_shapes_counts_and_kernels(sizes):
    net = layered(sizes, activation="tanh", seed=1)
    expected = sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True))
    assert net.n_weights == expected
    assert [len([n for n in layer if net.kind(n) != "bias"]) for layer in net.layers()] == sizes
    assert all(name == "view" for name in kernel_names(net))
    assert {net.activation(n).name for n in net.hidden} <= {"tanh"}
    assert {net.activation(n).name for n in net.outputs} == {"identity"}


def test_activation_per_hidden_layer_and_bias_per_layer():
    net = layered([2, 3, 3, 1], activation=["relu", "tanh"], bias=[True, False, True], seed=0)
    assert [net.activation(n).name for n in net.hidden] == ["relu"] * 3 + ["tanh"] * 3
    assert len(net.biases) == 2
    assert net.n_weights == 2 * 3 + 3 + 3 * 3 + 3 * 1 + 1
    with pytest.raises(ag.BuilderError, match="one entry per layer"):
        layered([2, 3, 3, 1], activation=["relu"])


def test_the_seed_fixes_the_weights():
    a, b = layered([4, 3, 2], seed=7), layered([4, 3, 2], seed=7)
    assert np.array_equal(a.weights, b.weights)
    assert not np.array_equal(a.weights, layered([4, 3, 2], seed=8).weights)


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 8), min_size=2, max_size=5),
    density=st.floats(0.05, 1.0),
    seed=st.integers(0, 2**16),
)
def test_sparse_layered_networks_stay_layered_and_connected(sizes, density, seed):
    net = layered(sizes, density=density, seed=seed)
    assert net.is_layered()
    assert len(net.layers()) == len(sizes)
    assert on_input_output_path(net)
    for n_in, n_out, k in zip(sizes[:-1], sizes[1:], range(1, len(sizes)), strict=True):
        targets = net.layers()[k]
        edges = [e for e in net.edges if e[1] in targets and net.kind(e[0]) != "bias"]
        assert len(edges) == max(round(density * n_in * n_out), n_in, n_out)
    assert np.array_equal(layered(sizes, density=density, seed=seed).weights, net.weights)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"sizes": [3]}, "at least two layers"),
        ({"sizes": [3, 0]}, "the size of layer 2 must be a whole number ≥ 1, got 0"),
        ({"sizes": [3, 2.5]}, "the size of layer 2 must be a whole number ≥ 1, got 2.5"),
        ({"sizes": [3, 2], "density": 0}, r"density must be a finite number in \(0, 1\], got 0"),
        ({"sizes": [3, 2], "density": 1.5}, r"density must be a finite number in \(0, 1\], got 1.5"),
    ],
)
def test_layered_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ag.BuilderError, match=message):
        layered(**kwargs)


def test_densenet_connects_every_layer_to_all_later_ones():
    sizes = [2, 3, 4, 1]
    net = densenet(sizes, seed=0)
    non_bias = [[n for n in layer if net.kind(n) != "bias"] for layer in layered(sizes).layers()]
    for j, targets in enumerate(non_bias):
        for i, sources in enumerate(non_bias[:j]):
            assert all(net.graph.has_edge(u, v) for u in sources for v in targets), (i, j)
    assert net.n_weights == 2 * 3 + 3 + (2 + 3) * 4 + 4 + (2 + 3 + 4) * 1 + 1
    assert not net.is_layered() and net.depth() == 3


def test_skip_connections_with_zero_weight_keep_the_function_and_the_original():
    net = layered([3, 4, 4, 2], activation="tanh", seed=0)
    before = net.get_weights()
    skip = add_skip_connections(net, span=2, weight=0.0, seed=0)
    assert net.n_weights == len(before) and np.array_equal(net.weights, before)
    assert all(skip.get_weight(*edge) == w for edge, w in zip(net.edges, net.weights, strict=True))
    assert skip.n_weights - net.n_weights == 3 * 4 + 4 * 2
    X = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_array_equal(skip.forward(X).output, net.forward(X).output)
    assert not skip.is_layered()


def test_skip_connections_of_every_span_give_densenet_edges():
    sizes = [2, 3, 3, 2]
    assert set(add_skip_connections(layered(sizes), span=None).edges) == set(densenet(sizes).edges)


def test_skip_connections_with_probability_are_seeded():
    net = layered([5, 5, 5, 5, 5], seed=0)
    a = add_skip_connections(net, span=[2, 3], probability=0.3, seed=4)
    b = add_skip_connections(net, span=[2, 3], probability=0.3, seed=4)
    assert a.edges == b.edges and np.array_equal(a.weights, b.weights)
    assert net.n_weights < a.n_weights < add_skip_connections(net, span=[2, 3]).n_weights


def test_skip_connections_need_a_layered_network_and_a_span_of_two():
    with pytest.raises(ag.NotLayeredError):
        add_skip_connections(densenet([2, 2, 2]))
    with pytest.raises(ag.BuilderError, match="span must be a whole number ≥ 2, got 1"):
        add_skip_connections(layered([2, 2, 2]), span=1)


def test_from_edge_list_keeps_weights_and_kinds():
    edges = [(2, 3, 0.5), (1, 3, -1.0), (3, 4), ("b", 4, 2.0), (1, 4, 0.25)]
    net = from_edge_list(edges, biases=["b"], seed=0)
    assert net.edges == [(2, 3), (1, 3), (1, 4), ("b", 4), (3, 4)]  # grouped by source, in neuron order
    assert net.inputs == [2, 1] and net.biases == ["b"] and net.outputs == [4] and net.hidden == [3]
    assert net.get_weight(1, 3) == -1.0 and net.get_weight("b", 4) == 2.0
    explicit = from_edge_list(edges, inputs=[1, 2], biases=["b"], seed=0)
    assert explicit.inputs == [1, 2]
    assert np.array_equal(from_edge_list(edges, biases=["b"], seed=0).weights, net.weights)


def test_from_edge_list_errors_name_the_edge():
    with pytest.raises(ag.DuplicateEdgeError, match="1 → 2 appears twice"):
        from_edge_list([(1, 2), (1, 2, 0.5)])
    with pytest.raises(ag.CycleError):
        from_edge_list([(0, 1), (1, 2), (2, 3), (3, 1)], inputs=[0], outputs=[3])
    with pytest.raises(ag.BuilderError, match="appear in no edge"):
        from_edge_list([(1, 2)], outputs=[7])
    with pytest.raises(ag.BuilderError, match=r"\(source, target\)"):
        from_edge_list([(1,)])


def test_from_edge_list_keeps_the_order_of_inputs_and_outputs():
    net = from_edge_list([("a", "h"), ("b", "h"), ("h", "y"), ("h", "z")], inputs=["b", "a"], outputs=["z", "y"])
    assert (net.inputs, net.outputs) == (["b", "a"], ["z", "y"])
    assert net.neurons == ["b", "a", "h", "z", "y"]
