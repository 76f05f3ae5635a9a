"""micrograd (Karpathy's scalar autograd, from PyPI): one ``Value`` per number.

micrograd has ``relu`` but no exponential, so the logistic is added here as
one more op with its local derivative, the way micrograd defines its own.
"""

from __future__ import annotations

import math

import numpy as np
from micrograd.engine import Value

__all__ = ["MicrogradMLP"]


def _logistic(v: Value) -> Value:
    s = 1.0 / (1.0 + math.exp(-v.data)) if v.data >= 0 else math.exp(v.data) / (1.0 + math.exp(v.data))
    out = Value(s, (v,), "logistic")

    def _backward() -> None:
        v.grad += s * (1.0 - s) * out.grad

    out._backward = _backward
    return out


ACTIVATIONS = {"relu": Value.relu, "logistic": _logistic, "identity": lambda v: v}


class MicrogradMLP:
    """A layered network of ``Value`` weights; ``layers`` as ``dense_layers`` gives (a mask drops edges)."""

    def __init__(self, layers, activation: str, output_activation: str) -> None:
        self.layers = []
        self.shapes = [W.shape for W, _, _ in layers]
        for W, b, mask in layers:
            neurons = []
            for j in range(W.shape[0]):
                inputs = [i for i in range(W.shape[1]) if mask is None or mask[j, i]]
                neurons.append(([(i, Value(float(W[j, i]))) for i in inputs], Value(float(b[j]))))
            self.layers.append(neurons)
        self.acts = [ACTIVATIONS[activation]] * (len(layers) - 1) + [ACTIVATIONS[output_activation]]

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for ws, b in layer for p in [*(w for _, w in ws), b]]

    def step(self, X, Y, lr: float) -> float:
        """One step of gradient descent on the batch ``X`` (lists of floats), loss = mean Σ (y − z)²."""
        total = Value(0.0)
        for x, y in zip(X, Y, strict=True):
            z = list(x)
            for layer, f in zip(self.layers, self.acts, strict=True):
                z = [f(sum((w * z[i] for i, w in ws), b)) for ws, b in layer]
            total = total + sum((zk - yk) ** 2 for zk, yk in zip(z, y, strict=True))
        loss = total * (1.0 / len(X))
        params = self.parameters()
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
        return loss.data

    def layer_arrays(self):
        """``[(W, b), …]`` of the current weights (0 where there is no edge)."""
        result = []
        for layer, shape in zip(self.layers, self.shapes, strict=True):
            W = np.zeros(shape)
            for j, (ws, _) in enumerate(layer):
                for i, w in ws:
                    W[j, i] = w.data
            result.append((W, np.array([b.data for _, b in layer])))
        return result
