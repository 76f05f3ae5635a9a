"""ag.prune: the amount is exact, every neuron stays valid, and the edges that go are the lowest-scored.

Validity is checked against networkx on the pruned graph, independently of the
library's own reachability: every hidden and output neuron has an input
neuron among its ancestors through non-bias edges, every input and hidden
neuron an output among its descendants.
"""

import math

import networkx as nx
import numpy as np
import pytest

import autograd_graph as ag


class FrozenNetwork(ag.Network):
    """A network exposing ``frozen`` as the training-features work does (a set in the graph's attributes)."""

    @property
    def frozen(self):
        return self._graph.graph.get("frozen", frozenset())

    def freeze(self, edges):
        self._graph.graph["frozen"] = self.frozen | set(edges)


def assert_every_neuron_valid(net):
    G = net.graph
    plain = nx.DiGraph((u, v) for u, v in G.edges if net.kind(u) != "bias")
    plain.add_nodes_from(G)
    inputs, outputs = set(net.inputs), set(net.outputs)
    for n in net.neurons:
        kind = net.kind(n)
        if kind in ("hidden", "output"):
            assert nx.ancestors(plain, n) & inputs, f"no input reaches {n!r}"
        if kind in ("input", "hidden"):
            assert nx.descendants(G, n) & outputs, f"{n!r} reaches no output"
    net.validate()
    assert ag.dead_neurons(net) == {"unreached": [], "unused": []}


def prunable_edges(net, biases=False):
    return [e for e in net.edges if biases or net.kind(e[0]) != "bias"]


NETS = {
    "layered": lambda: ag.layered([10, 12, 8, 3], seed=0),
    "sparse": lambda: ag.layered([10, 12, 8, 6], density=0.6, seed=1),
    "random-dag": lambda: ag.random_dag(40, "gnp", p=0.25, n_inputs=6, n_outputs=3, seed=2),
}


CASES = [(net, scope, amount) for net in ("layered", "sparse") for scope in ("global", "per_layer")
         for amount in (0.2, 0.5)]  # fmt: skip
CASES += [
    ("layered", "per_neuron", 0.5),
    ("sparse", "per_neuron", 0.2),
    ("random-dag", "global", 0.2),
    ("random-dag", "global", 0.5),
    ("random-dag", "per_layer", 0.2),
    ("random-dag", "per_neuron", 0.3),
]


@pytest.mark.parametrize("name, scope, amount", CASES)
def test_amount_exact_and_every_neuron_valid(name, scope, amount):
    net = NETS[name]()
    pruned = ag.prune(net, amount, scope=scope)
    names, group = ag.sparse.edges.edge_groups(net, scope)
    candidates = ag.sparse.edges.prunable(net)
    expected = sum(math.floor(amount * n + 0.5) for n in np.bincount(group[candidates], minlength=len(names)))
    assert net.n_weights - pruned.n_weights == expected
    assert set(pruned.edges) <= set(net.edges)
    assert all(pruned.get_weight(*e) == net.get_weight(*e) for e in pruned.edges)
    assert [e for e in net.edges if net.kind(e[0]) == "bias"] == [e for e in pruned.edges if net.kind(e[0]) == "bias"]
    assert_every_neuron_valid(pruned)


@pytest.mark.parametrize("make", list(NETS.values()), ids=list(NETS))
def test_magnitude_removes_the_smallest_edges_but_those_kept_for_connectivity(make):
    net = make()
    pruned = ag.prune(net, 0.6)
    kept, gone = set(pruned.edges), set(net.edges) - set(pruned.edges)
    largest_gone = max(abs(net.get_weight(*e)) for e in gone)
    G = pruned.graph
    for e in prunable_edges(net):
        if e in kept and abs(net.get_weight(*e)) < largest_gone:
            # kept though smaller than one that went: it is its source's last output or its target's last input
            s, t = e
            inputs = [u for u in G.predecessors(t) if pruned.kind(u) != "bias"]
            assert list(G.successors(s)) == [t] or inputs == [s], e


def test_a_whole_number_of_edges_and_random_pruning_is_seeded():
    net = NETS["layered"]()
    assert net.n_weights - ag.prune(net, 17).n_weights == 17
    a, b = ag.prune(net, 0.3, by="random", seed=5), ag.prune(net, 0.3, by="random", seed=5)
    assert a.edges == b.edges and a.edges != ag.prune(net, 0.3, by="random", seed=6).edges
    assert_every_neuron_valid(a)


