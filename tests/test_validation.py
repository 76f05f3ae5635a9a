"""Every bad input: the exception class, a message naming the culprit, and the
network (or graph) left exactly as it was."""

import math
import re

import networkx as nx
import numpy as np
import pytest
from helpers import graph_state

import autograd_graph as ag


@pytest.fixture
def net() -> ag.Network:
    """x (input), b (bias) → h (logistic) → y (identity output), x → y."""
    net = ag.Network(seed=0)
    net.add_input("x")
    net.add_bias("b")
    net.add_neuron("h")
    net.add_output("y")
    for (u, v), w in {("x", "h"): 0.5, ("b", "h"): -0.25, ("h", "y"): 1.5, ("x", "y"): 0.75}.items():
        net.connect(u, v, weight=w)
    return net


def fails(net: ag.Network, call, error: type, *culprits: str):
    """Run ``call``; it must raise ``error`` naming each culprit and change nothing."""
    before = graph_state(net)
    with pytest.raises(error) as info:
        call()
    for culprit in culprits:
        assert culprit in str(info.value), f"{culprit!r} not in: {info.value}"
    assert graph_state(net) == before
    return info.value


def same_graph(G: nx.DiGraph, H: nx.DiGraph) -> bool:
    return nx.utils.graphs_equal(G, H) and list(G.edges(data=True)) == list(H.edges(data=True))


# ------------------------------------------------------------------ cycles
def test_cycle_via_connect_names_the_cycle(net):
    net.add_neuron("h2")
    net.connect("h", "h2", weight=1.0)
    error = fails(net, lambda: net.connect("h2", "h", weight=1.0), ag.CycleError, "'h2' → 'h' → 'h2'")
    assert error.cycle == [("h2", "h"), ("h", "h2")]
    assert isinstance(error, ValueError)


def test_self_loop(net):
    fails(net, lambda: net.connect("h", "h"), ag.InvalidEdgeError, "'h' → 'h'", "self-loop")


def test_cycle_via_from_networkx_names_the_cycle():
    G = nx.DiGraph([("x", "A"), ("A", "B"), ("B", "C"), ("C", "A"), ("C", "y")])
    nx.set_node_attributes(G, {"x": "input", "y": "output"}, "kind")
    copy = G.copy()
    with pytest.raises(ag.CycleError, match="'A' → 'B' → 'C' → 'A'") as info:
        ag.Network.from_networkx(G)
    assert sorted(info.value.cycle) == [("A", "B"), ("B", "C"), ("C", "A")]
    assert same_graph(G, copy)


# ------------------------------------------------------------------ edges into input or bias neurons
@pytest.mark.parametrize("target, kind", [("x", "input"), ("b", "bias")])
def test_edge_into_input_or_bias(net, target, kind):
    fails(net, lambda: net.connect("h", target), ag.InvalidEdgeError, f"'h' → '{target}'", f"{kind} neuron")


@pytest.mark.parametrize("kind", ["input", "bias"])
def test_edge_into_input_or_bias_from_networkx(kind):
    G = nx.DiGraph([("x", "y"), ("y", "z")])
    nx.set_node_attributes(G, {"x": "input", "y": kind, "z": "output"}, "kind")
    with pytest.raises(ag.InvalidEdgeError, match=f"'x' → 'y' heads into {kind} neuron 'y'"):
        ag.Network.from_networkx(G)


# ------------------------------------------------------------------ incomplete networks
@pytest.mark.parametrize("add", ["add_neuron", "add_output"])
@pytest.mark.parametrize("engine", ["compiled", "reference"])
def test_neuron_without_incoming_edge(net, add, engine):
    getattr(net, add)("lonely")
    kind = "hidden" if add == "add_neuron" else "output"
    fails(net, lambda: net.forward([[1.0]], engine=engine), ag.IncompleteNetworkError, f"{kind} neuron 'lonely'")
    fails(net, net.compile, ag.IncompleteNetworkError, "'lonely'")


def test_neuron_without_incoming_edge_from_networkx():
    G = nx.DiGraph([("x", "y")])
    G.add_node("h")
    nx.set_node_attributes(G, {"x": "input", "y": "output", "h": "hidden"}, "kind")
    with pytest.raises(ag.IncompleteNetworkError, match="hidden neuron 'h' has no incoming edge"):
        ag.Network.from_networkx(G)


