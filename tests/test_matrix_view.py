"""The matrix view of a layered chain: W and b per layer equal to forward, by hand, round trips, identity collapse."""

import numpy as np
import pytest
from scipy.special import expit

import autograd_graph as ag
from autograd_graph.build.builders import from_edge_list, layered
from autograd_graph.build.matrix import from_matrices, identity_collapse, to_matrices

rng = np.random.default_rng(0)


def layered_networks():
    return [
        ag.running_example(seed=3),
        layered([4, 6, 5, 3], activation=["relu", "tanh"], output_activation="logistic", seed=1),
        layered([5, 7, 2], density=0.4, seed=2),
        layered([3, 4, 2], bias=[False, True], seed=3),
        from_edge_list(
            [("x", "h", 0.5), ("b", "h", 0.25), ("c", "h", -1.0), ("h", "y", 2.0), ("b2", "y", 1.0)],
            biases=["b", "c", "b2"],
        ),  # two bias neurons into one layer: their weights add up
    ]


@pytest.mark.parametrize("net", layered_networks(), ids=repr)
def test_matrix_view_equals_forward(net):
    view = to_matrices(net)
    X = rng.normal(size=(9, len(net.inputs)))
    trace = net.forward(X)
    np.testing.assert_allclose(view.forward(X), trace.output, rtol=0, atol=1e-13)
    # layer by layer too: a_k = A_k [z_{k-1}; 1]
    for A, previous, current in zip(view.matrices, view.layers[:-1], view.layers[1:], strict=True):
        z = np.column_stack([trace.z[n] for n in previous] + [np.ones(len(X))])
        a = np.column_stack([trace.a[n] for n in current])
        np.testing.assert_allclose(z @ A.T, a, rtol=0, atol=1e-13)


def test_running_example_matrices_by_hand():
    net = ag.running_example(weights=np.arange(1.0, 13.0))
    A2, A3, A4 = to_matrices(net).matrices
    np.testing.assert_array_equal(A2, [[1, 3], [2, 4]])
    np.testing.assert_array_equal(A3, [[5, 6, 8], [0, 7, 9]])  # no 3 → 7 edge
    np.testing.assert_array_equal(A4, [[10, 11, 12]])
    x = 0.3
    z = expit(A3 @ np.append(expit(A2 @ [x, 1]), 1))
    np.testing.assert_allclose(A4 @ np.append(z, 1), net.forward([[x]]).output[0], rtol=0, atol=1e-15)


def test_from_matrices_round_trip_and_column_by_column_weights():
    matrices = [rng.normal(size=(4, 3)), rng.normal(size=(5, 5)), rng.normal(size=(2, 6))]
    net = from_matrices(matrices, activation=["tanh", "relu"], output_activation="logistic")
    for got, want in zip(to_matrices(net).matrices, matrices, strict=True):
        np.testing.assert_array_equal(got, want)
    # net.edges is grouped by source neuron: the flat weights hold each A_k column by column
    np.testing.assert_array_equal(net.weights, np.concatenate([A.T.ravel() for A in matrices]))
    assert [st.block.kind for st in net.compile().schedule.stages] == ["view"] * 3


def test_from_matrices_checks_the_chain():
    with pytest.raises(ag.BuilderError, match="A_3 has 4 columns but layer 2 has 2 neurons; expected 3"):
        from_matrices([np.ones((2, 3)), np.ones((1, 4))])
    with pytest.raises(ag.BuilderError, match="at least one matrix"):
        from_matrices([])


@pytest.mark.parametrize("sizes", [[3, 5, 2], [2, 4, 4, 4, 1], [6, 1]])
def test_identity_collapse_equals_forward(sizes):
    net = layered(sizes, activation="identity", seed=sum(sizes))
    M = identity_collapse(net)
    assert M.shape == (sizes[-1], sizes[0] + 1)
    X = rng.normal(size=(7, sizes[0]))
    np.testing.assert_allclose(np.column_stack([X, np.ones(7)]) @ M.T, net.forward(X).output, rtol=0, atol=1e-13)


def test_identity_collapse_names_a_nonlinear_neuron():
    net = layered([2, 3, 1], activation="identity", seed=0)
    net.set_activation(5, "relu")
    with pytest.raises(ag.NonLinearNetworkError, match="neuron 5 has 'relu'"):
        identity_collapse(net)


def test_matrix_view_needs_a_layered_chain():
    with pytest.raises(ag.NotLayeredError):
        to_matrices(ag.densenet([2, 2, 1]))
    middle_output = from_edge_list([("x", "h"), ("h", "y")], outputs=["h", "y"])
    with pytest.raises(ag.MatrixViewError, match="output neuron 'h' is in layer 2 of 3"):
        to_matrices(middle_output)
