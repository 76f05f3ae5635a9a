"""Networks from edge arrays, and networks that build their nx.DiGraph only when asked: the same
networks, passes and files as from_networkx of the same graph, and every bad input named."""

import copy
import pickle
import warnings

import networkx as nx
import numpy as np
import pytest
from helpers import graph_state

import autograd_graph as ag
from autograd_graph import indexed
from autograd_graph.edgeviews import EdgeList, EdgePositions, NodeIndex


def random_arrays(seed: int = 0, n: int = 40, extra: int = 90):
    """A random DAG as arrays: 4 inputs, a bias, 3 outputs; edges in random order, some weights NaN."""
    rng = np.random.default_rng(seed)
    kinds = ["input"] * 4 + ["bias"] + ["hidden"] * (n - 8) + ["output"] * 3
    targets = np.arange(5, n)
    src = [rng.integers(0, t) for t in targets]  # every neuron fed
    src = [s if s != 4 else 0 for s in src]
    pairs = {(int(s), int(t)) for s, t in zip(src, targets, strict=True)} | {(4, int(t)) for t in targets[::2]}
    while len(pairs) < len(targets) + extra:
        t = int(rng.integers(5, n))
        pairs.add((int(rng.integers(0, t)), t))
    pairs = [p for p in pairs if p[1] >= 5]
    order = rng.permutation(len(pairs))
    S = np.array([pairs[i][0] for i in order])
    T = np.array([pairs[i][1] for i in order])
    W = rng.uniform(-1, 1, S.size)
    W[::7] = np.nan
    acts = [None] * 5 + [["tanh", "relu", "logistic"][j % 3] for j in range(n - 8)] + ["identity"] * 3
    return S, T, W, kinds, acts


def same_graph(S, T, W, kinds, acts, nodes=None):
    """The nx.DiGraph from_networkx reads as the same network: nodes in order, then edges in order."""
    nodes = list(range(len(kinds))) if nodes is None else nodes
    G = nx.DiGraph()
    for node, kind, act in zip(nodes, kinds, acts, strict=True):
        G.add_node(node, kind=kind, **({} if act is None else {"activation": act}))
    for s, t, w in zip(S.tolist(), T.tolist(), W.tolist(), strict=True):
        G.add_edge(nodes[s], nodes[t], **({} if np.isnan(w) else {"weight": w}))
    return G


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_from_arrays_is_from_networkx_of_the_same_graph(seed):
    S, T, W, kinds, acts = random_arrays(seed)
    net = ag.Network.from_arrays(S, T, W, kinds=kinds, activations=acts, seed=seed)
    twin = ag.Network.from_networkx(same_graph(S, T, W, kinds, acts), seed=seed)
    assert graph_state(net) == graph_state(twin)  # neurons, kinds, activations, edges in order, weights
    assert net.inputs == twin.inputs and net.outputs == twin.outputs and net.generations() == twin.generations()
    X = np.random.default_rng(seed).uniform(-1, 1, (6, 4))
    Y = np.random.default_rng(seed + 1).uniform(-1, 1, (6, 3))
    g, h = net.backward(net.forward(X), Y), twin.backward(twin.forward(X), Y)
    np.testing.assert_array_equal(g.weights.flat, h.weights.flat)
    np.testing.assert_array_equal(g.z.array, h.z.array)
    assert repr(net) == repr(twin)


def test_id_arrays_neurons_in_order_of_first_appearance_or_as_given():
    net = ag.Network.from_arrays(["x", "x", "h"], ["h", "y", "y"], [1.0, 2.0, 3.0])
    assert net.neurons == ["x", "h", "y"] and (net.inputs, net.hidden, net.outputs) == (["x"], ["h"], ["y"])
    assert net.get_weight("h", "y") == 3.0
    given = ag.Network.from_arrays(["x", "x", "h"], ["h", "y", "y"], neurons=["y", "h", "x"])
    assert given.neurons == ["y", "h", "x"] and given.edges == [("h", "y"), ("x", "h"), ("x", "y")]
    indices = ag.Network.from_arrays(np.array([2, 2, 1]), np.array([1, 0, 0]), neurons=["y", "h", "x"])
    assert indices.edges == given.edges


