"""Saving and loading: exact round trips, atomic writes, and clear errors for bad files."""

import json
import math
import os
import subprocess
import sys
import threading
from pathlib import Path

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
    with pytest.raises(ag.SerializationError, match=r"metadata\['when'\] is a object"):
        ag.save(ag.running_example(), path, metadata={"when": object()})
    with pytest.raises(ag.SerializationError, match=r"metadata\['runs'\]\[1\] has the key 3 \(a int\)"):
        ag.save(ag.running_example(), path, metadata={"runs": [{}, {3: "x"}]})
    with pytest.raises(ag.SerializationError, match="metadata must be a mapping"):
        ag.save(ag.running_example(), path, metadata=[1, 2])
    with pytest.raises(ag.SerializationError, match=r"metadata\['note'\] cannot be written to a file: it holds the "
                       r"lone surrogate"):  # fmt: skip
        ag.save(ag.running_example(), path, metadata={"note": "bad \udc80 decode"})
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
        (lambda d: d.update(dtype="object"), r"dtype: expected 'float64' or 'float32', got 'object'"),
        (lambda d: d.update(dtype="float16"), r"dtype: expected 'float64' or 'float32', got 'float16'"),
        (lambda d: d.update(dtype="longdouble"), r"dtype: expected 'float64' or 'float32', got 'longdouble'"),
        (lambda d: d.update(version=1.0), r"unsupported format version 1.0; this version of autograd_graph reads"),
        (lambda d: d.update(version=True), r"unsupported format version True"),
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


# ------------------------------------------------------------------ hardening: metadata always saves (item 8)
def test_non_finite_metadata_is_written_as_strings_that_float_reads_back(tmp_path):
    metadata = {"best_loss": float("inf"), "final_loss": float("nan"), "low": -np.inf, "pair": (1, 2.5),
                "curve": np.array([1.0, np.nan, np.inf]), "runs": [{"loss": np.float64("nan")}]}  # fmt: skip
    path = ag.save(ag.running_example(seed=0), tmp_path / "net.json", metadata=metadata)
    back = ag.load_metadata(path)
    assert back == {"best_loss": "Infinity", "final_loss": "NaN", "low": "-Infinity", "pair": [1, 2.5],
                    "curve": [1.0, "NaN", "Infinity"], "runs": [{"loss": "NaN"}]}  # fmt: skip
    assert float(back["best_loss"]) == math.inf and math.isnan(float(back["final_loss"]))
    assert "NaN" not in path.read_text().replace('"NaN"', "")  # no bare NaN token: the file is strict JSON


def test_the_summary_of_a_run_interrupted_before_its_first_evaluation_saves(tmp_path):
    result = ag.TrainingResult(
        [ag.RunResult(0, None, ag.History(), stop_reason="interrupted")], 0, "loss", 0, interrupted=True
    )
    assert result.metadata()["runs"][0]["best_loss"] == math.inf
    ag.save(ag.running_example(), tmp_path / "net.json", metadata=result.metadata())
    assert ag.load_metadata(tmp_path / "net.json")["runs"][0]["best_loss"] == "Infinity"


# ------------------------------------------------------------------ hardening: ids UTF-8 cannot encode (item 13)
def test_a_lone_surrogate_id_is_refused_naming_the_neuron_and_nothing_is_written(tmp_path):
    net = ag.Network()
    net.add_input("x\udc80")
    net.add_output("y")
    net.connect("x\udc80", "y", weight=1.0)
    for save in (ag.save, ag.write_graphml):
        with pytest.raises(ag.SerializationError, match=r"neuron 'x\\udc80' cannot be written to a file: it holds the "
                           r"lone surrogate '\\udc80' \(at position 1\)"):  # fmt: skip
            save(net, tmp_path / "net.out")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ hardening: what ag.load reads (items 18 and 20)
def test_a_file_over_the_limit_is_refused_unless_allowed(saved):
    net, path = saved
    size = path.stat().st_size
    with pytest.raises(ag.SerializationError, match=rf"is {size:,} bytes, over the limit of 100 bytes"):
        ag.load(path, max_bytes=100)
    with pytest.raises(ag.SerializationError, match="over the limit"):
        ag.load_metadata(path, max_bytes=100)
    assert ag.load(path, max_bytes=size).edges == net.edges
    assert ag.load(path, max_bytes=None).edges == net.edges


def test_the_default_limit_is_documented_and_large_enough_for_a_million_weights():
    from autograd_graph.io.files import MAX_FILE_BYTES

    assert MAX_FILE_BYTES == 128 * 2**20  # a 10^6-weight network saves to about 66 MiB
    assert inspect_default(ag.load) == inspect_default(ag.load_metadata) == MAX_FILE_BYTES


def inspect_default(function):
    import inspect

    return inspect.signature(function).parameters["max_bytes"].default


def test_a_folder_and_a_device_are_refused(tmp_path):
    with pytest.raises(ag.SerializationError, match="is a folder; expected a file"):
        ag.load(tmp_path)
    if os.path.exists("/dev/zero"):  # never ends: reading it whole would take all memory
        with pytest.raises(ag.SerializationError, match="is not a regular file"):
            ag.load("/dev/zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    outcome = []

    def read():
        try:
            ag.load(fifo)
        except ag.SerializationError as error:
            outcome.append(str(error))

    reader = threading.Thread(target=read, daemon=True)  # (a regression would block it forever)
    reader.start()
    reader.join(timeout=20)
    assert not reader.is_alive(), "ag.load blocked on a FIFO"
    assert outcome and "not a regular file (a FIFO" in outcome[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": "autograd_graph.network", "version": 1, "version": 2}', "the key 'version' appears twice"),
        (None, "the key 'weight' appears twice in one object"),
    ],
)
def test_a_key_given_twice_is_refused(saved, text, message):
    _, path = saved
    if text is None:  # inside an edge, deep in the file
        text = path.read_text().replace('"weight": ', '"weight": 1.0, "weight": ', 1)
    path.write_text(text)
    with pytest.raises(ag.SerializationError, match=message):
        ag.load(path)


# ------------------------------------------------------------------ hardening: temporary files (items 11 and 12)
def test_temporary_files_of_killed_saves_are_removed_by_the_next_save(tmp_path):
    target = tmp_path / "net.json"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    code = (  # a save that hangs after writing its temporary file, until killed
        "import os, sys, time\n"
        "import autograd_graph as ag\n"
        "os.fsync = lambda fd: (print('writing', flush=True), time.sleep(120))\n"
        "ag.save(ag.running_example(seed=0), sys.argv[1])\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code, str(target)], stdout=subprocess.PIPE, env=env, text=True
    ) as child:
        try:
            assert child.stdout.readline().strip() == "writing"
        finally:
            child.kill()  # SIGKILL: no cleanup can run
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(f".net.json.autograd-graph-{child.pid}-") and left[0].endswith(".tmp")
    live = tmp_path / f".net.json.autograd-graph-{os.getppid()}-abc.tmp"  # a process that runs: maybe writing now
    other = tmp_path / f".other.json.autograd-graph-{child.pid}-abc.tmp"  # another target's
    for path in (live, other):
        path.write_text("x")
    ag.save(ag.running_example(seed=1), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other.name, "net.json"])
    assert ag.load(target).n_weights == 12


def test_saving_onto_a_folder_fails_at_once_naming_it(tmp_path):
    (tmp_path / "net.json").mkdir()
    with pytest.raises(IsADirectoryError, match=r"cannot write .*net\.json: it is a folder; give a file name"):
        ag.save(ag.running_example(), tmp_path / "net.json")
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]  # no temporary file left
