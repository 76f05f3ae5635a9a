"""``autograd-graph compare``: train networks on a built-in task over seeds, a table and a report."""

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
from .options import FULL, PROG, batch_size_option, max_file_option, positive_int, step_size, step_size_options

__all__ = ["add", "run"]


def add(commands: Any) -> None:
    """Add the command to the subparsers ``commands``."""
    comp = commands.add_parser(
        "compare",
        help="train several networks on a built-in task over several seeds, and compare them",
        description="Train networks on a built-in task with the same settings over several seeds, print a "
        "table (mean ± std over seeds) and write a self-contained HTML report, the figure and the numbers. "
        "Without network files: the task's layered network, a randomly wired one and one with skip "
        "connections, both with exactly as many weights.",
    )
    comp.add_argument("task", choices=tuple(TASKS), help="the data: " + ", ".join(TASKS))
    comp.add_argument("networks", nargs="*", metavar="NET.json", help="saved networks to compare (default: see above)")
    comp.add_argument(
        "--matched", action="store_true", help="add a random DAG and a skip-connection network of the first's budget"
    )
    comp.add_argument("--seeds", type=positive_int, default=3, help="seeds 0…N−1 per network (default: 3)")
    comp.add_argument("--epochs", type=positive_int, help="passes over the data (default: the task's)")
    comp.add_argument(
        "--batch-size", type=batch_size_option, help="examples per update, or 'full' (default: the task's)"
    )
    comp.add_argument("--optimizer", choices=("sgd", "momentum", "adam"), help="(default: the task's)")
    step_size_options(comp, "the task's", "the task's, 0 for a constant one")
    comp.add_argument("--loss", help="the loss (default: the task's)")
    comp.add_argument("--data-seed", type=int, default=0, help="seed of the task's data and split (default: 0)")
    comp.add_argument("--out", default="out/compare", help="folder for report.html, figure.png, comparison.json")
    comp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    max_file_option(comp)
    comp.set_defaults(run=run)


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
    task = load_task(args.task, seed=args.data_seed)
    settings = dict(task.settings)
    settings["learning_rate"] = step_size(args.learning_rate, args.decay, settings.get("learning_rate", 0.01))
    networks = networks_of(args, task)
    for key in ("epochs", "batch_size", "optimizer"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    if args.batch_size == FULL:
        settings["batch_size"] = None  # the full batch
    print(f"task {task.name}: {task.description}")
    print(f"networks: {', '.join(networks)}; seeds 0…{args.seeds - 1}; "
          + ", ".join(f"{key} {value}" for key, value in settings.items()))  # fmt: skip
    result = compare(networks, task.X, task.Y, task.X_test, task.Y_test, seeds=args.seeds,
                     loss=args.loss or task.loss, title=f"{task.name}: {task.description}",
                     progress=not args.quiet, **settings)  # fmt: skip
    print(result)
    out.mkdir(parents=True, exist_ok=True)
    fig = result.figure()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    written = [write_atomically(out / "figure.png", buffer.getvalue()),
               write_atomically(out / "comparison.json", result.to_json() + "\n"),
               result.report(out / "report.html", fig=fig)]  # fmt: skip
    print(f"wrote to {out}/: " + ", ".join(path.name for path in written))
