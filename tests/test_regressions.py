"""Regression tests of the hardening issue (the faults found when the library was attacked), one section per
item that has no test file of its own: each fails on the code before its fix."""

import copy
import unicodedata

import networkx as nx
import numpy as np
import pytest

import autograd_graph as ag
from tests.helpers import graph_state


# ------------------------------------------------------------------ 5. generated names never come from ids
def test_per_example_sgd_keeps_neurons_whose_ids_are_nfkc_equal_apart():
    fi, ligature = "fi", "\ufb01"  # "ﬁ": Python identifiers are NFKC-normalized, so both would be `fi`
    assert fi != ligature and unicodedata.normalize("NFKC", ligature) == fi
    net = ag.Network()
    net.add_input(fi)
    net.add_input(ligature)
    net.add_output("y", "identity")
    net.connect(fi, "y", weight=1.0)
    net.connect(ligature, "y", weight=2.0)
    assert ag.sgd_source(net) is not None  # the straight-line code, not the array fallback
    X, Y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[3.0], [0.1]])
    losses = ag.per_example_sgd(net, X, Y, 0.05)
    # by hand: z = 1, ℓ = (1 − 3)² = 4, w_fi −= 0.05·2(1 − 3)·1 → 1.2 (w_ﬁ stays: x_ﬁ = 0);
    # then z = w_ﬁ = 2, ℓ = 1.9² = 3.61, w_ﬁ −= 0.05·2·1.9 → 1.81 (w_fi stays)
    np.testing.assert_allclose(losses, [4.0, 3.61], rtol=1e-12)
    assert net.get_weight(fi, "y") == pytest.approx(1.2) and net.get_weight(ligature, "y") == pytest.approx(1.81)


# ---------------------------------------------------------- 6. results and weights never change under the caller
def test_trace_and_gradient_arrays_are_read_only():
    net = ag.running_example(seed=0)
    trace = net.forward([[0.3], [0.7]])
    grads = net.backward(trace, [[1.0], [0.0]])
    for array in (trace.a.array, trace.z.array, trace.output, trace.z[9], grads.a.array, grads.z.array,
                  grads.weights.flat, grads.losses):  # fmt: skip
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 5.0
    again = net.backward(trace, [[1.0], [0.0]])
    np.testing.assert_array_equal(again.weights.flat, grads.weights.flat)


def test_net_weights_is_a_snapshot_that_never_changes():
    net = ag.running_example(seed=0)
    w = net.weights
    before = w.copy()
    net.set_weights(before * 2)
    net.set_weight(1, 3, 7.0)
    np.testing.assert_array_equal(w, before)  # the array read before the changes
    assert not w.flags.writeable
    np.testing.assert_array_equal(net.weights, (before * 2).tolist()[:0] + [7.0] + (before * 2).tolist()[1:])


@pytest.mark.parametrize("how", [copy.copy, copy.deepcopy, ag.Network.copy])
def test_copies_are_independent_and_refuse_the_originals_traces(how):
    net = ag.running_example(seed=0)
    trace = net.forward([[0.3]])
    twin = how(net)
    assert graph_state(twin) == graph_state(net)
    with pytest.raises(ag.StaleTraceError, match="another network"):
        twin.backward(trace, [[1.0]])
    twin.set_weight(1, 3, 9.0)
    twin.connect(1, 9, weight=0.5)
    assert net.get_weight(1, 3) != 9.0 and net.n_weights == 12
    net.backward(trace, [[1.0]])  # the original's trace is still the original's


def test_setting_the_same_weights_keeps_traces_valid():
    net = ag.running_example(seed=0)
    trace = net.forward([[0.3]])
    net.set_weights(net.get_weights())
    net.set_weights({(1, 3): net.get_weight(1, 3)})
    net.backward(trace, [[1.0]])
    net.set_weight(1, 3, net.get_weight(1, 3) + 1.0)
    with pytest.raises(ag.StaleTraceError):
        net.backward(trace, [[1.0]])


def test_preserving_weights_restores_values_and_version():
    net = ag.running_example(seed=0)
    trace, versions, weights = net.forward([[0.3]]), net.versions, net.get_weights()
    with net.preserving_weights():
        net.set_weights(weights * 3)
    assert net.versions == versions
    np.testing.assert_array_equal(net.get_weights(), weights)
    net.backward(trace, [[1.0]])


# ------------------------------------------------------------------ 7. softmax cross-entropy over one output
def test_softmax_cross_entropy_on_one_output_is_an_error():
    net = ag.running_example(seed=0)
    trace = net.forward([[0.3]])
    with pytest.raises(ag.IncompatibleLossError, match="needs at least 2 output neurons, the network has 1"):
        net.backward(trace, [[1.0]], loss="softmax_cross_entropy")
    with pytest.raises(ag.IncompatibleLossError):
        ag.evaluate(net, [[0.3]], [[1.0]], loss="softmax_cross_entropy")


# ----------------------------------------------------- 7. accuracy of a classifier trained with squared error
def test_evaluate_infers_a_classifier_from_its_targets():
    net = ag.running_example(seed=0)
    X = np.array([[-1.0], [0.0], [1.0], [2.0]])
    labels = np.array([[0.0], [1.0], [1.0], [0.0]])
    got = ag.evaluate(net, X, labels)  # squared error, 0/1 targets: a classifier
    assert got.accuracy == ag.accuracy(net.forward(X).output, labels)
    assert np.isnan(ag.evaluate(net, X, labels * 0.5).accuracy)  # a regression: no classes
    assert np.isnan(ag.evaluate(net, X, labels, classification=False).accuracy)
    result = ag.train(net, X, labels, epochs=2, seed=0, progress=False)
    assert not np.isnan(result.history.accuracy).any()  # training reports it too