def test_own_scores():
    net = NETS["layered"]()
    X = np.random.default_rng(0).normal(size=(20, 10))
    Y = np.random.default_rng(1).normal(size=(20, 3))
    grads = net.backward(net.forward(X), Y)
    saliency = np.abs(net.weights * grads.weights.flat)
    pruned = ag.prune(net, 0.4, by=lambda n: saliency)
    gone = [p for p, e in enumerate(net.edges) if e not in set(pruned.edges)]
    order = np.argsort(saliency[[p for p, e in enumerate(net.edges) if net.kind(e[0]) != "bias"]])
    assert len(gone) == math.floor(0.4 * order.size + 0.5)
    with pytest.raises(ag.PruningError, match="one score per edge"):
        ag.prune(net, 0.4, by=lambda n: np.ones(3))
    with pytest.raises(ag.PruningError, match="must be finite"):
        ag.prune(net, 0.4, by=lambda n: np.full(n.n_weights, np.nan))


def test_biases_prunable_when_asked():
    net = NETS["layered"]()
    n_bias = sum(net.kind(e[0]) == "bias" for e in net.edges)
    pruned = ag.prune(net, 0.5, biases=True)
    assert net.n_weights - pruned.n_weights == math.floor(0.5 * net.n_weights + 0.5)
    assert sum(pruned.kind(e[0]) == "bias" for e in pruned.edges) < n_bias
    assert_every_neuron_valid(pruned)


def test_frozen_edges_are_never_pruned():
    net = FrozenNetwork.from_networkx(ag.layered([6, 8, 2], seed=0).to_networkx())
    weakest = sorted(prunable_edges(net), key=lambda e: abs(net.get_weight(*e)))[:10]
    net.freeze(weakest)
    pruned = ag.prune(net, 0.5)
    assert set(weakest) <= set(pruned.edges)
    n = len(prunable_edges(net)) - len(weakest)
    assert net.n_weights - pruned.n_weights == math.floor(0.5 * n + 0.5)


def test_too_much_is_refused_saying_how_much_can_go():
    net = ag.layered([4, 6, 3], seed=0)
    weights = net.get_weights()
    with pytest.raises(ag.PruningError, match=r"only \d+ can go .*keep_connected=False"):
        ag.prune(net, 0.95)
    assert np.array_equal(net.weights, weights)
    for bad, words in [(1.0, "fraction in"), (-1, "amount=-1"), ("half", "fraction"), (True, "fraction")]:
        with pytest.raises(ag.PruningError, match=words):
            ag.prune(net, bad)
    with pytest.raises(ag.PruningError, match="scope='global'"):
        ag.prune(net, 5, scope="per_layer")
    with pytest.raises(ag.PruningError, match="scope must be"):
        ag.prune(net, 0.5, scope="layer")
    with pytest.raises(ag.PruningError, match="by must be"):
        ag.prune(net, 0.5, by="gradient")


def test_per_neuron_refuses_what_cannot_be():
    net = ag.from_edge_list([("a", "o"), ("b", "o"), ("c", "o"), ("a", "p")], seed=0)  # b, c feed o only
    with pytest.raises(ag.PruningError, match=r"2 of the 3 prunable edges of neuron 'o' .* only 1 can go"):
        ag.prune(net, 0.5, scope="per_neuron")
    assert ag.prune(net, 0.4, scope="per_neuron").edges == [("a", "p"), ("b", "o"), ("c", "o")]


@pytest.mark.filterwarnings("ignore::autograd_graph.UnreachableOutputWarning")  # outputs left computing constants
def test_keep_connected_false_prunes_by_score_alone_and_says_which_neurons_went():
    net = ag.layered([4, 6, 3], seed=0)
    amount = 36
    lowest = sorted(prunable_edges(net), key=lambda e: abs(net.get_weight(*e)))[:amount]
    with pytest.warns(ag.PrunedNeuronsWarning) as caught:
        pruned = ag.prune(net, amount, keep_connected=False)
    assert not set(lowest) & set(pruned.edges)
    message = str(caught[0].message)
    removed = [n for n in net.hidden if n not in pruned]
    assert removed and all(repr(n) in message for n in removed)
    pruned.validate()  # what is left can be evaluated
    assert ag.dead_neurons(pruned)["unused"] == [n for n in pruned.inputs if not list(pruned.graph.successors(n))]


def test_an_output_left_without_inputs_is_refused():
    net = ag.layered([3, 2], bias=False, seed=0)
    with pytest.raises(ag.PruningError, match=r"output neurons \[4\] without any incoming edge"):
        ag.prune(net, 5, keep_connected=False)


def test_dead_neurons_by_hand():
    net = ag.running_example(seed=0)
    assert ag.dead_neurons(net) == {"unreached": [], "unused": []}
    net.disconnect(6, 9)
    net.disconnect(3, 6)
    assert ag.dead_neurons(net) == {"unreached": [], "unused": [3, 6]}
