"""XOR with a layered 2-2-1 network, and with a non-layered one that adds direct input → output edges.

Both are trained the same way (same data, steps, restarts and seed); the
script counts how many of the restarts solve XOR (all four points classified
right and the loss below 0.05) and prints the best network's outputs. The
direct edges let the output see the inputs themselves as well as the hidden
neurons' features, which makes XOR easier to reach from a random start
(20 restarts are a small sample: the counts say which way, not how surely).

Run: python examples/train_xor.py
"""

import numpy as np

import autograd_graph as ag

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y = np.array([[0], [1], [1], [0]], dtype=float)  # x1 XOR x2
RESTARTS = 20
SETTINGS = dict(
    epochs=500, batch_size=None, optimizer="momentum", learning_rate=0.5, classification=True, seed=0,
)  # fmt: skip


def xor_network(direct_edges: bool) -> ag.Network:
    net = ag.Network(seed=0)
    net.add_input("x1")
    net.add_input("x2")
    net.add_bias("b1")  # one bias neuron per layer, as in the running example
    net.add_neuron("h1", activation="logistic")
    net.add_neuron("h2", activation="logistic")
    net.add_bias("b2")
    net.add_output("y", activation="logistic")
    for source in ("x1", "x2", "b1"):
        net.connect(source, "h1")
        net.connect(source, "h2")
    for source in ("h1", "h2", "b2"):
        net.connect(source, "y")
    if direct_edges:
        net.connect("x1", "y")
        net.connect("x2", "y")
    return net


def main() -> None:
    for direct in (False, True):
        net = xor_network(direct)
        label = "non-layered (with x1→y, x2→y)" if direct else "layered 2-2-1"
        print(f"{label}: {net}")
        if not direct:
            print(f"  layers: {net.layers()}")
        else:
            print(f"  not layered; generations: {net.generations()}")
        result = ag.train(net, X, Y, restarts=RESTARTS, **SETTINGS)
        solved = [run.best_loss < 0.05 and run.history.accuracy[run.best_epoch] == 1.0 for run in result.runs]
        print(f"  restarts that solved XOR: {sum(solved)} of {RESTARTS}; best loss {result.loss:.5f}")
        outputs = net.forward(X).output[:, 0]
        for x, y, z in zip(X, Y[:, 0], outputs, strict=True):
            print(f"    x = {x.astype(int)}  target {int(y)}  network {z:.3f}")


if __name__ == "__main__":
    main()
