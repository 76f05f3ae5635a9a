"""The PyTorch export (``ag.to_torch``): its speed against the engine, and its memory, on CPU and on ``meta``."""

from __future__ import annotations

import gc
import importlib.util
import os
import weakref
from collections.abc import Callable

import numpy as np

import autograd_graph as ag

from ..generators import layered, random_dag
from ..harness import Contender, Target, measure, paired_ratio
from .common import ENGINE, ENGINE32, Config, Report, check_close, engine_pass

__all__ = ["export", "export_memory", "LiveBytes"]

MODULE = "to_torch f64"
MODULE1 = "to_torch f64, 1 thread"
MODULE32 = "to_torch f32"
BATCH = 64


def module_pass(torch, module, X, Y, threads: int | None = None) -> Callable[[], object]:
    """One forward and backward pass of the module, squared error, as a training step computes it."""

    def run():
        previous = torch.get_num_threads()
        if threads:
            torch.set_num_threads(threads)
        try:
            module.weight.grad = None
            loss = ((module(X) - Y) ** 2).sum(dim=1).mean()
            loss.backward()
            return module.weight.grad
        finally:
            torch.set_num_threads(previous)

    return run


def export_contenders(torch, net: ag.Network, batch: int, seed: int) -> list[Contender]:
    """The engine (f64, f32) and the exported module (f64 with PyTorch's threads and with one, f32),
    each checked against the engine's ∂L/∂w first."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, len(net.inputs)))
    Y = rng.uniform(-1, 1, (batch, len(net.outputs)))
    want = net.backward(net.forward(X), Y).weights.flat
    contenders = [Contender(ENGINE, engine_pass(net, X, Y)), Contender(ENGINE32, engine_pass(net, X, Y, np.float32))]
    for name, dtype, threads, tol in [
        (MODULE, torch.float64, None, 1e-9),
        (MODULE1, torch.float64, 1, 1e-9),
        (MODULE32, torch.float32, None, 1e-3),
    ]:
        module = ag.to_torch(net, dtype=dtype)
        run = module_pass(torch, module, torch.tensor(X, dtype=dtype), torch.tensor(Y, dtype=dtype), threads)
        check_close(name, run().double().numpy(), want, tol)
        contenders.append(Contender(name, run))
    return contenders


def export(config: Config) -> Report:
    """``to_torch`` on random DAGs of 10^4 to 10^6 edges and on 784→512→512→10, against the engine."""
    report = Report(
        "PyTorch export: to_torch against the engine, random DAGs and a layered net",
        "one forward and backward pass (squared error), the module trained as PyTorch trains it "
        "(module(X), loss.backward()); random DAGs of the `scaling` generator at batch 64 (their stages "
        "are sparse: CSR kernels), and 784→512→512→10 relu at batch 256 (strided-view dense blocks)",
        baselines=[ENGINE],
    )
    if importlib.util.find_spec("torch") is None:
        report.lines.append("PyTorch is not installed: nothing measured")
        return report
    import torch

    sizes = [10**4, 10**5] + ([] if config.quick else [10**6])
    load = [os.getloadavg()[0]]
    summary = [["edges", "generations", "to_torch f64 ÷ engine f64", "1 thread", "f32 ÷ engine f32"]]
    for n_edges in sizes:
        net = ag.Network.from_networkx(random_dag(n_edges, seed=config.seed))
        results = measure(export_contenders(torch, net, BATCH, config.seed), config.rounds)
        report.tables.append((f"random DAG, {n_edges:,d} edges", results))
        ratio, one = paired_ratio(results, MODULE, ENGINE), paired_ratio(results, MODULE1, ENGINE)
        summary.append([f"{n_edges:,d}", str(len(net.generations()) - 1), f"{ratio:.2f}", f"{one:.2f}",
                        f"{paired_ratio(results, MODULE32, ENGINE32):.2f}"])  # fmt: skip
        size = f"10^{len(str(n_edges)) - 1}"
        report.targets.append(Target(f"to_torch, DAG {size}: time ÷ engine ≤ 2 (PyTorch's default threads)",
                                     f"{ratio:.2f}", ratio <= 2))  # fmt: skip
        report.targets.append(Target(f"to_torch, DAG {size}: time ÷ engine ≤ 2 (torch.set_num_threads(1))",
                                     f"{one:.2f}", one <= 2))  # fmt: skip
        del net, results
        gc.collect()
    if config.quick:
        report.targets.append(Target("to_torch, DAG 10^6: time ÷ engine ≤ 2", "not run (--quick)", None))
    report.summary = summary
    load.append(os.getloadavg()[0])
    report.lines.append(f"load average (1 minute) of the machine before and after: {load[0]:.1f}, {load[1]:.1f} "
                        f"(2 cores: above 2, PyTorch's two OpenMP threads wait for each other)")  # fmt: skip
    mlp = ag.Network.from_networkx(layered([784, 512, 512, 10], activation="relu", seed=config.seed))
    report.tables.append(("784→512→512→10 relu, batch 256", measure(export_contenders(torch, mlp, 256, 0),
                                                                       config.rounds)))  # fmt: skip
    return report


class LiveBytes:
    """Peak and live bytes of the tensors PyTorch allocates while active (a ``TorchDispatchMode``).

    Every strided tensor an operation returns is counted once per storage,
    until its storage is freed (a weak reference to it); views add nothing. It
    sees what operations return, on any device (``meta`` included), not the
    scratch memory inside a kernel.
    """

    def __init__(self) -> None:
        from torch.utils._python_dispatch import TorchDispatchMode

        outer = self

        class Mode(TorchDispatchMode):
            def __torch_dispatch__(self, func, types, args=(), kwargs=None):
                out = func(*args, **(kwargs or {}))
                for t in out if isinstance(out, (tuple, list)) else [out]:
                    outer._count(t)
                return out

        self.mode = Mode()
        self.live = self.peak = 0
        self._seen: set[int] = set()

    def _count(self, t) -> None:
        import torch

        if not isinstance(t, torch.Tensor) or t.layout != torch.strided:
            return
        storage = t.untyped_storage()
        key = id(storage)
        if key in self._seen:
            return
        n = storage.nbytes()
        weakref.finalize(storage, self._free, key, n)
        self._seen.add(key)
        self.live += n
        self.peak = max(self.peak, self.live)

    def _free(self, key: int, n: int) -> None:
        self._seen.discard(key)
        self.live -= n

    def __enter__(self) -> LiveBytes:
        self.mode.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.mode.__exit__(*exc)


def _pass_memory(torch, module, device: str, n_inputs: int, n_outputs: int) -> tuple[int, tuple, tuple]:
    """Peak bytes allocated by one forward and backward pass at batch 64; the output's and gradient's shapes."""
    X = torch.zeros(BATCH, n_inputs, dtype=torch.float64, device=device)
    Y = torch.zeros(BATCH, n_outputs, dtype=torch.float64, device=device)
    module(X)  # the index tensors on this device, built once, are not the pass's
    module.weight.grad = None
    gc.collect()
    with LiveBytes() as counter:
        out = module(X)
        ((out - Y) ** 2).sum(dim=1).mean().backward()
        shapes = tuple(out.shape), tuple(module.weight.grad.shape)
        del out
    return counter.peak, *shapes


def export_memory(config: Config) -> Report:
    """Peak memory of a pass of the exported module, on CPU and on ``meta``, from 10^4 to 10^6 edges."""
    report = Report(
        "PyTorch export: memory of a forward and backward pass, batch 64",
        "bytes of the tensors the pass allocates (counted at PyTorch's dispatcher, freed ones subtracted; "
        "the weight gradient included), on CPU and on the meta device, where nothing is computed; "
        "and the module's own bytes (weights and index arrays, which move with it to a device)",
    )
    if importlib.util.find_spec("torch") is None:
        report.lines.append("PyTorch is not installed: nothing measured")
        return report
    import torch

    sizes = [10**4, 10**5] + ([] if config.quick else [10**6])
    rows = [["edges", "neurons", "module (weights + indices)", "pass peak, CPU", "pass peak, meta",
             "bytes per edge (meta)", "output, ∂L/∂w on meta"]]  # fmt: skip
    per_edge = {}
    for n_edges in sizes:
        net = ag.Network.from_networkx(random_dag(n_edges, seed=config.seed))
        module = ag.to_torch(net)
        own = module.weight.nbytes + module.plan.nbytes()
        cpu, *_ = _pass_memory(torch, module, "cpu", len(net.inputs), len(net.outputs))
        meta, out_shape, grad_shape = _pass_memory(torch, module.to("meta"), "meta", len(net.inputs),
                                                   len(net.outputs))  # fmt: skip
        per_edge[n_edges] = meta / n_edges
        rows.append([f"{n_edges:,d}", f"{net.n_neurons:,d}", f"{own / 2**20:.1f} MiB", f"{cpu / 2**20:.1f} MiB",
                     f"{meta / 2**20:.1f} MiB", f"{meta / n_edges:.0f}", f"{out_shape}, {grad_shape}"])  # fmt: skip
        del net, module
        gc.collect()
    report.summary = rows
    spread = max(per_edge.values()) / min(per_edge.values())
    done = max(per_edge) >= 10**6
    report.targets.append(
        Target(
            "to_torch: memory linear in edges (pass bytes per edge, max ÷ min from 10^4 to 10^6 ≤ 1.5)",
            f"{spread:.2f}" + ("" if done else " (up to 10^5 only: --quick)"),
            spread <= 1.5 if done else None,
        )
    )
    return report
