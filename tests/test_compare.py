"""ag.compare: every network over every seed, the same settings, honest summaries."""

import math

import numpy as np
import pytest
from scipy import stats

import autograd_graph as ag
from autograd_graph.comparison import curve_band, load_task
from autograd_graph.comparison.stats import mean_std, welch

X = np.linspace(-1, 1, 21).reshape(-1, 1)  # (21, 1)
Y = np.sin(3 * X)
X_TEST = np.linspace(-0.95, 0.95, 8).reshape(-1, 1)
Y_TEST = np.sin(3 * X_TEST)
SETTINGS = dict(epochs=6, learning_rate=0.2)


def with_skips():
    net = ag.running_example(seed=0)
    net.connect(1, 9)
    net.connect(3, 7)
    return net


def run(**overrides):
    networks = {"layered": ag.running_example(seed=0), "skips": with_skips()}
    return ag.compare(networks, X, Y, X_TEST, Y_TEST, **{"seeds": [3, 5], **SETTINGS, **overrides})


def numbers(comparison):
    """Everything but wall-clock times."""
    data = comparison.to_dict()
    for row in data["rows"]:
        del row["seconds_per_epoch_mean"], row["seconds_per_epoch_std"]
    for runs in data["runs"].values():
        for r in runs:
            del r["seconds"], r["final"]["seconds_per_epoch"]
    return data


def test_same_seeds_give_the_same_results():
    assert numbers(run()) == numbers(run())


def test_other_seeds_give_other_results():
    assert numbers(run())["rows"][0]["test_loss_mean"] != numbers(run(seeds=[4, 6]))["rows"][0]["test_loss_mean"]


@pytest.mark.parametrize("together", [False, True])
def test_each_seed_is_net_copy_then_initialize_then_train_with_that_seed(together):
    result = run(together=together)
    net = ag.running_example(seed=0)
    net.initialize(5)
    ag.train(net, X, Y, seed=5, progress=False, classification=False, **SETTINGS)
    again = result.runs["layered"][1]
    assert again.seed == 5
    if together:  # ag.train_many: the same training, up to the rounding of sums in the stacked passes
        np.testing.assert_allclose(again.network.weights, net.weights, rtol=0, atol=1e-12)
        assert again.final["test_loss"] == pytest.approx(ag.evaluate(net, X_TEST, Y_TEST).loss, rel=1e-12)
        np.testing.assert_allclose(again.history.loss, run(together=False).runs["layered"][1].history.loss, rtol=1e-12)
        assert result.settings["trained together"]
    else:
        np.testing.assert_array_equal(again.network.weights, net.weights)
        assert again.final["test_loss"] == ag.evaluate(net, X_TEST, Y_TEST).loss


def test_together_gives_the_curves_of_one_after_another():
    together, apart = run(together=True), run(together=False)
    for name in together.names:
        for a, b in zip(together.runs[name], apart.runs[name], strict=True):
            np.testing.assert_allclose(a.test_loss, b.test_loss, rtol=1e-12)
            np.testing.assert_allclose(a.history.loss, b.history.loss, rtol=1e-12)
            assert a.final["train_loss"] == pytest.approx(b.final["train_loss"], rel=1e-12)


@pytest.mark.parametrize("split", [0.0, 0.3])
def test_together_gives_the_final_metrics_of_one_after_another(split):
    # the final metrics are those of the best weights (here of an early epoch, by patience): read from the
    # epoch's scores when the network trained on all of X, scored again after a validation split
    settings = {"epochs": 12, "learning_rate": 0.3, "patience": 2, "validation_split": split}
    together, apart = run(together=True, **settings), run(together=False, **settings)
    for name in together.names:
        for a, b in zip(together.runs[name], apart.runs[name], strict=True):
            for metric in ("train_loss", "test_loss"):
                assert a.final[metric] == pytest.approx(b.final[metric], rel=1e-10), (name, metric)
    runs = together.runs["layered"] + together.runs["skips"]
    assert any(int(np.argmin(r.history.loss)) < len(r.history.loss) - 1 for r in runs)  # not all at the last epoch


def test_the_networks_given_are_not_changed():
    net = ag.running_example(seed=0)
    before = net.get_weights()
    ag.compare({"a": net}, X, Y, seeds=2, **SETTINGS)
    np.testing.assert_array_equal(net.weights, before)


def test_rows_report_structure_and_mean_std_over_seeds():
    result = run()
    layered, skips = result.rows()
    assert (layered["n_weights"], layered["n_neurons"], layered["depth"], layered["layered"]) == (12, 9, 3, True)
    assert (skips["n_weights"], skips["layered"]) == (14, False)
    finals = [r.final["test_loss"] for r in result.runs["skips"]]
    assert skips["test_loss_mean"] == pytest.approx(np.mean(finals))
    assert skips["test_loss_std"] == pytest.approx(np.std(finals, ddof=1))
    assert skips["seconds_per_epoch_mean"] > 0
    assert math.isnan(skips["test_accuracy_mean"])  # a regression: no accuracy


def test_learning_curves_have_one_value_per_epoch_and_start_before_training():
    result = run()
    r = result.runs["layered"][0]
    assert len(r.history.loss) == len(r.test_loss) == SETTINGS["epochs"] + 1
    start = ag.running_example(seed=0)
    start.initialize(3)
    assert r.test_loss[0] == ag.evaluate(start, X_TEST, Y_TEST).loss


def test_table_and_verdict_name_every_network():
    text = str(run())
    for name in ("layered", "skips"):
        assert name in text
    assert "mean ± std over seeds 3, 5" in text
    assert "best test loss:" in text


