"""The sweet spot of You et al. (2020), at small scale: accuracy over clustering C and path length L.

You et al. ("Graph Structure of Neural Networks") built MLPs whose layers
exchange messages along a *relational graph* (ag.relational_mlp), trained
3,942 of them on CIFAR-10, and found that the clustering coefficient C and
the average path length L of the graph predict accuracy, best in a middle
region (C ≈ 0.1–0.5, L ≈ 1.8–2.75). Here, at laptop scale:

- relational graphs: WS-flex graphs (ag.ws_flex) of 16 nodes, one per cell of
  a grid over C ∈ [0, 0.7] and L ∈ [1, 4] (ag.relational_graphs), at least 50;
- each one an MLP 64 → 3 hidden layers → 10 on sklearn's 8×8 digits, its width
  chosen so that it has about as many weights as the complete graph's MLP
  (You et al. match their networks' cost the same way), ReLU, biases;
- 3 seeds each, Adam (step 0.005), batches of 64, 20 epochs, softmax cross-entropy;
- the complete graph (the plain MLP, width 32) as the baseline, with Welch's t-test.

All trainings run through ag.sweep (groups of networks trained at once by
ag.train_many); the rows go to OUT/sweet_spot.jsonl as they finish, so an
interrupted run resumes. Writes the heatmap and the report. A few minutes on
two cores (add n_jobs=2 to the sweep call to use both).

Run: python examples/sweet_spot.py [OUT_FOLDER]   (needs scikit-learn: pip install -e ".[dev]")
"""

import sys
from pathlib import Path

import networkx as nx
import numpy as np

import autograd_graph as ag
from autograd_graph.build.relational import node_sizes
from autograd_graph.comparison.sweep import GridBuilder

NODES, LAYERS, BASE_WIDTH, SEEDS = 16, 2, 32, 3


def n_weights(G: nx.Graph, width: int, n_inputs: int, n_outputs: int) -> int:
    """The weights of relational_mlp(G, width, LAYERS, ...), counted without building it."""
    sizes = node_sizes(width, G.number_of_nodes())
    talks = nx.to_numpy_array(G, weight=None) + np.eye(G.number_of_nodes())  # a node's own neurons too
    per_layer = int(sizes @ talks @ sizes) + width  # neuron pairs of talking nodes, and the bias edges
    return n_inputs * width + width + LAYERS * per_layer + width * n_outputs + n_outputs


def matched_width(G: nx.Graph, budget: int, n_inputs: int, n_outputs: int) -> int:
    """The width whose relational MLP has the number of weights closest to ``budget``."""
    widths = range(G.number_of_nodes(), 4 * BASE_WIDTH + 1)
    counts = np.array([n_weights(G, w, n_inputs, n_outputs) for w in widths])
    return widths[int(np.argmin(np.abs(counts - budget)))]


def relational(seed: int, graph: nx.Graph, width: int) -> ag.Network:
    return ag.relational_mlp(graph, width, LAYERS, 64, 10, seed=seed)


def main(out: Path) -> None:
    task = ag.load_task("digits")
    complete = nx.complete_graph(NODES)
    budget = ag.relational_mlp(complete, BASE_WIDTH, LAYERS, 64, 10).n_weights
    chosen = ag.relational_graphs(NODES, clustering_bins=np.linspace(0, 0.7, 11), path_bins=np.linspace(1, 4, 9))
    networks = {"complete graph": (GridBuilder(relational, {"graph": complete, "width": BASE_WIDTH}),
                                   {"k": NODES - 1, "p": 0.0, "width": BASE_WIDTH})}  # fmt: skip
    for g in chosen:
        width = matched_width(g["graph"], budget, 64, 10)
        assert ag.relational_mlp(g["graph"], width, LAYERS, 64, 10).n_weights == n_weights(g["graph"], width, 64, 10)
        params = {"k": float(g["k"]), "p": float(g["p"]), "width": width}
        networks[f"k={g['k']:.2f}, p={g['p']:.3f}, seed {g['seed']}"] = (
            GridBuilder(relational, {"graph": g["graph"], "width": width}),
            params,
        )
    print(f"{len(chosen)} WS-flex graphs of {NODES} nodes, each an MLP of about {budget:,} weights; {SEEDS} seeds each")
    out.mkdir(parents=True, exist_ok=True)
    result = ag.sweep(networks, task=task, seeds=SEEDS, path=out / "sweet_spot.jsonl", title="digits: the sweet spot",
                      optimizer="adam", learning_rate=0.005, batch_size=64, epochs=20, progress=True)  # fmt: skip
    summary = {e["network"]: e for e in result.summary()}
    base = summary["complete graph"]
    print(f"complete graph: test accuracy {100 * base['test_accuracy_mean']:.2f} ± "
          f"{100 * base['test_accuracy_std']:.2f}% (95% interval {100 * base['test_accuracy_low']:.2f} to "
          f"{100 * base['test_accuracy_high']:.2f})")  # fmt: skip
    ranked = sorted((e for e in summary.values() if e["network"] != "complete graph"),
                    key=lambda e: -e["test_accuracy_mean"])  # fmt: skip
    print("best five graphs:")
    for e in ranked[:5]:
        d = result.difference("complete graph", e["network"], "test_accuracy")
        print(f"  C {e['relational_clustering']:.2f}, L {e['relational_path_length']:.2f} ({e['network']}, width "
              f"{e['width']}): {100 * e['test_accuracy_mean']:.2f} ± {100 * e['test_accuracy_std']:.2f}%, vs complete "
              f"{100 * d.delta:+.2f} points (p = {d.p_value:.2g})")  # fmt: skip
    e = ranked[-1]
    print(
        f"worst: C {e['relational_clustering']:.2f}, L {e['relational_path_length']:.2f}: "
        f"{100 * e['test_accuracy_mean']:.2f}%"
    )
    better = [d for d in result.compare_to("complete graph", "test_accuracy") if d.significant and d.delta > 0]
    worse = [d for d in result.compare_to("complete graph", "test_accuracy") if d.significant and d.delta < 0]
    print(
        f"significantly better than the complete graph (p < 0.05): {len(better)} of {len(ranked)}; "
        f"significantly worse: {len(worse)}"
    )
    for name, (lo, hi), (llo, lhi) in [("sweet spot", (0.1, 0.5), (1.8, 2.75))]:
        inside = [
            e for e in ranked if lo <= e["relational_clustering"] <= hi and llo <= e["relational_path_length"] <= lhi
        ]
        outside = [e for e in ranked if e not in inside]
        mean_in = np.mean([e["test_accuracy_mean"] for e in inside]) if inside else float("nan")
        mean_out = np.mean([e["test_accuracy_mean"] for e in outside]) if outside else float("nan")
        print(
            f"You et al.'s {name} (C {lo}–{hi}, L {llo}–{lhi}): {len(inside)} graphs, mean test accuracy "
            f"{100 * mean_in:.2f}% vs {100 * mean_out:.2f}% for the {len(outside)} others"
        )
    fig = result.plot("relational_clustering", "relational_path_length", "test_accuracy", bins=6,
                      baseline="complete graph")  # fmt: skip
    fig.savefig(out / "sweet_spot.png", dpi=80)
    page = result.report(out / "sweet_spot.html", x="relational_clustering", y="relational_path_length",
                         baseline="complete graph", fig=fig)  # fmt: skip
    print(f"wrote {page}, {out / 'sweet_spot.png'} and {out / 'sweet_spot.jsonl'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out"))
