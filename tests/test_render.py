"""Pictures: the DOT source of the running example, ranks, options, and rendering with dot."""

import colorsys
import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET

import networkx as nx
import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.show.render import KIND_COLORS, rank_groups

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")

ATTRIBUTE = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^\s\]]+)')
STATEMENT = re.compile(r"^\s*(\S+)(?: -> (\S+))? \[(.*)\]$")


def parse_dot(source, *, ids=True):
    """Nodes {name: attrs}, visible edges {(u, v): attrs}, and the rank=same groups, from DOT text.

    With ``ids``, a neuron's DOT name (its position) is replaced by its id, from its label.
    """
    nodes, edges, ranks, group = {}, {}, [], None
    for line in source.splitlines():
        if line.strip() == "rank=same":
            group = []
            ranks.append(group)
            continue
        if line.strip() == "}":
            group = None
        match = STATEMENT.match(line)
        if not match or match.group(1) in ("graph", "node", "edge"):
            continue
        attrs = {k: unquote(v) for k, v in ATTRIBUTE.findall(match.group(3))}
        source, target = unquote(match.group(1)), match.group(2) and unquote(match.group(2))
        if target is None:
            nodes[source] = attrs
            if group is not None:
                group.append(source)
        elif attrs.get("style") != "invis":
            edges[(source, target)] = attrs
    return by_id(nodes, edges, ranks) if ids else (nodes, edges, ranks)


NEURON_NAME = re.compile(r"^(p\d+_)?n\d+$")  # DOT names neurons by position: n0, n1, ... (p0_n0 in a panel)


def by_id(nodes, edges, ranks):
    """Rename the neurons' DOT nodes to their ids, read off their labels' first line (panels keep their prefix)."""
    ids = {}
    for name, attrs in nodes.items():
        match = NEURON_NAME.match(name)
        ids[name] = (match.group(1) or "") + label_lines(attrs)[0] if match else name
    assert len(set(ids.values())) == len(ids), "two neurons show the same id"
    return (
        {ids[n]: attrs for n, attrs in nodes.items()},
        {(ids.get(u, u), ids.get(v, v)): attrs for (u, v), attrs in edges.items()},
        [[ids[n] for n in group] for group in ranks],
    )


def unquote(text):
    return text[1:-1] if text.startswith('"') else text


def label_lines(attrs):
    return attrs["label"].split("\\n")


