"""ag.to_onnx against onnxruntime: the running example, 64→16→10 and random DAGs (sparse and dense stages),
every activation of the table, float64 to 1e-12 and float32 to 1e-5; the file, the operators, the errors."""

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.io.torch_plan import TorchPlan

onnx = pytest.importorskip("onnx", reason="to_onnx needs onnx")
ort = pytest.importorskip("onnxruntime", reason="the models run in onnxruntime")
ort.set_default_logger_severity(3)

rng = np.random.default_rng(0)
STANDARD = ["identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "softplus", "step"]


def run(model, X: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (Y,) = session.run(None, {"X": X})
    return Y


def every_activation_dag(seed: int) -> ag.Network:
    net = ag.random_dag(120, "gnp", p=0.06, n_inputs=6, n_outputs=4, activation="tanh", seed=seed)
    for i, neuron in enumerate(net.hidden + net.outputs):
        net.set_activation(neuron, STANDARD[i % len(STANDARD)])
    return net


NETWORKS = {
    "running example": lambda: ag.running_example(seed=0),
    "64-16-10": lambda: ag.layered([64, 16, 10], activation="logistic", seed=1),
    "random DAG, every activation": lambda: every_activation_dag(2),
    "random DAG, watts-strogatz": lambda: ag.random_dag(
        40, "watts_strogatz", k=6, p=0.3, n_inputs=4, n_outputs=2, activation="softplus", seed=3
    ),  # fmt: skip
    "densenet": lambda: ag.densenet([3, 5, 5, 2], activation="elu", seed=4),
    "sparse layers": lambda: ag.layered([30, 40, 3], density=0.05, activation="relu", seed=5),
    "boolean (step)": lambda: ag.from_predicate(lambda a, b, c: (a + b + c) % 2 == 1, 3),
}


def test_the_networks_cover_sparse_and_dense_stages():
    found = {st.kind for make in NETWORKS.values() for st in TorchPlan(make().compile().schedule).stages}
    assert {"view", "scatter", "sparse"} <= found


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("name", list(NETWORKS))
def test_onnxruntime_computes_what_the_engine_computes(name, dtype, tol):
    net = NETWORKS[name]()
    model = ag.to_onnx(net, dtype=dtype)
    X = rng.normal(size=(23, len(net.inputs))) * 2
    Y = run(model, X.astype(dtype))
    assert Y.dtype == dtype and Y.shape == (23, len(net.outputs))
    want = net.forward(X).output
    np.testing.assert_allclose(Y, want, rtol=tol, atol=tol)


def test_the_model_uses_standard_operators_only_and_is_written_whole(tmp_path):
    net = every_activation_dag(6)
    path = tmp_path / "net.onnx"
    model = ag.to_onnx(net, path)
    loaded = onnx.load(path)
    onnx.checker.check_model(loaded, full_check=True)
    assert {o.domain for o in loaded.opset_import} == {""}  # the default (ai.onnx) domain only
    ops = {node.op_type for node in loaded.graph.node}
    assert {"Gather", "ScatterND", "MatMul", "Tanh", "Sigmoid"} & ops
    assert ops <= {s.name for s in onnx.defs.get_all_schemas()}
    assert loaded.SerializeToString() == model.SerializeToString()
    X = rng.normal(size=(5, 6))
    np.testing.assert_allclose(run(loaded, X), net.forward(X).output, rtol=0, atol=1e-12)
    assert [p.name for p in tmp_path.iterdir()] == ["net.onnx"]  # no temporary file left


def test_a_batch_of_one_and_an_output_that_feeds_other_neurons():
    net = ag.from_edge_list(
        [("x", "h1"), ("x", "h2"), ("h1", "t"), ("h2", "t"), ("t", "y"), ("h1", "y")],
        outputs=["y", "h1"],
        activation="softplus",
        seed=0,
    )
    X = np.array([[0.7]])
    np.testing.assert_allclose(run(ag.to_onnx(net), X), net.forward(X).output, rtol=0, atol=1e-12)


def test_an_activation_without_an_onnx_form_is_named():
    ag.register_activation("cube_onnx_test", lambda a: a**3, lambda a, z: 3 * a**2, overwrite=True)
    try:
        net = ag.layered([2, 3, 1], activation="cube_onnx_test", seed=0)
        with pytest.raises(ag.UnsupportedActivationError, match="neuron 4 has activation 'cube_onnx_test'.*onnx="):
            ag.to_onnx(net)
        ag.register_activation("cube_onnx_test", lambda a: a**3, lambda a, z: 3 * a**2, overwrite=True,
                               onnx=lambda graph, x: graph.op("Mul", x, graph.op("Mul", x, x)))  # fmt: skip
        net = ag.layered([2, 3, 1], activation="cube_onnx_test", seed=0)  # the new entry (another object)
        X = rng.normal(size=(4, 2))
        np.testing.assert_allclose(run(ag.to_onnx(net), X), net.forward(X).output, rtol=0, atol=1e-12)
    finally:
        del ag.ACTIVATIONS["cube_onnx_test"]


def test_bad_arguments_fail_before_anything_is_written(tmp_path):
    net = ag.running_example(seed=0)
    with pytest.raises(ag.InvalidDtypeError, match="float64 or float32"):
        ag.to_onnx(net, tmp_path / "a.onnx", dtype=np.float16)
    with pytest.raises(ValueError, match="opset must be an integer ≥ 16"):
        ag.to_onnx(net, tmp_path / "a.onnx", opset=13)
    assert not list(tmp_path.iterdir())
