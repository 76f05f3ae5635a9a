"""Random DAGs evaluated neuron by neuron with PyTorch autograd (float64): the
same loss, and the same gradients of every weight, a and z, to 1e-10."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from random_dags import LOSSES, data_for, min_outputs, networks

import autograd_graph as ag

torch = pytest.importorskip("torch")
F = torch.nn.functional

TORCH_ACTIVATIONS = {
    "identity": lambda a: a,
    "logistic": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda a: F.leaky_relu(a, ag.activations.LEAKY_RELU_SLOPE),
    "elu": F.elu,
    "softplus": lambda a: torch.logaddexp(torch.zeros_like(a), a),  # F.softplus approximates above a = 20
    "step": lambda a: (a >= 0).to(a.dtype) + 0 * a,  # derivative 0, but still in the graph
}


def torch_loss(name: str, z, y):
    """The batch mean of each example's ℓ; ``z`` and ``y`` are (batch, n_outputs)."""
    if name == "squared_error":
        per_example = ((y - z) ** 2).sum(dim=1)
    elif name == "mse":
        per_example = ((y - z) ** 2).mean(dim=1)
    elif name == "binary_cross_entropy":
        # from z (not the logits a), so that z.grad is ∂L/∂z as the engine reports it
        per_example = F.binary_cross_entropy(z, y, reduction="none").sum(dim=1)
    else:
        per_example = -(y * F.log_softmax(z, dim=1)).sum(dim=1)
    return per_example.mean()


def torch_pass(net: ag.Network, X: np.ndarray, Y: np.ndarray, loss: str):
    """Forward and backward in torch, one neuron at a time; returns the loss
    and per-neuron a, z and per-edge weight tensors (with .grad filled)."""
    G = net.graph
    w = {
        edge: torch.tensor(value, dtype=torch.float64, requires_grad=True)
        for edge, value in zip(net.edges, net.weights, strict=True)
    }
    x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    a, z = {}, {}
    for neuron in (n for generation in net.generations() for n in generation):
        kind = net.kind(neuron)
        if kind == "input":
            z[neuron] = x[:, net.inputs.index(neuron)]
        elif kind == "bias":
            z[neuron] = torch.ones(len(X), dtype=torch.float64, requires_grad=True)
        else:
            a[neuron] = sum(w[i, neuron] * z[i] for i in G.predecessors(neuron))
            a[neuron].retain_grad()
            z[neuron] = TORCH_ACTIVATIONS[net.activation(neuron).name](a[neuron])
        z[neuron].retain_grad()
    outputs = net.outputs
    z_out = torch.stack([z[k] for k in outputs], dim=1)
    value = torch_loss(loss, z_out, torch.tensor(Y, dtype=torch.float64))
    value.backward()
    return value, a, z, w


def grad_of(tensor) -> np.ndarray:
    # a neuron that does not reach the loss gets no .grad: its gradient is 0
    return np.zeros(tuple(tensor.shape)) if tensor.grad is None else tensor.grad.numpy()


@settings(max_examples=50, deadline=None)
@given(data=st.data(), loss=st.sampled_from(LOSSES), batch=st.sampled_from([1, 3]), seed=st.integers(0, 2**16))
@pytest.mark.parametrize("engine", ["compiled", "reference"])
def test_same_loss_and_gradients_as_torch(engine, data, loss, batch, seed):
    logistic = "logistic" if loss == "binary_cross_entropy" else None
    net = data.draw(networks(output_activation=logistic, min_outputs=min_outputs(loss)))
    X, Y = data_for(net, batch, seed, loss)
    trace = net.forward(X, engine=engine)
    grads = net.backward(trace, Y, loss=loss)
    value, a, z, w = torch_pass(net, X, Y, loss)

    close = dict(rtol=1e-10, atol=1e-10)
    assert grads.loss == pytest.approx(value.item(), rel=1e-10, abs=1e-10)
    np.testing.assert_allclose(trace.output, np.stack([z[k].detach().numpy() for k in net.outputs], 1), **close)
    for edge in net.edges:
        np.testing.assert_allclose(grads.weights[edge], grad_of(w[edge]), **close, err_msg=f"∂L/∂w of {edge!r}")
    for k in net.neurons:
        np.testing.assert_allclose(trace.z[k], z[k].detach().numpy(), **close, err_msg=f"z of {k!r}")
        np.testing.assert_allclose(grads.z[k], grad_of(z[k]), **close, err_msg=f"∂L/∂z of {k!r}")
        if k in a:
            np.testing.assert_allclose(trace.a[k], a[k].detach().numpy(), **close, err_msg=f"a of {k!r}")
            np.testing.assert_allclose(grads.a[k], grad_of(a[k]), **close, err_msg=f"∂L/∂a of {k!r}")


def test_running_example_matches_torch():
    net = ag.running_example(seed=5)
    X = np.linspace(-2, 2, 9)[:, None]
    Y = np.cos(X)
    value, _, _, w = torch_pass(net, X, Y, "squared_error")
    grads = net.backward(net.forward(X), Y)
    assert grads.loss == pytest.approx(value.item(), rel=1e-12)
    np.testing.assert_allclose(grads.weights.flat, [w[e].grad.item() for e in net.edges], rtol=1e-10, atol=1e-12)
