"""XOR with a layered 2-2-1 network, and with a non-layered one that adds direct input → output edges.

Both are trained the same way (same data, steps, restarts and seed); the
script counts how many of the restarts solve XOR (all four points classified
right and the loss below 0.05) and prints the best network's outputs. The
direct edges let the output see the inputs themselves as well as the hidden
neurons' features, which makes XOR easier to reach from a random start
(20 restarts are a small sample: the counts say which way, not how surely).

Run: python examples/train_xor.py
"""

import autograd_graph as ag

XOR = ag.load_task("xor")
X, Y = XOR.X, XOR.Y  # the four points (x1, x2) and x1 XOR x2
RESTARTS = 20
SETTINGS = dict(
    epochs=500, batch_size=None, optimizer="momentum", learning_rate=0.5, classification=True, seed=0,
)  # fmt: skip


def xor_network(direct_edges: bool) -> ag.Network:
    # inputs 1, 2 and bias 3; hidden 4, 5 and bias 6; output 7 (numbered as the running example)
    net = ag.layered([2, 2, 1], activation="logistic", output_activation="logistic", seed=0)
    if direct_edges:
        net.connect(1, 7)
        net.connect(2, 7)
    return net


def main() -> None:
    for direct in (False, True):
        net = xor_network(direct)
        label = "non-layered (with 1→7, 2→7)" if direct else "layered 2-2-1"
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
