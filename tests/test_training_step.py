"""The training loop's fast path keeps its numbers: TrainingStep against the public passes (bit for
bit), in-place optimizers against their step, and the loop against the loop it replaced."""

import numpy as np
import pytest
from test_fast_paths import NETS, data, interleaved_net, layered_net, sparse_net

import autograd_graph as ag
from autograd_graph.engines.step import TrainingStep
from autograd_graph.training.optimizers import SGD, Adam, Momentum, Optimizer


def mixed_net(seed: int = 0) -> ag.Network:
    """Outputs in two generations (rows not contiguous), an output feeding a neuron, two bias
    neurons into one neuron, a dense block with holes (scatter) and a stage fed by biases only."""
    rng = np.random.default_rng(seed)
    net = ag.Network(seed=seed)
    for name in ("x0", "x1", "x2"):
        net.add_input(name)
    net.add_bias("b0")
    net.add_bias("b1")
    net.add_neuron("c", "tanh")  # biases only, alone in its generation
    net.add_neuron("h0", "logistic")
    net.add_neuron("h1", "logistic")
    net.add_output("y0", "identity")
    net.add_neuron("h2", "relu")
    net.add_output("y1", "tanh")
    for s, t in [("b0", "c"), ("b1", "c"), ("x0", "h0"), ("x1", "h0"), ("x2", "h1"), ("b0", "h0"), ("b1", "h0"),
                 ("c", "h0"), ("c", "h1"), ("h0", "y0"), ("h1", "y0"), ("c", "y0"), ("y0", "h2"), ("x1", "h2"),
                 ("h2", "y1"), ("h0", "y1"), ("b0", "y1")]:  # fmt: skip
        net.connect(s, t, weight=rng.uniform(-1, 1))
    return net


ALL_NETS = {**NETS, "mixed": mixed_net}
LOSSES = ["squared_error", "mse", "softmax_cross_entropy"]


def test_mixed_net_has_what_it_is_named_for():
    sc = mixed_net().compile().schedule
    assert not np.array_equal(np.diff(sc.output_rows), np.ones(len(sc.outputs) - 1))
    assert np.unique(sc.bias_targets).size < sc.bias_targets.size
    assert any(st.block is None for st in sc.stages)


@pytest.mark.parametrize("make", ALL_NETS.values(), ids=ALL_NETS.keys())
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("batch", [1, 5])
def test_the_step_gradient_is_the_public_gradient_bit_for_bit(make, loss, dtype, batch):
    net = make()
    X, Y = data(net, batch)
    step = TrainingStep(net.compile(), loss, dtype, net.weights)
    for k in range(3):  # the step's buffers and prepared weights are reused, after updates in place
        dw = step.gradient(X, Y)
        want = net.backward(net.forward(X, dtype=dtype), Y, loss=loss).weights.flat
        assert dw.dtype == want.dtype
        np.testing.assert_array_equal(dw, want)
        step.w -= 0.3 * dw
        step.w[0] += 0.1 * (k + 1)
        step.refresh()
        net.set_weights(step.w)


def test_the_step_agrees_with_the_reference_engine_and_binary_cross_entropy():
    net = sparse_net()
    for k in net.outputs:
        net.set_activation(k, "logistic")
    X, Y = data(net, 4)
    Y = (Y > 0).astype(float)
    step = TrainingStep(net.compile(), "binary_cross_entropy", np.float64, net.weights)
    want = net.backward(net.forward(X, engine="reference"), Y, loss="binary_cross_entropy").weights.flat
    np.testing.assert_allclose(step.gradient(X, Y), want, rtol=1e-10, atol=1e-12)


def test_batches_of_two_sizes_keep_their_own_buffers():
    net = layered_net()
    X, Y = data(net, 7)
    step = TrainingStep(net.compile(), "squared_error", np.float64, net.weights)
    long, short = step.gradient(X[:4], Y[:4]).copy(), step.gradient(X[4:], Y[4:]).copy()
    np.testing.assert_array_equal(step.gradient(X[:4], Y[:4]), long)
    np.testing.assert_array_equal(short, net.backward(net.forward(X[4:]), Y[4:]).weights.flat)


def test_a_non_finite_value_gives_none_and_so_does_an_overflowing_check():
    net = ag.running_example(seed=0, activation="tanh")
    X, Y = np.array([[1.0], [1.0]]), np.zeros((2, 1))
    net.set_weight(1, 3, 1e308)  # a_3 = 1e308 + w_2,3 per example: finite, tanh(a_3) = 1
    step = TrainingStep(net.compile(), "squared_error", np.float64, net.weights)
    with np.errstate(over="ignore", invalid="ignore"):
        assert step.gradient(X, Y) is None  # the sum of a_3 over the batch overflows, nothing is infinite
        assert step.gradient(X[:1], Y[:1]) is not None
        net.set_weight(2, 3, 1e308)
        step.load(net.weights)
        assert step.gradient(X[:1], Y[:1]) is None  # a_3 = inf


@pytest.mark.parametrize(
    "make", [lambda: SGD(0.1), lambda: Momentum(0.1, 0.7), lambda: Adam(0.05), lambda: Adam(lambda t: 0.1 / (1 + t))]
)
def test_step_into_makes_the_update_of_step_bit_for_bit(make):
    rng = np.random.default_rng(0)
    a, b = make(), make()
    a.reset(50)
    b.reset(50)
    w_a = rng.standard_normal(50)
    w_b = w_a.copy()
    for _ in range(5):
        g = rng.standard_normal(50) * 10.0 ** rng.integers(-6, 3)
        w_a = a.step(w_a, g)
        b.step_into(w_b, g)
        np.testing.assert_array_equal(w_b, w_a)
    assert a.t == b.t == 5


