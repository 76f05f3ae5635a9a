"""What the passes return: a forward :class:`Trace` and backward :class:`Gradients`.

Per-neuron values are read by neuron id (``trace.z[6]``, shape ``(batch,)``);
per-weight values by edge (``grads.weights[(6, 9)]``). Behind them sit plain
arrays: ``NeuronValues.array`` is ``(n_neurons, batch)``, ``EdgeValues.flat``
is in ``net.edges`` order.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .exceptions import UnknownEdgeError, UnknownNeuronError

__all__ = ["NeuronValues", "EdgeValues", "Trace", "Gradients"]


class NeuronValues(Mapping):
    """Read-only mapping ``neuron -> array of shape (batch,)``.

    Parameters
    ----------
    rows : mapping
        ``neuron -> row`` of ``array``.
    array : ndarray, shape (n_neurons, batch)
    what : str
        What the values are, for messages (``"a"``, ``"∂L/∂z"``).
    pending : callable, optional
        Fills in rows of ``array`` that were left for later; called once,
        the first time the values are read.
    """

    def __init__(
        self, rows: Mapping[Hashable, int], array: np.ndarray, what: str, pending: Callable[[], None] | None = None
    ) -> None:
        self._rows = rows
        self._array = array
        self._what = what
        self._pending = pending

    @property
    def array(self) -> np.ndarray:
        """All values, shape ``(n_neurons, batch)``."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending()
        return self._array

    @array.setter
    def array(self, values: np.ndarray) -> None:
        self._pending = None
        self._array = values

    @property
    def raw(self) -> np.ndarray:
        """``array`` without filling in the rows left for later (for the engine)."""
        return self._array

    def __getitem__(self, neuron: Hashable) -> np.ndarray:
        try:
            row = self._rows[neuron]
        except (KeyError, TypeError):
            raise UnknownNeuronError(f"{self._what}: no neuron {neuron!r} in this network") from None
        view = self.array[row]
        view.flags.writeable = False
        return view

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"<{self._what} of {len(self)} neurons, batch {self._array.shape[1]}>"


class EdgeValues(Mapping):
    """Read-only mapping ``(i, j) -> float``, one value per weight.

    ``flat`` holds the values in ``net.edges`` order (the order of
    ``net.weights``), as an optimizer wants them.
    """

    def __init__(self, position: Mapping[tuple, int], flat: np.ndarray, what: str) -> None:
        self._position = position
        self.flat = flat
        self._what = what

    def __getitem__(self, edge: tuple) -> float:
        try:
            return float(self.flat[self._position[edge]])
        except (KeyError, TypeError):
            raise UnknownEdgeError(f"{self._what}: no edge {edge!r} in this network") from None

    def __iter__(self) -> Iterator[tuple]:
        return iter(self._position)

    def __len__(self) -> int:
        return len(self._position)

    def __repr__(self) -> str:
        return f"<{self._what} of {len(self)} edges>"


@dataclass(frozen=True)
class Trace:
    """The result of ``net.forward(X)``: every neuron's ``a`` and ``z``.

    Attributes
    ----------
    a, z : NeuronValues
        ``trace.a[k]``, ``trace.z[k]``: neuron ``k``'s weighted input and
        output over the batch, shape ``(batch,)``. An input neuron has
        ``a = z = x``, a bias neuron ``a = z = 1``.
    output : ndarray, shape (batch, n_outputs)
        ``z`` of the output neurons, columns in ``net.outputs`` order.
    engine : str
        ``"compiled"`` or ``"reference"``.
    """

    a: NeuronValues
    z: NeuronValues
    output: np.ndarray
    engine: str
    inputs: Sequence[Hashable]
    outputs: Sequence[Hashable]
    versions: tuple[object, int, int]  # (network identity, structure, weights) at forward time
    plan: Any = field(default=None, repr=False)  # the compiled schedule, if any

    @property
    def batch_size(self) -> int:
        """Number of examples in the batch."""
        return self.output.shape[0]

    @property
    def dtype(self) -> np.dtype:
        """The floating type of the pass."""
        return self.output.dtype


@dataclass(frozen=True)
class Gradients:
    """The result of ``net.backward(trace, Y)``.

    Attributes
    ----------
    loss : float
        ``L``, the batch mean of the per-example losses ``ℓ``.
    losses : ndarray, shape (batch,)
        Each example's ``ℓ``.
    a, z : NeuronValues
        ``∂L/∂a_k`` and ``∂L/∂z_k`` for each example (they carry the
        ``1/batch`` of the mean: summed over the batch they give the
        gradient of ``L``; with a batch of one they are ``∂ℓ/∂a``, ``∂ℓ/∂z``).
    weights : EdgeValues
        ``∂L/∂w_{i,j}``, summed over the batch; ``weights.flat`` in
        ``net.edges`` order.
    loss_function : Loss
        The loss the gradients are of (``net.backward``'s ``loss=``).
    """

    loss: float
    losses: np.ndarray
    a: NeuronValues
    z: NeuronValues
    weights: EdgeValues
    loss_function: Any = None  # the Loss the gradients are of (net.backward's loss=)
