"""The explorer page: its size and how long it takes to open in headless Chromium, against the static picture.

Three pages, as the explorer issue names them: the running example with 150
recorded epochs of its training on y = sin(3x); 64→16→10 with 30 recorded
epochs; a 2,000-neuron random DAG. Each is built by ``ag.explore`` (timed),
saved, and opened in Chromium round after round, interleaved with the peer:
the SVG that ``ag.render`` writes of the same network (the static picture the
page replaces), opened in the same browser. "Open" is the navigation's
``loadEventEnd`` (the page's script has drawn the picture and computed every
value by then). Inside the page, one what-if edit (``setWeight``) is timed by
the page's own clock.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

import autograd_graph as ag

from ..harness import Target, format_seconds
from .common import Config, Report

__all__ = ["explorer"]

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
LOAD = "() => performance.getEntriesByType('navigation')[0].loadEventEnd"
EDIT = """() => { const e = window.agExplorer.state().edges[0]; const t = performance.now();
  window.agExplorer.setWeight(e.source, e.target, e.w + 0.125); return performance.now() - t; }"""


def _pages(config: Config) -> dict[str, tuple[ag.Network, ag.Explorer]]:
    pages = {}
    net = ag.running_example(seed=0)
    X = np.linspace(-1, 1, 41).reshape(-1, 1)
    rec = ag.Recorder()
    rec.start(net)
    ag.train(net, X, np.sin(3 * X), epochs=150, batch_size=1, learning_rate=ag.InverseTimeDecay(0.5, decay=0.001),
             seed=0, callbacks=[rec], progress=False)  # fmt: skip
    pages["running example, 150 recorded epochs"] = (net, (X, np.sin(3 * X), rec, "squared_error"))
    rng = np.random.default_rng(config.seed)
    mlp = ag.layered([64, 16, 10], activation="tanh", seed=0)
    Xd, Yd = rng.normal(size=(500, 64)), np.eye(10)[rng.integers(0, 10, 500)]
    rec = ag.Recorder()
    ag.train(mlp, Xd, Yd, epochs=30, batch_size=32, optimizer="adam", learning_rate=0.01,
             loss="softmax_cross_entropy", seed=0, callbacks=[rec], progress=False)  # fmt: skip
    pages["64→16→10, 30 recorded epochs"] = (mlp, (Xd, Yd, rec, "softmax_cross_entropy"))
    dag = ag.random_dag(2000, "watts_strogatz", k=4, p=0.25, n_inputs=20, n_outputs=5, seed=0)
    pages["2,000-neuron Watts–Strogatz DAG"] = (dag, (rng.normal(size=(64, 20)), rng.normal(size=(64, 5)), None,
                                                      "squared_error"))  # fmt: skip
    built = {}
    for name, (net, (X, Y, rec, loss)) in pages.items():
        start = time.perf_counter()
        page = ag.explore(net, X, Y, loss=loss, record=rec)
        built[name] = (net, page, time.perf_counter() - start)
    return built


def explorer(config: Config) -> Report:
    """Size, build time, opening time (against the static SVG) and one what-if edit, for each page."""
    report = Report(
        "The explorer page",
        "ag.explore builds the page; Chromium (headless) opens it (navigation loadEventEnd, the page's script "
        "included), round after round, interleaved with the SVG that ag.render writes of the same network",
    )
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    rounds = 3 if config.quick else 7
    rows = [["page", "HTML", "built in", "opens in", "static SVG opens in", "ratio", "one what-if edit"]]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        built = _pages(config)
        measured: dict[str, tuple[float, float, float]] = {}
        if chromium is not None and sync_playwright is not None:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
                for p, (title, (net, page, _)) in enumerate(built.items()):
                    html, svg = page.save(folder / f"page{p}.html"), folder / f"page{p}.svg"
                    ag.render(net.to_graphviz(), svg)
                    times: dict[str, list[float]] = {"page": [], "svg": []}
                    edits = []
                    for r in range(rounds + 1):  # the first round warms the browser up, untimed
                        for kind, path in (("page", html), ("svg", svg))[:: 1 if r % 2 else -1]:
                            tab = browser.new_page(viewport={"width": 1400, "height": 900})
                            tab.goto(path.as_uri(), wait_until="load")
                            if r:
                                times[kind].append(tab.evaluate(LOAD) / 1e3)
                            if kind == "page" and r:
                                edits.append(tab.evaluate(EDIT) / 1e3)
                            tab.close()
                    ratios = [a / b for a, b in zip(times["page"], times["svg"], strict=True)]
                    measured[title] = (statistics.median(times["page"]), statistics.median(times["svg"]),
                                       statistics.median(ratios), statistics.median(edits))  # fmt: skip
                browser.close()
        for title, (_, page, seconds) in built.items():
            size = len(page.html.encode("utf-8"))
            opened = measured.get(title)
            cells = ["–"] * 4 if opened is None else [format_seconds(opened[0]), format_seconds(opened[1]),
                                                      f"{opened[2]:.2g}", format_seconds(opened[3])]  # fmt: skip
            rows.append([title, f"{size / 1e3:,.0f} KB", format_seconds(seconds), *cells])
            if title.startswith("running"):
                report.targets.append(Target("running example with 150 recorded epochs: ≤ 300 KB of HTML",
                                             f"{size / 1e3:.0f} KB", size <= 300e3))  # fmt: skip
                report.targets.append(Target("… opens in ≤ 1 s in headless Chromium",
                                             "–" if opened is None else format_seconds(opened[0]),
                                             None if opened is None else opened[0] <= 1.0))  # fmt: skip
            elif title.startswith("64"):
                report.targets.append(Target("64→16→10 with 30 recorded epochs: ≤ 3 MB", f"{size / 1e6:.2f} MB",
                                             size <= 3e6))  # fmt: skip
            else:
                compact = page.data["picture"]["view"] == "compact"
                report.targets.append(Target("a 2,000-neuron DAG: the page opens (compact view, with what-if)",
                                             "–" if opened is None else f"opens in {format_seconds(opened[0])}",
                                             None if opened is None else compact))  # fmt: skip
    report.summary = rows
    if chromium is None or sync_playwright is None:
        report.lines.append("Chromium or Playwright is missing: sizes and build times only")
    return report