def test_classification_reports_accuracy():
    task = load_task("xor")
    result = ag.compare({"xor": task.baseline(seed=0)}, task.X, task.Y, task.X_test, task.Y_test, seeds=2,
                        loss=task.loss, **task.settings)  # fmt: skip
    row = result.rows()[0]
    assert 0 <= row["test_accuracy_mean"] <= 1
    assert result.headline == "test_accuracy"
    assert "test accuracy" in result.table()


def test_builders_get_each_seed():
    seen = []

    def build(seed):
        seen.append(seed)
        return ag.running_example(seed=seed)

    result = ag.compare({"built": build}, X, Y, seeds=[7, 8], **SETTINGS)
    assert seen[-2:] == [7, 8]
    assert [r.seed for r in result.runs["built"]] == [7, 8]


def test_early_stopping_runs_of_different_lengths():
    result = ag.compare({"a": ag.running_example(seed=0)}, X, Y, seeds=3, epochs=40, learning_rate=0.01,
                        validation_split=0.3, patience=2)  # fmt: skip
    lengths = {r.epochs for r in result.runs["a"]}
    epochs, mean, _ = curve_band([r.curve("loss") for r in result.runs["a"]])
    assert len(epochs) == max(lengths) + 1 and np.isfinite(mean).all()


def test_difference_is_welchs_t_test():
    d = welch("test_loss", "a", [1.0, 1.2, 0.9, 1.1], "b", [1.5, 1.4, 1.8])
    expected = stats.ttest_ind([1.5, 1.4, 1.8], [1.0, 1.2, 0.9, 1.1], equal_var=False)
    assert d.p_value == pytest.approx(expected.pvalue)
    assert d.delta == pytest.approx(1.5666666 - 1.05, abs=1e-6)
    assert d.low < d.delta < d.high
    assert math.isnan(welch("test_loss", "a", [1.0], "b", [2.0]).p_value)  # one seed: no test
    assert math.isnan(welch("test_loss", "a", [1.0, 1.0], "b", [2.0, 2.0]).p_value)  # no spread
    assert mean_std([2.0]) == (2.0, pytest.approx(math.nan, nan_ok=True))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(networks={}), "non-empty"),
        (dict(networks={"": ag.running_example()}), "non-empty strings"),
        (dict(networks={"a": 3}), "must be a Network or a builder"),
        (dict(networks={"a": lambda seed: "no"}), "returned a str"),
        (dict(seeds=0), r"seeds \(a number of seeds\) must be a whole number ≥ 1, got 0"),
        (dict(seeds=[]), "at least one seed"),
        (dict(seeds=[1, 1]), "differ"),
        (dict(seeds=[2, -1]), r"seeds\[1\] must be a whole number ≥ 0, got -1"),
        (dict(seed=1), "seed= cannot be given"),
        (dict(restarts=3), "seeds are the restarts"),
        (dict(X_test=X_TEST), "both X_test and Y_test"),
        (dict(X=np.ones((21, 2))), "does not fit the data"),
    ],
)
def test_bad_input_is_a_comparison_error(kwargs, message):
    args = {"networks": {"a": ag.running_example()}, "X": X, "Y": Y, **kwargs}
    with pytest.raises(ag.ComparisonError, match=message):
        ag.compare(args.pop("networks"), args.pop("X"), args.pop("Y"), **{"epochs": 1, **args})


def test_unknown_names_and_metrics():
    result = run(seeds=1)
    with pytest.raises(ag.ComparisonError, match="no network 'nope'"):
        result.values("nope", "test_loss")
    with pytest.raises(ag.ComparisonError, match="unknown metric"):
        result.difference("layered", "skips", "speed")


def test_figure_has_curves_with_bands_and_leaves_pyplot_alone():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = run().figure()
    assert [ax.get_title() for ax in fig.axes] == ["training loss", "test loss", "final test loss"]
    assert len(fig.axes[0].lines) == 2 and len(fig.axes[0].collections) == 2  # a mean line and a band each
    assert plt.get_fignums() == before
    assert fig.canvas.get_default_filetype() == "png"


@pytest.mark.parametrize("name", ["xor", "moons", "circles", "digits", "sin"])
def test_tasks_fit_their_baselines(name):
    task = load_task(name)
    net = task.baseline(seed=0)
    assert task.X.shape[1] == task.X_test.shape[1] == len(net.inputs)
    assert task.Y.shape[1] == task.Y_test.shape[1] == len(net.outputs)
    assert len(task.X) == len(task.Y) and len(task.X_test) == len(task.Y_test) > 0
    np.testing.assert_array_equal(load_task(name, seed=0).X, task.X)


def test_unknown_task():
    with pytest.raises(ag.ComparisonError, match="no task 'mnist'"):
        load_task("mnist")


def test_without_epochs_the_runs_and_the_progress_bar_use_trainers_default(monkeypatch):
    from autograd_graph.comparison import run as run_module

    totals = []

    class Bar:  # records what compare asks of its tqdm bar
        def __init__(self, total, **options):
            totals.append([total, 0])

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n):
            totals[-1][1] += n

        def set_postfix_str(self, *args, **options):
            pass

    monkeypatch.setattr(run_module, "tqdm", Bar)
    result = ag.compare({"a": ag.running_example()}, X[:3], Y[:3], seeds=1, patience=None, learning_rate=0.1)
    default = ag.Trainer().epochs
    assert len(result.runs["a"][0].history.loss) == default + 1
    assert totals == [[default, default]]