def test_no_input():
    net = ag.Network()
    net.add_bias("b")
    net.add_output("y")
    net.connect("b", "y", weight=1.0)
    fails(net, lambda: net.forward(np.zeros((1, 0))), ag.IncompleteNetworkError, "no input neuron")


def test_no_output():
    net = ag.Network()
    net.add_input("x")
    net.add_neuron("h")
    net.connect("x", "h", weight=1.0)
    fails(net, lambda: net.forward([[1.0]]), ag.IncompleteNetworkError, "no output neuron")


def test_output_that_no_input_reaches_warns_and_computes_a_constant(net):
    net.add_output("const")
    net.connect("b", "const", weight=2.0)
    with pytest.warns(ag.UnreachableOutputWarning, match="'const'"):
        trace = net.forward([[1.0], [-3.0]])
    np.testing.assert_array_equal(trace.z["const"], [2.0, 2.0])
    G = net.to_networkx()
    with pytest.warns(ag.UnreachableOutputWarning, match="'const'"):
        ag.Network.from_networkx(G)


# ------------------------------------------------------------------ activations
@pytest.mark.parametrize("add", ["add_neuron", "add_output"])
def test_unknown_activation_lists_known_ones(net, add):
    def add_h3():
        getattr(net, add)("h3", activation="sigmoidal")

    error = fails(net, add_h3, ag.UnknownActivationError, "'sigmoidal'")
    for name in ag.ACTIVATIONS:
        assert name in str(error)
    assert "h3" not in net


def test_unknown_activation_in_set_activation(net):
    fails(net, lambda: net.set_activation("h", "sigmoidal"), ag.UnknownActivationError, "'sigmoidal'", "logistic")


def test_set_activation_of_an_input(net):
    fails(net, lambda: net.set_activation("x", "tanh"), ag.NetworkStructureError, "'x'", "input")


def test_unknown_activation_from_networkx():
    G = nx.DiGraph([("x", "y")])
    nx.set_node_attributes(G, {"x": "input", "y": "output"}, "kind")
    G.nodes["y"]["activation"] = "sigmoidal"
    with pytest.raises(ag.UnknownActivationError, match="'sigmoidal'.*identity.*tanh"):
        ag.Network.from_networkx(G)


# ------------------------------------------------------------------ weights
BAD_WEIGHTS = [math.nan, math.inf, -math.inf]


@pytest.mark.parametrize("bad", BAD_WEIGHTS)
def test_non_finite_weight_in_connect(net, bad):
    net.add_neuron("h2")
    fails(net, lambda: net.connect("x", "h2", weight=bad), ag.InvalidWeightError, "'x' → 'h2'", "finite")
    assert ("x", "h2") not in net.edges


@pytest.mark.parametrize("bad", BAD_WEIGHTS)
def test_non_finite_weight_in_set_weight(net, bad):
    fails(net, lambda: net.set_weight("h", "y", bad), ag.InvalidWeightError, "'h' → 'y'", "finite")


@pytest.mark.parametrize("bad", BAD_WEIGHTS)
def test_non_finite_weight_in_set_weights(net, bad):
    values = net.get_weights()
    values[net.edges.index(("h", "y"))] = bad
    fails(net, lambda: net.set_weights(values), ag.InvalidWeightError, "'h' → 'y'", "finite")
    # in a mapping, a good value before the bad one must not be applied either
    fails(net, lambda: net.set_weights({("x", "h"): 9.0, ("h", "y"): bad}), ag.InvalidWeightError, "'h' → 'y'")


@pytest.mark.parametrize("bad", ["0.5", True, None, [1.0]])
def test_weight_that_is_not_a_number(net, bad):
    fails(net, lambda: net.set_weight("h", "y", bad), ag.InvalidWeightError, "'h' → 'y'", "real number")


def test_wrong_number_of_weights(net):
    fails(net, lambda: net.set_weights(np.zeros(3)), ag.InvalidWeightError, "expected 4 weights")


