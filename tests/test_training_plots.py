"""Learning curves and gradient norms as matplotlib figures; histories as pandas tables."""

import numpy as np
import pytest

import autograd_graph as ag

pd = pytest.importorskip("pandas", reason="the histories as DataFrames need pandas")

X = np.linspace(-1, 1, 20).reshape(-1, 1)
Y = np.sin(3 * X)


def test_result_plot_draws_both_curves_and_marks_the_best_epoch():
    from matplotlib.figure import Figure

    net = ag.running_example(seed=0)
    result = ag.train(net, X, Y, epochs=8, learning_rate=0.3, validation_split=0.25, restore_best="val", seed=0,
                      progress=False)  # fmt: skip
    fig = result.plot()
    assert isinstance(fig, Figure) and type(fig.canvas).__name__ == "FigureCanvasAgg"
    (ax,) = fig.axes
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_array_equal(lines["training"].get_ydata(), result.history.loss)
    np.testing.assert_array_equal(lines["validation"].get_ydata(), result.history.val_loss)
    best = next(line for label, line in lines.items() if label.startswith("best epoch"))
    assert best.get_xdata().tolist() == [result.best.best_epoch]
    assert best.get_ydata().tolist() == [result.best.best_loss]
    assert "validation loss" in best.get_label()


def test_a_classifier_gets_an_accuracy_panel_and_all_runs_show():
    task = ag.load_task("xor")
    result = ag.train(task.baseline(seed=0), task.X, task.Y, loss="binary_cross_entropy", epochs=5, restarts=3,
                      seed=0, progress=False)  # fmt: skip
    fig = result.plot(runs="all")
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "accuracy"]
    assert len(fig.axes[0].get_lines()) == 2 + 1 + 2  # two other runs, the best one, its best epoch (line, dot)
    with pytest.raises(ag.TrainingError, match="runs must be 'best' or 'all'"):
        result.plot(runs="some")


def test_plot_gradients_draws_each_layers_gradient_norm_from_a_recording():
    net = ag.running_example(seed=0)
    recorder = ag.Recorder(gradients=True, X=X, Y=Y)
    ag.train(net, X, Y, epochs=3, learning_rate=0.1, seed=0, progress=False, callbacks=[recorder])
    record = recorder.best()
    epochs, names, norms = ag.training.plots.gradient_norms(recorder)
    assert names == ["layer 2", "layer 3", "layer 4"] and epochs.tolist() == [1, 2, 3]
    probe = ag.running_example(seed=0)
    for k, epoch in enumerate(epochs.tolist()):
        probe.set_weights(record.at(epoch))
        g = probe.backward(probe.forward(X), Y).weights
        into_9 = np.sqrt(sum(g[(i, 9)] ** 2 for i in (6, 7, 8)))  # the weights into layer 4, by hand
        assert norms[k, 2] == pytest.approx(into_9, rel=1e-12)
    fig = ag.plot_gradients(record, weights=True)
    assert len(fig.axes) == 2 and fig.axes[0].get_yscale() == "log"
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == names
    np.testing.assert_array_equal(lines[2].get_ydata(), norms[:, 2])


def test_a_network_that_is_not_layered_is_grouped_by_generation():
    net = ag.from_edge_list([("x", "h", 0.5), ("x", "y", 0.1), ("h", "y", 0.3)], activation="tanh")
    recorder = ag.Recorder(gradients=True, X=[[0.5]], Y=[[1.0]])
    ag.train(net, [[0.5]], [[1.0]], epochs=2, callbacks=[recorder], progress=False)
    assert ag.training.plots.gradient_norms(recorder)[1] == ["generation 1", "generation 2"]
    plain = ag.Recorder()
    ag.train(net, [[0.5]], [[1.0]], epochs=1, callbacks=[plain], progress=False)
    with pytest.raises(ag.TrainingError, match=r"no gradients: record them with ag.Recorder\(gradients=True"):
        ag.plot_gradients(plain)


def test_histories_as_dataframes():
    net = ag.running_example(seed=0)
    result = ag.train(net, X, Y, epochs=3, restarts=2, seed=0, progress=False)
    frame = result.history.to_pandas()
    assert frame.index.name == "epoch" and frame["loss"].tolist() == result.history.loss
    everything = result.to_pandas()
    assert everything.index.names == ["run", "epoch"] and len(everything) == 2 * 4
    assert everything.loc[1]["loss"].tolist() == result.runs[1].history.loss
