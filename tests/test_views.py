"""The views of big networks: chosen by size, compact and overview pictures, the library's positions."""

import itertools
import re
import shutil
import xml.etree.ElementTree as ET

import networkx as nx
import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.show import layout as L
from autograd_graph.show.compact import strongest_inputs
from autograd_graph.show.overview import group_columns
from autograd_graph.show.svg import scene_svg
from autograd_graph.show.views import COMPACT_UP_TO, FULL_UP_TO, MAX_EDGES, choose_view

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
SVG = "{http://www.w3.org/2000/svg}"


def chain(n, seed=0):
    """A chain of ``n`` hidden neurons (n + 1 generations), with a bias into every neuron."""
    net = ag.Network(seed=seed)
    net.add_input("x")
    net.add_bias("b")
    previous = "x"
    for k in range(n):
        net.add_neuron(k, activation="tanh")
        net.connect(previous, k)
        net.connect("b", k)
        previous = k
    net.add_output("y")
    net.connect(previous, "y")
    return net


@pytest.fixture(scope="module")
def ws():
    return ag.random_dag(300, "watts_strogatz", k=4, p=0.25, n_inputs=8, n_outputs=4, seed=0)


def scene_nodes(scene):
    return [n for n in scene.nodes if n.shape != "plaintext"]


# ------------------------------------------------------------------ choosing
def test_auto_picks_the_view_by_size():
    assert ag.running_example().to_graphviz().view == "full"
    assert ag.layered([64, 16, 10]).to_graphviz().view == "compact"
    assert choose_view("auto", *FULL_UP_TO) == "full"
    assert choose_view("auto", FULL_UP_TO[0] + 1, 10) == "compact"
    assert choose_view("auto", 10, FULL_UP_TO[1] + 1) == "compact"
    assert choose_view("auto", *COMPACT_UP_TO) == "compact"
    assert choose_view("auto", COMPACT_UP_TO[0] + 1, 10) == "overview"
    for view in ("full", "compact", "overview"):
        assert ag.running_example().to_graphviz(view=view).view == view


def test_an_unknown_view_or_an_option_of_another_view_is_refused():
    net = ag.running_example()
    with pytest.raises(ag.PictureOptionError, match="view must be one of"):
        net.to_graphviz(view="sketch")
    with pytest.raises(ag.UnknownPictureOptionError, match="max_per_rank is for the full view"):
        net.to_graphviz(view="compact", max_per_rank=3)
    with pytest.raises(ag.UnknownPictureOptionError, match="max_groups is for the overview view"):
        net.to_graphviz(view="full", max_groups=3)
    with pytest.raises(ag.UnknownPictureOptionError, match="unknown options \\['colour'\\]"):
        net.to_graphviz(colour=True)
    # with view="auto", options of the views not drawn are left alone
    assert ag.layered([64, 16, 10]).to_graphviz(max_per_rank=3).view == "compact"


@pytest.mark.parametrize(
    "view, option, value, expected",
    [("compact", "max_edges", 0, "max_edges must be"), ("overview", "max_groups", 1, "max_groups must be"),
     ("compact", "color_by", "w", "color_by"), ("compact", "max_edges", True, "max_edges must be")],
)  # fmt: skip
def test_bad_option_values(view, option, value, expected):
    with pytest.raises(ag.PictureOptionError, match=expected):
        ag.running_example().to_graphviz(view=view, **{option: value})


def test_the_full_view_of_a_huge_network_is_refused_naming_the_fast_views():
    net = ag.layered([200, 120, 10], seed=0)  # 25,330 edges
    with pytest.raises(ag.PictureTooBigError, match="view='compact'.*view='overview'") as caught:
        net.to_graphviz(view="full")
    assert "25,330 edges" in str(caught.value)
    assert isinstance(caught.value, ag.PictureOptionError)
    capped = net.to_graphviz(view="full", max_per_rank=5)  # what is drawn is small: allowed
    assert capped.view == "full" and capped.source.count("->") < 100


