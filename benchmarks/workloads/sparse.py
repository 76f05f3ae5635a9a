"""Dynamic sparse training: what rewiring costs next to the training it rewires, and what a change of k edges costs.

The network: ``ag.layered([784, 1000, 1000, 10], activation="relu", density=0.055)``,
101,130 weights (99,120 prunable, the rest bias weights), trained with Adam
(step 10^-3) in batches of 32 on 3,200 synthetic examples (100 steps an
epoch) toward a fixed random teacher. Three trainings of 3 epochs, side by
side: the static sparse network, SET (ζ = 0.3: 29,736 edges replaced per
update) every 100 steps, and RigL (α = 0.3, cosine decay) every 100 steps.
Each update (the callback's ``on_step``, which selects and rewires, plus the
recompile) is timed by itself, and set against the time of the 100 steps
before it (the median step, timed by a step callback in the static
training): the target is ≤ 10 %. The paired difference of the whole
trainings, per update, is the cross-check (it also holds what the loop does
after a change: the optimizer's moments carried over, the new weights read).

Then a change of ``k`` edges alone (``k`` removed and ``k`` added, at random,
in one ``net.rewire``) plus the recompile, for ``k`` from 10 to 30,000, next
to the peer that any change would cost without it: building the network
again from its graph (``Network.from_networkx(net.to_networkx())`` and
``compile()``), and, for small ``k``, ``k`` calls of ``disconnect`` and
``connect``; and a change of 100 edges on networks of 10^4, 10^5 and 10^6
edges, set against one training step of each.
"""

from __future__ import annotations

import time

import numpy as np

import autograd_graph as ag

from ..harness import Contender, Target, format_seconds, measure, paired_ratio
from .common import Config, Report

__all__ = ["sparse", "random_change", "SIZES", "UpdateTimer"]

SIZES = [784, 1000, 1000, 10]
DENSITY = 0.055
STATIC, SET, RIGL = "static sparse", "SET ζ=0.3, every 100 steps", "RigL α=0.3, every 100 steps"


class UpdateTimer:
    """Wraps a rewiring callback: times each update (its ``on_step`` and the recompile after it)."""

    def __init__(self, inner) -> None:
        self.inner, self.seconds = inner, []

    def __call__(self, log) -> None:
        return None

    def on_step(self, log):
        start = time.perf_counter()
        source = self.inner.on_step(log)
        if source is not None:
            log.network.compile()
            self.seconds.append(time.perf_counter() - start)
        return source


