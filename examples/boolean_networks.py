"""Any boolean function with one hidden layer of step neurons; McCulloch–Pitts gates; a perceptron.

Run: python examples/boolean_networks.py
"""

import autograd_graph as ag
from autograd_graph.build.boolean import all_inputs


def show(name: str, net: ag.Network, n: int) -> None:
    outputs = net.forward(all_inputs(n)).output[:, 0].astype(int)
    print(f"{name:<24} hidden neurons: {len(net.hidden):>2}   outputs on 0…0 … 1…1: {''.join(map(str, outputs))}")


def main() -> None:
    show("XOR", ag.from_predicate(lambda a, b: a != b, 2), 2)
    show("majority of 5", ag.from_predicate(lambda *x: sum(x) >= 3, 5), 5)
    show("parity of 4", ag.from_predicate(lambda *x: sum(x) % 2, 4), 4)
    show("OR of 3 (one 0-row)", ag.from_truth_table([0, 1, 1, 1, 1, 1, 1, 1]), 3)
    show("AND neuron (n=3)", ag.and_neuron(3), 3)
    show("OR neuron (n=3)", ag.or_neuron(3), 3)
    show("NOT neuron", ag.not_neuron(), 1)
    show("perceptron 2x1 − x2 ≥ 1", ag.perceptron([2.0, -1.0], bias=-1.0), 2)
    xor = ag.from_predicate(lambda a, b: a != b, 2)
    print("XOR's weights:", {f"{u}→{v}": float(w) for (u, v), w in zip(xor.edges, xor.weights, strict=True)})


if __name__ == "__main__":
    main()
