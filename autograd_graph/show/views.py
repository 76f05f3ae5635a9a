"""The views of a network, the options each one takes, and which one ``view="auto"`` picks by size.

=========  ==========================================================  ======================================
view       what it draws                                               ``view="auto"`` picks it for
=========  ==========================================================  ======================================
full       every neuron with its values, every edge with its weight    at most 50 neurons and 200 edges
           (and gradient), formulas in tooltips; laid out by ``dot``
compact    every neuron as a dot, edge color and width by weight (or   at most 5,000 neurons and 100,000 edges
           gradient), positions computed by the library
overview   one node per layer or group of generations, one edge per    anything bigger
           connected pair of groups with counts and mean ``|w|``
=========  ==========================================================  ======================================

The thresholds are :data:`FULL_UP_TO` and :data:`COMPACT_UP_TO`. The full
view refuses networks beyond :data:`FULL_REFUSED_ABOVE` (building their DOT
alone takes seconds, and ``dot`` would run for hours): the message names the
compact and overview views.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..exceptions import PictureOptionError, PictureTooBigError, UnknownPictureOptionError
from ..losses import Loss
from .changes import as_changes
from .equations import NumberFormat, format_number

__all__ = [
    "VIEWS",
    "FULL_UP_TO",
    "COMPACT_UP_TO",
    "FULL_REFUSED_ABOVE",
    "Style",
    "VIEW_OPTIONS",
    "choose_view",
    "check_view_options",
    "check_full_size",
    "size_text",
]

VIEWS = ("auto", "full", "compact", "overview")
FULL_UP_TO = (50, 200)  # (neurons, edges): view="auto" draws the full view up to both
COMPACT_UP_TO = (5_000, 100_000)  # … the compact view up to both, the overview beyond
FULL_REFUSED_ABOVE = (5_000, 20_000)  # the full view refuses to draw more neurons or edges than this
MAX_EDGES = 3_000  # the compact view draws at most this many edges: each neuron's strongest inputs
MAX_GROUPS = 8  # the overview groups consecutive generations into at most this many nodes


@dataclass(frozen=True)
class Style:
    """The options of :func:`~autograd_graph.to_graphviz` that shape a network's drawing, for every view.

    See :data:`VIEW_OPTIONS` for which view reads which option.
    """

    example: int = 0
    number_format: NumberFormat = ".3g"
    edge_labels: bool | None = None
    edge_width: bool = False
    edge_color: bool = False
    fold_biases: bool | None = None
    max_per_rank: int | None = None
    tooltips: bool = True
    loss: str | Loss | None = None
    max_edges: int | None = MAX_EDGES
    color_by: str | None = None
    wrap: bool | None = None
    max_groups: int = MAX_GROUPS
    changes: Any = None  # edges added and removed (EdgeChanges or a pair): colours them (see .changes)

    def __post_init__(self) -> None:
        object.__setattr__(self, "changes", as_changes(self.changes))
        for name in ("max_per_rank", "max_edges"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise PictureOptionError(f"{name} must be a whole number of at least 1 (or None), got {value!r}")
        if isinstance(self.max_groups, bool) or not isinstance(self.max_groups, int) or self.max_groups < 2:
            raise PictureOptionError(f"max_groups must be a whole number of at least 2, got {self.max_groups!r}")
        if self.color_by not in (None, "weight", "gradient"):
            raise PictureOptionError(f"color_by must be 'weight' or 'gradient' (or None), got {self.color_by!r}")

    def number(self, value: float) -> str:
        return format_number(value, self.number_format)

    def folds(self, view: str) -> bool:
        """Whether bias neurons are folded: as asked, else in the compact and overview views only."""
        return self.fold_biases if self.fold_biases is not None else view != "full"


COMMON = {"example", "number_format", "fold_biases", "tooltips", "loss"}
VIEW_OPTIONS: dict[str, frozenset[str]] = {
    "full": frozenset(COMMON | {"edge_labels", "edge_width", "edge_color", "max_per_rank", "changes"}),
    "compact": frozenset(COMMON | {"max_edges", "color_by", "wrap", "changes"}),
    "overview": frozenset(COMMON | {"max_groups"}),
}


def size_text(neurons: int, edges: int) -> str:
    """``"2,001 neurons and 6,050 edges"``."""
    return f"{neurons:,d} neuron{'s' * (neurons != 1)} and {edges:,d} edge{'s' * (edges != 1)}"


def choose_view(view: str, neurons: int, edges: int) -> str:
    """The view to draw: ``view`` itself, or for ``"auto"`` the most detailed one that suits the size.

    Examples
    --------
    >>> choose_view("auto", 9, 12), choose_view("auto", 810, 12_730), choose_view("auto", 10**5, 10**6)
    ('full', 'compact', 'overview')
    >>> choose_view("sketch", 9, 12)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.PictureOptionError: view must be one of 'auto', 'full', ..., got 'sketch'
    """
    if view not in VIEWS:
        raise PictureOptionError(f"view must be one of {', '.join(map(repr, VIEWS))}, got {view!r}")
    if view != "auto":
        return view
    if neurons <= FULL_UP_TO[0] and edges <= FULL_UP_TO[1]:
        return "full"
    if neurons <= COMPACT_UP_TO[0] and edges <= COMPACT_UP_TO[1]:
        return "compact"
    return "overview"


def check_view_options(view: str, asked: str, options: set[str]) -> None:
    """Refuse options that no view takes, and, when a view is named, options that it does not take."""
    unknown = sorted(options - set(Style.__dataclass_fields__))
    if unknown:
        raise UnknownPictureOptionError(
            f"unknown options {unknown}; pictures take {', '.join(Style.__dataclass_fields__)}"
        )
    if asked != "auto":
        foreign = sorted(options - VIEW_OPTIONS[view])
        if foreign:
            owners = {o: [v for v, names in VIEW_OPTIONS.items() if o in names] for o in foreign}
            said = "; ".join(f"{o} is for the {' and '.join(views)} view" for o, views in owners.items())
            raise UnknownPictureOptionError(f"the {view} view does not take {foreign}: {said}")


def check_full_size(neurons: int, edges: int) -> None:
    """Refuse to build the full view's DOT beyond :data:`FULL_REFUSED_ABOVE`, naming the views that draw it."""
    if neurons > FULL_REFUSED_ABOVE[0] or edges > FULL_REFUSED_ABOVE[1]:
        raise PictureTooBigError(
            f"the full view draws at most {size_text(*FULL_REFUSED_ABOVE)} (Graphviz's dot lays out every "
            f"one of them, for minutes to hours); this picture has {size_text(neurons, edges)}. Use "
            f"view='compact' (every neuron, positions computed by the library, seconds) or view='overview' "
            f"(one node per layer or group of generations), or max_per_rank= to draw fewer neurons"
        )
