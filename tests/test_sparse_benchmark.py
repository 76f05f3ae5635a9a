"""The sparse-training benchmark's own pieces (no timings are asserted): the random change of k edges it times,
and the timer around a rewiring callback."""

import numpy as np

import autograd_graph as ag
from benchmarks.workloads.sparse import UpdateTimer, random_change


def test_random_change_removes_and_adds_exactly_k_edges_within_layers():
    net = ag.layered([12, 20, 20, 4], density=0.3, seed=0)
    remove, add = random_change(net, 50, seed=1)
    assert len(remove) == len(set(remove)) == 50 and len({(s, t) for s, t, _ in add}) == 50
    assert not {(s, t) for s, t, _ in add} & set(net.edges)
    before = net.n_weights
    net.rewire(remove=remove, add=add)
    assert net.n_weights == before and net.is_layered()


def test_update_timer_times_only_the_updates():
    net = ag.layered([6, 16, 3], density=0.5, seed=0)
    X = np.random.default_rng(0).normal(size=(40, 6))
    timer = UpdateTimer(ag.SET(0.3, every=4))
    ag.train(net, X, np.tanh(X[:, :3]), epochs=2, batch_size=5, seed=0, callbacks=[timer])
    assert len(timer.seconds) == len(timer.inner.history.updates()) == 3  # steps 4, 8, 12 of 16
    assert all(s > 0 for s in timer.seconds)
