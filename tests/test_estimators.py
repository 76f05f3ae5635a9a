"""ag.NetworkClassifier and ag.NetworkRegressor as scikit-learn estimators.

scikit-learn's own ``check_estimator`` suite runs on both (every check but
``check_array_api_input``, which scikit-learn skips itself unless
``SCIPY_ARRAY_API=1``: the estimators compute with numpy arrays only), with a
shorter training than the defaults to keep the suite fast; the defaults pass
the two checks that measure how well an estimator learns.
"""

import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn", reason="the estimators need scikit-learn")

from sklearn.datasets import load_iris, make_regression  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils import estimator_checks  # noqa: E402

import autograd_graph as ag  # noqa: E402

FAST = dict(epochs=40, learning_rate=0.01)


@estimator_checks.parametrize_with_checks([ag.NetworkClassifier(**FAST), ag.NetworkRegressor(**FAST)])
def test_scikit_learn_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    ("estimator", "check"),
    [(ag.NetworkClassifier(), estimator_checks.check_classifiers_train),
     (ag.NetworkRegressor(), estimator_checks.check_regressors_train)],
)  # fmt: skip
def test_the_defaults_learn_well_enough_for_scikit_learn(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(type(estimator).__name__, estimator)


def iris():
    X, y = load_iris(return_X_y=True)
    return X, y


def test_grid_search_over_hidden_and_learning_rate():
    X, y = iris()
    grid = GridSearchCV(
        make_pipeline(StandardScaler(), ag.NetworkClassifier(epochs=30, random_state=0)),
        {"networkclassifier__hidden": [(1,), (16,)], "networkclassifier__learning_rate": [1e-4, 0.03]},
        cv=3,
    )
    grid.fit(X, y)
    assert grid.best_params_ == {"networkclassifier__hidden": (16,), "networkclassifier__learning_rate": 0.03}
    assert grid.best_score_ > 0.9
    scores = grid.cv_results_["mean_test_score"]  # in ParameterGrid order: (1,) × 2 rates, then (16,) × 2
    assert scores[0] < scores[1] and scores[2] < scores[3]  # a 300× larger step helps in 30 epochs
    assert scores[1] < scores[3]  # one hidden neuron for three classes is not enough
    clf = grid.best_estimator_[-1]
    assert clf.network_.layers()[1] == list(range(6, 23))  # 16 hidden neurons and their bias neuron


def test_cross_val_score_and_pipelines():
    X, y = iris()
    scores = cross_val_score(make_pipeline(StandardScaler(), ag.NetworkClassifier(**FAST, random_state=0)), X, y,
                             cv=3)  # fmt: skip
    assert scores.shape == (3,) and scores.mean() > 0.85
    X, y = make_regression(n_samples=120, n_features=3, noise=0.1, random_state=0)
    model = make_pipeline(StandardScaler(), ag.NetworkRegressor(hidden=(), learning_rate=0.05, random_state=0))
    assert cross_val_score(model, X, y / y.std(), cv=3).mean() > 0.99  # a linear target, a linear network


def test_the_estimator_trains_what_ag_train_trains():
    # the same network, settings and seed: the same weights as the library's own training, bit for bit
    X = np.linspace(-1, 1, 30).reshape(-1, 1)
    y = np.sin(3 * X).ravel()
    net = ag.layered([1, 6, 1], activation="tanh", seed=3)
    before = net.get_weights()
    reg = ag.NetworkRegressor(net, epochs=7, learning_rate=0.05, batch_size=8, random_state=1).fit(X, y)
    assert np.array_equal(net.get_weights(), before)  # the network given is not changed
    seed = int(np.random.RandomState(1).randint(np.iinfo(np.int32).max))  # how the estimator seeds training
    mine = net.copy()
    result = ag.train(mine, X, y, optimizer="adam", learning_rate=0.05, batch_size=8, epochs=7, seed=seed,
                      restore_best="last", progress=False)  # fmt: skip
    np.testing.assert_array_equal(reg.network_.weights, mine.weights)
    assert reg.loss_curve_ == result.history.loss[1:] and reg.n_iter_ == 7
    np.testing.assert_array_equal(reg.predict(X), mine.predict(X)[:, 0])


def test_probabilities_are_the_outputs():
    X, y = iris()
    clf = ag.NetworkClassifier(**FAST, random_state=0).fit(X, y)
    logits = clf.network_.predict(X)
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)  # softmax, by hand
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-12)
    assert np.array_equal(clf.predict(X), clf.classes_[expected.argmax(axis=1)])
    binary = ag.NetworkClassifier(**FAST, random_state=0).fit(X, y == 2)
    z = binary.network_.predict(X)[:, 0]  # a logistic output
    np.testing.assert_array_equal(binary.predict_proba(X), np.column_stack([1 - z, z]))
    squared = ag.NetworkClassifier(**FAST, loss="squared_error").fit(X, y)
    assert not hasattr(squared, "predict_proba")  # classes, not probabilities