@pytest.mark.parametrize("bad", BAD_WEIGHTS)
def test_non_finite_weight_from_networkx(bad):
    G = nx.DiGraph()
    G.add_edge("x", "h", weight=0.5)
    G.add_edge("h", "y", weight=bad)
    with pytest.raises(ag.InvalidWeightError, match="'h' → 'y'"):
        ag.Network.from_networkx(G)


# ------------------------------------------------------------------ unknown neurons and edges
@pytest.mark.parametrize("edge, missing", [(("x", "nope"), "'nope'"), (("nope", "y"), "'nope'")])
def test_edge_to_or_from_unknown_neuron(net, edge, missing):
    error = fails(net, lambda: net.connect(*edge), ag.UnknownNeuronError, missing)
    assert isinstance(error, KeyError)
    assert str(error) == f"no neuron {missing} in the network"  # no KeyError quoting


def test_unknown_edges(net):
    fails(net, lambda: net.disconnect("x", "b"), ag.UnknownEdgeError, "'x' → 'b'")
    fails(net, lambda: net.set_weight("y", "h", 1.0), ag.UnknownEdgeError, "('y', 'h')")
    fails(net, lambda: net.set_weights({("h", "x"): 1.0}), ag.UnknownEdgeError, "('h', 'x')")
    fails(net, lambda: net.get_weight("h", "x"), ag.UnknownEdgeError, "'h' → 'x'")


def test_unknown_neuron_lookups(net):
    fails(net, lambda: net.remove_neuron("nope"), ag.UnknownNeuronError, "'nope'")
    fails(net, lambda: net.kind("nope"), ag.UnknownNeuronError, "'nope'")
    fails(net, lambda: net.activation(["unhashable"]), ag.UnknownNeuronError, "['unhashable']")
    trace = net.forward([[1.0]])
    with pytest.raises(ag.UnknownNeuronError, match="'nope'"):
        trace.z["nope"]
    with pytest.raises(ag.UnknownEdgeError, match="'y', 'x'"):
        net.backward(trace, [[0.0]]).weights["y", "x"]


# ------------------------------------------------------------------ duplicates and bad ids
@pytest.mark.parametrize("add", ["add_input", "add_bias", "add_neuron", "add_output"])
def test_duplicate_neuron(net, add):
    fails(net, lambda: getattr(net, add)("h"), ag.DuplicateNeuronError, "'h'", "hidden")


def test_duplicate_edge(net):
    fails(net, lambda: net.connect("x", "h", weight=3.0), ag.DuplicateEdgeError, "'x' → 'h'", "set_weight")


@pytest.mark.parametrize("bad", [None, ["a", "list"]])
def test_bad_neuron_ids(net, bad):
    fails(net, lambda: net.add_neuron(bad), ag.NetworkStructureError, repr(bad))


def test_bad_kind_from_networkx():
    G = nx.DiGraph([("x", "y")])
    nx.set_node_attributes(G, {"x": "input", "y": "ouput"}, "kind")
    expected = "'y' has kind 'ouput'; expected one of input, bias, hidden, output"
    with pytest.raises(ag.NetworkStructureError, match=expected):
        ag.Network.from_networkx(G)


@pytest.mark.parametrize("graph", [nx.Graph([(1, 2)]), nx.MultiDiGraph([(1, 2)]), [(1, 2)]])
def test_from_networkx_needs_a_digraph(graph):
    with pytest.raises(ag.NetworkStructureError, match="expected a networkx DiGraph"):
        ag.Network.from_networkx(graph)


# ------------------------------------------------------------------ data shapes and keys
@pytest.mark.parametrize(
    "X, message",
    [
        (np.zeros((3, 2)), "shape (3, 2); expected (batch, 1)"),
        (np.zeros(2), "1-D with 2 values; one example needs 1"),
        (np.zeros((2, 1, 1)), "expected (batch, 1)"),
        ({"z": [1.0]}, "no values for neurons ['x']"),
        ({"x": [1.0], "w": [2.0]}, "keys ['w']"),
        ({"x": [[1.0, 2.0]]}, "1-D array"),
        ([["a"]], "must be numeric"),
    ],
)
def test_bad_inputs(net, X, message):
    fails(net, lambda: net.forward(X), ag.ShapeError, message)


