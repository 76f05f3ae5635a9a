"""Validation data monitor; they choose the weights only with restore_best="val"; a Task's test data warn."""

import warnings

import numpy as np
import pytest

import autograd_graph as ag

X = np.linspace(-1, 1, 24).reshape(-1, 1)
Y = np.sin(3 * X)
X_VAL = np.linspace(-0.97, 0.97, 9).reshape(-1, 1)
SETTINGS = dict(epochs=12, learning_rate=0.3, batch_size=4, seed=0, progress=False)


def test_validation_data_alone_only_monitor():
    net = ag.running_example(seed=0)
    result = ag.train(net, X, Y, validation_data=(X_VAL, np.sin(3 * X_VAL)), **SETTINGS)
    h = result.history
    assert result.monitor == "loss" and not np.isnan(h.val_loss).any()
    assert result.best.best_epoch == int(np.argmin(h.loss))  # the training loss chose the weights
    assert ag.evaluate(net, X, Y).loss == min(h.loss)


def test_restore_best_val_and_its_errors():
    net = ag.running_example(seed=0)
    result = ag.train(net, X, Y, validation_split=0.25, restore_best="val", **SETTINGS)
    assert result.monitor == "val_loss"
    assert result.best.best_epoch == int(np.argmin(result.history.val_loss))
    with pytest.raises(ag.TrainingError, match="restore_best='val' chooses the weights by validation loss"):
        ag.train(ag.running_example(), X, Y, restore_best="val", **SETTINGS)
    with pytest.raises(ag.TrainingError, match="restore_best must be one of 'train', 'val', 'last', got 'best'"):
        ag.train(ag.running_example(), X, Y, restore_best="best", **SETTINGS)


def test_early_stopping_watches_the_loss_restore_best_names():
    # y = 2x by gradient descent, validated on y = −2x: the training loss falls, the validation loss rises
    settings = dict(epochs=10, learning_rate=0.1, batch_size=None, patience=2, progress=False)
    line = lambda: ag.from_edge_list([("x", "y", 0.0)])  # noqa: E731
    validation = (X_VAL, -2 * X_VAL)
    result = ag.train(line(), X, 2 * X, validation_data=validation, **settings)
    assert np.all(np.diff(result.history.loss) < 0) and np.all(np.diff(result.history.val_loss) > 0)
    assert result.best.stop_reason == "epochs" and result.best.best_epoch == 10
    result = ag.train(line(), X, 2 * X, validation_data=validation, restore_best="val", **settings)
    assert result.best.stop_reason == "early stopping" and result.best.best_epoch == 0
    assert result.best.epochs == 2


def test_the_test_data_of_a_task_as_validation_data_warn():
    task = ag.load_task("sin", seed=0)
    net = task.baseline(seed=0)
    with pytest.warns(ag.ValidationDataWarning, match=r"the test data of the task 'sin' \(task.X_test\)"):
        ag.train(net, task.X, task.Y, validation_data=(task.X_test, task.Y_test), epochs=1, progress=False)
    with pytest.warns(ag.ValidationDataWarning):  # a part of them too
        ag.train(net, task.X, task.Y, validation_data=(task.X_test[:10], task.Y_test[:10]), epochs=1, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the training data (a view of the same array) and a split are fine
        ag.train(net, task.X, task.Y, validation_split=0.2, epochs=1, progress=False)
        ag.train(net, task.X[:60], task.Y[:60], validation_data=(task.X[60:], task.Y[60:]), epochs=1, progress=False)


def test_restore_best_last_keeps_the_weights_of_the_last_epoch(tmp_path):
    net = ag.running_example(seed=0)
    seen = []
    result = ag.train(net, X, Y, restore_best="last", checkpoint=tmp_path, callbacks=[lambda log: seen.append(
        log.network.get_weights())], **{**SETTINGS, "learning_rate": 1.5})  # fmt: skip
    assert result.best.best_epoch == 12 and result.loss == result.history.loss[-1]
    np.testing.assert_array_equal(net.weights, seen[-1])
    assert min(result.history.loss) < result.loss  # a big step size: the last epoch is not the best one
    np.testing.assert_array_equal(ag.load(tmp_path / "best.json").weights, net.weights)
    # among restarts, the run whose last loss is lowest
    result = ag.train(ag.running_example(seed=0), X, Y, restore_best="last", restarts=3, **SETTINGS)
    finals = [run.final_loss for run in result.runs]
    assert result.best_run == int(np.argmin(finals))


@pytest.mark.parametrize(
    ("keyword", "meant"),
    [("lr", "use learning_rate"), ("verbose", "use progress"), ("frozen", r"use net.freeze\(edges\)"),
     ("max_iter", "use epochs"), ("epoch", "use epochs"), ("zzz", "settings: batch_size")],
)  # fmt: skip
def test_keywords_of_other_libraries_name_the_setting_meant(keyword, meant):
    with pytest.raises(ag.UnknownSettingError, match=f"train\\(\\) has no setting '{keyword}'.*{meant}"):
        ag.train(ag.running_example(), X, Y, **{keyword: 1})
    assert issubclass(ag.UnknownSettingError, TypeError)  # what Python raised before