def test_adam_step_into_past_the_point_where_its_first_correction_is_one_is_step_bit_for_bit():
    """From t ≈ 350 at β₁ = 0.9, 1 − β₁^(t+1) rounds to 1 and step_into skips the division m / 1."""
    assert 1 - 0.9**340 < 1.0 and 1 - 0.9**400 == 1.0
    rng = np.random.default_rng(1)
    a, b = Adam(0.01), Adam(0.01)
    a.reset(20)
    b.reset(20)
    w_a = rng.standard_normal(20)
    w_b = w_a.copy()
    for _ in range(400):
        g = rng.standard_normal(20) * 10.0 ** rng.integers(-6, 3, 20)
        w_a = a.step(w_a, g)
        b.step_into(w_b, g)
    np.testing.assert_array_equal(w_b, w_a)
    np.testing.assert_array_equal(b.m, a.m)
    np.testing.assert_array_equal(b.s, a.s)


def test_a_custom_optimizer_gets_step_into_from_its_update():
    class Halve(Optimizer):
        def _update(self, weights, gradient, eta):
            return weights / 2 - eta * gradient

    opt = Halve(0.5)
    opt.reset(2)
    w = np.array([4.0, 2.0])
    opt.step_into(w, np.array([1.0, 0.0]))
    np.testing.assert_array_equal(w, [1.5, 1.0])


def previous_loop(net, X, Y, *, epochs, batch_size, loss, optimizer):
    """The loop before the training step: forward, backward, opt.step, set_weights per batch (no
    shuffle); the weights after each epoch."""
    optimizer.reset(net.n_weights)
    after = []
    for _ in range(epochs):
        for lo in range(0, len(X), batch_size):
            grads = net.backward(net.forward(X[lo : lo + batch_size]), Y[lo : lo + batch_size], loss=loss)
            net.set_weights(optimizer.step(net.get_weights(), grads.weights.flat))
        after.append(net.get_weights())
    return after


def trained(net, X, Y, **settings):
    """``ag.train`` without shuffling; the weights after each epoch (seen by a callback)."""
    after = []
    ag.train(net, X, Y, shuffle=False, progress=False, callbacks=[lambda log: after.append(log.network.get_weights())],
             **settings)  # fmt: skip
    return after


@pytest.mark.parametrize("make", [layered_net, interleaved_net, sparse_net, mixed_net])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_training_gives_the_weights_of_the_previous_loop_bit_for_bit(make, optimizer):
    X, Y = data(make(), 11, seed=4)
    settings = dict(epochs=3, batch_size=4, loss="softmax_cross_entropy")
    got = trained(make(), X, Y, optimizer=optimizer, learning_rate=0.05, **settings)
    want = previous_loop(make(), X, Y, optimizer=ag.training.get_optimizer(optimizer, 0.05), **settings)
    np.testing.assert_array_equal(np.array(got), np.array(want))


def test_training_goes_on_when_only_the_check_overflows():
    # huge but finite hidden values: the step's sum overflows, the public passes find nothing wrong
    def make():
        net = ag.running_example(seed=0, activation="tanh")
        net.set_weight(1, 3, 1e308)
        return net

    X, Y = np.array([[1.0], [1.0], [0.5]]), np.zeros((3, 1))
    settings = dict(epochs=2, batch_size=2, loss="squared_error")
    with np.errstate(over="ignore"):
        got = trained(make(), X, Y, learning_rate=0.1, **settings)
        want = previous_loop(make(), X, Y, optimizer=SGD(0.1), **settings)
    np.testing.assert_array_equal(np.array(got), np.array(want))


@pytest.mark.parametrize("loss", ["squared_error", "mse", "softmax_cross_entropy", "binary_cross_entropy"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_history_is_what_evaluate_says_bit_for_bit(monkeypatch, loss, dtype):
    from autograd_graph.training import loop

    monkeypatch.setattr(loop, "EVALUATION_CHUNK", 7)  # several chunks, the last one shorter
    net = sparse_net()
    net.dtype = dtype
    if loss == "binary_cross_entropy":
        for k in net.outputs:
            net.set_activation(k, "logistic")
    X, Y = data(net, 23, seed=6)
    X_val, Y_val = data(net, 9, seed=7)
    if loss == "binary_cross_entropy":
        Y, Y_val = (Y > 0) * 1.0, (Y_val > 0) * 1.0
    seen = []

    def check(log):
        train = ag.evaluate(log.network, X, Y, loss=loss)
        val = ag.evaluate(log.network, X_val, Y_val, loss=loss)
        seen.append(((log.loss, log.accuracy, log.val_loss, log.val_accuracy),
                     (train.loss, train.accuracy, val.loss, val.accuracy)))  # fmt: skip

    ag.train(net, X, Y, validation_data=(X_val, Y_val), epochs=3, batch_size=5, loss=loss, learning_rate=0.05,
             progress=False, seed=0, callbacks=[check])  # fmt: skip
    assert len(seen) == 3
    for got, want in seen:
        np.testing.assert_array_equal(np.array(got), np.array(want))
