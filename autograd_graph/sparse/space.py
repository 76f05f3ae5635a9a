"""Where dynamic sparse training may grow edges: a space of (source, target) pairs per group, fixed per run.

When a run starts, :class:`GrowthSpace` takes a topological order of the
network (generation, then graph order) and keeps it: an edge ``s → t`` may
only ever be grown with ``s`` before ``t`` in it, so no change ever closes a
cycle, whatever was dropped and grown before. The groups:

- ``"per_layer"`` on a layered network: the pairs from layer ``l − 1`` to
  layer ``l`` (each weight matrix keeps its own density, as SET and RigL do
  per layer); on any other network, one group per generation of the target
  (its state at the start), sources anywhere before it;
- ``"global"``: every pair ``s → t`` in the order, ``s`` an input or hidden
  neuron, ``t`` hidden or output.

Sources are input and hidden neurons (and bias neurons with ``biases=True``);
targets are hidden and output neurons. Pairs are coded as ``s · n + t``
(``n`` neurons) so that membership tests are sorted-array searches.

Examples
--------
>>> import autograd_graph as ag
>>> space = GrowthSpace.of(ag.running_example(seed=0), "per_layer", biases=False)
>>> space.names, [space.pairs(g) for g in range(3)]   # 1 → {3, 4}; {3, 4} → {6, 7}; {6, 7} → 9
(['layer 2', 'layer 3', 'layer 4'], [2, 4, 2])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..exceptions import TrainingError
from ..ordering import first_of_each
from ..rewiring import PairSet
from .edges import _layer_numbers, kind_masks

if TYPE_CHECKING:
    from ..network import Network
    from ..topology import IndexedGraph

__all__ = ["GrowthSpace", "MAX_ENUMERATED"]

ANY = -2  # feeds[s] for a source that may feed every group
MAX_ENUMERATED = 1 << 24  # pairs of a group listed whole when drawing by rejection would be slow


@dataclass(frozen=True)
class GrowthSpace:
    """The pairs a run may grow edges on, by group (see the module notes)."""

    n: int
    rank: np.ndarray  # each node's place in the fixed topological order
    names: list[str]
    targets: list[np.ndarray]  # per group, its target nodes
    sources: list[np.ndarray]  # per group, the nodes that may feed it
    group_of: np.ndarray  # each node's group as a target (-1: none)
    feeds: np.ndarray  # each node's group as a source (ANY: every group; -1: none)

    @classmethod
    def of(cls, net: Network, scope: str, biases: bool) -> GrowthSpace:
        """The space of ``net`` as it is now, for ``scope`` ``"per_layer"`` or ``"global"``."""
        ix = net.indexed()
        masks = kind_masks(ix)
        n = len(ix.nodes)
        assert ix.generation is not None  # training validated the network
        rank = np.empty(n, dtype=np.int64)
        rank[np.lexsort((np.arange(n), ix.generation))] = np.arange(n)
        is_target = masks["hidden"] | masks["output"]
        is_source = masks["input"] | masks["hidden"] | (masks["bias"] if biases else False)
        group_of = np.full(n, -1, dtype=np.int64)
        feeds = np.full(n, -1, dtype=np.int64)
        if scope == "global":
            group_of[is_target] = 0
            feeds[is_source] = ANY
            names = ["the network"]
        elif scope == "per_layer" and net.is_layered():
            layer = np.zeros(n, dtype=np.int64)
            for i, k in _layer_numbers(net).items():
                layer[i] = k
            values = np.unique(layer[is_target])
            group_of[is_target] = np.searchsorted(values, layer[is_target])
            nxt = np.searchsorted(values, layer + 1)
            fed = is_source & (nxt < values.size) & (values[np.minimum(nxt, values.size - 1)] == layer + 1)
            feeds[fed] = nxt[fed]
            names = [f"layer {v}" for v in values.tolist()]
        elif scope == "per_layer":
            values = np.unique(ix.generation[is_target])
            group_of[is_target] = np.searchsorted(values, ix.generation[is_target])
            feeds[is_source] = ANY
            names = [f"generation {v}" for v in values.tolist()]
        else:
            raise TrainingError(f"scope must be 'auto', 'per_layer' or 'global', got {scope!r}")
        targets = [np.flatnonzero(group_of == g) for g in range(len(names))]
        sources = [np.flatnonzero((feeds == g) | (feeds == ANY)) for g in range(len(names))]
        return cls(n, rank, names, targets, sources, group_of, feeds)

    def edge_group(self, ix: IndexedGraph) -> np.ndarray:
        """The group of every edge of ``ix`` that lies in the space, -1 for the others."""
        g = self.group_of[ix.dst]
        f = self.feeds[ix.src]
        inside = (g >= 0) & ((f == g) | (f == ANY)) & (self.rank[ix.src] < self.rank[ix.dst])
        return np.where(inside, g, -1)

    def allowed(self, g: int, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Which pairs ``(s, t)`` (sources and targets of group ``g``) keep the order."""
        return self.rank[s] < self.rank[t]

    def pairs(self, g: int) -> int:
        """How many pairs group ``g`` has."""
        ranks = np.sort(self.rank[self.sources[g]])
        return int(np.searchsorted(ranks, self.rank[self.targets[g]]).sum())

    def sample_absent(self, g: int, k: int, present: PairSet, taken: int, rng: np.random.Generator) -> np.ndarray:
        """``k`` pairs of group ``g`` drawn uniformly among those without an edge.

        ``present``: the codes of every edge; ``taken``: how many of them
        lie in group ``g``. By rejection (draws of a source and a target,
        refused when out of order, present, or drawn before), or, when few
        pairs are free, from the list of all free pairs. Returns their codes,
        in the order drawn.
        """
        S, T = self.sources[g], self.targets[g]
        if k <= 0:
            return np.zeros(0, dtype=np.int64)
        total = S.size * T.size
        free = self.pairs(g) - taken
        if free < k:
            raise TrainingError(f"{self.names[g]} has {free} free pairs to grow {k} edges on")
        if total <= MAX_ENUMERATED and free < 0.1 * total:
            codes = self._codes(S, T, g)
            codes = codes[~present.contains(codes)]
            return codes[rng.choice(codes.size, k, replace=False)]
        chosen = np.zeros(0, dtype=np.int64)
        while chosen.size < k:
            m = int(1.5 * (k - chosen.size) * total / max(free, 1)) + 16
            s, t = S[rng.integers(0, S.size, m)], T[rng.integers(0, T.size, m)]
            codes = (s * self.n + t)[self.allowed(g, s, t)]
            codes = codes[~present.contains(codes)]
            codes = codes[first_of_each(codes, self.n * self.n)]  # each pair once, in the order drawn
            chosen = np.concatenate([chosen, codes[~np.isin(codes, chosen)]])[:k]
        return chosen

    def _codes(self, S: np.ndarray, T: np.ndarray, g: int) -> np.ndarray:
        """Every pair of group ``g`` in the order, as codes (small groups only)."""
        s, t = np.repeat(S, T.size), np.tile(T, S.size)
        keep = self.allowed(g, s, t)
        return s[keep] * self.n + t[keep]
