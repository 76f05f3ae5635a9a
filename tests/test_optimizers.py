"""Optimizers and step-size schedules: first steps by hand, convergence on a convex problem."""

import math

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.training.optimizers import get_optimizer

W0 = np.array([1.0, -2.0, 0.5])
G0 = np.array([0.4, -1.0, 0.0])
G1 = np.array([-0.2, 0.5, 3.0])


def linear_net(seed=0):
    """y = w_x1 x1 + w_x2 x2 + w_b: squared error is convex in the weights."""
    net = ag.Network(seed=seed)
    net.add_input("x1")
    net.add_input("x2")
    net.add_bias("b")
    net.add_output("y", activation="identity")
    for source in ("x1", "x2", "b"):
        net.connect(source, "y")
    return net


def linear_data(n=40, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    Y = X @ np.array([[1.5], [-0.7]]) + 0.3 + 0.1 * rng.normal(size=(n, 1))
    return X, Y


# ------------------------------------------------------------------ first steps by hand
def test_sgd_first_step_by_hand():
    opt = ag.SGD(learning_rate=0.1)
    opt.reset(3)
    np.testing.assert_array_equal(opt.step(W0, G0), [1.0 - 0.04, -2.0 + 0.1, 0.5])


def test_momentum_first_two_steps_by_hand():
    opt = ag.Momentum(learning_rate=0.1, momentum=0.9)
    opt.reset(3)
    w1 = opt.step(W0, G0)
    v1 = -0.1 * G0  # v starts at 0: the first step is plain SGD
    np.testing.assert_allclose(w1, W0 + v1, rtol=0, atol=1e-15)
    w2 = opt.step(w1, G1)
    np.testing.assert_allclose(w2, w1 + 0.9 * v1 - 0.1 * G1, rtol=0, atol=1e-15)


def test_adam_first_step_by_hand():
    opt = ag.Adam(learning_rate=0.01, beta1=0.9, beta2=0.999, eps=1e-8)
    opt.reset(3)
    w1 = opt.step(W0, G0)
    # m = 0.1 g, s = 0.001 g², m̂ = g, ŝ = g²: the step is η g / (|g| + ε), about η·sign(g)
    m_hat, s_hat = (0.1 * G0) / 0.1, (0.001 * G0**2) / 0.001
    np.testing.assert_allclose(w1, W0 - 0.01 * m_hat / (np.sqrt(s_hat) + 1e-8), rtol=0, atol=1e-15)
    np.testing.assert_allclose(w1, [1.0 - 0.01, -2.0 + 0.01, 0.5], rtol=0, atol=1e-9)
    w2 = opt.step(w1, G1)
    m = 0.9 * 0.1 * G0 + 0.1 * G1
    s = 0.999 * 0.001 * G0**2 + 0.001 * G1**2
    expected = w1 - 0.01 * (m / (1 - 0.9**2)) / (np.sqrt(s / (1 - 0.999**2)) + 1e-8)
    np.testing.assert_allclose(w2, expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_first_training_update_is_the_optimizers_step(name):
    # one full-batch epoch = one update: w1 = step(w0, ∂L/∂w from backward)
    net = linear_net()
    X, Y = linear_data()
    w0 = net.get_weights()
    gradient = net.backward(net.forward(X), Y).weights.flat
    opt = get_optimizer(name, 0.05)
    opt.reset(net.n_weights)
    expected = opt.step(w0, gradient)
    ag.train(net, X, Y, optimizer=name, learning_rate=0.05, epochs=1, batch_size=None, progress=False)
    np.testing.assert_array_equal(net.get_weights(), expected)


def test_step_does_not_modify_its_arguments():
    for opt in (ag.SGD(0.1), ag.Momentum(0.1), ag.Adam(0.1)):
        opt.reset(3)
        w, g = W0.copy(), G0.copy()
        opt.step(w, g)
        np.testing.assert_array_equal(w, W0)
        np.testing.assert_array_equal(g, G0)


# ------------------------------------------------------------------ a convex problem
@pytest.mark.parametrize(
    ("name", "learning_rate", "epochs"), [("sgd", 0.1, 200), ("momentum", 0.05, 200), ("adam", 0.05, 400)]
)
def test_optimizer_decreases_the_loss_to_the_least_squares_optimum(name, learning_rate, epochs):
    net = linear_net()
    X, Y = linear_data()
    result = ag.train(net, X, Y, optimizer=name, learning_rate=learning_rate, epochs=epochs, batch_size=None,
                      progress=False)  # fmt: skip
    losses = np.array(result.history.loss)
    assert losses[-1] < losses[0] / 10
    # the convex optimum: least squares on [x1, x2, 1]
    A = np.column_stack([X, np.ones(len(X))])
    optimum, *_ = np.linalg.lstsq(A, Y[:, 0], rcond=None)
    best = np.mean((A @ optimum - Y[:, 0]) ** 2)
    assert result.loss == pytest.approx(best, rel=1e-3)
    np.testing.assert_allclose(net.get_weights(), optimum, atol=1e-2)


def test_sgd_loss_decreases_every_step_with_a_small_step_size():
    net = linear_net()
    X, Y = linear_data()
    result = ag.train(net, X, Y, learning_rate=0.05, epochs=30, batch_size=None, progress=False)
    assert np.all(np.diff(result.history.loss) < 0)


# ------------------------------------------------------------------ schedules
def test_schedules_give_the_documented_step_sizes():
    t = np.arange(6)
    assert [ag.ConstantSchedule(0.3)(k) for k in t] == [0.3] * 6
    assert [ag.InverseTimeDecay(0.6, decay=0.5)(k) for k in t] == [0.6 / (1 + 0.5 * k) for k in t]
    assert [ag.ExponentialDecay(0.8, decay_rate=0.5, every=2)(k) for k in t] == [0.8 * 0.5 ** (k / 2) for k in t]
    assert [ag.StepDecay(1.0, factor=0.5, every=2)(k) for k in t] == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    assert ag.InverseTimeDecay(1.0, decay=1.0)(9) == pytest.approx(0.1)
    assert ag.ExponentialDecay(1.0, decay_rate=0.1, every=10)(20) == pytest.approx(0.01)


@pytest.mark.parametrize(
    "schedule",
    [ag.ConstantSchedule(0.05), ag.InverseTimeDecay(0.1, decay=0.3), ag.ExponentialDecay(0.1, decay_rate=0.9),
     ag.StepDecay(0.1, factor=0.5, every=3), lambda t: 0.1 / math.sqrt(t + 1)],
)  # fmt: skip
def test_training_uses_the_schedule_one_update_at_a_time(schedule):
    # stochastic mode on 4 examples: epoch e ends after 4e updates
    net = linear_net()
    X, Y = linear_data(n=4)
    w = net.get_weights()
    seen = []

    def record(log):
        seen.append((log.step_size, log.network.get_weights()))

    result = ag.train(net, X, Y, learning_rate=schedule, epochs=3, batch_size=1, shuffle=False, progress=False,
                      callbacks=[record])  # fmt: skip
    assert result.history.step_size == [schedule(t) for t in (0, 4, 8, 12)]
    assert [eta for eta, _ in seen] == [schedule(t) for t in (4, 8, 12)]
    # replaying the 12 updates by hand with the schedule gives the same weights, bit for bit
    for t in range(12):
        x, y = X[t % 4 : t % 4 + 1], Y[t % 4 : t % 4 + 1]
        net.set_weights(w)
        w = w - schedule(t) * net.backward(net.forward(x), y).weights.flat
    np.testing.assert_array_equal(seen[-1][1], w)


def test_bad_schedules_and_settings_are_clear_errors():
    with pytest.raises(ag.TrainingError, match=r"decay_rate must be a finite number in \(0, 1\], got 1.5"):
        ag.ExponentialDecay(0.1, decay_rate=1.5)
    with pytest.raises(ag.TrainingError, match="every must be a whole number ≥ 1, got 0"):
        ag.StepDecay(0.1, factor=0.5, every=0)
    with pytest.raises(ag.TrainingError, match="rate must be a finite number > 0, got -0.1"):
        ag.InverseTimeDecay(-0.1)
    with pytest.raises(ag.TrainingError, match="gave -0.5 at update 0"):
        ag.train(linear_net(), *linear_data(), learning_rate=lambda t: -0.5, progress=False)
    with pytest.raises(ag.TrainingError, match="unknown optimizer 'adamw'; known: sgd, momentum, adam"):
        ag.train(linear_net(), *linear_data(), optimizer="adamw", progress=False)
    with pytest.raises(ag.TrainingError, match="has its own"):
        ag.train(linear_net(), *linear_data(), optimizer=ag.Adam(), learning_rate=0.1, progress=False)
    with pytest.raises(ag.TrainingError, match=r"momentum must be a finite number in \[0, 1\), got 1.0"):
        ag.Momentum(0.1, momentum=1.0)


def test_optimizer_and_schedule_settings_share_one_rule_and_message():
    for make in (lambda: ag.Adam(eps=0), lambda: ag.Adam(eps=True), lambda: ag.Adam(eps=float("inf"))):
        with pytest.raises(ag.TrainingError, match="eps must be a finite number > 0"):
            make()
    with pytest.raises(ag.TrainingError, match=r"beta2 must be a finite number in \[0, 1\), got 'x'"):
        ag.Adam(beta2="x")
    with pytest.raises(ag.TrainingError, match=r"factor must be a finite number in \(0, 1\], got 0"):
        ag.StepDecay(0.1, factor=0, every=1)
    assert ag.ConstantSchedule(0).rate == 0 and ag.InverseTimeDecay(1, decay=0)(5) == 1.0
