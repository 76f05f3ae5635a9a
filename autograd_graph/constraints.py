"""Frozen and tied weights: which weights training moves, and which move as one.

- ``net.freeze(edges)`` / ``net.unfreeze(edges)``: a frozen edge keeps its
  weight through training (every optimizer, weight decay and L1 included) and
  through the random restarts of :func:`~autograd_graph.train`;
- ``net.tie(groups)`` / ``net.untie(edges)``: the edges of one group share one
  parameter. Tying sets every edge of a group to the weight of the group's
  first edge (in ``net.edges`` order); training moves the shared parameter by
  the sum of its edges' gradients (``∂L/∂θ = Σ_{e ∈ group} ∂L/∂w_e``), so tied
  weights stay equal. A weight-agnostic network is ``net.tie([net.edges])``.

A group is frozen whole or not at all (freezing part of one is a
:class:`~autograd_graph.exceptions.ConstraintError` naming the group).
:meth:`EdgeConstraints.parameters` gives the map from edges to trainable
parameters that training uses (:class:`Parameters`).

Both are kept in the attributes of the network's structure graph
(``G.graph["frozen"]``, a frozenset of edges, and ``G.graph["ties"]``, a tuple
of groups), immutable values replaced on every change: copies and pickles keep
them, ``ag.save``/``ag.load`` write and read them, and a removed edge leaves
them. ``net.set_weight`` sets the one edge it names: tied weights that differ
when training starts from them are an error, not a silent choice.

Examples
--------
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> net.freeze([(1, 3), (2, 3)])
>>> sorted(net.frozen)
[(1, 3), (2, 3)]
>>> net.tie([[(6, 9), (7, 9)]])
>>> net.ties
[((6, 9), (7, 9))]
>>> net.get_weight(6, 9) == net.get_weight(7, 9)
True
>>> p = net.parameters()
>>> p.n, net.n_weights           # 12 weights: 2 frozen, 2 sharing one parameter
(9, 12)
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ._checks import safe_repr
from .exceptions import ConstraintError, UnknownEdgeError

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["EdgeConstraints", "Parameters", "edge_marks"]

Edge = tuple[Hashable, Hashable]


@dataclass(frozen=True)
class Parameters:
    """The trainable parameters of a network: frozen edges have none, tied edges share one.

    Attributes
    ----------
    index : ndarray of int64, shape (n_weights,)
        The parameter of each edge, in ``net.edges`` order; -1 for a frozen edge.
    n : int
        The number of trainable parameters.
    first : ndarray of int64, shape (n,)
        The position (in ``net.edges``) of each parameter's first edge.
    tied : bool
        Whether some parameter has several edges.

    Examples
    --------
    >>> p = Parameters.of(4, frozen=[0], groups=[[1, 3]])
    >>> p.index.tolist(), p.n, p.first.tolist()
    ([-1, 0, 1, 0], 2, [1, 2])
    >>> p.gradient(np.array([10.0, 1.0, 2.0, 3.0])).tolist()   # tied gradients add up
    [4.0, 2.0]
    >>> w = np.zeros(4); p.scatter(np.array([0.5, -1.0]), w); w.tolist()
    [0.0, 0.5, -1.0, 0.5]
    """

    index: np.ndarray
    n: int
    first: np.ndarray
    tied: bool

    @classmethod
    def of(cls, n_weights: int, frozen: Iterable[int] = (), groups: Iterable[Iterable[int]] = ()) -> Parameters:
        """The parameters of ``n_weights`` edges with these frozen positions and tied groups of positions."""
        owner = np.arange(n_weights, dtype=np.int64)  # each edge's representative: its group's first edge
        tied = False
        for group in groups:
            members = np.sort(np.fromiter(group, np.int64))
            owner[members] = members[0]
            tied |= members.size > 1
        frozen = np.fromiter(frozen, np.int64)
        free = np.ones(n_weights, bool)
        free[frozen] = False
        firsts = np.flatnonzero(free & (owner == np.arange(n_weights)))
        number = np.full(n_weights, -1, np.int64)
        number[firsts] = np.arange(firsts.size)
        index = np.where(free, number[owner], -1)
        return cls(index, int(firsts.size), firsts, tied)

    @property
    def trivial(self) -> bool:
        """Whether every edge is its own parameter (nothing frozen, nothing tied)."""
        return not self.tied and self.n == self.index.size

    def values(self, w: np.ndarray) -> np.ndarray:
        """The parameters' values from the weights ``w``: each parameter's first edge."""
        return w[self.first]

    def gradient(self, dw: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``∂L/∂θ`` from ``∂L/∂w``: the sum over each parameter's edges (frozen edges dropped)."""
        if not self.tied:
            return np.take(dw, self.first, out=out)
        free = self.index >= 0
        total = np.bincount(self.index[free], weights=dw[free], minlength=self.n)
        if out is None:
            return total
        out[...] = total
        return out

    def scatter(self, theta: np.ndarray, w: np.ndarray) -> None:
        """Write the parameters ``theta`` into the weights ``w`` (every edge of a parameter; frozen ones stay)."""
        if not self.tied:
            w[self.first] = theta
        else:
            free = self.index >= 0
            w[free] = theta[self.index[free]]

    def unequal(self, w: np.ndarray) -> tuple[int, int] | None:
        """Positions of two tied edges whose weights in ``w`` differ, or None when every group is equal."""
        if not self.tied:
            return None
        free = np.flatnonzero(self.index >= 0)
        bad = free[w[free] != w[self.first[self.index[free]]]]
        return None if bad.size == 0 else (int(self.first[self.index[bad[0]]]), int(bad[0]))


