"""The public passes reuse their big arrays only once nothing refers to them (engines/buffers.py)."""

import numpy as np
import pytest
from helpers import run_in_threads

import autograd_graph as ag
from autograd_graph.engines import buffers
from autograd_graph.engines.step import TrainingStep


@pytest.fixture
def pool_everything(monkeypatch):
    """Every array of a pass comes from the pool, however small (the default starts at 256 KiB)."""
    monkeypatch.setattr(buffers, "MIN_POOLED_BYTES", 1)


def network() -> ag.Network:
    return ag.random_dag(80, "gnp", p=0.1, n_inputs=5, n_outputs=3, seed=3)


def data(seed: int, batch: int = 7):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (batch, 5)), rng.uniform(-1, 1, (batch, 3))


def fresh(net: ag.Network, X, Y):
    """The numbers of a pass on a copy of the network (its own engine and arrays)."""
    twin = ag.Network.from_networkx(net.to_networkx())
    t = twin.forward(X)
    g = twin.backward(t, Y)
    return t.z.array.copy(), g.weights.flat.copy(), g.z.array.copy()


def test_a_living_trace_and_its_gradients_are_never_overwritten(pool_everything):
    net = network()
    (X1, Y1), (X2, Y2) = data(1), data(2)
    t1 = net.forward(X1)
    g1 = net.backward(t1, Y1)  # ∂L/∂z of the inputs is filled only when read: after the next pass
    t2 = net.forward(X2)
    g2 = net.backward(t2, Y2)
    for (z, dw, dz), t, g in [(fresh(net, X1, Y1), t1, g1), (fresh(net, X2, Y2), t2, g2)]:
        np.testing.assert_array_equal(t.z.array, z)
        np.testing.assert_array_equal(g.weights.flat, dw)
        np.testing.assert_array_equal(g.z.array, dz)


def test_a_view_keeps_its_block(pool_everything):
    net = network()
    X, _ = data(1)
    z = net.forward(X).z.array[2:]  # the trace is gone, a view of its z is not
    kept = z.copy()
    for seed in range(3):
        net.forward(data(10 + seed)[0])
    np.testing.assert_array_equal(z, kept)


def test_free_blocks_are_reused_with_the_same_numbers(pool_everything):
    net = network()
    X, Y = data(4)
    first = net.forward(X)
    address = first.z.array.__array_interface__["data"][0]
    del first
    again = net.forward(X)
    assert again.z.array.__array_interface__["data"][0] == address  # nothing referred to it: the same memory
    g = net.backward(again, Y)
    z, dw, dz = fresh(net, X, Y)
    np.testing.assert_array_equal(again.z.array, z)
    np.testing.assert_array_equal(g.weights.flat, dw)
    np.testing.assert_array_equal(g.z.array, dz)  # zeroed again before the backward sweep added into it


def test_a_full_pool_hands_out_arrays_of_their_own(pool_everything, monkeypatch):
    monkeypatch.setattr(buffers, "POOL_SIZE", 1)
    pool = buffers.BufferPool()
    a = pool.empty((4, 4), np.dtype(np.float64))
    b = pool.zeros((4, 4), np.dtype(np.float32))
    assert pool.n_blocks == 1 and a.flags.writeable
    assert not np.shares_memory(a, b) and b.dtype == np.float32 and not b.any()
    del a
    c = pool.empty((4, 4), np.dtype(np.float32))  # the freed block again ...
    c.fill(1)
    assert pool.n_blocks == 1 and not b.any()  # ... and b never was the pool's block


def test_small_arrays_are_not_pooled():
    pool = buffers.BufferPool()
    pool.empty((10, 10), np.dtype(np.float64))
    assert pool.n_blocks == 0
    pool.empty((1 << 20,), np.dtype(np.float64))  # 8 MiB
    assert pool.n_blocks == 1


@pytest.mark.parametrize("shape", [(3,), (7, 5), (64, 70), (1 << 20,), 5000, (0, 9), ()])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int8])
def test_every_array_but_small_ones_starts_at_a_cache_line(shape, dtype):
    pool = buffers.BufferPool()
    want = np.empty(shape, dtype)
    for array in (pool.empty(want.shape, np.dtype(dtype)), pool.zeros(want.shape, np.dtype(dtype)),
                  buffers.aligned_empty(shape, dtype), buffers.aligned_zeros(shape, dtype)):  # fmt: skip
        assert want.nbytes < buffers.ALIGNED_MIN_BYTES or array.ctypes.data % buffers.ALIGNMENT == 0
        assert array.shape == want.shape and array.dtype == dtype and array.flags.c_contiguous
        assert array.flags.writeable and array.nbytes == want.nbytes
    assert not pool.zeros(shape, np.dtype(dtype)).any() and not buffers.aligned_zeros(shape, dtype).any()


