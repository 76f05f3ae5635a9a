"""The matrix view: f = σ_ℓ ∘ A_ℓ ∘ ⋯ ∘ σ_2 ∘ A_2, and the identity collapse A_ℓ ⋯ A_2.

Run: python examples/matrix_view.py
"""

import numpy as np

import autograd_graph as ag


def main() -> None:
    net = ag.running_example(weights=np.arange(1.0, 13.0) / 10)
    view = ag.to_matrices(net)
    for k, A in enumerate(view.matrices, start=2):
        print(f"A_{k} (rows: layer {k} {view.layers[k - 1]}, columns: {view.layers[k - 2]} + bias)")
        print(A)
    X = np.array([[0.5], [-1.0]])
    print("matrix view:", view.forward(X).ravel(), " forward:", net.forward(X).output.ravel())

    linear = ag.layered([3, 4, 4, 2], activation="identity", seed=0)
    M = ag.identity_collapse(linear)
    X = np.random.default_rng(0).normal(size=(3, 3))
    print("identity network collapses to one matrix of shape", M.shape)
    print("  M @ [x; 1]:", (np.column_stack([X, np.ones(3)]) @ M.T).round(6).tolist())
    print("  forward:   ", linear.forward(X).output.round(6).tolist())
    try:
        ag.identity_collapse(net)
    except ag.NonLinearNetworkError as error:
        print("the running example does not collapse:", error)


if __name__ == "__main__":
    main()
