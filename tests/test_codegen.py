"""Straight-line per-example SGD equals the array engine's forward, backward and update, step by step."""

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.engines import codegen, jit


def sgd_by_the_engine(net: ag.Network, X, Y, etas, loss="squared_error"):
    losses = []
    for x, y, eta in zip(X, Y, etas, strict=True):
        grads = net.backward(net.forward(x), y, loss=loss)
        losses.append(grads.loss)
        net.set_weights(net.weights - eta * grads.weights.flat)
    return np.array(losses)


def random_net(seed: int) -> ag.Network:
    """A random DAG over every activation with a scalar formula, outputs feeding other neurons too."""
    rng = np.random.default_rng(seed)
    acts = sorted(name for name, act in ag.ACTIVATIONS.items() if act.scalar is not None)
    net = ag.Network(seed=seed)
    names = ["x0", "x1", "x2"]
    for x in names:
        net.add_input(x)
    net.add_bias("bias")
    for j in range(12):
        name = ("n", j) if j % 2 else f"n{j}"  # tuple ids cannot be variable names
        act = acts[j % len(acts)] if j != 5 else "tanh"
        if j in (5, 10, 11):
            net.add_output(name, act)
        else:
            net.add_neuron(name, act)
        for s in rng.choice(len(names), size=min(3, len(names)), replace=False):
            net.connect(names[s], name, weight=rng.uniform(-1, 1))
        if j % 3:
            net.connect("bias", name, weight=rng.uniform(-1, 1))
        names.append(name)
    return net


