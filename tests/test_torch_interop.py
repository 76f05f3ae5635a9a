import subprocess
import sys

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.io.pytorch import from_torch, to_torch

torch = pytest.importorskip("torch")
nn = torch.nn

rng = np.random.default_rng(0)


def torch_loss(output, Y):
    return ((output - torch.as_tensor(Y, dtype=output.dtype)) ** 2).sum(dim=1).mean()


def networks():
    mixed = ag.layered([3, 5, 4, 2], activation=["elu", "softplus"], output_activation="logistic", seed=2)
    mixed.set_activation(6, "leaky_relu")
    return [
        ag.running_example(seed=1),
        mixed,
        ag.densenet([3, 4, 4, 2], activation="tanh", seed=0),
        ag.random_dag(30, "watts_strogatz", k=4, p=0.3, n_inputs=4, n_outputs=3, activation="relu", seed=0),
        ag.from_predicate(lambda a, b: a != b, 2),
        # t is fed by h1 and h3, not h2 (gathered columns); output h3 comes before output y
        ag.from_edge_list(
            [("x", "h1"), ("x", "h2"), ("x", "h3"), ("h1", "t"), ("h3", "t"), ("t", "y"), ("h2", "y")],
            outputs=["y", "h3"],
            activation="softplus",
            seed=0,
        ),
    ]


@pytest.mark.parametrize("net", networks(), ids=repr)
def test_to_torch_same_outputs_and_gradients(net):
    module = to_torch(net)
    X = rng.normal(size=(16, len(net.inputs)))
    Y = rng.normal(size=(16, len(net.outputs)))
    trace = net.forward(X)
    grads = net.backward(trace, Y)
    output = module(torch.as_tensor(X))
    loss = torch_loss(output, Y)
    loss.backward()
    assert output.dtype == torch.float64
    np.testing.assert_allclose(output.detach().numpy(), trace.output, rtol=0, atol=1e-10)
    assert abs(loss.item() - grads.loss) < 1e-10
    np.testing.assert_allclose(module.weight.grad.numpy(), grads.weights.flat, rtol=0, atol=1e-10)


def test_from_torch_same_outputs_and_gradients():
    torch.manual_seed(0)
    seq = nn.Sequential(
        nn.Linear(4, 6),
        nn.Tanh(),
        nn.Linear(6, 5, bias=False),
        nn.ReLU(),
        nn.Sequential(nn.Linear(5, 5), nn.Sigmoid()),
        nn.Linear(5, 3),
        nn.Identity(),
    ).double()
    net = from_torch(seq)
    assert [len([n for n in layer if net.kind(n) != "bias"]) for layer in net.layers()] == [4, 6, 5, 5, 3]
    assert len(net.biases) == 3  # the bias-free Linear has no bias neuron
    X = rng.normal(size=(10, 4))
    Y = rng.normal(size=(10, 3))
    output = seq(torch.as_tensor(X))
    torch_loss(output, Y).backward()
    grads = net.backward(net.forward(X), Y)
    np.testing.assert_allclose(net.forward(X).output, output.detach().numpy(), rtol=0, atol=1e-10)
    linears = [m for m in seq.modules() if isinstance(m, nn.Linear)]
    # each layer's gradients as a matrix [∂W | ∂b], read in net.edges order
    matrices = [
        np.column_stack([m.weight.grad.numpy(), np.zeros(m.out_features) if m.bias is None else m.bias.grad.numpy()])
        for m in linears
    ]
    np.testing.assert_allclose(grads.weights.flat, ag.matrix_weights(net, matrices), rtol=0, atol=1e-10)


