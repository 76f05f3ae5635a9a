"""Training never loses its work: checkpoints that fail warn once, best.json is never older than the network,
settings (the checkpoint folder included) are checked before any weight changes, and whatever ends training
leaves the best weights (hardening items 8 to 11)."""

import errno
import os
import signal
import warnings

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.io import files
from tests.helpers import graph_state

X = np.linspace(-1, 1, 21).reshape(-1, 1)
Y = np.sin(3 * X)
SETTINGS = dict(
    epochs=6, batch_size=None, optimizer="adam", learning_rate=0.05, seed=0, progress=False
)  # improves every epoch


def best_in(folder):
    return ag.load(folder / "best.json").get_weights()


def saves_of(name, monkeypatch, action, when=lambda n: True):
    """Make the n-th save (n = 1, 2, ...) whose target is ``name`` do ``action`` inside its write."""
    real_fsync, count = os.fsync, {"n": 0}

    def fsync(fd):
        real_fsync(fd)
        target = os.readlink(f"/proc/self/fd/{fd}") if os.path.exists(f"/proc/self/fd/{fd}") else ""
        if f".{name}.{files.TEMP_TAG}-" in target:
            count["n"] += 1
            if when(count["n"]):
                action()

    monkeypatch.setattr(files.os, "fsync", fsync)
    return count


