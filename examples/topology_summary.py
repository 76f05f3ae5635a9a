"""A topology summary of a layered, a DenseNet-style and a randomly wired network.

Run: python examples/topology_summary.py
"""

import autograd_graph as ag


def main() -> None:
    for name, net in [
        ("layered 8-6-6-2", ag.layered([8, 6, 6, 2], seed=0)),
        ("DenseNet-style 8-6-6-2", ag.densenet([8, 6, 6, 2], seed=0)),
        (
            "Watts–Strogatz, 22 neurons",
            ag.random_dag(22, "watts_strogatz", k=4, p=0.3, n_inputs=8, n_outputs=2, seed=0),
        ),
    ]:
        print(f"== {name}")
        ag.print_summary(net)
        print()


if __name__ == "__main__":
    main()
