"""One table per rule: an activation registered with every form is used by every engine, and they agree."""

import math
from collections import Counter

import numpy as np
import pytest
from helpers import assert_engines_agree

import autograd_graph as ag
from autograd_graph.activations import ScalarForm


@pytest.fixture
def sine():
    """``sin`` registered with in-place, scalar and torch forms, each counting its calls."""
    calls = Counter()

    def function(a):
        calls["function"] += 1
        return np.sin(a)

    def derivative(a, z):
        calls["derivative"] += 1
        return np.cos(a)

    def forward_into(a, z):
        calls["forward_into"] += 1
        np.sin(a, out=z)

    def chain_into(a, z, dz, da):
        calls["chain_into"] += 1
        np.cos(a, out=da)
        da *= dz

    def scalar_sin(a):
        calls["scalar"] += 1
        return math.sin(a)

    def torch_form(torch):
        def sin(a):
            calls["torch"] += 1
            return torch.sin(a)

        return sin

    act = ag.register_activation(
        "sine_forms_test",
        function,
        derivative,
        forward_into=forward_into,
        chain_into=chain_into,
        scalar=ScalarForm("_sin({a})", "_cos({a})", {"_sin": scalar_sin, "_cos": math.cos}),
        torch=torch_form,
    )
    yield act, calls
    del ag.ACTIVATIONS["sine_forms_test"]


def sine_network(seed=0):
    net = ag.running_example(seed=seed)
    for k in (3, 4, 6, 7):
        net.set_activation(k, "sine_forms_test")
    return net


def test_the_compiled_engine_uses_the_in_place_forms(sine):
    act, calls = sine
    net = sine_network()
    X, Y = np.linspace(-1, 1, 7)[:, None], np.cos(np.linspace(-1, 1, 7))[:, None]
    net.backward(net.forward(X), Y)
    assert calls["forward_into"] > 0 and calls["chain_into"] > 0
    assert calls["function"] == calls["derivative"] == 0  # no generic path taken
    assert_engines_agree(net, X, Y, "squared_error", tol=1e-12)  # the reference engine: function and derivative
    assert calls["function"] > 0 and calls["derivative"] > 0


def test_codegen_uses_the_scalar_form(sine):
    act, calls = sine
    net, twin = sine_network(1), sine_network(1)
    assert "_sin(a_r" in ag.sgd_source(net)
    X = np.linspace(-1, 1, 9)[:, None]
    Y = np.sin(3 * X)
    losses = ag.per_example_sgd(net, X, Y, 0.05)
    assert calls["scalar"] > 0
    for i, (x, y) in enumerate(zip(X, Y, strict=True)):  # the same steps through the array engine
        grads = twin.backward(twin.forward(x), y)
        assert grads.loss == pytest.approx(losses[i], rel=1e-12, abs=1e-14)
        twin.set_weights(twin.weights - 0.05 * grads.weights.flat)
    np.testing.assert_allclose(net.weights, twin.weights, rtol=1e-12, atol=1e-14)


@pytest.mark.torch
def test_to_torch_uses_the_torch_form(sine):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    act, calls = sine
    net = sine_network(2)
    X, Y = np.linspace(-1, 1, 5)[:, None], np.linspace(0, 1, 5)[:, None]
    module = ag.to_torch(net)
    out = module(torch.tensor(X))
    assert calls["torch"] > 0
    reference = net.forward(X, engine="reference")
    np.testing.assert_allclose(out.detach().numpy(), reference.output, rtol=1e-12, atol=1e-14)
    ((out - torch.tensor(Y)) ** 2).sum(dim=1).mean().backward()
    grads = net.backward(reference, Y)
    np.testing.assert_allclose(module.weight.grad.numpy(), grads.weights.flat, rtol=1e-12, atol=1e-14)
