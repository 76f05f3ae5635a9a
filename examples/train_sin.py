"""The running example learns y = sin(3x) on [−1, 1], as the sources teach it.

First one run of stochastic gradient descent (one example per update) with a
step size that decreases like 1/t; then the same with random restarts, which
keeps the best of several runs from different initial weights: the loss is
not convex, and some starts end in better minima than others.

Run: python examples/train_sin.py
"""

import numpy as np

import autograd_graph as ag

SIN = ag.load_task("sin", seed=0)  # 160 random points of [−1, 1], 40 of them held out
X, Y = SIN.X, SIN.Y  # (120, 1): the inputs of neuron 1 and the targets sin(3x) of output neuron 9
SETTINGS = dict(
    epochs=100,
    batch_size=1,  # stochastic gradient descent: one training point at a time
    learning_rate=ag.InverseTimeDecay(0.5, decay=0.001),  # η_t = 0.5 / (1 + 0.001 t)
    seed=0,
)


def show_fit(net: ag.Network) -> None:
    for x in (-1.0, -0.5, 0.0, 0.5, 1.0):
        z = net.forward([[x]]).output[0, 0]
        print(f"    x = {x:+.1f}   sin(3x) = {np.sin(3 * x):+.3f}   network = {z:+.3f}")


def main() -> None:
    net = ag.running_example(seed=0)
    print(net)
    eta = SETTINGS["learning_rate"]
    print(f"step sizes η_t: t=0 {eta(0):.3f}, t=1000 {eta(1000):.3f}, t=12000 {eta(12000):.3f} "
          f"({len(X)} updates per epoch)")  # fmt: skip

    print("\n1. One run of stochastic gradient descent")
    result = ag.train(net, X, Y, **SETTINGS)
    for epoch in (0, 1, 10, 50, 100):
        print(f"  epoch {epoch:3d}: loss {result.history.loss[epoch]:.4f}")
    print(f"  best loss {result.loss:.4f} at epoch {result.best.best_epoch} ({result.best.steps} updates)")
    print(f"  held-out loss {ag.evaluate(net, SIN.X_test, SIN.Y_test).loss:.4f} on {len(SIN.X_test)} points")
    show_fit(net)

    print("\n2. The same with 8 random restarts")
    net = ag.running_example(seed=0)
    result = ag.train(net, X, Y, restarts=8, **SETTINGS)
    print(result)
    losses = sorted(run.best_loss for run in result.runs)
    print(f"  best loss {losses[0]:.4f}, median {np.median(losses):.4f}, worst {losses[-1]:.4f}")
    show_fit(net)
    print(f"  to rerun the best start alone: net.initialize({result.best.init_seed}) then ag.train(net, X, Y, ...)")


if __name__ == "__main__":
    main()