def test_edges_are_grouped_by_source_in_node_order_keeping_the_given_order_within_a_source():
    net = ag.Network.from_arrays([1, 0, 1, 0], [3, 3, 2, 2], [1.0, 2.0, 3.0, 4.0],
                                 kinds=["input", "input", "hidden", "output"])  # fmt: skip
    assert net.edges == [(0, 3), (0, 2), (1, 3), (1, 2)]
    assert net.weights.tolist() == [2.0, 4.0, 1.0, 3.0]


def test_a_network_from_arrays_trains_without_ever_building_its_graph():
    S, T, W, kinds, acts = random_arrays(3)
    net = ag.Network.from_arrays(S, T, W, kinds=kinds, activations=acts, seed=0)
    X = np.random.default_rng(0).uniform(-1, 1, (20, 4))
    ag.train(net, X, X[:, :3], epochs=2, batch_size=5, progress=False, seed=0)
    grads = net.backward(net.forward(X), X[:, :3])
    edge = net.edges[5]
    assert grads.weights[edge] == grads.weights.flat[5] and net.get_weight(*edge) == net.weights[5]
    net.set_weights({edge: 0.25})
    _ = (net.neurons, net.inputs, net.kind(7), net.activation(7), 7 in net, len(net), net.depth(), net.n_weights)
    assert net._nx is None  # nothing above needed the nx.DiGraph
    assert isinstance(net._weights.edges, EdgeList)
    copied, pickled = net.copy(), pickle.loads(pickle.dumps(net))
    assert copied._nx is None and pickled._nx is None
    assert graph_state(copied) == graph_state(pickled) == graph_state(net)
    assert copy.deepcopy(net).get_weight(*edge) == 0.25


def test_the_graph_built_on_demand_is_the_graph_and_changes_work_after_it():
    S, T, W, kinds, acts = random_arrays(4)
    net = ag.Network.from_arrays(S, T, W, kinds=kinds, activations=acts, seed=0)
    twin = ag.Network.from_networkx(same_graph(S, T, W, kinds, acts), seed=0)
    twin._graph  # noqa: B018 - built the way every network before this change kept it
    G, H = net.graph, twin.graph
    assert list(G.nodes(data=True)) == list(H.nodes(data=True)) and list(G.edges) == list(H.edges)
    assert net.is_layered() == twin.is_layered()
    for n in (net, twin):
        n.add_neuron("new", "tanh")
        n.connect(0, "new", weight=0.5)
        n.connect("new", n.outputs[0], weight=-0.5)
        n.disconnect(*n.edges[0])
    assert graph_state(net) == graph_state(twin)
    X = np.ones((2, 4))
    np.testing.assert_array_equal(net.forward(X).output, twin.forward(X).output)


def test_from_networkx_keeps_no_graph_and_reads_the_same():
    G = ag.running_example(seed=0).to_networkx()
    net = ag.Network.from_networkx(G)
    assert net._nx is None
    assert graph_state(net) == graph_state(ag.running_example(seed=0))
    assert nx.utils.graphs_equal(net.to_networkx(), G)


