"""The compiled engine's speed devices keep its numbers: prepared weights cached per version,
the sparse kernel's compiled loops and their public fallback, the deferred gradients of inputs
and biases, and the numpy compile path (generations, validation, from_networkx)."""

import networkx as nx
import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph import indexed, topology
from autograd_graph.engines import kernels
from autograd_graph.engines.dropout import DropoutMasks
from autograd_graph.engines.step import TrainingStep
from autograd_graph.losses import loss_terms


def layered_net(seed: int = 0) -> ag.Network:
    """3 → 4 → 2 with a bias per layer, added row by row: every stage is a strided view."""
    rng = np.random.default_rng(seed)
    net = ag.Network(seed=seed)
    for i in range(3):
        net.add_input(("x", i))
    for j in range(4):
        net.add_neuron(("h", j), "tanh")
    for k in range(2):
        net.add_output(("y", k), "identity")
    net.add_bias("b1")
    net.add_bias("b2")
    for j in range(4):
        for i in range(3):
            net.connect(("x", i), ("h", j), weight=rng.uniform(-1, 1))
    for k in range(2):
        for j in range(4):
            net.connect(("h", j), ("y", k), weight=rng.uniform(-1, 1))
    for j in range(4):
        net.connect("b1", ("h", j), weight=rng.uniform(-1, 1))
    for k in range(2):
        net.connect("b2", ("y", k), weight=rng.uniform(-1, 1))
    return net


def interleaved_net(seed: int = 0) -> ag.Network:
    """3 → 4 → 2, each neuron's bias edge added just before its other edges: strided views whose
    rows are one weight apart, the last row ending at the last weight."""
    rng = np.random.default_rng(seed)
    net = ag.Network(seed=seed)
    for i in range(3):
        net.add_input(("x", i))
    net.add_bias("b")
    layers = [[("x", i) for i in range(3)], [("h", j) for j in range(4)], [("y", 0), ("y", 1)]]
    for j in range(4):
        net.add_neuron(("h", j), "logistic")
    for k in range(2):
        net.add_output(("y", k))
    for sources, targets in zip(layers, layers[1:], strict=False):
        for t in targets:
            net.connect("b", t, weight=rng.uniform(-1, 1))
            for s in sources:
                net.connect(s, t, weight=rng.uniform(-1, 1))
    return net


def sparse_net(seed: int = 0, n: int = 40) -> ag.Network:
    """A sparse random DAG with inputs feeding late neurons too (stages mixing inputs and hidden rows)."""
    rng = np.random.default_rng(seed)
    net = ag.Network(seed=seed)
    names = [f"x{i}" for i in range(5)]
    for x in names:
        net.add_input(x)
    net.add_bias("b")
    for j in range(n):
        name = f"n{j}"
        net.add_output(name, "identity") if j >= n - 3 else net.add_neuron(name, ["tanh", "logistic"][j % 2])
        for s in rng.choice(names, size=min(len(names), 2), replace=False):
            net.connect(s, name, weight=rng.uniform(-1, 1))
        net.connect("b", name, weight=rng.uniform(-1, 1))
        names.append(name)
    return net


NETS = {"view": layered_net, "view, interleaved biases": interleaved_net, "sparse": sparse_net}


def data(net: ag.Network, batch: int = 5, seed: int = 1):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (batch, len(net.inputs))), rng.uniform(-1, 1, (batch, len(net.outputs)))


def reference_grads(net, X, Y):
    return net.backward(net.forward(X, engine="reference"), Y)


def assert_same_gradients(got, want, tol=1e-10):
    np.testing.assert_allclose(got.weights.flat, want.weights.flat, rtol=tol, atol=tol)
    for k in want.a:  # every neuron, inputs and biases included
        np.testing.assert_allclose(got.a[k], want.a[k], rtol=tol, atol=tol, err_msg=f"∂L/∂a of {k!r}")
        np.testing.assert_allclose(got.z[k], want.z[k], rtol=tol, atol=tol, err_msg=f"∂L/∂z of {k!r}")


def test_the_nets_use_the_kernels_they_are_named_for():
    kinds = {
        name: {st.block and st.block.kind for st in make().compile().schedule.stages} for name, make in NETS.items()
    }
    assert kinds["view"] == kinds["view, interleaved biases"] == {"view"}
    assert "sparse" in kinds["sparse"]


@pytest.mark.parametrize("make", NETS.values(), ids=NETS.keys())
@pytest.mark.parametrize(
    "change",
    [
        lambda net: net.set_weights(net.get_weights() * -2.0),
        lambda net: net.set_weights({net.edges[0]: 3.0, net.edges[-1]: -1.5}),
        lambda net: net.initialize(seed=9),
    ],
    ids=["set_weights", "set_weights mapping", "initialize"],
)
def test_deferred_input_and_bias_gradients_use_the_weights_of_their_pass(make, change):
    # ∂L/∂z of inputs and biases is computed when first read; changing the weights in between
    # must not change it
    net = make()
    X, Y = data(net)
    want = reference_grads(net, X, Y)
    grads = net.backward(net.forward(X), Y)
    change(net)
    assert_same_gradients(grads, want)


