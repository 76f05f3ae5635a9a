"""ag.train_many: many networks trained at once, each exactly as ag.train trains it alone.

Every test trains copies of the same networks both ways, with the same seeds,
and compares everything a training reports: the weights the networks end
with, every run's history, best epoch, best loss, initial seed, steps and
why it stopped.
"""

import math
import sys
import warnings

import networkx as nx
import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.engines.stacked import StackedEngine, stack_members

TOL = 1e-10


def zoo(n_inputs=2, n_outputs=1, output="identity", seed=0):
    """Networks of mixed wiring and depth with the same inputs and outputs."""
    skip = ag.add_skip_connections(ag.layered([n_inputs, 4, 3, n_outputs], output_activation=output, seed=seed),
                                   span=2, seed=seed)  # fmt: skip
    dag = ag.random_dag(12, "gnp", p=0.4, n_inputs=n_inputs, n_outputs=n_outputs, seed=seed)
    for o in dag.outputs:
        dag.set_activation(o, output)
    relu = ag.layered([n_inputs, 5, n_outputs], activation=["relu"], output_activation=output, seed=seed + 1)
    deep = ag.layered([n_inputs, 3, 3, 3, 3, n_outputs], activation="logistic", output_activation=output, seed=seed)
    return [ag.layered([n_inputs, 6, n_outputs], activation="tanh", output_activation=output, seed=seed), skip, dag,
            relu, deep]  # fmt: skip


def regression(n=37, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, np.sin(2 * X[:, :1]) + X[:, 1:] ** 2


def assert_same(alone, together, results_alone, results_together, tol=TOL):
    for i, (a, t, ra, rt) in enumerate(zip(alone, together, results_alone, results_together, strict=True)):
        np.testing.assert_allclose(t.weights, a.weights, rtol=0, atol=tol, err_msg=f"network {i}")
        assert rt.best_run == ra.best_run and rt.monitor == ra.monitor and rt.seed == ra.seed
        assert len(rt.runs) == len(ra.runs)
        for x, y in zip(ra.runs, rt.runs, strict=True):
            assert (y.run, y.init_seed, y.best_epoch, y.steps, y.stop_reason) == (
                x.run, x.init_seed, x.best_epoch, x.steps, x.stop_reason), f"network {i} run {x.run}"  # fmt: skip
            np.testing.assert_allclose(y.best_weights, x.best_weights, rtol=0, atol=tol)
            hx, hy = x.history.as_dict(), y.history.as_dict()
            for column in ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "step_size"):
                np.testing.assert_allclose(hy[column], hx[column], rtol=tol, atol=tol, err_msg=f"{i}: {column}")


def both(nets, X, Y, seeds, **settings):
    alone = [net.copy() for net in nets]
    together = [net.copy() for net in nets]
    results_alone = [
        ag.train(net, X, Y, seed=s, progress=False, **settings) for net, s in zip(alone, seeds, strict=True)
    ]
    results_together = ag.train_many(together, X, Y, seeds=seeds, progress=False, **settings)
    return alone, together, results_alone, results_together


@pytest.mark.parametrize("batch_size", [1, 5, None])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_equal_to_training_alone(batch_size, optimizer):
    X, Y = regression()
    lr = {"sgd": ag.InverseTimeDecay(0.1, decay=0.01), "momentum": 0.02, "adam": 0.01}[optimizer]
    epochs = 4 if batch_size == 1 else 12
    out = both(zoo(), X, Y, [3, 1, 4, 1, 5], optimizer=optimizer, learning_rate=lr, batch_size=batch_size,
               epochs=epochs)  # fmt: skip
    assert_same(*out)
    assert out[3][0].loss < out[3][0].history.loss[0]  # it trained


def test_restarts_validation_split_and_early_stopping():
    X, Y = regression(60)
    out = both(zoo(), X, Y, [7, 8, 9, 10, 11], restarts=3, validation_split=0.25, patience=2, min_delta=1e-3,
               epochs=25, batch_size=8, optimizer="adam", learning_rate=0.05, restore_best="val")  # fmt: skip
    assert_same(*out)
    reasons = {run.stop_reason for result in out[3] for run in result.runs}
    assert "early stopping" in reasons  # some runs stopped early, others did not ...
    lengths = {len(run.history) for result in out[3] for run in result.runs}
    assert len(lengths) > 1  # ... at different epochs
    assert {r.monitor for r in out[3]} == {"val_loss"}


