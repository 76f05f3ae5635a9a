"""A→B, A→C, B→C: the smallest network that is not layered, checked by hand."""

import math

import networkx as nx
import numpy as np
import pytest

import autograd_graph as ag

W_AB, W_AC, W_BC = 0.7, -1.3, 2.1


def sigma(t: float) -> float:
    return 1.0 / (1.0 + math.exp(-t))


@pytest.fixture
def net() -> ag.Network:
    net = ag.Network()
    net.add_input("A")
    net.add_neuron("B", activation="tanh")
    net.add_output("C", activation="logistic")
    net.connect("A", "B", weight=W_AB)
    net.connect("A", "C", weight=W_AC)
    net.connect("B", "C", weight=W_BC)
    return net


def test_not_layered_names_the_skip_edge(net):
    assert not net.is_layered()
    with pytest.raises(ag.NotLayeredError, match="'A' → 'C'") as info:
        net.layers()
    assert info.value.edge == ("A", "C")
    assert isinstance(info.value, ValueError)


def test_generations_and_depth(net):
    assert net.generations() == [["A"], ["B"], ["C"]]
    assert net.depth() == 2


def test_from_networkx_without_kinds_is_the_same_network():
    G = nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C")])
    net = ag.Network.from_networkx(G, seed=0)
    assert (net.inputs, net.hidden, net.outputs) == (["A"], ["B"], ["C"])
    assert not net.is_layered()
    with pytest.raises(ag.NotLayeredError) as info:
        net.layers()
    assert info.value.edge == ("A", "C")


@pytest.mark.parametrize("engine", ["compiled", "reference"])
def test_forward_and_backward_by_hand(net, engine):
    xs, ys = [0.5, -1.2, 2.0], [0.1, 0.9, 0.4]
    batch = len(xs)
    trace = net.forward(np.array(xs)[:, None], engine=engine)
    grads = net.backward(trace, np.array(ys)[:, None])
    dw = {("A", "B"): 0.0, ("A", "C"): 0.0, ("B", "C"): 0.0}
    for n, (x, y) in enumerate(zip(xs, ys, strict=True)):
        a_B = W_AB * x
        z_B = math.tanh(a_B)
        a_C = W_AC * x + W_BC * z_B
        z_C = sigma(a_C)
        dz_C = 2 * (z_C - y)
        da_C = dz_C * z_C * (1 - z_C)
        dz_B = da_C * W_BC
        da_B = dz_B * (1 - z_B**2)
        dz_A = da_C * W_AC + da_B * W_AB  # A feeds B and C: both terms add up
        for name, got, want in [
            ("a_B", trace.a["B"][n], a_B), ("z_B", trace.z["B"][n], z_B),
            ("a_C", trace.a["C"][n], a_C), ("z_C", trace.z["C"][n], z_C),
            ("∂L/∂z_C", grads.z["C"][n], dz_C / batch), ("∂L/∂a_C", grads.a["C"][n], da_C / batch),
            ("∂L/∂z_B", grads.z["B"][n], dz_B / batch), ("∂L/∂a_B", grads.a["B"][n], da_B / batch),
            ("∂L/∂z_A", grads.z["A"][n], dz_A / batch),
        ]:  # fmt: skip
            assert got == pytest.approx(want, abs=1e-12), (name, n)
        dw["A", "B"] += da_B * x / batch
        dw["A", "C"] += da_C * x / batch
        dw["B", "C"] += da_C * z_B / batch
    for edge, value in dw.items():
        assert grads.weights[edge] == pytest.approx(value, abs=1e-12), edge


def test_longer_skip_is_named():
    # x → h1 → h2 → y plus the skip x → y
    G = nx.DiGraph([("x", "h1"), ("h1", "h2"), ("h2", "y"), ("x", "y")])
    net = ag.Network.from_networkx(G, seed=0)
    with pytest.raises(ag.NotLayeredError, match="'x' → 'y'") as info:
        net.layers()
    assert info.value.edge == ("x", "y")


def test_neuron_that_would_precede_the_input_layer():
    # b → h → y and x → y: y is in layer 2 (x is an input), so h would be in layer 1
    # and the bias b in layer 0, before the input layer
    net = ag.Network(seed=0)
    net.add_input("x")
    net.add_bias("b")
    net.add_neuron("h")
    net.add_output("y")
    for edge in [("x", "y"), ("b", "h"), ("h", "y")]:
        net.connect(*edge)
    assert not net.is_layered()
    with pytest.raises(ag.NotLayeredError, match="'b' → 'h'") as info:
        net.layers()
    assert info.value.edge == ("b", "h")
