"""Training workloads: per-example SGD on the running example, minibatch SGD on sklearn's digits.

Every contender starts from the same weights and ends with the same weights
(checked); the engine runs the loop a user writes with the public API:
``forward``, ``backward``, ``set_weights``.
"""

from __future__ import annotations

import numpy as np

import autograd_graph as ag
from autograd_graph.engines import codegen, jit

from ..generators import layered
from ..harness import Contender, Target, measure, paired_ratio
from ..peers.layout import dense_layers, flat_from_layers
from .common import ENGINE, NUMPY, Config, Report, check_close, optional

__all__ = ["running_example", "digits"]

PYTHON = "pure Python, straight-line"
MICROGRAD = "micrograd"
GENERATED = "autograd_graph, per_example_sgd"
GENERATED_PYTHON = "autograd_graph, generated Python"
JAX_SCAN = "jax f64 (jit lax.scan)"


def engine_sgd(net: ag.Network, w0: np.ndarray, X: np.ndarray, Y: np.ndarray, batch: int, lr: float):
    """SGD through the public API, from ``w0``; returns the final weights."""

    def run() -> np.ndarray:
        net.set_weights(w0)
        for lo in range(0, len(X), batch):
            grads = net.backward(net.forward(X[lo : lo + batch]), Y[lo : lo + batch])
            net.set_weights(net.weights - lr * grads.weights.flat)
        return net.get_weights()

    return run


def peer_sgd(make, X, Y, batch: int, lr: float, n_steps: int | None = None):
    """SGD with a fresh peer (``make()``, cheap) that has ``step(X, Y, lr)``; returns the peer."""

    def run():
        peer = make()
        steps = range(0, len(X), batch) if n_steps is None else range(0, n_steps * batch, batch)
        for lo in steps:
            peer.step(X[lo : lo + batch], Y[lo : lo + batch], lr)
        return peer

    return run


