"""What every peer reads from a network: its layers, or its generations as index arrays.

Built from the public API only (``net.inputs``, ``net.edges``,
``net.weights``, ``net.graph``), with networkx's own
``topological_generations``: the peers share no code with the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

import autograd_graph as ag

__all__ = ["Generation", "DagLayout", "dag_layout", "dense_layers", "flat_from_layers"]


@dataclass
class Generation:
    """The edges into one topological generation, targets at rows ``[start, start + size)``."""

    start: int
    size: int
    src: np.ndarray  # (n_edges,) source row, any earlier row
    dst: np.ndarray  # (n_edges,) target row − start
    edge: np.ndarray  # (n_edges,) position of the edge in net.edges


@dataclass
class DagLayout:
    """Rows: inputs, then bias neurons (z = 1), then generation after generation."""

    n_rows: int
    n_inputs: int
    n_biases: int
    generations: list[Generation]
    output_rows: np.ndarray
    n_weights: int
    activation: str  # the one activation of every hidden and output neuron


def dag_layout(net: ag.Network) -> DagLayout:
    G = net.graph
    acts = {G.nodes[n]["activation"].name for n in net.hidden + net.outputs}
    if len(acts) != 1:
        raise ValueError(f"the peers need one activation for all neurons, got {sorted(acts)}")
    sources = net.inputs + net.biases
    order = list(sources)
    bounds = []
    for gen in list(nx.topological_generations(G))[1:]:
        bounds.append((len(order), len(gen)))
        order.extend(gen)
    row = {n: r for r, n in enumerate(order)}
    src = np.array([row[u] for u, _ in net.edges], dtype=np.int64)
    dst = np.array([row[v] for _, v in net.edges], dtype=np.int64)
    generations = []
    for start, size in bounds:
        edge = np.flatnonzero((dst >= start) & (dst < start + size))
        edge = edge[np.lexsort((src[edge], dst[edge]))]  # by target, then source: CSR order
        generations.append(Generation(start, size, src[edge], dst[edge] - start, edge))
    outputs = np.array([row[n] for n in net.outputs], dtype=np.int64)
    return DagLayout(len(order), len(net.inputs), len(net.biases), generations, outputs, net.n_weights, acts.pop())


def dense_layers(net: ag.Network) -> list[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    """``(W, b, mask)`` per layer of a layered network with one bias neuron per layer.

    ``W`` is ``(n_out, n_in)`` and ``b`` is ``(n_out,)``, float64 copies of the
    network's weights; ``mask`` is None when every edge between the two layers
    exists, else a 0/1 matrix of the edges that do (``W`` is 0 where it is 0).
    """
    position = {e: p for p, e in enumerate(net.edges)}
    w = net.weights
    layers = net.layers()
    result = []
    for before, after in zip(layers, layers[1:], strict=False):
        bias = [n for n in before if net.kind(n) == "bias"]
        neurons = [n for n in before if net.kind(n) != "bias"]
        targets = [n for n in after if net.kind(n) != "bias"]
        W = np.zeros((len(targets), len(neurons)))
        mask = np.zeros_like(W)
        for j, t in enumerate(targets):
            for i, n in enumerate(neurons):
                if (n, t) in position:
                    W[j, i], mask[j, i] = w[position[(n, t)]], 1
        b = np.array([w[position[(bias[0], t)]] for t in targets])
        result.append((W, b, None if mask.all() else mask))
    return result


def flat_from_layers(net: ag.Network, layers) -> np.ndarray:
    """The inverse of :func:`dense_layers`: ``[(W, b), …]`` back to ``net.edges`` order."""
    position = {e: p for p, e in enumerate(net.edges)}
    flat = np.zeros(net.n_weights)
    for (before, after), (W, b) in zip(zip(net.layers(), net.layers()[1:], strict=False), layers, strict=True):
        bias = [n for n in before if net.kind(n) == "bias"]
        neurons = [n for n in before if net.kind(n) != "bias"]
        targets = [n for n in after if net.kind(n) != "bias"]
        for j, t in enumerate(targets):
            flat[position[(bias[0], t)]] = b[j]
            for i, n in enumerate(neurons):
                if (n, t) in position:
                    flat[position[(n, t)]] = W[j, i]
    return flat
