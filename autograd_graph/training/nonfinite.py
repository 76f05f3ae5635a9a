"""Finding where a training step went non-finite (inf or NaN).

The checks are whole-array ``np.isfinite`` tests over the ``(n_neurons, batch)``
arrays of a pass; only once something is known to be non-finite are its rows
searched, to name the first neuron at fault. Rows of the compiled engine are
in topological order, so the lowest bad row of the forward pass is the first
neuron to go non-finite, and the highest bad row of the backward pass is the
first gradient to do so.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from ..results import Gradients, Trace

__all__ = ["Fault", "forward_fault", "backward_fault", "update_fault"]


@dataclass(frozen=True)
class Fault:
    """What went non-finite first: ``quantity`` of ``neuron`` (or of ``edge``), at example ``example``."""

    quantity: str
    value: float
    example: int | None = None  # position in the batch
    neuron: Hashable | None = None
    edge: tuple | None = None

    def describe(self) -> str:
        if self.neuron is not None:
            what = f"{self.quantity} of neuron {self.neuron!r}"
        elif self.edge is not None:
            what = f"{self.quantity} of edge {self.edge[0]!r} → {self.edge[1]!r}"
        else:
            what = f"the {self.quantity}"
        example = "" if self.example is None else f" (example {self.example} of the batch)"
        return f"{what} is {self.value}{example}"


def _first_bad(arrays: Sequence[tuple[str, np.ndarray]], order: Sequence[Hashable], *, last: bool) -> Fault | None:
    """The first (or, with ``last``, the highest) row that is non-finite in any of the arrays."""
    bad = {name: ~np.isfinite(array).all(axis=1) for name, array in arrays}  # (n_neurons,) each
    rows = np.flatnonzero(np.logical_or.reduce(list(bad.values())))
    if rows.size == 0:
        return None
    row = int(rows[-1] if last else rows[0])
    for name, array in arrays:  # the earlier array is computed first for a neuron
        if bad[name][row]:
            example = int(np.flatnonzero(~np.isfinite(array[row]))[0])
            return Fault(name, float(array[row, example]), example, neuron=order[row])
    raise AssertionError("unreachable: a bad row is bad in some array")


def forward_fault(trace: Trace) -> Fault | None:
    """The first neuron (in topological order) whose ``a`` or ``z`` is not finite, if any.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> net.set_weight(1, 4, 1e308); net.set_weight(2, 4, 1e308)
    >>> with np.errstate(over="ignore", invalid="ignore"):
    ...     fault = forward_fault(net.forward([[1.0]]))
    >>> fault.describe()
    'a of neuron 4 is inf (example 0 of the batch)'
    """
    A, Z = trace.a.array, trace.z.array
    if np.isfinite(A).all() and np.isfinite(Z).all():
        return None
    return _first_bad([("a", A), ("z", Z)], trace.order, last=False)


def backward_fault(grads: Gradients, trace: Trace, edges: Sequence[tuple]) -> Fault | None:
    """The first value of the backward pass that is not finite, if any.

    In the order backward computes them: the loss, then ``∂L/∂z`` and
    ``∂L/∂a`` from the outputs back (the highest bad row), then ``∂L/∂w``.
    """
    if np.isfinite(grads.weights.flat).all() and np.isfinite(grads.loss):
        return None
    losses = np.asarray(grads.losses)
    if not np.isfinite(losses).all():
        example = int(np.flatnonzero(~np.isfinite(losses))[0])
        return Fault("loss", float(losses[example]), example)
    fault = _first_bad([("∂L/∂z", grads.z.array), ("∂L/∂a", grads.a.array)], trace.order, last=True)
    if fault is not None:
        return fault
    return update_fault(grads.weights.flat, edges, "∂L/∂w")


def update_fault(weights: np.ndarray, edges: Sequence[tuple], quantity: str = "weight") -> Fault | None:
    """The first edge whose value in ``weights`` (flat, ``net.edges`` order) is not finite, if any."""
    if np.isfinite(weights).all():
        return None
    bad = np.flatnonzero(~np.isfinite(weights))
    return Fault(quantity, float(weights[bad[0]]), edge=edges[bad[0]])
