import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_graph as ag
from autograd_graph.build.random_dags import orient_by_node_order, random_dag

MODELS = [
    ("gnp", {"p": 0.15}),
    ("erdos_renyi", {"p": 0.02}),  # sparse: the repair does most of the wiring
    ("gnm", {"m": 60}),
    ("watts_strogatz", {"k": 4, "p": 0.3}),
    ("barabasi_albert", {"m": 2}),
]


def assert_every_neuron_on_an_input_output_path(net):
    G = net.graph
    reached = set(net.inputs).union(*(nx.descendants(G, i) for i in net.inputs))
    reaching = set(net.outputs).union(*(nx.ancestors(G, o) for o in net.outputs))
    for neuron in net.neurons:
        if net.kind(neuron) != "bias":
            assert neuron in reached and neuron in reaching, neuron


@pytest.mark.parametrize("model, params", MODELS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_networks_are_acyclic_connected_and_sized(model, params, seed):
    net = random_dag(40, model, n_inputs=5, n_outputs=3, seed=seed, **params)
    assert nx.is_directed_acyclic_graph(net.graph)
    assert_every_neuron_on_an_input_output_path(net)
    assert (len(net.inputs), len(net.hidden), len(net.outputs), net.biases) == (5, 32, 3, ["bias"])
    assert net.inputs == [0, 1, 2, 3, 4] and net.outputs == [37, 38, 39]
    assert all(net.graph.out_degree(o) == 0 for o in net.outputs)
    # oriented by node order; the bias neuron feeds every hidden and output neuron once
    assert all(u < v for u, v in net.edges if u != "bias")
    assert sorted(v for u, v in net.edges if u == "bias") == list(range(5, 40))


@pytest.mark.parametrize("model, params", MODELS)
def test_same_seed_same_network(model, params):
    a = random_dag(30, model, n_inputs=3, n_outputs=2, seed=11, **params)
    b = random_dag(30, model, n_inputs=3, n_outputs=2, seed=11, **params)
    c = random_dag(30, model, n_inputs=3, n_outputs=2, seed=12, **params)
    assert a.edges == b.edges and np.array_equal(a.weights, b.weights)
    assert a.edges != c.edges


def test_random_networks_train_like_any_other():
    net = random_dag(25, "watts_strogatz", k=4, p=0.2, n_inputs=2, n_outputs=2, seed=0, activation="tanh")
    X = np.random.default_rng(0).normal(size=(8, 2))
    Y = np.random.default_rng(1).normal(size=(8, 2))
    compiled = net.backward(net.forward(X), Y)
    reference = net.backward(net.forward(X, engine="reference"), Y)
    np.testing.assert_allclose(compiled.weights.flat, reference.weights.flat, rtol=0, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(2, 30),
    share=st.floats(0.0, 1.0),
    p=st.floats(0.0, 0.5),
    seed=st.integers(0, 2**16),
    bias=st.booleans(),
)
def test_any_gnp_graph_is_repaired(n, share, p, seed, bias):
    n_inputs = 1 + int(share * (n - 2))
    n_outputs = max(1, (n - n_inputs) // 3)
    net = random_dag(n, "gnp", p=p, n_inputs=n_inputs, n_outputs=n_outputs, bias="b" if bias else None, seed=seed)
    assert nx.is_directed_acyclic_graph(net.graph)
    assert (len(net.inputs), len(net.outputs), net.n_neurons) == (n_inputs, n_outputs, n + bias)
    assert_every_neuron_on_an_input_output_path(net)


def test_any_graph_can_be_oriented():
    G = nx.relabel_nodes(nx.petersen_graph(), {i: f"v{i}" for i in range(10)})
    net = orient_by_node_order(G, n_inputs=2, n_outputs=2, bias=None, seed=0)
    order = {node: i for i, node in enumerate(G)}
    assert all(order[u] < order[v] for u, v in net.edges)
    kept = {(u, v) for u, v in G.edges if not (order[u] < 2 and order[v] < 2) and not (order[u] >= 8 and order[v] >= 8)}
    oriented = {(u, v) if order[u] < order[v] else (v, u) for u, v in kept}
    assert oriented <= set(net.edges)
    assert_every_neuron_on_an_input_output_path(net)


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((10, "smallworld"), {}, "unknown graph model 'smallworld'"),
        ((10, "watts_strogatz"), {"k": 2}, "takes the parameters k, p; got k"),
        ((10, "barabasi_albert"), {"m": 12}, "m < n"),
        ((4, "gnp"), {"p": 0.5, "n_inputs": 3, "n_outputs": 2}, "do not fit in n = 4"),
        ((0, "gnp"), {"p": 0.5}, "n must be a whole number ≥ 1, got 0"),
    ],
)
def test_generator_errors_say_what_was_expected(args, kwargs, message):
    with pytest.raises(ag.BuilderError, match=message):
        random_dag(*args, **kwargs)


def test_bias_id_must_be_new():
    with pytest.raises(ag.BuilderError, match="already a node"):
        orient_by_node_order(nx.path_graph(["bias", "x", "y"]))


@pytest.mark.parametrize(
    "model, params, message",
    [
        ("gnp", {"p": 1.5}, r"p \(a parameter of model 'gnp'\) must be a finite number in \[0, 1\], got 1.5"),
        ("gnp", {"p": -0.1}, r"p \(a parameter of model 'gnp'\) .* got -0.1"),
        ("erdos_renyi", {"p": "a"}, r"p \(a parameter of model 'erdos_renyi'\) .* got 'a'"),
        ("watts_strogatz", {"k": 4, "p": float("nan")}, r"p \(a parameter of model 'watts_strogatz'\) .* got nan"),
        (
            "watts_strogatz",
            {"k": 2.5, "p": 0.1},
            r"k \(a parameter of model 'watts_strogatz'\) must be a whole number ≥ 0, got 2.5",
        ),
        ("gnm", {"m": -1}, r"m \(a parameter of model 'gnm'\) must be a whole number ≥ 0, got -1"),
        ("barabasi_albert", {"m": True}, r"m \(a parameter of model 'barabasi_albert'\) .* got True"),
    ],
)
def test_model_parameters_out_of_range_are_builder_errors_naming_them(model, params, message):
    with pytest.raises(ag.BuilderError, match=message):
        ag.random_dag(10, model, seed=0, **params)


def test_model_parameters_at_their_limits_are_accepted():
    assert ag.random_dag(10, "gnp", p=0, seed=0).n_neurons == 11
    assert ag.random_dag(10, "gnp", p=1, seed=0).n_neurons == 11
    assert ag.random_dag(10, "gnm", m=np.int64(0), seed=0).n_neurons == 11
