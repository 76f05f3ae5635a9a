"""Big stages split among threads keep the numbers of one thread, bit for bit, and of the reference engine."""

import numpy as np
import pytest
from test_fast_paths import data, sparse_net

import autograd_graph as ag
from autograd_graph.engines import kernels, partition, threads
from autograd_graph.engines.schedule import sparse_block


@pytest.fixture
def split_everything(monkeypatch):
    """Every sparse block cut into 3 parts and every call shared out, however small."""
    monkeypatch.setattr(partition, "PART_MIN_EDGES", 1)
    monkeypatch.setattr(kernels, "PARTS", 3)
    monkeypatch.setattr(threads, "MIN_PARALLEL_WORK", 1)


def wide_net(seed: int = 0) -> ag.Network:
    """Two wide sparse stages and tanh (in-place forms), inputs feeding both: deferred sources too."""
    rng = np.random.default_rng(seed)
    net = ag.Network(seed=seed)
    xs = [("x", i) for i in range(6)]
    for x in xs:
        net.add_input(x)
    net.add_bias("b")
    hs = [("h", j) for j in range(30)]
    for h in hs:
        net.add_neuron(h, "tanh")
    ys = [("y", k) for k in range(12)]
    for y in ys:
        net.add_output(y, "logistic")
    for h in hs:
        for x in rng.choice(len(xs), 2, replace=False):
            net.connect(xs[x], h, weight=rng.uniform(-1, 1))
        net.connect("b", h, weight=rng.uniform(-1, 1))
    for y in ys:
        for h in rng.choice(len(hs), 4, replace=False):
            net.connect(hs[h], y, weight=rng.uniform(-1, 1))
        net.connect(xs[int(rng.integers(len(xs)))], y, weight=rng.uniform(-1, 1))
    return net


def test_split_block_cuts_the_sources_into_ranges_of_about_equal_edges():
    rng = np.random.default_rng(0)
    n_targets, span = 9, 40
    pairs = rng.choice(n_targets * span, 120, replace=False)
    block = sparse_block(pairs // span, pairs % span, rng.permutation(120), (n_targets, span))
    ranges = partition.split_block(block, 3, min_edges=1)
    assert ranges.count == 3 and ranges.sources[0] == 0 and ranges.sources[-1] == span
    np.testing.assert_array_equal(ranges.edges, block.indptr[ranges.sources])
    assert ranges.edges[-1] == 120 and np.all(np.abs(np.diff(ranges.edges) - 40) <= 9)  # at most one source off
    assert partition.split_block(block, 3).count == 1  # small blocks stay whole


@pytest.mark.parametrize("make", [wide_net, sparse_net])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("compiled_loops", [True, False])
def test_threads_give_the_numbers_of_one_thread_bit_for_bit(monkeypatch, split_everything, make, dtype,
                                                            compiled_loops):  # fmt: skip
    monkeypatch.setattr(kernels, "USE_COMPILED_LOOPS", compiled_loops)
    net = make()
    assert any(k.ranges.count > 1 for k in net.compile().kernels if isinstance(k, kernels.SparseKernel))
    X, Y = data(net, 7)
    results = []
    for n in (1, 2, 3):
        with threads.using_threads(n):
            net.set_weights(net.get_weights())  # prepared again
            trace = net.forward(X, dtype=dtype)
            grads = net.backward(trace, Y)
            results.append((trace.z.array, grads.a.array, grads.z.array, grads.weights.flat))
    for other in results[1:]:
        for got, want in zip(other, results[0], strict=True):
            np.testing.assert_array_equal(got, want)


def test_split_stages_agree_with_the_reference_engine(split_everything):
    net = wide_net(1)
    X, Y = data(net, 5)
    with threads.using_threads(2):
        got = net.backward(net.forward(X), Y)
    want = net.backward(net.forward(X, engine="reference"), Y)
    np.testing.assert_allclose(got.weights.flat, want.weights.flat, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got.z.array, want.z.array[[want.z.row(k) for k in got.z.order]], rtol=1e-12,
                               atol=1e-14)  # fmt: skip


def test_training_with_threads_is_training_with_one(split_everything):
    X, Y = data(wide_net(), 16, seed=3)
    weights = []
    for n in (1, 2):
        net = wide_net()
        with threads.using_threads(n):
            ag.train(net, X, Y, epochs=2, batch_size=5, optimizer="adam", learning_rate=0.05, progress=False, seed=0)
        weights.append(net.get_weights())
    np.testing.assert_array_equal(weights[0], weights[1])


def test_set_threads_checks_its_argument_and_using_threads_restores():
    before = threads.get_threads()
    with pytest.raises(ag.InvalidThreadsError, match="threads must be a whole number ≥ 1, got 0"):
        threads.set_threads(0)
    with pytest.raises(ag.InvalidThreadsError):
        threads.set_threads(1.5)
    assert threads.get_threads() == before
    with threads.using_threads(3):
        assert threads.get_threads() == 3
    assert threads.get_threads() == before


def test_run_waits_for_every_task_and_raises_the_first_error():
    done = []

    def fail():
        raise ValueError("part 0")

    with threads.using_threads(2), pytest.raises(ValueError, match="part 0"):
        threads.run([fail, lambda: done.append(1), lambda: done.append(2)])
    assert sorted(done) == [1, 2]
