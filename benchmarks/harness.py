"""Timing side by side: interleaved runs, medians, and ratios of paired runs.

Every contender of a workload runs once per round, in an order that rotates
from round to round, so that a burst of load on a shared machine hits all of
them alike; a ratio is the median over rounds of the ratio of two contenders'
times *in the same round*, which is steadier than the ratio of two medians.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Contender", "Result", "Target", "measure", "format_table", "MIN_SAMPLE", "PRIME_BELOW"]

# a contender faster than this (seconds) runs once untimed before each round's timing ...
PRIME_BELOW = 1.0
# ... and a round of a contender lasts at least this long: a faster one runs several times in a row (at most
# MAX_CALLS)
MIN_SAMPLE = 0.02
MAX_CALLS = 1000


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


def measure(
    contenders: Sequence[Contender],
    rounds: int,
    *,
    warmup: int = 1,
    min_sample: float = MIN_SAMPLE,
    prime_below: float = PRIME_BELOW,
) -> dict[str, Result]:
    """Run every contender ``warmup`` times untimed, then ``rounds`` interleaved timed rounds.

    A contender whose untimed run took less than ``prime_below`` seconds runs once more untimed just
    before each round's timing (and once more after the warm-up, which times it again: a first call may
    have compiled), so every timed call finds warm caches, however long its peers: ``gc.collect`` before
    each round walks every object and evicts them. One that took less than ``min_sample`` seconds then
    runs enough times in a row to last about that long, and the round's time is their mean (as ``timeit``
    and ``pyperf`` do): a single call of a millisecond is mostly what happened just before it (another
    library's threads still spinning after its call, say), not the call's own cost. Without a warm-up
    every contender runs once a round, as it comes.
    """
    calls, primed = {c.name: 1 for c in contenders}, set()
    for c in contenders:
        took = None
        for _ in range(warmup):
            took = _time(c.run)
        if took is not None and took < prime_below:
            primed.add(c.name)
            took = max(_time(c.run), 1e-9)  # a clock that did not move: as fast as it gets
            calls[c.name] = min(MAX_CALLS, max(1, math.ceil(min_sample / took)))
    times: dict[str, list[float]] = {c.name: [] for c in contenders}
    for r in range(rounds):
        k = r % len(contenders)
        for c in [*contenders[k:], *contenders[:k]]:
            n = calls[c.name]
            gc.collect()
            if c.name in primed:
                c.run()
            start = time.perf_counter()
            for _ in range(n):
                c.run()
            times[c.name].append((time.perf_counter() - start) / n * c.scale)
    return {c.name: Result(c.name, np.array(times[c.name]), c.note) for c in contenders}


def _time(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


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
