"""The compiled engine's three kernels (strided view, scatter, sparse) and float32,
each checked against the reference engine and finite differences."""

import numpy as np
import pytest
from helpers import assert_engines_agree

import autograd_graph as ag

SIZES = (3, 5, 4, 2)  # neurons per layer: inputs, hidden, hidden, outputs


def layered_net(order: str, seed: int = 0, mixed: bool = False) -> ag.Network:
    """A fully connected layered net with a bias into every non-input layer.

    ``order`` is the order edges are added in: "rows" (for each target, every
    source), "columns" (for each source, every target) or "shuffled". Bias
    edges come last, so each block of weights is contiguous. Each hidden layer
    has one activation, or two alternating ones when ``mixed`` (the compiler
    then groups a layer's neurons by activation, which permutes its rows).
    """
    rng = np.random.default_rng(seed)
    net = ag.Network(seed=seed)
    layers = []
    for t, size in enumerate(SIZES):
        layer = [(t, i) for i in range(size)]
        for neuron in layer:
            if t == 0:
                net.add_input(neuron)
            elif t == len(SIZES) - 1:
                net.add_output(neuron, "tanh")
            else:
                net.add_neuron(neuron, ["logistic", "softplus"][(t + mixed * neuron[1]) % 2])
        layers.append(layer)
    edges = []
    for sources, targets in zip(layers, layers[1:], strict=False):
        if order == "columns":
            edges += [(s, t) for s in sources for t in targets]
        else:
            edges += [(s, t) for t in targets for s in sources]
    if order == "shuffled":
        edges = [edges[i] for i in rng.permutation(len(edges))]
    for t in range(1, len(SIZES)):
        net.add_bias(("bias", t))
        edges += [(("bias", t), target) for target in layers[t]]
    for u, v in edges:
        net.connect(u, v, weight=rng.uniform(-1, 1))
    return net


def sparse_dag(n: int = 60, p: float = 0.08, seed: int = 1) -> ag.Network:
    """A random sparse DAG: 4 inputs, one bias, n hidden/output neurons."""
    rng = np.random.default_rng(seed)
    net = ag.Network(seed=seed)
    sources = [f"x{i}" for i in range(4)]
    for x in sources:
        net.add_input(x)
    net.add_bias("b")
    for j in range(n):
        name = f"n{j}"
        if j >= n - 3:
            net.add_output(name, "identity")
        else:
            net.add_neuron(name, ["tanh", "logistic", "elu"][j % 3])
        picks = [s for s in sources if rng.random() < p] or [sources[rng.integers(len(sources))]]
        for s in picks + (["b"] if rng.random() < 0.5 else []):
            net.connect(s, name, weight=rng.uniform(-1, 1))
        sources.append(name)
    return net


def kernels(net: ag.Network) -> list:
    return [None if stage.block is None else stage.block.kind for stage in net.compile().schedule.stages]


def data(net: ag.Network, batch: int = 6, seed: int = 2):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (batch, len(net.inputs))), rng.uniform(-1, 1, (batch, len(net.outputs)))


@pytest.mark.parametrize("order", ["rows", "columns"])
def test_strided_view_kernel(order):
    # whatever order edges are connected in, the flat vector is in canonical (networkx
    # G.edges) order: grouped by source, so each layer's block is a transposed strided view
    net = layered_net(order)
    assert kernels(net) == ["view", "view", "view"]
    strides = {(s.block.row_stride, s.block.col_stride) for s in net.compile().schedule.stages}
    assert strides == {(1, 5), (1, 4), (1, 2)}
    X, Y = data(net)
    assert_engines_agree(net, X, Y, "squared_error")
    ag.check_gradients(net, X, Y)


def test_connect_order_does_not_change_the_flat_order():
    rows, columns = layered_net("rows"), layered_net("columns")
    assert rows.edges == columns.edges == list(rows.to_networkx().edges)


def test_scatter_kernel_for_shuffled_edges():
    # shuffled targets within each source: the block is full but not strided
    net = layered_net("shuffled")
    assert kernels(net) == ["scatter", "scatter", "scatter"]
    X, Y = data(net)
    assert_engines_agree(net, X, Y, "squared_error")
    ag.check_gradients(net, X, Y)


def test_mixed_activations_within_a_layer():
    net = layered_net("rows", mixed=True)
    assert kernels(net) == ["scatter"] * 3  # rows regrouped by activation: no longer strided
    X, Y = data(net)
    assert_engines_agree(net, X, Y, "squared_error")
    ag.check_gradients(net, X, Y)


def test_scatter_kernel_for_a_dense_block_with_holes():
    net = layered_net("rows")
    net.disconnect((0, 1), (1, 2))  # 14 of 15 weights left: still dense
    assert kernels(net)[0] == "scatter"
    X, Y = data(net)
    assert_engines_agree(net, X, Y, "squared_error")


def test_sparse_kernel():
    net = sparse_dag()
    assert "sparse" in kernels(net)
    X, Y = data(net, batch=5)
    assert_engines_agree(net, X, Y, "squared_error")
    ag.check_gradients(net, X, Y, max_weights=40, seed=3)


def test_sparse_gradient_chunks(monkeypatch):
    # the sparse kernel sums ∂L/∂w in chunks of edges; force several chunks per stage
    monkeypatch.setattr("autograd_graph.engines.kernels.SPARSE_GRAD_CHUNK", 2)
    net = sparse_dag(seed=4)
    X, Y = data(net)
    assert_engines_agree(net, X, Y, "squared_error")


def test_stage_fed_only_by_biases():
    # hidden h has a bias as its only source: its stage has no kernel, just a bias vector
    net = ag.Network()
    net.add_input("x")
    net.add_bias("b")
    net.add_neuron("h", "tanh")
    net.add_output("y")
    net.connect("b", "h", weight=0.5)
    net.connect("h", "y", weight=2.0)
    net.connect("x", "y", weight=-1.0)
    assert kernels(net)[0] is None
    X, Y = np.array([[0.3], [1.2]]), np.array([[0.0], [1.0]])
    grads = assert_engines_agree(net, X, Y, "squared_error")
    assert grads.z["b"] == pytest.approx(grads.a["h"] * 0.5)
    ag.check_gradients(net, X, Y)


@pytest.mark.parametrize("make", [lambda: layered_net("rows"), lambda: layered_net("shuffled"), sparse_dag])
@pytest.mark.parametrize("engine", ["compiled", "reference"])
def test_float32_is_close_to_float64(make, engine):
    net = make()
    X, Y = data(net)
    t64 = net.forward(X, engine=engine)
    t32 = net.forward(X, engine=engine, dtype=np.float32)
    g64, g32 = net.backward(t64, Y), net.backward(t32, Y)
    assert t32.dtype == np.float32 and t32.output.dtype == np.float32
    assert g32.weights.flat.dtype == np.float32 and g32.a.array.dtype == np.float32
    np.testing.assert_allclose(t32.output, t64.output, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(g32.weights.flat, g64.weights.flat, rtol=1e-3, atol=1e-5)
    assert g32.loss == pytest.approx(g64.loss, rel=1e-4)


def test_network_dtype_float32_is_the_default_of_its_passes():
    net = ag.running_example(seed=0)
    net32 = ag.Network.from_networkx(net.to_networkx(), dtype=np.float32)
    X = np.array([[0.1], [0.9]])
    trace = net32.forward(X)
    assert trace.dtype == np.float32
    assert net32.forward(X, dtype=np.float64).dtype == np.float64
    np.testing.assert_allclose(trace.output, net.forward(X).output, rtol=1e-5)
