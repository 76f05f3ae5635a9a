"""What dynamic sparse training changed: the edges of each run at its start and every update since.

A :class:`StructureHistory` is kept by :class:`~autograd_graph.SET` and
:class:`~autograd_graph.RigL` (``callback.history``): per run, the neurons,
the edges when the run started, and each update (its epoch and step, the
edges it removed and added), as integer pairs (neurons by index). It answers
the questions pictures ask:

- ``history.edges_at(epoch)``: the edges after that epoch (0: at the start);
- ``history.since(epoch)``: the edges added and removed since then, net
  (an edge removed and grown back counts as neither), an
  :class:`~autograd_graph.show.changes.EdgeChanges` for
  ``net.to_graphviz(changes=...)``;
- ``history.masks([0, 5, 10])``: the edges at several epochs, for
  ``ag.plot_weights(net, masks=...)``;
- ``history.table()``: one row per update (counts).

Runs default to the last one recorded (``run=result.best_run`` picks the
run ``ag.train`` kept).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..exceptions import TrainingError
from ..show.changes import EdgeChanges

__all__ = ["StructureHistory", "Update"]


@dataclass(frozen=True)
class Update:
    """One update: the edges removed and added after ``step`` (in ``epoch``, from 1), as codes ``s · n + t``."""

    run: int
    epoch: int
    step: int
    removed: np.ndarray
    added: np.ndarray


@dataclass
class _Run:
    nodes: list[Hashable]
    start: np.ndarray  # codes of the edges at the start, sorted
    updates: list[Update] = field(default_factory=list)

    def edges(self, codes: Iterable[int]) -> list[tuple]:
        n = len(self.nodes)
        return [(self.nodes[c // n], self.nodes[c % n]) for c in codes]


class StructureHistory:
    """The starting edges and the updates of every run of a dynamic sparse training (see the module notes)."""

    def __init__(self) -> None:
        self._runs: dict[int, _Run] = {}

    # ----------------------------------------------------------------- writing
    def start(self, run: int, nodes: list[Hashable], codes: np.ndarray) -> None:
        """A run starts with the edges ``codes`` (any earlier record of this run number is replaced)."""
        self._runs[run] = _Run(list(nodes), np.sort(codes))

    def record(self, update: Update) -> None:
        self._runs[update.run].updates.append(update)

    # ----------------------------------------------------------------- reading
    @property
    def runs(self) -> list[int]:
        """The runs recorded, in order."""
        return sorted(self._runs)

    def _run(self, run: int | None) -> _Run:
        if not self._runs:
            raise TrainingError("nothing recorded yet: pass the callback to ag.train(..., callbacks=[callback])")
        run = self.runs[-1] if run is None else run
        if run not in self._runs:
            raise TrainingError(f"run {run!r} is not recorded; the history holds runs {self.runs}")
        return self._runs[run]

    def updates(self, run: int | None = None) -> list[Update]:
        """The updates of a run, in order."""
        return list(self._run(run).updates)

    def edges_of(self, update: Update) -> tuple[list[tuple], list[tuple]]:
        """The edges an update removed and added, as ``(i, j)``."""
        r = self._run(update.run)
        return r.edges(update.removed.tolist()), r.edges(update.added.tolist())

    def _codes_at(self, r: _Run, epoch: int) -> np.ndarray:
        codes = r.start
        for u in r.updates:
            if u.epoch > epoch:
                break
            codes = np.union1d(np.setdiff1d(codes, u.removed, assume_unique=True), u.added)
        return codes

    def edges_at(self, epoch: int, run: int | None = None) -> list[tuple]:
        """The edges after ``epoch`` (0: when the run started), sorted by neuron index."""
        r = self._run(run)
        return r.edges(self._codes_at(r, epoch).tolist())

    def since(self, epoch: int, run: int | None = None) -> EdgeChanges:
        """The edges added and removed after ``epoch``, up to the run's last update (net of each other)."""
        r = self._run(run)
        before = self._codes_at(r, epoch)
        after = self._codes_at(r, max((u.epoch for u in r.updates), default=epoch))
        added = np.setdiff1d(after, before, assume_unique=True)
        removed = np.setdiff1d(before, after, assume_unique=True)
        return EdgeChanges(frozenset(r.edges(added.tolist())), frozenset(r.edges(removed.tolist())),
                           f"since epoch {epoch}")  # fmt: skip

    def masks(self, epochs: Iterable[int], run: int | None = None) -> dict[str, list[tuple]]:
        """``{"epoch e": edges}`` for each epoch asked (for ``ag.plot_weights(net, masks=...)``)."""
        return {f"epoch {e}": self.edges_at(e, run) for e in epochs}

    def table(self, run: int | None = None) -> list[dict[str, Any]]:
        """One row per update: ``run``, ``epoch``, ``step``, ``removed``, ``added`` (counts), ``edges`` after it."""
        r = self._run(run)
        rows, count = [], r.start.size
        for u in r.updates:
            count += u.added.size - u.removed.size
            rows.append({"run": u.run, "epoch": u.epoch, "step": u.step, "removed": int(u.removed.size),
                         "added": int(u.added.size), "edges": int(count)})  # fmt: skip
        return rows

    def __repr__(self) -> str:
        updates = sum(len(r.updates) for r in self._runs.values())
        return f"<StructureHistory: {len(self._runs)} run(s), {updates} update(s)>"
