"""Dynamic sparse training: :class:`SET` and :class:`RigL`, training callbacks that rewire every few steps.

Every ``every`` updates (or after every epoch, ``every="epoch"``) each group
(each layer of a layered network, by default) drops a fraction of its edges,
those of smallest ``|w|``, and grows as many new ones, so the number of edges
of every group, and so the density, stays what it was:

- :class:`SET` (Mocanu et al., 2018) drops the fraction ``zeta`` and grows
  edges uniformly at random among the absent ones, their weights drawn like
  the initializer's (uniform in ``±1/√fan_in`` of the fan-in after the update);
- :class:`RigL` (Evci et al., 2020) drops ``alpha/2 · (1 + cos(π t / T))``
  at step ``t`` (``T`` = ``until`` of the run's steps; no update after it)
  and grows the absent edges of largest ``|∂L/∂w|`` on the step's batch
  (:mod:`.gradients`: without the dense gradient matrix), with weight 0.

Edges grow on pairs that had no edge before the update (an edge just dropped
is not grown back at once), and an optimizer's state of a new edge starts
from zero (:meth:`~autograd_graph.Optimizer.remap`).

Never a cycle: edges only grow along a topological order fixed when the run
starts (:mod:`.space`). Never a neuron cut off: each neuron's strongest
edges are never dropped (:func:`~.edges.protected`). Frozen edges
(``net.frozen``) are neither dropped nor grown; bias weights are left alone
unless ``biases=True``. No update comes at a run's last step (its new edges
would never train). The random choices come from ``seed``, by default from
the training's own (``ag.train(..., seed=s)`` then repeats exactly).

Each callback keeps what it changed (``callback.history``, a
:class:`~.history.StructureHistory` per training in ``callback.histories``).
They work with ``ag.train`` (restarts, checkpoints, validation, early
stopping) and ``ag.compare(..., together=False)``; ``ag.train_many`` refuses
them, as it trains a fixed union of networks.
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._checks import fraction as check_fraction
from .._checks import whole_number
from ..exceptions import TrainingError
from ..rewiring import Change, PairSet, edge_codes
from .edges import frozen_mask, protected, prunable
from .gradients import largest_gradients, pass_values
from .history import StructureHistory, Update
from .space import GrowthSpace

if TYPE_CHECKING:
    from ..network import Network
    from ..training.history import EpochLog
    from ..training.steps import StepLog

__all__ = ["DynamicSparsity", "SET", "RigL"]


@dataclass
class _RunState:
    network: Network
    run: int
    space: GrowthSpace
    rng: np.random.Generator


class DynamicSparsity(ABC):
    """The base of :class:`SET` and :class:`RigL`: drop the weakest edges of each group, grow as many.

    Parameters
    ----------
    fraction : float in (0, 1)
        The fraction of each group's edges an update replaces (``zeta``, ``alpha``).
    every : int or "epoch", default 100
        Updates (steps) between rewirings, or ``"epoch"``: after the last step of every epoch.
    scope : {"auto", "per_layer", "global"}
        Groups that keep their own number of edges: each layer's (``"auto"`` on
        a layered network), or the whole network's (``"auto"`` otherwise).
    until : float in (0, 1], optional
        No rewiring after this fraction of the run's steps.
    biases : bool, default False
        Whether bias weights are dropped and grown too.
    seed : int, optional
        Seeds the random choices; None takes them from the training's seed.
    """

    parameter = "fraction"  # the name of ``fraction`` in messages

    def __init__(self, fraction: float, every: int | str = 100, *, scope: str = "auto", until: float | None = None,
                 biases: bool = False, seed: int | None = None) -> None:  # fmt: skip
        self.fraction = check_fraction(self.parameter, fraction, TrainingError, low_open=True, high_open=True)
        if every != "epoch":
            every = whole_number("every (steps between updates, or 'epoch')", every, TrainingError)
        self.every = every
        if scope not in ("auto", "per_layer", "global"):
            raise TrainingError(f"scope must be 'auto', 'per_layer' or 'global', got {scope!r}")
        self.scope = scope
        self.until = None if until is None else check_fraction("until", until, TrainingError, low_open=True)
        self.biases = bool(biases)
        if seed is not None and not (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
            raise TrainingError(f"seed must be an int or None (the training's seed), got {seed!r}")
        self.seed = seed
        self.histories: list[StructureHistory] = []
        self._state: _RunState | None = None

    @property
    def history(self) -> StructureHistory:
        """The history of the latest training (see :mod:`.history`)."""
        if not self.histories:
            raise TrainingError(f"{type(self).__name__} has not trained yet: ag.train(..., callbacks=[callback])")
        return self.histories[-1]

    def __call__(self, log: EpochLog) -> None:
        """Called after every epoch, as every training callback: the rewiring happens after steps (``on_step``)."""
        return None

    def fraction_at(self, step: int, total_steps: int) -> float:
        """The fraction of each group replaced by an update after ``step`` (constant here)."""
        return self.fraction

    def _due(self, log: StepLog) -> bool:
        if log.step >= log.total_steps:
            return False  # the edges grown now would never train
        if self.until is not None and log.step > self.until * log.total_steps:
            return False
        return log.last_in_epoch if isinstance(self.every, str) else log.step % self.every == 0

    # ------------------------------------------------------------------ a step
    def on_step(self, log: StepLog) -> np.ndarray | None:
        """After every update: rewire when it is due; returns ``net.rewire``'s array then, else None."""
        state = self._state
        if state is None or log.step == 1 or state.network is not log.network or state.run != log.run:
            state = self._start(log)
        if not self._due(log):
            return None
        fraction = self.fraction_at(log.step, log.total_steps)
        if fraction <= 0:
            return None
        change, removed, added = self._change(log, state, fraction)
        if not removed.size and not added.size:
            return None
        source = log.network.apply_change(change)
        self.history.record(Update(log.run, log.epoch, log.step, removed, added))
        return source

    def _start(self, log: StepLog) -> _RunState:
        """A run begins: its growth space (a fixed topological order), its random draws, its history."""
        net = log.network
        if log.run == 0 or not self.histories:
            self.histories.append(StructureHistory())
        scope = self.scope if self.scope != "auto" else ("per_layer" if net.is_layered() else "global")
        ix = net.indexed()
        self.history.start(log.run, ix.nodes, edge_codes(ix.src, ix.dst, len(ix.nodes)))
        seed = log.seed if self.seed is None else np.random.SeedSequence(self.seed, spawn_key=(log.run,))
        self._state = _RunState(net, log.run, GrowthSpace.of(net, scope, self.biases), np.random.default_rng(seed))
        return self._state

    def _change(self, log: StepLog, state: _RunState, fraction: float) -> tuple[Change, np.ndarray, np.ndarray]:
        """The change of one update, and the codes of the edges it removes and adds."""
        net, space = log.network, state.space
        ix = net.indexed()
        n = len(ix.nodes)
        magnitude = np.abs(net.weights)
        group = space.edge_group(ix)
        candidates = (group >= 0) & prunable(net, self.biases)
        keep = protected(ix, magnitude, frozen_mask(net))
        drops = []
        for g in range(len(space.names)):
            members = np.flatnonzero(candidates & (group == g))
            free = members[~keep[members]]
            room = space.pairs(g) - int(np.count_nonzero(group == g))  # pairs without an edge, to grow on
            count = min(int(math.floor(fraction * members.size + 0.5)), free.size, room)
            drops.append(_smallest(free, magnitude, count))
        codes = edge_codes(ix.src, ix.dst, n)
        remaining = np.ones(codes.size, dtype=bool)
        for dropped in drops:
            remaining[dropped] = False
        grown = self._grow(log, state, drops, group, codes)  # among the pairs without an edge before the update
        src, dst = grown // n, grown % n
        fan_in = np.bincount(ix.dst[remaining], minlength=n) + np.bincount(dst, minlength=n)
        remove = np.sort(np.concatenate(drops))
        change = Change(remove, src, dst, self._new_weights(state, fan_in[dst]))
        return change, codes[remove], grown

    @abstractmethod
    def _grow(self, log: StepLog, state: _RunState, drops: list[np.ndarray], group: np.ndarray,
              codes: np.ndarray) -> np.ndarray:  # fmt: skip
        """The codes of the edges to grow, as many per group as it dropped, among the pairs without an edge."""

    @abstractmethod
    def _new_weights(self, state: _RunState, fan_in: np.ndarray) -> np.ndarray:
        """The weights of the grown edges (``fan_in``: their targets' fan-in after the update)."""

    def __repr__(self) -> str:
        until = "" if self.until is None else f", until={self.until}"
        return f"{type(self).__name__}({self.parameter}={self.fraction}, every={self.every!r}{until})"


