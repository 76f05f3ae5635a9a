"""Training as users run it: one step at small batches, and the digits to 95% held out.

- ``step``: 64→16→10 (relu), Adam (step 0.01), softmax cross-entropy, on
  sklearn's digits: three epochs of ``ag.train`` (no shuffling) against the
  same epochs written by hand in numpy and in PyTorch, each also computing the
  loss and accuracy of the training set before the first epoch and after
  every epoch, as ``ag.train`` does. At batch 32 (3 × 57 steps) and at batch 1
  (3 × 300 steps). The contenders end with the same weights (checked).
- ``job``: the same network trained on 75% of the digits (stratified) for 30
  epochs at batch 32, shuffled: ``ag.train``, scikit-learn's
  ``MLPClassifier`` with the same settings (no L2 penalty, no early
  stopping), and a PyTorch loop; each must reach 95% on the held-out 25%.
"""

from __future__ import annotations

import warnings

import numpy as np

import autograd_graph as ag

from ..harness import Contender, Target, measure, paired_ratio
from ..peers.layout import dense_layers, flat_from_layers
from .common import ENGINE, NUMPY, Config, Report, check_close, optional

__all__ = ["step", "job"]

LR = 0.01
EPOCHS = 3  # of the step workload: ag.train's set-up (checks, buffers) spread over them, as in real use
SKLEARN = "scikit-learn MLPClassifier"


def _digits():
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.data / 16.0, data.target


