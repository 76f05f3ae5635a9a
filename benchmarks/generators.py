"""The networks the benchmarks run on, as plain ``nx.DiGraph`` objects.

Both generators are vectorized with numpy so that a 10^6-edge graph is built
in seconds; they set the node attributes ``kind`` and ``activation`` and the
edge attribute ``weight`` that :meth:`autograd_graph.Network.from_networkx`
reads. (The package's own topology builders are a separate piece of work;
these exist only so the benchmarks do not depend on it.)
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

__all__ = ["random_dag", "random_dag_arrays", "DagArrays", "layered", "init_weights"]


def init_weights(src: np.ndarray, dst: np.ndarray, n_nodes: int, rng: np.random.Generator) -> np.ndarray:
    """Uniform in ``±1/√fan_in`` of the target, as ``torch.nn.Linear`` (and the package)."""
    fan_in = np.bincount(dst, minlength=n_nodes)[dst]
    return rng.uniform(-1.0, 1.0, src.size) / np.sqrt(fan_in)


def _graph(kinds: list[str], activations: list[str | None], src, dst, weights) -> nx.DiGraph:
    G = nx.DiGraph()
    G.add_nodes_from(
        (n, {"kind": k} if act is None else {"kind": k, "activation": act})
        for n, (k, act) in enumerate(zip(kinds, activations, strict=False))
    )
    G.add_weighted_edges_from(zip(src.tolist(), dst.tolist(), weights.tolist(), strict=False))
    return G


def random_dag(
    n_edges: int,
    *,
    n_neurons: int | None = None,
    n_inputs: int = 16,
    n_outputs: int = 4,
    activation: str = "tanh",
    seed: int = 0,
) -> nx.DiGraph:
    """A random non-layered DAG: Erdős–Rényi edges oriented by node order, plus a bias.

    Nodes ``0 … n_inputs−1`` are inputs, node ``n_inputs`` is the bias neuron,
    the last ``n_outputs`` nodes are outputs, the rest hidden; every hidden and
    output neuron has ``activation``. The bias feeds every hidden and output
    neuron; every one of them also gets one edge from a uniformly drawn earlier
    (non-bias) node, and the remaining edges are drawn uniformly among all
    pairs ``i < j``. The depth grows only slowly with size (about 30
    generations at 2,000 neurons, 40 at 100,000), so wider graphs mean wider
    generations.

    Parameters
    ----------
    n_edges : int
        Total number of edges, bias edges included.
    n_neurons : int, optional
        Defaults to ``n_edges // 10`` (a mean fan-in of about 10).
    """
    arrays = random_dag_arrays(n_edges, n_neurons=n_neurons, n_inputs=n_inputs, n_outputs=n_outputs,
                               activation=activation, seed=seed)  # fmt: skip
    return _graph(arrays.kinds, arrays.activations, arrays.src, arrays.dst, arrays.weights)


@dataclass
class DagArrays:
    """A network as the arrays ``Network.from_arrays`` reads (node ``i`` is neuron ``i``)."""

    src: np.ndarray
    dst: np.ndarray
    weights: np.ndarray
    kinds: list[str]
    activations: list[str | None]


def random_dag_arrays(
    n_edges: int,
    *,
    n_neurons: int | None = None,
    n_inputs: int = 16,
    n_outputs: int = 4,
    activation: str = "tanh",
    seed: int = 0,
) -> DagArrays:
    """The edges of :func:`random_dag` as arrays, for sizes whose ``nx.DiGraph`` would not fit (10^7 edges)."""
    n = n_edges // 10 if n_neurons is None else n_neurons
    rng = np.random.default_rng(seed)
    bias = n_inputs
    targets = np.arange(n_inputs + 1, n)  # every hidden and output neuron
    n_free = n_edges - 2 * targets.size
    if n_free < 0 or n_outputs > targets.size:
        raise ValueError(f"{n_edges} edges cannot wire {n} neurons (need at least {2 * targets.size})")
    # one edge from an earlier non-bias node into every target: draw from [0, t − 1) and skip the bias
    first = rng.integers(0, targets - 1)
    first += first >= bias
    keys = first * n + targets  # edge i → j as the key i·n + j
    while keys.size < targets.size + n_free:
        need = targets.size + n_free - keys.size
        i = rng.integers(0, n, 2 * need + 16)
        j = rng.integers(bias + 1, n, i.size)
        fresh = np.sort(i * n + j)  # np.unique's hashing (numpy 2.3+) takes 24 s here at 10^7
        fresh = fresh[np.concatenate([[True], fresh[1:] != fresh[:-1]])]
        known = np.sort(keys)  # membership by binary search: np.isin's sort of both takes minutes at 10^7
        found = known[np.minimum(np.searchsorted(known, fresh), known.size - 1)] == fresh
        fresh = fresh[(fresh // n < fresh % n) & (fresh // n != bias) & ~found]
        keys = np.concatenate([keys, rng.permutation(fresh)[:need]])
    src, dst = [keys // n], [keys % n]
    src.append(np.full(targets.size, bias))
    dst.append(targets)
    src, dst = np.concatenate(src), np.concatenate(dst)
    kinds = ["input"] * n_inputs + ["bias"] + ["hidden"] * (n - n_inputs - 1 - n_outputs) + ["output"] * n_outputs
    activations: list[str | None] = [None] * (n_inputs + 1) + [activation] * (n - n_inputs - 1)
    return DagArrays(src, dst, init_weights(src, dst, n, rng), kinds, activations)


def layered(
    sizes: list[int], *, activation: str = "relu", output_activation: str = "identity", seed: int = 0
) -> nx.DiGraph:
    """A fully connected layered network with one bias neuron per non-output layer.

    Nodes are numbered layer by layer, each layer's bias neuron after its
    neurons; edges come in ``G.edges`` order (source by source), so every
    layer's weights form a regular block of the flat weight vector.
    """
    rng = np.random.default_rng(seed)
    kinds: list[str] = []
    activations: list[str | None] = []
    starts = []
    for depth, size in enumerate(sizes):
        last = depth == len(sizes) - 1
        kind = "input" if depth == 0 else "output" if last else "hidden"
        act = None if depth == 0 else output_activation if last else activation
        starts.append(len(kinds))
        kinds += [kind] * size
        activations += [act] * size
        if not last:
            kinds.append("bias")
            activations.append(None)
    src, dst = [], []
    for k in range(len(sizes) - 1):
        source = np.arange(starts[k], starts[k] + sizes[k] + 1)  # the layer and its bias neuron
        target = np.arange(starts[k + 1], starts[k + 1] + sizes[k + 1])
        src.append(np.repeat(source, target.size))
        dst.append(np.tile(target, source.size))
    src, dst = np.concatenate(src), np.concatenate(dst)
    return _graph(kinds, activations, src, dst, init_weights(src, dst, len(kinds), rng))
