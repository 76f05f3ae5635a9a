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
