"""JSON (save/load) and GraphML accept and reject the same neuron ids, and give them back alike."""

import networkx as nx
import numpy as np
import pytest

import autograd_graph as ag


def network(ids):
    i, b, h, o = ids
    net = ag.Network(seed=0)
    net.add_input(i)
    net.add_bias(b)
    net.add_neuron(h)
    net.add_output(o)
    for u, v in [(i, h), (b, h), (h, o), (i, o)]:
        net.connect(u, v)
    return net


def through_json(net, folder):
    return ag.load(ag.save(net, folder / "net.json"))


def through_graphml(net, folder):
    return ag.read_graphml(ag.write_graphml(net, folder / "net.graphml"))


FORMATS = [through_json, through_graphml]

KEPT = {
    "tuples": ((0, 0), (0, 1), (1, 0), (2, 0)),
    "nested tuples": (((0,), "a"), ("b", (1, 2)), (1.5,), ("x",)),
    "bools and floats": (True, "b", 2.5, False),
    "text with quotes": ('a"b', "b\\", "h\n1", '{"tuple": [1]}'),
    "characters XML cannot hold": ("a\x00", ("\x01", 2), "h\x1f\ufffe", "\\x00"),  # escaped in GraphML
}


@pytest.mark.parametrize("fmt", FORMATS, ids=["json", "graphml"])
@pytest.mark.parametrize("ids", KEPT.values(), ids=KEPT.keys())
def test_ids_come_back_equal_and_of_the_same_types(ids, fmt, tmp_path):
    net = network(ids)
    back = fmt(net, tmp_path)
    assert back.neurons == net.neurons
    assert [type(n) for n in back.neurons] == [type(n) for n in net.neurons]
    assert back.edges == net.edges and np.array_equal(back.weights, net.weights)


@pytest.mark.parametrize("fmt", FORMATS, ids=["json", "graphml"])
def test_numpy_scalars_come_back_as_the_python_numbers_they_hold(fmt, tmp_path):
    back = fmt(network((np.int64(1), np.int32(2), np.float64(3.5), "o")), tmp_path)
    assert back.neurons == [1, 2, 3.5, "o"]
    assert [type(n) for n in back.neurons] == [int, int, float, str]
    # (a numpy scalar and a tuple in one network do not mix: network.py compares them with ==)
    back = fmt(network(((np.int64(4), np.bool_(True)), "b", "h", "o")), tmp_path)
    assert back.neurons[0] == (4, True) and [type(part) for part in back.neurons[0]] == [int, bool]


REJECTED = {
    "frozenset": (
        (frozenset({1}), "b", "h", "o"),
        r"neuron frozenset\(\{1\}\) cannot be written to a file: it is a "
        r"frozenset, not a string, an integer",
    ),
    "None in a tuple": (((None, 1), "b", "h", "o"), r"neuron \(None, 1\) cannot be written to a file: its part None"),
    "NaN": ((float("nan"), "b", "h", "o"), r"neuron nan cannot be written to a file: it is a float, not"),
    "a lone surrogate": (
        ("i", ("b", "\udc80"), "h", "o"),
        r"neuron \('b', '\\udc80'\) cannot be written to a file: "
        r"it holds the lone surrogate",
    ),
}


@pytest.mark.parametrize("fmt", FORMATS, ids=["json", "graphml"])
@pytest.mark.parametrize("ids, message", REJECTED.values(), ids=REJECTED.keys())
def test_both_formats_reject_the_same_ids_naming_the_neuron(ids, message, fmt, tmp_path):
    with pytest.raises(ag.SerializationError, match=message):
        fmt(network(ids), tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_graphml_keeps_ids_as_json_text(tmp_path):
    path = ag.write_graphml(network(((0, "in"), "b", 2.5, True)), tmp_path / "net.graphml")
    G = nx.read_graphml(path)
    assert G.nodes["(0, 'in')"]["python_id"] == '{"tuple": [0, "in"]}'
    assert G.nodes["2.5"]["python_id"] == "2.5" and G.nodes["True"]["python_id"] == "true"
    assert "python_id" not in G.nodes["b"]


def test_graphml_nodes_standing_for_one_id_are_named(tmp_path):
    path = tmp_path / "edited.graphml"
    G = nx.DiGraph([("1", "one")])
    G.nodes["1"]["python_id"] = "1"
    G.nodes["one"]["python_id"] = "1"
    nx.write_graphml(G, path)
    with pytest.raises(ag.SerializationError, match=r"nodes \['1', 'one'\] .* stand for the same neuron id"):
        ag.read_graphml(path)
