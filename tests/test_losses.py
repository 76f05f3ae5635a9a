"""The four losses: values and output gradients by hand, finite differences, stability."""

import warnings

import numpy as np
import pytest

import autograd_graph as ag

X = np.array([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0]])  # (batch, 2 inputs)
W = np.array([[0.3, -0.8], [1.1, 0.4], [-0.6, 0.9]])  # (3 outputs, 2 inputs)
B = np.array([0.1, -0.2, 0.05])  # bias weights of the 3 outputs


def one_layer(output_activation: str) -> ag.Network:
    """Inputs x0, x1 and a bias feeding outputs y0, y1, y2 (z = σ(W x + b))."""
    net = ag.Network()
    net.add_input("x0")
    net.add_input("x1")
    net.add_bias("b")
    for k in range(3):
        net.add_output(f"y{k}", output_activation)
        net.connect("x0", f"y{k}", weight=W[k, 0])
        net.connect("x1", f"y{k}", weight=W[k, 1])
        net.connect("b", f"y{k}", weight=B[k])
    return net


def by_hand(loss: str, Y: np.ndarray):
    """Per-example ℓ and ∂ℓ/∂a of the outputs, from the definitions."""
    A = X @ W.T + B  # (batch, 3)
    if loss == "binary_cross_entropy":
        Z = 1 / (1 + np.exp(-A))
        ell = -(Y * np.log(Z) + (1 - Y) * np.log(1 - Z)).sum(axis=1)
        return ell, Z - Y  # σ' = z (1 − z) cancels the denominator
    Z = A  # identity outputs
    if loss == "squared_error":
        return ((Y - Z) ** 2).sum(axis=1), 2 * (Z - Y)
    if loss == "mse":
        return ((Y - Z) ** 2).mean(axis=1), 2 * (Z - Y) / 3
    softmax = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    ell = -(Y * np.log(softmax)).sum(axis=1)
    return ell, softmax - Y  # Y's rows sum to 1


TARGETS = {
    "squared_error": np.array([[0.0, 1.0, -1.0], [2.0, 0.5, 0.0], [1.0, 1.0, 1.0]]),
    "mse": np.array([[0.0, 1.0, -1.0], [2.0, 0.5, 0.0], [1.0, 1.0, 1.0]]),
    "binary_cross_entropy": np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.3], [0.5, 1.0, 0.0]]),
    "softmax_cross_entropy": np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.2, 0.5, 0.3]]),
}


@pytest.mark.parametrize("loss", sorted(TARGETS))
@pytest.mark.parametrize("engine", ["compiled", "reference"])
def test_loss_values_and_gradients_by_hand(loss, engine):
    net = one_layer("logistic" if loss == "binary_cross_entropy" else "identity")
    Y = TARGETS[loss]
    ell, dell_da = by_hand(loss, Y)
    grads = net.backward(net.forward(X, engine=engine), Y, loss=loss)
    np.testing.assert_allclose(grads.losses, ell, rtol=1e-12, atol=1e-12)
    assert grads.loss == pytest.approx(ell.mean(), abs=1e-12)
    batch = len(X)
    for k in range(3):
        np.testing.assert_allclose(grads.a[f"y{k}"], dell_da[:, k] / batch, rtol=1e-10, atol=1e-12)
        expected = {("x0", f"y{k}"): X[:, 0], ("x1", f"y{k}"): X[:, 1], ("b", f"y{k}"): 1.0}
        for edge, z_source in expected.items():
            assert grads.weights[edge] == pytest.approx((dell_da[:, k] * z_source).sum() / batch, abs=1e-12)
    ag.check_gradients(net, X, Y, loss=loss, engine=engine)


def test_squared_error_is_the_default():
    net = one_layer("identity")
    Y = TARGETS["squared_error"]
    trace = net.forward(X)
    assert net.backward(trace, Y).loss == net.backward(trace, Y, loss="squared_error").loss


def test_losses_accept_loss_objects():
    net = one_layer("identity")
    Y = TARGETS["mse"]
    trace = net.forward(X)
    assert net.backward(trace, Y, loss=ag.LOSSES["mse"]).loss == net.backward(trace, Y, loss="mse").loss


def test_binary_cross_entropy_is_stable_for_saturated_outputs():
    net = ag.Network()
    net.add_input("x")
    net.add_output("y", "logistic")
    net.connect("x", "y", weight=1.0)
    X_big = np.array([[1e4], [-1e4], [800.0], [-800.0]])
    Y = np.array([[0.0], [1.0], [1.0], [0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or divide-by-zero warnings
        trace = net.forward(X_big)
        grads = net.backward(trace, Y, loss="binary_cross_entropy")
    # ℓ = softplus(a) − y a: about 1e4 for the two wrong predictions, ≈ 0 for the right ones
    np.testing.assert_allclose(grads.losses, [1e4, 1e4, 0.0, 0.0], rtol=1e-12, atol=1e-300)
    # ∂ℓ/∂a = σ(a) − y, even where σ'(a) underflows to 0
    np.testing.assert_allclose(grads.a["y"], np.array([1.0, -1.0, 0.0, 0.0]) / 4, atol=1e-300)


def test_softmax_cross_entropy_is_stable_for_large_logits():
    net = one_layer("identity")
    net.set_weights(net.get_weights() * 1e3)
    Y = TARGETS["softmax_cross_entropy"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grads = net.backward(net.forward(X), Y, loss="softmax_cross_entropy")
    assert np.isfinite(grads.losses).all() and np.isfinite(grads.weights.flat).all()


def test_logistic_is_stable_for_large_weighted_inputs():
    act = ag.get_activation("logistic")
    a = np.array([-1e4, -745.0, 0.0, 745.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = act.function(a)
        dz = act.derivative(a, z)
    np.testing.assert_array_equal(z[[0, 2, 4]], [0.0, 0.5, 1.0])
    assert np.isfinite(dz).all() and dz[2] == 0.25
