"""The training loop: modes, restarts, validation, early stopping, callbacks, progress,
non-finite detection, Ctrl-C, checkpoints, and the scikit-learn style Trainer."""

import json
import math

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.training.nonfinite import backward_fault, forward_fault

X_SIN = np.linspace(-1, 1, 21).reshape(-1, 1)
Y_SIN = np.sin(3 * X_SIN)


def quick(net=None, **params):
    """Train the running example on sin(3x) for a few epochs."""
    net = ag.running_example(seed=0) if net is None else net
    settings = dict(epochs=5, learning_rate=0.3, seed=0, progress=False) | params
    return net, ag.train(net, X_SIN, Y_SIN, **settings)


# ------------------------------------------------------------------ modes and shuffling
@pytest.mark.parametrize(("batch_size", "steps_per_epoch"), [(1, 21), (4, 6), (21, 1), (100, 1), (None, 1)])
def test_modes_make_one_update_per_batch(batch_size, steps_per_epoch):
    _, result = quick(batch_size=batch_size, epochs=3)
    assert result.runs[0].steps == 3 * steps_per_epoch
    assert result.history.epoch == [0, 1, 2, 3]


def test_minibatch_update_is_the_mean_gradient_of_its_batch():
    net = ag.running_example(seed=0)
    w0 = net.get_weights()
    # no shuffling, batch of 21 = full batch: one update with the gradient of the mean loss
    ag.train(net, X_SIN, Y_SIN, batch_size=21, shuffle=False, epochs=1, learning_rate=0.3, progress=False)
    net2 = ag.running_example(seed=0)
    expected = w0 - 0.3 * net2.backward(net2.forward(X_SIN), Y_SIN).weights.flat
    np.testing.assert_array_equal(net.get_weights(), expected)


def test_shuffling_is_seeded():
    runs = [quick(seed=s, batch_size=1)[1].history.loss for s in (3, 3, 4)]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
    unshuffled = [quick(seed=s, batch_size=1, shuffle=False)[1].history.loss for s in (3, 4)]
    assert unshuffled[0] == unshuffled[1]  # nothing random is left


def test_history_has_a_row_per_epoch_and_epoch_zero_is_the_start():
    net = ag.running_example(seed=0)
    start = ag.evaluate(net, X_SIN, Y_SIN).loss
    _, result = quick(net, epochs=4)
    h = result.history
    assert len(h) == 5 and h.loss[0] == start
    assert all(math.isnan(v) for v in h.accuracy + h.val_loss + h.val_accuracy)
    assert h.seconds == sorted(h.seconds)
    assert set(h.as_dict()) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "step_size", "seconds"}


# ------------------------------------------------------------------ restarts
def test_restarts_same_seed_same_result_and_the_best_run_is_returned():
    results, nets = [], []
    for _ in range(2):
        net, result = quick(restarts=4, epochs=8, seed=11)
        results.append(result)
        nets.append(net)
    a, b = results
    assert [r.history.loss for r in a.runs] == [r.history.loss for r in b.runs]
    assert nets[0].get_weights().tobytes() == nets[1].get_weights().tobytes()
    assert len(a.runs) == 4 and len({r.init_seed for r in a.runs}) == 4
    best_losses = [r.best_loss for r in a.runs]
    assert a.best_run == int(np.argmin(best_losses)) and a.loss == min(best_losses)
    np.testing.assert_array_equal(nets[0].get_weights(), a.runs[a.best_run].best_weights)
    assert ag.evaluate(nets[0], X_SIN, Y_SIN).loss == a.loss
    assert a.seed == 11
    assert "*" in str(a).splitlines()[a.best_run + 1]


def test_each_run_starts_from_its_reported_seed():
    net, result = quick(restarts=3, epochs=2, seed=5)
    for run in result.runs:
        net.initialize(run.init_seed)
        assert ag.evaluate(net, X_SIN, Y_SIN).loss == run.history.loss[0]


def test_different_seeds_give_different_restarts_and_none_is_repeatable():
    a = quick(restarts=2, epochs=2, seed=1)[1]
    b = quick(restarts=2, epochs=2, seed=2)[1]
    assert a.runs[0].init_seed != b.runs[0].init_seed
    fresh = quick(restarts=2, epochs=2, seed=None)[1]
    again = quick(restarts=2, epochs=2, seed=fresh.seed)[1]
    assert [r.history.loss for r in fresh.runs] == [r.history.loss for r in again.runs]


def test_one_run_starts_from_the_current_weights():
    net = ag.running_example(seed=3)
    w = net.get_weights()
    result = quick(net, epochs=0)[1]
    assert result.runs[0].init_seed is None
    np.testing.assert_array_equal(net.get_weights(), w)


