"""Regression tests of the hardening issue (the faults found when the library was attacked), one section per
item that has no test file of its own: each fails on the code before its fix."""

import copy
import unicodedata

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
