"""Which torch kernel a stage of the PyTorch export should run: the measurement behind its choice.

Run ``python -m benchmarks.torch_kernels``. For blocks of several shapes,
densities and batch sizes it times one training step of a stage (forward,
then ∂L/∂z of the sources and ∂L/∂w) with three torch kernels on the same
random edges, in interleaved rounds (each keeps its best round):

- ``csr``: what :class:`~autograd_graph.io.torch_module.GraphModule` runs on
  a sparse block: ``addmm_`` with a ``torch.sparse_csr_tensor`` forward, the
  transposed CSR over the source rows the block reads plus ``index_add_``
  backward, and ``torch.sparse.sampled_addmm`` for ∂L/∂w;
- ``gather``: gathers and ``index_add``, PyTorch Geometric style: gather the
  source rows, weight them, ``index_add_`` them into the targets (backward:
  the same the other way, and ∂L/∂w as a sum of gathered products);
- ``dense``: the weights scattered into a ``(targets, span)`` matrix, dense
  products (what the export runs on a ``scatter`` block).

It prints each time, and per shape and batch the density from which the dense
kernel beats CSR, to compare with the schedule's ``DENSE_MIN_DENSITY``, which
the export reuses.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from autograd_graph.engines.schedule import DENSE_MIN_DENSITY

DENSITIES = [0.01, 0.03, 0.1, 0.15, 0.3, 0.5, 1.0]
CASES = [(64, 256), (256, 1024), (1024, 1024), (64, 16384)]  # (targets, span)
BATCHES = [16, 64, 256]


def kernels(torch, shape: tuple[int, int], density: float, batch: int, seed: int = 0) -> dict[str, Callable]:
    """One training step of a stage with each kernel, on the same edges."""
    rng = np.random.default_rng(seed)
    n, span = shape
    n_edges = max(1, round(density * n * span))
    flat = np.sort(rng.choice(n * span, size=n_edges, replace=False))  # by target, then source
    rows, cols = torch.as_tensor(flat // span), torch.as_tensor(flat % span)
    w = torch.as_tensor(rng.standard_normal(n_edges))
    z = torch.as_tensor(rng.standard_normal((span, batch)))
    da = torch.as_tensor(rng.standard_normal((n, batch)))
    a, dz = torch.empty(n, batch, dtype=w.dtype), torch.zeros(span, batch, dtype=w.dtype)
    crow = torch.zeros(n + 1, dtype=torch.int32)
    crow[1:] = torch.bincount(rows, minlength=n).cumsum(0)
    by_source = torch.argsort(cols * n + rows)
    used, inverse = torch.unique(cols, return_inverse=True)
    crow_t = torch.zeros(used.numel() + 1, dtype=torch.int32)
    crow_t[1:] = torch.bincount(inverse, minlength=used.numel()).cumsum(0)
    col, col_t, used32 = cols.int(), rows[by_source].int(), used.int()
    pattern = torch.sparse_csr_tensor(crow, col, torch.zeros_like(w), shape, check_invariants=False)
    scratch = torch.empty(used.numel(), batch, dtype=w.dtype)
    flat_t = torch.as_tensor(flat)

    def csr():
        a.addmm_(torch.sparse_csr_tensor(crow, col, w, shape, check_invariants=False), z, beta=0.0)
        M = torch.sparse_csr_tensor(crow_t, col_t, w[by_source], (used.numel(), n), check_invariants=False)
        scratch.addmm_(M, da, beta=0.0)
        dz.index_add_(0, used32, scratch)
        return torch.sparse.sampled_addmm(pattern, da, z.T, beta=0.0).values()

    def gather():
        a.zero_().index_add_(0, rows, z.index_select(0, cols) * w[:, None])
        g = da.index_select(0, rows)
        dz.index_add_(0, cols, g * w[:, None])
        return (g * z.index_select(0, cols)).sum(1)

    def dense():
        W = w.new_zeros(n * span).index_copy_(0, flat_t, w).view(n, span)
        torch.mm(W, z, out=a)
        dz.addmm_(W.T, da)
        return (da @ z.T).view(-1)[flat_t]

    return {"csr": csr, "gather": gather, "dense": dense}


def best_times(runs: dict[str, Callable], rounds: int) -> dict[str, float]:
    for run in runs.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            start = time.perf_counter()
            runs[name]()
            times[name].append(time.perf_counter() - start)
    return {name: min(t) for name, t in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.torch_kernels", description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (default: PyTorch's)")
    args = parser.parse_args(argv)
    import warnings

    import torch

    warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; one training step of a stage, best round")
    print(f"{'targets×span':>13} {'batch':>5} {'density':>7} {'edges':>8} {'csr':>9} {'gather':>9} {'dense':>9}")
    crossovers = []
    csr_wins = total = 0
    for shape in CASES:
        for batch in BATCHES:
            crossover = None
            for density in DENSITIES:
                t = best_times(kernels(torch, shape, density, batch), args.rounds)
                csr_wins += t["csr"] <= t["gather"]
                total += 1
                if crossover is None and t["dense"] < t["csr"]:
                    crossover = density
                edges = max(1, round(density * shape[0] * shape[1]))
                print(f"{shape[0]:>6}×{shape[1]:<6} {batch:>5} {density:>7.2f} {edges:>8,d} "
                      + " ".join(f"{t[k] * 1e6:>7.0f}µs" for k in ("csr", "gather", "dense")))  # fmt: skip
            crossovers.append(crossover)
            print(f"  dense beats csr from density {crossover}")
    found = [c for c in crossovers if c is not None]
    median = float(np.median(found)) if found else None
    print(f"\ncsr beats gather in {csr_wins} of {total} cases; dense beats csr from a median density of {median} "
          f"(the schedule's DENSE_MIN_DENSITY: {DENSE_MIN_DENSITY})")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
