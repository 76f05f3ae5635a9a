"""Big DAGs on both cores: a 10^6-edge pass with one thread and with two, against the memory bound.

The bound's model (:func:`traffic`): a pass over a sparse DAG moves at least
these bytes between memory and the cores, once each (``B`` the batch, ``s``
the bytes of a float):

- the state: every neuron's row of ``a``, ``z``, ``∂L/∂a``, ``∂L/∂z``
  (``B·s`` bytes each) is swept 7 times: forward, the bias fill of ``a``, its
  sum, the activation reading ``a`` and writing ``z``; backward, zeroing
  ``∂L/∂z``, the chain rule reading ``z`` and ``∂L/∂z`` and writing ``∂L/∂a``;
- per stage, every distinct source row the stage reads, 4 times: ``z`` in the
  forward product, ``∂L/∂z`` read and written in the backward product, ``z``
  in the ∂L/∂w sums (the stage's own rows stay in cache: a few hundred kB);
- the plan: per edge, its target row index and weight twice (forward and
  backward products, 12 bytes each), its source, target and position and
  ∂L/∂w in the ∂L/∂w sums (24 bytes); per stage the column pointers of the
  source span, twice.

Divided by the copy bandwidth of the machine (a 1 GiB ``np.copyto``, which
reads and writes every byte, in one thread and split in two), it gives the
time a pass cannot beat on one core and on two.
"""

from __future__ import annotations

import numpy as np

import autograd_graph as ag
from autograd_graph.engines.kernels import SparseKernel
from autograd_graph.engines.threads import run as run_parts

from ..generators import random_dag
from ..harness import Contender, Target, format_seconds, measure, paired_ratio
from .common import ENGINE, Config, Report, check_close, engine_pass

__all__ = ["threads", "traffic", "copy_probe"]

ONE, TWO = f"{ENGINE}, 1 thread", f"{ENGINE}, 2 threads"
COPY1, COPY2 = "copy 1 GiB, 1 thread", "copy 1 GiB, 2 threads"
COPY_BYTES = 1 << 30


def traffic(net: ag.Network, batch: int, itemsize: int = 8) -> int:
    """The bytes a forward and backward pass must move at least (see the module notes)."""
    engine = net.compile()
    row = batch * itemsize
    total = 7 * len(engine.schedule.order) * row
    for kernel in engine.kernels:
        if isinstance(kernel, SparseKernel):
            indptr = kernel.block.indptr
            distinct = int(np.count_nonzero(np.diff(indptr)))
            total += 4 * distinct * row + 2 * 8 * indptr.size + 48 * kernel.block.positions.size
        elif kernel is not None:  # a dense block: its matrix twice, its source rows four times
            n_targets, span = kernel.block.shape
            total += 2 * 8 * n_targets * span + 4 * span * row
    return total


def copy_probe(n_threads: int) -> Contender:
    """A 1 GiB copy (read and write: 2 GiB of traffic), by ``n_threads`` threads on disjoint halves."""
    src, dst = np.ones(COPY_BYTES // 8), np.empty(COPY_BYTES // 8)
    halves = np.array_split(np.arange(src.size), n_threads)
    parts = [(src[h[0] : h[-1] + 1], dst[h[0] : h[-1] + 1]) for h in halves]

    def run():
        run_parts([lambda a=a, b=b: np.copyto(b, a) for a, b in parts])

    def with_threads():
        with ag.using_threads(n_threads):
            run()

    return Contender(COPY1 if n_threads == 1 else COPY2, with_threads, "the bandwidth probe, not a contender")


def threads(config: Config) -> Report:
    """One forward and backward pass at 10^6 edges (10^5 with --quick), batch 64, on one and two threads."""
    n_edges = 10**5 if config.quick else 10**6
    net = ag.Network.from_networkx(random_dag(n_edges, seed=config.seed))
    rng = np.random.default_rng(config.seed)
    X = rng.standard_normal((64, len(net.inputs)))
    Y = rng.uniform(-1, 1, (64, len(net.outputs)))
    run = engine_pass(net, X, Y)

    def on(n):
        def go():
            with ag.using_threads(n):
                return run()

        return go

    check_close(TWO, on(2)().weights.flat, on(1)().weights.flat, 0)  # the same numbers, bit for bit
    contenders = [Contender(ONE, on(1)), Contender(TWO, on(2)), copy_probe(1), copy_probe(2)]
    results = measure(contenders, config.rounds)
    bandwidth = {k: 2 * COPY_BYTES / results.pop(name).times.min() for k, name in [(1, COPY1), (2, COPY2)]}
    bytes_ = traffic(net, 64)
    bound = {k: bytes_ / bandwidth[k] for k in (1, 2)}
    best = {1: results[ONE].times.min(), 2: results[TWO].times.min()}
    speedup = paired_ratio(results, ONE, TWO)
    report = Report(
        f"Both cores on a big DAG: {n_edges:,d} edges, batch 64",
        f"{net.n_neurons:,d} neurons, {len(net.generations()) - 1} generations, tanh; one forward and backward pass "
        f"with ag.using_threads(1) and (2)",
        [("", results)],
        [ONE],
    )
    report.lines.append(
        f"copy bandwidth (read + write, best round): {bandwidth[1] / 2**30:.1f} GiB/s on one thread, "
        f"{bandwidth[2] / 2**30:.1f} GiB/s on two. The pass moves at least {bytes_ / 2**20:.0f} MiB "
        f"({bytes_ / n_edges:.0f} bytes per edge; benchmarks/workloads/parallel.py says how it is counted): "
        f"bound {format_seconds(bound[1])} on one core, {format_seconds(bound[2])} on two. Best rounds: "
        f"{format_seconds(best[1])} on one thread ({best[1] / bound[1]:.1f}× its bound), "
        f"{format_seconds(best[2])} on two ({best[2] / bound[2]:.1f}× the two-core bound)"
    )
    done = n_edges == 10**6
    suffix = "" if done else " (at 10^5 edges: --quick)"
    report.targets.append(Target("10^6 edges: ≥ 1.6× faster on two threads than on one", f"{speedup:.2f}×" + suffix,
                                 speedup >= 1.6 if done else None))  # fmt: skip
    ratio = best[2] / bound[2]
    report.targets.append(Target("10^6 edges on two threads within 2× the two-core bandwidth bound",
                                 f"{ratio:.1f}×" + suffix, ratio <= 2 if done else None))  # fmt: skip
    return report
