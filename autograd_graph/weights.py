"""The flat weight vector of a network: one float64 per edge, in edge order, with a version.

A :class:`WeightVector` keeps the weights ``w_{i,j}`` in one array, in the
order of its edge list, and a *version token*: a fresh token whenever a value
changes, so that a trace can tell whether the weights it was computed with are
still the network's. Tokens are never reused, across networks too, so caches
keyed by them (the compiled engine's prepared weights) cannot mix two states.

Arrays it hands out never change afterwards (copy on write): ``values`` is a
read-only view of a buffer that a change replaces rather than overwrites, so
``w = net.weights`` keeps the values it was read with. Appending an edge
writes past the end of every view handed out, into a buffer that grows by
doubling, so building a network edge by edge stays linear.

Weights not given yet are NaN until :meth:`draw_missing` draws them,
uniformly in ``±1/√fan_in`` of the neuron the edge heads into (as
``torch.nn.Linear``).

The edges of a network read from arrays stay arrays
(:class:`~autograd_graph.edgeviews.EdgeList` and its
:class:`~autograd_graph.edgeviews.EdgePositions`) until a change of
structure needs a list and a dict.

Examples
--------
>>> import numpy as np
>>> wv = WeightVector()
>>> wv.append((1, 3), 0.5); wv.append((2, 3), None)
>>> before = wv.values
>>> wv.draw_missing(np.random.default_rng(0), lambda positions: np.full(len(positions), 2.0))
True
>>> wv.values.round(3).tolist(), before.tolist()[0]
([0.5, 0.194], 0.5)
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ._checks import safe_repr
from .edgeviews import EdgeList, EdgePositions
from .exceptions import InvalidWeightError, UnknownEdgeError

__all__ = ["WeightVector", "ListPositions", "new_token", "finite_weight", "weight_values"]

_TOKENS = itertools.count(1)


def new_token() -> int:
    """A version number used nowhere before (in this process)."""
    return next(_TOKENS)


def finite_weight(value: Any, edge: tuple) -> float:
    """``value`` as a finite float, or :class:`InvalidWeightError` naming ``edge``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidWeightError(f"weight of edge {edge[0]!r} → {edge[1]!r} must be a real number, got {value!r}")
    try:
        value = float(value)
    except OverflowError:
        value = math.inf  # an int beyond float's range
    if not math.isfinite(value):
        raise InvalidWeightError(f"weight of edge {edge[0]!r} → {edge[1]!r} must be finite, got {value}")
    return value


def weight_values(edges: Sequence[tuple], raw: Sequence[Any]) -> np.ndarray:
    """The weights ``raw`` of ``edges`` as floats, NaN where a weight is None.

    One numpy conversion when every value is a plain finite number; otherwise
    value by value, raising :class:`InvalidWeightError` for the first bad edge.
    """
    types = set(map(type, raw))
    if all(t is type(None) or (issubclass(t, (int, float, np.integer, np.floating)) and t is not bool) for t in types):
        try:
            values = np.array(raw, dtype=float)  # None becomes NaN
        except (OverflowError, TypeError, ValueError):
            values = None
        if values is not None:
            given = np.fromiter((w is not None for w in raw), bool, len(raw)) if type(None) in types else slice(None)
            if np.isfinite(values[given]).all():
                return values
    values = np.empty(len(edges))
    for p, (edge, w) in enumerate(zip(edges, raw, strict=True)):
        values[p] = math.nan if w is None else finite_weight(w, edge)
    return values


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two float arrays of one shape hold the same values (bit for bit: a step of a few
    weights is one bytes comparison, ~10× cheaper than numpy's array_equal at this size)."""
    return a.tobytes() == b.tobytes() if a.size < 4096 else bool(np.array_equal(a, b))


class ListPositions(Mapping):
    """``edge -> position`` in a list of edges, as a mapping whose dict is built when first read.

    A bulk change of structure (:meth:`WeightVector.rewire`) makes a new edge
    list; building its dict of positions would cost as much as the rest of
    the change, and training never reads it: it is built on the first
    lookup. The list it reads never changes while shared (copy on write).

    Examples
    --------
    >>> positions = ListPositions([(1, 3), (2, 3)])
    >>> positions[(2, 3)], (1, 2) in positions, len(positions)
    (1, False, 2)
    """

    def __init__(self, edges: list[tuple], table: dict[tuple, int] | None = None) -> None:
        self._edges = edges
        self._table = table

    @property
    def table(self) -> dict[tuple, int]:
        """The dict itself (built now if it was not yet)."""
        if self._table is None:
            self._table = dict(zip(self._edges, range(len(self._edges)), strict=True))
        return self._table

    def __getitem__(self, edge: tuple) -> int:
        return self.table[edge]

    def __contains__(self, edge: object) -> bool:
        try:
            return edge in self.table
        except TypeError:  # an unhashable key is no edge
            return False

    def __iter__(self) -> Iterator[tuple]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self._edges)

    def appended(self, edge: tuple, position: int) -> None:
        """Record an edge appended to the list (the list itself already holds it)."""
        if self._table is not None:
            self._table[edge] = position

    def copy(self, edges: list[tuple]) -> ListPositions:
        """The same positions for a copy ``edges`` of the list."""
        return ListPositions(edges, None if self._table is None else dict(self._table))


