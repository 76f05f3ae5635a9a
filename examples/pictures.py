"""A big network in every view: compact, overview, a neuron's neighbourhood (full view), the weight matrix.

A randomly wired network (Watts–Strogatz, 300 neurons, 198 generations deep)
after one forward and backward pass. Writes four pictures to the folder
given (default ``out/pictures``); the README shows them.

Run: python examples/pictures.py [FOLDER]
"""

import sys
import time
from pathlib import Path

import numpy as np

import autograd_graph as ag


def main(folder: Path) -> None:
    net = ag.random_dag(300, "watts_strogatz", k=4, p=0.25, n_inputs=8, n_outputs=4, seed=0)
    rng = np.random.default_rng(0)
    trace = net.forward(rng.uniform(-1, 1, (1, len(net.inputs))))
    grads = net.backward(trace, rng.uniform(-1, 1, (1, len(net.outputs))))
    print(net, f"depth {net.depth()}; to_graphviz() picks the {net.to_graphviz().view} view")
    pictures = {
        "big_compact.svg": net.to_graphviz(trace, grads, view="compact", tooltips=False),
        "big_overview.svg": net.to_graphviz(trace, grads, view="overview", tooltips=False),
        "big_neighborhood.svg": ag.neighborhood(net, 150, trace=trace, grads=grads, tooltips=False),
    }
    for name, picture in pictures.items():
        start = time.perf_counter()
        path = ag.render(picture, folder / name)
        seconds = time.perf_counter() - start
        print(f"wrote {path} ({picture.view} view, {path.stat().st_size // 1024} KiB, {seconds:.2f} s)")
    figure = ag.plot_weights(net, grads, width=4.6, height=3.6)
    figure.savefig(folder / "big_weights.png", dpi=72)
    print(f"wrote {folder / 'big_weights.png'}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "out/pictures"))
