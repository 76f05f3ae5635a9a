"""Comparing networks, layered or not, on the same data with the same budget.

- :mod:`.run`: :func:`compare`, training every network over every seed;
- :mod:`.results`: what it reports, :class:`Comparison` and :class:`SeedRun`;
- :mod:`.budget`: non-layered networks with the weights of a layered one;
- :mod:`.plots`: the learning curves and final metrics as a matplotlib figure;
- :mod:`.report`: the diagrams side by side and the self-contained HTML report;
- :mod:`.tasks`: built-in data sets to compare on (XOR, moons, circles, digits, sin).
"""

from .budget import match_weights, matched_builders, matched_random_dag, matched_skip_network
from .plots import curve_band, figure
from .report import diagrams, report_html, write_report
from .results import Comparison
from .run import Builder, compare
from .runs import ComparisonData, SeedRun, Structure
from .stats import METRICS, Difference
from .tasks import TASKS, Task, load_task

__all__ = [
    "METRICS",
    "TASKS",
    "Builder",
    "Comparison",
    "ComparisonData",
    "Difference",
    "SeedRun",
    "Structure",
    "Task",
    "compare",
    "curve_band",
    "diagrams",
    "figure",
    "load_task",
    "match_weights",
    "matched_builders",
    "matched_random_dag",
    "matched_skip_network",
    "report_html",
    "write_report",
]
