"""ag.Recorder keeps within its bound, records what training did, saves exactly; ag.animate writes frames of
one size; ag.explore checks its arguments before building anything."""

import json

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.show.explorer.payload import WORK_BUDGET, encode_floats

X = np.linspace(-1, 1, 13).reshape(-1, 1)
Y = np.sin(3 * X)


def train(net, recorder, **settings):
    settings = {"epochs": 12, "seed": 0, "progress": False, **settings}
    return ag.train(net, X, Y, callbacks=[recorder], **settings)


# ------------------------------------------------------------------ the recorder
def test_every_epoch_is_the_weights_training_had():
    net = ag.running_example(seed=0)
    seen = []
    rec = ag.Recorder()
    rec.start(net)
    start = net.get_weights()
    train(net, rec, epochs=6)
    record = rec.best()
    assert record.epochs.tolist() == list(range(7))
    assert np.array_equal(record.at(0), start)
    # an independent watcher sees the same weights after every epoch
    net2 = ag.running_example(seed=0)
    ag.train(
        net2, X, Y, epochs=6, seed=0, progress=False, callbacks=[lambda log: seen.append(log.network.get_weights())]
    )
    assert np.array_equal(record.weights[1:], np.array(seen))
    assert record.loss.shape == (7,) and np.isnan(record.val_loss).all()


@pytest.mark.parametrize("max_snapshots", [2, 5, 16])
def test_the_bound_holds_for_all_runs_together(max_snapshots):
    rec = ag.Recorder(max_snapshots=max_snapshots)
    result = train(ag.running_example(seed=0), rec, epochs=40, restarts=3)
    assert rec.n_snapshots <= max_snapshots and len(rec.records) == 3
    for record in rec.records:
        if record.n_snapshots:
            assert record.epochs[-1] == 40  # the latest epoch stays
            assert all(e % rec.spacing == 0 for e in record.epochs[:-1])  # the others on the spacing
    # the best record is the run train chose
    assert rec.best().run == result.best_run


def test_spacing_and_every():
    rec = ag.Recorder(every=5, max_snapshots=100)
    train(ag.running_example(seed=0), rec, epochs=23)
    assert rec.best().epochs.tolist() == [5, 10, 15, 20, 23]


def test_gradients_on_request_are_the_engines():
    net = ag.running_example(seed=0)
    rec = ag.Recorder(gradients=True, X=X, Y=Y)
    train(net, rec, epochs=4)
    record = rec.best()
    assert record.gradients.shape == record.weights.shape == (4, 12)
    copy = net.copy()
    for epoch, weights, gradients in zip(record.epochs, record.weights, record.gradients, strict=True):
        copy.set_weights(weights)
        expected = copy.backward(copy.forward(X), Y).weights.flat
        assert np.array_equal(gradients, expected), epoch


def test_compare_records_every_run_of_every_network():
    rec = ag.Recorder()
    skip = ag.running_example()
    skip.connect(1, 9)
    ag.compare({"layered": ag.running_example(), "skip": skip}, X, Y, seeds=2, epochs=3, callbacks=[rec])
    assert len(rec.records) == 4 and all(r.n_snapshots == 3 for r in rec.records)
    assert rec.best(skip).edges == skip.edges and rec.best(ag.running_example()).edges != skip.edges


def test_records_save_and_load_exactly(tmp_path):
    rec = ag.Recorder(gradients=True, X=X, Y=Y)
    rec.start(ag.running_example(seed=0))
    train(ag.running_example(seed=0), rec, epochs=3, validation_split=0.3)
    record = rec.best()
    back = ag.load_record(record.save(tmp_path / "run.json"))
    assert back.edges == record.edges and back.run == record.run
    assert np.array_equal(back.epochs, record.epochs) and np.array_equal(back.weights, record.weights)
    assert np.array_equal(back.gradients, record.gradients)
    assert np.array_equal(back.loss, record.loss) and np.array_equal(back.val_loss, record.val_loss)
    assert back.network.edges == record.edges and np.array_equal(back.network.weights, record.network.weights)
    doc = json.loads((tmp_path / "run.json").read_text())
    doc["epochs"] = doc["epochs"][::-1]
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    with pytest.raises(ag.SerializationError, match="epochs increasing"):
        ag.load_record(tmp_path / "bad.json")
    with pytest.raises(ag.SerializationError, match="not a training record"):
        ag.load_record(ag.save(ag.running_example(), tmp_path / "net.json"))


