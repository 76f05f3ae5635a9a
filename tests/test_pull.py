"""The sparse backward by sources (engines/pull.py, numba) against the kernels' own backward and the reference."""

import warnings

import numpy as np
import pytest
from helpers import assert_engines_agree
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from random_dags import LOSSES, data_for, min_outputs, networks

import autograd_graph as ag
from autograd_graph.engines import buffers, pull, pull_loops, schedule, threads
from autograd_graph.engines.dropout import DropoutMasks
from autograd_graph.engines.step import TrainingStep

pytest.importorskip("numba", reason="the sparse backward by sources is compiled by numba (pip install -e '.[numba]')")


@pytest.fixture
def always_pull(monkeypatch):
    """Every network with a sparse edge pulls, however small (the default starts at 8,192 sparse edges)."""
    monkeypatch.setattr(pull, "PULL_MIN_EDGES", 1)


def mixed_network(seed: int) -> ag.Network:
    """A random DAG (sparse stages) whose outputs also feed a dense layer: sparse and dense blocks, an output
    with edges out of it, biases, several activations."""
    net = ag.random_dag(120, "gnp", p=0.06, n_inputs=7, n_outputs=3, activation="tanh", seed=seed)
    G = net.to_networkx()
    outputs = list(net.outputs)
    for k in range(4):
        G.add_node(("d", k), kind="output", activation="logistic" if k % 2 else "relu")
        for o in outputs:
            G.add_edge(o, ("d", k), weight=0.1 * (k + 1) - 0.05 * len(str(o)))
    for o in outputs:
        G.nodes[o]["kind"] = "hidden"
    G.nodes[outputs[0]]["kind"] = "output"  # an output whose z also feeds other neurons
    return ag.Network.from_networkx(G)


def gradients(net: ag.Network, X, Y, loss="squared_error", dtype=None):
    g = net.backward(net.forward(X, dtype=dtype), Y, loss=loss)
    return g.weights.flat.copy(), g.z.array.copy(), g.a.array.copy()  # z and a of inputs: the deferred fill


def data(net: ag.Network, batch: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (batch, len(net.inputs))), rng.uniform(0, 1, (batch, len(net.outputs)))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("batch", [1, 5, 64])
def test_pull_agrees_with_the_reference_and_with_the_kernels(always_pull, monkeypatch, seed, batch):
    net = mixed_network(seed)
    assert net.compile().pull_plan() is not None
    X, Y = data(net, batch, seed)
    assert_engines_agree(net, X, Y, "squared_error", tol=1e-12)
    by_sources = gradients(net, X, Y)
    monkeypatch.setattr(pull, "USE_PULL", False)
    kernels = gradients(ag.Network.from_networkx(net.to_networkx()), X, Y)
    for got, want in zip(by_sources, kernels, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


def test_pull_with_a_loss_of_its_own_and_float32(always_pull):
    net = mixed_network(3)
    X, Y = data(net, 16)
    Y = np.eye(len(net.outputs))[np.arange(16) % len(net.outputs)]
    assert_engines_agree(net, X, Y, "softmax_cross_entropy", tol=1e-12)
    g64 = gradients(net, X, Y, dtype=np.float64)
    g32 = gradients(net, X, Y, dtype=np.float32)
    assert g32[0].dtype == np.float32
    np.testing.assert_allclose(g32[0], g64[0], rtol=1e-3, atol=1e-5)


def test_pull_gradients_match_finite_differences(always_pull):
    net = mixed_network(4)
    X, Y = data(net, 4)
    report = ag.check_gradients(net, X, Y)
    assert report.passed and report.max_error < 1e-6
    assert len(report.names) == net.n_weights + len(net.inputs)  # every weight and every input


def test_pull_numbers_do_not_depend_on_the_threads(always_pull, monkeypatch):
    monkeypatch.setattr(threads, "MIN_PARALLEL_WORK", 1)  # every stage is shared out
    net = ag.random_dag(3000, "gnp", p=0.01, n_inputs=20, n_outputs=4, seed=5)
    X, Y = data(net, 8)
    with ag.using_threads(1):
        one = gradients(net, X, Y)
    with ag.using_threads(2):
        two = gradients(net, X, Y)
    assert any(len(parts) > 1 for parts, _ in net.compile().pull_plan().cuts)  # some stages really are cut
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b)