# ------------------------------------------------------------------ validation, early stopping, callbacks
def test_restore_best_val_chooses_the_best_weights_by_validation_loss():
    X_val = np.linspace(-0.95, 0.95, 10).reshape(-1, 1)
    net, result = quick(validation_data=(X_val, np.sin(3 * X_val)), epochs=10, restore_best="val")
    assert result.monitor == "val_loss"
    best = result.best
    assert best.best_loss == min(best.history.val_loss)
    assert best.best_epoch == int(np.argmin(best.history.val_loss))
    assert ag.evaluate(net, X_val, np.sin(3 * X_val)).loss == best.best_loss


def test_validation_split_holds_out_a_seeded_random_part():
    _, a = quick(validation_split=0.25, epochs=2, seed=4)
    _, b = quick(validation_split=0.25, epochs=2, seed=4)
    assert a.history.val_loss == b.history.val_loss
    assert not math.isnan(a.history.val_loss[0])
    with pytest.raises(ag.TrainingError, match="either validation_data or validation_split"):
        quick(validation_split=0.2, validation_data=(X_SIN, Y_SIN))


def test_early_stopping_ends_a_run_after_patience_epochs_without_improvement():
    # a zero step size never improves: the run stops after `patience` epochs
    _, result = quick(learning_rate=0.0, patience=3, epochs=50)
    run = result.runs[0]
    assert run.stop_reason == "early stopping" and run.epochs == 3
    _, result = quick(learning_rate=0.3, patience=2, min_delta=10.0, epochs=50)
    assert result.runs[0].epochs == 2  # no improvement is larger than min_delta


def test_callbacks_see_every_epoch_and_can_stop_a_run():
    logs = []

    def stop_at_three(log):
        logs.append(log)
        return log.epoch == 3

    _, result = quick(callbacks=[stop_at_three], restarts=2, epochs=10)
    assert [(log.run, log.epoch) for log in logs] == [(0, 1), (0, 2), (0, 3), (1, 1), (1, 2), (1, 3)]
    assert [r.stop_reason for r in result.runs] == ["callback", "callback"]
    assert logs[0].loss == result.runs[0].history.loss[1]
    assert isinstance(logs[0].network, ag.Network)


def test_accuracy_is_reported_for_classification():
    # XOR with a logistic output and binary cross-entropy
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    Y = np.array([[0], [1], [1], [0]], dtype=float)
    net = ag.Network(seed=0)
    for n in ("x1", "x2"):
        net.add_input(n)
    net.add_bias("b")
    net.add_neuron("h1", "tanh")
    net.add_neuron("h2", "tanh")
    net.add_output("y", "logistic")
    for s, t in [("x1", "h1"), ("x2", "h1"), ("b", "h1"), ("x1", "h2"), ("x2", "h2"), ("b", "h2"),
                 ("h1", "y"), ("h2", "y"), ("b", "y")]:  # fmt: skip
        net.connect(s, t)
    result = ag.train(net, X, Y, loss="binary_cross_entropy", optimizer="adam", learning_rate=0.1, epochs=300,
                      batch_size=None, seed=0, restarts=3, progress=False)  # fmt: skip
    assert result.history.accuracy[-1] == 1.0
    np.testing.assert_array_equal(net.forward(X).output > 0.5, Y > 0.5)


# ------------------------------------------------------------------ progress bar
def test_progress_bar_is_shown_only_when_asked(capsys):
    quick(progress=True, epochs=3)
    assert "training" in capsys.readouterr().err
    quick(progress=False, epochs=3)
    assert capsys.readouterr().err == ""
    quick(progress=None, epochs=3)  # the default: only on a terminal; pytest captures stderr
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------ non-finite values
def test_non_finite_detection_names_the_step_and_the_neuron():
    net = ag.running_example(seed=0)
    net.set_weight(1, 4, 1e308)
    net.set_weight(2, 4, 1e308)  # a_4 = 1e308 x + 1e308 overflows for x = 1
    start = net.get_weights()
    X = np.array([[-1.0], [1.0]])
    with pytest.raises(ag.NonFiniteError, match=r"at step 1 \(run 0, epoch 1\): a of neuron 4 is inf \(training "
                       r"example 1\)") as info:  # fmt: skip
        ag.train(net, X, np.zeros((2, 1)), batch_size=1, shuffle=False, learning_rate=0.0, progress=False)
    error = info.value
    assert (error.step, error.epoch, error.quantity, error.neuron, list(error.indices)) == (1, 1, "a", 4, [1])
    np.testing.assert_array_equal(net.get_weights(), start)


