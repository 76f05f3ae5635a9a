"""ag.neighborhood (one neuron and its neighbours, in the full view) and ag.plot_weights (matrices, histograms)."""

import re
import shutil
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.show.matrices import weight_matrix
from autograd_graph.show.neighborhood import within

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
NODE = re.compile(r'^\s*(\S+) \[label="?([^"\s\]]*)', re.M)


@pytest.fixture
def example():
    net = ag.running_example(seed=0)
    trace = net.forward([[0.5]])
    return net, trace, net.backward(trace, [[1.0]])


def drawn_labels(picture):
    """``{DOT name: first line of its label}`` of every node."""
    return {name: label.split("\\n")[0] for name, label in NODE.findall(picture.source)}


# -------------------------------------------------------------- neighborhood
def test_within_follows_edges_in_and_out():
    net = ag.running_example()
    assert within(net, 9, 1) == {6, 7, 8, 9}
    assert within(net, 9, 2) == {3, 4, 5, 6, 7, 8, 9}
    assert within(net, 1, 3) == {1, 3, 4, 6, 7, 9}
    assert within(net, 4, 1) == {1, 2, 4, 6, 7}  # not 3: a sibling is two hops away, one in and one out


def test_neighborhood_cuts_with_more_nodes_that_count_what_is_left_out():
    net = ag.layered([6, 4, 3], seed=0)  # 1–6 inputs, 7 bias, 8–11 hidden, 12 bias, 13–15 outputs
    g = ag.neighborhood(net, 13)
    labels = drawn_labels(g)
    shown = {label for name, label in labels.items() if re.fullmatch(r"n\d+", name)}
    assert shown == {"8", "9", "10", "11", "12", "13"}
    more = sorted(int(label[1:]) for name, label in labels.items() if name.startswith("cut_"))
    # each hidden neuron: 6 inputs and a bias in, 2 more outputs out; the bias 12: 2 more outputs
    assert more == sorted([7] * 4 + [2] * 4 + [2])
    assert "penwidth=3" in next(line for line in g.source.splitlines() if line.strip().startswith("n12 ["))


def test_neighborhood_equations_are_explains_numbers(example):
    net, trace, grads = example
    g = ag.neighborhood(net, 4, trace=trace, grads=grads, number_format=".4g")
    lines = g.graph_attr["label"].split("\\l")
    explained = str(ag.explain(net, trace, grads, 4))
    gradients = [line for line in lines if line.startswith("∂")]
    assert len(gradients) == 2
    for equation in gradients:  # the same sums, the same numbers
        assert equation.split(" = ")[-1] in explained
    assert lines[1].startswith("a_4 = w_1,4·z_1 + w_2,4 = ")
    assert f"{grads.a[4][0]:.4g}" in lines[-2]


def test_neighborhood_refuses_bad_input(example):
    net, _, _ = example
    with pytest.raises(ag.UnknownNeuronError, match="no neuron 42"):
        ag.neighborhood(net, 42)
    for hops in (0, 1.5, True):
        with pytest.raises(ag.PictureOptionError, match="hops must be a whole number"):
            ag.neighborhood(net, 4, hops)
    with pytest.raises(ag.UnknownPictureOptionError, match="max_groups is for the overview"):
        ag.neighborhood(net, 4, max_groups=3)


def test_neighborhood_of_a_neuron_with_a_huge_fan_in_caps_its_ranks():
    net = ag.layered([784, 16, 10], seed=0)
    g = ag.neighborhood(net, 790, max_per_rank=8)
    labels = drawn_labels(g)
    assert "+777" in labels.values()  # "+777 more": 784 inputs and the bias, 8 shown
    assert g.view == "full"


@needs_dot
def test_neighborhood_renders(tmp_path, example):
    net, trace, grads = example
    root = ET.parse(ag.render(ag.neighborhood(net, 6, trace=trace, grads=grads), tmp_path / "n.svg")).getroot()
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any(t.startswith("a_6 = w_3,6·z_3 + w_4,6·z_4 + w_5,6 = ") for t in texts)
    assert texts.count("+2 more") == 3 and texts.count("+1 more") == 2


# ------------------------------------------------------------------ weights
def test_the_weight_matrix_holds_each_weight_at_its_target_and_source():
    net = ag.running_example(seed=0)
    m = weight_matrix(net)
    rows, columns = m["rows"], m["columns"]
    for (i, j), w in zip(net.edges, net.weights, strict=True):
        assert m["matrix"][rows.index(j), columns.index(i)] == pytest.approx(w)
    assert np.isnan(m["matrix"]).sum() == len(rows) * len(columns) - net.n_weights  # blank where no edge
    assert not any(m["binned"])


def test_a_big_matrix_is_binned_by_the_mean_of_each_cell():
    net = ag.layered([784, 16, 10], seed=0)
    m = weight_matrix(net, max_cells=100)
    assert m["matrix"].shape[1] == 100 and m["binned"][1]
    # an independent count: cell (r, c) holds the edges whose target and source positions fall in it
    n_rows, n_cols = m["shape"]
    # a layered network is numbered layer by layer, and full layers keep their order: graph order on both axes
    rows_of = {k: p for p, k in enumerate(n for n in net.neurons if net.graph.in_degree(n))}
    cols_of = {k: p for p, k in enumerate(n for n in net.neurons if net.graph.out_degree(n))}
    sums = np.zeros((m["matrix"].shape[0], 100))
    counts = np.zeros_like(sums)
    for (i, j), w in zip(net.edges, net.weights, strict=True):
        r, c = rows_of[j] * m["matrix"].shape[0] // n_rows, cols_of[i] * 100 // n_cols
        sums[r, c] += w
        counts[r, c] += 1
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(m["matrix"], sums / counts, equal_nan=True)


def test_boundaries_fall_between_layers():
    net = ag.layered([5, 4, 3], seed=0)
    m = weight_matrix(net)
    assert m["row_breaks"] == [4]  # 4 hidden, then 3 outputs
    assert m["column_breaks"] == [6]  # 5 inputs and a bias, then 4 hidden and a bias


def test_plot_weights_returns_a_figure_and_shows_nothing(example):
    net, _, grads = example
    figure = ag.plot_weights(net, grads)
    heatmaps = [ax for ax in figure.axes if ax.images]
    assert len(heatmaps) == 2
    np.testing.assert_allclose(np.ma.filled(heatmaps[1].images[0].get_array(), np.nan),
                               weight_matrix(net, grads.weights.flat)["matrix"], equal_nan=True)  # fmt: skip
    histograms = [ax for ax in figure.axes if ax.get_title().endswith("into each layer")]
    total = sum(patch.get_path().vertices.shape[0] > 0 for ax in histograms for patch in ax.patches)
    assert total == 2 * 3  # one histogram per layer with inputs (2, 3, 4), weights and gradients
    if "matplotlib.pyplot" in sys.modules:
        assert sys.modules["matplotlib.pyplot"].get_fignums() == []


def test_plot_weights_refuses_bad_input(example):
    net, _, grads = example
    with pytest.raises(ag.PictureOptionError, match="max_cells"):
        ag.plot_weights(net, max_cells=0)
    other = ag.layered([2, 2, 1], seed=0)
    trace = other.forward([[0.0, 1.0]])
    with pytest.raises(ag.ShapeError, match="9 weight gradients, the network has 12 weights"):
        ag.plot_weights(net, other.backward(trace, [[1.0]]))
