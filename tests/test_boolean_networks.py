"""Boolean networks from truth tables, predicates and gates (McCulloch–Pitts, the perceptron), and bad tables named."""

import itertools

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.build.boolean import (
    all_inputs,
    and_neuron,
    from_predicate,
    from_truth_table,
    mcculloch_pitts,
    not_neuron,
    or_neuron,
    perceptron,
    truth_table,
)


def outputs_on_every_input(net, n):
    X = all_inputs(n)
    assert X.shape == (2**n, n)
    return net.forward(X).output[:, 0]


@pytest.mark.parametrize("table", list(itertools.product((0, 1), repeat=4)))
def test_all_16_functions_of_two_variables(table):
    net = from_truth_table(table)
    np.testing.assert_array_equal(outputs_on_every_input(net, 2), table)
    ones = sum(table)
    assert len(net.hidden) == min(ones, 4 - ones)  # one hidden neuron per row of the rarer value
    assert {net.activation(n).name for n in net.hidden + net.outputs} == {"step"}
    assert len(net.layers()) == (3 if net.hidden else 2)


@pytest.mark.parametrize("n", range(1, 7))
def test_random_functions_up_to_six_variables(n):
    rng = np.random.default_rng(n)
    for bias_towards_one in (0.2, 0.5, 0.8):
        table = (rng.random(2**n) < bias_towards_one).astype(int)
        net = from_truth_table(table)
        np.testing.assert_array_equal(outputs_on_every_input(net, n), table)
        assert len(net.hidden) == min(table.sum(), 2**n - table.sum())
        assert net.inputs == [f"x{i}" for i in range(1, n + 1)]


def test_predicates_and_mappings_give_the_same_networks():
    parity = from_predicate(lambda *bits: sum(bits) % 2 == 1, 5)
    np.testing.assert_array_equal(outputs_on_every_input(parity, 5), all_inputs(5).sum(axis=1) % 2)
    xnor = {(a, b): int(a == b) for a in (0, 1) for b in (0, 1)}
    net = from_truth_table(xnor)
    assert net.edges == from_truth_table([1, 0, 0, 1]).edges
    np.testing.assert_array_equal(outputs_on_every_input(net, 2), [1, 0, 0, 1])


def test_detector_neurons_fire_on_their_own_row_only():
    net = from_truth_table([0, 0, 0, 0, 0, 1, 0, 0])  # true on (1, 0, 1) only
    trace = net.forward(all_inputs(3))
    np.testing.assert_array_equal(trace.z["h1"], [0, 0, 0, 0, 0, 1, 0, 0])
    assert [net.get_weight(x, "h1") for x in ("x1", "x2", "x3", "b1")] == [1.0, -1.0, 1.0, -2.0]


def test_mcculloch_pitts_gates():
    for n in range(1, 5):
        X = all_inputs(n)
        np.testing.assert_array_equal(outputs_on_every_input(and_neuron(n), n), X.all(axis=1))
        np.testing.assert_array_equal(outputs_on_every_input(or_neuron(n), n), X.any(axis=1))
        for threshold in range(n + 1):
            net = mcculloch_pitts(n, threshold)
            assert net.get_weight("b1", "y") == -threshold  # the threshold sits in the bias weight
            np.testing.assert_array_equal(outputs_on_every_input(net, n), X.sum(axis=1) >= threshold)
    np.testing.assert_array_equal(outputs_on_every_input(not_neuron(), 1), [1, 0])
    inhibited = mcculloch_pitts(3, 1, inhibitory=[3])  # x1 or x2, unless x3
    X = all_inputs(3)
    np.testing.assert_array_equal(outputs_on_every_input(inhibited, 3), X[:, 0] + X[:, 1] - X[:, 2] >= 1)


def test_perceptron_computes_a_thresholded_weighted_sum():
    w, b = np.array([0.7, -1.3, 0.4]), 0.2
    X = np.random.default_rng(0).normal(size=(50, 3))
    net = perceptron(w, b)
    np.testing.assert_array_equal(net.forward(X).output[:, 0], (X @ w + b >= 0).astype(float))
    assert net.edges == [("x1", "y"), ("x2", "y"), ("x3", "y"), ("b1", "y")]


@pytest.mark.parametrize(
    "table, message",
    [
        ([0, 1, 1], "2\\^n rows"),
        ([1], "2\\^n rows"),
        ([0, 2, 1, 1], "row 1 of the truth table is 2"),
        ({(0, 0): 1, (1, 1): 0}, "no value for the rows"),
        ({(0,): 0, (1,): 1, (0, 1): 1}, r"rows \[\(0, 1\)\] that are not 1 bits"),
    ],
)
def test_bad_truth_tables(table, message):
    with pytest.raises(ag.TruthTableError, match=message):
        from_truth_table(table)


def test_bad_predicates_and_gates():
    with pytest.raises(ag.TruthTableError, match=r"f\(0, 1\) = 0.5"):
        truth_table(lambda a, b: 0.5 if b else 0, 2)
    with pytest.raises(ag.BuilderError, match="the number of boolean inputs must be a whole number ≥ 1"):
        from_predicate(lambda: 1, 0)
    with pytest.raises(ag.BuilderError, match="inhibitory input 4"):
        mcculloch_pitts(3, 1, inhibitory=[4])
    with pytest.raises(ag.BuilderError, match="at least one input"):
        perceptron([])
