"""``python -m benchmarks``: run the workloads side by side and print medians, ratios and targets."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np

from .harness import Target, format_table
from .workloads import WORKLOADS
from .workloads.common import Config, Report

PEERS = ("numpy", "torch", "jax", "micrograd", "python")


def machine() -> str:
    """One line about the machine and the libraries."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = [f"numpy {np.__version__}"]
    for name in ("scipy", "torch", "jax", "networkx"):
        try:
            versions.append(f"{name} {__import__(name).__version__}")
        except ImportError:
            versions.append(f"{name} absent")
    return f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; " + ", ".join(versions)


def _load() -> str:
    """The machine's 1-minute load average (other jobs' share of the cores), when the system tells it."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "unknown"


def print_report(report: Report, markdown: bool) -> None:
    print(f"\n## {report.title}\n" if markdown else f"\n=== {report.title} ===")
    print(report.description + ("\n" if markdown else ""))
    for caption, results in report.tables:
        if caption:
            print(f"\n{caption}:" + ("\n" if markdown else ""))
        table = format_table(results, [b for b in report.baselines if b in results])
        print(_markdown_table(table) if markdown else table)
    if report.summary:
        header, *rows = report.summary
        if markdown:
            print("\n| " + " | ".join(header) + " |\n|" + "---|" * len(header))
            print("\n".join("| " + " | ".join(row) + " |" for row in rows))
        else:
            widths = [max(len(row[i]) for row in report.summary) for i in range(len(header))]
            for row in report.summary:
                print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    for line in report.lines:
        print(("\n" if markdown else "") + line)


def _markdown_table(table: str) -> str:
    """Turn the aligned text table of :func:`format_table` into a markdown table."""
    lines = table.splitlines()
    header, rule, *rows = lines
    cuts = [i for i, ch in enumerate(rule) if ch == "-" and (i == 0 or rule[i - 1] == " ")]

    def cells(line):
        return [line[a:b].strip() for a, b in zip(cuts, [*cuts[1:], None], strict=True)]

    out = ["| " + " | ".join(cells(header)) + " |", "|" + "---|" * len(cuts)]
    out += ["| " + " | ".join(cells(row)) + " |" for row in rows]
    return "\n".join(out)


def print_targets(targets: list[Target], markdown: bool) -> None:
    print("\n## Targets\n" if markdown else "\n=== Targets ===")
    if markdown:
        print("| target | measured | |\n|---|---|---|")
    for t in targets:
        verdict = "not decided" if t.met is None else "met" if t.met else "MISSED"
        print(f"| {t.text} | {t.measured} | {verdict} |" if markdown else f"[{verdict:^11}] {t.text}: {t.measured}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "workloads", nargs="*", metavar="WORKLOAD", help=f"which to run (default: all): {', '.join(WORKLOADS)}"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer rounds, sizes up to 10^5 edges only (targets at 10^6 are not decided)",
    )
    parser.add_argument("--rounds", type=int, help="timed rounds per workload (default 7, or 3 with --quick)")
    parser.add_argument(
        "--peers", default=",".join(PEERS), help=f"comma-separated peers to run (default: all of {','.join(PEERS)})"
    )
    parser.add_argument("--markdown", action="store_true", help="print markdown tables (for benchmarks/README.md)")
    args = parser.parse_args(argv)
    unknown = [w for w in args.workloads if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    peers = frozenset(p.strip() for p in args.peers.split(",") if p.strip())
    if peers - set(PEERS):
        parser.error(f"unknown peer(s) {', '.join(sorted(peers - set(PEERS)))}; choose from {', '.join(PEERS)}")
    rounds = args.rounds or (3 if args.quick else 7)
    config = Config(quick=args.quick, rounds=rounds, peers=peers)
    print(("**Machine:** " if args.markdown else "machine: ") + machine())
    print(f"rounds: {rounds} (interleaved; ratios are medians of per-round ratios)")
    targets: list[Target] = []
    start = time.perf_counter()
    for name in args.workloads or list(WORKLOADS):
        load = _load()
        report = WORKLOADS[name](config)
        report.lines.append(
            f"(load average of the machine: {load} at the start of this workload, {_load()} at its end)"
        )
        print_report(report, args.markdown)
        targets += report.targets
        sys.stdout.flush()
    print_targets(targets, args.markdown)
    print(f"\n(total {time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