@pytest.mark.parametrize("loss", ["squared_error", "mse"])
@pytest.mark.parametrize("make", [lambda: ag.running_example(seed=1), lambda: random_net(2), lambda: random_net(3)])
def test_straight_line_sgd_equals_the_engine(make, loss):
    net, twin = make(), make()
    assert ag.sgd_source(net, loss) is not None
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (30, len(net.inputs)))
    Y = rng.uniform(-1, 1, (30, len(net.outputs)))
    etas = np.linspace(0.2, 0.01, 30)  # a decreasing step size
    losses = ag.per_example_sgd(net, X, Y, etas, loss=loss)
    np.testing.assert_allclose(losses, sgd_by_the_engine(twin, X, Y, etas, loss), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(net.weights, twin.weights, rtol=1e-10, atol=1e-12)


def test_the_source_reads_as_the_running_example_derivation():
    # the names come from positions (any ids are safe); each line's comment is the derivation in ids
    source = ag.sgd_source(ag.running_example(seed=0))
    assert "# a_6 = w_3,6·z_3 + w_4,6·z_4 + w_5,6" in source
    assert "# ∂ℓ/∂a_4 = (∂ℓ/∂a_6·w_4,6 + ∂ℓ/∂a_7·w_4,7)·σ_4′(a_4)" in source  # 4 feeds 6 and 7
    assert "# w_6,9 -= η·∂ℓ/∂a_9·z_6" in source
    assert "w_3,7" not in source  # there is no 3 → 7 edge


@pytest.mark.parametrize(
    "reason",
    ["custom activation", "cross-entropy loss", "too many edges"],
)
def test_networks_it_cannot_write_take_the_array_engine_with_the_same_numbers(monkeypatch, reason):
    net, twin = ag.running_example(seed=4), ag.running_example(seed=4)
    loss = "squared_error"
    if reason == "custom activation":
        cube = ag.Activation("cube", lambda a: a**3, lambda a, z: 3 * a**2)
        for n in (net, twin):
            n.set_activation(9, cube)
    elif reason == "cross-entropy loss":  # no scalar form in the loss table
        loss = "binary_cross_entropy"
        for n in (net, twin):
            n.set_activation(9, "logistic")
    else:
        monkeypatch.setattr(codegen, "MAX_EDGES", 5)
    assert ag.sgd_source(net, loss) is None
    X = np.linspace(-1, 1, 10)[:, None]
    Y = np.cos(2 * X)
    losses = ag.per_example_sgd(net, X, Y, 0.05, loss=loss)
    np.testing.assert_allclose(losses, sgd_by_the_engine(twin, X, Y, [0.05] * 10, loss), rtol=1e-12)
    np.testing.assert_allclose(net.weights, twin.weights, rtol=1e-12)


@pytest.mark.parametrize("fallback", ["numba or Python", "Python", "array engine"])
def test_diverging_sgd_raises_and_keeps_the_weights(monkeypatch, fallback):
    if fallback != "numba or Python":
        monkeypatch.setattr(jit, "NUMBA_MAX_EDGES", 0)
    if fallback == "array engine":
        monkeypatch.setattr(codegen, "MAX_EDGES", 0)
    net = ag.running_example(seed=0)
    net.set_activation(9, "identity")
    before = net.get_weights()
    X = np.full((60, 1), 3.0)
    with pytest.raises(ag.InvalidWeightError), np.errstate(all="ignore"):
        ag.per_example_sgd(net, X, X * 100, 1e3)
    np.testing.assert_array_equal(net.weights, before)


def test_mismatched_example_counts_are_a_shape_error():
    with pytest.raises(ag.ShapeError, match="3 examples but Y has 2"):
        ag.per_example_sgd(ag.running_example(), [[0.1], [0.2], [0.3]], [[0.0], [1.0]], 0.1)


# ------------------------------------------------------------------ compiled by numba
def per_example(net, X, Y, etas, backend, loss="squared_error"):
    """One epoch through ``sgd_function(..., backend=backend)`` directly: (new weights, losses)."""
    sgd = codegen.sgd_function(net.compile().schedule, loss, backend=backend)
    assert sgd is not None
    if backend == "numba":
        return sgd(np.array(net.weights), np.ascontiguousarray(X), np.ascontiguousarray(Y), np.asarray(etas, float))
    weights, losses = sgd(net.weights.tolist(), X.tolist(), Y.tolist(), list(etas))
    return np.array(weights), np.array(losses)


@pytest.mark.parametrize("loss", ["squared_error", "mse"])
@pytest.mark.parametrize("make", [lambda: ag.running_example(seed=1), lambda: random_net(2)])
def test_numba_compiles_the_same_lines_with_the_same_numbers(make, loss):
    pytest.importorskip("numba", reason="numba is not installed (the extra 'numba')")
    net, twin = make(), make()
    assert net.n_weights <= jit.NUMBA_MAX_EDGES
    rng = np.random.default_rng(5)
    X = rng.uniform(-1, 1, (25, len(net.inputs)))
    Y = rng.uniform(-1, 1, (25, len(net.outputs)))
    etas = np.linspace(0.2, 0.01, 25)
    w_numba, l_numba = per_example(net, X, Y, etas, "numba", loss)
    w_python, l_python = per_example(net, X, Y, etas, "python", loss)
    np.testing.assert_allclose(w_numba, w_python, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(l_numba, l_python, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(l_numba, sgd_by_the_engine(twin, X, Y, etas, loss), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w_numba, twin.weights, rtol=1e-10, atol=1e-12)
    losses = ag.per_example_sgd(net, X, Y, etas, loss=loss)  # the default takes numba
    np.testing.assert_array_equal(losses, l_numba)
    np.testing.assert_array_equal(net.weights, w_numba)


def test_the_table_forms_compile_and_a_form_numba_cannot_compile_falls_back():
    numba = pytest.importorskip("numba", reason="numba is not installed (the extra 'numba')")
    logistic = ag.get_activation("logistic").scalar
    assert logistic.numba is not None
    compiled = jit.numba_namespace(logistic, numba)["_logistic"]
    assert compiled(0.0) == 0.5 and compiled(-800.0) == 0.0  # the same overflow-free function

    counts = []

    def counted(a):  # a closure over a Python list: numba cannot compile it
        counts.append(a)
        return a

    form = ag.activations.ScalarForm("_counted({a})", "1.0", {"_counted": counted})
    act = ag.Activation("counted_test", lambda a: a, lambda a, z: np.ones_like(a), scalar=form)
    net = ag.running_example(seed=0)
    net.set_activation(9, act)
    assert codegen.sgd_function(net.compile().schedule, backend="numba") is None
    ag.per_example_sgd(net, [[0.5], [0.2]], [[1.0], [0.0]], 0.1)  # the Python form runs
    assert len(counts) == 2


def test_numba_leaves_networks_over_its_limit_to_python(monkeypatch):
    pytest.importorskip("numba", reason="numba is not installed (the extra 'numba')")
    monkeypatch.setattr(jit, "NUMBA_MAX_EDGES", 11)
    net = ag.running_example(seed=3)  # 12 edges
    assert codegen.sgd_function(net.compile().schedule, backend="numba") is None
    assert codegen.sgd_function(net.compile().schedule, backend="python") is not None