@pytest.mark.parametrize("make", NETS.values(), ids=NETS.keys())
def test_repeated_passes_and_new_weights_agree_with_the_reference(make):
    net = make()
    X, Y = data(net)
    for step in range(3):  # the prepared weights are reused, then rebuilt after each change
        for _ in range(2):
            assert_same_gradients(net.backward(net.forward(X), Y), reference_grads(net, X, Y))
        net.set_weights(net.get_weights() * 0.9 + 0.01 * step)


@pytest.mark.parametrize("make", NETS.values(), ids=NETS.keys())
def test_a_copy_with_other_weights_does_not_see_the_originals_prepared_weights(make):
    net = make()
    X, _ = data(net)
    net.forward(X)  # compiled and prepared
    twin = net.copy()  # shares the compiled plan
    twin.set_weights(net.get_weights() * 2.0)
    np.testing.assert_allclose(twin.forward(X).output, twin.forward(X, engine="reference").output, rtol=1e-12)
    np.testing.assert_allclose(net.forward(X).output, net.forward(X, engine="reference").output, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_kernel_public_scipy_path_matches_the_compiled_loops(monkeypatch, dtype):
    net = sparse_net(seed=3)
    X, Y = data(net)
    fast = net.backward(net.forward(X, dtype=dtype), Y)
    fast_z = fast.z.array.copy()
    monkeypatch.setattr(kernels, "USE_COMPILED_LOOPS", False)
    net.set_weights(net.get_weights())  # a new weights version: prepared again
    slow = net.backward(net.forward(X, dtype=dtype), Y)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(slow.weights.flat, fast.weights.flat, rtol=tol, atol=tol)
    np.testing.assert_allclose(slow.z.array, fast_z, rtol=tol, atol=tol)


@pytest.mark.parametrize("kahn", ["lists", "numpy"])
def test_generations_match_networkx(monkeypatch, kahn):
    if kahn == "numpy":
        monkeypatch.setattr(indexed, "_PYTHON_KAHN_MAX_EDGES", -1)
    rng = np.random.default_rng(0)
    for trial in range(40):
        n = int(rng.integers(1, 25))
        G = nx.gnp_random_graph(n, rng.uniform(0, 0.4), directed=True, seed=trial)
        H = nx.DiGraph()
        # node order differs from the labels, or (every other trial) labels 0, 1, 2, … in order
        H.add_nodes_from(rng.permutation(n).tolist() if trial % 2 else range(n))
        H.add_edges_from((u, v) for u, v in G.edges if u < v)  # acyclic
        order = {v: i for i, v in enumerate(H)}
        want = [sorted(gen, key=order.__getitem__) for gen in nx.topological_generations(H)]
        assert topology.generations(H) == want
        H.add_edges_from((v, u) for u, v in list(H.edges)[:1])  # one cycle
        if H.number_of_edges():
            with pytest.raises(ag.CycleError):
                topology.generations(H)


def test_from_networkx_weight_values_of_many_types():
    G = nx.DiGraph()
    G.add_edge("x", "h", weight=np.float32(0.5))
    G.add_edge("h", "y", weight=2)
    G.add_edge("x", "y", weight=np.int64(-1))
    G.add_edge("b", "h")
    nx.set_node_attributes(G, {"x": "input", "b": "bias", "h": "hidden", "y": "output"}, "kind")
    net = ag.Network.from_networkx(G, seed=0)
    w = dict(zip(net.edges, net.weights, strict=True))
    assert (w["x", "h"], w["h", "y"], w["x", "y"]) == (0.5, 2.0, -1.0)
    assert np.isfinite(w["b", "h"])  # drawn by the initializer


@pytest.mark.parametrize("bad", [True, "0.5", float("nan"), float("inf"), np.bool_(True), 10**400])
def test_from_networkx_rejects_a_bad_weight_by_name(bad):
    G = nx.DiGraph([("x", "h"), ("h", "y")])
    G.edges["h", "y"]["weight"] = bad
    with pytest.raises((ag.InvalidWeightError, OverflowError), match="'h' → 'y'|int too large"):
        ag.Network.from_networkx(G)


def test_from_networkx_builds_the_same_graph_as_add_edges_from():
    # the network's own DiGraph is built straight into networkx's adjacency dicts: same order of
    # successors and predecessors, one attribute dict per edge shared by both directions
    rng = np.random.default_rng(5)
    labels = [("t", i) if i % 3 == 0 else (f"s{i}" if i % 3 == 1 else i) for i in range(30)]
    labels = [labels[i] for i in rng.permutation(30)]
    G = nx.DiGraph()
    G.add_nodes_from(labels)
    for _ in range(80):
        a, b = sorted(rng.choice(30, size=2, replace=False))
        G.add_edge(labels[a], labels[b])
    H = ag.Network.from_networkx(G).graph
    R = nx.DiGraph()
    R.add_nodes_from(G)
    R.add_edges_from(G.edges)
    assert list(H) == list(R) and list(H.edges) == list(R.edges)
    for n in G:
        assert list(H.pred[n]) == list(R.pred[n])
        assert all(H.succ[n][v] is H.pred[v][n] for v in H.succ[n])
    assert len({id(d) for _, _, d in H.edges(data=True)}) == G.number_of_edges()


ZEROING_NETS = {**NETS, "running example (scatter)": lambda: ag.running_example(seed=0)}


@pytest.mark.parametrize("make", ZEROING_NETS.values(), ids=ZEROING_NETS.keys())
def test_backward_needs_zeros_only_in_the_rows_it_adds_into(make):
    # ∂L/∂z starts as garbage (NaN) but for engine.added_rows: the sole rows of dense kernels are
    # written whole before they are read, and the sources' rows when they are filled
    net = make()
    X, Y = data(net)
    engine, want = net.compile(), net.backward(net.forward(X), Y)
    sc = engine.schedule
    trace = net.forward(X)
    A, Z = trace.a.raw, trace.z.array
    _, dz_own, da_own = loss_terms("squared_error", trace.output, Y, A[sc.output_rows].T,
                                             sc.output_activations)  # fmt: skip
    dA, dZ, dw = np.full_like(A, np.nan), np.full_like(A, np.nan), np.full(net.n_weights, np.nan)
    engine.clear_added(dZ)
    prep = engine._prepared(net._ready().values, A.dtype, trace.versions[2])
    engine.backward_into(prep, A, Z, dA, dZ, dw, dz_own, da_own)
    np.testing.assert_array_equal(dw, want.weights.flat)
    np.testing.assert_array_equal(dZ[sc.n_sources :], want.z.array[sc.n_sources :])
    skipped = np.ones(len(sc.order), bool)
    for rows in engine.added_rows:
        skipped[rows] = False
    if make is layered_net:  # its hidden rows: only the output stage reads them, a dense product
        assert skipped[sc.n_sources : sc.stages[0].stop].all() and not skipped[sc.output_rows].any()


def test_dense_first_layers_read_the_inputs_apart_and_keep_their_own_copy():
    # a layered net's first stage reads the inputs only, by a dense product: it reads X itself, the
    # input rows of z are filled when read, and changing the caller's X afterwards changes nothing
    net = layered_net()
    X, Y = data(net)
    assert net.compile().inputs_apart and not sparse_net().compile().inputs_apart
    want = reference_grads(net, X, Y)
    X_in = X.copy()
    trace = net.forward(X_in)
    X_in[...] = 7.0
    assert_same_gradients(net.backward(trace, Y), want)
    np.testing.assert_array_equal(trace.x, X)
    for k, x in zip(net.inputs, X.T, strict=True):
        np.testing.assert_array_equal(trace.z[k], x)
        np.testing.assert_array_equal(trace.a[k], x)


@pytest.mark.parametrize("loss", ["squared_error", "softmax_cross_entropy"])
def test_training_steps_reading_the_inputs_apart_match_the_public_passes(loss):
    net = layered_net()
    X, Y = data(net)
    Y = np.eye(2)[[0, 1, 1, 0, 1]] if loss == "softmax_cross_entropy" else Y
    step = TrainingStep(net.compile(), loss, np.float64, net.weights)
    for _ in range(2):  # the second step reuses the buffers
        np.testing.assert_array_equal(step.gradient(X, Y), net.backward(net.forward(X), Y, loss=loss).weights.flat)


def test_dropout_of_inputs_reads_the_masked_inputs_not_x():
    # with inputs dropping, the stages read the masked rows of z, not X: as a pass on the masked batch
    net = layered_net()
    X, Y = data(net)
    engine = net.compile()
    drop = DropoutMasks(engine.schedule, {("x", 0): 0.5, ("x", 2): 0.25})
    masks = {("x", 0): np.array([1.0, 0.0, 1.0, 1.0, 0.0]), ("x", 2): np.array([0.0, 1.0, 1.0, 1.0, 1.0])}
    drop.fix(masks, batch=5)
    got = TrainingStep(engine, "squared_error", np.float64, net.weights).gradient(X, Y, drop)
    masked = X.copy()
    masked[:, 0] *= masks[("x", 0)] / 0.5
    masked[:, 2] *= masks[("x", 2)] / 0.75
    want = net.backward(net.forward(masked, engine="reference"), Y).weights.flat
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
