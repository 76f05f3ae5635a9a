"""A worked question: on the digits, with the same number of weights, does wiring matter?

1. Does a randomly wired network beat the layered 64 → 16 → 10 one with the
   same 1,210 weights?
2. Does a network with skip connections train faster?

Four networks, each trained from 10 seeds with the same settings (Adam, step
0.01, batches of 32, 30 epochs, softmax cross-entropy) on scikit-learn's 8×8
digits (1,347 training images, 450 held out):

- layered 64 → 16 → 10 (1,210 weights);
- a random DAG with the same 16 hidden neurons and 1,210 weights, wired anew for each seed;
- skip connections, same budget: 64 → 8 → 10 plus every input → output edge, less 40 random layer edges;
- skip connections, more budget: 64 → 16 → 10 plus every input → output edge (1,850 weights).

Prints the table and the answers with their numbers; writes the HTML report and the figure.
About a minute on two cores.

Run: python examples/compare_digits.py [OUT_FOLDER]   (needs scikit-learn: pip install -e ".[dev]")
"""

import sys
from pathlib import Path

import autograd_graph as ag
from autograd_graph.comparison import load_task, matched_random_dag, matched_skip_network
from autograd_graph.comparison.results import format_value, mean_std, welch

SEEDS = 10


def networks(base: ag.Network) -> dict:
    return {
        "layered 64→16→10": base,
        "random DAG, same budget": lambda seed: matched_random_dag(base, seed=seed),
        "skip connections, same budget": lambda seed: matched_skip_network(base, seed=seed),
        "64→16→10 + skips, more budget": ag.add_skip_connections(base, span=2, seed=0),
    }


def main(out: Path) -> None:
    task = load_task("digits")
    base = task.baseline(seed=0)
    settings = {**task.settings, "epochs": 30}
    print(f"{task.description}; {settings}")
    result = ag.compare(networks(base), task.X, task.Y, task.X_test, task.Y_test, seeds=SEEDS, loss=task.loss,
                        title="digits: does wiring matter at the same budget?", **settings)  # fmt: skip
    print(result)

    layered, random_dag, skips, more = result.names
    print("\n1. Does a randomly wired network beat 64→16→10 at the same budget?")
    for metric in ("test_accuracy", "test_loss"):
        print("  ", result.difference(layered, random_dag, metric))

    print("\n2. Does a network with skip connections train faster?")
    threshold = 0.1
    reach = result.epochs_to_reach(threshold)
    for name in result.names:
        first = [run.history.loss[1] for run in result.runs[name]]
        print(f"   {name}: training loss after 1 epoch {format_value('loss', *mean_std(first))}, "
              f"epochs to reach {threshold}: {format_value('epochs', *mean_std(reach[name]))}")  # fmt: skip
    for name in (skips, more):
        print("  ", welch(f"epochs to training loss {threshold}", layered, reach[layered], name, reach[name]))
        print("  ", result.difference(layered, name, "train_loss"))
        print("  ", result.difference(layered, name, "test_accuracy"))
    if not result.settings["trained together"]:  # together (the default), the 40 trainings share their time
        print("   time per epoch:", ", ".join(f"{row['network']} {1000 * row['seconds_per_epoch_mean']:.1f} ms"
                                              for row in result.rows()))  # fmt: skip

    out.mkdir(parents=True, exist_ok=True)
    fig = result.figure()
    fig.savefig(out / "compare_digits.png", dpi=80)
    print(f"\nwrote {result.report(out / 'compare_digits.html', fig=fig)} and {out / 'compare_digits.png'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out"))