def hue_degrees(hex_color):
    r, g, b = (int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hsv(r, g, b)[0] * 360


@pytest.fixture
def example():
    net = ag.running_example(seed=0)
    trace = net.forward([[0.5]])
    return net, trace, net.backward(trace, [[1.0]])


def test_running_example_dot_has_nine_neurons_twelve_edges_and_layer_ranks(example):
    net, _, _ = example
    nodes, edges, ranks = parse_dot(net.to_graphviz().source)
    assert sorted(nodes, key=int) == [str(k) for k in range(1, 10)]
    assert set(edges) == {(str(i), str(j)) for i, j in ag.RUNNING_EXAMPLE_EDGES}
    assert ranks == [[str(k) for k in layer] for layer in net.layers()]
    assert ranks == [["1", "2"], ["3", "4", "5"], ["6", "7", "8"], ["9"]]


def test_running_example_colors_by_kind(example):
    net, _, _ = example
    nodes, _, _ = parse_dot(net.to_graphviz().source)
    for k in net.neurons:
        assert (nodes[str(k)]["fillcolor"], nodes[str(k)]["color"]) == KIND_COLORS[net.kind(k)]
    assert nodes["1"]["fillcolor"] != nodes["3"]["fillcolor"] != nodes["9"]["fillcolor"] != nodes["2"]["fillcolor"]
    # as in the source figures: input green, output red, bias blue
    assert 80 < hue_degrees(nodes["1"]["fillcolor"]) < 160
    assert hue_degrees(nodes["9"]["fillcolor"]) < 20 or hue_degrees(nodes["9"]["fillcolor"]) > 340
    assert 180 < hue_degrees(nodes["5"]["fillcolor"]) < 240
    r, g, b = (int(nodes["6"]["fillcolor"][i : i + 2], 16) for i in (1, 3, 5))
    assert max(r, g, b) - min(r, g, b) < 16  # hidden: neutral grey


def test_neurons_show_id_and_function(example):
    net, _, _ = example
    nodes, _, _ = parse_dot(net.to_graphviz().source)
    assert label_lines(nodes["6"])[:2] == ["6", "logistic"]
    assert label_lines(nodes["9"])[:2] == ["9", "identity"]
    assert label_lines(nodes["1"])[:2] == ["1", "input"]
    assert label_lines(nodes["5"])[:2] == ["5", "bias"]


def test_edge_labels_are_the_weights(example):
    net, _, _ = example
    _, edges, _ = parse_dot(net.to_graphviz(number_format=".5f").source)
    for (i, j), w in zip(net.edges, net.weights, strict=True):
        assert label_lines(edges[(str(i), str(j))]) == [f"{w:.5f}"]


def test_gradient_labels_after_backward(example):
    net, trace, grads = example
    nodes, edges, _ = parse_dot(net.to_graphviz(trace, grads).source)
    for (i, j), w in zip(net.edges, net.weights, strict=True):
        assert label_lines(edges[(str(i), str(j))]) == [f"{w:.3g}", f"∂ℓ/∂w = {grads.weights[(i, j)]:.3g}"]
    for k in (3, 4, 6, 7, 9):
        assert label_lines(nodes[str(k)])[2:] == [
            f"a = {trace.a[k][0]:.3g}",
            f"z = {trace.z[k][0]:.3g}",
            f"∂ℓ/∂a = {grads.a[k][0]:.3g}",
        ]
    assert label_lines(nodes["1"])[2] == "x = 0.5"


def test_values_of_a_chosen_example_of_a_batch():
    net = ag.running_example(seed=1)
    trace = net.forward([[0.1], [0.9], [-0.4]])
    grads = net.backward(trace, [[0.0], [1.0], [0.5]])
    g = net.to_graphviz(trace, grads, example=2)
    nodes, edges, _ = parse_dot(g.source)
    assert f"z = {trace.z[6][2]:.3g}" in label_lines(nodes["6"])
    assert f"∂L/∂a = {grads.a[6][2]:.3g}" in label_lines(nodes["6"])
    share = grads.a[9][2] * trace.z[6][2]
    assert label_lines(edges[("6", "9")])[1] == f"∂L/∂w = {share:.3g}"
    assert "example 2 of 3" in g.graph_attr["label"]
    with pytest.raises(ag.ExampleError, match="out of range for a batch of 3"):
        net.to_graphviz(trace, grads, example=3)


def test_a_b_c_ranks_by_generation():
    net = ag.Network.from_networkx(nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C")]), seed=0)
    _, edges, ranks = parse_dot(net.to_graphviz().source)
    assert ranks == [["A"], ["B"], ["C"]]
    assert set(edges) == {("A", "B"), ("A", "C"), ("B", "C")}


def test_bias_of_a_non_layered_network_sits_before_the_neuron_it_feeds():
    G = nx.DiGraph([("x", "h1"), ("b", "h2"), ("h1", "h2"), ("h2", "y"), ("x", "y")])
    nx.set_node_attributes(G, {"x": "input", "b": "bias", "y": "output"}, "kind")
    net = ag.Network.from_networkx(G, seed=0)
    assert not net.is_layered()
    assert rank_groups(net) == [["x"], ["h1", "b"], ["h2"], ["y"]]  # in the order neurons were added


def test_a_stale_trace_is_refused(example):
    net, trace, grads = example
    net.set_weight(6, 9, 0.0)
    with pytest.raises(ag.StaleTraceError):
        net.to_graphviz(trace, grads)


def test_fold_biases_moves_bias_weights_into_labels(example):
    net, trace, grads = example
    nodes, edges, ranks = parse_dot(net.to_graphviz(trace, grads, fold_biases=True).source)
    assert set(nodes) == {"1", "3", "4", "6", "7", "9"}
    assert len(edges) == 12 - 5
    assert f"b = {net.get_weight(5, 6):.3g}" in label_lines(nodes["6"])
    assert f"∂ℓ/∂b = {grads.weights[(5, 6)]:.3g}" in label_lines(nodes["6"])
    assert ranks == [["1"], ["3", "4"], ["6", "7"], ["9"]]


def test_max_per_rank_adds_a_more_node_with_dashed_edges():
    net = ag.Network(seed=0)
    net.add_input("x")
    net.add_output("y")
    for h in range(10):
        net.add_neuron(f"h{h}")
        net.connect("x", f"h{h}")
        net.connect(f"h{h}", "y")
    nodes, edges, ranks = parse_dot(net.to_graphviz(max_per_rank=3).source)
    assert ranks[1] == ["h0", "h1", "h2", "more_1"]
    assert nodes["more_1"]["label"] == "+7 more"
    assert edges[("x", "more_1")]["style"] == edges[("more_1", "y")]["style"] == "dashed"
    assert len(edges) == 3 * 2 + 2
    with pytest.raises(ValueError, match="max_per_rank"):
        net.to_graphviz(max_per_rank=0)


def test_edge_width_by_magnitude_and_color_by_sign():
    net = ag.running_example([0.1, -2.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, -1.1, 1.2])
    _, edges, _ = parse_dot(net.to_graphviz(edge_width=True, edge_color=True).source)
    width = {e: float(a["penwidth"]) for e, a in edges.items()}
    assert width[("1", "4")] == max(width.values()) and width[("1", "3")] == min(width.values())
    for e, attrs in edges.items():
        r, _, b = (int(attrs["color"][i : i + 2], 16) for i in (1, 3, 5))
        w = net.get_weight(int(e[0]), int(e[1]))
        assert (r > b) == (w < 0), (e, w, attrs["color"])


def test_number_format_can_be_a_callable(example):
    net, _, _ = example
    _, edges, _ = parse_dot(net.to_graphviz(number_format=lambda v: f"{v:+.1f}").source)
    assert label_lines(edges[("6", "9")]) == [f"{net.get_weight(6, 9):+.1f}"]


def test_tooltips_carry_the_formula_with_numbers(example):
    net, trace, grads = example
    nodes, edges, _ = parse_dot(net.to_graphviz(trace, grads, number_format=".4f").source)
    w = {e: f"{net.get_weight(*e):.4f}" for e in net.edges}
    z = {k: f"{trace.z[k][0]:.4f}" for k in net.neurons}
    expected = (
        f"a_6 = w_3,6·z_3 + w_4,6·z_4 + w_5,6 = {w[3, 6]}·{z[3]} + {w[4, 6]}·{z[4]} + {w[5, 6]} = {trace.a[6][0]:.4f}"
    )
    assert nodes["6"]["tooltip"].split("\\n")[0] == expected
    assert edges[("6", "9")]["tooltip"].split("\\n")[1].startswith("∂ℓ/∂w_6,9 = ∂ℓ/∂a_9·z_6 = ")


def test_neuron_ids_that_print_alike_get_distinct_dot_names():
    net = ag.Network(seed=0)
    net.add_input(1)
    net.add_output("1")
    net.connect(1, "1")
    nodes, edges, _ = parse_dot(net.to_graphviz().source, ids=False)
    assert len(nodes) == 2 and len(edges) == 1


def svg_nodes_and_edges(picture, tmp_path):
    svg = ag.render(picture, tmp_path / "deeper" / "net.svg").read_text()
    root = ET.fromstring(svg)
    groups = [g for g in root.iter("{http://www.w3.org/2000/svg}g")]
    nodes = [g for g in groups if g.get("class") == "node"]
    edges = [g for g in groups if g.get("class") == "edge"]
    titles = ["".join(t.itertext()) for g in nodes for t in g.iter("{http://www.w3.org/2000/svg}text")]
    return nodes, edges, titles


@needs_dot
def test_ids_with_colons_are_not_read_as_ports(tmp_path):
    net = ag.from_edge_list([("in:1", "h:1"), ("h:1", "out:1")], seed=0)
    nodes, edges, texts = svg_nodes_and_edges(net, tmp_path)
    assert (len(nodes), len(edges)) == (3, 2)
    assert {"in:1", "h:1", "out:1"} <= set(texts)


@needs_dot
@pytest.mark.parametrize("ids", [("a\\", "b\\c", 'q"uote'), ("node", "edge", "graph"), ("more_0", "n1", "n0")])
def test_any_id_renders_with_its_own_label(tmp_path, ids):
    i, h, o = ids
    net = ag.from_edge_list([(i, h), (h, o), (i, o)], seed=0)
    trace = net.forward([[0.3]])
    picture = net.to_graphviz(trace, net.backward(trace, [[1.0]]), max_per_rank=1)
    nodes, edges, texts = svg_nodes_and_edges(picture, tmp_path)
    assert len(nodes) == 3 and len(edges) == 3
    assert {i, h, o} <= set(texts)


def test_a_neuron_named_like_the_more_node_stays_apart():
    net = ag.Network(seed=0)
    net.add_input("x")
    for k in ("more_1", "h"):
        net.add_neuron(k)
        net.connect("x", k)
    net.add_output("y")
    net.connect("more_1", "y")
    net.connect("h", "y")
    nodes, edges, _ = parse_dot(net.to_graphviz(max_per_rank=1).source, ids=False)
    labels = sorted(label_lines(attrs)[0] for attrs in nodes.values())
    assert labels == ["+1 more", "more_1", "x", "y"]  # the neuron, and the node standing for the hidden "h"
    assert len(edges) == 4  # x → more_1 → y drawn; x ⇢ +1 more ⇢ y dashed


def test_side_by_side_puts_each_network_in_its_own_cluster():
    skip = ag.Network.from_networkx(nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C")]), seed=0)
    net = ag.running_example(seed=0)
    trace = net.forward([[0.5]])
    g = ag.side_by_side([(net, trace, net.backward(trace, [[1.0]])), skip], titles=["layered", "not layered"])
    nodes, edges, ranks = parse_dot(g.source)
    assert g.source.count("subgraph cluster_") == 2
    assert len(nodes) == 12 and len(edges) == 15
    assert ["p1_A"] in ranks and ["p0_1", "p0_2"] in ranks
    assert "label=layered" in g.source and 'label="not layered"' in g.source
    with pytest.raises(ValueError, match="titles"):
        ag.side_by_side([net, skip], titles=["one"])


def test_building_needs_no_dot(monkeypatch, tmp_path, example):
    net, trace, grads = example
    monkeypatch.setenv("PATH", str(tmp_path))
    assert "digraph" in net.to_graphviz(trace, grads).source


def test_render_without_dot_says_how_to_install_and_writes_nothing(monkeypatch, tmp_path, example):
    net, _, _ = example
    target = tmp_path / "net.svg"
    target.write_text("previous")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ag.GraphvizNotFoundError, match="apt-get install graphviz"):
        ag.render(net.to_graphviz(), target)
    assert target.read_text() == "previous"
    assert os.listdir(tmp_path) == ["net.svg"]


def test_render_refuses_unknown_formats(tmp_path, example):
    net, _, _ = example
    with pytest.raises(ValueError, match="svg, png, pdf"):
        ag.render(net, tmp_path / "net.gif")


@needs_dot
def test_rendered_svg_is_valid_xml_with_tooltips(tmp_path, example):
    net, trace, grads = example
    path = ag.render(net.to_graphviz(trace, grads), tmp_path / "net.svg")
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    titles = [a.get("{http://www.w3.org/1999/xlink}title") for a in root.iter("{http://www.w3.org/2000/svg}a")]
    assert any(t and t.startswith("a_6 = w_3,6·z_3 + w_4,6·z_4 + w_5,6 = ") for t in titles)
    assert any(t and "∂ℓ/∂w_6,9 = ∂ℓ/∂a_9·z_6" in t for t in titles)


@needs_dot
@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_render_png_and_pdf(tmp_path, fmt, magic):
    net = ag.running_example(seed=0)
    path = ag.render(net, tmp_path / "net.out", format=fmt, edge_color=True)
    assert path.read_bytes().startswith(magic)


@needs_dot
def test_a_failed_write_leaves_the_previous_file(tmp_path, monkeypatch, example):
    net, _, _ = example
    target = tmp_path / "net.svg"
    target.write_text("previous")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        ag.render(net, target)
    assert target.read_text() == "previous"
    assert os.listdir(tmp_path) == ["net.svg"]


def test_big_network_builds_quickly_enough_to_stay_legible():
    # 784 → 16 → 10 with biases: the picture is built (not rendered) with folding and a cap
    edges = [(f"x{i}", f"h{h}") for h in range(16) for i in range(784)]
    edges += [("b1", f"h{h}") for h in range(16)] + [(f"h{h}", f"y{o}") for o in range(10) for h in range(16)]
    edges += [("b2", f"y{o}") for o in range(10)]
    G = nx.DiGraph(edges)
    kinds = {f"x{i}": "input" for i in range(784)} | {f"y{o}": "output" for o in range(10)}
    nx.set_node_attributes(G, kinds | {"b1": "bias", "b2": "bias"}, "kind")
    net = ag.Network.from_networkx(G, seed=0)
    assert net.n_weights == 12_730
    trace = net.forward(np.zeros((1, 784)))
    nodes, _, ranks = parse_dot(net.to_graphviz(trace, view="full", fold_biases=True, max_per_rank=8).source)
    assert [len(r) for r in ranks] == [9, 9, 9]
    assert nodes["more_0"]["label"] == "+776 more"


def test_side_by_side_names_unknown_options():
    with pytest.raises(TypeError, match="unknown options \\['colour'\\]"):
        ag.side_by_side([ag.running_example()], colour=True)


def test_edge_labels_are_left_off_big_pictures_unless_asked():
    G = nx.complete_multipartite_graph(8, 8, 2).to_directed()
    G = nx.DiGraph([(u, v) for u, v in G.edges if u < v])  # 8 → 8 → 2, layer to layer and skipping
    net = ag.Network.from_networkx(G, seed=0)
    _, edges, _ = parse_dot(net.to_graphviz().source)
    assert len(edges) > 60 and not any("label" in attrs for attrs in edges.values())
    _, edges, _ = parse_dot(net.to_graphviz(edge_labels=True).source)
    assert all("label" in attrs for attrs in edges.values())
    _, edges, _ = parse_dot(ag.running_example().to_graphviz(edge_labels=False).source)
    assert not any("label" in attrs for attrs in edges.values())


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda net, tmp: net.to_graphviz(max_per_rank=0), "max_per_rank must be a whole number of at least 1"),
        (lambda net, tmp: net.to_graphviz(rankdir="XY"), "rankdir must be one of 'LR'"),
        (lambda net, tmp: ag.side_by_side([net, net], titles=["one"]), "one title per panel \\(2\\), got 1"),
        (lambda net, tmp: ag.render(net, tmp / "net.jpg"), "'jpg'.*one of svg, png, pdf"),
    ],
)
def test_bad_picture_options_raise_a_picture_option_error(tmp_path, call, expected):
    with pytest.raises(ag.PictureOptionError, match=expected) as caught:
        call(ag.running_example(seed=0), tmp_path)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, ag.AutogradGraphError)


