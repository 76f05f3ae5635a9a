"""The command line on the user's CSV: train and compare with --target, the training options, --quiet/--progress."""

import json

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.cli import main


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def one_line_error(status, err):
    assert status != 0 and len(err.strip().splitlines()) == 1 and "error:" in err, err
    return err


@pytest.fixture
def blobs(tmp_path):
    """Two classes of points on either side of a line, the label in the middle column."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    label = (X[:, 0] + 2 * X[:, 1] > 0).astype(int)
    path = tmp_path / "blobs.csv"
    rows = "\n".join(f"{a:.6f},{c},{b:.6f}" for (a, b), c in zip(X, label, strict=True))
    path.write_text("first,label,second\n" + rows + "\n")
    return path, X, label


def test_train_a_classifier_on_a_csv_with_target(capsys, blobs, tmp_path):
    path, X, label = blobs
    net = ag.layered([2, 4, 1], activation="tanh", output_activation="logistic", seed=0)
    saved = ag.save(net, tmp_path / "net.json")
    status, out, err = run(capsys, "train", saved, "--data", path, "--target", "label", "--loss",
                           "binary_cross_entropy", "--optimizer", "adam", "--learning-rate", "0.05",
                           "--batch-size", "16", "--epochs", "30", "-o", tmp_path / "out.json")  # fmt: skip
    assert status == 0, err
    assert "best loss" in out and out.strip().endswith("out.json")
    trained = ag.load(tmp_path / "out.json")
    accuracy = ag.evaluate(trained, X, label, loss="binary_cross_entropy").accuracy
    assert accuracy > 0.95  # the columns first and second are the inputs, in their order
    assert ag.load_metadata(tmp_path / "out.json")["runs"][0]["epochs"] == 30


def test_train_matches_csv_columns_to_neurons_by_name(capsys, tmp_path):
    net = ag.from_edge_list([("a", "y", 0.0), ("b", "y", 0.0)])
    saved = ag.save(net, tmp_path / "net.json")
    data = tmp_path / "data.csv"
    data.write_text("y,b,a\n" + "\n".join(f"{2 * a - b},{b},{a}" for a in (0, 1, 2) for b in (0, 1)) + "\n")
    status, _, err = run(capsys, "train", saved, "--data", data, "--batch-size", "full", "--epochs", "300",
                         "--learning-rate", "0.1", "--decay", "0", "-q")  # fmt: skip
    assert status == 0, err
    trained = ag.load(tmp_path / "net.trained.json")
    assert trained.get_weight("a", "y") == pytest.approx(2.0, abs=1e-3)
    assert trained.get_weight("b", "y") == pytest.approx(-1.0, abs=1e-3)


def test_compare_on_the_users_csv(capsys, blobs, tmp_path):
    path, _, _ = blobs
    out = tmp_path / "cmp"
    status, text, err = run(capsys, "compare", path, "--target", "label", "--seeds", "1", "--epochs", "25",
                            "--out", out)  # fmt: skip
    assert status == 0, err
    assert "classification of 2 classes (0, 1) from the column 'label'" in text
    assert "inputs first, second (standardized), 90 training and 30 test rows" in text
    data = json.loads((out / "comparison.json").read_text())
    assert data["loss"] == "binary_cross_entropy" and data["data"]["n_test"] == 30
    layered = next(row for row in data["rows"] if row["network"].startswith("layered 2→16→1"))
    assert layered["test_accuracy_mean"] > 0.9
    # --data, with a network of the user's
    net = ag.layered([2, 3, 1], output_activation="logistic", seed=0)
    saved = ag.save(net, tmp_path / "mine.json")
    status, text, err = run(capsys, "compare", "--data", path, saved, "--target", "1", "--seeds", "1", "--epochs",
                            "2", "--out", tmp_path / "cmp2", "-q")  # fmt: skip
    assert status == 0 and text == "", err
    rows = json.loads((tmp_path / "cmp2" / "comparison.json").read_text())["rows"]
    assert [row["network"] for row in rows] == ["mine"]


def test_compare_finds_regressions_and_several_classes(capsys, tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 3))
    data = tmp_path / "reg.csv"
    data.write_text("\n".join(",".join(f"{v:.5f}" for v in row) + f",{row.sum() * 0.5:.5f}" for row in X) + "\n")
    status, text, err = run(capsys, "compare", data, "--seeds", "1", "--epochs", "2", "--out", tmp_path / "r")
    assert status == 0, err
    assert "regression of the column '3'" in text  # no header: the last column by default
    labels = tmp_path / "three.csv"
    labels.write_text("\n".join(f"{v:.5f},{int(v > 0.5) + int(v > -0.5)}" for v in X[:, 0]) + "\n")
    status, text, err = run(capsys, "compare", labels, "--seeds", "1", "--epochs", "2", "--out", tmp_path / "t")
    assert status == 0, err
    assert "classification of 3 classes (0, 1, 2)" in text
    assert json.loads((tmp_path / "t" / "comparison.json").read_text())["loss"] == "softmax_cross_entropy"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compare", "{csv}", "--target", "price"], "--target 'price': {csv} has no such column (its columns are"),
        (["compare", "{csv}", "--target", "7"], "has 3 columns (positions 0 to 2)"),
        (["compare", "xor", "--target", "label"], "--target chooses columns of a CSV file"),
        (["compare", "{csv}", "--test-size", "0"], "leaves no test or no training rows"),
        (["compare"], "which data?"),
        (["compare", "--quiet", "--progress", "xor"], "not allowed with argument"),
        (["train", "{net}", "--data", "{csv}", "--restore-best", "val"], "restore_best='val' chooses the weights"),
        (["train", "{net}", "--data", "{csv}", "--target", "label,label"], "names a column twice"),
    ],
)
def test_csv_and_option_errors_are_one_line(capsys, blobs, tmp_path, argv, message):
    path, _, _ = blobs
    net = ag.save(ag.layered([2, 2, 1], seed=0), tmp_path / "net.json")
    names = {"csv": path, "net": net}
    status, _, err = run(capsys, *[a.format(**names) for a in argv], "--out" if argv[0] == "compare" else "-o",
                         tmp_path / "o")  # fmt: skip
    assert message.format(**names) in one_line_error(status, err)


def test_progress_bars_follow_the_flags_and_stay_off_without_a_terminal(capsys, blobs, tmp_path):
    path, _, _ = blobs
    net = ag.save(ag.layered([2, 2, 1], seed=0), tmp_path / "net.json")
    common = ["train", net, "--data", path, "--target", "label", "--epochs", "2"]
    status, out, err = run(capsys, *common)
    assert status == 0 and "training" not in err and "best loss" in out  # stderr is no terminal here
    status, out, err = run(capsys, *common, "--progress")
    assert status == 0 and "training" in err
    status, out, err = run(capsys, *common, "--quiet")
    assert status == 0 and out == "" and err == ""
