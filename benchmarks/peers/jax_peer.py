"""Jitted JAX with float64 enabled: ``jax.jit(jax.value_and_grad(loss))``.

- :class:`JaxMLP`: one ``x @ W.T + b`` per layer; ``scan_sgd`` is a whole
  epoch of per-example SGD in one jitted ``lax.scan`` (the fastest way JAX
  writes it: no Python between steps).
- :class:`JaxDAG`: generation by generation, gather the source rows of a
  ``(rows, batch)`` state and ``segment_sum`` them into the generation's
  ``a``, written back with ``.at[].set`` (XLA updates the buffer in place).

Importing this module turns on ``jax_enable_x64`` for the whole process.
"""

from __future__ import annotations

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from .layout import DagLayout  # noqa: E402

__all__ = ["JaxMLP", "JaxDAG", "ACTIVATIONS"]

ACTIVATIONS = {"tanh": jnp.tanh, "relu": jax.nn.relu, "identity": lambda a: a, "logistic": jax.nn.sigmoid}


class JaxMLP:
    """``layers``: ``[(W, b, mask), …]`` as :func:`~benchmarks.peers.layout.dense_layers` gives."""

    def __init__(self, layers, activation: str, output_activation: str, dtype=jnp.float64) -> None:
        self.params = [(jnp.asarray(W, dtype), jnp.asarray(b, dtype)) for W, b, _ in layers]
        masks = [None if m is None else jnp.asarray(m, dtype) for _, _, m in layers]
        acts = [ACTIVATIONS[activation]] * (len(layers) - 1) + [ACTIVATIONS[output_activation]]

        def loss(params, X, Y):
            h = X
            for (W, b), m, f in zip(params, masks, acts, strict=True):
                h = f(h @ (W if m is None else W * m).T + b)
            return jnp.sum((h - Y) ** 2) / X.shape[0]

        grad = jax.value_and_grad(loss)
        self.loss_and_gradients = jax.jit(grad)

        def step(params, X, Y, lr):
            value, grads = grad(params, X, Y)
            return value, jax.tree_util.tree_map(lambda p, g: p - lr * g, params, grads)

        self._step = jax.jit(step)

        def epoch(params, X, Y, lr):  # one example per step, the carry is the parameters
            def one(params, xy):
                x, y = xy
                value, grads = grad(params, x[None, :], y[None, :])
                return jax.tree_util.tree_map(lambda p, g: p - lr * g, params, grads), value

            return jax.lax.scan(one, params, (X, Y))

        self.scan_sgd = jax.jit(epoch)

    def step(self, X, Y, lr: float):
        loss, self.params = self._step(self.params, X, Y, lr)
        return loss


class JaxDAG:
    """A DAG generation by generation; ``w`` is the flat weight vector."""

    def __init__(self, layout: DagLayout, w: np.ndarray, dtype=jnp.float64) -> None:
        self.layout = layout
        f = ACTIVATIONS[layout.activation]
        gens = [(g.start, g.size, jnp.asarray(g.src), jnp.asarray(g.dst)) for g in layout.generations]
        self.params = [jnp.asarray(w[g.edge], dtype) for g in layout.generations]
        n_in, n_bias, n_rows = layout.n_inputs, layout.n_biases, layout.n_rows
        output_rows = jnp.asarray(layout.output_rows)

        def loss(params, X, Y):
            batch = X.shape[0]
            Z = jnp.zeros((n_rows, batch), dtype)
            Z = Z.at[:n_in].set(X.T).at[n_in : n_in + n_bias].set(1)
            for (start, size, src, dst), w_g in zip(gens, params, strict=True):
                a = jax.ops.segment_sum(Z[src] * w_g[:, None], dst, num_segments=size)
                Z = Z.at[start : start + size].set(f(a))
            return jnp.sum((Z[output_rows] - Y.T) ** 2) / batch

        self.loss_and_gradients = jax.jit(jax.value_and_grad(loss))

    def flat_gradient(self, grads) -> np.ndarray:
        flat = np.zeros(self.layout.n_weights)
        for g, dw in zip(self.layout.generations, grads, strict=True):
            flat[g.edge] = np.asarray(dw)
        return flat
