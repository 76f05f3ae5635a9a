"""How members are grouped into stacks, and what rows each level of a stack needs.

A stack's levels are as tall as the member that needs most rows (see
:mod:`~autograd_graph.engines.stacked`), so members of very different depths
pad each other. :func:`stack_members` splits the members into stacks of
similar depth by a simple cost model; :func:`plan_levels` gives a stack's
levels and the rows of each activation in them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..activations import Activation
from ..topology import IndexedGraph

__all__ = [
    "stack_members",
    "Level",
    "profile",
    "plan_levels",
    "split_gradient",
    "scatter_mask",
    "Profile",
    "LEVEL_COST",
    "WEIGHT_COST",
    "PRODUCT_COST",
    "MULTIPLY_ADD_COST",
    "MASK_RUN",
]

# The cost model that splits members into stacks, in microseconds per training step at batch 32
# (measured on the 2-core reference machine: a level is about seven numpy calls; a padded weight
# is three multiply-adds per example).
LEVEL_COST = 60.0
WEIGHT_COST = 0.005
# The cost model of the backward sweep's ∂L/∂W, in microseconds: one batched product over the whole
# block (every target row against every row), or one per level over the rows it reads (fewer
# multiply-adds, more calls). On the reference machine one more small product cost about 4 µs, a
# multiply-add of these small products about 0.08 ns: the 30 two-level networks of the `together`
# benchmark took 130 µs a step for the whole block, 88 µs for its two levels.
PRODUCT_COST = 4.0
MULTIPLY_ADD_COST = 8e-5
# The mean length of the runs of neighbouring places that a stack's weights take in its block ``W``
# from which a boolean mask scatters them into ``W`` faster than their index does (dense layers: the
# 30 two-level networks of `together`, 34 a run, 36-46 against 57-73 µs; the random DAGs, 2.3 a run,
# 99-110 against 13 µs).
MASK_RUN = 16


@dataclass
class Level:
    """One level of a stack (:mod:`.stacked`): target rows ``[start, stop)``, which read rows ``[0, start)``."""

    start: int
    stop: int
    slabs: list[tuple[Activation, int, int]]  # (σ, first row, last row + 1)
    at: tuple[np.ndarray, np.ndarray]  # (row, member) of each output neuron in this level ...
    own: tuple[np.ndarray, np.ndarray]  # ... and its (output, member) in a loss's (outputs, members, batch) terms
    has_outputs: bool  # any of them
    identity: bool  # one slab, of the identity


@dataclass(frozen=True)
class Profile:
    """What stacking needs to know of one member: its neurons' generations and activations."""

    n_inputs: int
    n_biases: int
    depth: int  # the highest generation of a hidden or output neuron
    targets: np.ndarray  # node indices of hidden and output neurons, graph order
    generation: np.ndarray  # of each target
    sink_output: np.ndarray  # bool per target: an output neuron that feeds nothing (goes to the last level)
    activations: tuple[Activation, ...]  # of each target


def profile(ix: IndexedGraph) -> Profile:
    kinds = np.array(ix.kinds, dtype=object)
    targets = np.flatnonzero((kinds != "input") & (kinds != "bias"))
    feeds = np.bincount(ix.src, minlength=len(ix.nodes)) > 0
    gen = ix.generation[targets]  # type: ignore[index]
    return Profile(
        int((kinds == "input").sum()),
        int((kinds == "bias").sum()),
        int(gen.max()) if gen.size else 0,
        targets,
        gen,
        (kinds[targets] == "output") & ~feeds[targets],
        tuple(ix.activations[i] for i in targets.tolist()),  # type: ignore[misc]
    )


def plan_levels(profiles: Sequence[Profile]) -> tuple[int, list[list[tuple[Activation, int]]]]:
    """The number of levels of a stack, and per level its slabs ``(activation, rows)``."""
    depth = max(p.depth for p in profiles)
    slabs: list[dict[Activation, int]] = [{} for _ in range(depth)]
    for p in profiles:
        placed = np.where(p.sink_output, depth, p.generation) - 1
        counts: dict[tuple[int, Activation], int] = {}
        for lv, act in zip(placed.tolist(), p.activations, strict=True):
            counts[lv, act] = counts.get((lv, act), 0) + 1
        for (lv, act), n in counts.items():
            slabs[lv][act] = max(slabs[lv].get(act, 0), n)
    return depth, [list(slab.items()) for slab in slabs]


