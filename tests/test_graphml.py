import os

import networkx as nx
import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.io import files
from autograd_graph.io.graphml import read_graphml, write_graphml


def same_network(a, b):
    assert a.neurons == b.neurons
    assert [a.kind(n) for n in a.neurons] == [b.kind(n) for n in b.neurons]
    assert [a.activation(n) for n in a.neurons] == [b.activation(n) for n in b.neurons]
    assert a.edges == b.edges
    np.testing.assert_array_equal(a.weights, b.weights)


@pytest.mark.parametrize(
    "net",
    [
        ag.running_example(seed=0),
        ag.random_dag(25, "barabasi_albert", m=2, n_inputs=3, n_outputs=2, seed=0, activation="elu"),
        ag.from_predicate(lambda a, b, c: a ^ b ^ c, 3),
        ag.from_edge_list([((0, "in"), (1, 0), 0.1), ((1, 0), 2.5, -3e-17), (2.5, "out", 1e300)]),
    ],
    ids=["running example", "random dag", "boolean", "tuple and float ids"],
)
def test_graphml_round_trip_is_exact(net, tmp_path):
    path = tmp_path / "net.graphml"
    write_graphml(net, path)
    same_network(read_graphml(path), net)
    assert os.listdir(tmp_path) == ["net.graphml"]


def test_graphml_is_plain_graphml_for_other_tools(tmp_path):
    path = tmp_path / "net.graphml"
    write_graphml(ag.running_example(seed=0), path)
    G = nx.read_graphml(path)
    assert G.nodes["9"]["kind"] == "output" and G.nodes["9"]["activation"] == "identity"
    assert G.nodes["3"]["label"] == "3" and G.nodes["3"]["python_id"] == "3"
    assert list(G.edges) == [(str(u), str(v)) for u, v in ag.running_example().edges]


def test_reading_a_file_without_our_attributes(tmp_path):
    path = tmp_path / "plain.graphml"
    nx.write_graphml(nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C")]), path)
    with pytest.warns(ag.MissingWeightsWarning, match="every weight is drawn at random"):
        net = read_graphml(path, seed=0)
    assert (net.inputs, net.hidden, net.outputs) == (["A"], ["B"], ["C"])
    assert np.all(np.isfinite(net.weights))
    nx.write_graphml(nx.path_graph(3), path)
    with pytest.raises(ag.NetworkStructureError, match="undirected"):
        read_graphml(path)


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "net.graphml"
    write_graphml(ag.running_example(seed=0), path)
    before = path.read_bytes()

    def disk_full(fd):  # the new file is written but cannot be flushed to disk
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(OSError, match="disk full"):
        write_graphml(ag.running_example(seed=1), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["net.graphml"]


def test_ids_that_clash_as_strings():
    net = ag.from_edge_list([(1, "1")])
    with pytest.raises(ag.NetworkStructureError, match="both be '1'"):
        write_graphml(net, "never-written.graphml")
    assert not os.path.exists("never-written.graphml")


def test_written_files_get_the_usual_permissions(tmp_path):
    path = tmp_path / "net.graphml"
    write_graphml(ag.running_example(), path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_broken_python_id_is_named(tmp_path):
    path = tmp_path / "edited.graphml"
    G = nx.DiGraph([("1", "2")])
    G.nodes["1"]["python_id"] = "1 +"
    nx.write_graphml(G, path)
    with pytest.raises(ag.SerializationError, match="node '1': python_id '1 \\+' is not a neuron id written as JSON"):
        read_graphml(path)


# ------------------------------------------------------------------ hardening: items 13 and 15
HEAD = '<?xml version="1.0" encoding="utf-8"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
EDGE_AB = '<graph edgedefault="directed"><node id="a"/><node id="b"/><edge source="a" target="b">'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEAD + '<graph edgedefault="directed"><node id="a"/>', r"not well-formed XML \(truncated or corrupted\?\)"),
        ("not xml at all", "not well-formed XML"),
        (HEAD + '<key id="d0" for="edge" attr.name="weight" attr.type="double"/>' + EDGE_AB
         + '<data key="d0">abc</data></edge></graph></graphml>', "could not convert string to float: 'abc'"),
        (HEAD + '<key id="d0" for="edge" attr.name="weight" attr.type="eval"/>' + EDGE_AB
         + '<data key="d0">1</data></edge></graph></graphml>', r"unknown value 'eval' \(an attr.type"),
        (HEAD + '<key id="d0" for="edge" attr.name="weight" attr.type="long"/>' + EDGE_AB
         + '<data key="d0">' + "9" * 5000 + "</data></edge></graph></graphml>", "Exceeds the limit"),
        (HEAD + '<key id="d0" for="node" attr.name="kind" attr.type="boolean"/><graph edgedefault="directed">'
         '<node id="a"><data key="d0">maybe</data></node></graph></graphml>', "unknown value 'maybe'"),
        (HEAD + '<graph edgedefault="directed"><node id="a"><data key="zz">1</data></node></graph></graphml>',
         "Bad GraphML data: no key zz"),
        (HEAD + "</graphml>", "file not successfully read as graphml"),
        (HEAD + '<graph edgedefault="directed"><node id="a"/><hyperedge><endpoint node="a"/></hyperedge></graph>'
         "</graphml>", "doesn't support hyperedges"),
        (HEAD + EDGE_AB[:-1] + ' directed="false"/></graph></graphml>', "directed=false edge found"),
    ],
    ids=["truncated", "not xml", "not a double", "unknown type", "huge int", "bad boolean", "undeclared key",
         "no graph", "hyperedge", "undirected edge"],
)  # fmt: skip
def test_a_file_networkx_cannot_read_is_a_serialization_error_naming_it(tmp_path, text, message):
    path = tmp_path / "bad.graphml"
    path.write_text(text)
    with pytest.raises(ag.SerializationError, match=message) as info:
        read_graphml(path)
    assert str(path) in str(info.value) and "not a GraphML file networkx can read" in str(info.value)


