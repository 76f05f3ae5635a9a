"""The ``autograd-graph`` command: ``demo``, ``render``, ``info``, ``train`` and ``compare``.

Run ``autograd-graph --help`` (or ``python -m autograd_graph --help``). Each
command is one function taking the parsed arguments; :func:`main` maps bad
input to a one-line message on stderr and a non-zero exit status, never a
traceback.

Examples
--------
>>> main(["info", "no-such-file.json"])
1
"""

from __future__ import annotations

import argparse
import io
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import graphviz
import numpy as np

from .build.running_example import running_example
from .comparison import compare, load_task, matched_builders
from .comparison.tasks import TASKS
from .exceptions import AutogradGraphError, CommandLineError, ComparisonError, GraphvizNotFoundError, ShapeError
from .io.files import prepare_folder, write_atomically
from .io.serialization import load, save
from .network import Network
from .show.explain import explain
from .show.render import FORMATS, render, side_by_side
from .show.summary import print_summary
from .training import InverseTimeDecay, TrainingResult, train

__all__ = ["main", "build_parser", "DATASETS"]

PROG = "autograd-graph"


# --------------------------------------------------------------------- data
DATASETS = tuple(TASKS)  # built-in data sets: the comparison tasks' training data


def _read_data(spec: str, net: Network) -> tuple[np.ndarray, np.ndarray]:
    """A built-in data set by name, or a CSV file: the inputs' columns, then the outputs'."""
    if spec in DATASETS:
        task = load_task(spec)
        X, Y = task.X, task.Y
    else:
        path = Path(spec)
        if not path.is_file():
            raise CommandLineError(f"no data set {spec!r}: neither a built-in one ({', '.join(DATASETS)}) nor a file")
        X, Y = _read_csv(path, len(net.inputs), len(net.outputs))
    if X.shape[1] != len(net.inputs) or Y.shape[1] != len(net.outputs):
        raise CommandLineError(
            f"data set {spec!r} has {X.shape[1]} inputs and {Y.shape[1]} outputs; "
            f"the network has {len(net.inputs)} inputs and {len(net.outputs)} outputs"
        )
    return X, Y


def _is_header(line: str) -> bool:
    """Whether a CSV's first line is a row of names: some field of it is not a number."""
    try:
        [float(field) for field in line.split(",")]
    except ValueError:
        return True
    return False


def _read_csv(path: Path, n_inputs: int, n_outputs: int) -> tuple[np.ndarray, np.ndarray]:
    """Numbers separated by commas, one example a row; a first row that is not all numbers is a header."""
    with open(path, encoding="utf-8", errors="replace") as file:
        header = _is_header(file.readline())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an empty file: numpy warns, then the row count below says it
            table = np.loadtxt(path, delimiter=",", ndmin=2, skiprows=int(header))
    except ValueError as error:
        raise CommandLineError(f"{path} is not a CSV of numbers: {error}") from None
    if table.shape[1] != n_inputs + n_outputs or table.shape[0] == 0:
        raise CommandLineError(
            f"{path} has {table.shape[1]} columns and {table.shape[0]} rows; the network needs "
            f"{n_inputs} input + {n_outputs} output columns and at least one row"
        )
    return table[:, :n_inputs], table[:, n_inputs:]


