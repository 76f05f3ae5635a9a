"""784→512→512→10 relu, batch 256: one forward and backward pass, and the machine's matmul peak."""

from __future__ import annotations

import numpy as np

import autograd_graph as ag

from ..generators import layered
from ..harness import Contender, Target, format_seconds, measure, paired_ratio
from ..peers.layout import dense_layers, flat_from_layers
from .common import ENGINE, ENGINE32, NUMPY, Config, Report, check_close, engine_pass, optional

__all__ = ["mlp", "matmul_probe"]

PEAK_PROBE = "numpy matmul 2048²"

SIZES = [784, 512, 512, 10]
BATCH = 256


PEAK_N = 2048


def matmul_probe() -> Contender:
    """A float64 ``2048 × 2048`` matmul (BLAS, all its threads), timed in the same rounds as the
    contenders: its best round gives the machine's matmul peak."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((PEAK_N, PEAK_N)), rng.standard_normal((PEAK_N, PEAK_N))
    out = np.empty_like(a)
    return Contender(PEAK_PROBE, lambda: np.matmul(a, b, out=out), "the peak probe, not a contender")


GEMMS_PROBE = "the pass's GEMMs alone"


def gemms_probe(net: ag.Network, batch: int) -> Contender:
    """The BLAS products of the engine's pass over a layered net, alone: forward ``W z`` per layer,
    ``∂L/∂W = ∂L/∂a zᵀ`` per layer and ``∂L/∂z = Wᵀ ∂L/∂a`` of every hidden layer, on the engine's
    own strided weight views and ``(rows, batch)`` arrays (what its pass cannot do faster)."""
    engine = net.compile()
    w, dw = np.array(net.weights), np.empty(net.n_weights)
    rng = np.random.default_rng(0)
    steps = []
    for st, kernel in zip(engine.schedule.stages, engine.kernels, strict=True):
        W, D = kernel.of(w), kernel.of(dw)  # (targets, span) views of the flat weights and gradient
        z, a = rng.standard_normal((W.shape[1], batch)), np.empty((W.shape[0], batch))
        da, dz = rng.standard_normal(a.shape), np.empty(z.shape)
        steps.append((W, D, z, a, da, dz, st.deferred < W.shape[1], kernel.block.row_stride == 1))

    def run():
        for W, D, z, a, da, dz, hidden, by_column in steps:
            np.matmul(W, z, out=a)
            if by_column:  # as the view kernel writes ∂L/∂W
                np.matmul(z, da.T, out=D.T)
            else:
                np.matmul(da, z.T, out=D)
            if hidden:
                np.matmul(W.T, da, out=dz)

    return Contender(GEMMS_PROBE, run, "a probe, not a contender")


def useful_flops(sizes: list[int], batch: int) -> int:
    """Multiply-adds ×2 of the forward, of every ∂L/∂W, and of ∂L/∂z of every hidden layer."""
    pairs = list(zip(sizes, sizes[1:], strict=False))
    forward = sum(m * n for m, n in pairs)
    hidden_dz = sum(m * n for m, n in pairs[1:])
    return 2 * batch * (2 * forward + hidden_dz)


def mlp(config: Config) -> Report:
    net = ag.Network.from_networkx(layered(SIZES, activation="relu", seed=config.seed))
    rng = np.random.default_rng(config.seed)
    X = rng.standard_normal((BATCH, SIZES[0]))
    Y = rng.standard_normal((BATCH, SIZES[-1]))
    want = net.backward(net.forward(X), Y)
    kernels = {st.block.kind for st in net.compile().schedule.stages if st.block is not None}
    w = net.weights
    contenders = [Contender(ENGINE, engine_pass(net, X, Y)), Contender(ENGINE32, engine_pass(net, X, Y, np.float32))]

    def new_weights():
        net.set_weights(w)
        return net.backward(net.forward(X), Y)

    contenders.append(Contender(f"{ENGINE}, new weights each pass", new_weights))
    layers = dense_layers(net)
    if (peer := optional("numpy", config, "numpy_peer")) is not None:
        numpy_mlp = peer.DenseMLP(layers, "relu", "identity")
        _, grads = numpy_mlp.loss_and_gradients(X, Y)
        check_close(NUMPY, flat_from_layers(net, grads), want.weights.flat, 1e-9)
        contenders.append(Contender(NUMPY, lambda: numpy_mlp.loss_and_gradients(X, Y)))
    if (tp := optional("torch", config, "torch_peer")) is not None:
        torch = tp.torch
        for dtype, bits, tol in [(torch.float64, 64, 1e-9), (torch.float32, 32, 1e-3)]:
            peer = tp.TorchMLP(layers, "relu", "identity", dtype)
            Xt, Yt = tp.as_tensor(X, dtype), tp.as_tensor(Y, dtype)
            peer.loss_and_gradients(Xt, Yt)
            grads = [(W.grad.double().numpy(), b.grad.double().numpy()) for W, b in zip(peer.W, peer.b, strict=True)]
            check_close(f"torch f{bits}", flat_from_layers(net, grads), want.weights.flat, tol)
            contenders.append(Contender(f"torch f{bits}", lambda p=peer, a=Xt, b=Yt: p.loss_and_gradients(a, b)))
    if (jp := optional("jax", config, "jax_peer")) is not None:
        jax_mlp = jp.JaxMLP(layers, "relu", "identity")
        Xj, Yj = jp.jnp.asarray(X), jp.jnp.asarray(Y)
        _, grads = jax_mlp.loss_and_gradients(jax_mlp.params, Xj, Yj)
        got = flat_from_layers(net, [tuple(map(np.asarray, g)) for g in grads])
        check_close("jax f64", got, want.weights.flat, 1e-9)

        def run_jax():
            return jp.jax.block_until_ready(jax_mlp.loss_and_gradients(jax_mlp.params, Xj, Yj))

        contenders.append(Contender("jax f64 (jit)", run_jax))
    contenders.append(matmul_probe())
    contenders.append(gemms_probe(net, BATCH))
    torch_probe = None
    if (tp := optional("torch", config, "torch_peer")) is not None:
        ta, tb = (
            tp.torch.randn(PEAK_N, PEAK_N, dtype=tp.torch.float64),
            tp.torch.randn(PEAK_N, PEAK_N, dtype=tp.torch.float64),
        )
        torch_probe = "torch matmul 2048²"
        contenders.append(Contender(torch_probe, lambda: tp.torch.matmul(ta, tb), "MKL's peak, not a contender"))
    results = measure(contenders, config.rounds)
    peak = 2 * PEAK_N**3 / results.pop(PEAK_PROBE).times.min() / 1e9
    mkl = None if torch_probe is None else 2 * PEAK_N**3 / results.pop(torch_probe).times.min() / 1e9
    gemms = results.pop(GEMMS_PROBE).times.min()
    flops = useful_flops(SIZES, BATCH)
    best = {name: flops / res.times.min() / 1e9 for name, res in results.items() if "new weights" not in name}
    report = Report(
        "Layered 784→512→512→10 relu, batch 256",
        f"one forward and backward pass (squared error); the engine's kernels: {', '.join(sorted(kernels))}",
        [("", results)],
        [ENGINE, NUMPY],
    )
    report.lines.append(
        f"float64 matmul peak of this machine (2048², best round): {peak:.1f} GFLOP/s. Useful rate (forward, "
        "∂L/∂W, hidden ∂L/∂z; best round), as a share of it: "
        + ", ".join(f"{name} {rate:.0f} GFLOP/s = {rate / peak:.0%}" for name, rate in best.items())
    )
    report.lines.append(
        f"the pass's seven BLAS products alone, on arrays laid out as the engine's (best round): "
        f"{format_seconds(gemms)}, {flops / gemms / 1e9:.0f} GFLOP/s = {flops / gemms / 1e9 / peak:.0%} of the peak; "
        f"the engine's best pass {format_seconds(results[ENGINE].times.min())} "
        f"({gemms / results[ENGINE].times.min():.0%} of it in those products)"
    )
    if mkl is not None:
        report.lines.append(f"the same 2048² float64 matmul through PyTorch (MKL): {mkl:.1f} GFLOP/s "
                            f"({mkl / peak:.2f}× numpy's OpenBLAS)")  # fmt: skip
    rate = best[ENGINE]
    if NUMPY in results:
        r = paired_ratio(results, ENGINE, NUMPY)
        report.targets.append(Target("784→512→512→10: time ÷ numpy ≤ 1.1", f"{r:.2f}", r <= 1.1))
    report.targets.append(
        Target(
            "784→512→512→10 float64: ≥ 70% of the matmul peak (best rounds)", f"{rate / peak:.0%}", rate / peak >= 0.70
        )  # fmt: skip
    )
    if "torch f64" in results:
        r = paired_ratio(results, ENGINE, "torch f64")
        report.targets.append(Target("784→512→512→10 float64: no slower than torch f64", f"{r:.2f}× its time", r <= 1))
    return report
