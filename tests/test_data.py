"""User data in: pandas objects matched by label, never by position; only real numbers accepted
(hardening items 2 and 7)."""

import numpy as np
import pytest

import autograd_graph as ag
from tests.helpers import graph_state

pd = pytest.importorskip("pandas", reason="pandas is in the dev extra")


def two_inputs() -> ag.Network:
    """y = 1·a + 10·b (+ 100·c for the second output): a swapped column shows at once."""
    net = ag.Network()
    for name in ("a", "b"):
        net.add_input(name)
    net.add_output("y", "identity")
    net.add_output("y2", "identity")
    net.connect("a", "y", weight=1.0)
    net.connect("b", "y", weight=10.0)
    net.connect("a", "y2", weight=-1.0)
    return net


X = np.array([[1.0, 2.0], [3.0, 4.0]])  # columns a, b
WANT = X @ np.array([[1.0, -1.0], [10.0, 0.0]])  # (batch, [y, y2])


# ------------------------------------------------------------------ 2. pandas by label
def test_a_dataframe_is_matched_by_column_name_in_any_order():
    net = two_inputs()
    frame = pd.DataFrame({"b": X[:, 1], "a": X[:, 0]})
    np.testing.assert_array_equal(net.forward(frame).output, WANT)
    np.testing.assert_array_equal(net.forward(frame[["a", "b"]]).output, WANT)


def test_an_unlabeled_dataframe_keeps_the_positional_order():
    np.testing.assert_array_equal(two_inputs().forward(pd.DataFrame(X)).output, WANT)


def test_a_series_labeled_by_neuron_is_one_example_in_any_order():
    net = two_inputs()
    np.testing.assert_array_equal(net.forward(pd.Series({"b": 2.0, "a": 1.0})).output, WANT[:1])
    np.testing.assert_array_equal(net.forward(pd.DataFrame({"b": [2.0], "a": [1.0]}).iloc[0]).output, WANT[:1])


def test_a_column_is_never_read_as_one_example_when_ids_are_integers():
    net = ag.Network()
    net.add_input(0)
    net.add_input(1)
    net.add_output("y", "identity")
    net.connect(0, "y", weight=1.0)
    net.connect(1, "y", weight=10.0)
    frame = pd.DataFrame({0: [1.0, 2.0], 1: [3.0, 4.0]}, index=[1, 0])  # row labels that are neuron ids too
    with pytest.raises(ag.ShapeError, match=r"X has no values for neurons \[1\]"):
        net.forward(frame[0])  # the column of neuron 0, not an example with x_1 = 1, x_0 = 2
    np.testing.assert_array_equal(net.forward(frame.iloc[0].rename(None)).output, [[31.0]])  # a row: one example
    np.testing.assert_array_equal(net.forward(frame).output, [[31.0], [42.0]])


def test_labels_that_name_no_input_are_an_error_listing_the_expected_ones():
    net = two_inputs()
    with pytest.raises(
        ag.ShapeError, match=r"X has columns \['c'\] that name no neuron; expected columns \['a', 'b'\]"
    ):
        net.forward(pd.DataFrame({"a": [1.0], "c": [2.0]}))
    with pytest.raises(ag.ShapeError, match=r"X has no values for neurons \['b'\]"):
        net.forward(pd.DataFrame({"a": [1.0]}))
    with pytest.raises(ag.ShapeError, match=r"X has labels \['c'\] that name no neuron; expected labels \['a', 'b'\]"):
        net.forward(pd.Series({"a": 1.0, "c": 2.0}))
    with pytest.raises(ag.ShapeError, match="twice"):
        net.forward(pd.DataFrame([[1.0, 2.0]], columns=["a", "a"]))


def test_targets_are_matched_by_output_name():
    net = two_inputs()
    trace = net.forward(X)
    Y = pd.DataFrame({"y2": [0.0, 1.0], "y": [5.0, 7.0]})
    by_name = net.backward(trace, Y)
    by_position = net.backward(trace, np.array([[5.0, 0.0], [7.0, 1.0]]))
    np.testing.assert_array_equal(by_name.weights.flat, by_position.weights.flat)
    with pytest.raises(
        ag.ShapeError, match=r"Y has columns \['z'\] that name no neuron; expected columns \['y', 'y2'\]"
    ):
        net.backward(trace, pd.DataFrame({"y": [1.0, 2.0], "z": [0.0, 0.0]}))


