"""The running example, checked against the SPEC's formulas written out by hand.

Neurons: input 1; bias 2, 5, 8; hidden 3, 4, 6, 7 (logistic); output 9
(identity). Edges 1→3, 1→4, 2→3, 2→4, 3→6, 4→6, 4→7, 5→6, 5→7, 6→9, 7→9,
8→9 (no 3→7).
"""

import math

import numpy as np
import pytest

import autograd_graph as ag

W = {
    (1, 3): 0.15, (1, 4): -0.35, (2, 3): 0.40, (2, 4): 0.10,
    (3, 6): 0.85, (4, 6): -1.20, (4, 7): 0.55, (5, 6): 0.05, (5, 7): -0.45,
    (6, 9): 1.30, (7, 9): -0.70, (8, 9): 0.25,
}  # fmt: skip
ENGINES = ["compiled", "reference"]


def sigma(t: float) -> float:
    return 1.0 / (1.0 + math.exp(-t))


def by_hand(x: float, y: float, w: dict = W) -> dict:
    """a, z, ∂ℓ/∂a, ∂ℓ/∂z and ∂ℓ/∂w of one example, from the SPEC's formulas."""
    # forward: a_k = Σ_i w_{i,k} z_i, z_k = σ(a_k); inputs z = x, biases z = 1
    z1, z2, z5, z8 = x, 1.0, 1.0, 1.0
    a3 = w[1, 3] * z1 + w[2, 3] * z2
    z3 = sigma(a3)
    a4 = w[1, 4] * z1 + w[2, 4] * z2
    z4 = sigma(a4)
    a6 = w[3, 6] * z3 + w[4, 6] * z4 + w[5, 6] * z5  # z_6 = σ_6(w36 z3 + w46 z4 + w56)
    z6 = sigma(a6)
    a7 = w[4, 7] * z4 + w[5, 7] * z5  # no 3→7 edge
    z7 = sigma(a7)
    a9 = w[6, 9] * z6 + w[7, 9] * z7 + w[8, 9] * z8
    z9 = a9  # identity output
    loss = (y - z9) ** 2

    # backward
    dz9 = 2 * (z9 - y)  # ∂ℓ/∂z_9 = 2 (z_9 − y)
    da9 = dz9 * 1.0  # σ_9' = 1
    dz6 = da9 * w[6, 9]
    da6 = dz6 * z6 * (1 - z6)  # σ' = σ (1 − σ)
    dz7 = da9 * w[7, 9]
    da7 = dz7 * z7 * (1 - z7)
    dz8 = da9 * w[8, 9]
    dz3 = da6 * w[3, 6]
    da3 = dz3 * z3 * (1 - z3)
    dz4 = da6 * w[4, 6] + da7 * w[4, 7]  # ∂ℓ/∂z_4 = ∂ℓ/∂a_6·w46 + ∂ℓ/∂a_7·w47
    da4 = dz4 * z4 * (1 - z4)
    dz5 = da6 * w[5, 6] + da7 * w[5, 7]
    dz1 = da3 * w[1, 3] + da4 * w[1, 4]
    dz2 = da3 * w[2, 3] + da4 * w[2, 4]

    dw = {  # ∂ℓ/∂w_{i,j} = ∂ℓ/∂a_j · z_i
        (1, 3): da3 * z1, (1, 4): da4 * z1, (2, 3): da3 * z2, (2, 4): da4 * z2,
        (3, 6): da6 * z3, (4, 6): da6 * z4, (4, 7): da7 * z4, (5, 6): da6 * z5, (5, 7): da7 * z5,
        (6, 9): da9 * z6, (7, 9): da9 * z7, (8, 9): da9 * z8,
    }  # fmt: skip
    # ∂ℓ/∂w_{6,9} = ∂ℓ/∂z_9 · ∂z_9/∂a_9 · z_6, as the SPEC writes it
    assert dw[6, 9] == dz9 * 1.0 * z6
    return {
        "a": {1: z1, 2: z2, 3: a3, 4: a4, 5: z5, 6: a6, 7: a7, 8: z8, 9: a9},
        "z": {1: z1, 2: z2, 3: z3, 4: z4, 5: z5, 6: z6, 7: z7, 8: z8, 9: z9},
        # input and bias neurons apply no function: ∂ℓ/∂a = ∂ℓ/∂z
        "da": {1: dz1, 2: dz2, 3: da3, 4: da4, 5: dz5, 6: da6, 7: da7, 8: dz8, 9: da9},
        "dz": {1: dz1, 2: dz2, 3: dz3, 4: dz4, 5: dz5, 6: dz6, 7: dz7, 8: dz8, 9: dz9},
        "dw": dw,
        "loss": loss,
    }


