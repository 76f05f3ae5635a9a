"""SET at small scale (Mocanu et al. 2018): dynamic sparse training against static sparse and dense, same budget.

Mocanu et al. trained sparse MLPs whose wiring evolves (SET: after every
epoch, drop the fraction ζ = 0.3 of each layer's weights closest to zero and
grow as many at random) and found them better than the same sparse networks
with their random wiring fixed, and than dense networks. Here, on sklearn's
8×8 digits, every network has exactly 2,410 weights:

- dense 64 → 32 → 10 (tanh);
- static sparse 64 → 256 → 10: eight times the hidden neurons, each layer's
  edges drawn at random (11% of the pairs), fixed; wired anew for every seed;
- SET: the same sparse networks, rewired after every epoch (ζ = 0.3);
- RigL (Evci et al. 2020): the same, rewired every 100 steps by |∂L/∂w| (α = 0.3, until 75% of training);
- 10 seeds each, Adam (step 0.01), batches of 32, 30 epochs, softmax
  cross-entropy; the statistics of ag.compare (mean ± std, Welch's t-test).

The rewiring callbacks go to their networks only (``per_network``); networks
whose structure changes while they train are trained one after another
(``together=False``). Prints the table and the tests, writes the figure, the
report, the mask over training of one SET network, and a picture of what SET changed in a small network
(the two moons). About a minute on two cores.

Run: python examples/sparse_training.py [OUT_FOLDER]   (needs scikit-learn: pip install -e ".[dev]")
"""

import sys
from pathlib import Path

import autograd_graph as ag

SEEDS = 10
HIDDEN = 256


def dense(seed: int) -> ag.Network:
    return ag.layered([64, 32, 10], activation="tanh", seed=seed)


def sparse(seed: int) -> ag.Network:
    """64 → 256 → 10 with random edges, pruned at random to exactly the dense network's weights."""
    budget = dense(0).n_weights
    net = ag.layered([64, HIDDEN, 10], activation="tanh", density=0.115, seed=seed)
    return ag.prune(net, net.n_weights - budget, by="random", seed=seed)


def small_picture(out: Path) -> None:
    """SET on the two moons, small enough for the full view: what it changed over training, in colours."""
    task = ag.load_task("moons")
    net = ag.layered([2, 10, 10, 1], activation="tanh", output_activation="logistic", density=0.5, seed=0)
    rewire = ag.SET(zeta=0.3, every="epoch")
    ag.train(net, task.X, task.Y, loss=task.loss, **{**task.settings, "epochs": 10}, seed=0, callbacks=[rewire])
    changes = rewire.history.since(0)
    picture = net.to_graphviz(changes=changes, title="SET on the two moons, 10 epochs")
    ag.render(picture, out / "sparse_changes.svg")
    print(f"the moons network: {len(changes.added)} edges added, {len(changes.removed)} removed since epoch 0")


def main(out: Path) -> None:
    task = ag.load_task("digits")
    budget = dense(0).n_weights
    assert sparse(0).n_weights == sparse(1).n_weights == budget
    networks = {"dense 64→32→10": dense, "static sparse 64→256→10": sparse, "SET": sparse, "RigL": sparse}
    rewire = ag.SET(zeta=0.3, every="epoch")
    rigl = ag.RigL(alpha=0.3, every=100, until=0.75)
    print(f"{task.description}; every network has {budget:,} weights")
    result = ag.compare(networks, task.X, task.Y, task.X_test, task.Y_test, seeds=SEEDS, loss=task.loss,
                        optimizer="adam", learning_rate=0.01, batch_size=32, epochs=30, together=False,
                        per_network={"SET": {"callbacks": [rewire]}, "RigL": {"callbacks": [rigl]}},
                        title="digits: dynamic sparse training at the dense network's budget")  # fmt: skip
    print(result)
    print("\nPairs (the difference is the first minus the second; 95% interval, Welch's t-test):")
    for a, b in [("SET", "static sparse 64→256→10"), ("SET", "dense 64→32→10"), ("RigL", "static sparse 64→256→10"),
                 ("static sparse 64→256→10", "dense 64→32→10"), ("SET", "RigL")]:  # fmt: skip
        for metric in ("test_accuracy", "test_loss"):
            print("  " + str(result.difference(b, a, metric)))
    first = sparse(0)
    rewirable = sum(first.kind(s) != "bias" for s, _ in first.edges)  # the edges SET may replace
    new = [len(h.since(0).added) / rewirable for h in rewire.histories]
    grown = [sum(row["added"] for row in h.table()) for h in rewire.histories]
    print(
        f"\nSET: {len(rewire.history.updates())} updates per training, {sum(grown) / len(grown):,.0f} edges grown in "
        f"all; {sum(new) / len(new):.0%} of the final non-bias edges were not there at the start (means over seeds)"
    )
    out.mkdir(parents=True, exist_ok=True)
    result.figure().savefig(out / "sparse_study.png", dpi=90)
    result.report(out / "sparse_study.html")
    # what SET did in the last training (seed 9): the mask over training, the inputs it grew edges from
    net = result.runs["SET"][-1].network
    history = rewire.history
    degree_then = {i: sum(s == i for s, _ in history.edges_at(0)) for i in net.inputs}
    degree_now = {i: sum(s == i for s, _ in net.edges) for i in net.inputs}
    top = sorted(net.inputs, key=degree_now.get, reverse=True)[:4]
    lit = {i: float((task.X[:, net.inputs.index(i)] > 0).mean()) for i in top}
    print("inputs feeding most hidden neurons after SET (last seed): "
          + ", ".join(f"pixel {i - 1}: {degree_then[i]} → {degree_now[i]} edges (lit in {lit[i]:.0%} of images)"
                      for i in top))  # fmt: skip
    ag.plot_weights(net, masks=history.masks([0, 1, 10, 29]), height=3.2).savefig(out / "sparse_masks.png", dpi=90)
    small_picture(out)
    print(f"wrote {out}/sparse_study.png, sparse_study.html, sparse_masks.png, sparse_changes.svg")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out/sparse_training"))