def test_options_that_do_not_apply_raise_an_unknown_picture_option_error():
    net = ag.running_example(seed=0)
    with pytest.raises(ag.UnknownPictureOptionError, match="pass them to to_graphviz") as caught:
        ag.render(net.to_graphviz(), "never.svg", edge_width=True)
    assert isinstance(caught.value, TypeError)
    with pytest.raises(ag.UnknownPictureOptionError, match="'colour'"):
        ag.side_by_side([net], colour=True)


@needs_dot
def test_the_readme_render_line_works_in_a_fresh_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    g = ag.running_example(seed=0).to_graphviz()
    path = ag.render(g, "out/net.svg")
    assert path.read_text().count('class="node"') == 9
    assert os.listdir(tmp_path / "out") == ["net.svg"]  # no temporary file left


def test_binary_cross_entropy_tooltips_show_the_losss_own_da():
    net = ag.from_edge_list([("x", "y", 40.0)], output_activation="logistic")
    trace = net.forward([[1.0]])
    grads = net.backward(trace, [[0.0]], loss="binary_cross_entropy")
    nodes, _, _ = parse_dot(net.to_graphviz(trace, grads, loss="binary_cross_entropy").source)
    assert label_lines(nodes["y"])[-1] == "∂ℓ/∂a = 1"
    assert "∂ℓ/∂a_y = ∂ℓ/∂a_y[loss] = 1" in nodes["y"]["tooltip"]


