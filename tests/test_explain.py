"""explain: the chain rule's terms, whose numbers must add up to backward's gradients."""

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_graph as ag


@pytest.fixture
def example():
    net = ag.running_example(seed=2)
    trace = net.forward([[0.5]])
    return net, trace, net.backward(trace, [[1.0]])


def test_every_neuron_adds_up_to_backward(example):
    net, trace, grads = example
    for k in net.neurons:
        e = ag.explain(net, trace, grads, k)
        assert e.value == pytest.approx(grads.z[k][0], rel=1e-12, abs=1e-15)
        for equation in e.equations:
            assert equation.value == pytest.approx(equation.engine, rel=1e-12, abs=1e-15)
        if net.kind(k) in ("hidden", "output"):
            assert e.equations[1].value == pytest.approx(grads.a[k][0], rel=1e-12, abs=1e-15)


def test_every_weight_adds_up_to_backward(example):
    net, trace, grads = example
    for edge in net.edges:
        e = ag.explain(net, trace, grads, edge)
        assert e.value == pytest.approx(grads.weights[edge], rel=1e-12, abs=1e-15)


def test_neuron_4_in_the_spec_notation(example):
    net, trace, grads = example
    e = ag.explain(net, trace, grads, 4, number_format=".6f")
    first = e.equations[0]
    assert [t.symbol for t in first.terms] == ["∂ℓ/∂a_6·w_4,6", "∂ℓ/∂a_7·w_4,7"]
    assert [t.factors for t in first.terms] == [
        (("∂ℓ/∂a_6", grads.a[6][0]), ("w_4,6", net.get_weight(4, 6))),
        (("∂ℓ/∂a_7", grads.a[7][0]), ("w_4,7", net.get_weight(4, 7))),
    ]
    line = str(e).splitlines()[1]
    assert line.startswith("∂ℓ/∂z_4 = ∂ℓ/∂a_6·w_4,6 + ∂ℓ/∂a_7·w_4,7 = ")
    assert line.endswith(f"= {grads.z[4][0]:.6f}")
    assert str(e).splitlines()[0] == "neuron 4 (hidden, logistic), example 0 of 1:"


def test_weight_6_9_in_the_spec_notation(example):
    net, trace, grads = example
    e = ag.explain(net, trace, grads, (6, 9), number_format=".5f")
    text = str(e).splitlines()
    da9, z6 = grads.a[9][0], trace.z[6][0]
    assert text[1] == f"∂ℓ/∂w_6,9 = ∂ℓ/∂a_9·z_6 = ({da9:.5f})·{z6:.5f} = {da9 * z6:.5f}"
    assert text[2].startswith("∂ℓ/∂a_9 = ∂ℓ/∂z_9·σ_9′(a_9) = ")
    assert e.target == (6, 9) and e.example == 0 and e.batch_size == 1


def test_bias_weights_leave_out_z(example):
    net, trace, grads = example
    e = ag.explain(net, trace, grads, (5, 6))
    assert e.equations[0].terms[0].symbol == "∂ℓ/∂a_6"


def test_batch_weight_is_the_sum_over_examples_and_a_neuron_needs_an_example():
    net = ag.running_example(seed=4)
    X = np.linspace(-1, 1, 5).reshape(-1, 1)
    trace = net.forward(X)
    grads = net.backward(trace, np.sin(3 * X))
    e = ag.explain(net, trace, grads, (3, 6))
    assert e.example is None and len(e.equations[0].terms) == 5
    assert e.value == pytest.approx(grads.weights[(3, 6)], rel=1e-12)
    assert "summed over the batch of 5" in str(e)
    assert "Σ_b ∂L/∂a_6[b]·z_3[b]" in str(e)
    shares = [ag.explain(net, trace, grads, (3, 6), example=b).value for b in range(5)]
    assert sum(shares) == pytest.approx(grads.weights[(3, 6)], rel=1e-12)
    with pytest.raises(ag.ExampleError, match="pass example="):
        ag.explain(net, trace, grads, 4)
    e4 = ag.explain(net, trace, grads, 4, example=-1)
    assert e4.example == 4 and e4.value == pytest.approx(grads.z[4][4], rel=1e-12)
    assert "∂L/∂z_4" in str(e4)


def test_an_output_that_feeds_another_neuron_has_both_terms():
    net = ag.Network(seed=0)
    net.add_input("x")
    net.add_output("y1", activation="tanh")
    net.add_output("y2")
    for edge in [("x", "y1"), ("y1", "y2"), ("x", "y2")]:
        net.connect(*edge)
    trace = net.forward([[0.3]])
    grads = net.backward(trace, [[0.5, -1.0]])
    e = ag.explain(net, trace, grads, "y1")
    own, downstream = e.equations[0].terms
    assert own.value == pytest.approx(2 * (trace.z["y1"][0] - 0.5), rel=1e-9)
    assert downstream.value == pytest.approx(grads.a["y2"][0] * net.get_weight("y1", "y2"), rel=1e-12)
    assert e.value == pytest.approx(grads.z["y1"][0], rel=1e-12)


@pytest.mark.parametrize(
    "target, error",
    [(42, ag.UnknownNeuronError), ((1, 9), ag.UnknownEdgeError), ((3, 7), ag.UnknownEdgeError)],
)
def test_unknown_targets_are_named(example, target, error):
    net, trace, grads = example
    with pytest.raises(error, match=str(target[0]) if isinstance(target, tuple) else "42"):
        ag.explain(net, trace, grads, target)


