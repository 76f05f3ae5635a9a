"""The explore command, and the demo's explorer page: good input, and bad input in one line."""

import json

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.cli import main


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line_error(status, err, says=""):
    assert status != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("autograd-graph explore: error:"), err
    assert says in lines[0]


def page_data(path):
    html = path.read_text(encoding="utf-8")
    start = html.index('<script id="ag-data" type="application/json">') + len(
        '<script id="ag-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


@pytest.fixture
def saved(tmp_path):
    return ag.save(ag.running_example(seed=0), tmp_path / "net.json")


def test_explore_a_saved_network_with_data_and_a_record(capsys, saved, tmp_path):
    net = ag.load(saved)
    X = np.linspace(-1, 1, 7).reshape(-1, 1)
    rec = ag.Recorder()
    ag.train(net, X, np.sin(3 * X), epochs=3, seed=0, callbacks=[rec], progress=False)
    record = rec.best().save(tmp_path / "run.json")
    np.savetxt(tmp_path / "data.csv", np.hstack([X, np.sin(3 * X)]), delimiter=",", header="x,y", comments="")
    status, out, err = run(capsys, "explore", saved, "--data", tmp_path / "data.csv", "--record", record,
                           "-o", tmp_path / "page.html")  # fmt: skip
    assert status == 0, err
    assert "7 examples, 3 recorded epochs" in out
    data = page_data(tmp_path / "page.html")
    assert data["rows"] == 7 and data["record"]["epochs"] == [1, 2, 3]
    status, out, err = run(capsys, "explore", saved, "--x", "0.5", "--y", "1", "-o", tmp_path / "one.html")
    assert status == 0, err
    assert page_data(tmp_path / "one.html")["rows"] == 1


def test_explore_bad_input(capsys, saved, tmp_path):
    assert_one_line_error(*run(capsys, "explore", saved, "--y", "1")[::2], says="--y (targets) needs --x")
    assert_one_line_error(*run(capsys, "explore", saved, "--x", "1", "--data", "sin")[::2], says="not both")
    assert_one_line_error(*run(capsys, "explore", saved, "--x", "1,2")[::2], says="--x/--y")
    assert_one_line_error(*run(capsys, "explore", saved, "--record", saved)[::2], says="not a training record")
    assert_one_line_error(*run(capsys, "explore", saved, "-o", tmp_path)[::2], says="it is a folder")
    skip = ag.running_example(seed=0)
    skip.connect(1, 9)
    rec = ag.Recorder()
    ag.train(skip, [[0.5]], [[1.0]], epochs=1, callbacks=[rec], progress=False)
    other = rec.best().save(tmp_path / "other.json")
    assert_one_line_error(*run(capsys, "explore", saved, "--record", other)[::2], says="record the network")


def test_the_demo_writes_the_explorer_page_of_its_training(capsys, tmp_path):
    status, out, err = run(capsys, "demo", "--out", tmp_path, "--epochs", "4")
    assert status == 0, err
    assert "explore.html" in out and "training_record.json" in out
    data = page_data(tmp_path / "explore.html")
    record = ag.load_record(tmp_path / "training_record.json")
    assert data["record"]["epochs"] == [0, 1, 2, 3, 4] == record.epochs.tolist()
    assert data["rows"] == 41 and data["title"].startswith("the running example")
    net = ag.load(tmp_path / "running_example.json")
    assert np.array_equal(np.frombuffer(__import__("base64").b64decode(data["weights"]), "<f8"), net.weights)
