"""Comparing networks, layered or not, on the same data with the same budget.

- :mod:`.run`: :func:`compare`, training every network over every seed;
- :mod:`.results`: what it reports, :class:`Comparison` and :class:`SeedRun`;
- :mod:`.plots`: the learning curves and final metrics as a matplotlib figure;
- :mod:`.report`: the diagrams side by side and the self-contained HTML report.
"""

from .plots import curve_band, figure
from .report import diagrams, report_html, write_report
from .results import METRICS, Comparison, Difference, SeedRun, Structure
from .run import Builder, compare

__all__ = [
    "METRICS",
    "Builder",
    "Comparison",
    "Difference",
    "SeedRun",
    "Structure",
    "compare",
    "curve_band",
    "diagrams",
    "figure",
    "report_html",
    "write_report",
]