# ------------------------------------------------------------------ 14. errors that name the culprit
HUGE = 10**5000  # more digits than Python prints (sys.get_int_max_str_digits(): 4300)


def test_an_id_python_cannot_print_is_refused_and_lookups_name_it_safely():
    net = ag.running_example(seed=0)
    before = graph_state(net)
    for add in (net.add_input, net.add_bias, net.add_neuron, net.add_output):
        with pytest.raises(ag.NetworkStructureError, match=r"neuron <an integer of 5001 digits, 0x[0-9a-f]+…0+> cannot "
                           r"be a neuron id: Python does not print integers of more than \d+ digits"):  # fmt: skip
            add(HUGE)
    with pytest.raises(ag.NetworkStructureError, match=r"neuron \(1, <an integer of 5001 digits"):
        net.add_input((1, HUGE))
    with pytest.raises(ag.UnknownNeuronError, match="no neuron <an integer of 5001 digits"):
        net.kind(HUGE)
    with pytest.raises(ag.UnknownNeuronError, match="no neuron <an integer of 5001 digits"):
        net.connect(HUGE, 9)
    with pytest.raises(ag.UnknownEdgeError, match=r"no edge 1 → <an integer of 5001 digits"):
        net.get_weight(1, HUGE)
    with pytest.raises(ag.UnknownEdgeError, match=r"no edge \(1, <an integer"):
        net.set_weights({(1, HUGE): 1.0})
    with pytest.raises(ag.UnknownNeuronError, match="no neuron <an integer"):
        net.forward([[0.5]]).z[HUGE]
    assert graph_state(net) == before
    with pytest.raises(ag.NetworkStructureError, match="cannot be a neuron id"):
        ag.Network.from_networkx(nx.DiGraph([(HUGE, "y")]))


def test_backward_of_something_that_is_no_trace_is_a_library_error():
    net = ag.running_example(seed=0)
    with pytest.raises(ag.InvalidTraceError, match="trace: expected a Trace from net.forward") as info:
        net.backward("x", [[1.0]])
    assert isinstance(info.value, TypeError) and isinstance(info.value, ag.AutogradGraphError)


@pytest.mark.parametrize("weight", [10**400, -(10**400), float("inf"), float("nan"), 1j, "0.5"])
def test_connect_refuses_weights_that_are_no_finite_real_number(weight):
    net = ag.running_example(seed=0)
    before = graph_state(net)
    with pytest.raises(ag.InvalidWeightError, match="weight of edge 1 → 9 must be"):
        net.connect(1, 9, weight=weight)
    assert graph_state(net) == before


@pytest.mark.parametrize("scale", ["2", float("inf"), float("nan"), 0, -1.0, 1j, None])
def test_initialize_checks_the_scale_before_redrawing(scale):
    net = ag.running_example(seed=0)
    before = graph_state(net)
    with pytest.raises(ag.InvalidWeightError, match="scale must be a finite number > 0"):
        net.initialize(3, scale=scale)
    assert graph_state(net) == before


# ------------------------------------------------------------------ 16. from_networkx names the neuron; igraph's unset
def test_an_unknown_activation_from_networkx_names_the_neuron():
    G = nx.DiGraph([("x", "h"), ("h", "y")])
    G.nodes["h"]["activation"] = "softmax"
    with pytest.raises(ag.UnknownActivationError, match=r"neuron 'h': unknown activation 'softmax'"):
        ag.Network.from_networkx(G)


@pytest.mark.parametrize("unset", ["", "None"])
def test_igraphs_unset_attributes_count_as_missing(unset):
    G = nx.DiGraph([("x", "h"), ("h", "y")])
    nx.set_node_attributes(G, {"x": "input", "h": unset, "y": "output"}, "kind")
    nx.set_node_attributes(G, {"x": unset, "h": unset, "y": "tanh"}, "activation")
    net = ag.Network.from_networkx(G, hidden_activation="relu", seed=0)
    assert (net.inputs, net.hidden, net.outputs) == (["x"], ["h"], ["y"])
    assert net.activation("h").name == "relu" and net.activation("y").name == "tanh"
    nx.set_node_attributes(G, unset, "kind")  # no node has a kind: sources are inputs, sinks outputs
    assert ag.Network.from_networkx(G, seed=0).inputs == ["x"]


# ------------------------------------------------------------------ 17. float32 and float64 only, end to end
@pytest.mark.parametrize("dtype", [np.float16, np.longdouble, np.int64, "complex128", "f2"])
def test_only_float32_and_float64_passes(dtype):
    with pytest.raises(ag.InvalidDtypeError, match="dtype must be a floating type, float64 or float32"):
        ag.Network(dtype=dtype)
    with pytest.raises(ag.InvalidDtypeError, match="float64 or float32"):
        ag.running_example().forward([[0.5]], dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float16, np.longdouble, np.int8, np.float32])
def test_inputs_of_any_real_dtype_are_computed_in_the_networks(dtype):
    net = ag.running_example(seed=0)
    want = net.forward([[0.5]]).output
    got = net.forward(np.array([[0.5]], dtype=dtype) if dtype != np.int8 else np.array([[1]], dtype=dtype))
    assert got.output.dtype == np.float64
    if dtype != np.int8:
        np.testing.assert_allclose(got.output, want, rtol=1e-6)
    assert net.forward(np.array([[0.5]], dtype=dtype), dtype=np.float32).output.dtype == np.float32
