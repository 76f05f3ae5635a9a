"""Where a dense block product beats the sparse kernel: the measurement behind DENSE_MIN_DENSITY.

Run ``python -m benchmarks.dense_vs_sparse``. For blocks of several shapes
and batch sizes, it times the compiled engine's two kernels for a stage, the
dense one (a ``scatter`` block: weights scattered into a matrix, BLAS products) and
the sparse one (a ``sparse`` block: edges sorted by source), on the same random
edges, over one training step: preparing the weights, forward, and backward
(∂L/∂z of the sources and ∂L/∂w). Both kernels run in the same rounds,
interleaved, and each keeps its best round (a shared machine only ever adds
time). It prints the density from which the dense kernel wins (at that
density and at most of the higher ones), per case, and the threshold it
suggests: the median of those crossovers.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from autograd_graph.engines import kernels, schedule

DENSITIES = [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0]
CASES = [(64, 64), (256, 256), (1024, 1024), (128, 1024), (1024, 128)]  # (targets, sources)
BATCHES = [16, 64, 256]


def step_time(kernel, n_edges: int, shape: tuple[int, int], batch: int, rng: np.random.Generator) -> callable:
    """One training step of a stage: prepare the weights, forward, backward."""
    n_targets, span = shape
    w = rng.standard_normal(n_edges)
    z = rng.standard_normal((span, batch))
    a = np.empty((n_targets, batch))
    da = rng.standard_normal((n_targets, batch))
    dz = np.zeros((span, batch))
    dw = np.empty(n_edges)

    def run() -> None:
        W = kernel.prepare(w)
        kernel.forward(W, z, a, None)
        kernel.backward(W, z, dz, da, dw, 0, False)

    return run


def crossover(shape: tuple[int, int], batch: int, rounds: int, seed: int = 0) -> tuple[float | None, list]:
    """The lowest density at which the dense kernel is faster, and stays faster at most higher densities."""
    rng = np.random.default_rng(seed)
    n_targets, span = shape
    rows_out = []
    for density in DENSITIES:
        n = max(1, round(density * n_targets * span))
        flat = rng.choice(n_targets * span, size=n, replace=False)
        rows, cols = flat // span, flat % span
        positions = rng.permutation(n)  # weights anywhere in the flat vector
        runs = {
            "dense": step_time(
                kernels.kernel_for(schedule.Block("scatter", shape, rows, cols, positions)), n, shape, batch, rng
            ),  # fmt: skip
            "sparse": step_time(
                kernels.kernel_for(schedule.sparse_block(rows, cols, positions, shape)), n, shape, batch, rng
            ),  # fmt: skip
        }
        times = {k: [] for k in runs}
        for r in range(rounds):
            for name in sorted(runs, reverse=r % 2 == 1):
                start = time.perf_counter()
                runs[name]()
                times[name].append(time.perf_counter() - start)
        rows_out.append((density, min(times["dense"]), min(times["sparse"])))
    wins = [dense < sparse for _, dense, sparse in rows_out]
    for i, (d, _, _) in enumerate(rows_out):
        if wins[i] and sum(wins[i:]) > len(wins[i:]) / 2:
            return d, rows_out
    return None, rows_out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dense_vs_sparse", description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    print(f"current DENSE_MIN_DENSITY = {schedule.DENSE_MIN_DENSITY}")
    print("targets × sources  batch  crossover  (density: dense ms / sparse ms)")
    found = []
    for shape in CASES:
        for batch in BATCHES:
            cross, rows = crossover(shape, batch, args.rounds)
            found.append(cross if cross is not None else 1.0)
            detail = "  ".join(f"{d:g}: {dn * 1e3:.2f}/{sp * 1e3:.2f}" for d, dn, sp in rows)
            print(f"{shape[0]:>5} × {shape[1]:<6}     {batch:<5}  {cross if cross is not None else '> 1':<9}  {detail}")
    print(f"suggested DENSE_MIN_DENSITY (median crossover): {float(np.median(found)):g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