def test_parallel_edges_are_named(tmp_path):
    path = tmp_path / "multi.graphml"
    path.write_text(HEAD + EDGE_AB[:-1] + '/><edge source="a" target="b"/></graph></graphml>')
    with pytest.raises(ag.DuplicateEdgeError, match="has the edge 'a' → 'b' twice"):
        read_graphml(path)


def test_external_entities_are_not_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    path = tmp_path / "xxe.graphml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE g [<!ENTITY x SYSTEM "file://{secret}">]>'
                    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="directed">'
                    '<node id="in"/><node id="&x;"/><edge source="in" target="&x;"/></graph></graphml>')  # fmt: skip
    try:
        net = read_graphml(path, seed=0)
    except ag.SerializationError as error:
        assert "TOP-SECRET" not in str(error)
    else:
        assert not any("TOP-SECRET" in str(n) for n in net.neurons)


@pytest.mark.parametrize("name", ["Weight", "w"])
def test_weights_kept_under_another_name_are_read_when_named_and_warned_about_otherwise(tmp_path, name):
    G = nx.DiGraph()
    G.add_edge("x", "h", **{name: 0.5})
    G.add_edge("h", "y", **{name: -2.0})
    nx.set_node_attributes(G, {"x": "input", "h": "hidden", "y": "output"}, "role")
    nx.set_node_attributes(G, {"h": "tanh"}, "fn")
    path = tmp_path / "other.graphml"
    nx.write_graphml(G, path)
    net = read_graphml(path, weight=name, kind="role", activation="fn")
    assert (net.inputs, net.hidden, net.outputs) == (["x"], ["h"], ["y"])
    assert net.activation("h").name == "tanh" and net.weights.tolist() == [0.5, -2.0]
    with pytest.warns(ag.MissingWeightsWarning, match=rf"has the attribute 'weight': every weight is drawn at random; "
                      rf"the edges have '{name}': pass weight=\.\.\. to read one"):  # fmt: skip
        read_graphml(path, kind="role", activation="fn", seed=0)


def test_graphml_reads_within_the_same_limits_as_load(tmp_path):
    path = write_graphml(ag.running_example(seed=0), tmp_path / "net.graphml")
    with pytest.raises(ag.SerializationError, match="over the limit of 100 bytes"):
        read_graphml(path, max_bytes=100)
    with pytest.raises(ag.SerializationError, match="is a folder"):
        read_graphml(tmp_path)


@pytest.mark.parametrize("text", ["a\x00b", "\x01", "tab\tand\x1f", "x\ufffe", "\uffff", "\\x00"])
def test_ids_xml_cannot_hold_are_escaped_and_read_back_exactly(tmp_path, text):
    net = ag.from_edge_list([(text, "out", 0.5), ((text, 1), "out", 0.25)])
    path = write_graphml(net, tmp_path / "net.graphml")
    same_network(read_graphml(path), net)
    same_network(ag.load(ag.save(net, tmp_path / "net.json")), net)  # JSON keeps them too