@pytest.fixture
def net() -> ag.Network:
    return ag.running_example(W)


@pytest.mark.parametrize("engine", ENGINES)
def test_one_example_matches_hand_derivation(net, engine):
    x, y = 0.8, 0.3
    hand = by_hand(x, y)
    trace = net.forward([[x]], engine=engine)
    grads = net.backward(trace, [[y]])
    for k in range(1, 10):
        assert trace.a[k] == pytest.approx([hand["a"][k]], abs=1e-12), f"a_{k}"
        assert trace.z[k] == pytest.approx([hand["z"][k]], abs=1e-12), f"z_{k}"
        assert grads.a[k] == pytest.approx([hand["da"][k]], abs=1e-12), f"∂ℓ/∂a_{k}"
        assert grads.z[k] == pytest.approx([hand["dz"][k]], abs=1e-12), f"∂ℓ/∂z_{k}"
    for edge, value in hand["dw"].items():
        assert grads.weights[edge] == pytest.approx(value, abs=1e-12), f"∂ℓ/∂w_{edge}"
    assert grads.loss == pytest.approx(hand["loss"], abs=1e-12)
    np.testing.assert_allclose(trace.output, [[hand["z"][9]]], rtol=0, atol=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_batch_grads_carry_one_over_batch_and_weight_grads_sum(net, engine):
    xs, ys = [-1.5, 0.0, 0.4, 2.2], [0.9, -0.3, 0.1, 1.7]
    batch = len(xs)
    hands = [by_hand(x, y) for x, y in zip(xs, ys, strict=True)]
    trace = net.forward(np.array(xs).reshape(-1, 1), engine=engine)
    grads = net.backward(trace, np.array(ys).reshape(-1, 1))
    for k in range(1, 10):
        np.testing.assert_allclose(trace.a[k], [h["a"][k] for h in hands], rtol=0, atol=1e-12)
        np.testing.assert_allclose(trace.z[k], [h["z"][k] for h in hands], rtol=0, atol=1e-12)
        np.testing.assert_allclose(grads.a[k], [h["da"][k] / batch for h in hands], rtol=0, atol=1e-12)
        np.testing.assert_allclose(grads.z[k], [h["dz"][k] / batch for h in hands], rtol=0, atol=1e-12)
    for edge in W:
        expected = sum(h["dw"][edge] for h in hands) / batch
        assert grads.weights[edge] == pytest.approx(expected, abs=1e-12), edge
    np.testing.assert_allclose(grads.losses, [h["loss"] for h in hands], rtol=0, atol=1e-12)
    assert grads.loss == pytest.approx(sum(h["loss"] for h in hands) / batch, abs=1e-12)


def test_weights_in_spec_order(net):
    assert net.edges == list(W)
    assert net.edges == ag.RUNNING_EXAMPLE_EDGES
    np.testing.assert_array_equal(net.weights, list(W.values()))
    assert ag.running_example(list(W.values())).get_weights().tolist() == list(W.values())


def test_structure(net):
    assert net.n_neurons == 9
    assert net.n_weights == 12
    assert net.inputs == [1] and net.biases == [2, 5, 8]
    assert net.hidden == [3, 4, 6, 7] and net.outputs == [9]
    assert (3, 7) not in net.edges
    assert net.is_layered()
    assert net.layers() == [[1, 2], [3, 4, 5], [6, 7, 8], [9]]
    # generations: every neuron without incoming edges (bias neurons too) is in generation 0
    assert net.generations() == [[1, 2, 5, 8], [3, 4], [6, 7], [9]]
    assert net.depth() == 3


def test_seeded_weights_are_reproducible():
    np.testing.assert_array_equal(ag.running_example(seed=7).weights, ag.running_example(seed=7).weights)
    assert not np.array_equal(ag.running_example(seed=7).weights, ag.running_example(seed=8).weights)


@pytest.mark.parametrize(
    "weights, got", [([1, 2, 3], "got 3 values"), (list(range(13)), "got 13 values"), (5, "got 5")]
)
def test_a_weight_list_of_the_wrong_length_names_the_expected_count(weights, got):
    with pytest.raises(ag.InvalidWeightError, match=f"needs 12 weights, one per edge .*; {got}"):
        ag.running_example(weights)
