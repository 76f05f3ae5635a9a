"""scikit-learn's digits with a 64 → 16 → 10 network: ≥ 95% held-out accuracy, seeded and deterministic."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import autograd_graph as ag

datasets = pytest.importorskip("sklearn.datasets")
model_selection = pytest.importorskip("sklearn.model_selection")


def _example(name):
    path = Path(__file__).resolve().parents[1] / "examples" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# the example's builder of fully connected layers (tanh hidden, identity outputs)
layered_network = _example("train_digits").layered_network


@pytest.fixture(scope="module")
def digits():
    data = datasets.load_digits()
    X, Y = data.data / 16.0, np.eye(10)[data.target]
    return model_selection.train_test_split(X, Y, test_size=0.25, random_state=0, stratify=data.target)


def train_digits(X_train, Y_train):
    net = layered_network([64, 16, 10], seed=0)
    result = ag.train(net, X_train, Y_train, loss="softmax_cross_entropy", optimizer="adam", learning_rate=0.01,
                      batch_size=32, epochs=30, seed=0, progress=False)  # fmt: skip
    return net, result


def test_digits_reach_95_percent_on_held_out_images_deterministically(digits):
    X_train, X_test, Y_train, Y_test = digits
    net, result = train_digits(X_train, Y_train)
    assert net.n_weights == 64 * 16 + 16 + 16 * 10 + 10
    held_out = ag.evaluate(net, X_test, Y_test, loss="softmax_cross_entropy")
    assert held_out.accuracy >= 0.95
    assert result.history.accuracy[-1] >= held_out.accuracy
    again, _ = train_digits(X_train, Y_train)
    assert again.get_weights().tobytes() == net.get_weights().tobytes()
