"""Pictures of big networks: time and size of each view, side by side with dot's layout of the full picture."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

import autograd_graph as ag
from autograd_graph.show import layout as L

from ..generators import random_dag
from ..harness import Contender, Target, format_seconds, measure
from ..picture_measures import label_boxes, labels_crossed, layout_json, overlaps, png_size, segment_crossings
from .common import Config, Report

__all__ = ["pictures"]

DAGS = {
    "Watts–Strogatz DAG, 2,000 neurons (depth 821)": dict(model="watts_strogatz", k=4, p=0.25),
    "G(n, p) DAG, 2,000 neurons (depth 27)": dict(model="gnp", p=0.003),
}


def _dag(spec: dict) -> ag.Network:
    spec = dict(spec)
    return ag.random_dag(2000, spec.pop("model"), n_inputs=20, n_outputs=5, seed=0, **spec)


def _full_view_peer(net: ag.Network, path: Path, timeout: float) -> tuple[float, str]:
    """The full view laid out by dot (what every picture was before the views): seconds, or the limit hit."""
    start = time.perf_counter()
    try:
        ag.render(net.to_graphviz(view="full"), path, timeout=timeout)
    except ag.RenderTimeoutError:
        return timeout, f"stopped at {timeout:g} s (RenderTimeoutError)"
    seconds = time.perf_counter() - start
    return seconds, format_seconds(seconds)


def _mlp(config: Config, folder: Path, report: Report) -> None:
    net = ag.layered([784, 16, 10], seed=config.seed)
    svg, png = folder / "mlp.svg", folder / "mlp.png"
    results = measure(
        [Contender("to_graphviz() + render SVG (compact, picked by size)", lambda: ag.render(net.to_graphviz(), svg)),
         Contender("to_graphviz() + render PNG", lambda: ag.render(net.to_graphviz(), png))],
        config.rounds,
    )  # fmt: skip
    timeout = 20.0 if config.quick else 60.0
    peer, peer_text = _full_view_peer(net, folder / "mlp-full.svg", timeout)
    report.tables.append(("784→16→10, default options", results))
    size = svg.stat().st_size
    width, height = png_size(png.read_bytes())
    best = results["to_graphviz() + render SVG (compact, picked by size)"].median
    report.lines.append(
        f"784→16→10: compact SVG {size / 2**20:.2f} MiB, PNG {width} × {height} px; the full view laid out by dot "
        f"(the default before): {peer_text}, {peer / best:.0f}× the compact view's time"
    )
    report.targets.append(
        Target(
            "784→16→10 with default options: SVG ≤ 1 MB, built and rendered in ≤ 2 s",
            f"{size / 1e6:.2f} MB, {format_seconds(best)}",
            size <= 1e6 and best <= 2,
        )
    )


def _layout_choice(net: ag.Network) -> list[list[str]]:
    """The deep network drawn four ways: straight edges' crossings and length, neurons overlapping, time, size."""
    from scipy.spatial import cKDTree

    ix = net.indexed()
    column = L.column_numbers(net, fold_biases=True)
    keep = (column[ix.src] >= 0) & (column[ix.dst] >= 0)
    s, d = ix.src[keep], ix.dst[keep]
    start = time.perf_counter()
    rank, _, _ = L.order_columns(column, ix.src, ix.dst)
    ordering = time.perf_counter() - start
    rows = [["layout", "time", "size (pt)", "crossings per edge", "median edge ÷ diagonal", "neurons overlapping"]]

    def row(name, seconds, x, y, width, height, diameter):
        crossings = segment_crossings(x[s], y[s], x[d], y[d], s, d)
        median = float(np.median(np.hypot(x[d] - x[s], y[d] - y[s]))) / float(np.hypot(width, height))
        shown = np.isfinite(x)
        touching = len(cKDTree(np.column_stack([x[shown], y[shown]])).query_pairs(diameter))
        rows.append([name, format_seconds(seconds), f"{width:.0f} × {height:.0f}", f"{crossings / s.size:.1f}",
                     f"{median:.4f}", f"{touching:,d} pairs"])  # fmt: skip

    ways = {"one line": dict(wrap=False), "wrapped, every line left to right": dict(wrap=True, snake=False),
            "wrapped, snake (the default)": dict(wrap=True)}  # fmt: skip
    for name, options in ways.items():
        start = time.perf_counter()
        p = L.place(column, rank, **options)
        row(name, ordering + time.perf_counter() - start, p["x"], p["y"], p["width"], p["height"], 8 * p["scale"])
    shown = np.flatnonzero(column >= 0)
    dot = 'digraph { graph [overlap=prism] node [shape=circle width=0.11 fixedsize=true label=""]\n'
    dot += "\n".join(f"n{i}" for i in shown) + "\n" + "\n".join(f"n{a} -> n{b}" for a, b in zip(s, d, strict=True))
    start = time.perf_counter()
    doc = layout_json(dot + "\n}", engine="sfdp")
    seconds = time.perf_counter() - start
    x, y = np.full(column.size, np.nan), np.full(column.size, np.nan)
    for o in doc["objects"]:
        i = int(o["name"][1:])
        x[i], y[i] = (float(v) for v in o["pos"].split(","))
    bb = [float(v) for v in doc["bb"].split(",")]
    row("sfdp, overlap=prism (force-directed, Graphviz)", seconds, x, y, bb[2], bb[3], 0.11 * 72)
    return rows