def test_stale_trace_and_missing_gradients(example):
    net, trace, grads = example
    with pytest.raises(ag.MissingGradientsError, match="backward pass for 4"):
        ag.explain(net, trace, None, 4)
    net.set_weight(4, 6, 1.0)
    with pytest.raises(ag.StaleTraceError):
        ag.explain(net, trace, grads, 4)


@st.composite
def random_dags(draw):
    n = draw(st.integers(3, 8))
    edges = [(i, j) for j in range(1, n) for i in range(j) if draw(st.booleans())]
    edges += [(j - 1, j) for j in range(1, n) if (j - 1, j) not in edges]  # every neuron reached
    G = nx.DiGraph(edges)
    acts = st.sampled_from(["logistic", "tanh", "identity", "softplus"])
    nx.set_node_attributes(G, {k: draw(acts) for k in G}, "activation")
    nx.set_node_attributes(G, {0: "input", n - 1: "output"}, "kind")
    for u, v in G.edges:
        G.edges[u, v]["weight"] = draw(st.floats(-2, 2, allow_nan=False))
    return ag.Network.from_networkx(G), draw(st.floats(-1, 1)), draw(st.floats(-1, 1))


@settings(max_examples=30, deadline=None)
@given(random_dags())
def test_explain_matches_backward_on_random_dags(case):
    net, x, y = case
    trace = net.forward([[x]])
    grads = net.backward(trace, [[y]])
    for k in net.neurons:
        e = ag.explain(net, trace, grads, k)
        assert e.value == pytest.approx(grads.z[k][0], rel=1e-9, abs=1e-12)
    for edge in net.edges:
        assert ag.explain(net, trace, grads, edge).value == pytest.approx(grads.weights[edge], rel=1e-9, abs=1e-12)


def test_binary_cross_entropy_at_saturation_shows_the_losss_own_da():
    """σ′ underflows to 0 at a = 40: ∂ℓ/∂a is the loss's own σ(a) − y = 1, not ∂ℓ/∂z·σ′ = 0."""
    net = ag.from_edge_list([("x", "y", 40.0)], output_activation="logistic")
    trace = net.forward([[1.0]])
    grads = net.backward(trace, [[0.0]], loss="binary_cross_entropy")
    e = ag.explain(net, trace, grads, "y", loss="binary_cross_entropy")
    da = e.equations[-1]
    assert float(grads.a["y"][0]) == 1.0
    assert da.value == da.engine == 1.0
    assert "binary_cross_entropy's own term, σ(a) − y" in str(e)
    assert "squared error" not in str(e)


def test_explain_and_pictures_default_to_the_loss_the_gradients_record():
    net = ag.from_edge_list([("x", "y", 40.0)], output_activation="logistic")
    trace = net.forward([[1.0]])
    grads = net.backward(trace, [[0.0]], loss="binary_cross_entropy")
    assert grads.loss_function is ag.get_loss("binary_cross_entropy")
    assert str(ag.explain(net, trace, grads, "y")) == str(
        ag.explain(net, trace, grads, "y", loss="binary_cross_entropy")
    )
    assert net.to_graphviz(trace, grads).source == net.to_graphviz(trace, grads, loss="binary_cross_entropy").source
    reference = net.backward(net.forward([[1.0]], engine="reference"), [[0.0]], loss="mse")
    assert reference.loss_function is ag.get_loss("mse")


def _output_feeds_a_neuron():
    G = nx.DiGraph([("x", "o1"), ("o1", "h"), ("h", "o2"), ("x", "o2"), ("b", "o1"), ("b", "h")])
    nx.set_node_attributes(G, {"x": "input", "b": "bias", "o1": "output", "h": "hidden", "o2": "output"}, "kind")
    nx.set_node_attributes(G, {"o1": "logistic", "h": "tanh", "o2": "logistic"}, "activation")
    return ag.Network.from_networkx(G, seed=1)


@pytest.mark.parametrize("loss", ["squared_error", "mse", "binary_cross_entropy", "softmax_cross_entropy"])
def test_every_loss_adds_up_when_an_output_feeds_another_neuron(loss):
    net = _output_feeds_a_neuron()
    trace = net.forward([[0.3], [-0.7], [1.2]])
    grads = net.backward(trace, [[1, 0], [0, 1], [1, 1]], loss=loss)
    for k in ("o1", "h", "o2"):
        for b in range(3):
            e = ag.explain(net, trace, grads, k, example=b, loss=loss)
            for equation in e.equations:
                assert equation.value == pytest.approx(equation.engine, rel=1e-9, abs=1e-12), (k, b, str(e))
            assert e.equations[-1].engine == grads.a[k][b]
            if net.kind(k) == "output":
                assert f"{loss}'s own term" in str(e)


def test_explain_names_an_unknown_loss(example):
    net, trace, grads = example
    with pytest.raises(ag.UnknownLossError, match="'hinge'"):
        ag.explain(net, trace, grads, 9, loss="hinge")


def test_a_trace_of_another_network_is_stale(example):
    net, trace, grads = example
    other = net.copy()
    with pytest.raises(ag.StaleTraceError, match="another network"):
        ag.explain(other, trace, grads, 4)