@pytest.mark.parametrize(
    "Y, message",
    [
        (np.zeros((2, 2)), "Y has shape (2, 2); expected (batch, 1)"),
        (np.zeros((3, 1)), "Y has 3 examples but the trace has 2"),
        ({"h": [1.0, 2.0]}, "Y has no values for neurons ['y']"),
    ],
)
@pytest.mark.parametrize("engine", ["compiled", "reference"])
def test_bad_targets(net, Y, message, engine):
    trace = net.forward(np.zeros((2, 1)), engine=engine)
    fails(net, lambda: net.backward(trace, Y), ag.ShapeError, message)


def test_inputs_as_dict_and_one_dimensional(net):
    full = net.forward(np.array([[0.3], [0.6]])).output
    np.testing.assert_array_equal(net.forward({"x": [0.3, 0.6]}).output, full)
    np.testing.assert_array_equal(net.forward([0.3]).output, full[:1])  # one example
    assert net.forward(0.3 * np.ones(1)).output.shape == (1, 1)


# ------------------------------------------------------------------ losses and engines
def test_incompatible_loss(net):
    trace = net.forward([[1.0]])
    fails(
        net,
        lambda: net.backward(trace, [[1.0]], loss="binary_cross_entropy"),
        ag.IncompatibleLossError,
        "logistic",
        "'identity'",
    )


def test_unknown_loss(net):
    trace = net.forward([[1.0]])
    error = fails(net, lambda: net.backward(trace, [[1.0]], loss="hinge"), ag.UnknownLossError, "'hinge'")
    for name in ag.LOSSES:
        assert name in str(error)


def test_unknown_engine(net):
    fails(net, lambda: net.forward([[1.0]], engine="gpu"), ValueError, "'gpu'", "compiled", "reference")


# ------------------------------------------------------------------ removal
def test_remove_neuron_drops_its_edges_and_keeps_the_other_weights(net):
    net.remove_neuron("h")
    assert "h" not in net
    assert net.edges == [("x", "y")]
    np.testing.assert_array_equal(net.weights, [0.75])
    np.testing.assert_allclose(net.forward([[2.0]]).output, [[1.5]])


def test_disconnect_removes_the_edge_and_its_weight(net):
    net.disconnect("b", "h")
    assert net.edges == [("x", "h"), ("x", "y"), ("h", "y")]  # networkx's G.edges order
    np.testing.assert_array_equal(net.weights, [0.5, 0.75, 1.5])
    z_h = 1 / (1 + math.exp(-0.5 * 2.0))
    np.testing.assert_allclose(net.forward([[2.0]]).output, [[1.5 * z_h + 0.75 * 2.0]], rtol=1e-14)


def test_connect_after_every_edge_was_removed():
    # regression: the weight buffer shrank to size 0 and connect raised IndexError
    # after having half-added the edge
    net = ag.Network()
    net.add_input("x")
    net.add_output("y")
    net.connect("x", "y", weight=1.0)
    net.disconnect("x", "y")
    net.connect("x", "y", weight=2.0)
    assert net.edges == [("x", "y")]
    np.testing.assert_array_equal(net.weights, [2.0])
    for i in range(40):  # and the buffer keeps growing
        net.add_neuron(i)
        net.connect("x", i, weight=float(i))
    assert net.get_weight("x", 39) == 39.0 and net.n_weights == 41


def test_remove_then_rebuild_equals_building_directly(net):
    net.remove_neuron("h")
    net.add_neuron("h", "tanh")
    net.connect("x", "h", weight=0.5)
    net.connect("h", "y", weight=1.5)
    fresh = ag.Network()
    fresh.add_input("x")
    fresh.add_bias("b")
    fresh.add_output("y")
    fresh.add_neuron("h", "tanh")
    for (u, v), w in {("x", "y"): 0.75, ("x", "h"): 0.5, ("h", "y"): 1.5}.items():
        fresh.connect(u, v, weight=w)
    assert graph_state(net) == graph_state(fresh)
    X = np.array([[0.1], [0.2]])
    np.testing.assert_array_equal(net.forward(X).output, fresh.forward(X).output)