class EdgeConstraints:
    """``freeze``, ``unfreeze``, ``tie``, ``untie`` and their reads: the part of a network that says
    which weights training moves (a base of :class:`~autograd_graph.Network`; see the module notes)."""

    if TYPE_CHECKING:  # what the network provides
        _graph: nx.DiGraph

        @property
        def edges(self) -> list[tuple]: ...

        def get_weights(self) -> np.ndarray: ...
        def set_weights(self, values: Any) -> None: ...

    # ------------------------------------------------------------- reading
    def _attributes(self) -> dict:
        """The structure graph's attributes; none when it was never built (a network read from arrays keeps
        its arrays until something needs the graph, and a freeze or a tie does)."""
        return {} if getattr(self, "_nx", True) is None else self._graph.graph

    @property
    def frozen(self) -> frozenset:
        """The frozen edges."""
        return self._attributes().get("frozen", frozenset())

    @property
    def ties(self) -> list[tuple]:
        """The tied groups, each a tuple of edges in ``net.edges`` order, the groups by their first edge."""
        groups = self._attributes().get("ties", ())
        if not groups:
            return []
        position = {e: p for p, e in enumerate(self.edges)}
        ordered = [tuple(sorted(group, key=position.__getitem__)) for group in groups]
        return sorted(ordered, key=lambda group: position[group[0]])

    def parameters(self) -> Parameters:
        """The map from edges to trainable parameters (see :class:`Parameters`)."""
        frozen, ties = self.frozen, self._attributes().get("ties", ())
        edges = self.edges
        if not frozen and not ties:
            return Parameters.of(len(edges))
        position = {e: p for p, e in enumerate(edges)}
        return Parameters.of(len(edges), map(position.__getitem__, frozen),
                             [map(position.__getitem__, g) for g in ties])  # fmt: skip

    # ------------------------------------------------------------- changing
    def _edge_list(self, edges: Any, what: str) -> list[Edge]:
        """``edges`` (None: every edge; one edge; or an iterable of edges) as a list of the network's edges."""
        if edges is None:
            return list(self.edges)
        G = self._graph
        if isinstance(edges, tuple) and len(edges) == 2 and _is_edge(G, edges):
            return [edges]
        if isinstance(edges, (str, bytes)) or not isinstance(edges, Iterable):
            raise UnknownEdgeError(f"{what}: expected an edge (i, j) or an iterable of edges, got {safe_repr(edges)}")
        found = []
        for edge in edges:
            if not (isinstance(edge, tuple) and len(edge) == 2 and _is_edge(G, edge)):
                raise UnknownEdgeError(f"{what}: {safe_repr(edge)} is no edge (i, j) of the network")
            found.append(edge)
        return found

    def freeze(self, edges: Any = None) -> None:
        """Freeze ``edges`` (one edge, an iterable of edges, or None for all): training leaves their weights as
        they are.

        Raises
        ------
        UnknownEdgeError
            Something that is no edge of the network.
        ConstraintError
            Part of a tied group (freeze all of its edges, or untie them first). Nothing changes on error.
        """
        chosen = set(self._edge_list(edges, "freeze"))
        self._check_whole_groups(chosen, "freeze")
        self._graph.graph["frozen"] = self.frozen | chosen

    def unfreeze(self, edges: Any = None) -> None:
        """Let training move ``edges`` again (None: every edge); see :meth:`freeze`."""
        chosen = set(self._edge_list(edges, "unfreeze"))
        self._check_whole_groups(chosen & self.frozen, "unfreeze")
        self._graph.graph["frozen"] = self.frozen - chosen

    def _check_whole_groups(self, chosen: set, what: str) -> None:
        for group in self._graph.graph.get("ties", ()):
            inside = [e for e in group if e in chosen]
            if inside and len(inside) < len(group):
                raise ConstraintError(
                    f"{what}: edge {safe_repr(inside[0])} is tied to {len(group) - 1} other edges "
                    f"({_short(group)}); a group is frozen whole: pass all of its edges, or untie it first"
                )

    def tie(self, groups: Any) -> None:
        """Tie each group of edges to one shared parameter; groups that share an edge merge.

        Parameters
        ----------
        groups : iterable of iterables of edges
            ``[[e1, e2], [e3, e4, e5]]``; a plain iterable of edges is one group (``net.tie(net.edges)``).
            Every edge of a group takes the weight of the group's first edge in ``net.edges`` order.

        Raises
        ------
        UnknownEdgeError
            Something that is no edge of the network.
        ConstraintError
            A group of fewer than two edges, or one that mixes frozen and unfrozen edges. Nothing changes on error.
        """
        G = self._graph
        if isinstance(groups, Iterable) and not isinstance(groups, (str, bytes)):
            groups = list(groups)
        if isinstance(groups, list) and groups and all(isinstance(g, tuple) and _is_edge(G, g) for g in groups):
            groups = [groups]  # one group of edges
        if isinstance(groups, (str, bytes)) or not isinstance(groups, Iterable):
            raise ConstraintError(f"tie: expected groups of edges ([[e1, e2], ...]), got {safe_repr(groups)}")
        new = []
        for k, group in enumerate(groups):
            edges = list(dict.fromkeys(self._edge_list(group, f"tie: group {k}")))
            if len(edges) < 2:
                raise ConstraintError(f"tie: group {k} has {len(edges)} edge(s) ({_short(edges)}); a tie needs two")
            new.append(edges)
        merged = _merge([list(g) for g in G.graph.get("ties", ())] + new)
        frozen = self.frozen
        for group in merged:
            inside = [e for e in group if e in frozen]
            if inside and len(inside) < len(group):
                raise ConstraintError(
                    f"tie: edge {safe_repr(inside[0])} is frozen and edge "
                    f"{safe_repr(next(e for e in group if e not in frozen))} is not; tied edges are frozen together"
                )
        w, position = self.get_weights(), {e: p for p, e in enumerate(self.edges)}
        values = {}
        for group in merged:
            first = min(group, key=position.__getitem__)
            values.update({e: w[position[first]] for e in group})
        self.set_weights(values)  # checked: cannot fail (the values are the network's)
        G.graph["ties"] = tuple(tuple(group) for group in merged)

    def untie(self, edges: Any = None) -> None:
        """Take ``edges`` (None: every edge) out of their groups; a group left with one edge is no tie."""
        chosen = set(self._edge_list(edges, "untie"))
        self._set_ties([[e for e in group if e not in chosen] for group in self._graph.graph.get("ties", ())])

    def _set_ties(self, groups: list[list[Edge]]) -> None:
        self._graph.graph["ties"] = tuple(tuple(g) for g in groups if len(g) > 1)

    def _drop_constraints(self, removed: Iterable[Edge]) -> None:
        """Forget the removed edges (called by ``disconnect`` and ``remove_neuron``)."""
        attrs = self._attributes()
        if not (attrs.get("frozen") or attrs.get("ties")):
            return
        removed = set(removed)
        attrs["frozen"] = self.frozen - removed
        self._set_ties([[e for e in group if e not in removed] for group in attrs.get("ties", ())])


