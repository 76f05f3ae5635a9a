"""Building topologies in code: layered, sparse, skip connections, DenseNet-style, edge lists.

Run: python examples/builders.py
"""

import numpy as np

import autograd_graph as ag


def main() -> None:
    digits = ag.layered([784, 16, 10], activation="logistic", seed=0)
    print("784 → 16 → 10:", digits, f"({digits.n_weights:,} parameters)")
    kernels = [stage.block.kind for stage in digits.compile().schedule.stages]
    print("  each layer's weights are a strided view of the flat vector:", kernels)

    small = ag.layered([1, 2, 2, 1], seed=0)
    print("layered([1, 2, 2, 1]) numbers neurons like the running example:", small.layers())

    sparse = ag.layered([20, 20, 5], density=0.25, seed=0)
    print("25% dense:", sparse, "still layered:", sparse.is_layered())

    base = ag.layered([3, 4, 4, 2], activation="tanh", seed=0)
    skip = ag.add_skip_connections(base, span=2, weight=0.0)
    X = np.random.default_rng(0).normal(size=(4, 3))
    same = np.array_equal(skip.forward(X).output, base.forward(X).output)
    print(f"skip edges with weight 0: {skip.n_weights - base.n_weights} new, same function: {same}")

    dense = ag.densenet([3, 4, 4, 2], seed=0)
    print("DenseNet-style:", dense, "depth", dense.depth())

    triangle = ag.from_edge_list([("A", "B", 0.5), ("A", "C", -1.0), ("B", "C", 2.0)])
    print("A→B, A→C, B→C:", triangle, "layered:", triangle.is_layered())


if __name__ == "__main__":
    main()