def test_a_pass_and_a_training_step_keep_their_rows_at_cache_lines():
    net = ag.random_dag(400, "gnp", p=0.05, n_inputs=5, n_outputs=3, seed=3)
    X, Y = data(1, batch=64)
    trace = net.forward(X)
    grads = net.backward(trace, Y)
    for rows in (trace.a.raw, trace.z.raw, grads.a.raw, grads.z.raw):
        assert rows.ctypes.data % buffers.ALIGNMENT == 0 and rows.strides[0] % buffers.ALIGNMENT == 0
    step = TrainingStep(net.compile(), "squared_error", np.float64, net.weights)
    np.testing.assert_array_equal(step.gradient(X, Y), grads.weights.flat)  # its own buffer, the same numbers
    state = step._state(64)
    for rows in (state.A, state.Z, state.dA, state.dZ):
        assert rows.ctypes.data % buffers.ALIGNMENT == 0 and rows.strides[0] % buffers.ALIGNMENT == 0


def test_passes_from_two_threads_on_one_network(pool_everything):
    net = network()
    jobs = [data(seed) for seed in range(6)]
    want = [fresh(net, X, Y)[1] for X, Y in jobs]
    got: dict[int, np.ndarray] = {}

    def run(k: int) -> None:
        for _ in range(20):
            X, Y = jobs[k]
            got[k] = net.backward(net.forward(X), Y).weights.flat.copy()

    errors = run_in_threads(*[lambda k=k: run(k) for k in range(len(jobs))])
    assert not errors
    for k, w in enumerate(want):
        np.testing.assert_array_equal(got[k], w)


def test_a_full_pool_gives_back_a_free_block_of_another_size(pool_everything, monkeypatch):
    monkeypatch.setattr(buffers, "POOL_SIZE", 2)
    pool = buffers.BufferPool()
    kept = pool.empty((8, 8), np.dtype(np.float64))
    pool.empty((4, 4), np.dtype(np.float64))  # a second block, free at once
    new = pool.empty((2, 2), np.dtype(np.float64))  # full: the free 4×4 block makes room
    assert pool.n_blocks == 2 and not np.shares_memory(kept, new)


def test_release_gives_back_free_blocks_only(pool_everything):
    pool = buffers.BufferPool()
    kept = pool.empty((8, 8), np.dtype(np.float64))
    pool.empty((8, 8), np.dtype(np.float64))  # free at once
    assert pool.n_blocks == 2
    assert pool.release() == 1 and pool.n_blocks == 1
    kept[...] = 1.0  # still its own memory
    other = pool.empty((8, 8), np.dtype(np.float64))
    assert not np.shares_memory(kept, other) and kept.sum() == 64.0


def test_evaluate_gives_its_chunks_arrays_back(pool_everything, monkeypatch):
    from autograd_graph.training import evaluation

    monkeypatch.setattr(evaluation, "EVALUATION_CHUNK", 4)
    net = network()
    X, Y = data(1, batch=10)
    result = ag.evaluate(net, X, Y)
    assert net.compile().release_buffers() == 0  # evaluate gave them back already
    monkeypatch.setattr(buffers, "MIN_POOLED_BYTES", 1 << 40)  # nothing pooled: numpy's own arrays
    assert ag.evaluate(ag.Network.from_networkx(net.to_networkx()), X, Y).loss == result.loss


def test_the_free_blocks_of_all_pools_are_bounded(monkeypatch):
    """A program that runs passes over many networks holds at most MAX_FREE_BYTES of free blocks between
    them: a pool that makes a block gives back those of the pools used longest ago, never one in use."""
    f64 = np.dtype(np.float64)
    block = (1 << 16,)  # 512 KiB
    monkeypatch.setattr(buffers, "MAX_FREE_BYTES", 1 << 19)  # one such block
    busy, oldest, older = buffers.BufferPool(), buffers.BufferPool(), buffers.BufferPool()
    kept = busy.empty(block, f64)  # in use
    kept[:] = 7.0
    for pool in (oldest, older):
        pool.empty(block, f64)  # freed at once: a free block each
    assert (oldest.free_bytes, older.free_bytes, busy.free_bytes) == (1 << 19, 1 << 19, 0)
    new = buffers.BufferPool()
    a = new.empty(block, f64)  # a new block, and two free ones elsewhere: the oldest pool's goes
    assert (oldest.n_blocks, older.n_blocks, busy.n_blocks) == (0, 1, 1) and np.all(kept == 7.0)
    del a
    again = new.empty(block, f64)  # its own free block again: no new block, nothing given back
    assert older.n_blocks == 1 and new.n_blocks == 1
    del again, kept  # three free blocks now: older's, busy's and new's
    assert buffers.BufferPool().empty(block, f64).shape == block
    assert (older.n_blocks, busy.n_blocks, new.n_blocks) == (0, 0, 1)  # by age, until one block is free
