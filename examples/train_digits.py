"""Handwritten digits with a 64 → 16 → 10 network: ≥ 95% on held-out images in about a second.

scikit-learn's digits (1,797 images of 8×8 pixels) stand in for MNIST offline.
The network is built neuron by neuron (a full layer's weights form a strided
view of the flat weight vector, so the compiled engine runs each layer as one
matrix product), trained with Adam on mini-batches and softmax cross-entropy,
with a validation split and early stopping, then scored on a held-out 25% of
the images it never saw. The trained network is saved as JSON.

Run: python examples/train_digits.py   (needs scikit-learn: pip install -e ".[dev]")
"""

import tempfile
import time
from pathlib import Path

import numpy as np

import autograd_graph as ag

try:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
except ImportError as error:  # scikit-learn is a development dependency only
    raise SystemExit(f"this example needs scikit-learn ({error}); pip install scikit-learn") from None


def layered_network(sizes, *, hidden="tanh", output="identity", seed=0):
    """A fully connected layered network: neurons ("x", i), ("h", layer, i), ("y", layer, i), one bias per layer."""
    net = ag.Network(seed=seed)
    previous = [("x", i) for i in range(sizes[0])]
    for neuron in previous:
        net.add_input(neuron)
    for layer, size in enumerate(sizes[1:], start=2):
        bias = ("b", layer)
        net.add_bias(bias)
        last = layer == len(sizes)
        current = [("y" if last else "h", layer, i) for i in range(size)]
        for neuron in current:
            if last:
                net.add_output(neuron, activation=output)
            else:
                net.add_neuron(neuron, activation=hidden)
        for neuron in current:
            for source in [*previous, bias]:
                net.connect(source, neuron)
        previous = current
    return net


def main() -> None:
    digits = load_digits()
    X = digits.data / 16.0  # pixels in [0, 1]
    Y = np.eye(10)[digits.target]  # one-hot targets
    X_train, X_test, Y_train, Y_test = train_test_split(
        X, Y, test_size=0.25, random_state=0, stratify=digits.target
    )
    net = layered_network([64, 16, 10], seed=0)
    print(net, f"({net.n_weights} parameters)")
    print(f"{len(X_train)} training images, {len(X_test)} held out")

    start = time.perf_counter()
    result = ag.train(
        net, X_train, Y_train,
        loss="softmax_cross_entropy", optimizer="adam", learning_rate=0.01,
        batch_size=32, epochs=40, validation_split=0.15, patience=8, seed=0,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    h = result.history
    for epoch in range(0, len(h), 5):
        print(f"epoch {epoch:3d}  loss {h.loss[epoch]:.4f}  accuracy {h.accuracy[epoch]:.3f}  "
              f"validation loss {h.val_loss[epoch]:.4f}  validation accuracy {h.val_accuracy[epoch]:.3f}")  # fmt: skip
    run = result.best
    print(f"stopped by {run.stop_reason} after {run.epochs} epochs ({run.steps} updates) in {seconds:.2f} s; "
          f"best validation loss at epoch {run.best_epoch}")  # fmt: skip

    test = ag.evaluate(net, X_test, Y_test, loss="softmax_cross_entropy")
    print(f"held-out accuracy: {test.accuracy:.2%} on {len(X_test)} images (loss {test.loss:.4f})")

    path = ag.save(net, Path(tempfile.mkdtemp()) / "digits.json", metadata=result.metadata())
    again = ag.load(path)
    same = np.array_equal(again.forward(X_test).output, net.forward(X_test).output)
    print(f"saved to {path} ({path.stat().st_size / 1024:.0f} KiB); reloaded network gives the same outputs: {same}")


if __name__ == "__main__":
    main()
