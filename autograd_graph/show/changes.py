"""Pictures of a changing structure: which edges were added and removed, in which colours.

``net.to_graphviz(changes=...)`` (full and compact views) draws the edges
added since an epoch in green, those removed since then as dashed red lines
(they are no longer in the network, so they carry no weight), and the others
in grey, as they are. ``changes`` is an :class:`EdgeChanges` (what
``callback.history.since(epoch)`` of :class:`~autograd_graph.SET` and
:class:`~autograd_graph.RigL` gives) or a pair ``(added, removed)`` of edge
collections.

Examples
--------
>>> changes = as_changes(([(1, 3)], [(2, 3)]))
>>> changes.status((1, 3)), changes.status((1, 4)), sorted(changes.removed)
('added', 'kept', [(2, 3)])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..exceptions import PictureOptionError

__all__ = ["EdgeChanges", "as_changes", "CHANGE_COLORS"]

# (line colour, pen width factor) per status: colour-blind safe (ColorBrewer RdYlGn ends and a neutral grey)
CHANGE_COLORS: dict[str, str] = {"added": "#1a9850", "removed": "#d73027", "kept": "#9e9e9e"}


@dataclass(frozen=True)
class EdgeChanges:
    """Edges added and removed (sets of ``(i, j)``), and what they are measured from (``label``)."""

    added: frozenset
    removed: frozenset
    label: str = ""

    def status(self, edge: tuple) -> str:
        """``"added"``, ``"removed"`` or ``"kept"``."""
        return "added" if edge in self.added else "removed" if edge in self.removed else "kept"

    def caption(self) -> str:
        """``"edges since epoch 3: 12 added (green), 12 removed (dashed red)"``."""
        since = f" {self.label}" if self.label else ""
        return f"edges{since}: {len(self.added):,d} added (green), {len(self.removed):,d} removed (dashed red)"


def _edges(value: Any, what: str) -> frozenset:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise PictureOptionError(f"changes: {what} must be a collection of edges (i, j), got {value!r}")
    edges = frozenset(value)
    bad = next((e for e in edges if not (isinstance(e, tuple) and len(e) == 2)), None)
    if bad is not None:
        raise PictureOptionError(f"changes: {what} must hold edges (i, j), got {bad!r}")
    return edges


def as_changes(value: Any) -> EdgeChanges | None:
    """``changes=`` as an :class:`EdgeChanges` (None stays None): one already, or a pair ``(added, removed)``."""
    if value is None or isinstance(value, EdgeChanges):
        return value
    if isinstance(value, tuple) and len(value) == 2:
        return EdgeChanges(_edges(value[0], "added"), _edges(value[1], "removed"))
    raise PictureOptionError(f"changes must be an EdgeChanges (history.since(epoch)) or a pair (added, removed) "
                             f"of edge collections, got {type(value).__name__}")  # fmt: skip
