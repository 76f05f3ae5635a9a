"""Reads do not mutate: passes from several threads on one network are safe, and see the same weights."""

import threading

import numpy as np
from helpers import run_in_threads

import autograd_graph as ag

N = 300  # inputs, and hidden neurons: 90,000 input→hidden edges and 300 hidden→output ones


def out_of_order_network() -> ag.Network:
    """300 inputs × 300 hidden × 1 output, connected target by target: not in canonical order yet."""
    net = ag.Network(seed=0)
    for i in range(N):
        net.add_input(("x", i))
    for j in range(N):
        net.add_neuron(("h", j), "identity")
    net.add_output("y")
    for j in range(N):
        for i in range(N):
            net.connect(("x", i), ("h", j), weight=float(i * N + j))
    for j in range(N):
        net.connect(("h", j), "y", weight=-float(j))
    return net


def test_first_reads_from_two_threads_keep_every_weight_where_it_was_put():
    X = np.ones((2, N))
    for _ in range(20):
        net = out_of_order_network()
        errors = run_in_threads(*[lambda net=net: net.forward(X)] * 2, at_once=True)
        assert not errors
        weights = dict(zip(net.edges, net.weights.tolist(), strict=True))
        assert all(weights[("x", i), ("h", j)] == i * N + j for i in range(N) for j in range(N))
        assert all(weights[("h", j), "y"] == -j for j in range(N))


def test_passes_from_many_threads_agree_with_one():
    net = ag.random_dag(200, "gnp", p=0.05, n_inputs=10, n_outputs=3, seed=1)
    X = np.random.default_rng(0).uniform(-1, 1, (16, 10))
    Y = np.zeros((16, 3))
    want = net.backward(net.forward(X), Y).weights.flat.copy()
    results = []

    def run():
        for _ in range(5):
            results.append(net.backward(net.forward(X), Y).weights.flat.copy())

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 20
    for got in results:
        np.testing.assert_array_equal(got, want)


def test_reference_traces_work_with_the_non_finite_checks():
    from autograd_graph.training.nonfinite import forward_fault

    net = ag.running_example(seed=0)
    net.set_weight(1, 4, 1e308)
    net.set_weight(2, 4, 1e308)
    with np.errstate(over="ignore", invalid="ignore"):
        for engine in ("compiled", "reference"):
            fault = forward_fault(net.forward([[1.0]], engine=engine))
            assert fault.describe() == "a of neuron 4 is inf (example 0 of the batch)"
