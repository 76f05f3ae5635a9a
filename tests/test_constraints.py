"""Frozen and tied edges as network API: freeze/unfreeze/tie/untie, copies, files, pictures."""

import json
import pickle

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.constraints import Parameters


def test_freeze_one_edge_many_edges_and_all():
    net = ag.running_example(seed=0)
    net.freeze((1, 3))
    assert net.frozen == {(1, 3)}
    net.freeze([(2, 3), (2, 4)])
    assert net.frozen == {(1, 3), (2, 3), (2, 4)}
    net.unfreeze((2, 3))
    assert net.frozen == {(1, 3), (2, 4)}
    net.freeze()
    assert net.frozen == set(net.edges)
    net.unfreeze()
    assert net.frozen == frozenset()


def test_freeze_refuses_what_is_no_edge_and_changes_nothing():
    net = ag.running_example(seed=0)
    with pytest.raises(ag.UnknownEdgeError, match=r"\(3, 7\) is no edge"):
        net.freeze([(1, 3), (3, 7)])  # the running example has no 3→7 edge
    assert net.frozen == frozenset()
    with pytest.raises(ag.UnknownEdgeError, match="expected an edge"):
        net.freeze(5)


def test_tie_sets_the_group_to_its_first_edge_and_groups_merge():
    net = ag.running_example(seed=0)
    w36 = net.get_weight(3, 6)
    net.tie([[(4, 6), (3, 6)]])
    assert net.get_weight(4, 6) == w36  # (3, 6) comes first in net.edges
    net.tie([[(4, 6), (4, 7)], [(6, 9), (7, 9)]])
    assert net.ties == [((3, 6), (4, 6), (4, 7)), ((6, 9), (7, 9))]
    assert net.get_weight(4, 7) == w36
    net.untie((4, 6))
    assert net.ties == [((3, 6), (4, 7)), ((6, 9), (7, 9))]
    net.untie([(6, 9)])  # a group left with one edge is no tie
    assert net.ties == [((3, 6), (4, 7))]
    net.untie()
    assert net.ties == []


def test_one_group_of_edges_and_the_weight_agnostic_network():
    net = ag.running_example(seed=0)
    net.tie(net.edges)  # one shared weight for every edge
    assert len(net.ties) == 1 and len(np.unique(net.weights)) == 1
    assert net.parameters().n == 1


def test_tie_errors_name_the_edges_and_change_nothing():
    net = ag.running_example(seed=0)
    before = net.get_weights()
    with pytest.raises(ag.ConstraintError, match="a tie needs two"):
        net.tie([[(1, 3), (1, 3)]])
    with pytest.raises(ag.UnknownEdgeError, match="group 1"):
        net.tie([[(1, 3), (1, 4)], [(3, 7), (1, 4)]])
    net.freeze((1, 3))
    with pytest.raises(ag.ConstraintError, match=r"edge \(1, 3\) is frozen and edge \(1, 4\) is not"):
        net.tie([[(1, 3), (1, 4)]])
    assert net.ties == [] and (net.get_weights() == before).all()
    net.unfreeze()
    net.tie([[(1, 3), (1, 4)]])
    with pytest.raises(ag.ConstraintError, match="frozen whole"):
        net.freeze((1, 3))
    net.freeze([(1, 3), (1, 4)])  # the whole group: fine
    with pytest.raises(ag.ConstraintError, match="frozen whole"):
        net.unfreeze((1, 4))


def test_removed_edges_leave_the_constraints():
    net = ag.running_example(seed=0)
    net.freeze([(1, 3), (6, 9)])
    net.tie([[(3, 6), (4, 6), (4, 7)]])
    net.disconnect(6, 9)
    net.connect(6, 9)  # the same edge again is a new edge: not frozen
    assert net.frozen == {(1, 3)}
    net.remove_neuron(4)
    assert net.ties == [] and net.frozen == {(1, 3)}


def test_copies_pickles_and_files_keep_them(tmp_path):
    net = ag.running_example(seed=0)
    net.freeze([(1, 3), (2, 3)])
    net.tie([[(6, 9), (7, 9)], [(3, 6), (4, 6)]])
    for other in (net.copy(), pickle.loads(pickle.dumps(net))):
        assert other.frozen == net.frozen and other.ties == net.ties
    other = net.copy()
    other.freeze((8, 9))  # a copy's constraints are its own
    assert (8, 9) not in net.frozen
    path = tmp_path / "net.json"
    ag.save(net, path)
    edges = json.loads(path.read_text())["network"]["edges"]
    assert [e.get("frozen", False) for e in edges] == [e in net.frozen for e in net.edges]
    back = ag.load(path)
    assert back.frozen == net.frozen and back.ties == net.ties
    assert (back.weights == net.weights).all()


def test_files_without_them_are_unchanged_and_bad_marks_are_named(tmp_path):
    path = tmp_path / "net.json"
    ag.save(ag.running_example(seed=0), path)
    doc = json.loads(path.read_text())
    assert not any("frozen" in e or "tie" in e for e in doc["network"]["edges"])
    doc["network"]["edges"][0]["tie"] = -1
    path.write_text(json.dumps(doc))
    with pytest.raises(ag.SerializationError, match=r"network.edges\[0\].tie"):
        ag.load(path)
    doc["network"]["edges"][0]["tie"] = 0  # a group of one edge
    path.write_text(json.dumps(doc))
    with pytest.raises(ag.SerializationError, match="a tie needs two"):
        ag.load(path)
    del doc["network"]["edges"][0]["tie"]
    doc["network"]["edges"][0]["frozen"] = "yes"
    path.write_text(json.dumps(doc))
    with pytest.raises(ag.SerializationError, match=r"frozen: expected true or false"):
        ag.load(path)


def test_pictures_mark_frozen_and_tied_edges():
    net = ag.running_example(seed=0)
    net.freeze((1, 3))
    net.tie([[(6, 9), (7, 9)]])
    lines = [line.strip() for line in net.to_graphviz().source.splitlines() if "->" in line and "invis" not in line]
    frozen = [line for line in lines if "style=dashed" in line]
    tied = [line for line in lines if "arrowhead=diamond" in line]
    assert len(frozen) == 1 and "frozen" in frozen[0] and "w_1,3" in frozen[0]
    assert len(tied) == 2 and all("tie 0" in line for line in tied)
    plain = ag.running_example(seed=0).to_graphviz().source
    assert "dashed" not in plain and "diamond" not in plain


def test_parameters_map_gathers_and_scatters():
    p = Parameters.of(5, frozen=[4], groups=[[0, 2], [1, 3]])
    assert p.index.tolist() == [0, 1, 0, 1, -1] and p.n == 2 and p.tied
    dw = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert p.gradient(dw).tolist() == [4.0, 6.0]  # the sum of each group's gradients; frozen dropped
    w = np.array([0.0, 0.0, 0.0, 0.0, 9.0])
    p.scatter(np.array([0.5, -0.5]), w)
    assert w.tolist() == [0.5, -0.5, 0.5, -0.5, 9.0]
    assert p.unequal(w) is None
    w[3] = 1.0
    assert p.unequal(w) == (1, 3)
    assert Parameters.of(3).trivial and not Parameters.of(3, frozen=[0]).trivial
