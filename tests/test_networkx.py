"""from_networkx / to_networkx: exact round trips, kind inference, seeded weights, any ids."""

import networkx as nx
import numpy as np
from helpers import graph_state

import autograd_graph as ag

CUBE = ag.Activation("cube", lambda a: a**3, lambda a, z: 3 * a**2)  # not in the table


def mixed_graph() -> nx.DiGraph:
    """Ids of several types, every kind, table and custom activations, awkward weights."""
    G = nx.DiGraph()
    G.add_node(("in", 0), kind="input")
    G.add_node("bias", kind="bias")
    G.add_node(7, kind="hidden", activation="tanh")
    G.add_node(frozenset({"h"}), kind="hidden", activation=CUBE)
    G.add_node("out", kind="output", activation="logistic")
    G.add_node(("in", 1), kind="input")
    G.add_node(2.5, kind="output", activation="identity")
    for u, v, w in [
        (("in", 1), 7, 0.1), (("in", 0), 7, 1 / 3), ("bias", 7, -2.0**-30),
        (7, frozenset({"h"}), np.pi), (("in", 0), frozenset({"h"}), -0.0),
        (frozenset({"h"}), "out", 1e-300), (7, "out", 123456.789), (7, 2.5, -1.0), ("bias", 2.5, 5e300),
    ]:  # fmt: skip
        G.add_edge(u, v, weight=w)
    return G


def assert_identical(G: nx.DiGraph, H: nx.DiGraph) -> None:
    assert list(G.nodes(data=True)) == list(H.nodes(data=True))  # node order and attributes
    assert list(G.edges) == list(H.edges)  # edge order
    for (u, v, w), (_, _, w2) in zip(G.edges(data="weight"), H.edges(data="weight"), strict=True):
        assert np.float64(w).tobytes() == np.float64(w2).tobytes(), (u, v)  # bit-identical (−0.0 too)
    assert nx.utils.graphs_equal(G, H)


def test_graph_round_trip_is_exact():
    G = mixed_graph()
    net = ag.Network.from_networkx(G)
    assert_identical(net.to_networkx(), G)
    assert net.edges == list(G.edges)
    assert net.inputs == [("in", 0), ("in", 1)] and net.outputs == ["out", 2.5]
    assert net.activation(frozenset({"h"})) is CUBE


def test_network_round_trip_is_exact():
    net = ag.running_example(seed=4)
    again = ag.Network.from_networkx(net.to_networkx())
    assert graph_state(again) == graph_state(net)
    X = np.linspace(-1, 1, 5)[:, None]
    np.testing.assert_array_equal(again.forward(X).output, net.forward(X).output)


def test_round_trip_keeps_weights_per_edge_in_any_edge_order():
    net = ag.Network(seed=0)
    for x in ("x1", "x2"):
        net.add_input(x)
    net.add_output("y")
    net.add_neuron("h")
    for edge in [("x2", "h"), ("x1", "y"), ("h", "y"), ("x1", "h")]:
        net.connect(*edge)
    again = ag.Network.from_networkx(net.to_networkx())
    assert list(again.graph.nodes(data=True)) == list(net.graph.nodes(data=True))
    assert {e: again.get_weight(*e) for e in again.edges} == {e: net.get_weight(*e) for e in net.edges}
    # the flat order of the copy is networkx's edge order (grouped by source neuron)
    assert again.edges == list(net.to_networkx().edges)


def test_round_trip_keeps_the_flat_weight_order():
    # regression: the flat order is networkx's G.edges order whatever order edges were connected in
    net = ag.Network(seed=0)
    net.add_input("x1")
    net.add_input("x2")
    net.add_output("y")
    net.connect("x2", "y", weight=2.0)
    net.connect("x1", "y", weight=1.0)
    assert net.edges == [("x1", "y"), ("x2", "y")] == list(net.to_networkx().edges)
    assert net.weights.tolist() == [1.0, 2.0]
    back = ag.Network.from_networkx(net.to_networkx())
    assert back.edges == net.edges
    assert back.weights.tolist() == net.weights.tolist()


