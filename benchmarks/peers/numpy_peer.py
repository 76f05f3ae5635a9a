"""Hand-vectorized numpy: the same math written directly, the yardstick of every ratio.

- :class:`DenseMLP`: a layered network as matrices, ``(batch, features)``
  arrays, one matmul per layer and direction.
- :class:`GenerationDAG`: a DAG generation by generation, each generation's
  incoming weights a ``scipy.sparse`` CSR matrix over all earlier rows (bias
  neurons are rows of ones), as a numpy user would write it.

Both compute the batch-mean squared error ``L`` and every ``∂L/∂w``; neither
computes the gradients of the inputs, which training does not need.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_array

from .layout import DagLayout

__all__ = ["DenseMLP", "GenerationDAG", "ACTIVATIONS"]

# name -> (σ(a), σ'(a, z))
ACTIVATIONS = {
    "tanh": (np.tanh, lambda a, z: 1 - z * z),
    "relu": (lambda a: np.maximum(a, 0), lambda a, z: (a > 0).astype(a.dtype)),
    "identity": (lambda a: a, lambda a, z: np.ones_like(a)),
    "logistic": (lambda a: 1 / (1 + np.exp(-a)), lambda a, z: z * (1 - z)),
}

EDGE_CHUNK = 1 << 16  # edges per chunk of the ∂L/∂w gather, to bound memory


class DenseMLP:
    """``layers``: ``[(W, b), …]`` with ``W`` of shape ``(n_out, n_in)``."""

    def __init__(self, layers, activation: str, output_activation: str, dtype=np.float64) -> None:
        self.W = [np.ascontiguousarray(W, dtype) for W, _ in layers]
        self.b = [np.asarray(b, dtype) for _, b in layers]
        acts = [activation] * (len(layers) - 1) + [output_activation]
        self.acts = [ACTIVATIONS[a] for a in acts]
        self.dtype = dtype

    def loss_and_gradients(self, X: np.ndarray, Y: np.ndarray):
        """``L`` and ``[(∂L/∂W, ∂L/∂b), …]`` for one batch."""
        zs, As = [X], []
        for W, b, (f, _) in zip(self.W, self.b, self.acts, strict=False):
            a = zs[-1] @ W.T + b  # (batch, n_out)
            As.append(a)
            zs.append(f(a))
        batch = X.shape[0]
        diff = zs[-1] - Y
        loss = float((diff * diff).sum()) / batch
        dz = diff * (2 / batch)
        grads = []
        for k in reversed(range(len(self.W))):
            da = dz * self.acts[k][1](As[k], zs[k + 1])
            grads.append((da.T @ zs[k], da.sum(axis=0)))
            if k:
                dz = da @ self.W[k]
        return loss, grads[::-1]

    def step(self, X, Y, lr: float) -> float:
        loss, grads = self.loss_and_gradients(X, Y)
        for W, b, (dW, db) in zip(self.W, self.b, grads, strict=False):
            W -= lr * dW
            b -= lr * db
        return loss


class GenerationDAG:
    """A DAG as one CSR matrix per generation; ``w`` is the flat weight vector."""

    def __init__(self, layout: DagLayout, w: np.ndarray, dtype=np.float64) -> None:
        self.layout = layout
        self.dtype = np.dtype(dtype)
        self.f, self.df = ACTIVATIONS[layout.activation]
        self.mats = []
        for g in layout.generations:
            indptr = np.zeros(g.size + 1, dtype=np.int64)
            np.cumsum(np.bincount(g.dst, minlength=g.size), out=indptr[1:])
            data = np.asarray(w[g.edge], dtype=self.dtype)
            self.mats.append(csr_array((data, g.src, indptr), shape=(g.size, g.start)))

    def loss_and_gradients(self, X: np.ndarray, Y: np.ndarray):
        """``L`` and ``∂L/∂w`` of every generation (in its CSR order)."""
        lay = self.layout
        batch = X.shape[0]
        Z = np.empty((lay.n_rows, batch), self.dtype)  # (rows, batch)
        Z[: lay.n_inputs] = X.T
        Z[lay.n_inputs : lay.n_inputs + lay.n_biases] = 1
        for g, W in zip(lay.generations, self.mats, strict=False):
            Z[g.start : g.start + g.size] = self.f(W @ Z[: g.start])
        out = Z[lay.output_rows]  # (n_outputs, batch)
        diff = out - Y.T
        loss = float((diff * diff).sum()) / batch
        dZ = np.zeros_like(Z)
        dZ[lay.output_rows] = diff * (2 / batch)
        grads = []
        for g, W in zip(reversed(lay.generations), reversed(self.mats), strict=False):
            z = Z[g.start : g.start + g.size]
            da = dZ[g.start : g.start + g.size] * self.df(z, z)  # σ' from z alone (exact for these four)
            dZ[: g.start] += W.T @ da
            dw = np.empty(g.src.size, self.dtype)
            for lo in range(0, dw.size, EDGE_CHUNK):
                hi = lo + EDGE_CHUNK
                dw[lo:hi] = np.einsum("eb,eb->e", da[g.dst[lo:hi]], Z[g.src[lo:hi]])
            grads.append(dw)
        return loss, grads[::-1]

    def flat_gradient(self, grads) -> np.ndarray:
        """The gradients in ``net.edges`` order (for checking, not timed)."""
        flat = np.zeros(self.layout.n_weights)
        for g, dw in zip(self.layout.generations, grads, strict=False):
            flat[g.edge] = dw
        return flat