def _sgd_contenders(net, X, Y, batch, lr, config, activation, output_activation, micrograd_steps=None):
    w0 = net.get_weights()
    layers = dense_layers(net)  # the starting weights, for the peers (each copies them)
    run_engine = engine_sgd(net, w0, X, Y, batch, lr)
    want = run_engine()
    contenders = [Contender(ENGINE, run_engine)]
    if (peer := optional("numpy", config, "numpy_peer")) is not None:
        run = peer_sgd(lambda: peer.DenseMLP(layers, activation, output_activation), X, Y, batch, lr)
        got = run()
        check_close(NUMPY, flat_from_layers(net, list(zip(got.W, got.b, strict=True))), want, 1e-9)
        contenders.append(Contender(NUMPY, run))
    if (tp := optional("torch", config, "torch_peer")) is not None:
        torch = tp.torch
        for dtype, bits, tol in [(torch.float64, 64, 1e-9), (torch.float32, 32, 1e-3)]:
            Xt, Yt = tp.as_tensor(X, dtype), tp.as_tensor(Y, dtype)
            run = peer_sgd(lambda d=dtype: tp.TorchMLP(layers, activation, output_activation, d), Xt, Yt, batch, lr)
            check_close(f"torch f{bits}", flat_from_layers(net, run().flat_layers()), want, tol)
            contenders.append(Contender(f"torch f{bits}", run))
    if (jp := optional("jax", config, "jax_peer")) is not None:
        Xj, Yj = jp.jnp.asarray(X), jp.jnp.asarray(Y)
        jax_mlp = jp.JaxMLP(layers, activation, output_activation)  # jit-compiled once, on the first step
        start = jax_mlp.params

        def run_jax():
            jax_mlp.params = start
            for lo in range(0, len(X), batch):
                jax_mlp.step(Xj[lo : lo + batch], Yj[lo : lo + batch], lr)
            return jp.jax.block_until_ready(jax_mlp.params)

        got = [(np.asarray(W), np.asarray(b)) for W, b in run_jax()]
        check_close("jax f64", flat_from_layers(net, got), want, 1e-9)
        contenders.append(Contender("jax f64 (jit step)", run_jax, "jitted step, Python loop over steps"))
    if (mp := optional("micrograd", config, "micrograd_peer")) is not None:
        n_steps = -(-len(X) // batch)
        steps = n_steps if micrograd_steps is None else min(micrograd_steps, n_steps)
        Xl, Yl = X.tolist(), Y.tolist()
        run = peer_sgd(lambda: mp.MicrogradMLP(layers, activation, output_activation), Xl, Yl, batch, lr, steps)
        partial = engine_sgd(net, w0, X[: steps * batch], Y[: steps * batch], batch, lr)()
        check_close(MICROGRAD, flat_from_layers(net, run().layer_arrays()), partial, 1e-9)
        note = "" if steps == n_steps else f"ran {steps} of {n_steps} steps, time × {n_steps / steps:.1f}"
        contenders.append(Contender(MICROGRAD, run, note, n_steps / steps))
    return contenders


def running_example(config: Config) -> Report:
    """Per-example SGD over 1,000 points of y = sin(3x), x in [−1, 1]."""
    net = ag.running_example(seed=config.seed)
    rng = np.random.default_rng(config.seed)
    x = rng.uniform(-1, 1, 1000)
    X, Y = x[:, None], np.sin(3 * x)[:, None]
    lr = 0.1
    w0 = net.get_weights().tolist()
    contenders = _sgd_contenders(net, X, Y, 1, lr, config, "logistic", "identity")
    want = contenders[0].run()

    def generated():
        net.set_weights(w0)
        ag.per_example_sgd(net, X, Y, lr)
        return net.get_weights()

    check_close(GENERATED, generated(), want, 1e-10)
    compiled = jit.available() and codegen.sgd_function(net.compile().schedule, backend="numba") is not None
    contenders.insert(1, Contender(GENERATED, generated, "numba-compiled straight-line code" if compiled else
                                   "generated straight-line Python (numba is not installed)"))  # fmt: skip
    python_sgd = codegen.sgd_function(net.compile().schedule, backend="python")
    xs_list, ys_list, etas = X.tolist(), Y.tolist(), [lr] * len(X)

    def generated_python():
        return python_sgd(w0, xs_list, ys_list, etas)[0]

    check_close(GENERATED_PYTHON, generated_python(), want, 1e-10)
    contenders.insert(2, Contender(GENERATED_PYTHON, generated_python, "the fallback: the same lines, interpreted"))
    if (jp := optional("jax", config, "jax_peer")) is not None:
        scan = jp.JaxMLP(dense_layers(ag.running_example(seed=config.seed)), "logistic", "identity")
        Xj, Yj = jp.jnp.asarray(X), jp.jnp.asarray(Y)

        def run_scan():
            return jp.jax.block_until_ready(scan.scan_sgd(scan.params, Xj, Yj, lr))

        got = [(np.asarray(W), np.asarray(b)) for W, b in run_scan()[0]]  # compiles
        check_close(JAX_SCAN, flat_from_layers(net, got), want, 1e-9)
        contenders.append(Contender(JAX_SCAN, run_scan, "the whole epoch in one jitted lax.scan"))
    if "python" in config.peers:
        from ..peers.pure_python import running_example_sgd

        xs, ys = x.tolist(), Y[:, 0].tolist()
        check_close(PYTHON, running_example_sgd(w0, xs, ys, lr), want, 1e-9)
        contenders.insert(2, Contender(PYTHON, lambda: running_example_sgd(w0, xs, ys, lr)))
    results = measure(contenders, config.rounds)
    report = Report(
        "Running example, per-example SGD",
        "9 neurons, 12 weights, logistic hidden neurons; one epoch of 1,000 steps at batch 1 (lr 0.1)",
        [("", results)],
        [ENGINE, PYTHON] if PYTHON in results else [ENGINE],
    )
    if JAX_SCAN in results:
        r = paired_ratio(results, JAX_SCAN, GENERATED)
        report.targets.append(
            Target("running example: per-example SGD faster than jitted JAX's lax.scan", f"{r:.1f}× faster", r > 1)
        )
    if PYTHON in results:
        r = paired_ratio(results, GENERATED, PYTHON)
        report.targets.append(
            Target(
                "running example: per-example SGD time ÷ straight-line pure Python ≤ 3",
                f"{r:.2f} (per_example_sgd); {paired_ratio(results, ENGINE, PYTHON):.0f} "
                "(forward/backward/set_weights per example)",
                r <= 3,
            )
        )
    return report


def digits(config: Config) -> Report:
    """64→16→10 relu on sklearn's digits: one epoch of minibatch SGD, batch 32."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        return Report(
            "sklearn digits, 64→16→10, minibatch SGD",
            "skipped: scikit-learn is not installed (pip install -e '.[bench]')",
        )
    data = load_digits()
    X = data.data / 16.0
    Y = np.eye(10)[data.target]
    net = ag.Network.from_networkx(layered([64, 16, 10], activation="relu", seed=config.seed))
    steps = 1 if config.quick else 2
    contenders = _sgd_contenders(net, X, Y, 32, 0.05, config, "relu", "identity", micrograd_steps=steps)
    results = measure(contenders, config.rounds)
    report = Report(
        "sklearn digits, 64→16→10, minibatch SGD",
        f"{len(X)} images, minibatches of 32 ({-(-len(X) // 32)} steps), squared error on one-hot targets (lr 0.05)",
        [("", results)],
        [ENGINE, NUMPY],
    )
    if MICROGRAD in results:
        r = paired_ratio(results, MICROGRAD, ENGINE)
        report.targets.append(Target("digits: ≥ 1,000× faster than micrograd", f"{r:,.0f}×", r >= 1000))
    return report
