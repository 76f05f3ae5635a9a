"""SET and RigL: density kept, never a cycle, every neuron valid, reproducible, RigL's growth by |∂L/∂w|,
and training through the changes equal to a hand-written loop on the reference engine, step by step.

The checks use step callbacks of their own, placed after (or before) the
rewiring one in ``callbacks``: they see the network as each step leaves it.
"""

import math

import networkx as nx
import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.sparse.edges import protected


class Tape:
    """A step callback recording the network after every step (its edges and weights)."""

    def __init__(self):
        self.steps = []

    def __call__(self, log):
        return None

    def on_step(self, log):
        net = log.network
        self.steps.append((log.run, log.step, list(net.edges), net.get_weights()))


class Before:
    """A step callback (put before RigL) keeping the network and batch of the steps it rewires."""

    def __init__(self, every):
        self.every, self.states = every, {}

    def __call__(self, log):
        return None

    def on_step(self, log):
        if log.step % self.every == 0:
            self.states[log.step] = (log.network.copy(), log.X.copy(), log.Y.copy())


def data(n_inputs=6, n_outputs=3, n=48, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_inputs))
    return X, np.tanh(X[:, :n_outputs] * X[:, -n_outputs:])


def layer_counts(net):
    layers = {n: k for k, layer in enumerate(net.layers()) for n in layer}
    counts = {}
    for s, t in net.edges:
        if net.kind(s) != "bias":
            counts[layers[t]] = counts.get(layers[t], 0) + 1
    return counts


def assert_valid(net):
    assert nx.is_directed_acyclic_graph(net.graph)
    net.validate()
    assert ag.dead_neurons(net) == {"unreached": [], "unused": []}


@pytest.mark.parametrize("kind", ["SET", "RigL"])
def test_density_kept_per_layer_never_a_cycle_every_neuron_valid(kind):
    net = ag.layered([6, 24, 16, 3], activation="tanh", density=0.4, seed=0)
    X, Y = data()
    counts, bias_edges = layer_counts(net), [e for e in net.edges if net.kind(e[0]) == "bias"]
    rewire = ag.SET(0.3, every=3) if kind == "SET" else ag.RigL(0.4, every=3, until=0.9)
    tape = Tape()
    ag.train(net, X, Y, epochs=4, batch_size=8, optimizer="adam", learning_rate=0.01, seed=0,
             callbacks=[rewire, tape])  # fmt: skip
    updates = rewire.history.updates()
    assert len(updates) >= 4 and all(u.removed.size == u.added.size > 0 for u in updates)
    seen = set()
    for _run, step, edges, _weights in tape.steps:
        if step % 3 == 0:
            copy = ag.Network.from_networkx(net.to_networkx())  # a network of that step's edges
            copy.rewire(remove=[e for e in copy.edges if e not in set(edges)],
                        add=[e for e in edges if e not in set(copy.edges)])  # fmt: skip
            assert layer_counts(copy) == counts
            assert_valid(copy)
            seen.add(tuple(edges))
    assert len(seen) > 2  # the structure did change
    assert layer_counts(net) == counts and [e for e in net.edges if net.kind(e[0]) == "bias"] == bias_edges
    assert net.is_layered()
    assert_valid(net)


def test_global_scope_on_a_random_dag_keeps_the_count_and_the_order():
    net = ag.random_dag(40, "gnp", p=0.15, n_inputs=6, n_outputs=3, seed=1)
    X, Y = data()
    plain = sum(net.kind(s) != "bias" for s, _ in net.edges)
    rewire = ag.SET(0.25, every=2)
    ag.train(net, X, Y, epochs=3, batch_size=8, learning_rate=0.05, seed=1, callbacks=[rewire])
    assert sum(net.kind(s) != "bias" for s, _ in net.edges) == plain
    assert rewire.history.updates() and all(u.added.size for u in rewire.history.updates())
    assert_valid(net)


