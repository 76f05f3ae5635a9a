"""Pruning: a copy of a network with its weakest (or random, or your own choice of) edges removed.

:func:`prune` removes exactly ``round(amount · n)`` of the ``n`` prunable
edges of each group (the whole network, each layer, or each neuron's inputs;
see :mod:`.edges`), those with the lowest scores: ``|w|`` (magnitude
pruning), random ones, or any score you compute. By default no neuron is
left without an incoming edge or cut off from every output: each neuron's
strongest edges are kept and the next-lowest go instead, so the amount stays
exact; an amount that cannot be met that way is refused, saying how much can.
(Edges are taken lowest score first; an edge is skipped when, at its turn, it
is the last input of its target from a non-bias neuron, or the last output of
an input or hidden neuron: what is left keeps every neuron on a path from an
input to an output.)
With ``keep_connected=False`` the lowest scores go whatever they connect, and
the hidden neurons that are left computing nothing that reaches an output, or
nothing at all, are removed and named (:class:`~autograd_graph.PrunedNeuronsWarning`).

Examples
--------
>>> import autograd_graph as ag
>>> net = ag.layered([8, 16, 4], seed=0)
>>> pruned = ag.prune(net, 0.5)                 # half of the 192 weights (bias weights are kept)
>>> net.n_weights, pruned.n_weights
(212, 116)
>>> ag.dead_neurons(pruned)
{'unreached': [], 'unused': []}
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import generator, safe_repr
from ..exceptions import PrunedNeuronsWarning, PruningError
from ..rewiring import Change
from ..topology import IndexedGraph, generation_array, reachable
from .edges import edge_groups, kind_masks, prunable

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["prune", "dead_neurons", "pruning_scores", "BY"]

BY = ("magnitude", "random")
Score = str | Callable[["Network"], Any]


def pruning_scores(net: Network, by: Score, seed: Any = None) -> np.ndarray:
    """One score per edge in ``net.edges`` order; the lowest go first.

    ``"magnitude"``: ``|w|``; ``"random"``: uniform draws from ``seed``; a
    callable: ``by(net)``, an array of one finite number per edge.
    """
    if callable(by):
        scores = np.asarray(by(net), dtype=float)
        if scores.shape != (net.n_weights,):
            raise PruningError(f"by(net) must give one score per edge ({net.n_weights}), got shape {scores.shape}")
        if not np.isfinite(scores).all():
            p = int(np.flatnonzero(~np.isfinite(scores))[0])
            raise PruningError(f"by(net) gave {scores[p]} for edge {safe_repr(net.edges[p])}; scores must be finite")
        return scores
    if by == "magnitude":
        return np.abs(net.weights)
    if by == "random":
        return generator(seed, PruningError).random(net.n_weights)
    raise PruningError(f"by must be one of {', '.join(map(repr, BY))} or a function net -> scores, got {by!r}")


def _counts(amount: Any, sizes: np.ndarray, scope: str) -> np.ndarray:
    """How many edges go in each group: ``round(amount · size)``, or ``amount`` itself (an int, scope global)."""
    if isinstance(amount, numbers.Integral) and not isinstance(amount, bool):
        if scope != "global":
            raise PruningError(f"an amount that is a number of edges ({amount}) needs scope='global'; "
                               f"give a fraction for scope={scope!r}")  # fmt: skip
        if not 0 <= int(amount) <= sizes.sum():
            raise PruningError(f"amount={amount} edges, but the network has {int(sizes.sum())} prunable edges")
        return np.array([int(amount)])
    if isinstance(amount, bool) or not isinstance(amount, numbers.Real) or not 0 <= float(amount) < 1:
        raise PruningError(f"amount must be a fraction in [0, 1) of the prunable edges, or a number of them, "
                           f"got {amount!r}")  # fmt: skip
    return np.floor(float(amount) * sizes + 0.5).astype(np.int64)


def prune(
    net: Network,
    amount: float | int,
    by: Score = "magnitude",
    scope: str = "global",
    *,
    biases: bool = False,
    keep_connected: bool = True,
    seed: int | np.random.Generator | None = None,
) -> Network:
    """A copy of ``net`` with the lowest-scored edges removed (``net`` is not changed).

    Parameters
    ----------
    net : Network
    amount : float in [0, 1), or int
        The fraction of the prunable edges of each group to remove (rounded to
        the nearest count), or, with ``scope="global"``, a number of edges.
    by : {"magnitude", "random"} or callable
        The score of each edge, lowest removed first: ``|w|``, a random draw,
        or ``by(net)`` giving one number per edge in ``net.edges`` order (a
        saliency of your own: ``|w · ∂L/∂w|``, say).
    scope : {"global", "per_layer", "per_neuron"}
        Where the amount applies: over all prunable edges, within each layer
        (the edges into one layer; into one generation when the network is not
        layered), within each neuron's incoming edges.
    biases : bool, default False
        Whether bias weights may be pruned.
    keep_connected : bool, default True
        Never leave a neuron without an incoming edge or cut off from every
        output (its strongest edges stay, the next-lowest go instead). False:
        remove by score alone, then remove the hidden neurons this leaves
        without an incoming edge or without a path to an output, naming them
        in a :class:`~autograd_graph.PrunedNeuronsWarning`.
    seed : int or Generator, optional
        The random draws of ``by="random"``.

    Returns
    -------
    Network
        The pruned copy; frozen edges (``net.frozen``) are never pruned.

    Raises
    ------
    PruningError
        An amount, score or scope that cannot work, or an amount that would cut a neuron off
        (the message gives the most that can go); with ``keep_connected=False``, an output left
        without any incoming edge.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> net = ag.layered([4, 6, 3], seed=0)
    >>> ag.prune(net, 0.5, scope="per_neuron").n_weights     # each neuron keeps half of its 4 or 6 inputs
    30
    >>> ag.prune(net, 10, by="random", seed=0).n_weights        # ten edges, chosen at random
    41
    """
    scores = pruning_scores(net, by, seed)
    names, group = edge_groups(net, scope)
    ix = net.indexed()
    candidates = prunable(net, bool(biases))
    sizes = np.bincount(group[candidates], minlength=len(names))
    counts = _counts(amount, sizes, scope)
    degrees = _Degrees(ix)  # shared by the groups: a neuron's edges may lie in several
    doomed = [_lowest(ix, degrees, scores, candidates & (group == g), count, keep_connected, names[g], sizes[g])
              for g, count in enumerate(counts.tolist()) if count]  # fmt: skip
    remove = np.sort(np.concatenate(doomed)) if doomed else np.zeros(0, dtype=np.int64)
    if not keep_connected:
        _check_outputs_fed(net, remove)
    pruned = net.copy()
    pruned.apply_change(Change(remove, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)))
    if not keep_connected:
        _remove_dead(pruned)
    return pruned


class _Degrees:
    """The counts that keep a neuron connected, as edges go: non-bias inputs of each target, outputs of each source."""

    def __init__(self, ix: IndexedGraph) -> None:
        masks = kind_masks(ix)
        self.bias = masks["bias"]
        self.needs_output = (masks["input"] | masks["hidden"]).tolist()
        self.needs_input = (masks["hidden"] | masks["output"]).tolist()
        plain = ~self.bias[ix.src]
        self.inputs = np.bincount(ix.dst[plain], minlength=len(ix.nodes)).tolist()
        self.outputs = np.bincount(ix.src, minlength=len(ix.nodes)).tolist()
        self.is_bias = self.bias.tolist()


def _lowest(ix: IndexedGraph, d: _Degrees, scores: np.ndarray, members: np.ndarray, count: int,
            keep_connected: bool, name: str, size: int) -> np.ndarray:  # fmt: skip
    """The ``count`` lowest-scored members, skipping (with ``keep_connected``) each edge that is, when its turn
    comes, the last input of its target or the last output of its source."""
    free = np.flatnonzero(members)
    order = free[np.lexsort((free, scores[free]))]
    if not keep_connected:
        return order[:count]
    chosen = []
    src, dst = ix.src.tolist(), ix.dst.tolist()
    for p in order.tolist():
        s, t = src[p], dst[p]
        plain = not d.is_bias[s]
        if plain and d.needs_input[t] and d.inputs[t] < 2:
            continue
        if d.needs_output[s] and d.outputs[s] < 2:
            continue
        if plain:
            d.inputs[t] -= 1
        d.outputs[s] -= 1
        chosen.append(p)
        if len(chosen) == count:
            return np.array(chosen, dtype=np.int64)
    raise PruningError(
        f"cannot prune {count} of the {size} prunable edges of {name} and keep every neuron connected (an "
        f"incoming edge, a path to an output): taken lowest score first, only {len(chosen)} can go (amount "
        f"≤ {len(chosen) / max(size, 1):.3g}) before the others are each the last input or output of a neuron; "
        f"keep_connected=False prunes regardless"
    )


def _check_outputs_fed(net: Network, remove: np.ndarray) -> None:
    ix = net.indexed()
    keep = np.ones(ix.src.size, dtype=bool)
    keep[remove] = False
    fed = np.bincount(ix.dst[keep], minlength=len(ix.nodes)) > 0
    starved = [ix.nodes[i] for i in np.flatnonzero(kind_masks(ix)["output"] & ~fed).tolist()]
    if starved:
        raise PruningError(f"pruning would leave the output neurons {starved!r} without any incoming edge (an "
                           f"output cannot be removed); prune less, or with keep_connected=True")  # fmt: skip


def dead_neurons(net: Network) -> dict[str, list]:
    """The neurons that compute nothing an output uses, or nothing from the inputs.

    Returns
    -------
    dict
        ``"unreached"``: hidden and output neurons that no path of non-bias edges
        reaches from an input (they compute constants, or cannot be evaluated
        at all without an incoming edge); ``"unused"``: input and hidden neurons
        from which no path reaches an output.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> net.disconnect(1, 3)
    >>> dead_neurons(net)                      # 3 is fed by bias 2 only now
    {'unreached': [3], 'unused': []}
    """
    ix = net.indexed()
    masks = kind_masks(ix)
    bias_edge = masks["bias"][ix.src]
    forward = _reach(ix.src[~bias_edge], ix.dst[~bias_edge], masks["input"])
    backward = _reach(ix.dst, ix.src, masks["output"])
    unreached = (masks["hidden"] | masks["output"]) & ~forward
    unused = (masks["input"] | masks["hidden"]) & ~backward
    return {
        "unreached": [ix.nodes[i] for i in np.flatnonzero(unreached).tolist()],
        "unused": [ix.nodes[i] for i in np.flatnonzero(unused).tolist()],
    }


def _reach(src: np.ndarray, dst: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Which nodes a path of the edges ``src → dst`` reaches from ``start`` (any acyclic edge set)."""
    generation = generation_array(start.size, src, dst)
    assert generation is not None  # part of an acyclic graph, or its reverse
    return reachable(IndexedGraph([], src, dst, generation), start)


def _remove_dead(pruned: Network) -> None:
    """Remove the hidden neurons that are unused, or have no incoming edge at all; warn naming them."""
    removed: list = []
    while True:
        dead = dead_neurons(pruned)
        ix = pruned.indexed()
        fed = set(ix.nodes[i] for i in np.unique(ix.dst).tolist())
        hidden = set(pruned.hidden)
        doomed = [n for n in dead["unused"] if n in hidden] + [
            n for n in dead["unreached"] if n in hidden and n not in fed
        ]
        if not doomed:
            break
        for neuron in dict.fromkeys(doomed):
            pruned.remove_neuron(neuron)
        removed += doomed
    dead = dead_neurons(pruned)
    if removed or dead["unreached"] or dead["unused"]:
        parts = [f"removed the hidden neurons {removed!r} (unused, or without any incoming edge)"] if removed else []
        if dead["unreached"]:
            parts.append(f"left {dead['unreached']!r} computing constants (no input reaches them)")
        if dead["unused"]:
            parts.append(f"left the input neurons {dead['unused']!r} unused")
        warnings.warn("pruning with keep_connected=False " + "; ".join(parts), PrunedNeuronsWarning, stacklevel=3)
