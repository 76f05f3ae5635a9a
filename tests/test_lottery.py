"""ag.lottery_ticket: each round prunes the fraction asked of what remains, and rewinding restores the
recorded weights exactly (the initial ones, or those after an early epoch, checked against full-batch gradient
descent written out by hand)."""

import math

import numpy as np
import pytest

import autograd_graph as ag


def data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8))
    return X, np.eye(2)[(X[:, 0] * X[:, 1] > 0).astype(int)]


SETTINGS = dict(epochs=4, loss="softmax_cross_entropy", optimizer="adam", learning_rate=0.05, seed=0, progress=False)


def test_rewinding_to_the_initial_weights():
    net = ag.layered([8, 10, 2], activation="tanh", seed=0)
    initial = dict(zip(net.edges, net.weights.tolist(), strict=True))
    X, Y = data()
    result = ag.lottery_ticket(net, X, Y, *data(30, seed=1), rounds=3, amount=0.3, **SETTINGS)
    assert result.rewind_weights == initial
    previous = None
    for r, (start, ticket, row) in enumerate(zip(result.starts, result.tickets, result.rows, strict=True)):
        assert all(start.get_weight(*e) == initial[e] for e in start.edges)  # rewound exactly
        assert set(ticket.edges) == set(start.edges)
        prunable = sum(start.kind(s) != "bias" for s, _ in start.edges)
        assert row["prunable"] == prunable and row["weights"] == start.n_weights
        if previous is not None:
            assert prunable == previous - math.floor(0.3 * previous + 0.5)
            assert set(start.edges) < set(result.tickets[r - 1].edges)
            # the edges that went are the smallest trained |w| of the previous ticket, bar the last ones of a neuron
            before = result.tickets[r - 1]
            gone = set(before.edges) - set(start.edges)
            kept = [abs(before.get_weight(*e)) for e in start.edges if before.kind(e[0]) != "bias"]
            assert sorted(kept)[len(kept) // 2] > max(abs(before.get_weight(*e)) for e in gone)
        previous = prunable
        assert 0 <= row["test_accuracy"] <= 1
    assert net.n_weights == len(initial)  # the network given is not changed
    assert [round(row["remaining"], 3) for row in result.rows] == [
        1.0,
        0.7,
        0.49,
        0.34,
    ]  # 100, 70, 49, 49 − round(14.7)


def test_late_rewinding_restores_the_weights_after_that_epoch():
    net = ag.layered([8, 10, 2], activation="tanh", seed=1)
    X, Y = data()
    lr = 0.1
    settings = dict(epochs=3, batch_size=None, optimizer="sgd", learning_rate=lr, loss="softmax_cross_entropy",
                    seed=0, progress=False)  # fmt: skip
    result = ag.lottery_ticket(net, X, Y, rounds=1, amount=0.5, rewind_to=2, **settings)
    by_hand = net.copy()  # full-batch gradient descent: two steps are two epochs
    for _ in range(2):
        grads = by_hand.backward(by_hand.forward(X), Y, loss="softmax_cross_entropy")
        by_hand.set_weights(by_hand.weights - lr * grads.weights.flat)
    expected = dict(zip(by_hand.edges, by_hand.weights.tolist(), strict=True))
    assert result.rewind_epoch == 2
    assert all(abs(result.rewind_weights[e] - expected[e]) < 1e-12 for e in expected)
    start = result.starts[1]
    assert all(start.get_weight(*e) == result.rewind_weights[e] for e in start.edges)


def test_control_figure_masks_and_errors():
    net = ag.layered([8, 10, 2], activation="tanh", seed=2)
    X, Y = data()
    result = ag.lottery_ticket(net, X, Y, *data(30, seed=1), rounds=2, amount=0.4, control=True, **SETTINGS)
    assert "control_test_accuracy" in result.rows[1] and "control_test_accuracy" not in result.rows[0]
    fig = result.figure()
    ax = fig.axes[0]
    assert ax.get_xlabel() == "fraction of prunable weights remaining" and ax.get_xscale() == "log"
    assert len(ax.get_lines()) == 2
    masks = result.masks()
    assert list(masks) == ["round 0 (100% left)", "round 1 (60% left)", "round 2 (36% left)"]
    assert "control" in str(result) and "round" in str(result)
    for kwargs, words in [({"restarts": 2}, "restarts"), ({"amount": 1.0}, "amount"),
                          ({"rewind_to": 9}, "past the 4 epochs"), ({"rounds": 0}, "rounds")]:  # fmt: skip
        with pytest.raises(ag.PruningError, match=words):
            ag.lottery_ticket(net, X, Y, **{**SETTINGS, **kwargs})
