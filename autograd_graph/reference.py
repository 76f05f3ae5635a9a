"""The explicit reference engine: the SPEC's formulas, one neuron at a time.

Kept for checking the compiled engine and for teaching; it loops over neurons
in topological order (each step is vectorized over the batch only). Read it
next to the SPEC:

- forward: ``a_k = Σ_{i ∈ I_k} w_{i,k} z_i`` and ``z_k = σ_k(a_k)``;
- backward, in reverse topological order:
  ``∂L/∂z_k = Σ_{j : k→j} ∂L/∂a_j · w_{k,j}`` (plus the loss's own term for an
  output), ``∂L/∂a_k = ∂L/∂z_k · σ_k'(a_k)``, and
  ``∂L/∂w_{i,j} = Σ_batch ∂L/∂a_j · z_i``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .data import as_batch
from .exceptions import ShapeError
from .losses import Loss, get_loss, loss_terms
from .results import EdgeValues, Gradients, NeuronValues, Trace

if TYPE_CHECKING:
    from .network import Network

__all__ = ["forward", "backward"]


def _topological_order(net: Network) -> list:
    return [node for generation in net.generations() for node in generation]


def forward(net: Network, X: Any, dtype: np.dtype) -> Trace:
    """Forward pass, neuron by neuron."""
    G = net._graph
    X = as_batch(X, net.inputs, dtype=dtype)
    batch = X.shape[0]
    w = {edge: dtype.type(value) for edge, value in zip(net._edges, net._w, strict=True)}
    a: dict = {}
    z: dict = {}
    for column, k in enumerate(net.inputs):
        a[k] = z[k] = X[:, column]  # input neurons apply no function: z_k = x_k
    for k in _topological_order(net):
        kind = G.nodes[k]["kind"]
        if kind == "input":
            continue
        if kind == "bias":
            a[k] = z[k] = np.ones(batch, dtype)  # bias neurons always output 1
            continue
        a[k] = sum((w[i, k] * z[i] for i in G.predecessors(k)), np.zeros(batch, dtype))
        z[k] = G.nodes[k]["activation"].function(a[k])
    rows = {node: i for i, node in enumerate(net.neurons)}
    A = np.stack([a[n] for n in net.neurons])  # (n_neurons, batch)
    Z = np.stack([z[n] for n in net.neurons])
    output = np.stack([z[k] for k in net.outputs], axis=1)  # (batch, n_outputs)
    return Trace(
        NeuronValues(rows, A, "a"),
        NeuronValues(rows, Z, "z"),
        output,
        "reference",
        net.inputs,
        net.outputs,
        net._versions,
    )


def backward(net: Network, trace: Trace, Y: Any, loss: str | Loss) -> Gradients:
    """Backward pass, neuron by neuron, by the multivariate chain rule."""
    G = net._graph
    dtype = trace.dtype
    Y = as_batch(Y, net.outputs, dtype=dtype, what="Y")
    if Y.shape[0] != trace.batch_size:
        raise ShapeError(f"Y has {Y.shape[0]} examples but the trace has {trace.batch_size}")
    a, z = trace.a, trace.z
    outputs = net.outputs
    output_activations = [G.nodes[k]["activation"] for k in outputs]
    a_out = np.stack([a[k] for k in outputs], axis=1)
    losses, dz_own, da_own = loss_terms(loss, trace.output, Y, a_out, output_activations)
    column = {k: c for c, k in enumerate(outputs)}
    w = {edge: dtype.type(value) for edge, value in zip(net._edges, net._w, strict=True)}
    da: dict = {}
    dz: dict = {}
    for k in reversed(_topological_order(net)):
        # ∂L/∂z_k = Σ_{j : k→j} ∂L/∂a_j · w_{k,j}: k feeds several neurons, their terms add up
        downstream = sum((da[j] * w[k, j] for j in G.successors(k)), np.zeros(trace.batch_size, dtype))
        kind = G.nodes[k]["kind"]
        if kind in ("input", "bias"):
            dz[k] = da[k] = downstream
            continue
        own = column.get(k)
        sigma = G.nodes[k]["activation"]
        if own is None:
            dz[k] = downstream
            da[k] = dz[k] * sigma.derivative(a[k], z[k])
        elif da_own is None:
            dz[k] = downstream + dz_own[:, own]  # for an output: 2 (z_k − y_k) / batch, plus what flows back
            da[k] = dz[k] * sigma.derivative(a[k], z[k])
        else:  # the loss gives ∂L/∂a of its outputs directly
            dz[k] = downstream + dz_own[:, own]
            da[k] = downstream * sigma.derivative(a[k], z[k]) + da_own[:, own]
    # ∂L/∂w_{i,j} = ∂L/∂a_j · z_i, summed over the batch
    dw = np.array([np.sum(da[j] * z[i]) for i, j in net._edges], dtype=dtype)
    rows = {node: i for i, node in enumerate(net.neurons)}
    return Gradients(
        float(losses.mean()),
        losses,
        NeuronValues(rows, np.stack([da[n] for n in net.neurons]), "∂L/∂a"),
        NeuronValues(rows, np.stack([dz[n] for n in net.neurons]), "∂L/∂z"),
        EdgeValues(dict(net._position), dw, "∂L/∂w"),
        get_loss(loss),
    )
