"""Callbacks after every step, and a structure that changes while training.

A training callback that also has a method ``on_step(log)`` is called after
every update with a :class:`StepLog` (the batch, the step, the network
holding the updated weights), besides ``callback(log)`` after every epoch:
what dynamic sparse training needs (:class:`~autograd_graph.SET` and
:class:`~autograd_graph.RigL` rewire every ``every`` steps). A training
without such callbacks pays nothing per step.

``on_step`` returns None, or, when it changed the network's structure, the
array :meth:`~autograd_graph.Network.rewire` returned (each new weight
position's old one), so that the loop carries the optimizer's per-weight
state across the change (:meth:`~autograd_graph.Optimizer.remap`: kept edges
keep their moments, new ones start from zero).

Whatever changes the structure (a step callback, or an epoch callback), the
training stays consistent:

- the optimizer's state follows the edges (:class:`StateAlignment`);
- the best weights of a run are kept with the edges they belong to, and the
  network ends with the best run's best edges and weights (:func:`restore_best`);
- every restart starts from the structure training started from
  (:class:`StartingStructure`);
- checkpoints are whole networks, so they hold the structure of their epoch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..losses import Loss

if TYPE_CHECKING:
    from ..network import Network
    from .history import RunResult
    from .optimizers import Optimizer

__all__ = ["StepLog", "step_callbacks", "after_step", "StateAlignment", "StartingStructure", "restore_best",
           "carried"]  # fmt: skip

StepCallback = Callable[["StepLog"], "np.ndarray | None"]


@dataclass(frozen=True)
class StepLog:
    """What a step callback (``on_step``) receives after every update.

    Attributes
    ----------
    run : int
        The run (from 0; restarts are runs).
    epoch : int
        The epoch the step belongs to (from 1).
    step : int
        Updates made in this run, this one included (from 1).
    steps_per_epoch, total_steps : int
        Updates per epoch, and in the whole run (``epochs × steps_per_epoch``).
    last_in_epoch : bool
        Whether this is the epoch's last update (the epoch callbacks come next).
    network : Network
        The network, holding the weights after this update.
    X, Y : ndarray
        The step's batch, ``(batch, n_inputs)`` and ``(batch, n_outputs)``.
    loss : Loss
        The loss training minimises.
    seed : numpy.random.SeedSequence
        The run's seed for the callbacks' own random choices (from the training's ``seed``).
    """

    run: int
    epoch: int
    step: int
    steps_per_epoch: int
    total_steps: int
    last_in_epoch: bool
    network: Network
    X: np.ndarray
    Y: np.ndarray
    loss: Loss
    seed: np.random.SeedSequence


def step_callbacks(callbacks: Sequence[Any]) -> list[StepCallback]:
    """The ``on_step`` methods of the callbacks that have one (an empty list: nothing runs per step)."""
    return [c.on_step for c in callbacks if callable(getattr(c, "on_step", None))]


def step_seed(run_seq: np.random.SeedSequence) -> np.random.SeedSequence:
    """The seed of a run's step callbacks: a child of the run's seed that nothing else draws from."""
    return np.random.SeedSequence(run_seq.entropy, spawn_key=(*run_seq.spawn_key, 2))


def after_step(hooks: list[StepCallback], log: StepLog, opt: Optimizer, alignment: StateAlignment) -> bool:
    """Call every step callback; returns whether one changed the structure (the optimizer's state then follows)."""
    changed = False
    for hook in hooks:
        source = hook(log)
        if source is not None:
            opt.remap(np.asarray(source, dtype=np.int64))
            alignment.follow(log.network)
            changed = True
    return changed


def carried(old: Sequence[tuple], new: Sequence[tuple]) -> np.ndarray:
    """Each new edge's position among ``old`` (-1 for an edge ``old`` lacks).

    Examples
    --------
    >>> carried([(1, 3), (2, 3)], [(2, 3), (1, 4)]).tolist()
    [1, -1]
    """
    at = {edge: p for p, edge in enumerate(old)}
    return np.fromiter((at.get(edge, -1) for edge in new), dtype=np.int64, count=len(new))


class StateAlignment:
    """Which structure an optimizer's per-weight state belongs to; :meth:`check` realigns it after a change."""

    def __init__(self, net: Network) -> None:
        self.follow(net)

    def follow(self, net: Network) -> None:
        """The state now belongs to the network's current structure."""
        self.structure, self.edges = net.versions[1], net.indexed().edges

    def check(self, net: Network, opt: Optimizer) -> None:
        """Carry the state by edge if the structure changed since (an epoch callback changed it)."""
        if net.versions[1] != self.structure:
            opt.remap(carried(self.edges, net.indexed().edges))
            self.follow(net)


class StartingStructure:
    """The network's structure when training started: every restart starts from it again."""

    def __init__(self, net: Network) -> None:
        self.start = net.copy()
        self.structure = net.versions[1]

    def restore(self, net: Network) -> None:
        """Give ``net`` back its starting structure and weights, if its structure changed."""
        if net.versions[1] != self.structure:
            net.__setstate__(self.start.__getstate__())
            self.structure = net.versions[1]


def restore_best(net: Network, run: RunResult) -> None:
    """Give ``net`` the run's best weights, and the edges they belong to if the structure changed since."""
    edges = run.best_edges
    if edges is not None and edges is not net.indexed().edges and list(edges) != net.edges:
        best, current = dict(zip(edges, run.best_weights.tolist(), strict=True)), set(net.edges)
        net.rewire(remove=[e for e in net.edges if e not in best],
                   add=[(*e, best[e]) for e in edges if e not in current])  # fmt: skip
        at = net.indexed().positions
        values = np.empty(len(edges))
        values[np.fromiter((at[e] for e in edges), dtype=np.int64, count=len(edges))] = run.best_weights
        net.set_weights(values)
    elif run.best_weights.shape == (net.n_weights,):
        net.set_weights(run.best_weights)
