"""Compiling a big network from an ``nx.DiGraph``, and the peak memory of a pass over it."""

from __future__ import annotations

import gc
import time
import tracemalloc

import numpy as np

import autograd_graph as ag

from ..generators import random_dag, random_dag_arrays
from ..harness import Target, format_seconds
from .common import Config, Report, optional

__all__ = ["compile_time", "build", "memory"]


def compile_time(config: Config) -> Report:
    """``Network.from_networkx(G)`` then ``net.compile()``, on a random DAG of 10^6 edges (the network keeps
    no ``nx.DiGraph`` of its own: it builds one only when asked)."""
    n_edges = 10**5 if config.quick else 10**6
    G = random_dag(n_edges, seed=config.seed)
    times = []
    for _ in range(3):
        gc.collect()
        start = time.perf_counter()
        net = ag.Network.from_networkx(G)
        built = time.perf_counter()
        net.compile()
        times.append((built - start, time.perf_counter() - built))
        del net
    build, comp = (float(np.median(t)) for t in zip(*times, strict=True))
    report = Report(
        f"Compiling {n_edges:,d} edges from an nx.DiGraph",
        f"{G.number_of_nodes():,d} neurons; median of 3 fresh runs",
    )
    report.lines.append(
        f"Network.from_networkx: {format_seconds(build)}   net.compile(): {format_seconds(comp)}   "
        f"total: {format_seconds(build + comp)}"
    )
    met = build + comp <= 2 if n_edges == 10**6 else None
    report.targets.append(
        Target(
            "from_networkx + compile at 10^6 edges in ≤ 2 s",
            format_seconds(build + comp) + ("" if met is not None else f" (at {n_edges:,d} edges: --quick)"),
            met,
        )
    )
    return report


def _plan_bytes(net: ag.Network) -> int:
    """Bytes of the compiled plan: the description's arrays and the schedule's blocks."""
    engine = net.compile()
    ix, sc = engine.graph, engine.schedule
    arrays = [ix.src, ix.dst, sc.node_rows, sc.bias_targets, sc.bias_indptr, sc.bias_positions]
    for st in sc.stages:
        if st.block is not None:
            arrays += [st.block.rows, st.block.cols, st.block.positions]
            arrays += [] if st.block.indptr is None else [st.block.indptr]
    return sum(a.nbytes for a in arrays)


def build(config: Config) -> Report:
    """A network of 10^7 edges from edge arrays (10^5 with --quick): time and peak memory; and what the
    ``nx.DiGraph`` a network no longer keeps would cost, at 10^6 edges."""
    n_edges = 10**5 if config.quick else 10**7
    a = random_dag_arrays(n_edges, seed=config.seed)
    times, peaks = [], []
    for traced in (False, False, True):  # timed twice, then traced once (tracing slows allocation down)
        gc.collect()
        if traced:
            tracemalloc.start()
        start = time.perf_counter()
        net = ag.Network.from_arrays(a.src, a.dst, a.weights, kinds=a.kinds, activations=a.activations)
        built = time.perf_counter()
        built_peak = tracemalloc.get_traced_memory()[1] if traced else 0
        net.compile()
        if traced:
            peaks = [built_peak, tracemalloc.get_traced_memory()[1]]
            tracemalloc.stop()
        else:
            times.append((built - start, time.perf_counter() - built))
        del net
    (t_build, t_compile), (p_build, p_all) = min(times), peaks
    report = Report(
        f"Building {n_edges:,d} edges from arrays: Network.from_arrays",
        f"{n_edges // 10:,d} neurons (the random_dag generator's edges as arrays); best of 2 fresh runs; peak memory "
        "by tracemalloc (numpy's buffers included), beyond the input arrays",
    )
    report.lines.append(
        f"Network.from_arrays: {format_seconds(t_build)}, peak {p_build / 2**30:.2f} GiB; then net.compile(): "
        f"{format_seconds(t_compile)}, peak of both {p_all / 2**30:.2f} GiB"
    )
    small = ag.Network.from_networkx(random_dag(10**5 if config.quick else 10**6, seed=config.seed))
    plan = _plan_bytes(small)
    gc.collect()
    tracemalloc.start()
    small._graph  # noqa: B018 - the structure graph, as every network kept it before
    graph_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    report.lines.append(
        f"At {small.n_weights:,d} edges, the nx.DiGraph a network builds only when asked (net.graph, a change of "
        f"structure) takes {graph_bytes / small.n_weights:.0f} bytes per edge; the compiled plan "
        f"{plan / small.n_weights:.0f} (description and schedule)"
    )
    done = n_edges == 10**7
    suffix = "" if done else " (at 10^5 edges: --quick)"
    report.targets.append(Target("10^7 edges from arrays in ≤ 10 s", format_seconds(t_build) + suffix,
                                 t_build <= 10 if done else None))  # fmt: skip
    report.targets.append(Target("10^7 edges from arrays: peak memory ≤ 3 GiB", f"{p_build / 2**30:.2f} GiB" + suffix,
                                 p_build <= 3 * 2**30 if done else None))  # fmt: skip
    return report


