"""The activation table: each derivative against finite differences of its function."""

import numpy as np
import pytest
from random_dags import ALL_ACTIVATIONS

import autograd_graph as ag

# points away from the kinks at 0, on both sides, float64
A = np.array([-30.0, -3.0, -1.0, -0.2, -1e-3, 1e-3, 0.2, 1.0, 3.0, 30.0])

EXPECTED = {  # σ(a) written out, for a few points
    "identity": lambda a: a,
    "logistic": lambda a: 1 / (1 + np.exp(-a)),
    "tanh": np.tanh,
    "relu": lambda a: np.where(a > 0, a, 0.0),
    "leaky_relu": lambda a: np.where(a > 0, a, 0.01 * a),
    "elu": lambda a: np.where(a > 0, a, np.exp(a) - 1),
    "softplus": lambda a: np.log1p(np.exp(a)),
    "step": lambda a: np.where(a >= 0, 1.0, 0.0),
}


def test_the_table_has_the_issue_activations():
    assert set(ALL_ACTIVATIONS) <= set(ag.ACTIVATIONS)
    assert set(EXPECTED) == set(ALL_ACTIVATIONS)


@pytest.mark.parametrize("name", ALL_ACTIVATIONS)
def test_function_values(name):
    np.testing.assert_allclose(ag.get_activation(name).function(A), EXPECTED[name](A), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("name", ALL_ACTIVATIONS)
def test_derivative_equals_finite_differences(name):
    act = ag.get_activation(name)
    eps = 1e-6
    numeric = (act.function(A + eps) - act.function(A - eps)) / (2 * eps)
    np.testing.assert_allclose(act.derivative(A, act.function(A)), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ALL_ACTIVATIONS)
def test_float32_stays_float32(name):
    a = A.astype(np.float32)
    act = ag.get_activation(name)
    z = act.function(a)
    assert z.dtype == np.float32 and act.derivative(a, z).dtype == np.float32


def test_step_is_a_threshold_with_zero_derivative():
    step = ag.get_activation("step")
    a = np.array([-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(step.function(a), [0.0, 1.0, 1.0])
    np.testing.assert_array_equal(step.derivative(a, step.function(a)), [0.0, 0.0, 0.0])


def test_user_defined_activation_by_object_and_by_name():
    cube = ag.Activation("cube_test", lambda a: a**3, lambda a, z: 3 * a**2)
    net = ag.Network()
    net.add_input("x")
    net.add_output("y", activation=cube)
    net.connect("x", "y", weight=2.0)
    np.testing.assert_allclose(net.forward([[0.5]]).output, [[1.0]])
    ag.check_gradients(net, [[0.5]], [[0.0]])
    registered = ag.register_activation("cube_test", cube.function, cube.derivative)
    try:
        assert ag.get_activation("cube_test") is registered
        with pytest.raises(ValueError, match="already exists"):
            ag.register_activation("cube_test", cube.function, cube.derivative)
        net.set_activation("y", "cube_test")
        assert net.to_networkx().nodes["y"]["activation"] == "cube_test"
    finally:
        del ag.ACTIVATIONS["cube_test"]