# ------------------------------------------------------------------- compact
@pytest.mark.parametrize("make", [lambda: ag.layered([30, 12, 4], seed=0), lambda: chain(40), "ws"])
def test_compact_view_draws_every_neuron_inside_the_picture(make, ws):
    net = ws if make == "ws" else make()
    g = net.to_graphviz(view="compact")
    scene = g.scene
    drawn = {n.data["neuron"] for n in scene_nodes(scene)}
    assert drawn == set(net.neurons) - set(net.biases)  # biases folded by default
    for node in scene_nodes(scene):
        assert 0 <= node.x <= scene.width and 0 <= node.y <= scene.height
    names = set(re.findall(r"^\s*(n\d+) \[", g.source, flags=re.M))
    assert len(names) == len(drawn)
    assert len(scene.edges) == sum(1 for i, _ in net.edges if i not in net.biases)  # all fit in max_edges
    assert g.graph_attr["layout"] == "nop2"  # Graphviz draws the positions as given
    assert all('pos="' in line and "!" in line for line in g.source.splitlines() if re.match(r"^\s*n\d+ \[", line))


def test_compact_columns_are_layers_or_generations():
    net = ag.layered([5, 4, 3], seed=0)
    column = {n.data["neuron"]: n.data["column"] for n in scene_nodes(net.to_graphviz(view="compact").scene)}
    for c, layer in enumerate(net.layers()):
        assert all(column[k] == c for k in layer if k not in net.biases)
    skip = ag.Network.from_networkx(nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C")]), seed=0)
    scene = skip.to_graphviz(view="compact").scene
    x = {n.data["neuron"]: n.x for n in scene_nodes(scene)}
    assert x["A"] < x["B"] < x["C"]  # one column per generation: A → C spans two


def test_a_thousand_generation_chain_wraps_into_lines_that_fit_a_screen():
    net = chain(1000)
    lay = L.layout(net, fold_biases=True)
    assert int(lay.column.max()) + 1 == 1002  # x, 1,000 hidden, y
    assert lay.lines > 3
    assert max(lay.width, lay.height) <= L.MAX_SIDE
    assert 0.5 < lay.width / lay.height < 4
    scene = net.to_graphviz(view="compact").scene
    assert len(scene_nodes(scene)) == 1002
    # the snake: consecutive lines join at their ends, so the chain's edges stay short
    x = {n.data["neuron"]: (n.x, n.y) for n in scene_nodes(scene)}
    steps = [np.hypot(x[a][0] - x[b][0], x[a][1] - x[b][1]) for a, b in zip(range(999), range(1, 1000), strict=True)]
    assert max(steps) < 0.1 * max(scene.width, scene.height)


def test_compact_caps_edges_to_each_neurons_strongest_inputs():
    net = ag.layered([784, 16, 10], seed=0)
    scene = net.to_graphviz().scene
    assert len(scene.edges) <= MAX_EDGES
    kept = {}
    for edge in scene.edges:
        kept.setdefault(edge.data["target"], []).append(abs(edge.data["weight"]))
    assert set(kept) == set(net.neurons) - set(net.inputs) - set(net.biases)
    w = dict(zip(net.edges, np.abs(net.weights).tolist(), strict=True))
    for target, weights in kept.items():  # the drawn inputs are the strongest ones of their target
        into = sorted((w[i, target] for i in net.graph.predecessors(target) if i not in net.biases), reverse=True)
        assert sorted(weights, reverse=True) == into[: len(weights)]
    assert any("of 12,704 edges drawn" in note for note in scene.notes)  # bias edges folded


def test_strongest_inputs_by_hand():
    dst = np.array([0, 0, 0, 1, 1, 2])
    strength = np.array([0.3, 0.9, 0.5, 0.1, 0.7, 0.2])
    assert strongest_inputs(dst, strength, None).all()
    assert strongest_inputs(dst, strength, 6).all()
    assert strongest_inputs(dst, strength, 5).tolist() == [False, True, True, True, True, True]  # k = 2
    assert strongest_inputs(dst, strength, 4).tolist() == [False, True, False, False, True, True]  # k = 1


def test_compact_colors_by_gradient_when_given():
    net = ag.running_example(seed=0)
    trace = net.forward([[0.5]])
    grads = net.backward(trace, [[1.0]])
    scene = net.to_graphviz(trace, grads, view="compact").scene
    by_edge = {(e.data["source"], e.data["target"]): e for e in scene.edges}
    assert by_edge[6, 9].data["gradient"] == pytest.approx(grads.weights[(6, 9)])
    assert any("edges: gradient" in note for note in scene.notes)
    tooltip = next(n.tooltip for n in scene.nodes if n.data.get("neuron") == 6)
    assert f"a = {trace.a[6][0]:.3g}, z = {trace.z[6][0]:.3g}" in tooltip
    assert f"b_5 = {net.get_weight(5, 6):.3g}" in tooltip  # the folded bias
    assert "edges: weight" in net.to_graphviz(trace, grads, view="compact", color_by="weight").scene.notes[-1]


# ----------------------------------------------------------------- overview
def test_overview_of_a_layered_network_has_one_node_per_layer_with_the_counts():
    net = ag.layered([784, 16, 10], seed=0)
    trace = net.forward(np.zeros((1, 784)))
    grads = net.backward(trace, np.zeros((1, 10)))
    scene = net.to_graphviz(trace, grads, view="overview").scene
    groups = scene_nodes(scene)
    assert [g.label[:2] for g in groups] == [("layer 1", "784 neurons"), ("layer 2", "16 neurons"),
                                             ("layer 3", "10 neurons")]  # fmt: skip
    first, second = scene.edges
    w = np.abs(net.weights)
    into_hidden = [p for p, (i, j) in enumerate(net.edges) if i in net.inputs]
    assert first.label[0] == "12,544 edges"
    assert first.data["mean_abs_w"] == pytest.approx(w[into_hidden].mean())
    assert first.data["mean_abs_gradient"] == pytest.approx(np.abs(grads.weights.flat[into_hidden]).mean())
    assert second.label[0] == "160 edges"
    assert "16 biases, |b|" in " ".join(groups[1].label)


def test_overview_groups_thin_generations_and_shows_skips_as_arcs():
    net = chain(1000)
    scene = net.to_graphviz(view="overview", max_groups=8).scene
    groups = scene_nodes(scene)
    assert len(groups) <= 8
    assert sum(sum(g.data["neurons"].values()) for g in groups) == 1002
    spans = [(g.data["first"], g.data["last"]) for g in groups]
    assert spans[0][0] == 0 and spans[-1][1] == 1001
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(spans))  # consecutive runs of generations
    skip = ag.Network.from_networkx(nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C")]), seed=0)
    arc = next(e for e in skip.to_graphviz(view="overview").scene.edges if (e.tail, e.head) == ("g0", "g2"))
    assert min(y for _, y in arc.points) < arc.points[0][1]  # rises above the row: it spans a column


def test_overview_counts_every_edge_once():
    net = ag.random_dag(400, "gnp", p=0.02, n_inputs=10, n_outputs=3, seed=1)
    scene = net.to_graphviz(view="overview", max_groups=6).scene
    between = sum(e.data["edges"] for e in scene.edges)
    labels = " ".join(" ".join(n.label) for n in scene_nodes(scene))
    inside = sum(int(m.replace(",", "")) for m in re.findall(r"([\d,]+) edges inside", labels))
    bias = sum(int(m.replace(",", "")) for m in re.findall(r"([\d,]+) biases, ", labels))
    assert between + inside + bias == net.n_weights


def test_group_columns_balances_neurons():
    column = np.repeat(np.arange(10), [1, 1, 1, 1, 50, 1, 1, 1, 1, 1])
    groups = group_columns(column, 4)
    assert groups.tolist() == sorted(groups.tolist())  # consecutive
    assert len(set(groups.tolist())) <= 4
    assert groups[4] not in (groups[3], groups[5])  # the wide column stays alone


# ------------------------------------------------------------ the positions
def brute_force_crossings(column, rank, src, dst):
    """Pairs of straight edges that cross, from their coordinates (rows centred per column)."""
    size = np.bincount(column)
    y = rank - (size[column] - 1) / 2
    segments = [(column[s], y[s], column[d], y[d], s, d) for s, d in zip(src, dst, strict=True)]

    def orient(ax, ay, bx, by, cx, cy):
        return np.sign((bx - ax) * (cy - ay) - (by - ay) * (cx - ax))

    count = 0
    for (x0, y0, x1, y1, a, b), (u0, v0, u1, v1, c, d) in itertools.combinations(segments, 2):
        if {a, b} & {c, d}:
            continue
        if (orient(x0, y0, x1, y1, u0, v0) * orient(x0, y0, x1, y1, u1, v1) < 0
                and orient(u0, v0, u1, v1, x0, y0) * orient(u0, v0, u1, v1, x1, y1) < 0):  # fmt: skip
            count += 1
    return count


@pytest.mark.parametrize("seed", range(4))
def test_count_crossings_agrees_with_geometry(seed):
    net = ag.random_dag(40, "gnp", p=0.15, n_inputs=4, n_outputs=2, bias=None, seed=seed)
    ix = net.indexed()
    column = L.column_numbers(net)
    rng = np.random.default_rng(seed)
    rank = L._ranks(column, rng.random(column.size))  # a random order inside each column
    assert L.count_crossings(column, rank, ix.src, ix.dst) == brute_force_crossings(column, rank, ix.src, ix.dst)


def test_barycentre_sweeps_remove_crossings_the_graph_order_has():
    # inputs a, b; hidden c, d added in the order that crosses: a → d, b → c
    net = ag.Network(seed=0)
    for k in ("a", "b"):
        net.add_input(k)
    for k in ("c", "d"):
        net.add_neuron(k)
    net.add_output("y")
    for i, j in [("a", "d"), ("b", "c"), ("c", "y"), ("d", "y")]:
        net.connect(i, j)
    lay = L.layout(net)
    assert (lay.crossings_before, lay.crossings) == (1, 0)
    x = dict(zip(net.neurons, lay.y, strict=True))
    assert (x["a"] < x["b"]) == (x["d"] < x["c"])


@pytest.mark.parametrize("make", [lambda: ag.random_dag(300, "gnp", p=0.03, n_inputs=8, n_outputs=3, seed=0),
                                  lambda: ag.random_dag(300, "watts_strogatz", k=4, p=0.25, seed=0)])  # fmt: skip
def test_the_sweeps_never_give_more_crossings_than_the_graph_order(make):
    net = make()
    ix = net.indexed()
    column = L.column_numbers(net, fold_biases=True)
    rank, after, before = L.order_columns(column, ix.src, ix.dst)
    assert after <= before
    assert after == L.count_crossings(column, rank, ix.src, ix.dst, L.SPAN_COUNTED)
    for c in range(int(column.max()) + 1):  # each column's ranks are 0 … n−1
        assert sorted(rank[column == c].tolist()) == list(range(int((column == c).sum())))


def test_tall_columns_split_into_sub_columns_in_rank_order():
    column = np.zeros(200, dtype=np.int64)
    column[-1] = 1
    rank = np.concatenate([np.arange(199), [0]])
    p = L.place(column, rank)
    assert len(np.unique(np.round(p["x"][:199], 3))) == -(-199 // L.MAX_ROWS)  # 4 sub-columns
    assert np.all(np.diff(p["y"][:199]) >= 0)  # filled row by row: y grows with the rank


# ------------------------------------------------------------- without dot
@pytest.mark.parametrize("view", ["compact", "overview"])
def test_without_dot_the_library_views_write_svg_directly(monkeypatch, tmp_path, ws, view):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no Graphviz binary on PATH
    assert shutil.which("dot") is None
    picture = ws.to_graphviz(view=view)
    path = ag.render(picture, tmp_path / f"{view}.svg")
    root = ET.parse(path).getroot()
    groups = list(root.iter(f"{SVG}g"))
    nodes = [g for g in groups if g.get("class") == "node"]
    edges = [g for g in groups if g.get("class") == "edge"]
    assert len(nodes) == len(picture.scene.nodes) and len(edges) == len(picture.scene.edges)
    assert root.get("width").endswith("pt")
    # Jupyter shows it too
    bundle = picture._repr_mimebundle_()
    assert bundle["image/svg+xml"].count('class="node"') == len(picture.scene.nodes)
    with pytest.raises(ag.GraphvizNotFoundError, match="view='compact'"):
        ag.render(picture, tmp_path / f"{view}.png")
    with pytest.raises(ag.GraphvizNotFoundError, match="apt-get install graphviz"):
        ag.render(ag.running_example().to_graphviz(view="full"), tmp_path / "full.svg")
    assert [p.name for p in tmp_path.iterdir()] == [f"{view}.svg"]  # nothing else written


@needs_dot
@pytest.mark.parametrize("view", ["compact", "overview"])
def test_graphviz_and_the_direct_writer_draw_the_same_picture(tmp_path, ws, view):
    picture = ws.to_graphviz(view=view)
    drawn = ET.parse(ag.render(picture, tmp_path / "dot.svg")).getroot()
    direct = ET.fromstring(scene_svg(picture.scene).split("\n", 1)[1])
    for root in (drawn, direct):
        classes = [g.get("class") for g in root.iter(f"{SVG}g")]
        assert classes.count("node") == len(picture.scene.nodes)
        assert classes.count("edge") == len(picture.scene.edges)
    # Graphviz draws every dot where the scene puts it (up to a shift of the whole picture)
    placed = {}
    for g in drawn.iter(f"{SVG}g"):
        ellipse = g.find(f".//{SVG}ellipse")
        if g.get("class") == "node" and ellipse is not None:
            placed[g.find(f"{SVG}title").text] = (float(ellipse.get("cx")), float(ellipse.get("cy")))
    scene = {n.name: (n.x, n.y) for n in picture.scene.nodes}
    if view == "compact":
        first, *_, last = placed
        for axis in (0, 1):
            moved = placed[last][axis] - placed[first][axis]
            assert moved == pytest.approx(scene[last][axis] - scene[first][axis], abs=0.05)


@needs_dot
def test_rendered_compact_svg_names_every_neuron_in_its_tooltip(tmp_path):
    net = ag.layered([6, 5, 3], seed=0)
    root = ET.parse(ag.render(net.to_graphviz(view="compact"), tmp_path / "net.svg")).getroot()
    titles = [a.get("{http://www.w3.org/1999/xlink}title") for a in root.iter(f"{SVG}a")]
    for k in net.neurons:
        if k not in net.biases:
            assert any(t and t.startswith(f"{k} (") for t in titles), k


@needs_dot
def test_the_rendered_overview_shows_every_group_and_its_counts(tmp_path):
    net = ag.add_skip_connections(ag.layered([12, 6, 6, 3], seed=0), span=2)
    scene = net.to_graphviz(view="overview").scene
    root = ET.parse(ag.render(net.to_graphviz(view="overview"), tmp_path / "overview.svg")).getroot()
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    groups = net.generations()
    for g, members in enumerate(groups):
        shown = [k for k in members if k not in net.biases]
        assert f"generation {g + 1}" in texts
        assert f"{len(shown)} neuron{'s' * (len(shown) != 1)}" in texts
    counts = {}
    for i, j in net.edges:
        if i not in net.biases:
            a = next(g for g, m in enumerate(groups) if i in m)
            b = next(g for g, m in enumerate(groups) if j in m)
            counts[a, b] = counts.get((a, b), 0) + 1
    assert sorted(counts.values()) == sorted(e.data["edges"] for e in scene.edges)
    for n in counts.values():
        assert f"{n} edge{'s' * (n != 1)}" in texts
    assert any(e.data["from"] == 0 and e.data["to"] == 2 for e in scene.edges)  # the skip edges: an arc


def test_the_render_command_takes_a_view_and_a_timeout(tmp_path, capsys, monkeypatch):
    from autograd_graph.cli import main

    saved = tmp_path / "net.json"
    ag.save(ag.layered([64, 16, 10], seed=0), saved)
    monkeypatch.setenv("PATH", str(tmp_path / "no-graphviz"))  # the library's views need no Graphviz for SVG
    for view in ("compact", "overview"):
        target = tmp_path / f"{view}.svg"
        assert main(["render", str(saved), "-o", str(target), "--view", view, "--timeout", "5"]) == 0
        assert f"({view} view)" in capsys.readouterr().out
        assert target.read_text(encoding="utf-8").count('class="node"') > 2
    assert main(["render", str(saved), "--view", "compact", "--max-per-rank", "3"]) != 0
    assert "max_per_rank is for the full view" in capsys.readouterr().err


def test_a_copy_keeps_the_view_and_the_scene():
    g = ag.layered([64, 16, 10], seed=0).to_graphviz()
    copy = g.copy()
    assert (copy.view, copy.size, copy.scene, copy.source) == (g.view, g.size, g.scene, g.source)
