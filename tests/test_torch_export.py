"""The scalable PyTorch export: sparse and dense generations against the engine (outputs, ∂L/∂w, ∂L/∂x),
both dtypes; pickling, torch.save, state_dict, devices (meta), torch.compile; from_torch of wrapped modules."""

import io
import pickle
import socket

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.io.torch_plan import TorchPlan

torch = pytest.importorskip("torch", reason="the PyTorch export needs torch")
nn = torch.nn

rng = np.random.default_rng(0)


def kinds(net: ag.Network) -> set[str]:
    return {st.kind for st in TorchPlan(net.compile().schedule).stages}


def mixed_dag(seed: int) -> ag.Network:
    """A random DAG whose generations mix activations (so each activation's rows are scattered)."""
    net = ag.random_dag(80, "gnp", p=0.08, n_inputs=5, n_outputs=3, activation="tanh", seed=seed)
    names = ["logistic", "relu", "softplus", "identity", "elu", "leaky_relu", "step"]
    for i, neuron in enumerate(net.hidden):
        net.set_activation(neuron, names[i % len(names)])
    return net


def dense_and_sparse(seed: int) -> ag.Network:
    """A layered net with holes (scatter blocks) and a sparse random part, in one network."""
    net = ag.layered([6, 12, 8, 3], activation="tanh", seed=seed)
    rs = np.random.default_rng(seed)
    hidden = [n for n in net.hidden if net.kind(n) == "hidden"]
    for neuron in hidden[12:]:  # drop a few edges of the second layer: a scatter block
        for source in list(net.graph.predecessors(neuron))[:3]:
            if net.kind(source) != "bias":
                net.disconnect(source, neuron)
    for k in range(30):  # sparse skip neurons: long chains fed from far back
        name = f"s{k}"
        net.add_neuron(name, "softplus")
        earlier = [n for n in net.neurons if net.kind(n) in ("input", "hidden") and n != name]
        for source in rs.choice(len(earlier), size=2, replace=False):
            net.connect(earlier[source], name, weight=rs.normal())
        net.connect(name, net.outputs[k % 3], weight=rs.normal() * 0.3)
    return net


NETWORKS = {
    "mixed activations": lambda: mixed_dag(0),
    "dense and sparse": lambda: dense_and_sparse(1),
    "running example": lambda: ag.running_example(seed=2),
    "64-16-10": lambda: ag.layered([64, 16, 10], activation="relu", seed=3),
    "sparse layers": lambda: ag.layered([40, 60, 5], density=0.05, activation="tanh", seed=4),
}


def test_the_networks_cover_every_kernel():
    found = set().union(*(kinds(make()) for make in NETWORKS.values()))
    assert {"view", "scatter", "sparse"} <= found
    assert {"scatter", "sparse"} <= kinds(dense_and_sparse(1))  # dense and sparse stages in one network


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(NETWORKS))
def test_outputs_and_gradients_equal_the_engine(name, dtype):
    net = NETWORKS[name]()
    tdtype = getattr(torch, dtype)
    tol = dict(rtol=0, atol=1e-10) if dtype == "float64" else dict(rtol=1e-4, atol=1e-5)
    module = ag.to_torch(net, dtype=tdtype)
    X = rng.normal(size=(17, len(net.inputs)))
    Y = rng.normal(size=(17, len(net.outputs)))
    trace = net.forward(X)
    grads = net.backward(trace, Y)
    Xt = torch.tensor(X, dtype=tdtype, requires_grad=True)
    output = module(Xt)
    loss = ((output - torch.tensor(Y, dtype=tdtype)) ** 2).sum(dim=1).mean()
    loss.backward()
    assert output.dtype == module.weight.grad.dtype == tdtype
    np.testing.assert_allclose(output.detach().double().numpy(), trace.output, **tol)
    np.testing.assert_allclose(module.weight.grad.double().numpy(), grads.weights.flat, **tol)
    dX = np.column_stack([grads.z[k] for k in net.inputs])  # ∂L/∂x: the input neurons' ∂L/∂z
    np.testing.assert_allclose(Xt.grad.double().numpy(), dX, **tol)


def test_gradients_against_finite_differences_of_the_module():
    net = mixed_dag(5)
    for neuron in net.hidden:  # smooth activations only, for finite differences
        if net.activation(neuron).name in ("relu", "leaky_relu", "step"):
            net.set_activation(neuron, "tanh")
    module = ag.to_torch(net)
    X = torch.tensor(rng.normal(size=(4, len(net.inputs))))
    assert torch.autograd.gradcheck(lambda w: torch.func.functional_call(module, {"weight": w}, (X,)),
                                    (module.weight.detach().clone().requires_grad_(),), fast_mode=True)  # fmt: skip