def test_recorder_errors():
    for bad in ({"every": 0}, {"max_snapshots": 1}, {"every": 1.5}, {"gradients": True}):
        with pytest.raises(ag.RecordError):
            ag.Recorder(**bad)
    with pytest.raises(ag.RecordError, match="holds no run"):
        ag.Recorder().best()
    rec = ag.Recorder()
    train(ag.running_example(seed=0), rec, epochs=2)
    with pytest.raises(ag.RecordError, match="epoch 7 is not recorded; the record holds epochs 1, 2"):
        rec.best().at(7)


# ------------------------------------------------------------------ animate
@pytest.fixture(scope="module")
def recorded():
    net = ag.running_example(seed=0)
    rec = ag.Recorder()
    rec.start(net)
    train(net, rec, epochs=9)
    return net, rec


@pytest.mark.parametrize("view", ["full", "compact"])
def test_animate_writes_a_gif_of_frames_of_one_size(recorded, view, tmp_path):
    Image = pytest.importorskip("PIL.Image", reason="Pillow (a matplotlib dependency) is not installed")
    net, rec = recorded
    path = ag.animate(rec, tmp_path / "training.gif", view=view, width=400, fps=5)
    image = Image.open(path)
    assert image.n_frames == 10
    sizes, firsts = set(), []
    for frame in range(image.n_frames):
        image.seek(frame)
        sizes.add(image.size)
        firsts.append(np.asarray(image.convert("RGB")))
    assert len(sizes) == 1 and next(iter(sizes))[0] == 400
    assert not np.array_equal(firsts[0], firsts[-1])  # the weights moved, and so did the picture
    assert image.info["duration"] == 200


def test_animate_writes_an_mp4_of_frames_of_one_size(recorded, tmp_path):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg", reason="the 'video' extra (imageio-ffmpeg) is absent")
    net, rec = recorded
    path = ag.animate(rec, tmp_path / "training.mp4", width=320)
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = reader.__next__()
    frames = list(reader)
    assert meta["size"][0] == 320 and len(frames) == 10
    assert all(len(frame) == meta["size"][0] * meta["size"][1] * 3 for frame in frames)


def test_animate_errors(recorded, tmp_path):
    net, rec = recorded
    with pytest.raises(ag.PictureOptionError, match=".gif or .mp4"):
        ag.animate(rec, tmp_path / "training.png")
    with pytest.raises(ag.PictureOptionError, match="fps"):
        ag.animate(rec, tmp_path / "training.gif", fps=0)
    with pytest.raises(ag.RecordError, match="record the network you explore|edges"):
        ag.animate(rec.best(), tmp_path / "training.gif", net=ag.layered([1, 3, 1]))
    assert not (tmp_path / "training.gif").exists()


# ------------------------------------------------------------------ explore's checks
def test_explore_checks_before_building():
    net = ag.running_example(seed=0)
    with pytest.raises(ag.ExplorerError, match="number_format"):
        ag.explore(net, number_format="+.3g")
    with pytest.raises(ag.ExplorerError, match="view"):
        ag.explore(net, view="overview")
    with pytest.raises(ag.ExplorerError, match="one target row per example"):
        ag.explore(net, [[0.1], [0.2]], [[1.0]])
    with pytest.raises(ag.ExplorerError, match="not finite"):
        ag.explore(net, [[np.nan]])
    with pytest.raises(ag.IncompatibleLossError):
        ag.explore(net, loss="binary_cross_entropy")
    custom = ag.from_edge_list([("x", "y")], output_activation=ag.Activation("cube", np.cbrt, lambda a, z: z))
    with pytest.raises(ag.ExplorerError, match="activation 'cube'"):
        ag.explore(custom)
    rec = ag.Recorder()
    ag.train(ag.layered([1, 2, 1], seed=0), X, Y, epochs=1, callbacks=[rec], progress=False)
    with pytest.raises(ag.RecordError, match="holds no run"):
        ag.explore(net, record=rec)


def test_the_page_holds_exact_numbers_and_a_capped_data_set():
    net = ag.layered([64, 16, 10], seed=0)
    X_big = np.random.default_rng(0).normal(size=(5000, 64))
    page = ag.explore(net, X_big, max_examples=10_000)
    assert page.data["rows"] == WORK_BUDGET // net.n_weights and page.data["given_rows"] == 5000
    assert page.data["weights"] == encode_floats(net.weights)
    assert [n["label"] for n in page.data["neurons"]] == [str(k) for k in net.neurons]
    inputs = [page.data["neurons"][k]["key"] for k in page.data["inputs"]]
    assert inputs == list(net.inputs)
    with pytest.raises(ag.ExplorerError, match="at most 5,000 neurons"):
        ag.explore(ag.layered([5001, 1], seed=0))
