"""The sources' running example: a forward and a backward pass, by hand and by the engine.

Run: python examples/running_example.py
"""

import numpy as np

import autograd_graph as ag


def main() -> None:
    net = ag.running_example(seed=0)
    print(net)
    print("layers:", net.layers())
    print("generations (the scheduler's stages):", net.generations())

    X = np.array([[0.5]])  # one example, neuron 1's input
    Y = np.array([[1.0]])  # the target of output neuron 9
    trace = net.forward(X)
    for k in net.neurons:
        print(f"neuron {k}: a = {trace.a[k][0]: .6f}   z = {trace.z[k][0]: .6f}")

    grads = net.backward(trace, Y)
    print(f"loss ℓ = (y − z_9)² = {grads.loss:.6f}")
    print(f"∂ℓ/∂z_9 = 2 (z_9 − y) = {grads.z[9][0]: .6f}")
    # the multivariate chain rule at neuron 4: it feeds 6 and 7
    by_hand = grads.a[6][0] * net.get_weight(4, 6) + grads.a[7][0] * net.get_weight(4, 7)
    print(f"∂ℓ/∂z_4 = ∂ℓ/∂a_6·w_4,6 + ∂ℓ/∂a_7·w_4,7 = {by_hand: .6f} (engine: {grads.z[4][0]: .6f})")
    for (i, j), g in grads.weights.items():
        print(f"∂ℓ/∂w_{i},{j} = {g: .6f}")

    report = ag.check_gradients(net, X, Y)
    print(f"finite differences agree: largest difference {report.max_error:.2e}")


if __name__ == "__main__":
    main()
