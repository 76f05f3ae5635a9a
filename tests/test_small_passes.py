"""Small networks' public passes through sweeps bound once (engines/small.py) give the numbers of the
engine's sweeps bit for bit: traces, gradients (the deferred rows of inputs and biases too), after the
weights change, in both dtypes, with the arrays taken by another thread, and they keep few arrays."""

import gc
import threading
import weakref

import numpy as np
import pytest
from helpers import run_in_threads
from hypothesis import given, settings
from hypothesis import strategies as st
from random_dags import LOSSES, data_for, min_outputs, networks
from test_fast_paths import data, layered_net
from test_training_step import ALL_NETS, mixed_net

import autograd_graph as ag
from autograd_graph.engines import small
from autograd_graph.engines.step import TrainingStep


def passes(net: ag.Network, X, Y, loss: str = "squared_error", dtype=np.float64):
    """Every number of a forward and backward pass, read through the public API."""
    trace = net.forward(X, dtype=dtype)
    grads = net.backward(trace, Y, loss=loss)
    return [trace.output, trace.a.array, trace.z.array, grads.weights.flat, grads.a.array, grads.z.array,
            grads.losses, np.array(grads.loss)]  # fmt: skip


def both_ways(monkeypatch, net, X, Y, loss="squared_error", dtype=np.float64):
    """The passes through the bound sweeps, and through the engine's sweeps."""
    bound = passes(net, X, Y, loss, dtype)
    monkeypatch.setattr(small, "USE_BOUND_PASSES", False)
    swept = passes(net, X, Y, loss, dtype)
    monkeypatch.setattr(small, "USE_BOUND_PASSES", True)
    return bound, swept


def bits(x: np.ndarray) -> np.ndarray:
    """The bits of a float array (so that −0 differs from +0, and NaNs are compared)."""
    x = np.ascontiguousarray(np.atleast_1d(x))
    return x.view(f"u{x.itemsize}")


def assert_same(bound, swept):
    for b, s in zip(bound, swept, strict=True):
        assert b.dtype == s.dtype
        np.testing.assert_array_equal(bits(b), bits(s))


@pytest.mark.parametrize("make", ALL_NETS.values(), ids=ALL_NETS.keys())
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("batch", [1, 7])
def test_bound_passes_are_the_sweeps_bit_for_bit(monkeypatch, make, dtype, batch):
    net = make()
    X, Y = data(net, batch)
    assert_same(*both_ways(monkeypatch, net, X, Y, dtype=dtype))
    engine = net.compile()
    assert engine.pull_plan() is None or engine.bound_passes.n_bound == 0  # a plan keeps the sweeps
    if engine.pull_plan() is None:
        assert engine.bound_passes.n_bound == 1  # and the bound arrays were used


@settings(max_examples=60, deadline=None)
@given(st.data(), st.sampled_from(LOSSES), st.sampled_from([np.float64, np.float32]), st.integers(1, 6))
def test_bound_passes_on_random_dags(data, loss, dtype, batch):
    net = data.draw(networks(min_outputs=min_outputs(loss), output_activation="logistic"
                             if loss == "binary_cross_entropy" else None))  # fmt: skip
    X, Y = data_for(net, batch, seed=batch, loss=loss)
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert_same(*both_ways(monkeypatch, net, X, Y, loss, dtype))
        net.set_weights(np.random.default_rng(batch).uniform(-2, 2, net.n_weights))  # prepared again in place
        assert_same(*both_ways(monkeypatch, net, X, Y, loss, dtype))


@pytest.mark.parametrize("make", [mixed_net, layered_net])  # two biases into one neuron; one bias per neuron
def test_new_weights_are_prepared_again_in_both_dtypes(monkeypatch, make):
    net = make()
    X, Y = data(net, 4)
    rng = np.random.default_rng(1)
    for k in range(6):  # the weights change between passes, the dtypes alternate
        dtype = (np.float64, np.float32)[k % 2]
        assert_same(*both_ways(monkeypatch, net, X, Y, dtype=dtype))
        net.set_weights(net.weights + rng.uniform(-0.5, 0.5, net.n_weights))
    assert net.compile().bound_passes.n_bound == 2


def test_deferred_rows_are_of_the_weights_of_their_pass(monkeypatch):
    """∂L/∂z of inputs and biases, read after the weights changed, is that of the pass's weights."""
    net = ag.running_example(seed=0)
    X, Y = np.array([[0.5], [-1.0]]), np.array([[0.2], [0.1]])
    grads = net.backward(net.forward(X), Y)
    net.set_weights(net.weights * 2)
    net.forward(X)  # the bound arrays and prepared weights are those of the new weights now
    late = grads.z.array
    monkeypatch.setattr(small, "USE_BOUND_PASSES", False)
    net.set_weights(net.weights / 2)
    np.testing.assert_array_equal(late, net.backward(net.forward(X), Y).z.array)


def test_a_pass_while_another_thread_has_the_arrays_takes_the_sweeps(monkeypatch):
    net = ag.running_example(seed=0)
    X, Y = np.array([[0.5], [-1.0]]), np.array([[0.2], [0.1]])
    want = passes(net, X, Y)
    bound = net.compile().bound_passes
    with bound._lock:  # as if another thread were in a pass
        assert_same(passes(net, X, Y), want)