def _smallest(positions: np.ndarray, magnitude: np.ndarray, count: int) -> np.ndarray:
    """The ``count`` positions of smallest ``magnitude`` (a partition, not a sort: ties go deterministically)."""
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    if count >= positions.size:
        return positions
    return np.sort(positions[np.argpartition(magnitude[positions], count - 1)[:count]])


class SET(DynamicSparsity):
    """Sparse Evolutionary Training: drop the fraction ``zeta`` of smallest ``|w|``, regrow as many at random.

    Parameters
    ----------
    zeta : float in (0, 1), default 0.3
        The fraction of each group's edges replaced by an update.
    every : int or "epoch", default 100
    scope, until, biases, seed
        See :class:`DynamicSparsity`.

    Examples
    --------
    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> net = ag.layered([8, 32, 4], density=0.3, seed=0)
    >>> X = np.random.default_rng(0).normal(size=(64, 8)); Y = X[:, :4] * X[:, 4:]
    >>> rewire = ag.SET(zeta=0.3, every=8)
    >>> edges = net.n_weights
    >>> _ = ag.train(net, X, Y, epochs=3, batch_size=8, optimizer="adam", seed=0, callbacks=[rewire])
    >>> net.n_weights == edges, [(row["step"], row["removed"], row["added"]) for row in rewire.history.table()]
    (True, [(8, 29, 29), (16, 29, 29)])
    """

    parameter = "zeta"

    def __init__(self, zeta: float = 0.3, every: int | str = 100, *, scope: str = "auto",
                 until: float | None = None, biases: bool = False, seed: int | None = None) -> None:  # fmt: skip
        super().__init__(zeta, every, scope=scope, until=until, biases=biases, seed=seed)

    @property
    def zeta(self) -> float:
        return self.fraction

    def _grow(self, log, state, drops, group, codes):
        present = PairSet(codes, state.space.n)
        grown = []
        for g, dropped in enumerate(drops):
            taken = int(np.count_nonzero(group == g))
            grown.append(state.space.sample_absent(g, dropped.size, present, taken, state.rng))
        return np.concatenate(grown) if grown else np.zeros(0, dtype=np.int64)

    def _new_weights(self, state, fan_in):
        return state.rng.uniform(-1.0, 1.0, fan_in.size) / np.sqrt(fan_in)


