"""A dense stage's bias, σ and chain rule in one compiled loop (engines/epilogue.py): numpy's numbers, bit for bit."""

import warnings

import numpy as np
import pytest
from helpers import assert_engines_agree

import autograd_graph as ag
from autograd_graph.engines import bound, epilogue

pytest.importorskip("numba", reason="the dense stages' loops are compiled by numba (pip install -e '.[numba]')")

SPECIAL = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-310, -1e-310, 1e300, -1e300, 1.0, -1.0]


@pytest.fixture
def loaded():
    """The loops, loaded (as the first big stage loads them)."""
    assert epilogue.loops_for([(ag.ACTIVATIONS["relu"], 0, 1)], epilogue.LOAD_FROM, np.dtype(np.float64))
    assert epilogue.loaded()


@pytest.fixture
def fresh(monkeypatch):
    """A process in which the loops were never loaded."""
    monkeypatch.setattr(epilogue, "_compiled", {})
    monkeypatch.setattr(epilogue, "_state", [])


def numpy_off(monkeypatch):
    monkeypatch.setattr(bound, "loops_for", lambda *args: None)


@pytest.fixture
def taken(monkeypatch):
    """How many times a stage took the loops."""
    count = [0]

    def counted(*args):
        found = epilogue.loops_for(*args)
        count[0] += found is not None
        return found

    monkeypatch.setattr(bound, "loops_for", counted)
    return count


