"""Network summaries: neuron counts by kind, edges, bias edges, layers, and the printed table."""

import io

import autograd_graph as ag
from autograd_graph.build.builders import densenet, from_edge_list, layered
from autograd_graph.show.summary import print_summary, summary, summary_table


def test_running_example_summary():
    assert summary(ag.running_example()) == {
        "neurons": {"input": 1, "bias": 3, "hidden": 4, "output": 1, "total": 9},
        "edges": 12,
        "bias_edges": 5,
        "layered": True,
        "layers": 4,
        "generations": 4,
        "depth": 3,
        "width": [4, 2, 2, 1],  # generation 0 holds the input and all three bias neurons
        "skip_edges": 0,
        "fan_in": {"min": 2, "mean": 2.4, "max": 3},
        "fan_out": {"min": 1, "mean": 1.5, "max": 2},
    }


def test_non_layered_triangle():
    info = summary(from_edge_list([("A", "B"), ("A", "C"), ("B", "C")]))
    assert (info["layered"], info["layers"], info["generations"], info["depth"]) == (False, None, 3, 2)
    assert info["skip_edges"] == 1  # A → C jumps over B's generation
    assert info["width"] == [1, 1, 1]


def test_digit_network_and_densenet_counts():
    info = summary(layered([784, 16, 10]))
    assert info["edges"] == 12_730 and info["bias_edges"] == 26
    assert info["fan_in"] == {"min": 17, "mean": (16 * 785 + 10 * 17) / 26, "max": 785}
    assert info["width"] == [786, 16, 10]
    dense = summary(densenet([2, 3, 3, 1]))
    assert dense["skip_edges"] == 2 * 3 + 2 * 1 + 3 * 1  # every edge that jumps a layer
    assert dense["layered"] is False and dense["depth"] == 3


def test_table_lists_every_entry():
    net = ag.running_example()
    text = summary_table(net)
    assert [line.split()[0] for line in text.splitlines()] == list(summary(net))
    assert "width        4 2 2 1" in text and "layers       4" in text
    out = io.StringIO()
    print_summary(net, file=out)
    assert out.getvalue() == text + "\n"
    assert "layers       -" in summary_table(densenet([2, 2, 1]))
