"""What the passes return: a forward :class:`Trace` and backward :class:`Gradients`.

Per-neuron values are read by neuron id (``trace.z[6]``, shape ``(batch,)``);
per-weight values by edge (``grads.weights[(6, 9)]``). Behind them sit plain
arrays: ``NeuronValues.array`` is ``(n_neurons, batch)``, rows in
``NeuronValues.order`` (a topological order, for either engine),
``EdgeValues.flat`` is in ``net.edges`` order. Every array handed out is
read-only: a result never changes after the pass, and cannot be changed.

Each result prints as a table (``repr``, without object addresses) and shows
as an HTML table in Jupyter (``_repr_html_``): a row per neuron or edge (the
first :data:`~autograd_graph.tables.MAX_ROWS`), a column per example (the
first :data:`EXAMPLES_SHOWN`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ._checks import safe_repr
from .exceptions import UnknownEdgeError, UnknownNeuronError
from .losses import Loss
from .tables import MAX_ROWS, html_table, number, text_table

__all__ = ["EngineKind", "NeuronValues", "EdgeValues", "Trace", "Gradients", "read_only", "EXAMPLES_SHOWN"]

EXAMPLES_SHOWN = 3  # the examples of a batch that a result's table shows


class EngineKind(str, enum.Enum):
    """The engine that computed a pass: ``net.forward(X, engine=...)`` takes its value."""

    COMPILED = "compiled"
    REFERENCE = "reference"

    def __str__(self) -> str:
        return self.value


def read_only(array: np.ndarray) -> np.ndarray:
    """A read-only view of ``array`` (the array itself stays writable for its owner)."""
    view = array.view()
    view.flags.writeable = False
    return view


class NeuronValues(Mapping):
    """Read-only mapping ``neuron -> array of shape (batch,)``.

    Parameters
    ----------
    order : sequence
        The neuron of each row of ``array``.
    rows : mapping
        ``neuron -> row`` of ``array`` (the inverse of ``order``).
    array : ndarray, shape (n_neurons, batch)
    what : str
        What the values are, for messages (``"a"``, ``"∂L/∂z"``).
    pending : callable, optional
        Fills in rows of ``array`` that were left for later; called once,
        the first time the values are read.
    """

    def __init__(
        self,
        order: Sequence[Hashable],
        rows: Mapping[Hashable, int],
        array: np.ndarray,
        what: str,
        pending: Callable[[], None] | None = None,
    ) -> None:
        self.order = order
        self._rows = rows
        self._array = array
        self._what = what
        self._pending = pending

    @property
    def array(self) -> np.ndarray:
        """All values, shape ``(n_neurons, batch)``, rows in :attr:`order` (read-only)."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending()
        self._array.flags.writeable = False  # complete now: nobody writes it again
        return self._array

    @property
    def raw(self) -> np.ndarray:
        """``array`` without filling in the rows left for later (what an engine's backward reads)."""
        return self._array

    def row(self, neuron: Hashable) -> int:
        """The row of ``neuron`` in :attr:`array`."""
        try:
            return self._rows[neuron]
        except (KeyError, TypeError):
            raise UnknownNeuronError(f"{self._what}: no neuron {safe_repr(neuron)} in this network") from None

    def __getitem__(self, neuron: Hashable) -> np.ndarray:
        return self.array[self.row(neuron)]

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def _columns(self, label: str = "") -> tuple[list[str], list[list[str]]]:
        """Headers and rows of the table: a row per neuron, a column per shown example."""
        batch = self._array.shape[1]
        shown = range(min(batch, EXAMPLES_SHOWN))
        what = label or self._what
        headers = [f"{what}[{b}]" for b in shown] + (["…"] if batch > EXAMPLES_SHOWN else [])
        array = self.array
        rows = [
            [number(float(array[r, b])) for b in shown] + (["…"] if batch > EXAMPLES_SHOWN else [])
            for r in range(min(len(self.order), MAX_ROWS))
        ]  # fmt: skip (the rows shown: see tables)
        return headers, rows

    def _title(self) -> str:
        return f"{self._what} of {len(self)} neurons, batch {self._array.shape[1]}"

    def _table(self) -> tuple[list[str], list[list[str]]]:
        headers, rows = self._columns()
        return ["neuron", *headers], [[safe_repr(k), *r] for k, r in zip(self.order, rows, strict=False)]

    def __repr__(self) -> str:
        return self._title() + "\n" + text_table(*self._table(), total=len(self.order))

    def _repr_html_(self) -> str:
        return html_table(*self._table(), self._title(), total=len(self.order))


