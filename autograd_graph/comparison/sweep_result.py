"""What :func:`~autograd_graph.sweep` returns: the rows, their summary per network, the best, the pictures.

A :class:`SweepResult` holds one row per (network, seed) as the sweep file
has it (JSON values; a missing number is NaN). Per network it summarises
each metric over the seeds as ``mean ± std`` with a 95% confidence interval
of the mean (Student's t with ``seeds − 1`` degrees of freedom), and
compares networks with Welch's t-test (:mod:`.stats`).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import ComparisonError
from .stats import METRICS, Difference, interval, welch

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["SweepResult"]


def _number(value: Any) -> Any:
    return math.nan if value is None else value


class SweepResult:
    """One row per (network, seed) of a sweep, and what follows from them.

    Attributes
    ----------
    rows : list of dict
        ``network``, ``seed``, the network's parameters, structure and graph measures, the final
        metrics (``train_loss``, ``test_loss``, ``train_accuracy``, ``test_accuracy``,
        ``seconds_per_epoch``), ``epochs``, ``seconds``, ``error``.
    title, seeds, loss, classification, settings, data
        As the sweep was run.
    """

    def __init__(self, rows: list[dict[str, Any]], header: dict[str, Any]) -> None:
        # rows as the sweep file holds them, so a resumed sweep gives exactly the same result
        rows = json.loads(json.dumps([{k: (None if isinstance(v, float) and math.isnan(v) else v)
                                       for k, v in row.items()} for row in rows], default=repr))  # fmt: skip
        self.rows = [{k: _number(v) if k not in ("error",) else v for k, v in row.items()} for row in rows]
        self.header = dict(header)
        self.title = header.get("title", "sweep")
        self.seeds = list(header.get("seeds", []))
        self.loss = header.get("loss", "")
        self.classification = bool(header.get("classification", False))
        self.settings = dict(header.get("settings", {}))
        self.data = dict(header.get("data", {}))

    @classmethod
    def load(cls, path: str | os.PathLike) -> SweepResult:
        """The result of a sweep file written by :func:`~autograd_graph.sweep` (finished or not)."""
        lines = [line for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
        if not lines:
            raise ComparisonError(f"{path} is empty, not a sweep file")
        rows = []
        for line in lines[1:]:
            try:
                rows.append(json.loads(line))
            except ValueError:
                break
        return cls(rows, json.loads(lines[0]))

    # ------------------------------------------------------------ numbers
    @property
    def networks(self) -> list[str]:
        """The networks' names, in the sweep's order."""
        return list(dict.fromkeys(row["network"] for row in self.rows))

    @property
    def headline(self) -> str:
        """The metric that decides which network did best: test accuracy, else test loss, else train loss."""
        has_test = self.data.get("n_test", 0) > 0
        if has_test:
            return "test_accuracy" if self.classification else "test_loss"
        return "train_accuracy" if self.classification else "train_loss"

    def table(self) -> Any:
        """The rows as a pandas DataFrame when pandas is installed, else as a list of dicts."""
        try:
            import pandas as pd
        except ImportError:
            return [dict(row) for row in self.rows]
        return pd.DataFrame(self.rows)

    def values(self, network: str, column: str) -> np.ndarray:
        """One column of one network's rows, per seed."""
        rows = [row for row in self.rows if row["network"] == network]
        if not rows:
            raise ComparisonError(f"no network {network!r} in this sweep; networks: {', '.join(self.networks[:10])}…")
        if column not in rows[0]:
            raise ComparisonError(f"no column {column!r}; columns: {', '.join(rows[0])}")
        return np.array([_number(row[column]) for row in rows], dtype=float)

    def summary(self, metrics: list[str] | None = None) -> list[dict[str, Any]]:
        """One dict per network: its first row's other columns, then ``{metric}_mean``, ``_std``,
        ``_low``, ``_high`` (95% interval of the mean) of each metric, ``seeds`` and ``errors``."""
        metrics = metrics or [m for m in METRICS if any(m in row for row in self.rows[:1])]
        per_seed = {"seed", "error", "seconds", "epochs", "best_epoch", "stop_reason", *METRICS}
        out = []
        for name in self.networks:
            rows = [row for row in self.rows if row["network"] == name]
            entry = {k: v for k, v in rows[0].items() if k not in per_seed}
            entry["seeds"] = len(rows)
            entry["errors"] = sum(row.get("error") is not None for row in rows)
            for metric in metrics:
                mean, std, low, high = interval([_number(row.get(metric)) for row in rows])
                entry.update(
                    {f"{metric}_mean": mean, f"{metric}_std": std, f"{metric}_low": low, f"{metric}_high": high}
                )
            out.append(entry)
        return out

    def best(self, metric: str | None = None) -> dict[str, Any]:
        """The :meth:`summary` entry of the network with the best mean ``metric`` (default :attr:`headline`)."""
        metric = metric or self.headline
        lower = METRICS.get(metric, (metric, True))[1]
        entries = [e for e in self.summary() if not math.isnan(e.get(f"{metric}_mean", math.nan))]
        if not entries:
            raise ComparisonError(f"no network has a value of {metric!r}")
        return (min if lower else max)(entries, key=lambda e: e[f"{metric}_mean"])

    def difference(self, a: str, b: str, metric: str | None = None) -> Difference:
        """How network ``b`` differs from ``a`` in ``metric``, with Welch's t-test."""
        metric = metric or self.headline
        return welch(metric, a, self.values(a, metric), b, self.values(b, metric))

    def compare_to(self, baseline: str, metric: str | None = None) -> list[Difference]:
        """Every other network against ``baseline`` (Welch's t-test each)."""
        return [self.difference(baseline, name, metric) for name in self.networks if name != baseline]

    # ----------------------------------------------------------- pictures
    def plot(self, x: str = "clustering", y: str | None = "path_length", value: str | None = None,
             **options: Any) -> Figure:  # fmt: skip
        """A heatmap of ``value`` over binned ``x`` and ``y``, and ``value`` against each with a fitted
        trend and its 95% confidence band; see :func:`.sweep_plots.sweep_figure`."""
        from .sweep_plots import sweep_figure

        return sweep_figure(self, x, y, value or self.headline, **options)

    def report(self, path: str | os.PathLike, **options: Any) -> Path:
        """Write the self-contained HTML report; see :func:`.sweep_report.write_sweep_report`."""
        from .sweep_report import write_sweep_report

        return write_sweep_report(self, path, **options)

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return (
            f"<SweepResult {self.title!r}: {len(self.networks)} networks × {len(self.seeds)} seeds, {len(self)} rows>"
        )