def test_small_networks_and_no_numba_keep_the_kernels(monkeypatch):
    net = ag.random_dag(60, "gnp", p=0.1, n_inputs=3, n_outputs=2, seed=0)
    assert net.compile().pull_plan() is None  # fewer sparse edges than PULL_MIN_EDGES
    monkeypatch.setattr(pull, "PULL_MIN_EDGES", 1)
    assert ag.layered([4, 8, 2], seed=0).compile().pull_plan() is None  # no sparse block at all
    assert ag.Network.from_networkx(net.to_networkx()).compile().pull_plan() is not None
    monkeypatch.setattr(pull, "available", lambda: False)
    assert ag.Network.from_networkx(net.to_networkx()).compile().pull_plan() is None


def test_training_steps_take_the_plan_too(always_pull, monkeypatch):
    """ag.train's step (engines/step.py) runs the plan's sweeps: the public passes' numbers, bit for bit; with
    dropout it keeps the kernels, as a step on a network without a plan does."""
    net = mixed_network(6)
    X, Y = data(net, 32)
    step = TrainingStep(net.compile(), "squared_error", np.float64, net.weights)
    assert step.prepared.pull is not None
    for _ in range(2):  # the second step reuses the buffers
        np.testing.assert_array_equal(step.gradient(X, Y), net.backward(net.forward(X), Y).weights.flat)
    rates = {n: 0.5 for n in net.neurons if net.kind(n) == "hidden"}

    def masks(engine):  # the same masks for both engines (their schedules are the same)
        return DropoutMasks(engine.schedule, rates).draw(np.random.default_rng(0), 32, np.float64)

    with_plan = step.gradient(X, Y, masks(net.compile())).copy()
    monkeypatch.setattr(pull, "USE_PULL", False)
    plain = ag.Network.from_networkx(net.to_networkx())
    kernels = TrainingStep(plain.compile(), "squared_error", np.float64, plain.weights)
    assert kernels.prepared.pull is None
    np.testing.assert_array_equal(with_plan, kernels.gradient(X, Y, masks(plain.compile())))
    before = net.get_weights()
    grads = net.backward(net.forward(X), Y)
    ag.train(net, X, Y, optimizer="sgd", learning_rate=0.1, epochs=1, batch_size=32, shuffle=False, progress=False)
    np.testing.assert_array_equal(net.get_weights(), before - 0.1 * grads.weights.flat)


@pytest.mark.parametrize("activation", [*pull_loops.CHAINS, "softplus", "elu"])
def test_the_loops_chain_rule_is_the_activation_tables(always_pull, monkeypatch, activation):
    """σ' applied in the backward loop (identity, tanh, logistic, relu) or after it (the others), and the bias
    sums over the batch: the kernels' numbers to rounding."""
    net = ag.random_dag(150, "gnp", p=0.05, n_inputs=6, n_outputs=3, activation=activation, seed=8)
    plan = net.compile().pull_plan()
    fused = activation in pull_loops.CHAINS
    assert all(not rest for rest in plan.unchained) == fused
    X, Y = data(net, 7)
    by_sources = gradients(net, X, Y)
    monkeypatch.setattr(pull, "USE_PULL", False)
    kernels = gradients(ag.Network.from_networkx(net.to_networkx()), X, Y)
    for got, want in zip(by_sources, kernels, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), loss=st.sampled_from(LOSSES), batch=st.sampled_from([1, 2, 5]), seed=st.integers(0, 2**16))
