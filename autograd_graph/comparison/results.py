"""What :func:`~autograd_graph.compare` returns: a :class:`Comparison`, its numbers and its pictures."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .plots import figure
from .report import diagrams, write_report
from .runs import ComparisonData

if TYPE_CHECKING:
    import graphviz
    from matplotlib.figure import Figure

__all__ = ["Comparison"]


class Comparison(ComparisonData):
    """Several networks trained on the same data with the same settings over the same seeds.

    Made by :func:`~autograd_graph.compare`: the numbers of
    :class:`~autograd_graph.comparison.runs.ComparisonData` (``print``,
    :meth:`rows`, :meth:`to_dict`, :meth:`difference`), and :meth:`figure`,
    :meth:`diagrams` and :meth:`report` that draw them.
    """

    def figure(self, **options: Any) -> Figure:
        """Learning curves with bands across seeds, and the final metrics; see :func:`.plots.figure`."""
        return figure(self, **options)

    def diagrams(self, **options: Any) -> graphviz.Digraph:
        """The networks side by side (first seed's, trained); see :func:`.report.diagrams`."""
        return diagrams(self, **options)

    def report(self, path: str | os.PathLike, **options: Any) -> Path:
        """Write the self-contained HTML report; see :func:`.report.write_report`."""
        return write_report(self, path, **options)
