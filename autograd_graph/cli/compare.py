"""``autograd-graph compare``: train networks on a built-in task or a CSV over seeds, a table and a report."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

from ..comparison import compare, load_task, matched_builders
from ..comparison.tasks import TASKS
from ..exceptions import CommandLineError, ComparisonError
from ..io.files import check_writable, write_atomically
from ..io.serialization import load
from ..losses import LOSSES
from ..training import OPTIMIZERS
from .csvdata import PROBLEMS, csv_task
from .options import (
    FULL,
    PROG,
    batch_size_option,
    fraction,
    max_file_option,
    output_options,
    positive_int,
    say,
    show_progress,
    step_size,
    step_size_options,
)

__all__ = ["add", "run"]


def add(commands: Any) -> None:
    """Add the command to the subparsers ``commands``."""
    comp = commands.add_parser(
        "compare",
        help="train several networks on a built-in task or your CSV over several seeds, and compare them",
        description="Train networks on a built-in task or on a CSV of yours (--target chooses its target "
        "columns) with the same settings over several seeds, print a table (mean ± std over seeds) and write "
        "a self-contained HTML report, the figure and the numbers. Without network files: the task's layered "
        "network, a randomly wired one and one with skip connections, both with exactly as many weights.",
    )
    comp.add_argument(
        "task", nargs="?", metavar="TASK|FILE.csv",
        help=f"a built-in task ({', '.join(TASKS)}) or a CSV file (the same as --data FILE.csv)",
    )  # fmt: skip
    comp.add_argument("networks", nargs="*", metavar="NET.json", help="saved networks to compare (default: see above)")
    comp.add_argument("--data", metavar="FILE.csv", help="your data: numbers separated by commas, a header optional")
    comp.add_argument(
        "--target", metavar="COLUMNS",
        help="the CSV's target columns, by name or 0-based position, separated by commas (default: the last)",
    )  # fmt: skip
    comp.add_argument("--test-size", type=fraction, default=0.25, metavar="F",
                      help="the CSV's rows held out for testing, at random (default: 0.25)")  # fmt: skip
    comp.add_argument("--problem", choices=PROBLEMS, default="auto",
                      help="classification or regression (default: a column of 2 to 20 whole numbers, or one-hot "
                      "columns, are classes)")  # fmt: skip
    comp.add_argument(
        "--matched", action="store_true", help="add a random DAG and a skip-connection network of the first's budget"
    )
    comp.add_argument("--seeds", type=positive_int, default=3, help="seeds 0…N−1 per network (default: 3)")
    comp.add_argument("--epochs", type=positive_int, help="passes over the data (default: the task's)")
    comp.add_argument(
        "--batch-size", type=batch_size_option, help="examples per update, or 'full' (default: the task's)"
    )
    comp.add_argument("--optimizer", choices=tuple(OPTIMIZERS), help="(default: the task's)")
    step_size_options(comp, "the task's", "the task's, 0 for a constant one")
    comp.add_argument("--loss", choices=tuple(LOSSES), help="the loss (default: the task's)")
    comp.add_argument("--data-seed", type=int, default=0, help="seed of the task's data and split (default: 0)")
    comp.add_argument("--out", default="out/compare", help="folder for report.html, figure.png, comparison.json")
    max_file_option(comp)
    output_options(comp)
    comp.set_defaults(run=run)


def task_of(args: argparse.Namespace) -> Any:
    """The built-in task, or the task of the user's CSV (``TASK`` as a file, or ``--data``)."""
    spec = args.task
    if args.data is not None:
        if spec is not None and spec not in TASKS and not spec.endswith(".csv"):
            args.networks.insert(0, spec)  # `compare --data FILE.csv NET.json`: the positional is a network
            spec = None
        elif spec is not None:
            raise CommandLineError(f"give the data once: {spec!r} or --data {args.data!r}")
        spec = args.data
    if spec is None:
        raise CommandLineError(f"which data? a built-in task ({', '.join(TASKS)}) or a CSV file (--data FILE.csv)")
    if spec in TASKS and args.data is None:
        if args.target is not None:
            raise CommandLineError(f"--target chooses columns of a CSV file; {spec!r} is a built-in task")
        return load_task(spec, seed=args.data_seed)
    path = Path(spec)
    if not path.is_file():
        raise CommandLineError(f"no task {spec!r}: neither a built-in one ({', '.join(TASKS)}) nor a file")
    return csv_task(path, args.target, args.test_size, args.data_seed, args.problem)


def networks_of(args: argparse.Namespace, task: Any) -> dict[str, Any]:
    """The user's networks by file name, or the task's layered baseline; then the matched ones if asked."""
    networks: dict[str, Any] = {}
    seen: set[Path] = set()
    for file in args.networks:
        if Path(file).resolve() in seen:
            raise CommandLineError(f"{file} is given twice")
        seen.add(Path(file).resolve())
        networks[Path(file).stem if Path(file).stem not in networks else str(file)] = load(
            file, max_bytes=args.max_bytes
        )
    if not networks:
        networks[f"layered {'→'.join(map(str, task.sizes))}"] = task.baseline(seed=0)
    if args.matched or not args.networks:
        base = next(iter(networks.values()))
        for name, builder in matched_builders(base).items():
            try:
                builder(0)
            except ComparisonError as error:
                print(f"{PROG}: warning: leaving out {name!r}: {error}", file=sys.stderr)
                continue
            networks[name] = builder
    return networks


def run(args: argparse.Namespace) -> None:
    out = Path(args.out)
    for name in ("report.html", "figure.png", "comparison.json"):  # fails now, not after the comparison
        check_writable(out / name)
    task = task_of(args)
    settings = dict(task.settings)
    settings["learning_rate"] = step_size(args.learning_rate, args.decay, settings.get("learning_rate", 0.01))
    networks = networks_of(args, task)
    for key in ("epochs", "batch_size", "optimizer"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    if args.batch_size == FULL:
        settings["batch_size"] = None  # the full batch
    say(args, f"task {task.name}: {task.description}",
        f"networks: {', '.join(networks)}; seeds 0…{args.seeds - 1}; "
        + ", ".join(f"{key} {value}" for key, value in settings.items()))  # fmt: skip
    result = compare(networks, task.X, task.Y, task.X_test, task.Y_test, seeds=args.seeds,
                     loss=args.loss or task.loss, title=f"{task.name}: {task.description}",
                     progress=show_progress(args), **settings)  # fmt: skip
    say(args, str(result))
    out.mkdir(parents=True, exist_ok=True)
    fig = result.figure()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    written = [write_atomically(out / "figure.png", buffer.getvalue()),
               write_atomically(out / "comparison.json", result.to_json() + "\n"),
               result.report(out / "report.html", fig=fig)]  # fmt: skip
    say(args, f"wrote to {out}/: " + ", ".join(path.name for path in written))