def test_validation_data_and_shuffle_off():
    X, Y = regression(30)
    Xv, Yv = regression(12, seed=1)
    assert_same(*both(zoo(), X, Y, [0] * 5, validation_data=(Xv, Yv), shuffle=False, batch_size=7, epochs=6,
                      learning_rate=0.05))  # fmt: skip


def test_classification_softmax_and_accuracy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(45, 2))
    labels = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
    Y = np.eye(3)[labels]
    out = both(zoo(n_outputs=3), X, Y, [1, 2, 3, 4, 5], loss="softmax_cross_entropy", optimizer="adam",
               learning_rate=0.02, batch_size=9, epochs=8)  # fmt: skip
    assert_same(*out)
    assert all(not math.isnan(r.history.accuracy[-1]) for r in out[3])


def test_binary_cross_entropy_takes_the_loss_gradient_of_a():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(32, 2))
    Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    out = both(zoo(output="logistic"), X, Y, [5, 6, 7, 8, 9], loss="binary_cross_entropy", batch_size=4,
               epochs=5, optimizer="momentum", learning_rate=0.1)  # fmt: skip
    assert_same(*out)


def test_callbacks_see_each_network_with_its_weights():
    X, Y = regression(24)

    def stop_when_good(log):
        assert np.isclose(ag.evaluate(log.network, X, Y).loss, log.loss, rtol=1e-9)  # the network holds its weights
        return log.loss < 0.08

    out = both(zoo(), X, Y, [0, 1, 2, 3, 4], callbacks=[stop_when_good], epochs=30, batch_size=4, learning_rate=0.1,
               optimizer="adam")  # fmt: skip
    assert_same(*out)
    assert any(r.best.stop_reason == "callback" for r in out[3])


def test_one_stack_or_several_give_the_same():
    X, Y = regression(20)
    nets = zoo()
    default = [n.copy() for n in nets]
    single = [n.copy() for n in nets]
    one = ag.train_many(single, X, Y, seeds=list(range(5)), stacks=[[0, 1, 2, 3, 4]], epochs=5, batch_size=3,
                        progress=False)  # fmt: skip
    assert one.stacks == [[0, 1, 2, 3, 4]]
    ag.train_many(default, X, Y, seeds=list(range(5)), epochs=5, batch_size=3, progress=False)
    for a, b in zip(default, single, strict=True):
        np.testing.assert_allclose(a.weights, b.weights, rtol=0, atol=TOL)


def test_test_curve_is_the_held_out_loss_after_every_epoch():
    X, Y = regression(30)
    Xt, Yt = regression(15, seed=3)
    curves = {}

    def recorder(i):
        def record(log):
            curves.setdefault(i, []).append(ag.evaluate(log.network, Xt, Yt).loss)

        return record

    nets = zoo()
    alone = [net.copy() for net in nets]
    starts = [ag.evaluate(net, Xt, Yt).loss for net in alone]
    for i, net in enumerate(alone):
        ag.train(net, X, Y, seed=i, epochs=6, batch_size=5, callbacks=[recorder(i)], progress=False)
    together = ag.train_many([n.copy() for n in nets], X, Y, seeds=range(5), epochs=6, batch_size=5,
                             test_data=(Xt, Yt), progress=False)  # fmt: skip
    for i in range(5):
        np.testing.assert_allclose(together.test[i][0].loss, [starts[i], *curves[i]], rtol=1e-10)


def diverging():
    X, Y = regression(20)
    nets = zoo()
    return X, Y * 1e3, nets, dict(optimizer="sgd", learning_rate=5.0, epochs=6, batch_size=4)


