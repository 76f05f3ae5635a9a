"""``autograd-graph sweep``: many networks × seeds on a built-in task, rows as they finish, resumable."""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any

from ..build.relational import relational_mlp
from ..build.ws_flex import ws_flex
from ..comparison import load_task
from ..comparison.sweep import GridBuilder, sweep
from ..comparison.tasks import TASKS
from ..exceptions import CommandLineError
from ..io.files import write_atomically
from ..network import Network
from .compare import networks_of
from .options import (
    FULL,
    batch_size_option,
    floats,
    output_options,
    positive_int,
    say,
    show_progress,
    step_size,
    step_size_options,
)

__all__ = ["add", "run", "relational_network"]


def add(commands: Any) -> None:
    """Add the command to the subparsers ``commands``."""
    cmd = commands.add_parser(
        "sweep",
        help="train many networks over seeds on a built-in task: rows as they finish, resumable, a report",
        description="Train every network from every seed with the same settings, trained in groups at once; "
        "append one row per (network, seed) to OUT/rows.jsonl as groups finish (run the same command again to "
        "resume), then write OUT/report.html and OUT/figure.png. Networks: relational MLPs of WS-flex graphs "
        "(--ws-flex), saved networks, or the task's layered network and its matched random DAG and skip network.",
    )
    cmd.add_argument("task", choices=tuple(TASKS), help="the data: " + ", ".join(TASKS))
    cmd.add_argument("networks", nargs="*", metavar="NET.json", help="saved networks to sweep")
    cmd.add_argument("--ws-flex", type=positive_int, metavar="NODES",
                     help="relational MLPs (ag.relational_mlp) of WS-flex graphs of NODES nodes, and the complete "
                     "graph's")  # fmt: skip
    cmd.add_argument("--degrees", type=floats, default=[2, 4, 8], help="average degrees k of the WS-flex graphs")
    cmd.add_argument("--ps", type=floats, default=[0.0, 0.25, 1.0], help="rewiring probabilities p")
    cmd.add_argument("--graph-seeds", type=floats, default=[0], help="seeds of the graphs")
    cmd.add_argument("--width", type=positive_int, default=32, help="neurons per hidden layer (default: 32)")
    cmd.add_argument("--layers", type=positive_int, default=2, help="relational layers (default: 2)")
    cmd.add_argument("--matched", action="store_true", help="add the matched random DAG and skip network")
    cmd.add_argument("--seeds", type=positive_int, default=3, help="seeds 0…N−1 per network (default: 3)")
    cmd.add_argument("--epochs", type=positive_int, help="passes over the data (default: the task's)")
    cmd.add_argument("--batch-size", type=batch_size_option, help="examples per update, or 'full'")
    cmd.add_argument("--optimizer", choices=("sgd", "momentum", "adam"), help="(default: the task's)")
    step_size_options(cmd, "the task's", "the task's, 0 for a constant one")
    cmd.add_argument("--loss", help="the loss (default: the task's)")
    cmd.add_argument("--data-seed", type=int, default=0, help="seed of the task's data and split (default: 0)")
    cmd.add_argument("--out", default="out/sweep", help="folder for rows.jsonl, report.html, figure.png")
    cmd.add_argument("--no-resume", action="store_true", help="start rows.jsonl again instead of resuming it")
    cmd.add_argument("--n-jobs", type=int, help="local processes (joblib; -1: one per core)")
    cmd.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler to run the groups on")
    cmd.add_argument("--group-size", type=positive_int, default=32, help="trainings per group (default: 32)")
    cmd.add_argument("--x", default=None, help="measure on the figure's x axis (default: C, of G for --ws-flex)")
    cmd.add_argument("--y", default=None, help="measure on its y axis (default: L)")
    output_options(cmd)
    cmd.set_defaults(run=run)


