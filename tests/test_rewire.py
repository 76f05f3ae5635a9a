"""net.rewire: a bulk change of structure equals the same edges removed and added one by one.

The reference is the network's own edge-by-edge API (``disconnect`` then
``connect``), and a network built from scratch (``from_networkx``) with the
resulting edges and weights: same edges in the same order, same weights, same
description (``indexed()``: source, target and generation arrays) and the same
passes. Errors leave the network as it was.
"""

import networkx as nx
import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.rewiring import Change
from autograd_graph.topology import index_graph


def random_change(net, rng, k):
    """``k`` edges to remove (not bias edges, leaving every neuron fed) and ``k`` new edges in a topological order."""
    order = {n: i for i, gen in enumerate(net.generations()) for n in gen}
    edges = net.edges
    removable = [e for e in edges if net.kind(e[0]) != "bias"]
    remove = [removable[i] for i in rng.choice(len(removable), k, replace=False)]
    G = net.graph
    sources = [n for n in net.neurons if net.kind(n) in ("input", "hidden")]
    targets = [n for n in net.neurons if net.kind(n) in ("hidden", "output")]
    add, seen = [], set(edges)
    while len(add) < k:
        s, t = sources[rng.integers(len(sources))], targets[rng.integers(len(targets))]
        if order[s] < order[t] and (s, t) not in seen and not G.has_edge(s, t):
            seen.add((s, t))
            add.append((s, t, float(rng.normal())))
    return remove, add


def nets():
    yield ag.running_example(seed=0)
    yield ag.layered([5, 8, 6, 3], density=0.5, seed=1)
    yield ag.random_dag(30, "gnp", p=0.2, n_inputs=4, n_outputs=2, seed=2)