def test_pickle_torch_save_and_state_dict_round_trips(tmp_path):
    net = dense_and_sparse(2)
    module = ag.to_torch(net)
    X = torch.tensor(rng.normal(size=(5, len(net.inputs))))
    want = module(X)
    again = pickle.loads(pickle.dumps(module))
    assert torch.equal(again(X), want)
    buffer = io.BytesIO()
    torch.save(module, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=False)  # a whole module: a trusted file
    assert torch.equal(loaded(X), want)
    assert list(module.state_dict()) == ["weight"]  # the index arrays are no buffers: DDP has nothing to sync
    torch.save(module.state_dict(), tmp_path / "weights.pt")
    fresh = ag.to_torch(net)
    with torch.no_grad():
        fresh.weight.zero_()
    fresh.load_state_dict(torch.load(tmp_path / "weights.pt"))  # weights_only: the safe way
    assert torch.equal(fresh(X), want)


def test_meta_device_gives_shapes_without_computing():
    net = ag.random_dag(300, "gnp", p=0.05, n_inputs=8, n_outputs=4, seed=0)
    assert "sparse" in kinds(net)
    module = ag.to_torch(net).to("meta")
    out = module(torch.empty(32, 8, dtype=torch.float64, device="meta"))
    assert out.shape == (32, 4) and out.is_meta
    out.sum().backward()
    assert module.weight.grad.shape == (net.n_weights,) and module.weight.grad.is_meta
    back = module.to_empty(device="cpu")  # real memory again; the indices follow the weight to the CPU
    with torch.no_grad():
        back.weight.copy_(torch.tensor(net.weights))
    X = rng.normal(size=(3, 8))
    np.testing.assert_allclose(back(X).detach().numpy(), net.forward(X).output, rtol=0, atol=1e-12)


def test_dtype_follows_the_module_and_bad_dtypes_are_refused():
    net = ag.running_example(seed=0)
    module = ag.to_torch(net).to(torch.float32)
    assert module(np.array([[0.5]])).dtype == torch.float32
    with pytest.raises(ag.InvalidDtypeError, match="float64 or float32"):
        ag.to_torch(net, dtype=torch.float16)


def test_double_backward_says_it_is_not_supported():
    module = ag.to_torch(ag.running_example(seed=0))
    X = torch.tensor([[0.3]], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(module(X).sum(), X, create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable|does not require grad|twice"):
        g.sum().backward()


def test_torch_compile_runs_the_module():
    net = mixed_dag(1)
    module = ag.to_torch(net)
    compiled = torch.compile(module)
    X = rng.normal(size=(6, len(net.inputs)))
    output = compiled(torch.tensor(X))
    output.sum().backward()
    np.testing.assert_allclose(output.detach().numpy(), net.forward(X).output, rtol=0, atol=1e-12)
    assert module.weight.grad is not None
    assert ag.from_torch(compiled).edges == net.edges  # torch.compile's wrapper is unwrapped too


def test_from_torch_unwraps_data_parallel_and_names_what_is_inside():
    net = ag.running_example(seed=0)
    module = ag.to_torch(net)
    with torch.no_grad():
        module.weight += 1.0
    again = ag.from_torch(nn.DataParallel(module))  # on CPU it only wraps
    np.testing.assert_array_equal(again.weights, net.weights + 1.0)
    with pytest.raises(ag.UnsupportedModuleError, match=r"got Conv1d \(inside DataParallel\)"):
        ag.from_torch(nn.DataParallel(nn.Conv1d(1, 1, 1)))


def test_from_torch_of_a_distributed_data_parallel_module():
    import torch.distributed as dist

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=0, world_size=1)
    try:
        net = ag.random_dag(20, "gnp", p=0.2, n_inputs=2, n_outputs=1, seed=1)
        ddp = nn.parallel.DistributedDataParallel(ag.to_torch(net))
        X = torch.tensor(rng.normal(size=(8, 2)))
        optimizer = torch.optim.SGD(ddp.parameters(), lr=0.1)
        ddp(X).pow(2).sum().backward()
        optimizer.step()
        trained = ag.from_torch(ddp)
        assert trained.edges == net.edges and not np.array_equal(trained.weights, net.weights)
        np.testing.assert_allclose(trained.forward(X.numpy()).output, ddp(X).detach().numpy(), rtol=0, atol=1e-12)
        seq = nn.parallel.DistributedDataParallel(nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)).double())
        assert ag.from_torch(seq).n_weights == 13
    finally:
        dist.destroy_process_group()
