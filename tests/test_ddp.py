"""DistributedDataParallel, two CPU processes (gloo on 127.0.0.1), on an exported random DAG: full-batch
SGD step for step as ag.train does it (the README's example, examples/ddp_pytorch.py, is what runs)."""

import sys
from pathlib import Path

import numpy as np
import pytest

import autograd_graph as ag

pytest.importorskip("torch", reason="DistributedDataParallel needs torch")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))  # the spawned processes import it too
import ddp_pytorch  # noqa: E402


def test_two_processes_train_exactly_like_full_batch_ag_train():
    net = ag.random_dag(40, "gnp", p=0.15, n_inputs=3, n_outputs=2, activation="tanh", seed=4)
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (32, 3))
    Y = np.column_stack([X[:, 0] * X[:, 1], np.cos(X[:, 2])])
    trained = ddp_pytorch.ddp_train(net, X, Y, steps=20, lr=0.2, world_size=2)
    weights = []
    ag.train(net.copy(), X, Y, batch_size=None, optimizer="sgd", learning_rate=0.2, epochs=20, progress=False,
             callbacks=[lambda log: weights.append(log.network.get_weights())])  # fmt: skip
    assert trained.edges == net.edges
    assert np.abs(trained.weights - net.weights).max() > 1e-3  # it trained
    np.testing.assert_allclose(trained.weights, weights[-1], rtol=0, atol=1e-12)


def test_uneven_shards_are_refused():
    net = ag.running_example(seed=0)
    with pytest.raises(ValueError, match="3 examples do not split into 2 equal shards"):
        ddp_pytorch.ddp_train(net, np.zeros((3, 1)), np.zeros((3, 1)), steps=1, lr=0.1)
