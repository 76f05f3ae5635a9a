"""check_gradients: passes on correct derivatives, fails loudly on a wrong one."""

import math
import re

import numpy as np
import pytest

import autograd_graph as ag

# tanh with a wrong derivative: σ'(a) should be 1 − z², not 1 − z
WRONG_TANH = ag.Activation("wrong_tanh", np.tanh, lambda a, z: 1 - z)
W_XH, W_BH, W_HY = 0.8, -0.3, 1.7


def net_with(activation) -> ag.Network:
    net = ag.Network()
    net.add_input("x")
    net.add_bias("b")
    net.add_neuron("h", activation)
    net.add_output("y")
    net.connect("x", "h", weight=W_XH)
    net.connect("b", "h", weight=W_BH)
    net.connect("h", "y", weight=W_HY)
    return net


@pytest.mark.parametrize("engine", ["compiled", "reference"])
def test_passes_on_the_running_example(engine):
    net = ag.running_example(seed=2)
    X, Y = np.array([[-0.5], [0.25], [1.5]]), np.array([[0.2], [0.4], [-0.1]])
    report = ag.check_gradients(net, X, Y, engine=engine)
    assert report.names[:2] == ["w[1→3]", "w[1→4]"] and report.names[-1] == "x[1]"
    assert len(report.names) == net.n_weights + 1
    np.testing.assert_allclose(report.analytic[:12], net.backward(net.forward(X), Y).weights.flat)
    assert report.max_error < 1e-8
    assert "analytic" in str(report) and "w[6→9]" in str(report)


def test_passes_with_a_correct_custom_activation():
    good = ag.Activation("good_tanh", np.tanh, lambda a, z: 1 - z * z)
    ag.check_gradients(net_with(good), [[0.4], [-1.1]], [[1.0], [0.0]])


@pytest.mark.parametrize("engine", ["compiled", "reference"])
def test_fails_on_a_wrong_derivative(engine):
    net = net_with(WRONG_TANH)
    before = net.get_weights()
    x, y = 0.4, 1.0
    with pytest.raises(ag.GradientCheckError) as info:
        ag.check_gradients(net, [[x]], [[y]], engine=engine)
    message = str(info.value)
    assert isinstance(info.value, AssertionError)
    assert message.startswith("∂L/∂w of w['x'→'h']")  # the first weight, into the neuron at fault

    # the values shown are backward's (with the wrong σ') and the true derivative
    z_h = math.tanh(W_XH * x + W_BH)
    da_y = 2 * (W_HY * z_h - y)
    numeric = da_y * W_HY * (1 - z_h**2) * x
    analytic = da_y * W_HY * (1 - z_h) * x
    shown = re.match(r".*analytic (\S+) but numeric (\S+) ", message)
    assert float(shown[1]) == pytest.approx(analytic, rel=1e-9)
    assert float(shown[2]) == pytest.approx(numeric, rel=1e-6)
    assert "3 of 4 values disagree" in message  # x→h, b→h and the input x; h→y is right
    np.testing.assert_array_equal(net.get_weights(), before)  # weights restored


def test_names_an_input_when_only_its_gradient_is_wrong():
    # σ'(a) wrong only through the input's own path: check only the input, no weights
    net = net_with(WRONG_TANH)
    with pytest.raises(ag.GradientCheckError, match=r"∂L/∂z \(summed over the batch\) of x\['x'\]"):
        ag.check_gradients(net, [[0.4]], [[1.0]], max_weights=0)


def test_subset_of_weights_is_seeded():
    net = ag.running_example(seed=0)
    first = ag.check_gradients(net, [[0.5]], [[1.0]], max_weights=5, seed=11)
    again = ag.check_gradients(net, [[0.5]], [[1.0]], max_weights=5, seed=11)
    assert first.names == again.names and len(first.names) == 6


# ------------------------------------------------------------------ regressions (the hardening issue, items 3 and 4)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_a_non_finite_derivative_fails_naming_the_edge(bad):
    # σ' is NaN (or inf): `NaN > tol` is false, so a plain comparison would let it pass
    broken = ag.Activation(f"tanh_with_{bad}_derivative", np.tanh, lambda a, z: np.full_like(a, bad))
    net = net_with(broken)
    with pytest.raises(
        ag.GradientCheckError, match=r"∂L/∂w of w\['x'→'h'\]: analytic -?(nan|inf) .*analytic not finite"
    ):
        ag.check_gradients(net, [[0.4]], [[1.0]])


def test_a_non_finite_numeric_side_fails_naming_the_input():
    # finite near the point, infinite one eps away: the numeric side is not finite, the analytic one finite
    edge = ag.Activation("finite_below_one", lambda a: np.where(np.abs(a) < 1, a, np.inf), lambda a, z: np.ones_like(a))
    with pytest.raises(
        ag.GradientCheckError, match=r"of x\['x'\]: analytic \S+ but numeric (nan|inf) \(numeric not finite\)"
    ):
        ag.check_gradients(net_with(edge), [[0.5]], [[1.0]], max_weights=0, eps=2.0)


def test_the_callers_traces_stay_valid_and_the_weights_keep_their_version():
    net = ag.running_example(seed=0)
    trace = net.forward([[0.3]])
    grads = net.backward(trace, [[1.0]])
    versions, weights = net.versions, net.get_weights()
    ag.check_gradients(net, [[0.3]], [[1.0]])
    assert net.versions == versions
    np.testing.assert_array_equal(net.get_weights(), weights)
    net.backward(trace, [[1.0]])  # no StaleTraceError
    assert "∂ℓ/∂w" in net.to_graphviz(trace, grads).source


def test_the_weights_come_back_after_a_failed_check():
    net = net_with(WRONG_TANH)
    trace, versions = net.forward([[0.4]]), net.versions
    with pytest.raises(ag.GradientCheckError):
        ag.check_gradients(net, [[0.4]], [[1.0]])
    assert net.versions == versions
    net.backward(trace, [[1.0]])