def test_passes_from_threads_at_once_agree():
    net = ag.layered([4, 8, 3], seed=0)
    X, Y = data(net, 5)
    want = passes(net, X, Y)
    results = []

    def work():
        for _ in range(40):
            results.append(passes(net, X, Y))

    errors = run_in_threads(work, work, work, at_once=True)  # at once: the bound arrays are contended
    assert not errors
    assert len(results) == 120
    for got in results:
        assert_same(got, want)


def test_few_arrays_are_kept_and_release_drops_them():
    net = ag.layered([3, 4, 2], seed=0)
    for batch in range(1, 2 * small.MAX_BOUND + 1):
        net.forward(np.ones((batch, 3)))
    engine = net.compile()
    assert engine.bound_passes.n_bound == small.MAX_BOUND
    engine.release_buffers()
    assert engine.bound_passes.n_bound == 0


def test_big_networks_keep_the_sweeps():
    net = ag.layered([4, 300, 2], seed=0)
    X = np.ones((small.SMALL_BYTES // (8 * 306) + 1, 4))  # (n_neurons, batch) float64 just over SMALL_BYTES
    net.forward(X)
    assert net.compile().bound_passes.n_bound == 0
    net.forward(X[:10])
    assert net.compile().bound_passes.n_bound == 1


def test_a_bias_of_minus_zero_gives_the_bits_of_the_sweeps(monkeypatch):
    """A neuron's one bias weight prepared again in place: 0 + w, as bincount sums it (−0 gives +0)."""
    net = ag.Network(seed=0)
    net.add_input("x")
    net.add_bias("b")
    net.add_neuron("c", "identity")
    net.add_output("y", "identity")
    net.connect("b", "c", weight=0.25)
    net.connect("x", "y", weight=0.5)
    net.connect("c", "y", weight=1.0)
    X, Y = np.ones((2, 1)), np.zeros((2, 1))
    net.forward(X)
    w = net.weights.copy()
    w[net.edges.index(("b", "c"))] = -0.0
    net.set_weights(w)
    bound, swept = both_ways(monkeypatch, net, X, Y)
    assert_same(bound, swept)
    assert not np.signbit(bound[2][net.compile().schedule.rows["c"]]).any()  # z of c: +0


def test_many_weights_on_few_neurons_keep_the_sweeps():
    net = ag.layered([100, 200, 2], seed=0)  # 20,602 weights: 161 KiB in float64, arrays of 2.4 KiB at batch 1
    net.backward(net.forward(np.ones((1, 100))), np.zeros((1, 2)))
    assert net.compile().bound_passes.n_bound == 0


def test_an_engine_is_freed_without_the_garbage_collector():
    net = ag.layered([3, 4, 2], seed=0)
    net.backward(net.forward(np.ones((2, 3))), np.zeros((2, 2)))
    engine = weakref.ref(net.compile())
    assert engine().bound_passes.n_bound == 1
    gc.disable()
    try:
        net.add_neuron("extra", "tanh")  # a new structure: the network drops its engine
        assert engine() is None
    finally:
        gc.enable()


def test_passes_while_another_thread_sets_the_weights_read_the_weights_of_their_trace():
    """A backward reads the weights its trace was computed with, or raises StaleTraceError."""
    net = ag.layered([4, 8, 3], seed=0)
    X, Y = data(net, 5)
    weights = [net.weights.copy(), net.weights[::-1].copy()]
    want = []
    for w in weights:
        net.set_weights(w)
        want.append(passes(net, X, Y))
    done, checked = threading.Event(), []

    def setter():
        k = 0
        while not done.is_set():
            net.set_weights(weights[k % 2])
            k += 1

    def worker():
        for _ in range(200):
            try:
                got = passes(net, X, Y)
            except ag.StaleTraceError:
                continue
            match = [all(np.array_equal(bits(g), bits(e)) for g, e in zip(got, w, strict=True)) for w in want]
            checked.append(any(match))

    changing = threading.Thread(target=setter)
    changing.start()
    errors = run_in_threads(worker, worker)
    done.set()
    changing.join()
    assert not errors
    assert checked and all(checked)


@pytest.mark.parametrize("make", ALL_NETS.values(), ids=ALL_NETS.keys())
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_training_step_is_the_sweeps_bit_for_bit(monkeypatch, make, dtype):
    """The training step's bound sweeps (a scatter stage's products made by bound.py, not by its kernel) against
    the engine's sweeps (the public passes without the bound arrays), after updates in place."""
    monkeypatch.setattr(small, "USE_BOUND_PASSES", False)
    net = make()
    X, Y = data(net, 6)
    step = TrainingStep(net.compile(), "squared_error", dtype, net.weights)
    for k in range(3):
        dw = step.gradient(X, Y)
        want = net.backward(net.forward(X, dtype=dtype), Y).weights.flat
        np.testing.assert_array_equal(bits(dw), bits(want))
        step.w -= 0.3 * dw
        step.w[-1] += 0.1 * (k + 1)
        step.refresh()
        net.set_weights(step.w)