def _step_table(config: Config, X: np.ndarray, labels: np.ndarray, batch: int):
    Y = np.eye(10)[labels]
    net = ag.layered([64, 16, 10], activation="relu", output_activation="identity", seed=config.seed)
    w0, layers = net.get_weights(), dense_layers(net)
    settings = dict(epochs=EPOCHS, batch_size=batch, optimizer="adam", learning_rate=LR,
                    loss="softmax_cross_entropy", shuffle=False, progress=False)  # fmt: skip

    def engine():
        net.set_weights(w0)
        return ag.train(net, X, Y, **settings)

    result = engine()
    if result.best.best_epoch != EPOCHS:
        raise AssertionError("the last epoch did not have the lowest training loss: its weights cannot be compared")
    want = net.get_weights()
    contenders = [Contender(ENGINE, engine, f"ag.train, {EPOCHS} epochs")]
    if (peer := optional("numpy", config, "numpy_peer")) is not None:

        def numpy_epoch():
            model = peer.AdamClassifier(layers, "relu", LR)
            model.evaluate(X, Y)
            for _ in range(EPOCHS):
                for lo in range(0, len(X), batch):
                    model.step(X[lo : lo + batch], Y[lo : lo + batch])
                model.evaluate(X, Y)
            return model

        check_close(NUMPY, flat_from_layers(net, numpy_epoch().layer_arrays()), want, 1e-9)
        contenders.append(Contender(NUMPY, numpy_epoch, "by hand"))
    if (tp := optional("torch", config, "torch_peer")) is not None:
        torch = tp.torch
        for dtype, bits, tol in [(torch.float64, 64, 1e-9), (torch.float32, 32, 1e-3)]:
            Xt, lt = tp.as_tensor(X, dtype), torch.as_tensor(labels)

            def torch_epoch(Xt=Xt, lt=lt, dtype=dtype):
                model = tp.TorchAdamClassifier(layers, "relu", LR, dtype)
                model.evaluate(Xt, lt)
                for _ in range(EPOCHS):
                    for lo in range(0, len(X), batch):
                        model.step(Xt[lo : lo + batch], lt[lo : lo + batch])
                    model.evaluate(Xt, lt)
                return model

            check_close(f"torch f{bits}", flat_from_layers(net, torch_epoch().layer_arrays()), want, tol)
            contenders.append(Contender(f"torch f{bits}", torch_epoch, "nn.Linear, torch.optim.Adam"))
    return measure(contenders, config.rounds), EPOCHS * -(-len(X) // batch)


def step(config: Config) -> Report:
    """One training step of 64→16→10 (Adam, softmax cross-entropy) at batch 32 and at batch 1."""
    title = "Training steps at batch 32 and 1: 64→16→10, Adam, softmax cross-entropy"
    try:
        X, labels = _digits()
    except ImportError:
        return Report(title, "skipped: scikit-learn is not installed (pip install -e '.[bench]')")
    description = (f"{EPOCHS} epochs on sklearn's digits (no shuffling), with the training set's loss and accuracy "
                   "before them and after each (what ag.train computes); time per step = time ÷ steps")  # fmt: skip
    report = Report(title, description, baselines=[ENGINE, NUMPY])
    for batch, n in [(32, len(X)), (1, 300)]:
        results, steps = _step_table(config, X[:n], labels[:n], batch)
        for res in results.values():
            res.note = (res.note + f"; {res.median / steps * 1e6:.1f} µs per step").lstrip("; ")
        report.tables.append((f"batch {batch}, {n} images ({steps} steps in all)", results))
        if NUMPY in results:
            r = paired_ratio(results, ENGINE, NUMPY)
            report.targets.append(Target(f"one training step at batch {batch}: ≤ 1.5× the hand-written numpy step",
                                         f"{r:.2f}×", r <= 1.5))  # fmt: skip
    return report


def job(config: Config) -> Report:
    """64→16→10 on the digits to ≥ 95% held out: ag.train, MLPClassifier, a PyTorch loop."""
    title = "The digits to 95% held out: ag.train, scikit-learn, PyTorch"
    try:
        X, labels = _digits()
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.model_selection import train_test_split
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        return Report(title, "skipped: scikit-learn is not installed (pip install -e '.[bench]')")
    Xtr, Xte, ltr, lte = train_test_split(X, labels, test_size=0.25, stratify=labels, random_state=config.seed)
    Ytr = np.eye(10)[ltr]
    epochs, batch = 30, 32
    accuracy: dict[str, float] = {}

    def engine():
        net = ag.layered([64, 16, 10], activation="relu", output_activation="identity", seed=config.seed)
        ag.train(net, Xtr, Ytr, epochs=epochs, batch_size=batch, optimizer="adam", learning_rate=LR,
                 loss="softmax_cross_entropy", seed=config.seed, progress=False)  # fmt: skip
        accuracy[ENGINE] = float((net.forward(Xte).output.argmax(1) == lte).mean())

    def sklearn():
        model = MLPClassifier((16,), activation="relu", solver="adam", alpha=0.0, batch_size=batch,
                              learning_rate_init=LR, max_iter=epochs, shuffle=True, tol=0.0,
                              n_iter_no_change=10**9, random_state=config.seed)  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # 30 epochs is the setting, not a failure
            model.fit(Xtr, ltr)
        accuracy[SKLEARN] = float(model.score(Xte, lte))

    contenders = [Contender(ENGINE, engine, "ag.train"), Contender(SKLEARN, sklearn, "alpha=0, same settings")]
    if (tp := optional("torch", config, "torch_peer")) is not None:
        torch = tp.torch
        Xt, lt, Xv = tp.as_tensor(Xtr, torch.float32), torch.as_tensor(ltr), tp.as_tensor(Xte, torch.float32)
        init = dense_layers(ag.layered([64, 16, 10], activation="relu", seed=config.seed))

        def torch_loop():
            torch.manual_seed(config.seed)
            model = tp.TorchAdamClassifier(init, "relu", LR, torch.float32)
            for _ in range(epochs):
                order = torch.randperm(len(Xt))
                for lo in range(0, len(Xt), batch):
                    index = order[lo : lo + batch]
                    model.step(Xt[index], lt[index])
            with torch.no_grad():
                accuracy["torch f32"] = float((model.model(Xv).argmax(1).numpy() == lte).mean())

        contenders.append(Contender("torch f32", torch_loop, "a training loop, randperm batches"))
    results = measure(contenders, config.rounds)
    for name, res in results.items():
        res.note = f"{res.note}; held-out accuracy {accuracy[name]:.1%}"
    description = (f"64→16→10 relu, {len(Xtr)} training images, {len(Xte)} held out; {epochs} epochs, batch {batch}, "
                   f"Adam (step {LR}), softmax cross-entropy")  # fmt: skip
    report = Report(title, description, [("", results)], [ENGINE, SKLEARN])
    r = paired_ratio(results, ENGINE, SKLEARN)
    reached = all(a >= 0.95 for a in accuracy.values())
    report.targets.append(Target("digits to ≥ 95% held out: ag.train no slower than MLPClassifier",
                                 f"{r:.2f}× its time; accuracies {', '.join(f'{a:.1%}' for a in accuracy.values())}",
                                 r <= 1 and reached))  # fmt: skip
    return report