def test_a_diverging_network_raises_as_it_would_alone():
    X, Y, nets, settings = diverging()
    alone = {}
    for i, net in enumerate(nets):
        try:
            ag.train(net.copy(), X, Y, seed=i, progress=False, **settings)
        except ag.NonFiniteError as error:
            alone[i] = error
    first = min(alone, key=lambda i: alone[i].step)  # the first to go non-finite, in lockstep
    together = [net.copy() for net in nets]
    with pytest.raises(ag.NonFiniteError) as error:
        ag.train_many(together, X, Y, seeds=range(5), progress=False, **settings)
    assert error.value.member == first
    assert str(error.value) == f"network {first}: {alone[first]}"
    np.testing.assert_allclose(error.value.weights, alone[first].weights, rtol=1e-10)
    lone = nets[first].copy()
    with pytest.raises(ag.NonFiniteError):
        ag.train(lone, X, Y, seed=first, progress=False, **settings)
    np.testing.assert_allclose(together[first].weights, lone.weights, rtol=1e-10)  # the best weights


def test_errors_keep_lets_the_others_train_on():
    X, Y, nets, settings = diverging()
    alone = [net.copy() for net in nets]
    errors = []
    for i, net in enumerate(alone):
        try:
            ag.train(net, X, Y, seed=i, progress=False, **settings)
            errors.append(None)
        except ag.NonFiniteError as error:
            errors.append(error)
    assert any(errors) and not all(errors)  # some diverge, some do not
    together = [net.copy() for net in nets]
    results = ag.train_many(together, X, Y, seeds=range(5), errors="keep", progress=False, **settings)
    for i, error in enumerate(errors):
        if error is None:
            assert results.errors[i] is None
            np.testing.assert_allclose(together[i].weights, alone[i].weights, rtol=1e-10)
        else:
            assert str(results.errors[i]) == str(error)
            assert results[i].runs[-1].stop_reason == "non-finite"
            np.testing.assert_array_equal(together[i].weights, results[i].weights)  # its best weights
            assert np.isfinite(together[i].weights).all()


def test_interrupt_keeps_the_best_weights():
    X, Y = regression(20)

    def interrupt(log):
        if log.epoch == 3:
            raise KeyboardInterrupt

    nets = [n.copy() for n in zoo()]
    with pytest.warns(ag.TrainingInterruptedWarning):
        results = ag.train_many(nets, X, Y, seeds=range(5), epochs=10, callbacks=[interrupt], progress=False)
    assert all(r.interrupted for r in results)
    for net, r in zip(nets, results, strict=True):
        np.testing.assert_array_equal(net.weights, r.weights)


def test_bad_calls_say_what_is_wrong():
    X, Y = regression(10)
    with pytest.raises(ag.TrainingError, match="same network twice"):
        net = ag.layered([2, 3, 1])
        ag.train_many([net, net], X, Y)
    with pytest.raises(ag.TrainingError, match="inputs and outputs"):
        ag.train_many([ag.layered([2, 3, 1]), ag.layered([3, 3, 1])], X, Y)
    with pytest.raises(ag.TrainingError, match="one per network"):
        ag.train_many([ag.layered([2, 3, 1]), ag.layered([2, 3, 1])], X, Y, seeds=[1])
    with pytest.raises(ag.TrainingError, match="checkpoint"):
        ag.train_many([ag.layered([2, 3, 1])], X, Y, checkpoint="out")
    with pytest.raises(ag.TrainingError, match="seeds="):
        ag.train_many([ag.layered([2, 3, 1])], X, Y, seed=0)
    with pytest.raises(ag.IncompatibleLossError, match="network 1"):
        ag.train_many([ag.layered([2, 3, 1], output_activation="logistic"), ag.layered([2, 3, 1])], X, Y > 0,
                      loss="binary_cross_entropy")  # fmt: skip