def split_gradient(levels: Sequence[tuple[int, int]], n_sources: int, members: int, batch: int) -> bool:
    """Whether ∂L/∂W of a stack is cheaper as one product per level than as one over the whole block.

    ``levels`` holds each level's target rows ``(start, stop)``; level ``l`` reads rows ``[0, start)``,
    the whole block every row. Only the multiply-adds and the calls differ: each ∂L/∂w is the same sum
    over the batch either way.

    Examples
    --------
    >>> split_gradient([(66, 82), (82, 92)], 66, members=30, batch=32)  # two levels: fewer multiply-adds
    True
    >>> split_gradient([(5 + i, 6 + i) for i in range(12)], 5, members=1, batch=32)  # many small levels
    False
    """
    rows = levels[-1][1]
    whole = (rows - n_sources) * rows
    per_level = sum((stop - start) * start for start, stop in levels)
    saved = (whole - per_level) * members * batch * MULTIPLY_ADD_COST
    return saved > (len(levels) - 1) * PRODUCT_COST


def scatter_mask(index: np.ndarray, size: int) -> np.ndarray | None:
    """A boolean mask of the places ``index`` (sorted) takes in a block of ``size`` numbers, when its runs of
    neighbouring places are long enough (:data:`MASK_RUN`) for the mask to scatter faster; else None.

    Examples
    --------
    >>> scatter_mask(np.arange(2, 40), 48).sum(), scatter_mask(np.arange(0, 40, 2), 48)
    (np.int64(38), None)
    """
    runs = 1 + int(np.count_nonzero(np.diff(index) != 1)) if index.size else 0
    if not index.size >= MASK_RUN * runs > 0:
        return None
    mask = np.zeros(size, dtype=bool)
    mask[index] = True
    return mask


def _cost(profiles: Sequence[Profile]) -> float:
    """The cost model of one stack: levels and padded weights."""
    _, levels = plan_levels(profiles)
    rows = profiles[0].n_inputs + max(p.n_biases for p in profiles)
    padded = 0
    for level in levels:
        height = sum(n for _, n in level)
        padded += height * rows
        rows += height
    return LEVEL_COST * len(levels) + WEIGHT_COST * padded * len(profiles)


def stack_members(nets: Sequence[IndexedGraph]) -> list[list[int]]:
    """Split members into stacks of similar depth (indices, each stack in member order).

    Members are first stacked by depth; then the two stacks of neighbouring
    depths whose merging saves most (by :data:`LEVEL_COST` and
    :data:`WEIGHT_COST`) are merged, as long as one saves anything.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> wide = [ag.layered([64, 256, 10], seed=s) for s in range(3)]
    >>> deep = [ag.layered([64] + [4] * 12 + [10], seed=s) for s in range(2)]
    >>> stack_members([net.indexed() for net in wide + deep + [ag.layered([64, 256, 16, 10], seed=0)]])
    [[0, 1, 2, 5], [3, 4]]
    """
    profiles = [profile(net) for net in nets]
    by_depth: dict[int, list[int]] = {}
    for j, p in enumerate(profiles):
        by_depth.setdefault(p.depth, []).append(j)
    stacks = [by_depth[d] for d in sorted(by_depth)]
    costs = [_cost([profiles[j] for j in s]) for s in stacks]
    while len(stacks) > 1:
        merged = [_cost([profiles[j] for j in stacks[i] + stacks[i + 1]]) for i in range(len(stacks) - 1)]
        savings = [costs[i] + costs[i + 1] - merged[i] for i in range(len(merged))]
        best = int(np.argmax(savings))
        if savings[best] <= 0:
            break
        stacks[best : best + 2] = [sorted(stacks[best] + stacks[best + 1])]
        costs[best : best + 2] = [merged[best]]
    return stacks