def special_arrays(dtype, rows=6, batch=23, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((rows, batch)).astype(dtype)
    a.flat[: len(SPECIAL)] = SPECIAL
    bias = rng.standard_normal(rows).astype(dtype)
    bias[-1] = -0.0
    dz = rng.standard_normal((rows, batch)).astype(dtype)
    dz.flat[-len(SPECIAL) :] = SPECIAL
    return a, bias, dz


def bits(x: np.ndarray) -> np.ndarray:
    return x.view(np.int64 if x.dtype == np.float64 else np.int32)


@pytest.mark.parametrize("name", sorted(act.name for act in epilogue.LOOPS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_loops_are_numpys_forms_bit_for_bit(loaded, name, dtype):
    act = ag.ACTIVATIONS[name]
    (loops,) = epilogue.loops_for([(act, 0, 6)], 1, np.dtype(dtype))
    a, bias, dz = special_arrays(dtype)
    with np.errstate(all="ignore"):
        want_a = a + bias[:, None]
        want_z = np.empty_like(a)
        act.apply(want_a, want_z)
        want_da = np.empty_like(a)
        act.chain(want_a, want_z, dz, want_da)
        got_a, got_z, got_da = a.copy(), np.empty_like(a), np.empty_like(a)
        loops.forward(got_a, bias, got_z)
        loops.chain(got_a, got_z, dz, got_da)
    for got, want in [(got_a, want_a), (got_z, want_z), (got_da, want_da)]:
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(bits(got), bits(want))


def test_only_the_built_in_arithmetic_activations_have_loops(loaded, monkeypatch):
    f64 = np.dtype(np.float64)
    assert epilogue.loops_for([(ag.ACTIVATIONS["tanh"], 0, 3)], 10**6, f64) is None  # numpy's tanh
    relu, identity = ag.ACTIVATIONS["relu"], ag.ACTIVATIONS["identity"]
    assert epilogue.loops_for([(relu, 0, 3), (ag.ACTIVATIONS["logistic"], 3, 5)], 10**6, f64) is None  # all or none
    assert len(epilogue.loops_for([(relu, 0, 3), (identity, 3, 5)], 1, f64)) == 2
    assert epilogue.loops_for([(relu, 0, 3)], 10**6, np.dtype(np.float16)) is None
    monkeypatch.setitem(ag.ACTIVATIONS, "relu", relu)  # restored after the test
    mine = ag.register_activation("relu", lambda a: np.maximum(a, 0), lambda a, z: (a > 0) * 1.0, overwrite=True)
    assert epilogue.loops_for([(mine, 0, 3)], 10**6, f64) is None  # not the built-in one


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_relu_network_gives_the_same_numbers_with_and_without_the_loops(loaded, taken, monkeypatch, dtype):
    net = ag.layered([9, 40, 30, 4], activation="relu", output_activation="identity", seed=3)
    rng = np.random.default_rng(1)
    X, Y = rng.standard_normal((33, 9)), rng.standard_normal((33, 4))

    def everything():
        trace = net.forward(X, dtype=dtype)
        g = net.backward(trace, Y)
        return [trace.output, trace.a.array, trace.z.array, g.weights.flat, g.a.array, g.z.array]

    with_loops = [x.copy() for x in everything()]
    assert taken[0] == 3 + 3  # forward and chain of each stage
    numpy_off(monkeypatch)
    for got, want in zip(with_loops, everything(), strict=True):
        np.testing.assert_array_equal(bits(got), bits(want))
    assert_engines_agree(net, X, Y, "squared_error")


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_training_takes_the_loops_with_the_same_numbers(loaded, taken, monkeypatch, dropout):
    rng = np.random.default_rng(2)
    X, Y = rng.standard_normal((70, 8)), rng.standard_normal((70, 3))

    def trained():
        net = ag.layered([8, 24, 16, 3], activation="relu", output_activation="identity", seed=5)
        ag.train(net, X, Y, epochs=3, batch_size=16, optimizer="adam", dropout=dropout, seed=0, progress=False)
        return net.weights

    with_loops = trained()
    assert taken[0] >= 6
    numpy_off(monkeypatch)
    np.testing.assert_array_equal(bits(with_loops), bits(trained()))


def test_small_stages_leave_numba_unloaded_and_a_big_one_loads_it(fresh):
    relu, f64 = ag.ACTIVATIONS["relu"], np.dtype(np.float64)
    net = ag.layered([3, 5, 2], activation="relu", seed=0)
    net.backward(net.forward(np.ones((4, 3))), np.zeros((4, 2)))
    assert not epilogue.loaded()
    assert epilogue.loops_for([(relu, 0, 5)], epilogue.LOAD_FROM - 1, f64) is None
    assert epilogue.loops_for([(ag.ACTIVATIONS["tanh"], 0, 5)], epilogue.LOAD_FROM, f64) is None
    assert not epilogue.loaded()  # no loop for tanh: nothing to load for it
    assert epilogue.loops_for([(relu, 0, 5)], epilogue.LOAD_FROM, f64) is not None
    assert epilogue.loaded()
    assert epilogue.loops_for([(relu, 0, 5)], 1, f64) is not None  # loaded: every size takes them


def test_a_numba_that_cannot_compile_warns_once_and_keeps_numpys_forms(fresh, monkeypatch):
    from numba.core.errors import NumbaError

    def broken(numba):
        raise NumbaError("no target for this machine")

    monkeypatch.setattr(epilogue, "_compile", broken)
    relu, f64 = ag.ACTIVATIONS["relu"], np.dtype(np.float64)
    with pytest.warns(UserWarning, match="could not compile the dense stages' loops .*no target"):
        assert epilogue.loops_for([(relu, 0, 5)], epilogue.LOAD_FROM, f64) is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert epilogue.loops_for([(relu, 0, 5)], epilogue.LOAD_FROM, f64) is None  # said once
    net = ag.layered([300, 256, 2], activation="relu", seed=0)
    X, Y = np.random.default_rng(0).standard_normal((256, 300)), np.zeros((256, 2))
    assert_engines_agree(net, X, Y, "squared_error")


def test_without_numba_every_stage_keeps_numpys_forms(fresh, monkeypatch):
    monkeypatch.setattr(epilogue.importlib.util, "find_spec", lambda name, *args: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert epilogue.loops_for([(ag.ACTIVATIONS["relu"], 0, 5)], 10**7, np.dtype(np.float64)) is None
    assert not epilogue.loaded()
