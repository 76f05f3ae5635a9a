"""Hand-vectorized numpy: the same math written directly, the yardstick of every ratio.

- :class:`DenseMLP`: a layered network as matrices, ``(batch, features)``
  arrays, one matmul per layer and direction.
- :class:`GenerationDAG`: a DAG generation by generation, each generation's
  incoming weights a ``scipy.sparse`` CSR matrix over all earlier rows (bias
  neurons are rows of ones), its transpose kept as CSR too for the backward
  product, and ∂L/∂w summed over the batch in cache-sized chunks of edges.

Both compute the batch-mean squared error ``L`` and every ``∂L/∂w``; neither
computes the gradients of the inputs, which training does not need.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_array

from .layout import DagLayout

__all__ = ["DenseMLP", "GenerationDAG", "AdamClassifier", "ACTIVATIONS"]

# name -> (σ(a), σ'(a, z))
ACTIVATIONS = {
    "tanh": (np.tanh, lambda a, z: 1 - z * z),
    "relu": (lambda a: np.maximum(a, 0), lambda a, z: (a > 0).astype(a.dtype)),
    "identity": (lambda a: a, lambda a, z: np.ones_like(a)),
    "logistic": (lambda a: 1 / (1 + np.exp(-a)), lambda a, z: z * (1 - z)),
}

CHUNK_BYTES = 1 << 18  # per gathered block of the ∂L/∂w sums: stays in cache, bounds memory


class DenseMLP:
    """``layers``: ``[(W, b, mask), …]`` with ``W`` of shape ``(n_out, n_in)`` (see ``dense_layers``)."""

    def __init__(self, layers, activation: str, output_activation: str, dtype=np.float64) -> None:
        self.W = [np.array(W, dtype) for W, _, _ in layers]  # copies: training changes them in place
        self.b = [np.array(b, dtype) for _, b, _ in layers]
        self.mask = [None if m is None else np.asarray(m, dtype) for _, _, m in layers]
        acts = [activation] * (len(layers) - 1) + [output_activation]
        self.acts = [ACTIVATIONS[a] for a in acts]

    def loss_and_gradients(self, X: np.ndarray, Y: np.ndarray):
        """``L`` and ``[(∂L/∂W, ∂L/∂b), …]`` for one batch."""
        zs, As = [X], []
        for W, b, (f, _) in zip(self.W, self.b, self.acts, strict=True):
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
            dW = da.T @ zs[k]
            if self.mask[k] is not None:
                dW *= self.mask[k]
            grads.append((dW, da.sum(axis=0)))
            if k:
                dz = da @ self.W[k]
        return loss, grads[::-1]

    def step(self, X, Y, lr: float) -> float:
        """One step of gradient descent on the batch."""
        loss, grads = self.loss_and_gradients(X, Y)
        for W, b, (dW, db) in zip(self.W, self.b, grads, strict=True):
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
            W = csr_array((data, g.src, indptr), shape=(g.size, g.start))
            self.mats.append((W, W.T.tocsr()))

    def loss_and_gradients(self, X: np.ndarray, Y: np.ndarray):
        """``L`` and ``∂L/∂w`` of every generation (in its CSR order)."""
        lay = self.layout
        batch = X.shape[0]
        Z = np.empty((lay.n_rows, batch), self.dtype)  # (rows, batch)
        Z[: lay.n_inputs] = X.T
        Z[lay.n_inputs : lay.n_inputs + lay.n_biases] = 1
        for g, (W, _) in zip(lay.generations, self.mats, strict=True):
            Z[g.start : g.start + g.size] = self.f(W @ Z[: g.start])
        out = Z[lay.output_rows]  # (n_outputs, batch)
        diff = out - Y.T
        loss = float((diff * diff).sum()) / batch
        dZ = np.zeros_like(Z)
        dZ[lay.output_rows] = diff * (2 / batch)
        grads = []
        chunk = max(1, CHUNK_BYTES // (batch * self.dtype.itemsize))
        for g, (_, WT) in zip(reversed(lay.generations), reversed(self.mats), strict=True):
            z = Z[g.start : g.start + g.size]
            da = dZ[g.start : g.start + g.size] * self.df(z, z)  # σ' from z alone (exact for these four)
            dZ[: g.start] += WT @ da
            dw = np.empty(g.src.size, self.dtype)
            for lo in range(0, dw.size, chunk):
                hi = lo + chunk
                dw[lo:hi] = np.einsum("eb,eb->e", da[g.dst[lo:hi]], Z[g.src[lo:hi]])
            grads.append(dw)
        return loss, grads[::-1]

    def flat_gradient(self, grads) -> np.ndarray:
        """The gradients in ``net.edges`` order (for checking, not timed)."""
        flat = np.zeros(self.layout.n_weights)
        for g, dw in zip(self.layout.generations, grads, strict=True):
            flat[g.edge] = dw
        return flat


class AdamClassifier:
    """The training step a user writes by hand in numpy: an MLP in ``(batch, features)`` layout,
    softmax cross-entropy (batch mean), Adam on every parameter array (Kingma & Ba, 2015), and the
    loss and accuracy of a whole data set (what ``ag.train`` computes after every epoch)."""

    def __init__(self, layers, activation: str, lr: float, beta1=0.9, beta2=0.999, eps=1e-8) -> None:
        self.params = [p for W, b, _ in layers for p in (np.array(W), np.array(b))]
        self.m = [np.zeros_like(p) for p in self.params]
        self.s = [np.zeros_like(p) for p in self.params]
        self.f, self.df = ACTIVATIONS[activation]
        self.lr, self.beta1, self.beta2, self.eps, self.t = lr, beta1, beta2, eps, 0

    def _forward(self, X):
        zs, As = [X], []
        *hidden, last = range(0, len(self.params), 2)
        for k in hidden:
            a = zs[-1] @ self.params[k].T + self.params[k + 1]
            As.append(a)
            zs.append(self.f(a))
        return zs, As, zs[-1] @ self.params[last].T + self.params[last + 1]

    def evaluate(self, X, Y) -> tuple[float, float]:
        _, _, logits = self._forward(X)
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_total = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return float((Y * (log_total - shifted)).sum(axis=1).mean()), float((logits.argmax(1) == Y.argmax(1)).mean())

    def step(self, X, Y) -> None:
        zs, As, logits = self._forward(X)
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        delta = (e / e.sum(axis=1, keepdims=True) - Y) / X.shape[0]  # ∂L/∂logits
        grads = [None] * len(self.params)
        for k in range(len(self.params) // 2 - 1, -1, -1):
            grads[2 * k], grads[2 * k + 1] = delta.T @ zs[k], delta.sum(axis=0)
            if k:
                delta = (delta @ self.params[2 * k]) * self.df(As[k - 1], zs[k])
        self.t += 1
        c1, c2 = 1 - self.beta1**self.t, 1 - self.beta2**self.t
        for p, g, m, s in zip(self.params, grads, self.m, self.s, strict=True):
            m *= self.beta1
            m += (1 - self.beta1) * g
            s *= self.beta2
            s += (1 - self.beta2) * g * g
            p -= self.lr * (m / c1) / (np.sqrt(s / c2) + self.eps)

    def layer_arrays(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return [(self.params[k], self.params[k + 1]) for k in range(0, len(self.params), 2)]