class EdgeValues(Mapping):
    """Read-only mapping ``(i, j) -> float``, one value per weight.

    ``flat`` holds the values in ``net.edges`` order (the order of
    ``net.weights``), as an optimizer wants them (read-only).
    """

    def __init__(self, position: Mapping[tuple, int], flat: np.ndarray, what: str) -> None:
        self._position = position
        flat.flags.writeable = False  # the engine's own array, complete: no view needed
        self.flat = flat
        self._what = what

    def __getitem__(self, edge: tuple) -> float:
        try:
            return float(self.flat[self._position[edge]])
        except (KeyError, TypeError):
            raise UnknownEdgeError(f"{self._what}: no edge {safe_repr(edge)} in this network") from None

    def __iter__(self) -> Iterator[tuple]:
        return iter(self._position)

    def __len__(self) -> int:
        return len(self._position)

    def _rows(self) -> list[list[str]]:
        """The first rows of the table, in ``net.edges`` order (see :mod:`autograd_graph.tables`)."""
        first = sorted((p, edge) for edge, p in self._position.items() if p < MAX_ROWS)
        return [[f"{safe_repr(i)} → {safe_repr(j)}", number(float(self.flat[p]))] for p, (i, j) in first]

    def __repr__(self) -> str:
        return f"{self._what} of {len(self)} edges\n" + text_table(["edge", self._what], self._rows(), len(self))

    def _repr_html_(self) -> str:
        return html_table(["edge", self._what], self._rows(), f"{self._what} of {len(self)} edges", len(self))


def _interleave(first: list[str], second: list[str]) -> list[str]:
    """Columns of two tables side by side, example by example (one "…" for the examples not shown)."""
    more = first[-1:] == ["…"]
    cells = [c for pair in zip(first[: len(first) - more], second[: len(second) - more], strict=True) for c in pair]
    return cells + (["…"] if more else [])


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
    engine : EngineKind
        The engine that computed it (``EngineKind.COMPILED`` or ``EngineKind.REFERENCE``).
    inputs, outputs : sequence
        The network's input and output neurons (the columns of ``X`` and ``output``).
    versions : tuple
        ``(network, structure, weights)`` tokens at forward time; the network
        refuses the trace (``StaleTraceError``) once they changed.
    x : ndarray or None
        The batch of inputs as the pass read it, ``(batch, n_inputs)`` in
        its dtype, when the engine keeps it apart from ``z`` (the compiled
        engine's dense first layers: see ``CompiledEngine.inputs_apart``);
        else None.
    """

    a: NeuronValues
    z: NeuronValues
    output: np.ndarray
    engine: EngineKind
    inputs: Sequence[Hashable]
    outputs: Sequence[Hashable]
    versions: tuple[object, object, object]
    x: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.output.flags.writeable = False  # a fresh array of the pass

    @property
    def order(self) -> Sequence[Hashable]:
        """The neurons in the order the pass computed them (topological): the rows of ``a.array``."""
        return self.a.order

    @property
    def batch_size(self) -> int:
        """Number of examples in the batch."""
        return self.output.shape[0]

    @property
    def dtype(self) -> np.dtype:
        """The floating type of the pass."""
        return self.output.dtype

    def _table(self) -> tuple[str, list[str], list[list[str]]]:
        (a_head, a_rows), (z_head, z_rows) = self.a._columns(), self.z._columns()
        headers = _interleave(a_head, z_head)
        rows = [[safe_repr(k), *_interleave(ra, rz)] for k, ra, rz in zip(self.order, a_rows, z_rows, strict=False)]
        title = f"Trace of {len(self.order)} neurons, batch {self.batch_size} ({self.engine} engine, {self.dtype})"
        return title, ["neuron", *headers], rows

    def __repr__(self) -> str:
        title, headers, rows = self._table()
        return title + "\n" + text_table(headers, rows, len(self.order))

    def _repr_html_(self) -> str:
        title, headers, rows = self._table()
        return html_table(headers, rows, title, len(self.order))


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
    loss_function: Loss | None = None  # the Loss the gradients are of (net.backward's loss=)

    def __post_init__(self) -> None:
        self.losses.flags.writeable = False  # a fresh array of the pass

    def _title(self) -> str:
        name = "" if self.loss_function is None else f" ({self.loss_function.name})"
        symbol = "ℓ" if len(self.losses) == 1 else "L"
        return f"Gradients of {symbol} = {number(self.loss)}{name}, batch {len(self.losses)}"

    def _neuron_table(self) -> tuple[list[str], list[list[str]]]:
        (a_head, a_rows), (z_head, z_rows) = self.a._columns("∂L/∂a"), self.z._columns("∂L/∂z")
        headers = ["neuron", *_interleave(a_head, z_head)]
        rows = [[safe_repr(k), *_interleave(ra, rz)] for k, ra, rz in zip(self.a.order, a_rows, z_rows, strict=False)]
        return headers, rows

    def __repr__(self) -> str:
        table = text_table(*self._neuron_table(), len(self.a.order))
        return "\n".join([self._title(), table, repr(self.weights)])

    def _repr_html_(self) -> str:
        return html_table(*self._neuron_table(), self._title(), len(self.a.order)) + self.weights._repr_html_()
