"""RandWire-style (Xie et al. 2019), at small scale: random wirings against the layered network, same budget.

Xie et al. ("Exploring Randomly Wired Neural Networks for Image Recognition")
wired networks by three random graph models, Erdős–Rényi (ER), Barabási–Albert
(BA) and Watts–Strogatz (WS), and compared them at matched computational
budgets. Here, on sklearn's 8×8 digits:

- the layered baseline 64 → 32 → 10 (tanh, biases: 2,410 weights);
- three random DAGs with the same 64 inputs, 32 hidden neurons, 10 outputs and
  exactly 2,410 weights (ag.matched_random_dag): wired by ER (G(n, p)), BA
  (m edges per new node) and WS (ring of degree k, rewired with p = 0.25),
  each graph oriented by node order, wired anew for every seed, then edges
  added or dropped one at a time until the budget is exact;
- 10 seeds each, Adam (step 0.01), batches of 32, 30 epochs, softmax
  cross-entropy, the statistics of ag.compare (mean ± std, Welch's t-test).

All 40 trainings run at once (ag.compare trains them with ag.train_many).
Prints the table and the tests; writes the report and the figure. About a
minute on two cores.

Run: python examples/randwire.py [OUT_FOLDER]   (needs scikit-learn: pip install -e ".[dev]")
"""

import sys
from pathlib import Path

import autograd_graph as ag
from autograd_graph.comparison import matched_random_dag

SEEDS = 10


def model_parameters(base: ag.Network, n_hidden: int) -> dict[str, dict]:
    """Each model's parameters for about as many random edges as the budget needs (the rest is matched)."""
    n_in, n_out = len(base.inputs), len(base.outputs)
    n = n_in + n_hidden + n_out
    pairs = n * (n - 1) / 2
    usable = n_in * (n_hidden + n_out) + n_hidden * (n_hidden - 1) / 2 + n_hidden * n_out  # pairs the DAG keeps
    edges = (base.n_weights - (n_hidden + n_out)) * pairs / usable  # of the undirected graph, bias edges aside
    k = max(2, 2 * round(edges / n))  # an even ring degree
    return {
        "ER": {"model": "gnp", "p": edges / pairs},
        "BA": {"model": "barabasi_albert", "m": max(1, round(edges / n))},
        "WS": {"model": "watts_strogatz", "k": k, "p": 0.25},
    }


def main(out: Path) -> None:
    task = ag.load_task("digits")
    base = ag.layered([64, 32, 10], activation="tanh", output_activation="identity", seed=0)
    networks = {"layered 64→32→10": base}
    for name, params in model_parameters(base, 32).items():
        networks[f"{name} random DAG"] = lambda seed, p=params: matched_random_dag(base, seed=seed, **p)
    print(f"{task.description}; every network has {base.n_weights:,} weights")
    result = ag.compare(networks, task.X, task.Y, task.X_test, task.Y_test, seeds=SEEDS, loss=task.loss,
                        optimizer="adam", learning_rate=0.01, batch_size=32, epochs=30,
                        title="digits: random wirings at the layered network's budget")  # fmt: skip
    print(result)
    layered = result.names[0]
    print("\nEach random wiring against the layered network:")
    for name in result.names[1:]:
        for metric in ("test_accuracy", "test_loss"):
            print("  ", result.difference(layered, name, metric))
    print("\nThe wirings against each other (test accuracy):")
    wirings = result.names[1:]
    for i, a in enumerate(wirings):
        for b in wirings[i + 1 :]:
            print("  ", result.difference(a, b, "test_accuracy"))
    depths = {row["network"]: row["depth_range"] for row in result.rows()}
    print("\ndepths (edges on the longest path):", ", ".join(f"{k} {v}" for k, v in depths.items()))
    out.mkdir(parents=True, exist_ok=True)
    fig = result.figure()
    fig.savefig(out / "randwire.png", dpi=80)
    print(f"\nwrote {result.report(out / 'randwire.html', fig=fig)} and {out / 'randwire.png'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out"))