@pytest.mark.parametrize("net", list(nets()), ids=["running", "sparse-layered", "random-dag"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rewire_equals_disconnect_then_connect(net, seed):
    rng = np.random.default_rng(seed)
    k = max(1, net.n_weights // 5)
    remove, add = random_change(net, rng, k)
    one_by_one, bulk = net.copy(), net.copy()
    before = dict(zip(net.edges, net.weights.tolist(), strict=True))
    for edge in remove:
        one_by_one.disconnect(*edge)
    for s, t, w in add:
        one_by_one.connect(s, t, weight=w)
    source = bulk.rewire(remove=remove, add=add)
    assert bulk.edges == one_by_one.edges == list(bulk.graph.edges)
    assert np.array_equal(bulk.weights, one_by_one.weights)
    # the position map: kept edges point at their old place, added ones at -1
    old = {e: p for p, e in enumerate(net.edges)}
    assert source.tolist() == [old.get(e, -1) for e in bulk.edges]
    assert all(bulk.get_weight(*e) == before[e] for e in bulk.edges if e in before)
    # the description made from the old arrays equals one indexed from scratch
    fresh = index_graph(bulk.graph, bulk.edges)
    ix = bulk.indexed()
    for name in ("src", "dst", "generation"):
        assert np.array_equal(getattr(ix, name), getattr(fresh, name)), name
    assert ix.nodes == fresh.nodes and dict(ix.positions) == dict(fresh.positions)
    # and the passes equal those of the same network built from networkx
    rebuilt = ag.Network.from_networkx(bulk.to_networkx())
    assert rebuilt.edges == bulk.edges
    X = rng.normal(size=(7, len(net.inputs)))
    Y = rng.normal(size=(7, len(net.outputs)))
    a, b = bulk.backward(bulk.forward(X), Y), rebuilt.backward(rebuilt.forward(X), Y)
    assert np.allclose(a.weights.flat, b.weights.flat, rtol=0, atol=1e-12)
    ref = bulk.backward(bulk.forward(X, engine="reference"), Y)
    assert np.allclose(a.weights.flat, ref.weights.flat, rtol=0, atol=1e-12)


def test_rewire_draws_missing_weights_like_connect():
    net = ag.running_example(seed=0)
    twin = net.copy()
    net.rewire(add=[(3, 7)])
    twin.connect(3, 7)
    assert net.edges == twin.edges and np.array_equal(net.weights, twin.weights)


def test_rewire_keeps_weight_token_semantics():
    net = ag.running_example(seed=0)
    trace = net.forward([[0.5]])
    net.rewire(remove=[(4, 7)], add=[(3, 7, 0.1)])
    with pytest.raises(ag.StaleTraceError):
        net.backward(trace, [[1.0]])
    assert np.array_equal(net.rewire(), np.arange(net.n_weights))  # nothing to do: nothing changes


@pytest.mark.parametrize(
    "remove, add, error, words",
    [
        ([(3, 7)], [], ag.UnknownEdgeError, "3 → 7"),
        ([(4, 7), (4, 7)], [], ag.DuplicateEdgeError, "removed twice"),
        ([], [(3, 7), (3, 7)], ag.DuplicateEdgeError, "added twice"),
        ([], [(3, 6)], ag.DuplicateEdgeError, "already exists"),
        ([(4, 7)], [(4, 7)], ag.DuplicateEdgeError, "both removed and added"),
        ([], [(3, 3)], ag.InvalidEdgeError, "self-loop"),
        ([], [(3, 2)], ag.InvalidEdgeError, "bias neuron 2"),
        ([], [(9, 3)], ag.CycleError, "9"),
        ([], [("nope", 3)], ag.UnknownNeuronError, "'nope'"),
        ([], [(3, 7, float("nan"))], ag.InvalidWeightError, "finite"),
        ([(4, 7)], [(6, 3)], ag.CycleError, "cycle 6 → 3 → 6|cycle 3 → 6 → 3"),
    ],
)
def test_bad_rewires_change_nothing(remove, add, error, words):
    net = ag.running_example(seed=0)
    edges, weights, versions = net.edges, net.get_weights(), net.versions
    with pytest.raises(error, match=words):
        net.rewire(remove=remove, add=add)
    assert net.edges == edges and np.array_equal(net.weights, weights) and net.versions == versions
    assert list(net.graph.edges) == edges


def test_cycle_error_names_a_cycle_the_change_closes():
    net = ag.from_edge_list([("a", "b"), ("b", "c"), ("a", "c")])
    net.add_neuron("h")
    net.connect("a", "h")
    net.connect("h", "c")
    with pytest.raises(ag.CycleError) as caught:
        net.rewire(add=[("h", "b"), ("b", "h")])
    cycle = caught.value.cycle
    assert {cycle[0][0], cycle[0][1]} == {"h", "b"} and nx.is_directed_acyclic_graph(net.graph)


def test_apply_change_by_indices():
    net = ag.running_example(seed=0)
    ix = net.indexed()
    index = {n: i for i, n in enumerate(ix.nodes)}
    change = Change(np.array([net.edges.index((4, 7))]), np.array([index[3]]), np.array([index[7]]), np.array([0.5]))
    source = net.apply_change(change)
    assert (3, 7) in net.edges and (4, 7) not in net.edges and net.get_weight(3, 7) == 0.5
    assert int(source[net.edges.index((3, 7))]) == -1
    with pytest.raises(ag.UnknownEdgeError, match="position 99"):
        net.apply_change(Change(np.array([99]), np.zeros(0, int), np.zeros(0, int), np.zeros(0)))


def test_optimizer_state_follows_the_edges():
    for opt in (ag.Momentum(0.1), ag.Adam(0.01)):
        opt.reset(3)
        for name in opt.state_names:
            setattr(opt, name, np.array([1.0, 2.0, 3.0]))
        opt.remap(np.array([-1, 2, 0, -1]))
        for name in opt.state_names:
            assert getattr(opt, name).tolist() == [0.0, 3.0, 1.0, 0.0]


@pytest.mark.parametrize("net", list(nets()), ids=["running", "sparse-layered", "random-dag"])
def test_a_network_read_from_arrays_rewires_without_building_its_graph(net):
    rng = np.random.default_rng(5)
    remove, add = random_change(net, rng, max(1, net.n_weights // 5))
    lazy = ag.Network.from_networkx(net.to_networkx())  # keeps its edges as index arrays
    assert lazy._nx is None
    one_by_one = net.copy()
    for edge in remove:
        one_by_one.disconnect(*edge)
    for s, t, w in add:
        one_by_one.connect(s, t, weight=w)
    lazy.rewire(remove=remove, add=add)
    assert lazy._nx is None  # no networkx graph built for the change
    assert lazy.edges == one_by_one.edges and np.array_equal(lazy.weights, one_by_one.weights)
    assert all(lazy.get_weight(s, t) == w for s, t, w in add)
    X, Y = rng.normal(size=(5, len(net.inputs))), rng.normal(size=(5, len(net.outputs)))
    got, want = lazy.backward(lazy.forward(X), Y), one_by_one.backward(one_by_one.forward(X), Y)
    assert np.array_equal(got.weights.flat, want.weights.flat)
    assert list(lazy.graph.edges) == lazy.edges  # the graph, built now, is of the new edges
    lazy.connect(*remove[0], weight=0.5)  # and edge by edge after it (an edge of the original order: no cycle)
    assert lazy.get_weight(*remove[0]) == 0.5 and lazy.n_weights == one_by_one.n_weights + 1
