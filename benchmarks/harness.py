"""Timing side by side: interleaved runs, medians, and ratios of paired runs.

Every contender of a workload runs once per round, in an order that rotates
from round to round, so that a burst of load on a shared machine hits all of
them alike; a ratio is the median over rounds of the ratio of two contenders'
times *in the same round*, which is steadier than the ratio of two medians.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Contender", "Result", "Target", "measure", "format_table"]


@dataclass
class Contender:
    """One way of running a workload; ``run()`` is what gets timed.

    ``scale`` multiplies the measured time (a peer that ran on a subset of
    the data, extrapolated to all of it; ``note`` says so).
    """

    name: str
    run: Callable[[], object]
    note: str = ""
    scale: float = 1.0


@dataclass
class Result:
    """The times of one contender over all rounds, in seconds (scaled)."""

    name: str
    times: np.ndarray
    note: str = ""
    ratios: dict[str, float] = field(default_factory=dict)  # against another contender, paired by round

    @property
    def median(self) -> float:
        return float(np.median(self.times))


@dataclass
class Target:
    """A target of the speed issue, with what was measured."""

    text: str
    measured: str
    met: bool | None  # None: could not be measured in this run


def measure(contenders: Sequence[Contender], rounds: int, *, warmup: int = 1) -> dict[str, Result]:
    """Run every contender ``warmup`` times untimed, then ``rounds`` interleaved timed rounds."""
    for c in contenders:
        for _ in range(warmup):
            c.run()
    times: dict[str, list[float]] = {c.name: [] for c in contenders}
    for r in range(rounds):
        k = r % len(contenders)
        for c in [*contenders[k:], *contenders[:k]]:
            gc.collect()
            start = time.perf_counter()
            c.run()
            times[c.name].append((time.perf_counter() - start) * c.scale)
    return {c.name: Result(c.name, np.array(times[c.name]), c.note) for c in contenders}


def paired_ratio(results: dict[str, Result], name: str, baseline: str) -> float:
    """Median over rounds of ``time(name) / time(baseline)``."""
    return float(np.median(results[name].times / results[baseline].times))


def format_seconds(t: float) -> str:
    if t >= 1:
        return f"{t:.2f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.2f} ms"
    return f"{t * 1e6:.1f} µs"


def format_table(results: dict[str, Result], baselines: Sequence[str]) -> str:
    """A table: contender, median time, and the paired ratio to each baseline."""
    header = ["contender", "median", *[f"÷ {b}" for b in baselines], "note"]
    rows = []
    for res in results.values():
        ratios = [f"{paired_ratio(results, res.name, b):.3g}" if b in results else "–" for b in baselines]
        rows.append([res.name, format_seconds(res.median), *ratios, res.note])
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
