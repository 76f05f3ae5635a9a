"""The explicit reference engine: the SPEC's formulas, one neuron at a time.

Kept for checking the compiled engine and for teaching; it loops over neurons
in topological order (each step is vectorized over the batch only) and reads
the network only through its description, an
:class:`~autograd_graph.topology.IndexedGraph`. Read it next to the SPEC:

- forward: ``a_k = Σ_{i ∈ I_k} w_{i,k} z_i`` and ``z_k = σ_k(a_k)``;
- backward, in reverse topological order:
  ``∂L/∂z_k = Σ_{j : k→j} ∂L/∂a_j · w_{k,j}`` (plus the loss's own term for an
  output), ``∂L/∂a_k = ∂L/∂z_k · σ_k'(a_k)``, and
  ``∂L/∂w_{i,j} = Σ_batch ∂L/∂a_j · z_i``.

Examples
--------
>>> import numpy as np
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> engine = ReferenceEngine(net.indexed())
>>> trace = engine.forward(net.weights, np.array([[0.5]]), np.dtype(np.float64), net.versions)
>>> trace.order[:3], bool(np.allclose(trace.output, net.forward([[0.5]]).output))
([1, 2, 5], True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data import as_batch
from ..exceptions import ShapeError
from ..losses import Loss, get_loss, loss_terms
from ..results import EdgeValues, EngineKind, Gradients, NeuronValues, Trace
from ..topology import IndexedGraph

__all__ = ["ReferenceEngine"]


class ReferenceEngine:
    """Passes neuron by neuron over a network's description (``net.indexed()``)."""

    kind = EngineKind.REFERENCE

    def __init__(self, graph: IndexedGraph) -> None:
        self.graph = graph
        self.order = graph.topological_order().tolist()  # node indices, each after all its sources
        self.incoming: list[list[tuple[int, int]]] = [[] for _ in graph.nodes]  # k -> [(i, edge position)]
        self.outgoing: list[list[tuple[int, int]]] = [[] for _ in graph.nodes]  # k -> [(j, edge position)]
        for p, (i, k) in enumerate(zip(graph.src.tolist(), graph.dst.tolist(), strict=True)):
            self.incoming[k].append((i, p))
            self.outgoing[i].append((k, p))
        self.inputs = graph.of_kind("input").tolist()
        self.outputs = graph.of_kind("output").tolist()
        self.neurons = [graph.nodes[k] for k in self.order]  # the rows of the results
        self.rows = {neuron: row for row, neuron in enumerate(self.neurons)}

    def _stack(self, values: dict[int, np.ndarray]) -> np.ndarray:
        return np.stack([values[k] for k in self.order])  # (n_neurons, batch), rows in topological order

    def forward(self, w: np.ndarray, X: Any, dtype: np.dtype, versions: tuple) -> Trace:
        """Forward pass, neuron by neuron."""
        g = self.graph
        inputs = [g.nodes[k] for k in self.inputs]
        outputs = [g.nodes[k] for k in self.outputs]
        X = as_batch(X, inputs, dtype=dtype)
        batch = X.shape[0]
        w = w.astype(dtype)
        a: dict[int, np.ndarray] = {}
        z: dict[int, np.ndarray] = {}
        for column, k in enumerate(self.inputs):
            a[k] = z[k] = X[:, column]  # input neurons apply no function: z_k = x_k
        for k in self.order:
            if g.kinds[k] == "input":
                continue
            if g.kinds[k] == "bias":
                a[k] = z[k] = np.ones(batch, dtype)  # bias neurons always output 1
                continue
            a[k] = sum((w[p] * z[i] for i, p in self.incoming[k]), np.zeros(batch, dtype))
            z[k] = g.activations[k].function(a[k])  # type: ignore[union-attr]
        output = np.stack([z[k] for k in self.outputs], axis=1)  # (batch, n_outputs)
        return Trace(
            NeuronValues(self.neurons, self.rows, self._stack(a), "a"),
            NeuronValues(self.neurons, self.rows, self._stack(z), "z"),
            output, self.kind, inputs, outputs, versions,
        )  # fmt: skip

    def backward(self, w: np.ndarray, trace: Trace, Y: Any, loss: str | Loss) -> Gradients:
        """Backward pass, neuron by neuron, by the multivariate chain rule."""
        g = self.graph
        dtype = trace.dtype
        Y = as_batch(Y, trace.outputs, dtype=dtype, what="Y")
        if Y.shape[0] != trace.batch_size:
            raise ShapeError(f"Y has {Y.shape[0]} examples but the trace has {trace.batch_size}")
        a = {k: trace.a[g.nodes[k]] for k in self.order}
        z = {k: trace.z[g.nodes[k]] for k in self.order}
        output_activations = [g.activations[k] for k in self.outputs]
        a_out = np.stack([a[k] for k in self.outputs], axis=1)
        losses, dz_own, da_own = loss_terms(loss, trace.output, Y, a_out, output_activations)
        column = {k: c for c, k in enumerate(self.outputs)}
        w = w.astype(dtype)
        da: dict[int, np.ndarray] = {}
        dz: dict[int, np.ndarray] = {}
        for k in reversed(self.order):
            # ∂L/∂z_k = Σ_{j : k→j} ∂L/∂a_j · w_{k,j}: k feeds several neurons, their terms add up
            downstream = sum((da[j] * w[p] for j, p in self.outgoing[k]), np.zeros(trace.batch_size, dtype))
            if g.kinds[k] in ("input", "bias"):
                dz[k] = da[k] = downstream
                continue
            own = column.get(k)
            sigma = g.activations[k]
            assert sigma is not None  # hidden and output neurons have one
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
        dw = np.array([np.sum(da[j] * z[i]) for i, j in zip(g.src.tolist(), g.dst.tolist(), strict=True)], dtype)
        return Gradients(
            float(losses.mean()),
            losses,
            NeuronValues(self.neurons, self.rows, self._stack(da), "∂L/∂a"),
            NeuronValues(self.neurons, self.rows, self._stack(dz), "∂L/∂z"),
            EdgeValues(g.positions, dw, "∂L/∂w"),
            get_loss(loss),
        )