def edge_marks(net: Any) -> dict[Edge, tuple[bool, int | None]]:
    """``edge -> (frozen, tied group number or None)`` for the edges that have either (what pictures mark).

    Examples
    --------
    >>> import autograd_graph as ag
    >>> net = ag.running_example()
    >>> net.freeze((1, 3)); net.tie([[(6, 9), (7, 9)]])
    >>> edge_marks(net)
    {(1, 3): (True, None), (6, 9): (False, 0), (7, 9): (False, 0)}
    """
    frozen: frozenset = getattr(net, "frozen", frozenset())
    ties: list[tuple] = getattr(net, "ties", [])
    marks: dict[Edge, tuple[bool, int | None]] = {edge: (True, None) for edge in frozen}
    for k, group in enumerate(ties):
        marks.update({edge: (edge in frozen, k) for edge in group})
    return marks


def _is_edge(G: nx.DiGraph, edge: tuple) -> bool:
    try:
        return bool(G.has_edge(*edge))
    except TypeError:  # unhashable ends
        return False


def _merge(groups: list[list[Edge]]) -> list[list[Edge]]:
    """Groups that share an edge joined into one (union by edge), each in first-seen order."""
    owner: dict[Edge, int] = {}
    merged: list[list[Edge] | None] = []
    for group in groups:
        hits = sorted({owner[e] for e in group if e in owner})
        target = hits[0] if hits else len(merged)
        if not hits:
            merged.append([])
        for other in hits[1:]:
            for e in merged[other] or []:
                owner[e] = target
                merged[target].append(e)  # type: ignore[union-attr]
            merged[other] = None
        for e in group:
            if e not in owner:
                owner[e] = target
                merged[target].append(e)  # type: ignore[union-attr]
    return [g for g in merged if g]


def _short(edges: Iterable[Edge], most: int = 4) -> str:
    edges = list(edges)
    text = ", ".join(map(safe_repr, edges[:most]))
    return text + (f", … ({len(edges)} in all)" if len(edges) > most else "")
