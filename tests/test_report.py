"""The comparison's HTML report: self-contained, every network in it, and it loads in a real browser."""

import re
import shutil

import numpy as np
import pytest
from browser import chromium, needs_chromium, watch

import autograd_graph as ag
from autograd_graph.comparison import diagrams, matched_builders

NAMES = ["layered 2→8→1", "<random> & DAG", "skip connections (same budget)"]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


@pytest.fixture(scope="module")
def comparison():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    Y = (X[:, :1] * X[:, 1:] > 0).astype(float)  # (40, 1): same sign
    base = ag.layered([2, 8, 1], activation="tanh", output_activation="logistic", seed=0)
    builders = matched_builders(base)
    networks = {NAMES[0]: base, NAMES[1]: builders["random DAG (same budget)"], NAMES[2]: builders[NAMES[2]]}
    return ag.compare(networks, X[:30], Y[:30], X[30:], Y[30:], seeds=2, epochs=5, loss="binary_cross_entropy",
                      batch_size=5, optimizer="adam", learning_rate=0.05)  # fmt: skip


@pytest.fixture(scope="module")
def report(comparison, tmp_path_factory):
    return comparison.report(tmp_path_factory.mktemp("report") / "report.html")


def test_report_exists_and_names_every_network(report):
    text = report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    for name in NAMES:
        escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert text.count(f"data-network='{escaped}'") == 3  # the list, the table row, the diagram
    assert "<random>" not in text  # escaped
    assert "data:image/png;base64," in text


def test_report_loads_nothing_from_outside(report):
    text = report.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", text)
    assert "Content-Security-Policy" in text


def test_report_is_written_whole(report):
    assert [p.name for p in report.parent.iterdir()] == ["report.html"]  # no temporary file left behind


@needs_dot
def test_report_has_an_svg_diagram_per_network(report):
    text = report.read_text(encoding="utf-8")
    assert text.count("<svg") == len(NAMES)
    assert "<?xml" not in text


def test_diagrams_side_by_side(comparison):
    source = diagrams(comparison).source
    assert source.count("subgraph cluster_") == len(NAMES)
    for name in NAMES:
        assert name in source


@pytest.mark.browser
@needs_chromium
def test_report_opens_in_headless_chromium_without_errors(report):
    problems = []
    with chromium() as browser:
        page = browser.new_page()
        watch(page, problems)
        page.goto(report.as_uri(), wait_until="load")
        assert page.title().endswith("3 networks compared")
        rows = page.locator("#results tr[data-network]")
        assert rows.count() == len(NAMES)
        for name in NAMES:
            for where in ("#networks", "#results", ".diagrams"):
                element = page.locator(f"{where} [data-network={name!r}]")
                assert element.count() == 1 and element.is_visible(), (where, name)
        image = page.locator(".figure img")
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        if shutil.which("dot"):
            assert page.locator(".diagrams svg").count() == len(NAMES)
            # one scale for every diagram: drawn width over the picture's own width, alike
            scales = page.evaluate(
                "() => [...document.querySelectorAll('.diagrams svg')]"
                ".map(s => s.getBoundingClientRect().width / s.viewBox.baseVal.width)"
            )
            assert max(scales) == pytest.approx(min(scales), rel=0.02)
        page.set_viewport_size({"width": 1400, "height": 900})
        table = page.locator("#results").evaluate("t => [t.parentElement.scrollWidth, t.parentElement.clientWidth]")
        assert table[0] <= table[1], f"the results table needs {table[0]} px, has {table[1]}"
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 1400
    assert problems == []


def test_a_tie_is_not_bold(tmp_path):
    X = np.linspace(-1, 1, 12).reshape(-1, 1)
    net = ag.running_example(seed=0)
    tied = ag.compare({"A": net, "B": net.copy()}, X, np.sin(3 * X), X, np.sin(3 * X), seeds=2, epochs=2)
    text = tied.report(tmp_path / "tie.html").read_text(encoding="utf-8")
    assert "class='best'" not in text and "is a tie" in text
    other = ag.layered([1, 3, 1], seed=0)  # another network: another loss
    clear = ag.compare({"A": net, "B": other}, X, np.sin(3 * X), X, np.sin(3 * X), seeds=2, epochs=2)
    assert clear.report(tmp_path / "clear.html").read_text(encoding="utf-8").count("class='best'") == 1


def test_accuracy_axes_stop_at_one(comparison):
    figure = comparison.figure()
    accuracy = [ax for ax in figure.axes if "accuracy" in ax.get_title()]
    assert accuracy
    for ax in accuracy:
        assert ax.get_ylim()[1] <= 1.0


def test_the_diagrams_are_in_one_view(comparison):
    big = ag.layered([30, 20, 2], seed=0)
    X = np.random.default_rng(0).normal(size=(20, 30))
    result = ag.compare({"small": ag.layered([30, 1, 2], seed=0), "big": big}, X, X[:, :2], seeds=1, epochs=1)
    g = diagrams(result)
    assert g.view == "compact"  # the view of the biggest network, for both
