"""Plain functions as activations: ``activation=lambda a: a**2``, the derivative by central differences."""

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.activations import from_callable


def test_a_lambda_works_everywhere_an_activation_name_does():
    square = lambda a: a**2  # noqa: E731
    net = ag.layered([1, 3, 1], activation=square, seed=0)
    assert net.activation(3).name == "lambda"
    assert net.activation(3) is net.activation(4)  # one activation per function: the neurons run as one group
    net.add_neuron("s", activation=np.sin)
    net.connect(1, "s")
    net.connect("s", 7)
    net.set_activation(7, np.tanh)
    x = np.array([[0.3], [-0.8]])
    trace = net.forward(x)
    z3 = trace.z[3]
    a3 = trace.a[3]
    assert np.array_equal(z3, a3**2)  # the function itself, exactly
    ag.check_gradients(net, x, [[1.0], [0.0]], atol=1e-8, rtol=1e-6)  # finite differences both ways


def test_the_derivative_rule_matches_hand_derivatives():
    a = np.linspace(-3, 3, 13)
    for function, derivative in [(lambda v: v**3, lambda v: 3 * v**2), (np.sin, np.cos), (np.exp, np.exp)]:
        act = from_callable(function)
        np.testing.assert_allclose(act.derivative(a, function(a)), derivative(a), rtol=1e-9, atol=1e-10)
    big = np.array([1e4])  # the step grows with |a|: still about 10 digits
    np.testing.assert_allclose(from_callable(lambda v: v**2).derivative(big, None), 2e4, rtol=1e-9)


def test_the_engines_agree_and_float32_stays_float32():
    net = ag.layered([2, 4, 1], activation=lambda a: a / (1 + np.abs(a)), seed=1)
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    y = [[1.0], [0.0]]
    compiled = net.backward(net.forward(x), y)
    reference = net.backward(net.forward(x, engine="reference"), y)
    np.testing.assert_allclose(compiled.weights.flat, reference.weights.flat, rtol=1e-12)
    trace = net.forward(x, dtype=np.float32)
    assert net.backward(trace, y).a[3].dtype == np.float32


def test_an_exact_derivative_is_an_activation_and_unsaved_functions_are_named(tmp_path):
    exact = ag.Activation("square", np.square, lambda a, z: 2 * a)
    net = ag.layered([1, 2, 1], activation=exact, seed=0)
    assert net.activation(3) is exact
    net.set_activation(3, lambda a: a**2)
    with pytest.raises(ag.SerializationError, match="'lambda', which is not registered"):
        ag.save(net, tmp_path / "net.json")
    with pytest.raises(ag.UnknownActivationError, match="known: elu"):
        ag.layered([1, 2, 1], activation=3.5)