def test_stacked_passes_equal_the_union_network_and_each_member():
    """Three ways: the stacked engine, the union as one Network (compiled engine), each member alone."""
    nets = zoo()
    engine = StackedEngine([net.indexed() for net in nets])
    engine.load(engine.union_weights([n.weights for n in nets]))
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 7, 2))  # a batch of its own for each member
    z, _ = engine.forward(X)
    z = z.transpose(1, 2, 0)  # (members, batch, outputs)
    union = nx.DiGraph()
    for j, net in enumerate(nets):
        G = net.to_networkx()
        union.add_nodes_from(((j, u), d) for u, d in G.nodes(data=True))
        union.add_edges_from(((j, u), (j, v), d) for u, v, d in G.edges(data=True))
    whole = ag.Network.from_networkx(union)
    out = whole.forward(np.concatenate(list(X), axis=1)).output  # inputs member by member
    for j, net in enumerate(nets):
        np.testing.assert_allclose(z[j], net.forward(X[j]).output, rtol=1e-13, atol=1e-14)
        np.testing.assert_allclose(z[j], out[:, j : j + 1], rtol=1e-13, atol=1e-14)
    Y = rng.normal(size=(5, 7, 1))
    grad = engine.backward((2 * (z - Y) / 7).transpose(2, 0, 1), None)
    for j, net in enumerate(nets):
        expected = net.backward(net.forward(X[j]), Y[j]).weights.flat
        np.testing.assert_allclose(engine.member_weights(grad, j), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("elements", [64, 1 << 18])
def test_passes_over_one_data_set_for_all_members_equal_each_member_alone(elements):
    """The evaluation pass over data every member shares (one product of the inputs for all levels), in
    chunks of several sizes: the same outputs as the pass over a copy per member, and as each member alone."""
    nets = zoo(output="logistic") + [ag.layered([2, 9, 1], output_activation="logistic", seed=4)]
    engine = StackedEngine([net.indexed() for net in nets])
    engine.load(engine.union_weights([n.weights for n in nets]))
    X = np.random.default_rng(1).normal(size=(50, 2))
    shared = np.broadcast_to(X.T, (len(nets), 2, 50))  # (members, inputs, n), as lockstep.transposed lays it out
    z, a = (v.copy() for v in engine.outputs(shared, elements))
    z_copies, a_copies = engine.outputs(np.ascontiguousarray(shared), elements)
    np.testing.assert_allclose(z, z_copies, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(a, a_copies, rtol=1e-13, atol=1e-14)
    for j, net in enumerate(nets):
        trace = net.forward(X)
        np.testing.assert_allclose(z[:, j].T, trace.output, rtol=1e-13, atol=1e-14)
        a_out = np.stack([trace.a[o] for o in net.outputs], axis=1)
        np.testing.assert_allclose(a[:, j].T, a_out, rtol=1e-13, atol=1e-14)


def test_members_of_very_different_depths_get_stacks_of_their_own():
    wide = [ag.layered([64, 256, 10], seed=s) for s in range(3)]
    deep = [ag.layered([64] + [4] * 12 + [10], seed=s) for s in range(2)]
    assert stack_members([net.indexed() for net in wide + deep]) == [[0, 1, 2], [3, 4]]
    assert stack_members([net.indexed() for net in wide]) == [[0, 1, 2]]


def test_float32_networks_train_together_too():
    X, Y = regression(20)
    nets = [ag.layered([2, 4, 1], seed=s) for s in range(3)]
    for net in nets:
        net.dtype = np.float32
    alone, together, ra, rt = both(nets, X, Y, [0, 1, 2], epochs=4, batch_size=5, learning_rate=0.1)
    assert_same(alone, together, ra, rt, tol=1e-5)


def test_no_warnings_on_a_plain_run():
    X, Y = regression(10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ag.train_many([ag.layered([2, 2, 1], seed=0)], X, Y, epochs=2, progress=False)


@pytest.mark.parametrize("restore_best", ["train", "last"])
def test_restore_best_is_honoured_together(restore_best):
    # validation data only monitor by default; "last" keeps the weights after the last epoch
    X, Y = regression(40)
    out = both(zoo()[:3], X, Y, [1, 2, 3], restarts=2, validation_split=0.25, epochs=6, batch_size=8,
               optimizer="adam", learning_rate=0.05, restore_best=restore_best)  # fmt: skip
    assert_same(*out)
    assert {r.monitor for r in out[3]} == {"loss"}
    if restore_best == "last":
        assert all(run.best_epoch == 6 for result in out[3] for run in result.runs)


def test_adam_as_one_compiled_loop_is_the_numpy_update_bit_for_bit():
    pytest.importorskip("numba", reason="numba is not installed (the extra 'numba')")
    from autograd_graph.training.fused import fuse

    rng = np.random.default_rng(3)
    plain, fused = ag.Adam(0.05, beta1=0.8, eps=1e-6), ag.Adam(0.05, beta1=0.8, eps=1e-6)
    for opt in (plain, fused):
        opt.reset(1000)
    assert fuse(fused, math.inf) and fused.fused is not None and plain.fused is None
    w_plain = rng.normal(size=1000)
    w_fused = w_plain.copy()
    for t in range(400):  # past t = 350, where numpy's form stops dividing m by 1 − β₁^(t+1)
        g = rng.normal(size=1000) * rng.choice([1e-6, 1.0, 1e3], size=1000)
        if t % 50 == 7:  # non-finite and signed-zero gradients: IEEE's numbers in both (numba's error model too)
            g[:5] = [np.inf, -np.inf, np.nan, 0.0, -0.0]
        plain.step_into(w_plain, g)
        fused.step_into(w_fused, g)
    np.testing.assert_array_equal(w_fused, w_plain)
    np.testing.assert_array_equal(fused.m, plain.m)
    np.testing.assert_array_equal(fused.s, plain.s)
    assert fused.t == plain.t == 400 and np.isnan(w_fused[:3]).all() and np.isfinite(w_fused[5:]).all()


def test_the_compiled_adam_only_when_worth_it(monkeypatch):
    from autograd_graph.training import fused

    def adam():
        opt = ag.Adam(0.01)
        opt.reset(10)
        return opt

    sgd = ag.SGD(0.1)
    sgd.reset(10)
    assert not fused.fuse(sgd, math.inf)  # only Adam has one
    monkeypatch.setattr(fused, "_kernel", [])  # not loaded yet in this process
    numba = sys.modules.get("numba")
    with monkeypatch.context() as m:
        m.delitem(sys.modules, "numba", raising=False)  # as in a new process: numba's import would cost too
        opt = adam()
        assert not fused.fuse(opt, fused.FUSED_WORTH / 2) and opt.fused is None and not fused._kernel
    if numba is None or fused.adam_kernel() is None:
        return
    monkeypatch.setattr(fused, "_kernel", [])
    opt = adam()
    assert not fused.fuse(opt, fused.FUSED_WORTH_IMPORTED / 2) and opt.fused is None  # its loading would cost more
    assert fused.fuse(opt, fused.FUSED_WORTH_IMPORTED * 2) and opt.fused is not None  # worth it: loaded now
    small = adam()
    assert fused.fuse(small, 1) and small.fused is opt.fused  # once loaded, it costs nothing: always


def test_training_together_with_the_compiled_adam_equals_training_alone(monkeypatch):
    pytest.importorskip("numba", reason="numba is not installed (the extra 'numba')")
    from autograd_graph.training import fused, lockstep

    monkeypatch.setattr(fused, "FUSED_WORTH", 0)
    taken = []
    monkeypatch.setattr(lockstep, "fuse", lambda opt, n: taken.append(fused.fuse(opt, n)) or taken[-1])
    X, Y = regression(30)
    out = both(zoo(), X, Y, [0, 1, 2, 3, 4], epochs=5, batch_size=4, optimizer="adam", learning_rate=0.05)
    assert taken == [True]
    assert_same(*out)


def test_an_output_that_feeds_another_trains_together_as_alone():
    """The backward sweep's general path: an output neuron in an early level (it feeds the other output)."""
    net = ag.Network(seed=0)
    for name in ("x1", "x2"):
        net.add_input(name)
    net.add_bias("b")
    net.add_neuron("h", activation="tanh")
    net.add_output("y1", activation="tanh")
    net.add_output("y2")
    for source, target in [("x1", "h"), ("x2", "h"), ("b", "h"), ("x1", "y1"), ("h", "y1"), ("y1", "y2"),
                           ("h", "y2"), ("b", "y2")]:  # fmt: skip
        net.connect(source, target)
    net.initialize(0)
    X, Y = regression(24)
    Y = np.hstack([Y, np.cos(X[:, :1])])
    nets = [net, ag.layered([2, 4, 2], output_activation="tanh", seed=1)]
    assert_same(*both(nets, X, Y, [0, 1], epochs=4, batch_size=6, optimizer="adam", learning_rate=0.05))
    # and the common case with outputs that are not the identity: all in the last level, σ' applied there
    nets = [ag.layered([2, 4, 2], output_activation="tanh", seed=s) for s in (2, 3)]
    assert_same(*both(nets, X, Y, [0, 1], epochs=4, batch_size=6, optimizer="adam", learning_rate=0.05))


@pytest.mark.parametrize("loss", ["squared_error", "binary_cross_entropy"])
def test_outputs_in_neighbouring_rows_of_two_levels_train_together_as_alone(loss):
    """The outputs' rows are one slice that spans two levels (o0 feeds o1): the last level's own terms are
    added over the whole slice, and the earlier level's rows are written again when the sweep reaches them."""

    def chain(seed):
        net = ag.Network(seed=seed)
        net.add_input("x1"), net.add_input("x2"), net.add_bias("b")
        net.add_output("o0", activation="logistic"), net.add_output("o1", activation="logistic")
        for source, target in [("x1", "o0"), ("x2", "o0"), ("b", "o0"), ("o0", "o1"), ("x2", "o1"), ("b", "o1")]:
            net.connect(source, target)
        net.initialize(seed)
        return net

    nets = [chain(s) for s in range(3)]
    stack = StackedEngine([net.indexed() for net in nets]).stacks[0]
    assert isinstance(stack.out, slice) and not stack.outputs_last and len(stack.levels) == 2  # the case meant
    X = np.random.default_rng(0).uniform(-1, 1, size=(41, 2))
    Y = (X > 0).astype(float)
    assert_same(*both(nets, X, Y, [0, 1, 2], loss=loss, epochs=5, batch_size=6, optimizer="adam",
                      learning_rate=0.05))  # fmt: skip


@pytest.mark.parametrize("split", [True, False])
@pytest.mark.parametrize("own", ["z", "a"])
def test_gradient_per_level_or_over_the_whole_block_equals_each_member_alone(monkeypatch, split, own):
    """∂L/∂W as one product per level or one over the whole block (both backward paths: the loss's own ∂L/∂z
    of the outputs, and its ∂L/∂a), against each member alone."""
    import autograd_graph.engines.stacked as stacked

    monkeypatch.setattr(stacked, "split_gradient", lambda *args: split)
    nets = zoo(output="logistic")
    engine = StackedEngine([net.indexed() for net in nets])
    engine.load(engine.union_weights([n.weights for n in nets]))
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(5, 6, 2)), rng.uniform(size=(5, 6, 1))
    z, a = (v.copy() for v in engine.forward(X))
    delta = (z - Y.transpose(2, 0, 1)) / 6  # ∂L/∂a of the binary cross-entropy, or used as ∂L/∂z
    grad = engine.backward(delta, None) if own == "z" else engine.backward(np.zeros_like(delta), delta)
    for j, net in enumerate(nets):
        trace = net.forward(X[j])
        if own == "z":  # the squared error against z − 3 delta, averaged over 6 examples: ∂L/∂z = 2 · 3 delta / 6
            expected = net.backward(trace, trace.output - 3 * delta[:, j].T).weights.flat
        else:
            expected = net.backward(trace, Y[j], loss="binary_cross_entropy").weights.flat
        np.testing.assert_allclose(engine.member_weights(grad, j), expected, rtol=1e-12, atol=1e-14)


def test_weights_scattered_by_mask_or_by_index_fill_the_same_blocks():
    """Dense layers (long runs of neighbouring places) load by a boolean mask, a random DAG by the index."""
    dense = [ag.layered([16, 12, 3], seed=s) for s in range(3)]
    dag = [ag.random_dag(30, "gnp", p=0.3, n_inputs=16, n_outputs=3, seed=s) for s in range(3)]
    for nets, masked in ((dense, True), (dag, False)):
        engine = StackedEngine([net.indexed() for net in nets])
        w = engine.union_weights([net.weights for net in nets])
        engine.load(w)
        for stack in engine.stacks:
            assert (stack.w_mask is not None) == masked
            expected = np.zeros_like(stack.W)
            expected.reshape(-1)[stack.w_index] = w[stack.lo : stack.hi]
            np.testing.assert_array_equal(stack.W, expected)
        X = np.random.default_rng(0).normal(size=(3, 4, 16))
        z, _ = engine.forward(X)
        for j, net in enumerate(nets):
            np.testing.assert_allclose(z[:, j].T, net.forward(X[j]).output, rtol=1e-13, atol=1e-14)
