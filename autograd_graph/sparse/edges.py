"""Which edges pruning and rewiring may touch, which they must keep, and how they are grouped.

Three rules shared by :func:`~autograd_graph.prune`, :class:`~autograd_graph.SET`
and :class:`~autograd_graph.RigL`, on the network's description
(``net.indexed()``: node indices, edges in ``net.edges`` order):

- **prunable** edges: not from a bias neuron (unless ``biases=True``: bias
  weights are usually kept, as biases are in the sparse-training literature)
  and not frozen (``net.frozen``, when the network has frozen edges: they are
  never removed nor grown);
- **protected** edges (:func:`protected`): every hidden or output neuron keeps
  its strongest incoming edge from a non-bias neuron, every input and hidden
  neuron its strongest outgoing edge. Then, following kept edges, every neuron
  is reached from an input and reaches an output: none is left without an
  incoming edge or cut off from every output;
- **groups** (:func:`edge_groups`): ``"global"`` (one group), ``"per_layer"``
  (by the layer of the edge's target; by its generation in a network that is
  not layered), ``"per_neuron"`` (by the target neuron). Amounts apply per group.

Examples
--------
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> ix = net.indexed()
>>> int(prunable(net).sum())                 # the 12 edges but the 5 bias edges
7
>>> names, group = edge_groups(net, "per_layer")
>>> names, group[prunable(net)].tolist()
(['layer 2', 'layer 3', 'layer 4'], [0, 0, 1, 1, 1, 2, 2])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..exceptions import PruningError

if TYPE_CHECKING:
    from ..network import Network
    from ..topology import IndexedGraph

__all__ = ["SCOPES", "prunable", "frozen_mask", "protected", "edge_groups", "kind_masks"]

SCOPES = ("global", "per_layer", "per_neuron")


def kind_masks(ix: IndexedGraph) -> dict[str, np.ndarray]:
    """Per kind, which nodes are of it (boolean arrays over node indices)."""
    kinds = np.array(ix.kinds, dtype=object)
    return {kind: kinds == kind for kind in ("input", "bias", "hidden", "output")}


def frozen_mask(net: Network) -> np.ndarray:
    """Which edges are frozen (``net.frozen``, when the network has the notion; none otherwise)."""
    frozen = getattr(net, "frozen", None) or ()
    mask = np.zeros(net.n_weights, dtype=bool)
    if frozen:
        at = net.indexed().positions
        mask[[at[edge] for edge in frozen]] = True
    return mask


def prunable(net: Network, biases: bool = False) -> np.ndarray:
    """Which edges pruning and rewiring may remove: not frozen, and not from a bias neuron unless ``biases``."""
    ix = net.indexed()
    mask = ~frozen_mask(net)
    if not biases:
        mask &= ~kind_masks(ix)["bias"][ix.src]
    return mask


def _strongest(group: np.ndarray, strength: np.ndarray, among: np.ndarray, n: int) -> np.ndarray:
    """The position of the strongest edge of each group value (``0 … n-1``), among the edges where ``among``
    is true; the first of equals. Two unbuffered ufunc passes, no sort."""
    candidates = np.flatnonzero(among)
    if not candidates.size:
        return candidates
    g, s = group[candidates], strength[candidates]
    best = np.full(n, -np.inf)
    np.maximum.at(best, g, s)
    top = s == best[g]
    first = np.full(n, candidates.max() + 1, dtype=np.int64)
    np.minimum.at(first, g[top], candidates[top])
    return first[first <= candidates.max()]


def protected(ix: IndexedGraph, strength: np.ndarray, frozen: np.ndarray | None = None) -> np.ndarray:
    """The edges to keep so that no neuron is cut off: each hidden or output neuron's strongest incoming edge
    from a non-bias neuron, and each input or hidden neuron's strongest outgoing edge.

    ``strength`` ranks the edges of a neuron (``|w|`` for magnitude pruning;
    the pruning scores otherwise); a frozen edge, which stays anyway, is
    preferred. Returns a boolean array over the edges.

    Examples
    --------
    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> keep = protected(net.indexed(), np.abs(net.weights))
    >>> sorted(e for e, k in zip(net.edges, keep) if k)   # 3 has one input, 9 is fed by 6 and 7 only
    [(1, 3), (1, 4), (3, 6), (4, 6), (4, 7), (6, 9), (7, 9)]
    """
    masks = kind_masks(ix)
    strength = np.asarray(strength, dtype=float)
    if frozen is not None and frozen.any():
        strength = np.where(frozen, np.inf, strength)
    keep = np.zeros(ix.src.size, dtype=bool)
    from_neuron = ~masks["bias"][ix.src]
    n = len(ix.nodes)
    keep[_strongest(ix.dst, strength, from_neuron, n)] = True
    keep[_strongest(ix.src, strength, from_neuron & ~masks["output"][ix.src], n)] = True
    return keep


def edge_groups(net: Network, scope: str) -> tuple[list[str], np.ndarray]:
    """The groups an amount applies to: their names, and the group of every edge (by its target).

    Raises
    ------
    PruningError
        An unknown scope.
    """
    if scope not in SCOPES:
        raise PruningError(f"scope must be one of {', '.join(map(repr, SCOPES))}, got {scope!r}")
    ix = net.indexed()
    if scope == "global":
        return ["the network"], np.zeros(ix.src.size, dtype=np.int64)
    if scope == "per_neuron":
        targets, group = np.unique(ix.dst, return_inverse=True)
        return [f"neuron {ix.nodes[t]!r}" for t in targets.tolist()], group
    if net.is_layered():
        numbers = np.array([number for _, number in sorted(_layer_numbers(net).items())], dtype=np.int64)
        unit = "layer"
    else:
        assert ix.generation is not None  # an evaluable network is acyclic
        numbers, unit = ix.generation, "generation"
    values, group = np.unique(numbers[ix.dst], return_inverse=True)
    return [f"{unit} {v}" for v in values.tolist()], group


def _layer_numbers(net: Network) -> dict[int, int]:
    """Each node index's layer number (from 1)."""
    index = {node: i for i, node in enumerate(net.indexed().nodes)}
    layers = net.layers()
    return {index[node]: k for k, layer in enumerate(layers, start=1) for node in layer}
