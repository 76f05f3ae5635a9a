"""to_torch on the CPU runs networks whose sparse stages go edge by edge through the engine itself
(io/torch_module.py): the same outputs and gradients as PyTorch's own kernels, its autograd, and the engine."""

import io

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.engines import pull

torch = pytest.importorskip("torch", reason="the PyTorch export needs torch")
pytest.importorskip("numba", reason="the engine's sparse stages edge by edge need numba")
from autograd_graph.io import torch_module  # noqa: E402 - after the skip: it imports torch


@pytest.fixture
def always_pull(monkeypatch):
    monkeypatch.setattr(pull, "PULL_MIN_EDGES", 1)


def sparse_dag(seed: int) -> ag.Network:
    net = ag.random_dag(150, "gnp", p=0.06, n_inputs=6, n_outputs=3, activation="tanh", seed=seed)
    for i, neuron in enumerate(net.hidden):
        if i % 3 == 1:
            net.set_activation(neuron, "logistic")
    return net


def run(module, X: np.ndarray, Y: np.ndarray):
    """Outputs, weight.grad and X.grad of a squared-error pass, as PyTorch trains the module."""
    module.zero_grad()
    x = torch.tensor(X, dtype=module.weight.dtype, requires_grad=True)
    out = module(x)
    ((out - torch.tensor(Y, dtype=out.dtype)) ** 2).sum(dim=1).mean().backward()
    return out.detach().numpy().copy(), module.weight.grad.numpy().copy(), x.grad.numpy().copy()


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("seed", [0, 1])
def test_the_engine_path_agrees_with_torchs_kernels_and_the_engine(always_pull, monkeypatch, seed, dtype):
    net = sparse_dag(seed)
    rng = np.random.default_rng(seed)
    X, Y = rng.uniform(-1, 1, (9, 6)), rng.uniform(-1, 1, (9, 3))
    module = ag.to_torch(net, dtype=dtype)
    assert torch_module._engine(module, module.weight) is not None
    by_engine = run(module, X, Y)
    monkeypatch.setattr(torch_module, "ENGINE_ON_CPU", False)
    assert torch_module._engine(module, module.weight) is None
    by_torch = run(module, X, Y)
    tol = dict(rtol=1e-12, atol=1e-14) if dtype == torch.float64 else dict(rtol=1e-4, atol=1e-6)
    for got, want in zip(by_engine, by_torch, strict=True):
        np.testing.assert_allclose(got, want, **tol)
    if dtype == torch.float64:  # and the engine's own gradients of the same loss
        grads = net.backward(net.forward(X), Y, loss="squared_error")
        np.testing.assert_allclose(by_engine[1], grads.weights.flat, rtol=1e-12, atol=1e-14)  # ℓ = Σ (z − y)²


def test_the_engine_path_passes_torchs_gradcheck(always_pull):
    module = ag.to_torch(sparse_dag(2))
    assert torch_module._engine(module, module.weight) is not None
    x = torch.tensor(np.random.default_rng(3).uniform(-1, 1, (4, 6)), requires_grad=True)
    w = module.weight.detach().clone().requires_grad_(True)
    assert torch.autograd.gradcheck(lambda w, x: torch_module._Pass.apply(w, x, module), (w, x))


def test_an_optimizer_step_and_a_round_trip_through_torch_save(always_pull):
    module = ag.to_torch(sparse_dag(4))
    rng = np.random.default_rng(4)
    X, Y = rng.uniform(-1, 1, (8, 6)), rng.uniform(-1, 1, (8, 3))
    before = module.weight.detach().clone()
    _, grad, _ = run(module, X, Y)
    torch.optim.SGD(module.parameters(), lr=0.1).step()
    np.testing.assert_allclose(module.weight.detach().numpy(), before.numpy() - 0.1 * grad, rtol=1e-13)
    buffer = io.BytesIO()
    torch.save(module, buffer)
    buffer.seek(0)
    again = torch.load(buffer, weights_only=False)
    np.testing.assert_array_equal(run(again, X, Y)[0], run(module, X, Y)[0])


def test_torchs_kernels_where_the_engine_does_not_run(always_pull):
    net = sparse_dag(5)
    meta = ag.to_torch(net).to("meta")
    assert torch_module._engine(meta, meta.weight) is None  # shapes only
    assert meta(torch.zeros(3, 6, device="meta")).shape == (3, 3)
    small = ag.to_torch(ag.layered([4, 8, 2], seed=0))  # no sparse stage
    assert torch_module._engine(small, small.weight) is None


def test_the_default_threshold_keeps_small_networks_on_torch():
    module = ag.to_torch(sparse_dag(6))  # fewer sparse edges than PULL_MIN_EDGES
    assert torch_module._engine(module, module.weight) is None


def test_a_weight_changed_in_place_before_backward_is_an_error(always_pull):
    module = ag.to_torch(sparse_dag(7))
    assert torch_module._engine(module, module.weight) is not None
    out = module(torch.ones(3, 6))
    with torch.no_grad():
        module.weight.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_one_input_a_batch_of_one_and_an_empty_batch(always_pull, monkeypatch):
    net = ag.random_dag(150, "gnp", p=0.06, n_inputs=1, n_outputs=2, seed=8)
    module = ag.to_torch(net)
    for batch in (1, 0):
        X, Y = np.full((batch, 1), 0.3), np.zeros((batch, 2))
        monkeypatch.setattr(torch_module, "ENGINE_ON_CPU", True)
        by_engine = run(module, X, Y)
        monkeypatch.setattr(torch_module, "ENGINE_ON_CPU", False)
        by_torch = run(module, X, Y)
        for got, want in zip(by_engine, by_torch, strict=True):
            assert got.shape == want.shape and got.flags.writeable
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