def test_kinds_are_inferred_when_no_node_has_one():
    G = nx.DiGraph([("s1", "m"), ("s2", "m"), ("m", "t1"), ("m", "t2"), ("s1", "t2")])
    net = ag.Network.from_networkx(G, seed=0, hidden_activation="tanh", output_activation="logistic")
    assert net.inputs == ["s1", "s2"] and net.hidden == ["m"] and net.outputs == ["t1", "t2"]
    assert net.activation("m").name == "tanh" and net.activation("t1").name == "logistic"
    default = ag.Network.from_networkx(G, seed=0)
    assert default.activation("m").name == "logistic" and default.activation("t1").name == "identity"


def test_a_node_without_kind_is_hidden_when_others_have_kinds():
    G = nx.DiGraph([("x", "m"), ("m", "y")])
    G.nodes["x"]["kind"] = "input"
    G.nodes["y"]["kind"] = "output"
    assert ag.Network.from_networkx(G).hidden == ["m"]


def test_other_attribute_names():
    G = nx.DiGraph()
    G.add_node("x", role="input")
    G.add_node("y", role="output", fn="tanh")
    G.add_edge("x", "y", w=0.25, weight=99.0)
    net = ag.Network.from_networkx(G, kind="role", activation="fn", weight="w")
    assert net.outputs == ["y"] and net.activation("y").name == "tanh"
    assert net.get_weight("x", "y") == 0.25


def test_missing_weights_are_drawn_by_seed():
    G = nx.gnp_random_graph(30, 0.2, seed=1, directed=True)
    G = nx.DiGraph([(u, v) for u, v in G.edges if u < v])  # a DAG
    given = list(G.edges)[::3]
    for u, v in given:
        G.edges[u, v]["weight"] = 0.125
    a = ag.Network.from_networkx(G, seed=42)
    b = ag.Network.from_networkx(G, seed=42)
    c = ag.Network.from_networkx(G, seed=43)
    np.testing.assert_array_equal(a.weights, b.weights)
    drawn = [p for p, e in enumerate(a.edges) if e not in given]
    assert not np.array_equal(a.weights[drawn], c.weights[drawn])
    assert all(a.get_weight(*e) == 0.125 for e in given)
    bound = np.array([1 / np.sqrt(G.in_degree(v)) for _, v in a.edges])
    assert np.all(np.abs(a.weights) <= bound)


def test_from_networkx_does_not_change_the_graph():
    G = mixed_graph()
    del G.edges[7, 2.5]["weight"]
    copy = G.copy()
    ag.Network.from_networkx(G, seed=0).forward(np.zeros((1, 2)))
    assert list(G.edges(data=True)) == list(copy.edges(data=True)) and nx.utils.graphs_equal(G, copy)


def random_dag(n_nodes: int, n_edges: int, seed: int) -> nx.DiGraph:
    """Random edges i → j with i < j (so acyclic), duplicates dropped."""
    rng = np.random.default_rng(seed)
    u = rng.integers(0, n_nodes, n_edges)
    v = rng.integers(0, n_nodes, n_edges)
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    keep = lo < hi
    G = nx.DiGraph()
    G.add_nodes_from(range(n_nodes))
    G.add_edges_from(zip(lo[keep].tolist(), hi[keep].tolist(), strict=True))
    return G


def test_a_hundred_thousand_edges():
    G = random_dag(20_000, 100_000, seed=0)
    net = ag.Network.from_networkx(G, seed=0)
    assert net.n_weights == G.number_of_edges() > 90_000
    X = np.random.default_rng(1).uniform(-1, 1, (2, len(net.inputs)))
    trace = net.forward(X)
    grads = net.backward(trace, np.zeros((2, len(net.outputs))))
    assert np.isfinite(grads.weights.flat).all() and grads.weights.flat.shape == (net.n_weights,)