def test_divergence_is_caught_and_the_weights_are_the_last_finite_ones():
    # identity neurons and a huge step size: the weights grow until a pass overflows
    net = ag.running_example(seed=0, activation="identity")
    X = np.linspace(-1, 1, 8).reshape(-1, 1)
    with pytest.raises(ag.NonFiniteError) as info:
        ag.train(net, X, 3 * X, batch_size=1, learning_rate=5.0, epochs=1000, seed=0, progress=False)
    error = info.value
    assert error.step >= 1 and f"at step {error.step} " in str(error)
    if error.neuron is not None:
        assert error.neuron in net and f"of neuron {error.neuron!r} is" in str(error)
    assert np.isfinite(net.get_weights()).all()
    assert not np.array_equal(net.get_weights(), error.weights)  # rolled back to before the last update
    # the error's weights and indices reproduce the failing pass
    net.set_weights(error.weights)
    with np.errstate(all="ignore"):
        trace = net.forward(X[error.indices])
        fault = forward_fault(trace) or backward_fault(net.backward(trace, 3 * X[error.indices]), trace, net.edges)
    assert (fault.quantity, fault.neuron, fault.edge) == (error.quantity, error.neuron, error.edge)


def test_non_finite_training_data_is_rejected():
    X = X_SIN.copy()
    X[3, 0] = np.nan
    with pytest.raises(ag.ShapeError, match=r"X\[3, 0\] is nan; training data must be finite"):
        ag.train(ag.running_example(), X, Y_SIN, progress=False)


# ------------------------------------------------------------------ Ctrl-C
def test_an_interrupt_keeps_the_best_weights_found_so_far():
    def interrupt(log):
        if log.run == 1 and log.epoch == 3:
            raise KeyboardInterrupt

    net = ag.running_example(seed=0)
    with pytest.warns(ag.TrainingInterruptedWarning, match="training interrupted in run 1 after 3 epochs"):
        net, result = quick(net, callbacks=[interrupt], restarts=3, epochs=6, seed=2)
    assert result.interrupted and len(result.runs) == 2
    assert [r.stop_reason for r in result.runs] == ["epochs", "interrupted"]
    best = min(result.runs, key=lambda r: r.best_loss)
    assert result.best is best
    np.testing.assert_array_equal(net.get_weights(), best.best_weights)
    assert ag.evaluate(net, X_SIN, Y_SIN).loss == result.loss


def test_an_interrupt_in_the_middle_of_an_epoch_keeps_the_best_weights():
    calls = {"n": 0}

    def function(a):
        calls["n"] += 1
        if calls["n"] == 200:
            raise KeyboardInterrupt
        return np.tanh(a)

    slow_tanh = ag.Activation("tanh_interrupting", function, lambda a, z: 1 - z * z)
    net = ag.running_example(seed=0, activation=slow_tanh)
    with pytest.warns(ag.TrainingInterruptedWarning):
        net, result = quick(net, epochs=50, batch_size=1)
    run = result.runs[0]
    assert run.stop_reason == "interrupted" and 0 < run.epochs < 50
    np.testing.assert_array_equal(net.get_weights(), run.best_weights)
    assert run.best_loss == min(run.history.loss)


# ------------------------------------------------------------------ checkpoints
def test_checkpoints_every_n_epochs_and_the_best_so_far(tmp_path):
    net, result = quick(epochs=6, restarts=2, checkpoint=tmp_path, checkpoint_every=3, seed=1)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["best.json", "run0-epoch3.json", "run0-epoch6.json", "run1-epoch3.json", "run1-epoch6.json"]
    best = ag.load(tmp_path / "best.json")
    np.testing.assert_array_equal(best.get_weights(), net.get_weights())
    meta = ag.load_metadata(tmp_path / "best.json")
    assert (meta["run"], meta["epoch"], meta["loss"]) == (result.best_run, result.best.best_epoch, result.loss)
    epoch3 = ag.load_metadata(tmp_path / "run1-epoch3.json")
    assert epoch3["loss"] == result.runs[1].history.loss[3]
    with pytest.raises(ag.TrainingError, match="checkpoint_every needs checkpoint"):
        quick(checkpoint_every=2)


def test_result_metadata_is_json(tmp_path):
    net, result = quick(restarts=2, epochs=2)
    ag.save(net, tmp_path / "net.json", metadata=result.metadata())
    meta = ag.load_metadata(tmp_path / "net.json")
    assert meta["best_run"] == result.best_run and len(meta["runs"]) == 2
    json.dumps(meta)


# ------------------------------------------------------------------ the scikit-learn style trainer
def test_trainer_follows_scikit_learn_conventions():
    trainer = ag.Trainer(epochs=4, learning_rate=0.3, seed=0, progress=False)
    assert not any(name.endswith("_") for name in vars(trainer))  # __init__ stores parameters only
    net = ag.running_example(seed=0)
    assert trainer.fit(net, X_SIN, Y_SIN) is trainer
    assert trainer.history_ is trainer.result_.history and trainer.best_loss_ == trainer.result_.loss
    assert trainer.get_params()["epochs"] == 4
    assert trainer.set_params(epochs=2) is trainer and trainer.epochs == 2
    with pytest.raises(ValueError, match="Trainer has no parameter 'lr'"):
        trainer.set_params(lr=0.1)


