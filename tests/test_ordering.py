"""Stable orders by radix passes (ordering.py) against numpy's own sorts, and the layers a network works out once."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import autograd_graph as ag
from autograd_graph.ordering import first_of_each, lex_order, stable_order

BOUNDS = [1, 2, 255, 1 << 16, (1 << 16) + 1, 1 << 32, (1 << 32) + 5, 1 << 62]


@given(st.sampled_from(BOUNDS), st.integers(0, 300), st.integers(0, 2**32 - 1))
def test_stable_order_is_numpys_stable_argsort(bound, n, seed):
    values = np.random.default_rng(seed).integers(0, bound, n)
    np.testing.assert_array_equal(stable_order(values), np.argsort(values, kind="stable"))
    np.testing.assert_array_equal(stable_order(values, bound), np.argsort(values, kind="stable"))


@given(arrays(np.int64, st.integers(0, 200), elements=st.integers(0, 70_000)), st.integers(1, 40),
       st.booleans(), st.integers(0, 2**32 - 1))  # fmt: skip
def test_lex_order_is_numpys_lexsort(major, n_minor, ascending, seed):
    minor = np.random.default_rng(seed).integers(0, n_minor, major.size)
    if ascending:
        minor.sort()
    np.testing.assert_array_equal(lex_order(major, minor, n_minor), np.lexsort((minor, major)))


def test_an_empty_array_has_an_empty_order():
    assert stable_order(np.zeros(0, dtype=np.int64)).dtype == np.int64
    assert lex_order(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 1).size == 0


def test_the_layers_are_worked_out_again_after_a_change():
    net = ag.layered([2, 3, 1], seed=0)
    assert net.is_layered() and [len(layer) for layer in net.layers()] == [3, 4, 1]  # a bias per layer
    before = net.layers()
    before[0].append("not a neuron")  # a copy: the network's own numbers stay as they were
    assert [len(layer) for layer in net.layers()] == [3, 4, 1]
    inputs = list(net.inputs)
    net.rewire(add=[(inputs[0], net.outputs[0], 0.5)])  # a skip edge: no longer layered
    assert not net.is_layered()
    for _ in range(2):  # the same error each time, naming the edge
        with pytest.raises(ag.NotLayeredError, match="not layered") as caught:
            net.layers()
        assert caught.value.edge is not None
    net.rewire(remove=[(inputs[0], net.outputs[0])])
    assert net.is_layered()


@given(arrays(np.int64, st.integers(0, 300), elements=st.integers(0, 40)), st.sampled_from([41, 1 << 20, 1 << 40]))
def test_first_of_each_is_numpys_unique_return_index(values, bound):
    values = values * (bound // 41)
    _, first = np.unique(values, return_index=True)
    np.testing.assert_array_equal(np.flatnonzero(first_of_each(values, bound)), np.sort(first))