def test_default_kinds_and_drawn_weights_follow_from_networkx():
    S, T = np.array([0, 0, 1, 2]), np.array([1, 2, 3, 3])
    net = ag.Network.from_arrays(S, T, seed=5, hidden_activation="tanh")
    twin = ag.Network.from_networkx(nx.DiGraph(list(zip(S.tolist(), T.tolist(), strict=True))), seed=5,
                                    hidden_activation="tanh")  # fmt: skip
    assert graph_state(net) == graph_state(twin) and net.inputs == [0] and net.outputs == [3]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (([0, 1], [1]), {}, ag.ShapeError, "1-D arrays of one length"),
        (([0, 5], [1, 2]), {"kinds": ["input", "hidden", "output"]}, ag.InvalidEdgeError, "edge 1: source index 5"),
        (([0, -1], [1, 2]), {}, ag.InvalidEdgeError, "source index -1"),
        (([0, 1], [1, 1]), {}, ag.InvalidEdgeError, "1 → 1 is a self-loop"),
        (([0, 1], [1, 0]), {"kinds": ["input", "output"]}, ag.InvalidEdgeError, "heads into input neuron 0"),
        (([0, 0], [1, 1]), {}, ag.DuplicateEdgeError, "edge 0 → 1 is given twice"),
        (
            ([0, 1, 2, 3], [1, 2, 1, 4]),
            {"kinds": ["input", "hidden", "hidden", "hidden", "output"]},
            ag.CycleError,
            "cycle 1 → 2 → 1",
        ),
        (([0], [1]), {"kinds": ["input", "outptu"]}, ag.NetworkStructureError, "neuron 1 has kind 'outptu'"),
        (([0], [1]), {"neurons": ["a", "b"], "kinds": ["input"]}, ag.ShapeError, "kinds has 1 entries for 2 neurons"),
        (([0], [1]), {"kinds": ["input"]}, ag.InvalidEdgeError, "target index 1 is not a neuron"),
        (([0], [1]), {"activations": [None, "sigmoidal"]}, ag.UnknownActivationError, "neuron 1: unknown"),
        (([0], [1], [np.inf]), {}, ag.InvalidWeightError, "0 → 1 must be finite"),
        (([0], [1], [1.0, 2.0]), {}, ag.ShapeError, r"expected \(1,\), one per edge"),
        ((["a"], ["b"]), {"neurons": ["a"]}, ag.UnknownNeuronError, "'b' is not among the neurons"),
        (([0], [1]), {"neurons": ["a", "a"]}, ag.DuplicateNeuronError, "'a' is given twice"),
        (([0], [1]), {"kinds": {"x": "input"}}, ag.UnknownNeuronError, "kinds: 'x' is not a neuron"),
        (([0, 2], [1, 1]), {"kinds": ["input", "output", "hidden"]}, ag.IncompleteNetworkError, "hidden neuron 2"),
    ],
)
def test_bad_arrays_are_named(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        ag.Network.from_arrays(*args, **kwargs)


def test_an_unreachable_output_warns_once_at_construction():
    with pytest.warns(ag.UnreachableOutputWarning, match="\\[3\\]"):
        net = ag.Network.from_arrays([0, 2], [1, 3], kinds=["input", "output", "bias", "output"], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.forward([[1.0]])  # validated already


def test_node_index_finds_ids_as_a_dict_of_ints_would():
    plain = NodeIndex(range(5))
    assert plain.plain and [plain.index(k) for k in (3, np.int64(3), 3.0, True)] == [3, 3, 3, 1]
    for absent in (5, -1, 2.5, "2", None, float("nan"), float("inf"), (1,)):
        assert absent not in plain
    named = NodeIndex(["a", ("t", 1)])
    assert named.index(("t", 1)) == 1 and [] not in named and "c" not in named


def test_edge_views_are_a_list_and_a_dict_without_the_tuples():
    nodes = NodeIndex(["a", "b", "c", "d"])
    src, dst = np.array([0, 0, 1, 3]), np.array([1, 2, 2, 2])
    edges, want = EdgeList(nodes, src, dst), [("a", "b"), ("a", "c"), ("b", "c"), ("d", "c")]
    assert list(edges) == want and edges == want and edges[1:3] == want[1:3] and edges[-1] == want[-1]
    with pytest.raises(IndexError):
        edges[4]
    positions = EdgePositions(edges)
    assert dict(positions.items()) == {e: p for p, e in enumerate(want)}
    for absent in [("c", "a"), ("a", "d"), ("z", "a"), "ab", None]:
        assert absent not in positions


@pytest.mark.parametrize("grouped", [True, False])
def test_reachable_follows_paths_as_networkx_does(grouped):
    rng = np.random.default_rng(1)
    for trial in range(20):
        R = nx.gnp_random_graph(30, 0.08, directed=True, seed=trial)
        G = nx.DiGraph()
        G.add_nodes_from(range(30))
        G.add_edges_from((u, v) for u, v in R.edges if u < v)
        edges = list(G.edges) if grouped else [tuple(e) for e in rng.permutation(list(G.edges))]
        ix = indexed.index_graph(G, edges) if edges else indexed.index_graph(G)
        start = rng.random(30) < 0.2
        want = set(np.flatnonzero(start).tolist())
        for s in list(want):
            want |= nx.descendants(G, s)
        assert set(np.flatnonzero(indexed.reachable(ix, start)).tolist()) == want
