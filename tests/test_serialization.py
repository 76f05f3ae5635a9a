"""Saving and loading: exact round trips, atomic writes, and clear errors for bad files."""

import json
import os

import networkx as nx
import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.io import serialization


def odd_order_net():
    """A non-layered net connected out of source order, with tuple, string and float ids."""
    net = ag.Network(seed=4)
    net.add_input(("x", 0))
    net.add_input("x1")
    net.add_bias("b")
    net.add_neuron(("h", 1), activation="tanh")
    net.add_neuron(2.5, activation="relu")
    net.add_output("out", activation="logistic")
    for edge in [(("x", 0), ("h", 1)), ("x1", 2.5), ("b", ("h", 1)), (("x", 0), 2.5), (("h", 1), "out"),
                 ("x1", "out"), (2.5, "out"), ("b", "out")]:  # fmt: skip
        net.connect(*edge)
    return net


@pytest.fixture
def saved(tmp_path):
    net = ag.running_example(seed=7)
    path = tmp_path / "net.json"
    ag.save(net, path, metadata={"epochs": 3, "loss": np.float64(0.25), "curve": np.array([1.0, 0.5])})
    return net, path


def rewrite(path, change):
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


# ------------------------------------------------------------------ round trips
@pytest.mark.parametrize("make", [lambda: ag.running_example(seed=7), odd_order_net])
def test_save_load_is_bit_identical_with_the_same_outputs(tmp_path, make):
    net = make()
    net.set_weights(net.get_weights() * np.pi / 3)  # weights whose decimal forms are long
    path = ag.save(net, tmp_path / "net.json")
    back = ag.load(path)
    assert back.neurons == net.neurons
    assert back.edges == net.edges
    assert back.get_weights().tobytes() == net.get_weights().tobytes()
    assert [back.kind(n) for n in back.neurons] == [net.kind(n) for n in net.neurons]
    assert [back.activation(n) for n in back.neurons] == [net.activation(n) for n in net.neurons]
    X = np.random.default_rng(0).normal(size=(5, len(net.inputs)))
    np.testing.assert_array_equal(back.forward(X).output, net.forward(X).output)


def test_metadata_round_trip_with_numpy_values(saved):
    _, path = saved
    assert ag.load_metadata(path) == {"epochs": 3, "loss": 0.25, "curve": [1.0, 0.5]}


def test_the_file_is_networkx_node_link_data(saved):
    net, path = saved
    doc = json.loads(path.read_text())
    assert doc["format"] == "autograd_graph.network" and doc["version"] == 1
    G = nx.node_link_graph(doc["network"], edges="edges")
    assert nx.utils.graphs_equal(G, net.to_networkx())


def test_a_registered_custom_activation_round_trips(tmp_path):
    cube = ag.register_activation("cube_io_test", lambda a: a**3, lambda a, z: 3 * a**2)
    try:
        net = ag.running_example(seed=1, activation=cube)
        back = ag.load(ag.save(net, tmp_path / "net.json"))
        assert back.activation(3) is cube
    finally:
        del ag.ACTIVATIONS["cube_io_test"]
    with pytest.raises(ag.SerializationError, match=r"nodes\[2\]\.activation: unknown activation 'cube_io_test'"):
        ag.load(tmp_path / "net.json")


def test_an_unregistered_activation_cannot_be_saved(tmp_path):
    square = ag.Activation("square", np.square, lambda a, z: 2 * a)
    net = ag.running_example(seed=1, activation=square)
    with pytest.raises(ag.SerializationError, match="neuron 3 uses the activation 'square', which is not registered"):
        ag.save(net, tmp_path / "net.json")
    assert not (tmp_path / "net.json").exists()


def test_an_unsupported_neuron_id_cannot_be_saved(tmp_path):
    net = ag.Network()
    net.add_input(frozenset({1}))
    net.add_output("y")
    net.connect(frozenset({1}), "y", weight=1.0)
    with pytest.raises(ag.SerializationError, match=r"neuron frozenset\(\{1\}\) cannot be written to a file: it is a "):
        ag.save(net, tmp_path / "net.json")


# ------------------------------------------------------------------ atomic writes
@pytest.mark.parametrize("fail_in", ["fsync", "replace"])
def test_a_failure_in_the_middle_of_saving_leaves_the_previous_file(saved, monkeypatch, fail_in):
    old_net, path = saved
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(serialization.os, fail_in, crash)
    with pytest.raises(OSError, match="simulated"):
        ag.save(ag.running_example(seed=99), path)
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["net.json"]  # no temporary file left behind
    assert ag.load(path).get_weights().tobytes() == old_net.get_weights().tobytes()


