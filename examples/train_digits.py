"""Handwritten digits with a 64 → 16 → 10 network: ≥ 95% on held-out images in about a second.

scikit-learn's digits (1,797 images of 8×8 pixels) stand in for MNIST offline.
The data come from ``ag.load_task("digits")`` (pixels scaled to [0, 1], one-hot
targets, a stratified 25% held out); the network from ``ag.layered`` (a full
layer's weights form a strided view of the flat weight vector, so the compiled
engine runs each layer as one matrix product). It is trained with Adam on mini-batches and softmax cross-entropy,
with a validation split and early stopping, then scored on a held-out 25% of
the images it never saw. The trained network is saved as JSON.

Run: python examples/train_digits.py   (needs scikit-learn: pip install -e ".[dev]")
"""

import tempfile
import time
from pathlib import Path

import numpy as np

import autograd_graph as ag


def main() -> None:
    try:
        task = ag.load_task("digits", seed=0)  # scikit-learn is a development dependency only
    except ag.ComparisonError as error:
        raise SystemExit(str(error)) from None
    X_train, Y_train, X_test, Y_test = task.X, task.Y, task.X_test, task.Y_test
    net = ag.layered([64, 16, 10], activation="tanh", output_activation="identity", seed=0)
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
