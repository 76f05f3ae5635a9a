"""The benchmark suite's own pieces: its network generators, its timing harness, and its numpy
peers (which must compute what the engine computes, or their ratios mean nothing). No timings
are asserted here."""

import networkx as nx
import numpy as np
import pytest

import autograd_graph as ag
from benchmarks import harness
from benchmarks.generators import layered, random_dag, random_dag_arrays
from benchmarks.harness import Contender, format_table, measure, paired_ratio
from benchmarks.peers.layout import dag_layout, dense_layers, flat_from_layers
from benchmarks.peers.numpy_peer import AdamClassifier, DenseMLP, GenerationDAG
from benchmarks.peers.pure_python import running_example_sgd
from benchmarks.workloads.mlp import useful_flops
from benchmarks.workloads.parallel import traffic


@pytest.mark.parametrize(("n_edges", "n_neurons"), [(1_000, None), (3_000, 200)])
def test_random_dag_has_the_requested_size_and_is_not_layered(n_edges, n_neurons):
    G = random_dag(n_edges, n_neurons=n_neurons, seed=1)
    assert G.number_of_edges() == n_edges
    assert G.number_of_nodes() == (n_neurons or n_edges // 10)
    assert nx.is_directed_acyclic_graph(G)
    net = ag.Network.from_networkx(G)
    assert (len(net.inputs), len(net.biases), len(net.outputs)) == (16, 1, 4)
    assert not net.is_layered()
    assert nx.utils.graphs_equal(G, random_dag(n_edges, n_neurons=n_neurons, seed=1))


def test_layered_builder_counts_and_uses_the_strided_view_kernel():
    net = ag.Network.from_networkx(layered([784, 16, 10]))
    assert net.n_weights == 12_730  # the SPEC's 784 → 16 → 10
    assert {st.block.kind for st in net.compile().schedule.stages} == {"view"}


def test_numpy_peers_compute_the_engines_gradients():
    net = ag.Network.from_networkx(random_dag(2_000, n_neurons=150, seed=2))
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((7, 16)), rng.uniform(-1, 1, (7, 4))
    want = net.backward(net.forward(X), Y)
    dag = GenerationDAG(dag_layout(net), net.weights)
    loss, grads = dag.loss_and_gradients(X, Y)
    assert loss == pytest.approx(want.loss, rel=1e-12)
    np.testing.assert_allclose(dag.flat_gradient(grads), want.weights.flat, rtol=1e-10, atol=1e-13)

    mlp_net = ag.running_example(seed=3)  # layered, with a missing edge (3 → 7): masked
    X, Y = rng.uniform(-1, 1, (5, 1)), rng.uniform(-1, 1, (5, 1))
    want = mlp_net.backward(mlp_net.forward(X), Y)
    mlp = DenseMLP(dense_layers(mlp_net), "logistic", "identity")
    loss, grads = mlp.loss_and_gradients(X, Y)
    assert loss == pytest.approx(want.loss, rel=1e-12)
    np.testing.assert_allclose(flat_from_layers(mlp_net, grads), want.weights.flat, rtol=1e-10, atol=1e-13)


def test_pure_python_running_example_sgd_matches_the_engine():
    net = ag.running_example(seed=5)
    x = np.linspace(-1, 1, 20)
    got = running_example_sgd(net.get_weights().tolist(), x.tolist(), np.sin(3 * x).tolist(), 0.1)
    ag.per_example_sgd(net, x[:, None], np.sin(3 * x)[:, None], 0.1)
    np.testing.assert_allclose(got, net.weights, rtol=1e-12)


def test_harness_rotates_scales_and_pairs_rounds():
    calls = []
    results = measure(
        [Contender("a", lambda: calls.append("a")), Contender("b", lambda: calls.append("b"), "half the data", 2.0)],
        rounds=3,
        warmup=1,
        min_sample=0,
        prime_below=0,
    )
    assert calls == ["a", "b", "a", "b", "b", "a", "a", "b"]  # warm-up, then rotating rounds
    assert len(results["a"].times) == len(results["b"].times) == 3
    assert paired_ratio(results, "a", "a") == 1.0
    table = format_table(results, ["a"])
    assert "half the data" in table and table.splitlines()[0].split()[:2] == ["contender", "median"]


def test_harness_primes_repeats_and_times_one_call(monkeypatch):
    clock = [0.0]  # a clock the contenders move: 1 ms a fast call, 30 ms a slow one, 2 s a long one
    monkeypatch.setattr(harness.time, "perf_counter", lambda: clock[0])
    calls = {"fast": 0, "slow": 0, "long": 0}

    def run(name, seconds):
        def go():
            calls[name] += 1
            clock[0] += seconds

        return go

    contenders = [Contender(name, run(name, t)) for name, t in [("fast", 1e-3), ("slow", 0.03), ("long", 2.0)]]
    results = measure(contenders, rounds=2, min_sample=0.02, prime_below=1.0)
    # warm-up, a second call that sets the count, then per round one untimed call and the timed ones: 20 calls
    # make 20 ms; the slow one is timed once a round; the long one is not primed
    assert calls == {"fast": 2 + 2 * (1 + 20), "slow": 2 + 2 * (1 + 1), "long": 1 + 2}
    np.testing.assert_allclose(results["fast"].times, [1e-3, 1e-3])  # a round's time is one call's
    np.testing.assert_allclose(results["slow"].times, [0.03, 0.03])
    np.testing.assert_allclose(results["long"].times, [2.0, 2.0])


def test_harness_copes_with_a_clock_that_does_not_move(monkeypatch):
    monkeypatch.setattr(harness.time, "perf_counter", lambda: 0.0)
    calls = []
    results = measure([Contender("instant", lambda: calls.append(1))], rounds=2)
    assert len(calls) == 2 + 2 * (1 + harness.MAX_CALLS) and list(results["instant"].times) == [0.0, 0.0]


def test_useful_flops_of_the_mlp():
    # forward and ∂L/∂W: one multiply-add per weight and example each; ∂L/∂z of hidden layers only
    assert useful_flops([2, 3, 1], batch=4) == 2 * 4 * (2 * (6 + 3) + 3)


def test_the_arrays_generator_is_the_graph_generator():
    a = random_dag_arrays(3_000, seed=4)
    net = ag.Network.from_arrays(a.src, a.dst, a.weights, kinds=a.kinds, activations=a.activations)
    twin = ag.Network.from_networkx(random_dag(3_000, seed=4))
    assert net.edges == twin.edges
    np.testing.assert_array_equal(net.weights, twin.weights)


def test_the_adam_classifier_peers_make_the_steps_of_ag_train():
    X = np.random.default_rng(1).uniform(0, 1, (40, 64))
    labels = np.arange(40) % 10
    net = ag.layered([64, 16, 10], activation="relu", seed=2)
    layers = dense_layers(net)
    after = []  # the weights after the epoch (ag.train then keeps the best of epochs 0 and 1)
    ag.train(net, X, np.eye(10)[labels], epochs=1, batch_size=8, optimizer="adam", learning_rate=0.01,
             loss="softmax_cross_entropy", shuffle=False, progress=False,
             callbacks=[lambda log: after.append(log.network.get_weights())])  # fmt: skip
    peer = AdamClassifier(layers, "relu", 0.01)
    for lo in range(0, 40, 8):
        peer.step(X[lo : lo + 8], np.eye(10)[labels[lo : lo + 8]])
    got = flat_from_layers(net, peer.layer_arrays())
    np.testing.assert_allclose(after[0], got, rtol=1e-10, atol=1e-12)
    loss, accuracy = peer.evaluate(X, np.eye(10)[labels])
    check = ag.layered([64, 16, 10], activation="relu", seed=2)
    check.set_weights(got)
    want = ag.evaluate(check, X, np.eye(10)[labels], loss="softmax_cross_entropy")
    assert loss == pytest.approx(want.loss, rel=1e-12) and accuracy == want.accuracy
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    from benchmarks.peers.torch_peer import TorchAdamClassifier

    t = TorchAdamClassifier(layers, "relu", 0.01, torch.float64)
    for lo in range(0, 40, 8):
        t.step(torch.tensor(X[lo : lo + 8]), torch.tensor(labels[lo : lo + 8]))
    np.testing.assert_allclose(flat_from_layers(net, t.layer_arrays()), got, rtol=1e-9, atol=1e-12)


def test_the_traffic_model_counts_rows_of_distinct_sources():
    net = ag.Network.from_networkx(random_dag(2_000, n_neurons=150, seed=2))
    one, two = traffic(net, 1), traffic(net, 2)
    per_row = two - one  # bytes that grow with the batch: 8 per row swept
    kernels = [k for k in net.compile().kernels if k is not None]
    distinct = sum(int(np.count_nonzero(np.diff(k.block.indptr))) for k in kernels if k.block.kind == "sparse")
    assert per_row > 0 and per_row % 8 == 0
    if all(k.block.kind == "sparse" for k in kernels):
        assert per_row == 8 * (7 * net.n_neurons + 4 * distinct)