def test_train_and_evaluate_match_columns_by_name():
    frame = pd.DataFrame({"b": X[:, 1], "a": X[:, 0], "y2": [0.0, 1.0], "y": [5.0, 7.0]})
    arrays, frames = two_inputs(), two_inputs()
    settings = dict(epochs=3, learning_rate=0.001, seed=0, progress=False)
    a = ag.train(arrays, X, frame[["y", "y2"]].to_numpy(), **settings)
    b = ag.train(frames, frame[["b", "a"]], frame[["y2", "y"]], **settings)
    assert a.history.loss == b.history.loss
    np.testing.assert_array_equal(arrays.weights, frames.weights)
    assert ag.evaluate(frames, frame[["b", "a"]], frame[["y2", "y"]]) == ag.evaluate(arrays, X, a_targets(frame))


def a_targets(frame):
    return frame[["y", "y2"]].to_numpy()


def test_a_single_output_takes_a_named_or_unlabeled_series_as_its_column():
    net = ag.running_example(seed=0)  # input 1, output 9
    frame = pd.DataFrame({1: [0.1, 0.5, 0.9], 9: [0.0, 1.0, 0.0]})
    want = ag.evaluate(net, frame[[1]].to_numpy(), frame[9].to_numpy())
    assert ag.evaluate(net, frame[[1]], frame[9]) == want  # a Series named after the output
    assert ag.evaluate(net, frame[[1]], pd.Series([0.0, 1.0, 0.0])) == want  # unlabeled: a column
    assert ag.evaluate(net, frame[1], frame[9]) == want  # a Series named after the (only) input


# ------------------------------------------------------------------ 7. only real numbers
@pytest.mark.parametrize(
    ("X", "message"),
    [
        (np.array([[1 + 2j]]), r"X must be numeric: it holds complex numbers \(complex128\)"),
        ([[1 + 2j]], "holds complex numbers"),
        ([["1"]], r"X must be numeric: it holds strings"),
        (np.array([[b"1"]]), "it holds bytes"),
        (np.array([[1.0, "x"]], dtype=object)[:, 1:], r"X\[0, 0\] is a str"),
        (np.array([[None]], dtype=object), r"X\[0, 0\] is a NoneType"),
        (np.ma.masked_array([[1.0]], mask=[[True]]), "X is a masked array"),
        (np.array([["2020-01-01"]], dtype="datetime64[D]"), "it holds dates"),
        ({1: ["0.5"]}, r"X\[1\] must be numeric: it holds strings"),
        ({1: [1j]}, r"X\[1\] must be numeric: it holds complex"),
    ],
)
def test_complex_strings_and_masked_arrays_are_refused_naming_the_argument(X, message):
    net = ag.running_example(seed=0)
    before = graph_state(net)
    with pytest.raises(ag.DataTypeError, match=message) as info:
        net.forward(X)
    assert isinstance(info.value, ag.ShapeError) and isinstance(info.value, TypeError)
    assert graph_state(net) == before


def test_targets_and_training_data_are_checked_alike():
    net = ag.running_example(seed=0)
    trace = net.forward([[0.5]])
    with pytest.raises(ag.DataTypeError, match="Y must be numeric: it holds complex"):
        net.backward(trace, np.array([[1j]]))
    with pytest.raises(ag.DataTypeError, match="Y must be numeric: it holds strings"):
        ag.train(net, [[0.5]], ["1"], progress=False)
    with pytest.raises(ag.DataTypeError, match="X column 0 must be numeric: it holds"):
        ag.evaluate(net, pd.DataFrame([["a"]]), [[1.0]])
    with pytest.raises(ag.DataTypeError, match=r"X\['b'\] must be numeric: it holds"):
        two_inputs().forward(pd.DataFrame({"a": [1.0], "b": ["1"]}))


def test_pandas_missing_values_become_nan_and_training_refuses_them():
    frame = pd.DataFrame({1: pd.array([0.5, None], dtype="Float64")})
    net = ag.running_example(seed=0)
    assert np.isnan(net.forward(frame).output[1, 0])
    with pytest.raises(ag.ShapeError, match=r"X\[1, 0\] is nan; training data must be finite"):
        ag.train(net, frame, [0.0, 1.0], progress=False)


@pytest.mark.parametrize(
    "weights",
    [lambda w: w + 1j, lambda w: [str(v) for v in w], lambda w: [True] * len(w),
     lambda w: np.ma.masked_array(w, mask=[True] + [False] * (len(w) - 1))],
    ids=["complex", "strings", "booleans", "masked"],
)  # fmt: skip
def test_weights_that_are_not_real_numbers_are_refused(weights):
    net = ag.running_example(seed=0)
    before = graph_state(net)
    with pytest.raises(ag.InvalidWeightError, match="real number"):
        net.set_weights(weights(net.get_weights()))
    assert graph_state(net) == before