def test_trainer_works_with_scikit_learn_clone():
    base = pytest.importorskip("sklearn.base")
    trainer = ag.Trainer(epochs=3, optimizer=ag.Adam(0.01), progress=False)
    copy = base.clone(trainer)
    assert copy is not trainer and copy.get_params()["epochs"] == 3
    assert repr(copy.optimizer) == repr(trainer.optimizer)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"epochs": -1}, "epochs must be a whole number ≥ 0"),
        ({"batch_size": 0}, "batch_size must be a whole number ≥ 1 or None"),
        ({"restarts": 1.5}, "restarts must be a whole number ≥ 1"),
        ({"validation_split": 1.0}, r"validation_split must be a finite number in \[0, 1\), got 1.0"),
        ({"seed": -3}, "seed must be an integer ≥ 0"),
        ({"callbacks": [3]}, "callbacks must be callables"),
    ],
)
def test_bad_settings_are_clear_errors(params, message):
    net = ag.running_example(seed=0)
    w = net.get_weights()
    with pytest.raises(ag.TrainingError, match=message):
        ag.train(net, X_SIN, Y_SIN, progress=False, **params)
    np.testing.assert_array_equal(net.get_weights(), w)


def test_a_single_output_network_takes_1d_targets_in_training_and_evaluation():
    X = np.linspace(-1, 1, 9).reshape(-1, 1)
    Y = np.sin(3 * X)
    settings = dict(epochs=3, seed=0, progress=False)
    column, flat = ag.running_example(seed=0), ag.running_example(seed=0)
    a = ag.train(column, X, Y, validation_data=(X, Y), **settings)
    b = ag.train(flat, X, Y.ravel(), validation_data=(X, Y.ravel()), **settings)
    assert a.history.loss == b.history.loss and a.history.val_loss == b.history.val_loss
    np.testing.assert_array_equal(column.weights, flat.weights)
    assert ag.evaluate(flat, X, Y.ravel()) == ag.evaluate(flat, X, Y)
    labels = (Y.ravel() > 0).astype(float)
    assert ag.evaluate(flat, X, labels, classification=True).accuracy == ag.accuracy(flat.forward(X).output, labels)
    assert ag.accuracy(np.array([0.2, 0.8]), np.array([0, 1])) == 1.0
    with pytest.raises(ag.ShapeError, match=r"output has shape \(2, 1\) but Y has shape \(3, 1\)"):
        ag.accuracy(np.array([0.2, 0.8]), np.array([0, 1, 1]))
    # several outputs: a 1-D Y stays one example, as everywhere else
    with pytest.raises(ag.ShapeError):
        ag.train(ag.layered([1, 2, 2], seed=0), X, Y.ravel(), **settings)


def test_restarts_reseed_the_networks_generator_through_initialize():
    X = np.linspace(-1, 1, 9).reshape(-1, 1)
    net = ag.running_example(seed=0)
    result = ag.train(net, X, np.sin(3 * X), epochs=1, restarts=2, seed=4, progress=False)
    net.connect(1, 9)  # a new weight, drawn from the generator the last restart seeded
    again = ag.running_example(seed=0)
    again.initialize(result.runs[-1].init_seed)
    again.connect(1, 9)
    assert net.get_weight(1, 9) == again.get_weight(1, 9)


def test_ag_train_takes_the_compiled_adam_when_worth_it_with_the_same_numbers(monkeypatch):
    pytest.importorskip("numba", reason="numba is not installed (the extra 'numba')")
    from autograd_graph.training import fused, loop

    rng = np.random.default_rng(5)
    X, Y = rng.uniform(-1, 1, (60, 3)), rng.uniform(-1, 1, (60, 2))
    results, taken = [], []
    real_fuse = fused.fuse
    monkeypatch.setattr(loop, "fuse", lambda opt, n: taken.append(real_fuse(opt, n)) or taken[-1])
    for compiled in (True, False):
        if not compiled:  # as without numba
            monkeypatch.setattr(fused, "adam_kernel", lambda: None)
        monkeypatch.setattr(fused, "FUSED_WORTH", 0)
        net = ag.layered([3, 6, 2], activation="tanh", seed=1)
        ag.train(
            net, X, Y, epochs=4, batch_size=8, optimizer="adam", learning_rate=0.05, restarts=2, seed=0, progress=False
        )
        results.append(net.get_weights())
    assert taken == [True, True, False, False]  # each run fuses its own copy of the optimizer (restarts=2)
    np.testing.assert_array_equal(results[0], results[1])  # bit for bit
