"""ag.sweep: rows, resume after a kill, the same numbers whichever way the groups run, the result's pictures."""

import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from browser import chromium, needs_chromium, watch

import autograd_graph as ag
from autograd_graph.comparison.sweep import FORMAT

X = np.linspace(-1, 1, 24).reshape(-1, 1)
Y = np.sin(3 * X)
SETTINGS = dict(epochs=8, batch_size=6, optimizer="adam", learning_rate=0.05)


def wired(seed, k, p):
    return ag.random_dag(14, "watts_strogatz", k=k, p=p, n_inputs=1, n_outputs=1, seed=seed)


NETS = ag.grid(wired, k=[2, 4], p=[0.0, 0.3, 0.9])


def numbers(result):
    """Every column but the wall times."""
    return [{k: v for k, v in row.items() if k not in ("seconds", "seconds_per_epoch")} for row in result.rows]


def test_rows_hold_parameters_measures_structure_and_metrics():
    result = ag.sweep(NETS, X, Y, X[::2], Y[::2], seeds=2, group_size=5, **SETTINGS)
    assert len(result.rows) == 12 and result.networks == list(NETS)
    row = result.rows[0]
    assert (row["network"], row["seed"], row["k"], row["p"]) == ("k=2, p=0.0", 0, 2, 0.0)
    net = wired(0, 2, 0.0)
    measures = ag.graph_measures(net)
    assert row["clustering"] == measures["clustering"] and row["path_length"] == measures["path_length"]
    assert row["fan_in_mean"] == measures["fan_in"]["mean"] and row["n_weights"] == net.n_weights
    alone = ag.train(net, X, Y, seed=0, progress=False, **SETTINGS)
    assert row["train_loss"] == pytest.approx(ag.evaluate(net, X, Y).loss, rel=1e-10)
    assert row["epochs"] == alone.best.epochs and row["error"] is None
    assert row["test_loss"] == pytest.approx(ag.evaluate(net, X[::2], Y[::2]).loss, rel=1e-10)


def test_groups_do_not_change_the_numbers_beyond_rounding():
    a = ag.sweep(NETS, X, Y, seeds=2, group_size=3, **SETTINGS)
    b = ag.sweep(NETS, X, Y, seeds=2, group_size=12, **SETTINGS)
    for x, y in zip(a.rows, b.rows, strict=True):
        assert x["train_loss"] == pytest.approx(y["train_loss"], rel=1e-10)


