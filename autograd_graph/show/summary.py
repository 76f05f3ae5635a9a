"""A summary of a network's topology, as a dict and as a printed table.

Generations are the compiled scheduler's stages (generation 0 holds the
inputs and bias neurons). A *skip edge* spans more than one generation; edges
out of bias neurons are not counted as skip edges (a bias neuron sits in
generation 0 whichever layer it belongs to).

Examples
--------
>>> from autograd_graph.build.running_example import running_example
>>> info = summary(running_example())
>>> info["neurons"], info["layers"], info["width"], info["skip_edges"]
({'input': 1, 'bias': 3, 'hidden': 4, 'output': 1, 'total': 9}, 4, [4, 2, 2, 1], 0)
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from typing import Any, TextIO

import numpy as np

from .. import topology
from ..network import KINDS, Network

__all__ = ["summary", "summary_table", "print_summary"]


def _stats(values: Iterable[int]) -> dict[str, float]:
    array = np.fromiter(values, dtype=float)
    if array.size == 0:
        return {"min": 0, "mean": 0.0, "max": 0}
    return {"min": int(array.min()), "mean": float(array.mean()), "max": int(array.max())}


def summary(net: Network) -> dict[str, Any]:
    """The topology of ``net`` in numbers.

    Returns
    -------
    dict
        ``neurons``: count per kind and ``total``; ``edges``: number of edges
        (= weights, bias weights included); ``bias_edges``: edges out of bias
        neurons; ``layered``: bool; ``layers``: number of layers, or None when
        not layered; ``generations``: number of topological generations;
        ``depth``: edges on the longest path; ``width``: neurons per
        generation; ``skip_edges``: edges spanning more than one generation
        (bias edges excluded); ``fan_in``: min/mean/max incoming edges over
        hidden and output neurons; ``fan_out``: min/mean/max outgoing edges over
        input, bias and hidden neurons.

    Examples
    --------
    >>> from autograd_graph.build.builders import from_edge_list
    >>> info = summary(from_edge_list([("A", "B"), ("A", "C"), ("B", "C")]))
    >>> info["layered"], info["layers"], info["depth"], info["skip_edges"]
    (False, None, 2, 1)
    >>> info["fan_in"]
    {'min': 1, 'mean': 1.5, 'max': 2}
    """
    graph = net.graph
    generation = topology.generation_numbers(graph)
    per_generation = Counter(generation.values())
    kind = dict(graph.nodes(data="kind"))
    layered = net.is_layered()
    return {
        "neurons": {**{k: sum(1 for v in kind.values() if v == k) for k in KINDS}, "total": net.n_neurons},
        "edges": net.n_weights,
        "bias_edges": sum(1 for u, _ in graph.edges if kind[u] == "bias"),
        "layered": layered,
        "layers": len(net.layers()) if layered else None,
        "generations": len(per_generation),
        "depth": net.depth(),
        "width": [per_generation[g] for g in range(len(per_generation))],
        "skip_edges": sum(1 for u, v in graph.edges if kind[u] != "bias" and generation[v] - generation[u] > 1),
        "fan_in": _stats(d for n, d in graph.in_degree if kind[n] in ("hidden", "output")),
        "fan_out": _stats(d for n, d in graph.out_degree if kind[n] in ("input", "bias", "hidden")),
    }


def _format(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {_format(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:.3g}"
    return "-" if value is None else str(value)


def summary_table(net: Network) -> str:
    """:func:`summary` as a two-column text table.

    Examples
    --------
    >>> from autograd_graph.build.running_example import running_example
    >>> print(summary_table(running_example()))
    neurons      input 1, bias 3, hidden 4, output 1, total 9
    edges        12
    bias_edges   5
    layered      True
    layers       4
    generations  4
    depth        3
    width        4 2 2 1
    skip_edges   0
    fan_in       min 2, mean 2.4, max 3
    fan_out      min 1, mean 1.5, max 2
    """
    info = summary(net)
    width = max(map(len, info)) + 2
    return "\n".join(f"{key:<{width}}{_format(value)}" for key, value in info.items())


def print_summary(net: Network, file: TextIO | None = None) -> None:
    """Print :func:`summary_table` (to ``sys.stdout`` by default).

    Examples
    --------
    >>> import io
    >>> from autograd_graph.build.builders import from_edge_list
    >>> buffer = io.StringIO()
    >>> print_summary(from_edge_list([("A", "B"), ("A", "C"), ("B", "C")]), file=buffer)
    >>> print(buffer.getvalue().splitlines()[-3])
    skip_edges   1
    """
    print(summary_table(net), file=sys.stdout if file is None else file)