class RigL(DynamicSparsity):
    """Rigged Lottery: drop the smallest ``|w|``, grow the absent edges of largest ``|∂L/∂w|``, at weight 0.

    Parameters
    ----------
    alpha : float in (0, 1), default 0.3
        The fraction replaced at the first update; it decays as ``alpha/2 · (1 + cos(π t / T))``.
    every : int or "epoch", default 100
    until : float in (0, 1], default 0.75
        ``T``: no update after this fraction of the run's steps.
    scope, biases, seed
        See :class:`DynamicSparsity` (``seed`` only breaks no ties: RigL draws nothing at random).

    Examples
    --------
    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> net = ag.layered([8, 32, 4], activation="tanh", density=0.3, seed=0)
    >>> X = np.random.default_rng(0).normal(size=(64, 8)); Y = X[:, :4] * X[:, 4:]
    >>> rigl = ag.RigL(alpha=0.3, every=8, until=0.75)
    >>> _ = ag.train(net, X, Y, epochs=4, batch_size=8, optimizer="adam", seed=0, callbacks=[rigl])
    >>> [(row["step"], row["removed"]) for row in rigl.history.table()]  # 32 steps; at 24 the fraction is 0
    [(8, 23), (16, 9)]
    """

    parameter = "alpha"

    def __init__(self, alpha: float = 0.3, every: int | str = 100, *, until: float = 0.75, scope: str = "auto",
                 biases: bool = False, seed: int | None = None) -> None:  # fmt: skip
        super().__init__(alpha, every, scope=scope, until=until, biases=biases, seed=seed)

    @property
    def alpha(self) -> float:
        return self.fraction

    def fraction_at(self, step: int, total_steps: int) -> float:
        """``alpha/2 · (1 + cos(π · step / (until · total_steps)))``: the cosine decay of Evci et al."""
        end = (self.until or 1.0) * total_steps
        return self.fraction / 2 * (1 + math.cos(math.pi * min(step / end, 1.0))) if end > 0 else 0.0

    def _grow(self, log, state, drops, group, codes):
        values = pass_values(log.network, log.X, log.Y, log.loss)  # the network before the drop, as RigL takes it
        ix = log.network.indexed()
        grown = []
        for g, dropped in enumerate(drops):
            inside = group == g
            grown.append(largest_gradients(state.space, g, dropped.size, values, (ix.src[inside], ix.dst[inside])))
        return np.concatenate(grown) if grown else np.zeros(0, dtype=np.int64)

    def _new_weights(self, state, fan_in):
        return np.zeros(fan_in.size)