class WeightVector:
    """The weights of a network's edges, flat, in edge order (see the module notes).

    Attributes
    ----------
    edges : list of (i, j), or an EdgeList
        The edge of each position.
    positions : EdgePositions or ListPositions
        ``edge -> position`` (a mapping: over the index arrays, or a dict built when first read).
    token : int
        The version of the values: a new one after every change.
    """

    def __init__(self, edges: Sequence[tuple] = (), values: np.ndarray | None = None) -> None:
        self.edges: Sequence[tuple]
        self.positions: Mapping[tuple, int]
        if isinstance(edges, EdgeList):  # kept as arrays until a change of structure
            self.edges, self.positions = edges, EdgePositions(edges)
        else:
            self.edges = list(edges)
            self.positions = ListPositions(self.edges)
        self._buffer = np.full(len(self.edges), math.nan) if values is None else np.array(values, dtype=float)
        self._missing = bool(np.isnan(self._buffer).any())
        self.token = new_token()
        self._shared = False  # whether edges/positions were handed out (then copied before a change)

    def __len__(self) -> int:
        return len(self.edges)

    @property
    def values(self) -> np.ndarray:
        """The weights, a read-only view that never changes (NaN where not drawn yet)."""
        view = self._buffer[: len(self.edges)]
        view.flags.writeable = False
        return view

    def shared_edges(self) -> tuple[Sequence[tuple], Mapping[tuple, int]]:
        """``edges`` and ``positions`` for a reader that keeps them: they are copied before the next change."""
        self._shared = True
        return self.edges, self.positions

    def _own_edges(self) -> tuple[list[tuple], ListPositions]:
        """``edges`` and ``positions`` as a list and mapping of this vector's own, to change."""
        if self._shared or not isinstance(self.edges, list):
            edges = list(self.edges)
            old = self.positions
            positions = old.copy(edges) if isinstance(old, ListPositions) else ListPositions(edges)
            self.edges, self.positions, self._shared = edges, positions, False
        return self.edges, self.positions  # type: ignore[return-value]

    def _replace(self, values: np.ndarray, missing: bool | None = None) -> None:
        self._buffer = values
        self._missing = bool(np.isnan(values).any()) if missing is None else missing
        self.token = new_token()

    # ----------------------------------------------------------------- edges
    def append(self, edge: tuple, value: float | None) -> None:
        """Add ``edge`` at the end, with ``value`` (None: to be drawn)."""
        edges, positions = self._own_edges()
        n = len(edges)
        if n == self._buffer.size:  # grow by doubling: appending stays linear overall
            self._buffer = np.concatenate([self._buffer, np.empty(max(n, 16))])
        self._buffer[n] = math.nan if value is None else value
        self._missing |= value is None
        edges.append(edge)
        positions.appended(edge, n)
        self.token = new_token()

    def drop(self, doomed: Iterable[tuple]) -> None:
        """Remove the edges in ``doomed`` and their weights; the others keep their order."""
        doomed = set(doomed)
        if not doomed:
            return
        keep = [p for p, e in enumerate(self.edges) if e not in doomed]
        self.reorder([self.edges[p] for p in keep], np.array(keep, dtype=np.int64))

    def reorder(self, edges: list[tuple], permutation: np.ndarray) -> None:
        """Put the weights in a new edge order: position ``p`` gets the old position ``permutation[p]``."""
        values = self._buffer[: len(self.edges)][permutation]
        self.edges, self.positions, self._shared = edges, ListPositions(edges), False
        self._buffer = values
        self._missing = bool(np.isnan(values).any())
        # the same values on the same edges: the token stays (a trace is still of these weights)

    def rewire(self, edges: list[tuple] | EdgeList, values: np.ndarray) -> None:
        """Take a new edge list (or index arrays' EdgeList) and its values at once (a bulk change of structure;
        NaN: to be drawn)."""
        if isinstance(edges, EdgeList):
            self.edges, self.positions = edges, EdgePositions(edges)
        else:
            self.edges, self.positions = edges, ListPositions(edges)
        self._shared = False
        self._replace(np.array(values, dtype=float))

    # ---------------------------------------------------------------- values
    @property
    def missing(self) -> bool:
        """Whether some weight is still NaN (not drawn yet)."""
        return self._missing

    def draw_missing(self, rng: np.random.Generator, fan_in: Callable[[np.ndarray], np.ndarray]) -> bool:
        """Draw every NaN weight uniformly in ``±1/√fan_in`` of its target, in edge order.

        ``fan_in(positions)`` gives the fan-in of the target neuron of each
        edge position. Returns whether anything was drawn.
        """
        if not self._missing:
            return False
        values = self._buffer[: len(self.edges)].copy()
        pending = np.flatnonzero(np.isnan(values))
        if pending.size:
            values[pending] = rng.uniform(-1.0, 1.0, pending.size) / np.sqrt(fan_in(pending))
        self._replace(values)
        return bool(pending.size)

    def set_all(self, values: Any) -> None:
        """Set every weight from a flat array in edge order (checked first; equal values keep the token)."""
        if isinstance(values, np.ma.MaskedArray) and np.ma.getmaskarray(values).any():
            raise InvalidWeightError("weights must be real numbers, got a masked array with masked entries")
        raw = np.asarray(values)
        if raw.dtype.kind not in "iuf":  # complex, strings, objects, booleans: value by value, naming the edge
            if raw.shape == (len(self.edges),):
                for edge, value in zip(self.edges, raw.tolist(), strict=True):
                    finite_weight(value, edge)
            if raw.dtype.kind in "cUSb":
                raise InvalidWeightError(f"weights must be real numbers, got an array of {raw.dtype}")
        array = np.array(raw, dtype=float)
        if array.shape != (len(self.edges),):
            raise InvalidWeightError(
                f"expected {len(self.edges)} weights (one per edge, in net.edges order), got shape {array.shape}"
            )
        if not np.isfinite(array).all():
            p = int(np.flatnonzero(~np.isfinite(array))[0])
            u, v = self.edges[p]
            raise InvalidWeightError(f"weight of edge {u!r} → {v!r} must be finite, got {array[p]}")
        if not self._missing and _same(array, self._buffer[: len(self.edges)]):
            return
        self._replace(array, missing=False)

    def set_some(self, updates: Mapping[tuple, Any]) -> None:
        """Set the weights of some edges (all checked before any changes)."""
        changes = {}
        for edge, value in updates.items():
            try:
                position = self.positions[edge]
            except (KeyError, TypeError):
                raise UnknownEdgeError(f"no edge {safe_repr(edge)} in the network") from None
            changes[position] = finite_weight(value, edge)
        values = self._buffer[: len(self.edges)].copy()
        values[list(changes)] = list(changes.values())
        self.set_all(values)

    def scale(self, factor: float) -> None:
        """Multiply every weight by ``factor``."""
        self._replace(self._buffer[: len(self.edges)] * factor)

    def clear(self) -> None:
        """Mark every weight as not drawn yet (NaN)."""
        self._replace(np.full(len(self.edges), math.nan))

    # ----------------------------------------------------------------- state
    def snapshot(self) -> tuple[np.ndarray, int]:
        """The values and their token, for :meth:`restore`."""
        return self.values, self.token

    def restore(self, snapshot: tuple[np.ndarray, int]) -> None:
        """Go back to a :meth:`snapshot` of these edges: its values *and* its token."""
        values, token = snapshot
        if values.shape != (len(self.edges),):
            raise InvalidWeightError("the snapshot is of another set of edges; the structure changed since")
        self._replace(np.array(values))
        self.token = token

    def copy(self) -> WeightVector:
        """An independent copy, with the same token (it holds the same values)."""
        new = WeightVector.__new__(WeightVector)
        lazy = isinstance(self.edges, EdgeList)  # arrays that never change: shared
        if lazy:
            new.edges, new.positions = self.edges, self.positions
        else:
            new.edges = list(self.edges)
            new.positions = self.positions.copy(new.edges)  # type: ignore[attr-defined]
        new._buffer = self._buffer[: len(self.edges)].copy()
        new._missing, new.token, new._shared = self._missing, self.token, False
        return new