def test_a_sweep_file_is_resumed_and_gives_the_same_table(tmp_path):
    path = tmp_path / "sweep.jsonl"
    full = ag.sweep(NETS, X, Y, seeds=2, group_size=4, path=tmp_path / "whole.jsonl", **SETTINGS)
    lines = (tmp_path / "whole.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["format"] == FORMAT and len(lines) == 13
    # a file with the first group done and the second one's write cut off half-way
    path.write_text("\n".join(lines[:5]) + "\n" + lines[5][: len(lines[5]) // 2])
    resumed = ag.sweep(NETS, X, Y, seeds=2, group_size=4, path=path, **SETTINGS)
    assert numbers(resumed) == numbers(full)
    assert len(path.read_text().splitlines()) == 13  # the cut-off line replaced, nothing twice
    assert numbers(ag.SweepResult.load(path)) == numbers(full)
    again = ag.sweep(NETS, X, Y, seeds=2, group_size=4, path=path, **SETTINGS)  # all done: nothing trained
    assert [r["seconds"] for r in again.rows] == [r["seconds"] for r in resumed.rows]


def test_a_file_of_another_sweep_is_refused(tmp_path):
    path = tmp_path / "sweep.jsonl"
    ag.sweep(NETS, X, Y, seeds=1, path=path, **SETTINGS)
    with pytest.raises(ag.ComparisonError, match="another sweep"):
        ag.sweep(NETS, X, Y, seeds=1, path=path, **{**SETTINGS, "epochs": 9})
    ag.sweep(NETS, X, Y, seeds=1, path=path, resume=False, **{**SETTINGS, "epochs": 9})  # starts it again
    (tmp_path / "other.txt").write_text("hello\n")
    with pytest.raises(ag.ComparisonError, match="not a sweep file"):
        ag.sweep(NETS, X, Y, seeds=1, path=tmp_path / "other.txt", **SETTINGS)


SCRIPT = """
import sys, numpy as np
sys.path.insert(0, {tests!r})
import autograd_graph as ag
from test_sweep import NETS, X, Y, SETTINGS
ag.sweep(NETS, X, Y, seeds=4, group_size=2, path={path!r}, **{{**SETTINGS, "epochs": 60}})
"""


def test_killing_the_process_mid_sweep_then_resuming_gives_the_same_table(tmp_path):
    path = tmp_path / "sweep.jsonl"
    script = tmp_path / "run.py"
    script.write_text(SCRIPT.format(tests=str(Path(__file__).parent), path=str(path)))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    process = subprocess.Popen([sys.executable, str(script)], env=env)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if path.exists() and len(path.read_text().splitlines()) >= 3:  # the header and a group of two rows
                break
            time.sleep(0.05)
        assert process.poll() is None, "the sweep ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    kept = len(path.read_text().splitlines()) - 1
    assert 2 <= kept < 24
    settings = {**SETTINGS, "epochs": 60}
    resumed = ag.sweep(NETS, X, Y, seeds=4, group_size=2, path=path, **settings)
    whole = ag.sweep(NETS, X, Y, seeds=4, group_size=2, **settings)
    assert numbers(resumed) == numbers(whole)


def test_local_processes_give_the_same_numbers_bit_for_bit():
    serial = ag.sweep(NETS, X, Y, seeds=2, group_size=3, **SETTINGS)
    parallel = ag.sweep(NETS, X, Y, seeds=2, group_size=3, n_jobs=2, **SETTINGS)
    assert numbers(parallel) == numbers(serial)


def test_builder_errors_and_bad_arguments_are_named():
    with pytest.raises(ag.ComparisonError, match="columns of the rows"):
        ag.sweep({"a": (ag.layered([1, 2, 1]), {"seed": 3})}, X, Y, seeds=1)
    with pytest.raises(ag.ComparisonError, match="data"):
        ag.sweep(NETS, seeds=1)
    with pytest.raises(ag.ComparisonError, match="not both"):
        ag.sweep(NETS, X, Y, task="sin", seeds=1)
    with pytest.raises(ag.ComparisonError, match="client"):
        ag.sweep(NETS, X, Y, seeds=1, n_jobs=2, client=object())


def test_a_diverging_training_gives_a_row_with_its_error():
    nets = {"tame": ag.layered([1, 8, 1], activation="tanh", seed=0),
            "wild": ag.layered([1, 8, 1], activation="identity", seed=0)}  # fmt: skip
    result = ag.sweep(nets, X, Y * 1e3, seeds=1, epochs=5, optimizer="sgd", learning_rate=1.0, batch_size=4)
    assert result.rows[0]["error"] is None
    wild = result.rows[1]
    assert wild["error"] is not None and "non-finite" in wild["error"]
    assert result.summary()[1]["errors"] == 1


@pytest.fixture(scope="module")
def swept():
    return ag.sweep(NETS, X, Y, X[::2], Y[::2], seeds=3, title="<wiring> & loss", **SETTINGS)


def test_table_summary_best_and_differences(swept):
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    table = swept.table()
    assert isinstance(table, pd.DataFrame) and len(table) == 18 and "clustering" in table.columns
    entry = swept.summary()[0]
    values = swept.values("k=2, p=0.0", "test_loss")
    assert entry["test_loss_mean"] == pytest.approx(values.mean())
    half = entry["test_loss_high"] - entry["test_loss_mean"]
    assert half == pytest.approx(4.302652729911275 * values.std(ddof=1) / math.sqrt(3))  # t(0.975, 2)
    best = swept.best()
    assert best["test_loss_mean"] == min(e["test_loss_mean"] for e in swept.summary())
    diffs = swept.compare_to("k=2, p=0.0")
    assert len(diffs) == 5 and diffs[0].a == "k=2, p=0.0"


def test_figure_has_the_heatmap_and_the_trends(swept):
    fig = swept.plot("clustering", "path_length", "test_loss", bins=3, baseline="k=4, p=0.0")
    assert len(fig.axes) == 4  # heatmap, its colour bar, two scatters
    assert fig.axes[0].get_ylabel() == "average path length L"
    assert len(swept.plot("k", None, "train_loss").axes) == 1
    with pytest.raises(ag.ComparisonError, match="no column"):
        swept.plot("nothing")


def test_report_is_self_contained(swept, tmp_path):
    page = swept.report(tmp_path / "sweep.html", baseline="k=2, p=0.0")
    text = page.read_text(encoding="utf-8")
    assert text.count("data-network='k=4, p=0.3'") == 1 and "&lt;wiring&gt; &amp; loss" in text
    assert "data:image/png;base64," in text and "Content-Security-Policy" in text
    assert [p.name for p in tmp_path.iterdir()] == ["sweep.html"]


@pytest.mark.browser
@needs_chromium
def test_report_opens_in_headless_chromium_without_errors(swept, tmp_path):
    page_path = swept.report(tmp_path / "sweep.html", baseline="k=2, p=0.0")
    problems = []
    with chromium() as browser:
        page = browser.new_page()
        watch(page, problems)
        page.goto(page_path.as_uri(), wait_until="load")
        assert page.locator("#networks tr[data-network]").count() == 6
        assert page.locator("#baseline li").count() == 5
        assert page.locator(".figure img").evaluate("img => img.complete && img.naturalWidth > 0")
    assert problems == []


def test_a_dask_local_cluster_gives_the_serial_numbers_and_survives_a_killed_worker(tmp_path):
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    settings = {**SETTINGS, "epochs": 40}
    serial = ag.sweep(NETS, X, Y, seeds=4, group_size=2, **settings)
    path = tmp_path / "sweep.jsonl"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            on_dask = ag.sweep(NETS, X, Y, seeds=4, group_size=2, client=client, **settings)
            assert numbers(on_dask) == numbers(serial)
            pids = list(client.run(os.getpid).values())
            killed = []

            def kill_one_when_rows_arrive():
                while not killed:
                    if path.exists() and len(path.read_text().splitlines()) >= 3:
                        os.kill(pids[0], signal.SIGKILL)
                        killed.append(pids[0])
                    time.sleep(0.02)

            killer = threading.Thread(target=kill_one_when_rows_arrive, daemon=True)
            killer.start()
            survived = ag.sweep(NETS, X, Y, seeds=4, group_size=2, client=client, path=path, **settings)
            killer.join(5)
    assert killed, "no worker was killed"
    assert numbers(survived) == numbers(serial)
    assert len(path.read_text().splitlines()) == 25  # every row once