def test_round_trip_through_torch_training():
    net = ag.random_dag(20, "gnp", p=0.2, n_inputs=2, n_outputs=1, activation="tanh", seed=3)
    module = to_torch(net)
    again = from_torch(module)
    assert again.edges == net.edges and np.array_equal(again.weights, net.weights)
    X = torch.as_tensor(rng.normal(size=(32, 2)))
    Y = X[:, :1] * X[:, 1:]
    optimizer = torch.optim.SGD(module.parameters(), lr=0.1)
    for _ in range(5):
        optimizer.zero_grad()
        torch_loss(module(X), Y).backward()
        optimizer.step()
    trained = from_torch(module)
    assert not np.array_equal(trained.weights, net.weights)
    np.testing.assert_allclose(trained.forward(X.numpy()).output, module(X).detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_array_equal(net.weights, again.weights)  # the original network is untouched


def test_float32_modules():
    net = ag.running_example(seed=0)
    module = to_torch(net, dtype=torch.float32)
    X = rng.normal(size=(4, 1))
    assert module.weight.dtype == torch.float32
    np.testing.assert_allclose(module(X).detach().numpy(), net.forward(X).output, rtol=1e-5, atol=1e-6)


def test_custom_activations_need_a_torch_function():
    ag.register_activation("cube_torch_test", lambda a: a**3, lambda a, z: 3 * a**2, overwrite=True)
    try:
        net = ag.layered([2, 3, 1], activation="cube_torch_test", seed=0)
        with pytest.raises(ag.UnsupportedActivationError, match="neuron 4 has activation 'cube_torch_test'"):
            to_torch(net)
        module = to_torch(net, activations={"cube_torch_test": lambda a: a**3})
        X = rng.normal(size=(3, 2))
        np.testing.assert_allclose(module(X).detach().numpy(), net.forward(X).output, rtol=0, atol=1e-12)
    finally:
        del ag.ACTIVATIONS["cube_torch_test"]


@pytest.mark.parametrize(
    "module, message",
    [
        (nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Linear(3, 1)), r"module 1 \(BatchNorm1d.* counterpart"),
        (nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(0.2), nn.Linear(3, 1)), "negative_slope=0.01"),
        (nn.Sequential(nn.ReLU(), nn.Linear(2, 1)), "must follow a Linear"),
        (nn.Sequential(nn.Linear(2, 3), nn.Linear(4, 1)), "takes 4 features but the layer before gives 3"),
        (nn.Sequential(nn.ReLU()), "must follow a Linear"),
        (nn.Conv1d(2, 1, 1), "expected an nn.Sequential .* got Conv1d"),
    ],
)
def test_unsupported_modules(module, message):
    with pytest.raises(ag.UnsupportedModuleError, match=message):
        from_torch(module)


def test_importing_the_package_does_not_import_torch():
    code = "import sys, autograd_graph; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_generations_fed_only_by_bias_neurons():
    net = ag.from_edge_list([("b", "c", 2.0), ("c", "y", -1.0), ("x", "y", 0.25)], biases=["b"], activation="tanh")
    assert net.generations() == [["x", "b"], ["c"], ["y"]]  # generation 1: neuron c, fed by the bias alone
    X = rng.normal(size=(5, 1))
    Y = rng.normal(size=(5, 1))
    module = to_torch(net)
    output = module(torch.as_tensor(X))
    torch_loss(output, Y).backward()
    trace = net.forward(X)
    np.testing.assert_allclose(output.detach().numpy(), trace.output, rtol=0, atol=1e-12)
    np.testing.assert_allclose(module.weight.grad.numpy(), net.backward(trace, Y).weights.flat, rtol=0, atol=1e-12)


def test_the_module_takes_a_1d_input_as_one_example_like_forward():
    net = ag.running_example(seed=0)
    module = to_torch(net)
    one = module(torch.tensor([0.5], dtype=torch.float64))
    assert one.shape == (1, 1) == net.forward([0.5]).output.shape
    np.testing.assert_allclose(one.detach().numpy(), net.forward([0.5]).output, rtol=0, atol=1e-12)
    assert module(0.5).shape == (1, 1)  # a scalar, for a network of one input
    two_inputs = to_torch(ag.layered([2, 3, 1], seed=0))
    assert two_inputs(np.array([0.1, 0.2])).shape == (1, 1)
    with pytest.raises(ag.ShapeError, match=r"X has shape \(1, 3\); expected \(batch, 2\)"):
        two_inputs(np.array([0.1, 0.2, 0.3]))


def test_from_torch_takes_a_bare_linear_layer():
    linear = nn.Linear(3, 2).double()
    net = from_torch(linear)
    assert net.layers() == [[1, 2, 3, 4], [5, 6]]
    X = rng.normal(size=(4, 3))
    np.testing.assert_allclose(net.forward(X).output, linear(torch.tensor(X)).detach().numpy(), rtol=0, atol=1e-12)


def test_from_torch_skips_dropout_computing_what_the_module_computes_in_eval_mode():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5), nn.Dropout(0.5), nn.ReLU(), nn.Linear(5, 1), nn.Dropout(0.1)).double()
    net = from_torch(model)
    assert [net.activation(n).name for n in net.hidden] == ["relu"] * 5
    X = rng.normal(size=(6, 3))
    expected = model.eval()(torch.tensor(X)).detach().numpy()
    np.testing.assert_allclose(net.forward(X).output, expected, rtol=0, atol=1e-12)
