"""Randomly wired networks from networkx random graphs, oriented by node order.

Run: python examples/random_dags.py
"""

import autograd_graph as ag

MODELS = {
    "gnp": {"p": 0.1},
    "gnm": {"m": 120},
    "watts_strogatz": {"k": 4, "p": 0.25},
    "barabasi_albert": {"m": 2},
}


def main() -> None:
    print(f"{'model':<16}{'weights':>8}{'depth':>7}{'skip edges':>12}  width per generation")
    for model, params in MODELS.items():
        net = ag.random_dag(60, model, n_inputs=8, n_outputs=4, seed=0, **params)
        info = ag.summary(net)
        print(f"{model:<16}{info['edges']:>8}{info['depth']:>7}{info['skip_edges']:>12}  {info['width']}")
    first, again = (ag.random_dag(60, "gnp", p=0.1, n_inputs=8, n_outputs=4, seed=0) for _ in range(2))
    print("same seed, same graph:", first.edges == again.edges)


if __name__ == "__main__":
    main()