def test_pull_equals_the_reference_on_random_networks(data, loss, batch, seed):
    logistic = "logistic" if loss == "binary_cross_entropy" else None
    net = data.draw(networks(max_neurons=24, output_activation=logistic, min_outputs=min_outputs(loss)))
    X, Y = data_for(net, batch, seed, loss)
    before = pull.PULL_MIN_EDGES, schedule.DENSE_MIN_DENSITY
    # every network pulls, and every block that is not a full view is sparse (not monkeypatch: hypothesis
    # runs the body many times in one fixture scope)
    pull.PULL_MIN_EDGES, schedule.DENSE_MIN_DENSITY = 1, 1.01
    try:
        net = ag.Network.from_networkx(net.to_networkx())
        has_plan = net.compile().pull_plan() is not None
        assert_engines_agree(net, X, Y, loss)
    finally:
        pull.PULL_MIN_EDGES, schedule.DENSE_MIN_DENSITY = before
    event("sparse stages by edges" if has_plan else "no sparse stage")


def test_a_broken_numba_warns_once_and_leaves_the_kernels(always_pull, monkeypatch):
    def broken():
        raise ImportError("Numba needs NumPy 2.2 or less")

    monkeypatch.setattr(pull, "_kernels", broken)
    monkeypatch.setattr(pull, "USE_NUMBA_FAILED", [])
    net = mixed_network(7)
    X, Y = data(net, 4)
    with pytest.warns(UserWarning, match="numba could not be imported .*NumPy 2.2"):
        assert net.compile().pull_plan() is None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert ag.Network.from_networkx(net.to_networkx()).compile().pull_plan() is None
    assert not caught  # said once
    assert_engines_agree(net, X, Y, "squared_error")


