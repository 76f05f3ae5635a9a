"""scikit-learn's digits with a 64 → 16 → 10 network: ≥ 95% held-out accuracy, seeded and deterministic."""

import pytest

import autograd_graph as ag

pytest.importorskip("sklearn.datasets")


@pytest.fixture(scope="module")
def digits():
    return ag.load_task("digits", seed=0)


def train_digits(task):
    net = ag.layered([64, 16, 10], activation="tanh", output_activation="identity", seed=0)
    result = ag.train(net, task.X, task.Y, loss="softmax_cross_entropy", optimizer="adam", learning_rate=0.01,
                      batch_size=32, epochs=30, seed=0, progress=False)  # fmt: skip
    return net, result


def test_digits_task_is_scaled_one_hot_and_stratified(digits):
    assert digits.X.shape == (1347, 64) and digits.X_test.shape == (450, 64)
    assert digits.X.min() == 0.0 and digits.X.max() == 1.0
    assert (digits.Y.sum(axis=1) == 1).all() and set(digits.Y.ravel()) == {0.0, 1.0}
    # stratified: a quarter of every digit's images is held out (± 1)
    per_class, held_out = digits.Y.sum(axis=0) + digits.Y_test.sum(axis=0), digits.Y_test.sum(axis=0)
    assert (abs(held_out - per_class / 4) <= 1).all()


def test_digits_reach_95_percent_on_held_out_images_deterministically(digits):
    net, result = train_digits(digits)
    assert net.n_weights == 64 * 16 + 16 + 16 * 10 + 10
    held_out = ag.evaluate(net, digits.X_test, digits.Y_test, loss="softmax_cross_entropy")
    assert held_out.accuracy >= 0.95
    assert result.history.accuracy[-1] >= held_out.accuracy
    again, _ = train_digits(ag.load_task("digits", seed=0))
    assert again.get_weights().tobytes() == net.get_weights().tobytes()