def test_an_interrupt_while_writing_leaves_the_previous_file(saved, monkeypatch):
    _, path = saved
    before = path.read_bytes()
    real_fsync = os.fsync

    def interrupted(fd):
        real_fsync(fd)  # the new file is complete on disk, but not yet in place
        raise KeyboardInterrupt

    monkeypatch.setattr(serialization.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ag.save(ag.running_example(seed=99), path)
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["net.json"]


def test_metadata_that_is_not_json_is_an_error_and_writes_nothing(saved):
    _, path = saved
    before = path.read_bytes()
    with pytest.raises(ag.SerializationError, match="metadata is not valid JSON"):
        ag.save(ag.running_example(), path, metadata={"when": object()})
    with pytest.raises(ag.SerializationError, match="metadata is not valid JSON"):
        ag.save(ag.running_example(), path, metadata={"loss": float("nan")})
    with pytest.raises(ag.SerializationError, match="metadata must be a mapping"):
        ag.save(ag.running_example(), path, metadata=[1, 2])
    assert path.read_bytes() == before


# ------------------------------------------------------------------ malformed and hostile files
def test_a_truncated_file_is_a_clear_error(saved):
    _, path = saved
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    with pytest.raises(ag.SerializationError, match=r"not valid JSON \(truncated or corrupted\?\)"):
        ag.load(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(version=2), "unsupported format version 2; this version of autograd_graph reads version 1"),
        (lambda d: d.update(version="1"), "unsupported format version '1'"),
        (lambda d: d.pop("format"), "not an autograd_graph network file"),
        (lambda d: d["network"]["nodes"][2].update(activation="sigmoidal"),
         r"network\.nodes\[2\]\.activation: unknown activation 'sigmoidal' of neuron 3; known: elu, identity"),
        (lambda d: d["network"]["edges"].append({"source": 9, "target": 1, "weight": 0.5}),
         r"not a valid network: .*cycle"),
        (lambda d: d["network"]["edges"][0].update(weight="0.5"),
         r"network\.edges\[0\]\.weight: expected a finite number, got a string \(\"0.5\"\)"),
        (lambda d: d["network"]["edges"][0].update(weight=True), r"edges\[0\]\.weight: expected a finite number"),
        (lambda d: d["network"]["nodes"][0].update(kind="sensor"),
         r"nodes\[0\]\.kind: expected one of input, bias, hidden, output, got 'sensor'"),
        (lambda d: d["network"]["nodes"][0].update(kind=None), r"nodes\[0\]\.kind: expected one of"),
        (lambda d: d["network"]["nodes"][1].update(id=1), r"nodes\[1\]\.id: neuron 1 appears twice"),
        (lambda d: d["network"]["nodes"][1].update(id=[1, 2]), r"nodes\[1\]\.id: expected a neuron id"),
        (lambda d: d["network"]["nodes"][1].update(id={"tuple": [1, [2]]}),
         r"nodes\[1\]\.id\.tuple\[1\]: expected a neuron id .* got an array"),
        (lambda d: d["network"]["edges"][0].update(target=42), r"edges\[0\]\.target: no neuron 42 among the nodes"),
        (lambda d: d["network"]["edges"].append(dict(d["network"]["edges"][0])), r"edge 1 → 3 appears twice"),
        (lambda d: d["network"]["edges"][0].pop("source"), r"edges\[0\]: missing field 'source'"),
        (lambda d: d["network"]["edges"][0].update(extra=1), r"edges\[0\]: unexpected fields \['extra'\]"),
        (lambda d: d["network"].update(nodes={}), r"network\.nodes: expected an array of neurons, got an object"),
        (lambda d: d["network"].update(multigraph=True), r"network\.multigraph: .* expected false"),
        (lambda d: d.update(metadata=[1]), r"the file\.metadata: expected an object or null, got an array"),
        (lambda d: d.update(dtype="object"), r"dtype: expected a floating type such as 'float64', got 'object'"),
        (lambda d: d.update(pickle="cos\nsystem\n"), r"the file: unexpected fields \['pickle'\]"),
        (lambda d: d["network"]["nodes"][0].update(activation="logistic"),
         r"nodes\[0\]\.activation: input neuron 1 applies no function"),
        (lambda d: d["network"]["edges"].append({"source": 5, "target": 2, "weight": 0.5}),
         r"not a valid network: edge 5 → 2 heads into bias neuron 2"),
    ],
)  # fmt: skip
def test_a_malformed_file_is_a_clear_error(saved, change, message):
    _, path = saved
    rewrite(path, change)
    with pytest.raises(ag.SerializationError, match=message) as info:
        ag.load(path)
    assert str(path) in str(info.value)


def test_an_overflowing_weight_is_rejected(saved):
    _, path = saved
    rewrite(path, lambda d: d["network"]["edges"][3].update(weight="HUGE"))
    path.write_text(path.read_text().replace('"HUGE"', "1e999"))
    with pytest.raises(ag.SerializationError, match=r"edges\[3\]\.weight: the weight of edge 2 → 4 must be finite"):
        ag.load(path)


def test_a_cycle_names_it_and_chains_the_cause(saved):
    _, path = saved
    rewrite(path, lambda d: d["network"]["edges"].append({"source": 9, "target": 3, "weight": 0.5}))
    with pytest.raises(ag.SerializationError, match="the cycle") as info:
        ag.load(path)
    assert isinstance(info.value.__cause__, ag.CycleError)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "not a valid network file|expected a JSON object"),
        ('{"format": "autograd_graph.network", "version": 1, "x": NaN}', "NaN is not valid JSON"),
        ("1" * 5000, "not a valid network file"),
        ('"just a string"', "expected a JSON object at the top, got a string"),
        ("", "not valid JSON"),
    ],
)
def test_hostile_files_are_rejected(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ag.SerializationError, match=message):
        ag.load(path)


def test_a_binary_file_is_rejected(tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(b"\x80\x04\x95 pickle bytes")
    with pytest.raises(ag.SerializationError, match="not UTF-8 text"):
        ag.load(path)