def test_the_prefetch_changes_no_number(always_pull, monkeypatch):
    """The loops' prefetch (on when a pass's arrays outgrow the caches) is a hint: the same numbers, bit for bit."""
    net = mixed_network(9)
    X, Y = data(net, 16)
    monkeypatch.setattr(pull, "PREFETCH_MIN_BYTES", 1 << 60)
    without = gradients(net, X, Y)
    monkeypatch.setattr(pull, "PREFETCH_MIN_BYTES", 0)
    assert pull._ahead(np.zeros((1, 1))) == pull.AHEAD
    for a, b in zip(gradients(net, X, Y), without, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_backward_in_one_call_is_the_stage_by_stage_one(always_pull, monkeypatch):
    """pull_sweep (every stage in one call, the threads claiming parts) against the plan's stage-by-stage
    backward: bit for bit, on one thread and on two (every pass shared out)."""
    net = ag.random_dag(2000, "gnp", p=0.01, n_inputs=12, n_outputs=4, activation="relu", seed=11)
    plan = net.compile().pull_plan()
    assert plan.one_sweep and not mixed_network(0).compile().pull_plan().one_sweep  # a dense stage: stage by stage
    X, Y = data(net, 8)
    monkeypatch.setattr(threads, "MIN_PARALLEL_WORK", 1)
    swept = {}
    for n in (1, 2):
        with ag.using_threads(n):
            swept[n] = gradients(net, X, Y)
    monkeypatch.setattr(pull.PullPlan, "sweep", lambda self, *args: False)
    by_stage = gradients(net, X, Y)
    for n in (1, 2):
        for a, b in zip(swept[n], by_stage, strict=True):
            np.testing.assert_array_equal(a, b)


@pytest.fixture
def stale_buffers(monkeypatch):
    """Every array a pass takes from its pool starts as NaN: a row the sweeps should write and do not shows."""
    real = buffers.BufferPool.empty

    def empty(self, shape, dtype):
        out = real(self, shape, dtype)
        out[...] = np.nan
        return out

    monkeypatch.setattr(buffers.BufferPool, "empty", empty)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("loss", ["squared_error", "softmax_cross_entropy"])
def test_no_row_is_left_stale(always_pull, stale_buffers, monkeypatch, seed, loss):
    """Rows set rather than added into (the plan's fresh rows), the bias sums and the lazy fill of the sources,
    on pool arrays full of NaN; a loss with its own ∂L/∂a (softmax cross-entropy) too."""
    net = mixed_network(seed)
    X, Y = data(net, 9, seed)
    if loss == "softmax_cross_entropy":
        Y = np.eye(len(net.outputs))[np.arange(9) % len(net.outputs)]
    for _ in range(2):  # the second pass takes the first's arrays again
        by_sources = gradients(net, X, Y, loss)
        assert all(np.isfinite(g).all() for g in by_sources)
    monkeypatch.setattr(pull, "USE_PULL", False)
    kernels = gradients(ag.Network.from_networkx(net.to_networkx()), X, Y, loss)
    for got, want in zip(by_sources, kernels, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_an_activation_registered_over_a_built_in_keeps_its_own_chain_rule(always_pull, monkeypatch):
    """The loops apply the built-in σ' only to the built-in activations, not to one registered in their place."""
    before = ag.ACTIVATIONS["relu"]
    monkeypatch.setitem(ag.ACTIVATIONS, "relu", before)  # restored after the test
    ag.register_activation("relu", lambda a: np.where(a > 0, a, 0.1 * a), lambda a, z: np.where(a > 0, 1.0, 0.1),
                           overwrite=True)  # fmt: skip
    net = ag.random_dag(150, "gnp", p=0.05, n_inputs=6, n_outputs=3, activation="relu", seed=8)
    assert any(net.compile().pull_plan().unchained)  # the user's relu: chain_into after the loop
    X, Y = data(net, 7)
    assert_engines_agree(net, X, Y, "squared_error", tol=1e-12)


def test_the_prefetch_changes_no_number_in_float32_and_across_parts(always_pull, monkeypatch):
    monkeypatch.setattr(threads, "MIN_PARALLEL_WORK", 1)
    net = ag.random_dag(3000, "gnp", p=0.01, n_inputs=20, n_outputs=4, seed=5)
    X, Y = data(net, 17)  # rows of 17 float32: a cache line and a bit
    monkeypatch.setattr(pull, "PREFETCH_MIN_BYTES", 1 << 60)
    without = gradients(net, X, Y, dtype=np.float32)
    monkeypatch.setattr(pull, "PREFETCH_MIN_BYTES", 0)
    with ag.using_threads(2):
        for a, b in zip(gradients(net, X, Y, dtype=np.float32), without, strict=True):
            np.testing.assert_array_equal(a, b)


def test_a_forward_sweep_that_fails_leaves_no_worker_behind(always_pull, monkeypatch):
    """An activation raising in the middle of a forward shared with a worker (pull.ForwardSweep): the error
    comes out, the worker leaves, and the next passes are right."""
    monkeypatch.setattr(threads, "MIN_PARALLEL_WORK", 1)
    monkeypatch.setattr(pull_loops, "PATIENCE", 10_000_000)
    net = ag.random_dag(3000, "gnp", p=0.01, n_inputs=20, n_outputs=4, seed=5)
    X, Y = data(net, 8)
    with ag.using_threads(2):
        want = gradients(net, X, Y)
        real, calls = pull._activate, []

        def failing(*args):  # the activations of the fifth stage fail
            calls.append(1)
            if len(calls) == 5:
                raise FloatingPointError("a stage failed")
            real(*args)

        monkeypatch.setattr(pull, "_activate", failing)
        with pytest.raises(FloatingPointError, match="a stage failed"):
            net.forward(X)
        monkeypatch.undo()
        done = []
        threads.run([lambda: done.append(0), lambda: done.append(1)])  # the worker has left the failed pass
        assert sorted(done) == [0, 1]
        monkeypatch.setattr(pull, "PULL_MIN_EDGES", 1)
        monkeypatch.setattr(threads, "MIN_PARALLEL_WORK", 1)
        for _ in range(3):
            for a, b in zip(gradients(net, X, Y), want, strict=True):
                np.testing.assert_array_equal(a, b)