def svg_positions(path):
    """``{DOT name: (x, y)}`` of every node of a rendered SVG (y grows downwards)."""
    root = ET.parse(path).getroot()
    out = {}
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        if g.get("class") != "node":
            continue
        name = g.find("{http://www.w3.org/2000/svg}title").text
        shape = g.find(".//{http://www.w3.org/2000/svg}ellipse")
        if shape is not None:
            out[name] = (float(shape.get("cx")), float(shape.get("cy")))
        else:  # a box: the mean of its path's points
            points = re.findall(r"(-?[\d.]+),(-?[\d.]+)", g.find(".//{http://www.w3.org/2000/svg}path").get("d"))
            xs, ys = zip(*((float(a), float(b)) for a, b in points), strict=True)
            out[name] = (sum(xs) / len(xs), sum(ys) / len(ys))
    return out


@needs_dot
@pytest.mark.parametrize("rankdir", ["LR", "TB", "RL"])
@pytest.mark.parametrize("panels", [False, True])
def test_the_running_example_keeps_the_sources_order(tmp_path, example, rankdir, panels):
    net, trace, grads = example
    skip = ag.Network.from_networkx(nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C")]), seed=0)
    picture = (ag.side_by_side([(net, trace, grads), skip], rankdir=rankdir) if panels
               else net.to_graphviz(trace, grads, rankdir=rankdir))  # fmt: skip
    where = svg_positions(ag.render(picture, tmp_path / "net.svg"))
    prefix = "p0_" if panels else ""
    at = {k: where[f"{prefix}n{p}"] for p, k in enumerate(net.neurons)}
    axis = 1 if rankdir in ("LR", "RL") else 0  # within a rank: top to bottom, or left to right
    for first, second in [(3, 4), (6, 7), (1, 2), (4, 5), (7, 8)]:
        assert at[first][axis] < at[second][axis], (first, second, at[first], at[second])


class RecordingPopen(subprocess.Popen):
    started: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        RecordingPopen.started.append(self.pid)


@needs_dot
def test_render_stops_dot_at_the_timeout_and_leaves_no_process(tmp_path, monkeypatch):
    net = ag.random_dag(2000, "watts_strogatz", k=4, p=0.25, n_inputs=20, n_outputs=5, seed=0)
    picture = net.to_graphviz(view="full")  # dot would run for many minutes on it
    RecordingPopen.started = []
    monkeypatch.setattr(subprocess, "Popen", RecordingPopen)
    start = time.perf_counter()
    with pytest.raises(ag.RenderTimeoutError, match="within 1 s") as caught:
        ag.render(picture, tmp_path / "net.svg", timeout=1)
    assert time.perf_counter() - start < 10
    message = str(caught.value)
    assert "2,001 neurons and 6,050 edges" in message and "view='compact'" in message
    assert isinstance(caught.value, ag.RenderError) and isinstance(caught.value, TimeoutError)
    [pid] = RecordingPopen.started
    with pytest.raises(ProcessLookupError):  # killed and reaped: not even a zombie is left
        os.kill(pid, 0)
    assert list(tmp_path.iterdir()) == []


def test_render_refuses_a_timeout_that_is_not_positive(tmp_path, example):
    net, _, _ = example
    with pytest.raises(ag.PictureOptionError, match="timeout must be a positive number"):
        ag.render(net, tmp_path / "net.svg", timeout=0)


def test_pictures_know_their_view_and_size(example):
    net, trace, grads = example
    g = net.to_graphviz(trace, grads)
    assert (g.view, g.size, g.scene) == ("full", (9, 12), None)
    assert ag.side_by_side([net, net]).view == "panels"
    compact = ag.side_by_side([net, ag.layered([64, 16, 10])], titles=["small", "big"])
    assert compact.view == "compact" and compact.scene is not None
    assert {n.data.get("panel") for n in compact.scene.nodes if n.name.endswith("_title")} == {0, 1}
