"""PyTorch CPU autograd: the same networks as a PyTorch user would write them.

- :class:`TorchMLP`: ``F.linear`` per layer (a mask keeps missing edges at 0).
- :class:`TorchDAG`: generation by generation, PyTorch Geometric style: gather
  the source rows (``index_select``), weight them, ``index_add`` them into the
  generation's ``a``; the rows computed so far are kept as one tensor, grown
  with ``torch.cat`` (autograd cannot write into a buffer it still reads).

Both use as many threads as PyTorch chooses (``torch.get_num_threads()``).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .layout import DagLayout

__all__ = ["TorchMLP", "TorchDAG", "TorchAdamClassifier", "as_tensor"]

ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu, "identity": lambda a: a, "logistic": torch.sigmoid}


def as_tensor(array: np.ndarray, dtype: torch.dtype) -> torch.Tensor:
    """A copy (never shares memory with ``array``: training changes parameters in place)."""
    return torch.tensor(np.asarray(array), dtype=dtype)


class TorchMLP:
    """``layers``: ``[(W, b, mask), …]`` as :func:`~benchmarks.peers.layout.dense_layers` gives."""

    def __init__(self, layers, activation: str, output_activation: str, dtype: torch.dtype) -> None:
        self.W = [as_tensor(W, dtype).requires_grad_() for W, _, _ in layers]
        self.b = [as_tensor(b, dtype).requires_grad_() for _, b, _ in layers]
        self.mask = [None if m is None else as_tensor(m, dtype) for _, _, m in layers]
        self.acts = [ACTIVATIONS[activation]] * (len(layers) - 1) + [ACTIVATIONS[output_activation]]
        self.dtype = dtype

    def loss(self, X: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
        h = X
        for W, b, m, f in zip(self.W, self.b, self.mask, self.acts, strict=True):
            h = f(F.linear(h, W if m is None else W * m, b))
        return ((h - Y) ** 2).sum() / X.shape[0]

    def loss_and_gradients(self, X: torch.Tensor, Y: torch.Tensor) -> float:
        for p in self.W + self.b:
            p.grad = None
        loss = self.loss(X, Y)
        loss.backward()
        return loss.item()

    def step(self, X: torch.Tensor, Y: torch.Tensor, lr: float) -> float:
        loss = self.loss_and_gradients(X, Y)
        with torch.no_grad():
            for p in self.W + self.b:
                p -= lr * p.grad
        return loss

    def flat_layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return [(W.detach().double().numpy(), b.detach().double().numpy()) for W, b in zip(self.W, self.b, strict=True)]


class TorchDAG:
    """A DAG generation by generation, gather and ``index_add``; ``w`` is the flat weight vector."""

    def __init__(self, layout: DagLayout, w: np.ndarray, dtype: torch.dtype) -> None:
        self.layout = layout
        self.dtype = dtype
        self.f = ACTIVATIONS[layout.activation]
        self.gens = [
            (g.size, torch.as_tensor(g.src), torch.as_tensor(g.dst), as_tensor(w[g.edge], dtype).requires_grad_())
            for g in layout.generations
        ]
        self.output_rows = torch.as_tensor(layout.output_rows)

    def loss_and_gradients(self, X: torch.Tensor, Y: torch.Tensor) -> float:
        lay = self.layout
        batch = X.shape[0]
        for *_, w in self.gens:
            w.grad = None
        Z = torch.cat([X.T, torch.ones(lay.n_biases, batch, dtype=self.dtype)])  # (rows so far, batch)
        for size, src, dst, w in self.gens:
            messages = Z.index_select(0, src) * w[:, None]  # (edges, batch)
            a = torch.zeros(size, batch, dtype=self.dtype).index_add(0, dst, messages)
            Z = torch.cat([Z, self.f(a)])
        loss = ((Z.index_select(0, self.output_rows) - Y.T) ** 2).sum() / batch
        loss.backward()
        return loss.item()

    def flat_gradient(self) -> np.ndarray:
        flat = np.zeros(self.layout.n_weights)
        for g, (*_, w) in zip(self.layout.generations, self.gens, strict=True):
            flat[g.edge] = w.grad.double().numpy()
        return flat


class TorchDAGPairs:
    """A DAG generation by generation, each generation's output its own tensor; the edges into
    generation ``g`` are gathered from each earlier generation separately, so no op (and no
    gradient) ever spans all the rows computed so far."""

    def __init__(self, layout: DagLayout, w: np.ndarray, dtype: torch.dtype) -> None:
        self.layout = layout
        self.dtype = dtype
        self.f = ACTIVATIONS[layout.activation]
        # block b holds rows [bounds[b], bounds[b+1]): block 0 the inputs and biases, then one per generation
        bounds = np.array([0] + [g.start for g in layout.generations] + [layout.n_rows])
        self.weights = []
        self.gens = []
        for g in layout.generations:
            block = np.searchsorted(bounds, g.src, side="right") - 1
            w_g = as_tensor(w[g.edge], dtype).requires_grad_()
            self.weights.append(w_g)
            parts = []
            for b in np.unique(block):
                sel = np.flatnonzero(block == b)
                parts.append(
                    (int(b), torch.as_tensor(g.src[sel] - bounds[b]), torch.as_tensor(g.dst[sel]), torch.as_tensor(sel))
                )
            self.gens.append((g.size, w_g, parts))
        rows = layout.output_rows
        self.outputs = [(int(np.searchsorted(bounds, r, side="right") - 1), int(r)) for r in rows]
        self.bounds = bounds

    def loss_and_gradients(self, X: torch.Tensor, Y: torch.Tensor) -> float:
        lay = self.layout
        batch = X.shape[0]
        for w in self.weights:
            w.grad = None
        blocks = [torch.cat([X.T, torch.ones(lay.n_biases, batch, dtype=self.dtype)])]
        for size, w, parts in self.gens:
            a = torch.zeros(size, batch, dtype=self.dtype)
            for b, src, dst, sel in parts:
                a = a.index_add(0, dst, blocks[b].index_select(0, src) * w[sel, None])
            blocks.append(self.f(a))
        out = torch.stack([blocks[b][r - int(self.bounds[b])] for b, r in self.outputs])
        loss = ((out - Y.T) ** 2).sum() / batch
        loss.backward()
        return loss.item()

    def flat_gradient(self) -> np.ndarray:
        flat = np.zeros(self.layout.n_weights)
        for g, w in zip(self.layout.generations, self.weights, strict=True):
            if w.grad is not None:  # None: no output depends on this generation
                flat[g.edge] = w.grad.double().numpy()
        return flat


class TorchAdamClassifier:
    """The same step as a PyTorch user writes it: ``nn.Linear`` layers, ``F.cross_entropy``,
    ``torch.optim.Adam``, and an evaluation of a whole data set under ``torch.no_grad()``."""

    def __init__(self, layers, activation: str, lr: float, dtype: torch.dtype) -> None:
        modules = []
        for k, (W, b, _) in enumerate(layers):
            linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=dtype)
            with torch.no_grad():
                linear.weight.copy_(as_tensor(W, dtype))
                linear.bias.copy_(as_tensor(b, dtype))
            modules += [linear] + ([{"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}[activation]()]
                                   if k < len(layers) - 1 else [])  # fmt: skip
        self.model = torch.nn.Sequential(*modules)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr)

    def step(self, X: torch.Tensor, labels: torch.Tensor) -> None:
        self.optimizer.zero_grad()
        F.cross_entropy(self.model(X), labels).backward()
        self.optimizer.step()

    def evaluate(self, X: torch.Tensor, labels: torch.Tensor) -> tuple[float, float]:
        with torch.no_grad():
            logits = self.model(X)
            return F.cross_entropy(logits, labels).item(), (logits.argmax(1) == labels).double().mean().item()

    def layer_arrays(self) -> list[tuple[np.ndarray, np.ndarray]]:
        linears = [m for m in self.model if isinstance(m, torch.nn.Linear)]
        return [(m.weight.detach().double().numpy(), m.bias.detach().double().numpy()) for m in linears]
