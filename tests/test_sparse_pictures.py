"""Pictures of a changing structure: edges added and removed since an epoch, in colours; the mask over training.

The expected sets come from the training's own record, recomputed here from
the edges before and after (``set`` differences), not from the picture code.
"""

import shutil

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.show.changes import CHANGE_COLORS
from autograd_graph.show.masks import mask_matrices

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


@pytest.fixture(scope="module")
def trained():
    net = ag.layered([5, 10, 3], activation="tanh", density=0.5, seed=0)
    start = set(net.edges)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5))
    rewire = ag.SET(0.3, every=5)
    ag.train(net, X, np.tanh(X[:, :3]), epochs=4, batch_size=8, seed=0, callbacks=[rewire])
    return net, start, rewire.history


def test_since_is_the_difference_of_the_edges_before_and_after(trained):
    net, start, history = trained
    changes = history.since(0)
    assert changes.added == set(net.edges) - start and changes.removed == start - set(net.edges)
    assert changes.added and changes.removed
    assert set(history.edges_at(0)) == start and set(history.edges_at(4)) == set(net.edges)
    middle = set(history.edges_at(2))
    later = history.since(2)
    assert later.added == set(net.edges) - middle and later.removed == middle - set(net.edges)
    assert sum(row["added"] for row in history.table()) >= len(changes.added)


def test_full_view_colours_added_kept_and_draws_removed_dashed(trained):
    net, start, history = trained
    changes = history.since(0)
    g = net.to_graphviz(view="full", changes=changes)
    index = {n: f"n{p}" for p, n in enumerate(net.neurons)}
    lines = [line.strip() for line in g.source.splitlines() if "->" in line and "invis" not in line]
    for s, t in net.edges:
        if net.kind(s) == "bias":
            continue
        line = next(x for x in lines if x.startswith(f"{index[s]} -> {index[t]} ") and "dashed" not in x)
        status = "added" if (s, t) in changes.added else "kept"
        assert f'color="{CHANGE_COLORS[status]}"' in line
    dashed = [x for x in lines if "style=dashed" in x and CHANGE_COLORS["removed"] in x]
    assert len(dashed) == len([e for e in changes.removed if net.kind(e[0]) != "bias"])
    assert "added (green)" in g.graph_attr["label"] and "since epoch 0" in g.graph_attr["label"]


def test_compact_view_marks_each_edge_and_writes_dashes(trained, tmp_path):
    net, start, history = trained
    changes = history.since(1)
    picture = net.to_graphviz(view="compact", changes=changes)
    scene = picture.scene
    marked = {(e.data["source"], e.data["target"]): e.data["change"] for e in scene.edges}
    assert {e for e, c in marked.items() if c == "added"} == {e for e in changes.added if net.kind(e[0]) != "bias"}
    assert {e for e, c in marked.items() if c == "removed"} == {e for e in changes.removed if net.kind(e[0]) != "bias"}
    assert all(e.dashed == (e.data["change"] == "removed") for e in scene.edges)
    assert any("added (green)" in note for note in scene.notes)
    path = ag.render(picture, tmp_path / "changes.svg")
    text = path.read_text()
    assert text.count("stroke-dasharray") == sum(e.dashed for e in scene.edges)
    assert 'style="dashed"' in picture.source or "style=dashed" in picture.source


@needs_dot
def test_full_view_with_changes_renders(trained, tmp_path):
    net, _, history = trained
    path = ag.render(net.to_graphviz(view="full", changes=history.since(0)), tmp_path / "changes.svg")
    assert CHANGE_COLORS["added"] in path.read_text()


def test_changes_option_checks():
    net = ag.running_example(seed=0)
    g = net.to_graphviz(changes=([(1, 3)], []))
    assert CHANGE_COLORS["added"] in g.source
    with pytest.raises(ag.UnknownPictureOptionError, match="changes"):
        net.to_graphviz(view="overview", changes=([(1, 3)], []))
    for bad in ("edges", ([1, 2], []), 5):
        with pytest.raises(ag.PictureOptionError, match="changes"):
            net.to_graphviz(changes=bad)


def test_plot_weights_shows_the_mask_over_training(trained):
    net, start, history = trained
    masks = history.masks([0, 2, 4])
    m = mask_matrices(net, masks)
    assert m["counts"] == [len(v) for v in masks.values()] and not m["binned"]
    e0, e2, e4 = (set(masks[f"epoch {k}"]) for k in (0, 2, 4))
    assert int((m["matrices"][1] == 2).sum()) == len(e2 - e0) and int((m["matrices"][1] == 3).sum()) == len(e0 - e2)
    assert int((m["matrices"][2] == 1).sum()) == len(e4 & e2)
    assert int((m["matrices"][0] == 1).sum()) == len(e0)
    fig = ag.plot_weights(net, masks=masks)
    titles = [ax.get_title() for ax in fig.axes]
    assert any(t.startswith("epoch 2\n") for t in titles) and "w" in titles
    binned = mask_matrices(net, masks, max_cells=4)
    assert binned["binned"] and all(0 <= x.max() <= 1 for x in binned["matrices"])
    with pytest.raises(ag.PictureOptionError, match="masks"):
        ag.plot_weights(net, masks={"x": [("nope", 1)]})