def relational_network(seed: int, n: int, k: float, p: float, graph_seed: int, width: int, layers: int,
                       n_inputs: int, n_outputs: int, output_activation: str) -> Network:  # fmt: skip
    """The relational MLP of one WS-flex graph (``k=None``: the complete graph), for one seed."""
    import networkx as nx

    G = nx.complete_graph(n) if k is None else ws_flex(n, k, p, seed=graph_seed)
    return relational_mlp(G, width, layers, n_inputs, n_outputs, output_activation=output_activation, seed=seed)


def _relational(args: argparse.Namespace, task: Any) -> dict[str, Any]:
    common = {"n": args.ws_flex, "width": args.width, "layers": args.layers, "n_inputs": task.X.shape[1],
              "n_outputs": task.Y.shape[1], "output_activation": task.output_activation}  # fmt: skip
    networks: dict[str, Any] = {"complete graph": (GridBuilder(relational_network, {**common, "k": None, "p": 0.0,
                                                                                   "graph_seed": 0}),
                                                   {"k": args.ws_flex - 1, "p": 0.0, "graph_seed": 0})}  # fmt: skip
    for k in args.degrees:
        for p in args.ps:
            for graph_seed in map(int, args.graph_seeds):
                if not 2 <= k <= args.ws_flex:
                    raise CommandLineError(f"--degrees: k={k} is not in [2, {args.ws_flex}]")
                params = {"k": k, "p": p, "graph_seed": graph_seed}
                networks[f"k={k:g}, p={p:g}, graph seed {graph_seed}"] = (
                    GridBuilder(relational_network, {**common, **params}),
                    params,
                )
    return networks


def run(args: argparse.Namespace) -> None:
    task = load_task(args.task, seed=args.data_seed)
    settings = dict(task.settings)
    settings["learning_rate"] = step_size(args.learning_rate, args.decay, settings.get("learning_rate", 0.01))
    for key in ("epochs", "batch_size", "optimizer"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    if args.batch_size == FULL:
        settings["batch_size"] = None
    if args.ws_flex is not None:
        if args.networks:
            raise CommandLineError("give --ws-flex or network files, not both")
        networks = _relational(args, task)
    else:
        networks = networks_of(args, task)
    client = None
    if args.scheduler is not None:
        try:
            from distributed import Client
        except ImportError:
            raise CommandLineError("--scheduler needs Dask: pip install 'autograd_graph[dask]'") from None
        client = Client(args.scheduler)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    say(args, f"task {task.name}: {task.description}; {len(networks)} networks × {args.seeds} seeds; "
        + ", ".join(f"{key} {value}" for key, value in settings.items()))  # fmt: skip
    try:
        result = sweep(networks, task.X, task.Y, task.X_test, task.Y_test, seeds=args.seeds,
                       loss=args.loss or task.loss, path=out / "rows.jsonl", resume=not args.no_resume,
                       n_jobs=args.n_jobs, client=client, group_size=args.group_size,
                       title=f"{task.name}: {task.description}", progress=show_progress(args), **settings)  # fmt: skip
    finally:
        if client is not None:
            client.close()
    relational = args.ws_flex is not None
    x = args.x or ("relational_clustering" if relational else "clustering")
    y = args.y or ("relational_path_length" if relational else "path_length")
    baseline = "complete graph" if relational else next(iter(networks))
    best = result.best()
    metric = result.headline
    say(args, f"best {metric}: {best['network']} ({best[metric + '_mean']:.4g} ± {best[metric + '_std']:.2g})")
    say(args, *(f"  {difference}" for difference in result.compare_to(baseline)[:10]))
    fig = result.plot(x, y, baseline=baseline)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    written = [out / "rows.jsonl", write_atomically(out / "figure.png", buffer.getvalue()),
               result.report(out / "report.html", x=x, y=y, baseline=baseline, fig=fig)]  # fmt: skip
    say(args, f"wrote to {out}/: " + ", ".join(path.name for path in written))
