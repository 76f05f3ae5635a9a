"""autograd-graph sweep: rows, resume, the report, from the command line."""

import json

from autograd_graph.cli import main


def test_sweep_of_relational_mlps_writes_rows_and_a_report_and_resumes(tmp_path, capsys):
    out = tmp_path / "sweep"
    argv = ["sweep", "moons", "--ws-flex", "4", "--width", "8", "--layers", "1", "--degrees", "2,3", "--ps", "0,1",
            "--seeds", "2", "--epochs", "3", "--batch-size", "16", "--out", str(out), "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    lines = (out / "rows.jsonl").read_text().splitlines()
    assert len(lines) == 1 + 5 * 2  # the header, then 4 graphs and the complete one, 2 seeds each
    rows = [json.loads(line) for line in lines[1:]]
    assert {row["network"] for row in rows} >= {"complete graph", "k=2, p=0, graph seed 0"}
    assert all("relational_clustering" in row for row in rows)
    printed = capsys.readouterr().out
    assert "best test_accuracy" in printed and "report.html" in printed
    assert (out / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert main(argv) == 0  # everything is done: resumed, nothing trained again
    assert (out / "rows.jsonl").read_text().splitlines() == lines


def test_sweep_of_the_tasks_networks(tmp_path):
    out = tmp_path / "s"
    assert main(["sweep", "xor", "--seeds", "2", "--epochs", "2", "--out", str(out), "-q", "--n-jobs", "1"]) == 0
    assert len((out / "rows.jsonl").read_text().splitlines()) == 1 + 3 * 2  # the layered one and its two matched


def test_bad_sweep_options_are_one_line_errors(tmp_path, capsys):
    assert main(["sweep", "xor", "--ws-flex", "4", "--degrees", "9", "--out", str(tmp_path)]) == 1
    assert "--degrees" in capsys.readouterr().err