def _dags(config: Config, folder: Path, report: Report) -> None:
    timeout = 10.0 if config.quick else 60.0
    for title, spec in DAGS.items():
        net = _dag(spec)
        svg, png = folder / "dag.svg", folder / "dag.png"
        results = measure(
            [Contender("to_graphviz() + render SVG", lambda n=net, f=svg: ag.render(n.to_graphviz(), f)),
             Contender("to_graphviz() + render PNG", lambda n=net, f=png: ag.render(n.to_graphviz(), f))],
            config.rounds,
        )  # fmt: skip
        peer, peer_text = _full_view_peer(net, folder / "dag-full.svg", timeout)
        report.tables.append((title, results))
        width, height = png_size(png.read_bytes())
        lay = L.layout(net, fold_biases=True)
        slowest = max(r.median for r in results.values())
        report.lines.append(
            f"{title}: {net.to_graphviz().view} view, PNG {width} × {height} px, SVG {svg.stat().st_size / 2**20:.2f} "
            f"MiB, {lay.lines} line(s); crossings of the edges spanning up to {L.SPAN_COUNTED} columns "
            f"{lay.crossings_before:,d} in the graph's order, {lay.crossings:,d} after the sweeps; the full view "
            f"laid out by dot: {peer_text} (≥ {peer / slowest:.0f}× the compact view's time)"
        )
        report.targets.append(
            Target(
                f"{title}: ≤ 5 s, PNG ≤ 4,000 px on the long side",
                f"{format_seconds(slowest)}, {max(width, height)} px",
                slowest <= 5 and max(width, height) <= 4000,
            )
        )
        if spec["model"] == "watts_strogatz":
            report.summary = _layout_choice(net)


def _overview(config: Config, folder: Path, report: Report) -> None:
    n_edges = 10**5 if config.quick else 10**6
    G = random_dag(n_edges, seed=config.seed)
    start = time.perf_counter()
    net = ag.Network.from_networkx(G)
    built = time.perf_counter() - start
    svg = folder / "overview.svg"
    results = measure(
        [Contender("to_graphviz(view='overview') + render SVG",
                   lambda: ag.render(net.to_graphviz(view="overview"), svg)),
         Contender("to_graphviz() + render SVG (picked by size)", lambda: ag.render(net.to_graphviz(), svg))],
        min(config.rounds, 3), warmup=0,
    )  # fmt: skip
    report.tables.append((f"random DAG, {net.n_neurons:,d} neurons, {n_edges:,d} edges", results))
    size = svg.stat().st_size
    slowest = max(r.median for r in results.values())
    report.lines.append(
        f"overview of {n_edges:,d} edges: {net.to_graphviz().view} view picked, SVG {size / 1024:.0f} KiB "
        f"(Network.from_networkx before it, not counted: {format_seconds(built)})"
    )
    met = slowest <= 20 and size <= 2e6 if n_edges == 10**6 else None
    report.targets.append(
        Target(
            "10^5 neurons, 10^6 edges: overview in ≤ 20 s, ≤ 2 MB",
            f"{format_seconds(slowest)}, {size / 1e6:.2f} MB" + ("" if met is not None else " (10^5 edges: --quick)"),
            met,
        )
    )


def _labels(report: Report) -> None:
    net = ag.running_example(seed=0)
    trace = net.forward([[0.5]])
    grads = net.backward(trace, [[1.0]])
    mlp = ag.layered([64, 16, 10], seed=0)
    cases = {
        "running example": net.to_graphviz().source,
        "running example, values and gradients": net.to_graphviz(trace, grads).source,
        "64→16→10 folded, 8 per rank, 128 labels": mlp.to_graphviz(
            view="full", fold_biases=True, max_per_rank=8, edge_labels=True
        ).source,
    }
    placements = {
        "label (dot makes room: the one kept)": lambda src: src,
        "headlabel (near the head)": lambda src: src.replace(" [label=", " [headlabel="),
        "xlabel (placed after the layout)": lambda src: src.replace(" [label=", " [xlabel="),
    }
    lines = [["picture", "placement", "labels", "overlapping pairs", "crossed by another edge", "size (pt)"]]
    worst = 0
    for case, source in cases.items():
        for name, change in placements.items():
            doc = layout_json(change(source))
            boxes = label_boxes(doc)
            pairs = overlaps(boxes)
            bb = [float(v) for v in doc["bb"].split(",")]
            lines.append([case, name, str(len(boxes)), str(pairs), str(labels_crossed(doc, boxes)),
                          f"{bb[2]:.0f} × {bb[3]:.0f}"])  # fmt: skip
            if name.startswith("label "):
                worst = max(worst, pairs)
    report.lines.append("Edge labels, boxes from dot -Tjson (its own text widths):")
    report.lines.append("\n".join("| " + " | ".join(row) + " |" for row in lines[:1]) + "\n|" + "---|" * len(lines[0])
                        + "\n" + "\n".join("| " + " | ".join(row) + " |" for row in lines[1:]))  # fmt: skip
    report.targets.append(
        Target("the running example and 64→16→10: no two edge labels overlapping", f"{worst} overlapping", worst == 0)
    )


def pictures(config: Config) -> Report:
    """Each target of the pictures issue: 784→16→10, two 2,000-neuron DAGs, a 10^6-edge overview, edge labels."""
    report = Report(
        "Pictures of big networks",
        "build the picture (to_graphviz, the view picked by size unless named) and write it (ag.render, Graphviz "
        "drawing the library's positions); the peer is the full view laid out by dot, as every picture was before",
    )
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        _mlp(config, folder, report)
        _dags(config, folder, report)
        _overview(config, folder, report)
        _labels(report)
    return report
