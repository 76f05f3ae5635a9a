"""``autograd-graph demo``: the running example, forward, backward, the chain rule, training, pictures."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from ..build.running_example import running_example
from ..io.serialization import save
from ..show.explain import explain
from ..show.explorer.explore import explore
from ..show.render import FORMATS, side_by_side
from ..training import InverseTimeDecay, train
from ..training.recorder import Recorder
from .options import PROG, Pictures, output_options, positive_int, say, show_progress

__all__ = ["add", "run"]


def add(commands: Any) -> None:
    """Add the command to the subparsers ``commands``."""
    demo = commands.add_parser(
        "demo",
        help="the running example: forward, backward, the chain rule, training, pictures",
        description="Build the sources' 9-neuron running example, run a forward and a backward pass, print the "
        "chain rule of weight w_6,9 and neuron 4 with their numbers, train briefly on y = sin(3x), and write "
        "pictures (with gradients, with trained weights, layered next to non-layered), the trained network, "
        "and explore.html, a page to step through the passes and the training in a browser.",
    )
    demo.add_argument("--out", default="out", help="folder for the pictures and the network (default: ./out)")
    demo.add_argument("--format", choices=FORMATS, default="svg", help="picture format (default: svg)")
    demo.add_argument("--epochs", type=positive_int, default=150, help="training epochs (default: 150)")
    demo.add_argument("--seed", type=int, default=0, help="seed of the weights and the shuffling (default: 0)")
    output_options(demo)
    demo.set_defaults(run=run)


def run(args: argparse.Namespace) -> None:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    net = running_example(seed=args.seed)
    say(args, f"The running example: {net}")
    say(args, f"layers: {net.layers()}")

    X, Y = np.array([[0.5]]), np.array([[1.0]])  # one example: x_1 = 0.5, target y_9 = 1
    trace = net.forward(X)
    grads = net.backward(trace, Y)
    say(args, f"\nforward and backward at x_1 = 0.5, y_9 = 1: z_9 = {trace.z[9][0]:.4f}, loss ℓ = {grads.loss:.4f}")
    z9, dz9 = trace.z[9][0], grads.z[9][0]
    say(args, f"∂ℓ/∂z_9 = 2 (z_9 − y_9) = 2·({z9:.4f} − 1) = {dz9:.4f}")
    say(args, "the chain rule for one weight:")
    say(args, str(explain(net, trace, grads, (6, 9))))
    say(args, "and for neuron 4, which feeds 6 and 7 (the multivariate chain rule):")
    say(args, str(explain(net, trace, grads, 4)))
    picture = net.to_graphviz(trace, grads, title="after one backward pass (x_1 = 0.5, y_9 = 1)")
    pictures = Pictures()
    written = [pictures.write(picture, out / f"running_example_gradients.{args.format}")]

    data_X = np.linspace(-1.0, 1.0, 41).reshape(-1, 1)  # (41, 1)
    data_Y = np.sin(3 * data_X)
    schedule = InverseTimeDecay(0.5, decay=0.001)
    recorder = Recorder()  # the weights after every epoch, for the explorer page
    recorder.start(net)
    result = train(net, data_X, data_Y, epochs=args.epochs, batch_size=1, learning_rate=schedule, seed=args.seed,
                   callbacks=[recorder], progress=show_progress(args))  # fmt: skip
    say(
        args,
        f"\ntrained on y = sin(3x), {len(data_X)} points, {args.epochs} epochs of per-example SGD "
        f"(step size η_t = 0.5 / (1 + 0.001·t) at update t): loss {result.history.loss[0]:.4f} → {result.loss:.4f}",
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
    record = recorder.best(net)
    written.append(record.save(out / "training_record.json"))
    page = explore(net, data_X, data_Y, record=record, title="the running example, trained on y = sin(3x)")
    written.append(page.save(out / "explore.html"))
    say(args, f"\nwrote to {out}/: " + ", ".join(path.name for path in written),
        f"open {out / 'explore.html'} in a browser to step through the passes and play the training",
        f"try: {PROG} info {out / 'running_example.json'}")  # fmt: skip