def test_partial_fit_continues_from_the_current_weights():
    X, y = iris()
    X = StandardScaler().fit_transform(X)
    clf = ag.NetworkClassifier(learning_rate=0.01, random_state=0)
    with pytest.raises(ValueError, match="classes must be given on the first call"):
        clf.partial_fit(X, y)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    first = clf.network_.get_weights()
    losses = [clf.partial_fit(X, y).loss_curve_[0] for _ in range(5)]
    assert losses[-1] < losses[0] and not np.array_equal(first, clf.network_.weights)
    assert clf.n_iter_ == 1


def test_dataframes_are_matched_by_column_name():
    pd = pytest.importorskip("pandas", reason="DataFrames need pandas")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"age": rng.normal(size=40), "income": rng.normal(size=40)})
    y = 2 * frame["age"] - frame["income"]
    net = ag.Network(seed=0)
    for name in ("income", "age"):  # inputs in another order than the columns
        net.add_input(name)
    net.add_output("y")
    net.connect("income", "y")
    net.connect("age", "y")
    reg = ag.NetworkRegressor(net, learning_rate=0.05, random_state=0).fit(frame, y)
    assert list(reg.feature_names_in_) == ["income", "age"]
    assert reg.network_.get_weight("age", "y") == pytest.approx(2.0, abs=0.05)
    assert reg.network_.get_weight("income", "y") == pytest.approx(-1.0, abs=0.05)
    np.testing.assert_array_equal(reg.predict(frame), reg.predict(frame[["income", "age"]]))
    with pytest.raises(ValueError, match="must name each of them once"):
        ag.NetworkRegressor(net).fit(frame.assign(other=1.0), y)
    # a network built at fit: the columns of fit, in any order later
    built = ag.NetworkRegressor(**FAST, random_state=0).fit(frame, y)
    np.testing.assert_array_equal(built.predict(frame), built.predict(frame[["income", "age"]]))


def test_networks_that_do_not_fit_the_data_are_named():
    X, y = iris()
    with pytest.raises(ValueError, match=r"the network has 1 inputs and 1 outputs; the data need 4 inputs"):
        ag.NetworkClassifier(ag.running_example()).fit(X, y)
    with pytest.raises(ValueError, match="needs at least 2 classes; y has 1 class"):
        ag.NetworkClassifier().fit(X, np.zeros(len(X)))
    with pytest.raises(TypeError, match="builder must return a Network"):
        ag.NetworkRegressor(builder=lambda n_in, n_out, seed: None).fit(X, y)
    made = ag.NetworkRegressor(builder=lambda n_in, n_out, seed: ag.densenet([n_in, 3, n_out], seed=seed), **FAST)
    assert made.fit(X, y).network_.n_weights == ag.densenet([4, 3, 1]).n_weights