# ------------------------------------------------------------------ compile cache and stale traces
def test_changing_weights_does_not_recompile(net):
    plan = net.compile()
    net.set_weights(net.get_weights() * 2)
    net.set_weight("x", "h", 0.1)
    net.initialize(seed=3)
    assert net.compile() is plan
    net.forward([[1.0]])
    assert net.compile() is plan


@pytest.mark.parametrize(
    "change",
    [
        lambda n: n.add_neuron("new"),
        lambda n: n.connect("b", "y", weight=1.0),
        lambda n: n.disconnect("x", "y"),
        lambda n: n.remove_neuron("h"),
        lambda n: n.set_activation("h", "tanh"),
    ],
)
def test_structure_changes_recompile(net, change):
    plan = net.compile()
    change(net)
    if "new" in net:
        net.connect("x", "new", weight=1.0)
    assert net.compile() is not plan


@pytest.mark.parametrize("engine", ["compiled", "reference"])
@pytest.mark.parametrize(
    "change", [lambda n: n.set_weight("x", "h", 0.0), lambda n: n.add_input("x2"), lambda n: n.initialize(seed=1)]
)
def test_stale_trace(net, engine, change):
    trace = net.forward([[1.0]], engine=engine)
    change(net)
    with pytest.raises(ag.StaleTraceError, match=re.escape("call forward again")):
        net.backward(trace, [[0.0]])


def test_trace_of_another_network_is_rejected(net):
    # regression: a trace from another network with the same version counters was
    # accepted, giving gradients of neither network
    twin = ag.Network(seed=0)
    twin.add_input("x")
    twin.add_bias("b")
    twin.add_neuron("h")
    twin.add_output("y")
    for (u, v), w in {("x", "h"): 5.0, ("b", "h"): 1.0, ("h", "y"): -2.0, ("x", "y"): 3.0}.items():
        twin.connect(u, v, weight=w)
    trace = twin.forward([[1.0]])
    net.forward([[1.0]])
    with pytest.raises(ag.StaleTraceError, match="another network"):
        net.backward(trace, [[0.0]])
    copy = net.copy()
    with pytest.raises(ag.StaleTraceError, match="another network"):
        copy.backward(net.forward([[1.0]]), [[0.0]])


def _connected_out_of_order() -> ag.Network:
    net = ag.Network(seed=0)
    net.add_input(1)
    net.add_bias(2)
    net.add_neuron(3)
    net.add_output(9)
    for u, v in [(1, 3), (2, 3), (3, 9), (2, 9)]:  # not grouped by source: the flat order is rebuilt
        net.connect(u, v)
    return net


def test_set_weight_after_connecting_out_of_order_writes_the_named_edge():
    # regression: positions were read before the flat vector was put in canonical order
    net = _connected_out_of_order()
    before = dict(zip(net.edges, net.weights, strict=True))
    fresh = _connected_out_of_order()
    fresh.set_weight(3, 9, 7.0)  # without reading the weights first
    assert fresh.get_weight(3, 9) == 7.0
    assert all(fresh.get_weight(*e) == w for e, w in before.items() if e != (3, 9))


@pytest.mark.parametrize("dtype", [int, "int32", bool, "not a dtype"])
def test_dtype_must_be_floating(net, dtype):
    fails(net, lambda: net.forward([[1.0]], dtype=dtype), ag.InvalidDtypeError, "floating", repr(dtype))
    with pytest.raises(ag.InvalidDtypeError):
        ag.Network(dtype=dtype)
    with pytest.raises(ag.InvalidDtypeError):
        net.dtype = dtype
    assert net.dtype == np.float64


def test_bad_seed_and_engine_are_named(net):
    with pytest.raises(ag.InvalidSeedError, match="-1"):
        ag.Network(seed=-1)
    fails(net, lambda: net.initialize(seed="x"), ag.InvalidSeedError, "'x'")
    fails(net, lambda: net.forward([[1.0]], engine="fast"), ag.UnknownEngineError, "'fast'", "compiled")


@pytest.mark.parametrize("X", [np.zeros((0, 1)), {"x": []}])
def test_an_empty_batch_is_an_error(net, X):
    with pytest.raises(ag.ShapeError, match="no examples"):
        net.forward(X)