def test_reproducible_with_a_seed():
    X, Y = data()

    def run(seed, set_seed=None):
        net = ag.layered([6, 24, 3], density=0.4, seed=0)
        rewire = ag.SET(0.3, every=2, seed=set_seed)
        ag.train(net, X, Y, epochs=3, batch_size=8, optimizer="adam", seed=seed, callbacks=[rewire])
        return net, [(u.step, u.removed.tolist(), u.added.tolist()) for u in rewire.history.updates()]

    (a, ha), (b, hb) = run(0), run(0)
    assert ha == hb and a.edges == b.edges and np.array_equal(a.weights, b.weights)
    _, hc = run(1)
    assert hc != ha
    (_d, hd), (_e, he) = run(0, set_seed=7), run(1, set_seed=7)
    assert hd[0] == he[0]  # SET's own seed: the same first rewiring whatever the training's seed


def test_rigl_grows_the_absent_edges_of_largest_gradient_checked_densely():
    net = ag.layered([5, 12, 10, 3], activation="tanh", density=0.35, seed=2)
    X, Y = data(5, 3, seed=2)
    before, rigl = Before(every=4), ag.RigL(0.4, every=4, until=0.9)
    ag.train(net, X, Y, epochs=5, batch_size=8, optimizer="adam", learning_rate=0.02, seed=2,
             callbacks=[before, rigl])  # fmt: skip
    updates = rigl.history.updates()
    assert len(updates) >= 3
    for u in updates:
        snap, Xb, Yb = before.states[u.step]
        n = snap.n_neurons
        nodes = snap.indexed().nodes
        added = {(nodes[c // n], nodes[c % n]) for c in u.added.tolist()}
        removed = {(nodes[c // n], nodes[c % n]) for c in u.removed.tolist()}
        layers = snap.layers()
        layer = {x: k for k, lay in enumerate(layers) for x in lay}
        # the dense computation: every absent pair between consecutive layers added with weight 0
        absent = [(s, t) for k in range(1, len(layers)) for s in layers[k - 1] for t in layers[k]
                  if snap.kind(s) != "bias" and snap.kind(t) != "bias" and (s, t) not in set(snap.edges)]  # fmt: skip
        dense = snap.copy()
        dense.rewire(add=[(s, t, 0.0) for s, t in absent])
        g = dense.backward(dense.forward(Xb), Yb).weights
        for k in range(1, len(layers)):
            grown = [e for e in added if layer[e[1]] == k]
            others = [e for e in absent if layer[e[1]] == k and e not in added]
            dropped = [e for e in removed if layer[e[1]] == k]
            assert len(grown) == len(dropped)
            if grown and others:
                assert min(abs(g[e]) for e in grown) >= max(abs(g[e]) for e in others) - 1e-15
        # and the dropped edges are the smallest |w| but those protected
        keep = protected(snap.indexed(), np.abs(snap.weights))
        free = [e for e, k in zip(snap.edges, keep, strict=True)
                if not k and snap.kind(e[0]) != "bias" and e not in removed]  # fmt: skip
        for k in range(1, len(layers)):
            gone = [abs(snap.get_weight(*e)) for e in removed if layer[e[1]] == k]
            stay = [abs(snap.get_weight(*e)) for e in free if layer[e[1]] == k]
            if gone and stay:
                assert max(gone) <= min(stay)


def test_rigl_schedule_is_the_cosine_decay():
    rigl = ag.RigL(alpha=0.3, every=10, until=0.75)
    assert rigl.fraction_at(0, 400) == pytest.approx(0.3)
    assert rigl.fraction_at(150, 400) == pytest.approx(0.15)
    assert rigl.fraction_at(300, 400) == pytest.approx(0.0)
    assert ag.SET(zeta=0.2).fraction_at(399, 400) == 0.2


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("kind", ["SET", "RigL"])
def test_training_through_changes_equals_the_reference_engine_step_by_step(optimizer, kind):
    net = ag.layered([4, 10, 2], activation="tanh", density=0.5, seed=3)
    X, Y = data(4, 2, n=24, seed=3)
    start = net.copy()
    rewire = ag.SET(0.3, every=2) if kind == "SET" else ag.RigL(0.3, every=2, until=1.0)
    tape = Tape()
    lr, size = 0.05, 6
    ag.train(net, X, Y, epochs=3, batch_size=size, shuffle=False, optimizer=optimizer, learning_rate=lr, seed=0,
             callbacks=[rewire, tape])  # fmt: skip
    updates = {u.step: u for u in rewire.history.updates()}
    assert updates
    nodes, n = start.indexed().nodes, start.n_neurons
    replay = start.copy()
    m, v, t = {}, {}, 0  # Adam's moments by edge: a new edge starts from 0
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for _run, step, edges, weights in tape.steps:
        lo = ((step - 1) * size) % X.shape[0]
        trace = replay.forward(X[lo : lo + size], engine="reference")
        g = replay.backward(trace, Y[lo : lo + size]).weights
        new = {}
        for e in replay.edges:
            w = replay.get_weight(*e)
            if optimizer == "sgd":
                new[e] = w - lr * g[e]
            else:
                m[e] = beta1 * m.get(e, 0.0) + (1 - beta1) * g[e]
                v[e] = beta2 * v.get(e, 0.0) + (1 - beta2) * g[e] ** 2
                new[e] = w - lr * (m[e] / (1 - beta1 ** (t + 1))) / (math.sqrt(v[e] / (1 - beta2 ** (t + 1))) + eps)
        t += 1
        replay.set_weights(new)
        recorded = dict(zip(edges, weights.tolist(), strict=True))
        if step in updates:
            u = updates[step]
            removed = [(nodes[c // n], nodes[c % n]) for c in u.removed.tolist()]
            added = [(nodes[c // n], nodes[c % n]) for c in u.added.tolist()]
            replay.rewire(remove=removed, add=[(s, d, recorded[(s, d)]) for s, d in added])
            for e in removed:
                m.pop(e, None), v.pop(e, None)
            if kind == "RigL":
                assert all(recorded[e] == 0.0 for e in added)  # RigL grows at weight 0
        assert set(replay.edges) == set(edges), step
        assert all(abs(replay.get_weight(*e) - recorded[e]) < 1e-10 for e in edges), step


class Spoil:
    """An epoch callback that ruins the weights after epoch 3, so that the best epoch lies before."""

    def __call__(self, log):
        if log.epoch == 3:
            log.network.set_weights(log.network.weights * 40)


def test_best_weights_come_back_with_their_edges_and_checkpoints_hold_the_structure(tmp_path):
    net = ag.layered([6, 20, 3], activation="tanh", density=0.4, seed=4)
    X, Y = data()
    rewire = ag.SET(0.3, every=3)
    result = ag.train(net, X, Y, epochs=6, batch_size=8, optimizer="adam", learning_rate=0.03, seed=0,
                      callbacks=[rewire, Spoil()], checkpoint=tmp_path, checkpoint_every=2)  # fmt: skip
    best = result.best
    assert 0 < best.best_epoch <= 3
    at_best = rewire.history.edges_at(best.best_epoch)
    assert set(net.edges) == set(at_best) == set(best.best_edges)
    assert set(rewire.history.edges_at(6)) != set(at_best)  # it changed after the best epoch
    by_edge = dict(zip(best.best_edges, best.best_weights.tolist(), strict=True))
    assert all(net.get_weight(*e) == by_edge[e] for e in net.edges)
    assert ag.evaluate(net, X, Y).loss == pytest.approx(result.loss, rel=1e-12)
    saved = ag.load(tmp_path / "best.json")
    assert set(saved.edges) == set(net.edges) and all(saved.get_weight(*e) == net.get_weight(*e) for e in net.edges)
    epoch4 = ag.load(tmp_path / "run0-epoch4.json")
    assert set(epoch4.edges) == set(rewire.history.edges_at(4))


def test_restarts_start_from_the_starting_structure():
    net = ag.layered([6, 20, 3], density=0.4, seed=5)
    X, Y = data()
    start = set(net.edges)
    twin = net.copy()
    rewire, tape = ag.SET(0.3, every=2), Tape()
    result = ag.train(net, X, Y, epochs=2, batch_size=8, restarts=3, seed=0, callbacks=[rewire, tape])
    history = rewire.history
    assert history.runs == [0, 1, 2]
    for run in history.runs:
        assert set(history.edges_at(0, run)) == start
        assert history.updates(run)
    # every run starts from the weights a run without rewiring starts from
    plain_tape = Tape()
    ag.train(twin, X, Y, epochs=2, batch_size=8, restarts=3, seed=0, callbacks=[plain_tape])
    firsts = {r: w for r, step, _, w in tape.steps if step == 1}
    plain = {r: w for r, step, _, w in plain_tape.steps if step == 1}
    assert all(np.array_equal(firsts[r], plain[r]) for r in range(3))
    assert set(net.edges) == set(result.best.best_edges)


def test_every_epoch_and_an_epoch_callback_that_rewires_with_adam():
    net = ag.layered([6, 16, 3], density=0.5, seed=6)
    X, Y = data()
    rewire = ag.SET(0.2, every="epoch")
    ag.train(net, X, Y, epochs=4, batch_size=16, optimizer="adam", seed=0, callbacks=[rewire])
    assert [(u.epoch, u.step) for u in rewire.history.updates()] == [(1, 3), (2, 6), (3, 9)]

    def move_one(log):  # a plain epoch callback changing the structure: Adam's state follows by edge
        s, t = next(e for e in log.network.edges if log.network.kind(e[0]) == "input")
        free = next(x for x in log.network.inputs if not log.network.graph.has_edge(x, t))
        log.network.rewire(remove=[(s, t)], add=[(free, t, 0.0)])

    other = ag.layered([6, 16, 3], density=0.5, seed=6)
    result = ag.train(other, X, Y, epochs=3, batch_size=16, optimizer="adam", seed=0, callbacks=[move_one])
    assert len(result.history) == 4 and np.isfinite(result.loss)


def test_train_many_refuses_step_callbacks_and_bad_settings_are_named():
    X, Y = data()
    nets = [ag.layered([6, 8, 3], seed=0), ag.layered([6, 8, 3], seed=1)]
    with pytest.raises(ag.TrainingError, match="train_many.*ag.train"):
        ag.train_many(nets, X, Y, seeds=[0, 1], epochs=1, callbacks=[ag.SET()])
    for make, words in [(lambda: ag.SET(zeta=1.5), "zeta"), (lambda: ag.SET(every=0), "every"),
                        (lambda: ag.RigL(alpha=0.3, until=0), "until"), (lambda: ag.SET(scope="layer"), "scope"),
                        (lambda: ag.SET(seed="x"), "seed")]:  # fmt: skip
        with pytest.raises(ag.TrainingError, match=words):
            make()
    with pytest.raises(ag.TrainingError, match="has not trained yet"):
        _ = ag.SET().history


def test_compare_rewires_only_the_network_named_in_per_network():
    X, Y = data()
    static = ag.layered([6, 16, 3], density=0.5, seed=0)
    rewire = ag.SET(0.3, every=3)
    result = ag.compare({"static": static, "SET": static}, X, Y, seeds=2, epochs=2, batch_size=8, together=False,
                        per_network={"SET": {"callbacks": [rewire]}})  # fmt: skip
    assert len(rewire.histories) == 2  # one per seed, each with its updates
    assert all(h.updates() for h in rewire.histories)
    assert all(set(run.network.edges) == set(static.edges) for run in result.runs["static"])
    assert all(set(run.network.edges) != set(static.edges) for run in result.runs["SET"])
    assert all(run.network.n_weights == static.n_weights for run in result.runs["SET"])
    with pytest.raises(ag.ComparisonError, match="together=False"):
        ag.compare({"SET": static}, X, Y, seeds=1, epochs=1, per_network={"SET": {"callbacks": [rewire]}})
    with pytest.raises(ag.ComparisonError, match="not networks"):
        ag.compare({"SET": static}, X, Y, seeds=1, epochs=1, together=False, per_network={"RigL": {}})


def test_frozen_edges_are_never_dropped():
    class FrozenNetwork(ag.Network):  # ``net.frozen`` as the training-features work exposes it
        @property
        def frozen(self):
            return self._graph.graph.get("frozen", frozenset())

    net = FrozenNetwork.from_networkx(ag.layered([6, 16, 3], density=0.5, seed=7).to_networkx())
    weakest = sorted((e for e in net.edges if net.kind(e[0]) != "bias"), key=lambda e: abs(net.get_weight(*e)))[:8]
    net._graph.graph["frozen"] = frozenset(weakest)
    X, Y = data()
    rewire = ag.SET(0.4, every=2)
    ag.train(net, X, Y, epochs=3, batch_size=8, seed=0, callbacks=[rewire])
    assert rewire.history.updates() and set(weakest) <= set(net.edges)
    removed = {e for u in rewire.history.updates() for e in rewire.history.edges_of(u)[0]}
    assert removed and not removed & set(weakest)
