"""Many trainings at once: the 40 trainings of examples/compare_digits.py, one after another or together.

The same ``ag.compare`` call (four networks on sklearn's digits, ten seeds,
Adam, batches of 32, 30 epochs, the test curve after every epoch) made
three ways: one training after another (``together=False``), all 40 at
once in this process (:func:`~autograd_graph.train_many`), and in two
groups of 20 on two local processes (``n_jobs=2``). The trained networks
are checked to agree first. Wall time and this process's CPU time are
both reported: on a shared machine the CPU time is the steadier of the two.
"""

from __future__ import annotations

import time

import numpy as np

import autograd_graph as ag

from ..harness import Contender, Target, measure, paired_ratio
from .common import Config, Report

__all__ = ["together"]

APART = "one after another"
ONE = "train_many, 1 process"
TWO = "train_many, 2 processes"


def _networks(base: ag.Network) -> dict:
    from autograd_graph.comparison import matched_random_dag, matched_skip_network

    return {
        "layered 64→16→10": base,
        "random DAG, same budget": lambda seed: matched_random_dag(base, seed=seed),
        "skip connections, same budget": lambda seed: matched_skip_network(base, seed=seed),
        "64→16→10 + skips, more budget": ag.add_skip_connections(base, span=2, seed=0),
    }


def together(config: Config) -> Report:
    """The 40 trainings of compare_digits.py: ≥ 10× faster together than one after another."""
    title = "40 trainings at once (examples/compare_digits.py)"
    try:
        task = ag.load_task("digits")
    except ImportError:
        return Report(title, "skipped: scikit-learn is not installed (pip install -e '.[bench]')")
    seeds = 3 if config.quick else 10
    base = task.baseline(seed=0)
    settings = {**task.settings, "epochs": 30}
    cpu: dict[str, list[float]] = {APART: [], ONE: [], TWO: []}

    def run(**how):
        def go():
            start = time.process_time()
            result = ag.compare(_networks(base), task.X, task.Y, task.X_test, task.Y_test, seeds=seeds,
                                loss=task.loss, progress=False, **settings, **how)  # fmt: skip
            cpu[name_of[id(go)]].append(time.process_time() - start)
            return result

        return go

    halves = -(-4 * seeds // 2)  # two groups of half the trainings each
    contenders = [Contender(APART, run(together=False)), Contender(ONE, run()),
                  Contender(TWO, run(n_jobs=2, group_size=halves), "two groups on two processes")]  # fmt: skip
    name_of = {id(c.run): c.name for c in contenders}
    apart, one, two = (c.run() for c in contenders)  # and check they agree
    for name in apart.names:
        for a, b, c in zip(apart.runs[name], one.runs[name], two.runs[name], strict=True):
            np.testing.assert_allclose(b.network.weights, a.network.weights, rtol=0, atol=1e-8)
            np.testing.assert_allclose(c.network.weights, a.network.weights, rtol=0, atol=1e-8)
    for times in cpu.values():
        times.clear()
    results = measure(contenders, 1 if config.quick else max(2, config.rounds // 3), warmup=0)
    report = Report(
        title,
        f"ag.compare of 4 networks × {seeds} seeds on the digits (1,347 images, Adam, batches of 32, 30 epochs, "
        "test curve every epoch); the networks trained together agree with those trained alone to 1e-8",
        [("wall time", results)],
        [APART, ONE],
    )
    ratio = float(np.median(np.array(cpu[APART]) / np.array(cpu[ONE])))
    report.lines.append(f"CPU time of this process (median): {APART} {np.median(cpu[APART]):.2f} s, {ONE} "
                        f"{np.median(cpu[ONE]):.2f} s: {ratio:.1f}× (that of {TWO} is in its workers)")  # fmt: skip
    wall = {name: 1 / paired_ratio(results, name, APART) for name in (ONE, TWO)}
    best = max(wall.values())
    report.targets.append(Target("40 trainings of compare_digits.py: ≥ 10× faster in wall time together",
                                 ", ".join(f"{n} {r:.1f}×" for n, r in wall.items()),
                                 None if config.quick else best >= 10))  # fmt: skip
    return report