def _peak(f) -> tuple[int, int]:
    """Peak bytes allocated (numpy buffers included) while running ``f``, and the bytes still held once
    what ``f`` returned is dropped."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    kept = f()
    peak = tracemalloc.get_traced_memory()[1]
    del kept
    gc.collect()
    current = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return peak - base, current - base


def memory(config: Config) -> Report:
    """Peak memory of one forward and backward pass at 10^6 edges, batch 64, against the arrays it returns."""
    n_edges = 10**5 if config.quick else 10**6
    net = ag.Network.from_networkx(random_dag(n_edges, seed=config.seed))
    rng = np.random.default_rng(config.seed)
    X = rng.standard_normal((64, len(net.inputs)))
    Y = rng.uniform(-1, 1, (64, len(net.outputs)))
    net.backward(net.forward(X), Y)  # numba's kernels compiled, the caches warm ...
    net = ag.Network.from_networkx(net.to_networkx())  # ... and a network whose engine has allocated nothing
    net.compile()

    def one_pass():
        net.set_weights(net.weights)  # as in training: the weights changed since the last pass
        trace = net.forward(X)
        grads = net.backward(trace, Y)
        _ = grads.z.array  # the deferred ∂L/∂z of inputs and biases, too
        return trace, grads

    peak, kept = _peak(one_pass)
    trace, grads = one_pass()
    arrays = sum(
        a.nbytes
        for a in [
            trace.a.array,
            trace.z.array,
            trace.output,
            grads.a.array,
            grads.z.array,
            grads.weights.flat,
            grads.losses,
        ]
    )
    report = Report(
        f"Peak memory of a forward and backward pass, {n_edges:,d} edges, batch 64",
        "tracemalloc (numpy's buffers included) around set_weights, forward, backward and reading every gradient",
    )
    report.lines.append(
        f"the arrays returned (a, z, output, ∂L/∂a, ∂L/∂z, ∂L/∂w, losses): {arrays / 2**20:.1f} MiB; "
        f"peak while computing them: {peak / 2**20:.1f} MiB ({peak / arrays:.2f}×); "
        f"held by the network once they are dropped (the pass's blocks of engines/buffers.py, the plan of "
        f"engines/pull.py): {kept / 2**20:.1f} MiB"
    )
    if (peer := optional("numpy", config, "numpy_peer")) is not None:
        from ..peers.layout import dag_layout

        numpy_dag = peer.GenerationDAG(dag_layout(net), net.weights)
        numpy_peak, _ = _peak(lambda: numpy_dag.loss_and_gradients(X, Y))
        report.lines.append(f"the numpy peer's peak for the same pass: {numpy_peak / 2**20:.1f} MiB")
    met = peak <= 2 * arrays if n_edges == 10**6 else None
    report.targets.append(
        Target(
            "peak memory at 10^6 edges, batch 64 ≤ 2× the arrays",
            f"{peak / arrays:.2f}×" + ("" if met is not None else f" (at {n_edges:,d} edges: --quick)"),
            met,
        )
    )
    return report