class StepClock:
    """A step callback noting when each step ends (the median gap is the time of one step)."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def __call__(self, log) -> None:
        return None

    def on_step(self, log) -> None:
        self.times.append(time.perf_counter())

    def step(self) -> float:
        return float(np.median(np.diff(self.times))) if len(self.times) > 2 else float("nan")


def network() -> ag.Network:
    return ag.layered(SIZES, activation="relu", density=DENSITY, seed=0)


def data(n: int = 3_200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, SIZES[0]))
    teacher = rng.standard_normal((SIZES[0], SIZES[-1])) / np.sqrt(SIZES[0])
    return X, np.tanh(X @ teacher)


def random_change(net: ag.Network, k: int, seed: int = 0) -> tuple[list[tuple], list[tuple]]:
    """``k`` non-bias edges to remove and ``k`` absent pairs between the same layers to add, at random."""
    rng = np.random.default_rng(seed)
    edges = [e for e in net.edges if net.kind(e[0]) != "bias"]
    remove = [edges[i] for i in rng.choice(len(edges), k, replace=False)]
    layers = [[n for n in layer if net.kind(n) != "bias"] for layer in net.layers()]
    present, add = set(net.edges), []
    while len(add) < k:
        lay = int(rng.integers(1, len(layers)))
        s = layers[lay - 1][rng.integers(len(layers[lay - 1]))]
        t = layers[lay][rng.integers(len(layers[lay]))]
        if (s, t) not in present:
            present.add((s, t))
            add.append((s, t, 0.0))
    return remove, add


def _training(config: Config, report: Report) -> None:
    X, Y = data()
    epochs = 2 if config.quick else 3
    settings = dict(epochs=epochs, batch_size=32, optimizer="adam", learning_rate=1e-3, seed=0, progress=False)
    timers: dict[str, list[UpdateTimer]] = {SET: [], RIGL: []}
    clocks: list[StepClock] = []

    def run(name):
        def go():
            net = network()
            callbacks: list = []
            if name == STATIC:
                clocks.append(StepClock())
                callbacks = [clocks[-1]]
            else:
                inner = ag.SET(0.3, every=100) if name == SET else ag.RigL(0.3, every=100, until=0.75)
                timers[name].append(UpdateTimer(inner))
                callbacks = [timers[name][-1]]
            ag.train(net, X, Y, callbacks=callbacks, **settings)

        return go

    contenders = [Contender(name, run(name)) for name in (STATIC, SET, RIGL)]
    results = measure(contenders, 1 if config.quick else max(2, config.rounds // 2), warmup=0)
    report.tables.append((f"{epochs} epochs of 100 steps, whole trainings (evaluation of the training set each epoch)",
                          results))  # fmt: skip
    report.baselines = [STATIC]
    step = float(np.median([c.step() for c in clocks]))
    hundred = 100 * step
    rows = [
        [
            "",
            "updates per training",
            "one update (median)",
            "÷ 100 steps",
            "whole trainings, difference per update (noisy)",
        ]
    ]
    shares = {}
    for name in (SET, RIGL):
        seconds = [s for t in timers[name] for s in t.seconds]
        per_run = len(timers[name][-1].seconds)
        update = float(np.median(seconds))
        extra = (paired_ratio(results, name, STATIC) - 1) * results[STATIC].median / max(per_run, 1)
        shares[name] = update / hundred
        rows.append([name, str(per_run), format_seconds(update), f"{update / hundred:.1%}", f"{extra / hundred:.1%}"])
    report.summary = rows
    report.lines.append(f"one step (forward, backward, Adam, batch 32; median): {format_seconds(step)}, "
                        f"100 steps: {format_seconds(hundred)}")  # fmt: skip
    report.targets.append(Target("SET every 100 steps on a 10^5-edge network: its updates ≤ 10% of training time",
                                 f"{shares[SET]:.1%} of the 100 steps before each update "
                                 f"(RigL, not a target: {shares[RIGL]:.1%})",
                                 None if config.quick else shares[SET] <= 0.10))  # fmt: skip


def _changes(config: Config, report: Report) -> None:
    base = network()
    base.compile()
    ks = [10, 100, 1_000, 10_000, 30_000] if not config.quick else [10, 1_000, 30_000]
    rounds = 2 if config.quick else 5
    plans = {k: random_change(base, k, seed=k) for k in ks}
    table = [["k (removed + added)", "net.rewire + compile", "from_networkx + compile", "one by one + compile"]]
    scratch: list[float] = []
    for k in ks:
        bulk, one = [], []
        for _ in range(rounds):
            net = base.copy()
            net.compile()  # as in training: the network's description and engine are built
            start = time.perf_counter()
            net.rewire(remove=plans[k][0], add=plans[k][1])
            net.compile()
            bulk.append(time.perf_counter() - start)
            if k <= 100:
                net = base.copy()
                net.compile()
                start = time.perf_counter()
                for edge in plans[k][0]:
                    net.disconnect(*edge)
                for s, t, w in plans[k][1]:
                    net.connect(s, t, weight=w)
                net.compile()
                one.append(time.perf_counter() - start)
            if k == ks[0]:
                G = base.to_networkx()
                start = time.perf_counter()
                ag.Network.from_networkx(G).compile()
                scratch.append(time.perf_counter() - start)
        table.append([f"{k:,d}", format_seconds(float(np.median(bulk))),
                      format_seconds(float(np.median(scratch))) if scratch else "–",
                      format_seconds(float(np.median(one))) if one else "–"])  # fmt: skip
    report.lines.append("\nA change of k edges on the same network (medians of "
                        f"{rounds}; 'from_networkx' does not depend on k):\n")  # fmt: skip
    header, *rows = table
    report.lines.append("| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n"
                        + "\n".join("| " + " | ".join(row) + " |" for row in rows))  # fmt: skip


def _scaling(config: Config, report: Report) -> None:
    """A change of 100 edges on networks of 10^4 to 10^6 edges, against one training step of each."""
    shapes = [(200, 0.05), (1000, 0.055), (3000, 0.088)][: 2 if config.quick else 3]
    rows = [["edges", "rewire 100 + compile", "one step (batch 32)", "the change ÷ one step"]]
    rng = np.random.default_rng(1)
    for hidden, density in shapes:
        base = ag.layered([SIZES[0], hidden, hidden, SIZES[-1]], activation="relu", density=density, seed=0)
        base.compile()
        remove, add = random_change(base, 100, seed=hidden)
        X, Y = rng.standard_normal((32, SIZES[0])), rng.standard_normal((32, SIZES[-1]))
        change, step = [], []
        for _ in range(3):
            net = base.copy()
            net.compile()
            start = time.perf_counter()
            net.rewire(remove=remove, add=add)
            net.compile()
            change.append(time.perf_counter() - start)
            start = time.perf_counter()
            grads = net.backward(net.forward(X), Y)
            net.set_weights(net.weights - 1e-3 * grads.weights.flat)
            step.append(time.perf_counter() - start)
        c, t = float(np.median(change)), float(np.median(step))
        rows.append([f"{base.n_weights:,d}", format_seconds(c), format_seconds(t), f"{c / t:.1f} steps"])
    report.lines.append("\nA change of 100 edges as the network grows (medians of 3; a step here is a forward and "
                        "backward pass and a plain SGD update):\n")  # fmt: skip
    header, *body = rows
    report.lines.append("| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n"
                        + "\n".join("| " + " | ".join(row) + " |" for row in body))  # fmt: skip


def sparse(config: Config) -> Report:
    """SET every 100 steps on 10^5 edges: its updates ≤ 10% of the training time."""
    report = Report("Dynamic sparse training (SET, RigL) on 10^5 edges",
                    f"layered {'→'.join(map(str, SIZES))} relu at density {DENSITY} ({network().n_weights:,d} "
                    "weights), Adam, batches of 32, 3,200 synthetic examples")  # fmt: skip
    _training(config, report)
    _changes(config, report)
    _scaling(config, report)
    return report