# ------------------------------------------------------------------ 9. a checkpoint that cannot be written
def test_a_full_disk_warns_once_and_training_goes_on_with_the_best_weights(tmp_path, monkeypatch):
    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    net = ag.running_example(seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = ag.train(net, X, Y, checkpoint=tmp_path / "ckpt", checkpoint_every=1, restarts=2, **SETTINGS)
    said = [w for w in caught if issubclass(w.category, ag.CheckpointWarning)]
    assert len(said) == 1  # once, not once per epoch
    message = str(said[0].message)
    assert f"could not save the checkpoint {tmp_path / 'ckpt'}" in message and "No space left on device" in message
    assert [r.epochs for r in result.runs] == [6, 6]  # training went on to the end
    np.testing.assert_array_equal(net.get_weights(), result.weights)
    assert ag.evaluate(net, X, Y).loss == result.loss == min(min(r.history.loss) for r in result.runs)
    assert not any(p.name.endswith(".tmp") for p in (tmp_path / "ckpt").iterdir())


def test_best_json_is_written_at_the_end_when_the_disk_recovers(tmp_path, monkeypatch):
    disk = {"full": False}

    def fill_up(log):  # the disk is full from epoch 2 to the end of the last epoch's saves
        disk["full"] = 2 <= log.epoch < SETTINGS["epochs"]

    def fail():
        if disk["full"]:
            raise OSError(errno.ENOSPC, "No space left on device")

    saves_of("best.json", monkeypatch, fail)
    net = ag.running_example(seed=0)
    with pytest.warns(ag.CheckpointWarning, match="No space left on device"):
        result = ag.train(net, X, Y, checkpoint=tmp_path, callbacks=[fill_up], **SETTINGS)
    assert result.best.best_epoch > 2  # the best came while the disk was full
    np.testing.assert_array_equal(best_in(tmp_path), net.get_weights())  # redone when training ended


# ------------------------------------------------------------------ 10. best.json is never older than the network
def test_an_interrupt_inside_the_save_of_best_json_redoes_it_before_returning(tmp_path, monkeypatch):
    def interrupt():
        raise KeyboardInterrupt  # raised inside the write: this save does not finish

    saves_of("best.json", monkeypatch, interrupt, when=lambda n: n == 3)
    net = ag.running_example(seed=0)
    with pytest.warns(ag.TrainingInterruptedWarning):
        result = ag.train(net, X, Y, checkpoint=tmp_path, **SETTINGS)
    assert result.interrupted
    np.testing.assert_array_equal(best_in(tmp_path), net.get_weights())
    assert ag.load_metadata(tmp_path / "best.json")["epoch"] == result.best.best_epoch
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.json"]


def test_ctrl_c_during_a_checkpoint_save_waits_for_the_file(tmp_path, monkeypatch):
    # a real SIGINT in the middle of writing best.json: the file is finished, then training stops
    saves_of("best.json", monkeypatch, lambda: signal.raise_signal(signal.SIGINT), when=lambda n: n == 2)
    net = ag.running_example(seed=0)
    with pytest.warns(ag.TrainingInterruptedWarning):
        result = ag.train(net, X, Y, checkpoint=tmp_path, **SETTINGS)
    assert result.interrupted and result.best.best_epoch == 1  # epoch 0, then epoch 1's save was interrupted
    np.testing.assert_array_equal(best_in(tmp_path), net.get_weights())
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


# ------------------------------------------------------------------ 8. non-finite losses in checkpoints
def test_an_overflowing_mean_loss_still_checkpoints(tmp_path):
    # each example's loss (w·x)² is finite, their sum over the data set is not: the epoch's loss is inf
    net = ag.Network()
    net.add_input("x")
    net.add_output("y", "identity")
    net.connect("x", "y", weight=1.2e154)
    result = ag.train(net, X, np.zeros_like(X), checkpoint=tmp_path, checkpoint_every=1, **{**SETTINGS, "epochs": 2,
                      "learning_rate": 0.0})  # fmt: skip
    assert result.history.loss == [np.inf] * 3
    assert ag.load_metadata(tmp_path / "run0-epoch2.json")["loss"] == "Infinity"
    assert ag.load(tmp_path / "run0-epoch2.json").get_weight("x", "y") == 1.2e154


# ------------------------------------------------------------------ 11. everything checked before the first change
@pytest.mark.parametrize(
    ("make", "params", "error", "message"),
    [
        (lambda: ag.running_example(seed=0), dict(restarts=3, loss="binary_cross_entropy"), ag.IncompatibleLossError,
         "needs logistic output neurons; output neuron 9 has activation 'identity'"),
        (lambda: ag.running_example(seed=0), dict(restarts=3, loss="softmax_cross_entropy"), ag.IncompatibleLossError,
         "needs at least 2 output neurons"),
        (lambda: ag.running_example(seed=0), dict(restarts=3, checkpoint="{file}"), ag.TrainingError,
         "checkpoint=.* is a file; checkpoints go into a folder"),
        (lambda: ag.running_example(seed=0), dict(restarts=3, checkpoint="{file}/below"), ag.TrainingError,
         r"checkpoint=.*: cannot write .*is a file"),
        (lambda: ag.running_example(seed=0), dict(restarts=3, checkpoint=3), ag.TrainingError,
         "checkpoint must be a folder's path"),
        (lambda: ag.running_example(seed=0), dict(restarts=3, learning_rate=-1.0), ag.TrainingError, "rate"),
        (lambda: ag.running_example(seed=0), dict(restarts=3, validation_data=(X, Y[:3])), ag.ShapeError, "examples"),
    ],
    ids=["bce on identity", "softmax on one output", "checkpoint is a file", "checkpoint under a file",
         "checkpoint not a path", "negative rate", "validation data"],
)  # fmt: skip
def test_a_bad_setting_fails_before_any_weight_is_redrawn(tmp_path, make, params, error, message):
    (tmp_path / "a_file").write_text("")
    params = {k: v.format(file=tmp_path / "a_file") if isinstance(v, str) else v for k, v in params.items()}
    net = make()
    before = graph_state(net)
    with pytest.raises(error, match=message):
        ag.train(net, X, Y, **{**SETTINGS, **params})
    assert graph_state(net) == before


def test_an_incomplete_network_fails_before_any_weight_is_redrawn():
    net = ag.running_example(seed=0)
    net.add_neuron("orphan")  # no incoming edge
    before = graph_state(net)
    with pytest.raises(ag.IncompleteNetworkError, match="orphan"):
        ag.train(net, X, Y, restarts=3, **SETTINGS)
    assert graph_state(net) == before


# ------------------------------------------------------------------ 9. whatever ends training: the best weights
def test_an_error_in_a_callback_leaves_the_best_weights(tmp_path):
    seen = []

    def failing(log):
        seen.append((log.loss, log.network.get_weights()))
        if log.run == 1 and log.epoch == 3:
            raise RuntimeError("the callback broke")

    net = ag.running_example(seed=0)
    with pytest.raises(RuntimeError, match="the callback broke"):
        ag.train(net, X, Y, restarts=2, callbacks=[failing], checkpoint=tmp_path, **SETTINGS)
    best_loss, best_weights = min(seen, key=lambda pair: pair[0])
    np.testing.assert_array_equal(net.get_weights(), best_weights)
    np.testing.assert_array_equal(best_in(tmp_path), best_weights)
    assert ag.evaluate(net, X, Y).loss == best_loss


def test_a_diverging_run_leaves_the_best_weights_of_every_run():
    losses = []
    net = ag.running_example(seed=0, activation="identity")
    start = ag.evaluate(net, X, 3 * X).loss
    with pytest.raises(ag.NonFiniteError, match="The network holds the best weights training found"):
        ag.train(net, X, 3 * X, batch_size=1, learning_rate=5.0, epochs=1000, seed=0, progress=False,
                 callbacks=[lambda log: losses.append(log.loss)])  # fmt: skip
    assert ag.evaluate(net, X, 3 * X).loss == min([start, *losses])
