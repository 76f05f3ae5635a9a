"""Random feed-forward networks for property tests (hypothesis strategies).

A drawn network has 1–3 inputs, optionally 0–2 bias neurons, and hidden and
output neurons in a random topological order; each hidden or output neuron
gets one edge from an input or an earlier neuron (so an input reaches it) plus
any subset of the other candidates, bias neurons included. Neuron ids, the
order neurons are added in, the order edges are added in (grouped by target or
shuffled) and the activations are all drawn too.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import autograd_graph as ag

__all__ = [
    "ALL_ACTIVATIONS",
    "SMOOTH_ACTIVATIONS",
    "KINKED_ACTIVATIONS",
    "LOSSES",
    "networks",
    "data_for",
    "min_outputs",
]

ALL_ACTIVATIONS = ("identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "softplus", "step")
KINKED_ACTIVATIONS = ("relu", "leaky_relu", "step")  # σ' jumps at a = 0 (elu's does not)
SMOOTH_ACTIVATIONS = tuple(a for a in ALL_ACTIVATIONS if a not in KINKED_ACTIVATIONS)
LOSSES = ("squared_error", "mse", "binary_cross_entropy", "softmax_cross_entropy")

_ID_STYLES = {
    "int": lambda i: i,
    "str": lambda i: f"n{i}",
    "tuple": lambda i: ("n", i),
}


@st.composite
def networks(
    draw,
    *,
    max_neurons: int = 12,
    activations: tuple[str, ...] = ALL_ACTIVATIONS,
    biases: bool | None = None,
    output_activation: str | None = None,
    min_outputs: int = 1,
) -> ag.Network:
    """A random valid network of 2 to ``max_neurons`` neurons.

    ``biases`` None draws whether to have bias neurons; ``output_activation``
    forces that activation on every output (binary cross-entropy needs logistic);
    ``min_outputs`` the fewest outputs (softmax cross-entropy needs 2).
    """
    n_inputs = draw(st.integers(1, 3))
    with_biases = draw(st.booleans()) if biases is None else biases
    n_biases = draw(st.integers(1, 2)) if with_biases else 0
    n_compute = draw(st.integers(min_outputs, max(min_outputs, max_neurons - n_inputs - n_biases)))
    name = _ID_STYLES[draw(st.sampled_from(sorted(_ID_STYLES)))]
    inputs = [name(i) for i in range(n_inputs)]
    bias_ids = [name(n_inputs + i) for i in range(n_biases)]
    compute = [name(n_inputs + n_biases + i) for i in range(n_compute)]

    edges = []
    for j, target in enumerate(compute):
        reachable = inputs + compute[:j]  # an input reaches each of these
        first = draw(st.sampled_from(reachable))
        others = [c for c in reachable + bias_ids if c != first]
        chosen = draw(st.lists(st.booleans(), min_size=len(others), max_size=len(others)))
        edges += [(first, target)] + [(c, target) for c, keep in zip(others, chosen, strict=True) if keep]
    is_output = draw(st.lists(st.booleans(), min_size=n_compute, max_size=n_compute))
    is_output[-min_outputs:] = [True] * min_outputs  # the last neuron is a sink: make it an output
    kinds = {n: "input" for n in inputs} | {n: "bias" for n in bias_ids}
    kinds |= {n: "output" if out else "hidden" for n, out in zip(compute, is_output, strict=True)}
    acts = {n: draw(st.sampled_from(activations)) for n in compute}
    if output_activation is not None:
        acts |= {n: output_activation for n in compute if kinds[n] == "output"}

    if draw(st.booleans()):
        edges = draw(st.permutations(edges))
    seed = draw(st.integers(0, 2**32 - 1))
    weights = np.random.default_rng(seed).uniform(-1.5, 1.5, len(edges))

    net = ag.Network(seed=seed)
    for neuron in draw(st.permutations(inputs + bias_ids + compute)):
        kind = kinds[neuron]
        if kind == "input":
            net.add_input(neuron)
        elif kind == "bias":
            net.add_bias(neuron)
        elif kind == "hidden":
            net.add_neuron(neuron, acts[neuron])
        else:
            net.add_output(neuron, acts[neuron])
    for (u, v), w in zip(edges, weights, strict=True):
        net.connect(u, v, weight=w)
    return net


def min_outputs(loss: str) -> int:
    """The fewest outputs ``loss`` is defined for."""
    return ag.get_loss(loss).min_outputs


def data_for(net: ag.Network, batch: int, seed: int, loss: str = "squared_error") -> tuple[np.ndarray, np.ndarray]:
    """Seeded inputs ``(batch, n_inputs)`` and targets ``(batch, n_outputs)`` that suit ``loss``."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, (batch, len(net.inputs)))
    if loss == "binary_cross_entropy":
        Y = rng.uniform(0, 1, (batch, len(net.outputs)))
    elif loss == "softmax_cross_entropy":
        Y = rng.dirichlet(np.ones(len(net.outputs)), batch)
    else:
        Y = rng.uniform(-2, 2, (batch, len(net.outputs)))
    return X, Y
