"""Dropout in the compiled sweeps: per-neuron masks on ``z``, inverted scaling, one draw per batch.

A neuron ``j`` with rate ``p_j`` outputs ``z̃_j = m_j · z_j / (1 − p_j)`` in a
training pass, ``m_j`` being 0 with probability ``p_j`` and 1 otherwise, drawn
for every example; so ``E[z̃_j] = z_j`` and evaluation (``net.forward``,
the loss of every epoch) uses the network as it is, without masks. Backward,
``∂L/∂z_j = m_j / (1 − p_j) · ∂L/∂z̃_j``, and ``σ'`` reads the unmasked
``z_j``; every weight out of ``j`` sees ``z̃_j``.

:class:`DropoutMasks` holds the rows that drop, by stage (input rows as a
stage of their own, before the first), the masks of the current batch
(:meth:`DropoutMasks.draw`: one ``Generator.random`` call per stage over the
whole batch, or :meth:`DropoutMasks.fix` for given masks) and what the sweeps
call: :meth:`~DropoutMasks.forward` after a stage's activations,
:meth:`~DropoutMasks.backward` before its chain rule (it puts the unmasked
``z`` back for ``σ'``; the stages that read the masked one as a source are
done by then), :meth:`~DropoutMasks.remask` after the sweep (the few kernels
that compute ``∂L/∂w`` last read ``Z`` again).

Examples
--------
>>> import numpy as np
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> engine = net.compile()
>>> drop = DropoutMasks(engine.schedule, {3: 0.5, 4: 0.5})
>>> _ = drop.fix({3: [1.0, 0.0], 4: [0.0, 1.0]}, batch=2)    # m per example
>>> drop.scale(3).tolist()                                # m / (1 - p)
[2.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np

from .schedule import Schedule

__all__ = ["DropoutMasks", "INPUTS"]

INPUTS = -1  # the "stage" of the input rows


def _rows(rows: np.ndarray) -> slice | np.ndarray:
    """Contiguous rows as a slice (a view), others as an index array."""
    if rows.size and rows[-1] - rows[0] + 1 == rows.size:
        return slice(int(rows[0]), int(rows[-1]) + 1)
    return rows


class DropoutMasks:
    """The dropping rows of a schedule, and the masks of one batch (see the module notes).

    Parameters
    ----------
    schedule : Schedule
    rates : mapping neuron -> rate
        Each rate in (0, 1) (checked by the caller); input and hidden neurons only.
    """

    def __init__(self, schedule: Schedule, rates: Mapping[Hashable, float]) -> None:
        self.schedule = schedule
        row_rate = {schedule.rows[n]: float(p) for n, p in rates.items() if p > 0}
        n_in = len(schedule.inputs)
        bounds = [(INPUTS, 0, n_in)] + [(k, st.start, st.stop) for k, st in enumerate(schedule.stages)]
        self.stages: dict[int, tuple[slice | np.ndarray, np.ndarray, np.ndarray]] = {}  # rows, p, 1 / (1 - p)
        self._absolute: dict[int, list[int]] = {}
        for k, lo, hi in bounds:
            rows = np.array(sorted(r for r in row_rate if lo <= r < hi), dtype=np.int64)
            if rows.size:
                p = np.array([row_rate[r] for r in rows.tolist()])
                self.stages[k] = (_rows(rows), p[:, None], (1.0 / (1.0 - p))[:, None])
                self._absolute[k] = rows.tolist()
        self.masks: dict[int, np.ndarray] = {}  # stage -> (rows, batch): m / (1 - p)
        self._saved: dict[int, np.ndarray] = {}  # stage -> the swapped-out z (see backward)

    def __bool__(self) -> bool:
        return bool(self.stages)

    def draw(self, rng: np.random.Generator, batch: int, dtype: Any) -> DropoutMasks:
        """New masks for a batch of ``batch`` examples; returns ``self``."""
        for k, (_, p, scale) in self.stages.items():
            mask = self.masks.get(k)
            if mask is None or mask.shape[1] != batch or mask.dtype != dtype:
                mask = self.masks[k] = np.empty((p.shape[0], batch), dtype)
            keep = rng.random((p.shape[0], batch)) >= p
            np.multiply(keep, scale, out=mask, casting="unsafe")
        return self

    def fix(self, masks: Mapping[Hashable, Any], batch: int, dtype: Any = np.float64) -> DropoutMasks:
        """Given masks: ``masks[neuron]`` is ``m`` (0 or 1) per example, for every dropping neuron."""
        order = self.schedule.order
        for k, (_, _, scale) in self.stages.items():
            m = [np.broadcast_to(np.asarray(masks[order[r]], float), (batch,)) for r in self._absolute[k]]
            self.masks[k] = (np.array(m) * scale).astype(dtype)
        return self

    def scale(self, neuron: Hashable) -> np.ndarray:
        """``m / (1 − p)`` of ``neuron`` per example, in the current masks."""
        row = self.schedule.rows[neuron]
        for k, rows in self._absolute.items():
            if row in rows:
                return self.masks[k][rows.index(row)]
        raise KeyError(neuron)

    # -------------------------------------------------------------- the sweeps
    def forward(self, k: int, Z: np.ndarray) -> None:
        """After stage ``k``'s activations: ``z̃ = z · m / (1 − p)`` in its dropping rows."""
        entry = self.stages.get(k)
        if entry is not None:
            rows = entry[0]
            saved = self._saved.get(k)
            if saved is None or saved.shape != self.masks[k].shape or saved.dtype != Z.dtype:
                saved = self._saved[k] = np.empty(self.masks[k].shape, Z.dtype)
            np.copyto(saved, Z[rows])
            if isinstance(rows, slice):
                Z[rows] *= self.masks[k]
            else:
                Z[rows] = saved * self.masks[k]

    def backward(self, k: int, Z: np.ndarray, dZ: np.ndarray) -> None:
        """Before stage ``k``'s chain rule: ``∂L/∂z ← m / (1 − p) · ∂L/∂z̃``, and the unmasked ``z`` back
        (the masked one kept, for :meth:`remask`)."""
        entry = self.stages.get(k)
        if entry is not None:
            rows, mask, saved = entry[0], self.masks[k], self._saved[k]
            if isinstance(rows, slice):
                dZ[rows] *= mask
                masked = Z[rows].copy()
                Z[rows] = saved
            else:
                dZ[rows] = dZ[rows] * mask
                masked = Z[rows]
                Z[rows] = saved
            self._saved[k] = masked

    def remask(self, Z: np.ndarray) -> None:
        """After the backward sweep: the masked ``z`` back where stages swapped it out."""
        for k, (rows, _, _) in self.stages.items():
            if k != INPUTS:
                Z[rows] = self._saved[k]