# ------------------------------------------------------------------ commands
def _floats(text: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


FULL = "full"  # --batch-size full: the whole data set per update


def _batch_size(text: str) -> int | str:
    if text.strip().lower() == FULL:
        return FULL
    try:
        return _positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected a positive whole number or 'full', got {text!r}") from None


def _step_size(initial: float | None, decay: float | None, default: Any) -> Any:
    """``initial / (1 + decay·t)``; what is not given comes from ``default`` (a rate or an InverseTimeDecay)."""
    if initial is None and decay is None:
        return default
    if isinstance(default, InverseTimeDecay):
        default_initial, default_decay = default.rate, default.decay
    elif isinstance(default, (int, float)):
        default_initial, default_decay = float(default), 0.0
    else:
        raise CommandLineError("--decay needs --learning-rate: the default step size is a schedule of its own")
    return InverseTimeDecay(
        default_initial if initial is None else initial, decay=default_decay if decay is None else decay
    )


class _Pictures:
    """Renders pictures; without Graphviz's dot, writes their DOT source (``.gv``) and says so once."""

    def __init__(self) -> None:
        self.have_dot = True

    def write(self, picture: graphviz.Digraph, path: Path) -> Path:
        if self.have_dot:
            try:
                return render(picture, path)
            except GraphvizNotFoundError as error:
                self.have_dot = False
                print(f"{PROG}: warning: {error} Writing DOT sources (.gv) instead.", file=sys.stderr)
        return write_atomically(path.with_suffix(".gv"), picture.source)


def _demo(args: argparse.Namespace) -> None:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    net = running_example(seed=args.seed)
    print(f"The running example: {net}")
    print(f"layers: {net.layers()}")

    X, Y = np.array([[0.5]]), np.array([[1.0]])  # one example: x_1 = 0.5, target y_9 = 1
    trace = net.forward(X)
    grads = net.backward(trace, Y)
    print(f"\nforward and backward at x_1 = 0.5, y_9 = 1: z_9 = {trace.z[9][0]:.4f}, loss ℓ = {grads.loss:.4f}")
    z9, dz9 = trace.z[9][0], grads.z[9][0]
    print(f"∂ℓ/∂z_9 = 2 (z_9 − y_9) = 2·({z9:.4f} − 1) = {dz9:.4f}")
    print("the chain rule for one weight:")
    print(explain(net, trace, grads, (6, 9)))
    print("and for neuron 4, which feeds 6 and 7 (the multivariate chain rule):")
    print(explain(net, trace, grads, 4))
    picture = net.to_graphviz(trace, grads, title="after one backward pass (x_1 = 0.5, y_9 = 1)")
    pictures = _Pictures()
    written = [pictures.write(picture, out / f"running_example_gradients.{args.format}")]

    data_X = np.linspace(-1.0, 1.0, 41).reshape(-1, 1)  # (41, 1)
    data_Y = np.sin(3 * data_X)
    schedule = InverseTimeDecay(0.5, decay=0.001)
    result = train(net, data_X, data_Y, epochs=args.epochs, batch_size=1, learning_rate=schedule, seed=args.seed)
    print(
        f"\ntrained on y = sin(3x), {len(data_X)} points, {args.epochs} epochs of per-example SGD "
        f"(step size η_t = 0.5 / (1 + 0.001·t) at update t): loss {result.history.loss[0]:.4f} → {result.loss:.4f}"
    )
    title = f"after {args.epochs} epochs on y = sin(3x) (edge width |w|, color: sign of w)"
    picture = net.to_graphviz(edge_width=True, edge_color=True, title=title)
    written.append(pictures.write(picture, out / f"running_example_weights.{args.format}"))
    skip = net.copy()
    skip.connect(1, 9)
    skip.connect(3, 7)
    pair = side_by_side([net, skip], titles=["layered: the running example", "not layered: + skip edges 1→9, 3→7"])
    written.append(pictures.write(pair, out / f"layered_vs_not.{args.format}"))
    written.append(save(net, out / "running_example.json", metadata=result.metadata()))
    print(f"\nwrote to {out}/: " + ", ".join(path.name for path in written))
    print(f"try: {PROG} info {out / 'running_example.json'}")


def _render(args: argparse.Namespace) -> None:
    net = load(args.file)
    output = Path(args.output) if args.output else Path(args.file).with_suffix(f".{args.format or 'svg'}")
    trace = grads = None
    if args.y is not None and args.x is None:
        raise CommandLineError("--y (targets) needs --x (inputs) as well")
    try:
        if args.x is not None:
            trace = net.forward(np.array([args.x]))
        if trace is not None and args.y is not None:
            grads = net.backward(trace, np.array([args.y]))
    except ShapeError as error:
        option = "--x" if trace is None else "--y"
        raise CommandLineError(f"{option}: {error}") from None
    picture = net.to_graphviz(
        trace,
        grads,
        number_format=args.number_format,
        edge_labels=False if args.no_edge_labels else None,
        edge_width=args.edge_width,
        edge_color=args.edge_color,
        fold_biases=args.fold_biases,
        max_per_rank=args.max_per_rank,
        rankdir=args.rankdir,
    )
    print(f"wrote {render(picture, output, format=args.format)}")


def _listing(groups: list[list], name: str, most: int = 12) -> list[str]:
    lines = []
    for number, group in enumerate(groups, start=1):
        shown = ", ".join(map(str, group[:most])) + (f", … (+{len(group) - most} more)" if len(group) > most else "")
        lines.append(f"  {name} {number}: {shown}")
    return lines


def _info(args: argparse.Namespace) -> None:
    net = load(args.file)
    print(f"{args.file}: {net}")
    print_summary(net)
    if net.is_layered():
        print("\n".join(_listing(net.layers(), "layer")))
    else:
        try:
            net.layers()
        except AutogradGraphError as error:
            print(f"not layered: {str(error).removeprefix('the network is not layered: ')}")
        print("\n".join(_listing(net.generations(), "generation")))
    print(f"inputs: {net.inputs}\noutputs: {net.outputs}")


def _train(args: argparse.Namespace) -> None:
    net = load(args.file)
    X, Y = _read_data(args.data, net)
    output = Path(args.output) if args.output else Path(args.file).with_name(Path(args.file).stem + ".trained.json")
    prepare_folder(output)  # a path that cannot be written fails now, not after training
    if args.restart:
        net.initialize(args.seed)
    schedule = _step_size(args.learning_rate, args.decay, TRAIN_STEP_SIZE)
    batch_size = None if args.batch_size == FULL else args.batch_size
    result = train(net, X, Y, epochs=args.epochs, batch_size=batch_size, learning_rate=schedule,
                   restarts=args.restarts, seed=args.seed)  # fmt: skip
    _print_losses(result)
    print(f"wrote {save(net, output, metadata=result.metadata())}")


def _compare_networks(args: argparse.Namespace, task: Any) -> dict[str, Any]:
    """The user's networks by file name, or the task's layered baseline; then the matched ones if asked."""
    networks: dict[str, Any] = {}
    seen: set[Path] = set()
    for file in args.networks:
        if Path(file).resolve() in seen:
            raise CommandLineError(f"{file} is given twice")
        seen.add(Path(file).resolve())
        networks[Path(file).stem if Path(file).stem not in networks else str(file)] = load(file)
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


def _compare(args: argparse.Namespace) -> None:
    task = load_task(args.task, seed=args.data_seed)
    settings = dict(task.settings)
    settings["learning_rate"] = _step_size(args.learning_rate, args.decay, settings.get("learning_rate", 0.01))
    networks = _compare_networks(args, task)
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
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    fig = result.figure()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    written = [write_atomically(out / "figure.png", buffer.getvalue()),
               write_atomically(out / "comparison.json", result.to_json() + "\n"),
               result.report(out / "report.html", fig=fig)]  # fmt: skip
    print(f"wrote to {out}/: " + ", ".join(path.name for path in written))


def _print_losses(result: TrainingResult) -> None:
    """About ten epochs of the best run's losses, then where the best weights came from."""
    losses, epochs = result.history.loss, len(result.history) - 1
    for epoch in sorted({0, *range(0, epochs + 1, max(epochs // 10, 1)), epochs}):
        print(f"epoch {epoch:>5}: loss {losses[epoch]:.6g}")
    best = result.best
    run = f" of run {best.run} ({len(result.runs)} runs)" if len(result.runs) > 1 else ""
    print(f"best loss {best.best_loss:.6g} at epoch {best.best_epoch}{run}")


# -------------------------------------------------------------------- parser
class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


TRAIN_STEP_SIZE = InverseTimeDecay(0.1, decay=0.001)  # train's default step size


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected a number ≥ 0, got {text!r}")
    return value


def _step_size_options(parser: argparse.ArgumentParser, rate: str, decay: str) -> None:
    """--learning-rate and --decay, the same in every command: step size LR / (1 + DECAY·t) at update t."""
    parser.add_argument(
        "--learning-rate",
        type=float,
        metavar="LR",
        help=f"initial step size, LR in LR / (1 + DECAY·t) (default: {rate})",
    )
    parser.add_argument(
        "--decay", type=_non_negative_float, help=f"step size LR / (1 + DECAY·t) at update t (default: {decay})"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``autograd-graph``.

    Examples
    --------
    >>> args = build_parser().parse_args(["train", "net.json", "--data", "xor", "--batch-size", "full"])
    >>> args.batch_size, args.learning_rate, args.decay
    ('full', None, None)
    """
    parser = _Parser(
        prog=PROG,
        description="An explicit computation-graph autodiff engine for neural networks, neuron by neuron.",
        epilog=f"Saved networks are the JSON files of ag.save (networkx node-link data inside); `{PROG} demo` "
        "writes one. "
        f"Run `{PROG} COMMAND --help` for a command's options.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    demo = commands.add_parser(
        "demo",
        help="the running example: forward, backward, the chain rule, training, pictures",
        description="Build the sources' 9-neuron running example, run a forward and a backward pass, print the "
        "chain rule of weight w_6,9 and neuron 4 with their numbers, train briefly on y = sin(3x), and write "
        "pictures (with gradients, with trained weights, layered next to non-layered) and the trained network.",
    )
    demo.add_argument("--out", default="out", help="folder for the pictures and the network (default: ./out)")
    demo.add_argument("--format", choices=FORMATS, default="svg", help="picture format (default: svg)")
    demo.add_argument("--epochs", type=_positive_int, default=150, help="training epochs (default: 150)")
    demo.add_argument("--seed", type=int, default=0, help="seed of the weights and the shuffling (default: 0)")
    demo.set_defaults(run=_demo)

    pic = commands.add_parser(
        "render",
        help="draw a saved network to SVG, PNG or PDF",
        description="Draw a saved network. With --x the neurons show a and z; with --y as well, the gradients.",
    )
    pic.add_argument("file", help="a saved network (JSON)")
    pic.add_argument("-o", "--output", help="the picture to write (default: FILE with the format's suffix)")
    pic.add_argument("--format", choices=FORMATS, help="svg, png or pdf (default: from --output's suffix, else svg)")
    pic.add_argument("--x", type=_floats, metavar="X1,X2,...", help="one input example, in the network's input order")
    pic.add_argument("--y", type=_floats, metavar="Y1,...", help="its targets, in output order: show gradients too")
    pic.add_argument("--number-format", default=".3g", help="format spec of the numbers (default: .3g)")
    pic.add_argument(
        "--no-edge-labels",
        action="store_true",
        help="leave the weights off the edges (they are on when at most 60 edges are drawn)",
    )
    pic.add_argument("--edge-width", action="store_true", help="edge width by |w|")
    pic.add_argument("--edge-color", action="store_true", help="edge color by the sign of w")
    pic.add_argument("--fold-biases", action="store_true", help="fold bias neurons into the neurons they feed")
    pic.add_argument("--max-per-rank", type=_positive_int, help="show at most N neurons per rank (+N more)")
    pic.add_argument("--rankdir", choices=("LR", "RL", "TB", "BT"), default="LR", help="layout direction (LR)")
    pic.set_defaults(run=_render)

    info = commands.add_parser(
        "info",
        help="layered or not, layers or generations, counts",
        description="Describe a saved network: neurons by kind, weights, layers (or generations), depth.",
    )
    info.add_argument("file", help="a saved network (JSON)")
    info.set_defaults(run=_info)

    train = commands.add_parser(
        "train",
        help="train a saved network on a CSV or a built-in data set, and save it",
        description="Train a saved network with ag.train: stochastic gradient descent (one shuffled example "
        "per update by default) on the squared error, the step size of update t being LR / (1 + DECAY·t), "
        "and save the network with the best weights found (and the run's summary as metadata).",
    )
    train.add_argument("file", help="a saved network (JSON)")
    train.add_argument(
        "--data",
        required=True,
        help=f"a built-in data set ({', '.join(DATASETS)}) or a CSV file: one example a row, the input "
        "columns then the output columns, an optional first row of names",
    )
    train.add_argument("-o", "--output", help="where to save the trained network (default: FILE.trained.json)")
    train.add_argument("--epochs", type=_positive_int, default=100, help="passes over the data (default: 100)")
    _step_size_options(train, f"{TRAIN_STEP_SIZE.rate:g}", f"{TRAIN_STEP_SIZE.decay:g}")
    train.add_argument("--batch-size", type=_batch_size, default=1, help="examples per update, or 'full' (default: 1)")
    train.add_argument(
        "--restarts", type=_positive_int, default=1, help="runs from redrawn weights; the best is kept (default: 1)"
    )
    train.add_argument("--seed", type=int, default=0, help="seed of the shuffling and the restarts (default: 0)")
    train.add_argument("--restart", action="store_true", help="redraw the weights from --seed before training")
    train.set_defaults(run=_train)

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
    comp.add_argument("--seeds", type=_positive_int, default=3, help="seeds 0…N−1 per network (default: 3)")
    comp.add_argument("--epochs", type=_positive_int, help="passes over the data (default: the task's)")
    comp.add_argument("--batch-size", type=_batch_size, help="examples per update, or 'full' (default: the task's)")
    comp.add_argument("--optimizer", choices=("sgd", "momentum", "adam"), help="(default: the task's)")
    _step_size_options(comp, "the task's", "the task's, 0 for a constant one")
    comp.add_argument("--loss", help="the loss (default: the task's)")
    comp.add_argument("--data-seed", type=int, default=0, help="seed of the task's data and split (default: 0)")
    comp.add_argument("--out", default="out/compare", help="folder for report.html, figure.png, comparison.json")
    comp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    comp.set_defaults(run=_compare)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 on success).

    Bad input (a missing or malformed file, data that does not fit the
    network, a bad option) gives one line on stderr and a non-zero status.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from autograd_graph import running_example, save
    >>> path = save(running_example(seed=0), Path(tempfile.mkdtemp()) / "net.json")
    >>> main(["info", str(path)])  # doctest: +ELLIPSIS
    /.../net.json: <Network: 9 neurons (1 input, 3 bias, 4 hidden, 1 output), 12 weights, layered>
    neurons      input 1, bias 3, hidden 4, output 1, total 9
    ...
    0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, or a usage mistake already reported
        return stop.code if isinstance(stop.code, int) else 0
    try:
        args.run(args)
    except (AutogradGraphError, OSError, ValueError) as error:
        message = " ".join(str(error).split()) or type(error).__name__
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    return 0
