"""Random non-layered DAGs: one forward and backward pass, against every peer."""

from __future__ import annotations

import time

import numpy as np

import autograd_graph as ag

from ..generators import random_dag, random_dag_arrays
from ..harness import Contender, Target, measure, paired_ratio
from ..peers.layout import dag_layout
from .common import ENGINE, ENGINE32, NUMPY, Config, Report, check_close, engine_pass, optional

__all__ = ["dag_20k", "scaling"]

TORCH_CAT_MAX_EDGES = 200_000  # the torch.cat variant grows as generations × rows: minutes at 10^6


def dag_contenders(net: ag.Network, batch: int, config: Config, *, seed: int = 0) -> list[Contender]:
    """Every contender for one forward+backward on ``net``, each checked against the engine first."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, len(net.inputs)))
    Y = rng.uniform(-1, 1, (batch, len(net.outputs)))
    want = net.backward(net.forward(X), Y)
    w = net.weights
    contenders = [
        Contender(ENGINE, engine_pass(net, X, Y)),
        Contender(ENGINE32, engine_pass(net, X, Y, np.float32)),
    ]
    g32 = contenders[1].run()
    check_close(ENGINE32, g32.weights.flat, want.weights.flat, 1e-3)

    def new_weights():
        net.set_weights(w)  # as a training step would: the prepared weights are rebuilt
        return net.backward(net.forward(X), Y)

    contenders.append(Contender(f"{ENGINE}, new weights each pass", new_weights))
    layout = dag_layout(net)
    if (peer := optional("numpy", config, "numpy_peer")) is not None:
        numpy_dag = peer.GenerationDAG(layout, w)
        loss, grads = numpy_dag.loss_and_gradients(X, Y)
        check_close(NUMPY, numpy_dag.flat_gradient(grads), want.weights.flat, 1e-9)
        contenders.append(Contender(NUMPY, lambda: numpy_dag.loss_and_gradients(X, Y)))
    if (tp := optional("torch", config, "torch_peer")) is not None:
        torch = tp.torch
        variants = [("pairs", tp.TorchDAGPairs)]
        if net.n_weights <= TORCH_CAT_MAX_EDGES:
            variants.insert(0, ("cat", tp.TorchDAG))
        for label, make in variants:
            for dtype, bits, tol in [(torch.float64, 64, 1e-9), (torch.float32, 32, 1e-3)]:
                peer = make(layout, w, dtype)
                Xt, Yt = tp.as_tensor(X, dtype), tp.as_tensor(Y, dtype)
                peer.loss_and_gradients(Xt, Yt)
                name = f"torch f{bits} ({label})"
                check_close(name, peer.flat_gradient(), want.weights.flat, tol)
                contenders.append(Contender(name, lambda p=peer, a=Xt, b=Yt: p.loss_and_gradients(a, b)))
    if (jp := optional("jax", config, "jax_peer")) is not None:
        jax_dag = jp.JaxDAG(layout, w)
        Xj, Yj = jp.jnp.asarray(X), jp.jnp.asarray(Y)
        _, grads = jax_dag.loss_and_gradients(jax_dag.params, Xj, Yj)  # compiles
        check_close("jax f64", jax_dag.flat_gradient(grads), want.weights.flat, 1e-9)

        def run_jax():
            return jp.jax.block_until_ready(jax_dag.loss_and_gradients(jax_dag.params, Xj, Yj))

        contenders.append(Contender("jax f64 (jit)", run_jax))
    return contenders


def _best_torch64(results) -> str | None:
    names = [n for n in results if n.startswith("torch f64")]
    return min(names, key=lambda n: results[n].median) if names else None


def _dag_targets(results, label: str, numpy_target: bool = True) -> list[Target]:
    """≤ 1.25 × numpy (the 20k DAG and 10^6 edges), ≥ 1.5× faster than PyTorch f64, faster than JAX (all)."""
    targets = []
    if NUMPY in results and numpy_target:
        r = paired_ratio(results, ENGINE, NUMPY)
        targets.append(Target(f"{label}: time ÷ numpy ≤ 1.25", f"{r:.2f}", r <= 1.25))
    if (torch64 := _best_torch64(results)) is not None:
        r = paired_ratio(results, torch64, ENGINE)
        targets.append(Target(f"{label}: ≥ 1.5× faster than PyTorch f64 (best variant)", f"{r:.2f}×", r >= 1.5))
    if "jax f64 (jit)" in results:
        r = paired_ratio(results, "jax f64 (jit)", ENGINE)
        targets.append(Target(f"{label}: faster than jitted JAX", f"{r:.2f}×", r > 1))
    return targets


def dag_20k(config: Config) -> Report:
    """2,000 neurons, 20,000 edges (16 inputs, 4 outputs, bias, tanh), batch 256."""
    net = ag.Network.from_networkx(random_dag(20_000, n_neurons=2_000, seed=config.seed))
    contenders = dag_contenders(net, 256, config, seed=config.seed)
    results = measure(contenders, config.rounds)
    report = Report(
        "Random DAG, 20,000 edges, batch 256",
        f"2,000 neurons (16 inputs, 4 outputs, one bias), tanh, {len(net.generations()) - 1} generations; "
        "one forward and backward pass (squared error)",
        [("", results)],
        [ENGINE, NUMPY],
    )
    report.targets = _dag_targets(results, "DAG 20k")
    return report


def _engine_only(net: ag.Network, batch: int, seed: int) -> list[Contender]:
    """The engine in float64 and float32 (at 10^7 edges the peers' layouts would take the whole memory)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, len(net.inputs)))
    Y = rng.uniform(-1, 1, (batch, len(net.outputs)))
    return [Contender(ENGINE, engine_pass(net, X, Y)), Contender(ENGINE32, engine_pass(net, X, Y, np.float32))]


def scaling(config: Config) -> Report:
    """The same generator from 10^3 to 10^7 edges, batch 64: time per edge and ratios."""
    sizes = [10**3, 10**4, 10**5] + ([] if config.quick else [10**6, 10**7])
    report = Report(
        "Random DAG, 10^3 to 10^7 edges, batch 64",
        "the same generator with about 10 edges per neuron; one forward and backward pass, both threads; at 10^7 "
        "edges the network is built from arrays (Network.from_arrays) and only the engine runs (every peer's "
        "layout of it would not fit in memory beside it)",
        baselines=[ENGINE, NUMPY],
    )
    per_edge = {}
    f32_ratio = {}
    rows = []
    for n_edges in sizes:
        start = time.perf_counter()
        if n_edges >= 10**7:
            a = random_dag_arrays(n_edges, seed=config.seed)
            net = ag.Network.from_arrays(a.src, a.dst, a.weights, kinds=a.kinds, activations=a.activations)
            del a
            contenders = _engine_only(net, 64, config.seed)
        else:
            net = ag.Network.from_networkx(random_dag(n_edges, seed=config.seed))
            contenders = dag_contenders(net, 64, config, seed=config.seed)
        setup = time.perf_counter() - start
        results = measure(contenders, max(3, config.rounds - 2) if n_edges >= 10**6 else config.rounds)
        per_edge[n_edges] = results[ENGINE].times.min() / n_edges  # best round: load only ever adds time
        f32_ratio[n_edges] = paired_ratio(results, ENGINE, ENGINE32)
        rows.append((n_edges, net.n_neurons, len(net.generations()) - 1, results, setup))
        if n_edges < 10**7:
            report.targets += _dag_targets(results, f"DAG 10^{len(str(n_edges)) - 1}", numpy_target=n_edges == 10**6)
        del net, contenders
    report.summary.append(["edges", "neurons", "generations", "ns per edge, f64 (best round)", "f64 ÷ f32"])
    for n_edges, n_neurons, depth, _, _ in rows:
        ns = per_edge[n_edges] * 1e9
        row = [f"{n_edges:,d}", f"{n_neurons:,d}", str(depth), f"{ns:.0f}", f"{f32_ratio[n_edges]:.2f}"]
        report.summary.append(row)
    report.tables = [(f"{n:,d} edges", res) for n, _, _, res, _ in rows]
    big = [n for n in per_edge if n >= 10**4]
    if len(big) >= 2:
        spread = max(per_edge[n] for n in big) / min(per_edge[n] for n in big)
        done = max(big) >= 10**7  # --quick stops at 10^5: not the target's range
        report.targets.append(
            Target(
                "time per edge flat from 10^4 to 10^7 (max ÷ min ≤ 1.3)",
                f"{spread:.2f}" + ("" if done else f" (up to 10^{len(str(max(big))) - 1} only: --quick)"),
                spread <= 1.3 if done else None,
            )
        )
    for n in [n for n in (10**6, 10**7) if n in f32_ratio] or [max(f32_ratio)]:
        r = f32_ratio[n]
        report.targets.append(
            Target(
                f"float32 about 2× faster than float64 at {n:,d} edges (≥ 1.8)",
                f"{r:.2f}×" + ("" if n >= 10**6 else " (--quick)"),
                r >= 1.8 if n >= 10**6 else None,
            )
        )
    return report
