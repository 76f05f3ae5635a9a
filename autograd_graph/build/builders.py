"""Builders of network topologies: layered, DenseNet-style, skip connections, edge lists.

Layered networks are numbered as the sources number their running example:
neurons ``1, 2, …`` layer by layer, each non-output layer's bias neuron last in
its layer. The flat weights (``net.edges`` order: grouped by source neuron)
then hold each layer's matrix ``A_k = [W_k | b_k]`` (see
:mod:`autograd_graph.build.matrix`) column by column, and the compiled engine reads
each layer's weight matrix as a strided view of the flat weight vector,
without a copy.

Every builder takes a ``seed`` and draws all weights before returning, so the
seed alone fixes the network.

Examples
--------
>>> net = layered([1, 2, 2, 1], seed=0)
>>> net.layers()
[[1, 2], [3, 4, 5], [6, 7, 8], [9]]
>>> layered([784, 16, 10]).n_weights    # 784·16 + 16 + 16·10 + 10
12730
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence

import networkx as nx
import numpy as np

from .._checks import fraction, whole_number
from ..activations import Activation
from ..exceptions import BuilderError, DuplicateEdgeError
from ..network import Network

__all__ = ["layered", "densenet", "add_skip_connections", "from_edge_list"]

ActivationSpec = str | Activation
Seed = int | np.random.Generator | None


def _check_sizes(sizes: Sequence[int]) -> list[int]:
    sizes = list(sizes)
    if len(sizes) < 2:
        raise BuilderError(f"sizes needs at least two layers (inputs and outputs), got {sizes!r}")
    return [whole_number(f"the size of layer {k}", size, BuilderError) for k, size in enumerate(sizes, start=1)]


def _per_layer(value, count: int, what: str) -> list:
    """One value per layer: a single value repeated, or a sequence of exactly ``count``."""
    if isinstance(value, (str, Activation, bool)) or callable(value) or not isinstance(value, Iterable):
        # one for all (a plain function too; anything else is checked where it is used)
        return [value] * count
    values = list(value)
    if len(values) != count:
        raise BuilderError(f"{what} needs one entry per layer it applies to ({count}), got {len(values)}")
    return values


def _connection_mask(n_targets: int, n_sources: int, density: float, rng: np.random.Generator) -> np.ndarray:
    """Which (target, source) pairs to connect: ``round(density · n_t · n_s)`` of them,
    at least one per target and one per source, so that no neuron is cut off."""
    if density == 1.0:
        return np.ones((n_targets, n_sources), dtype=bool)
    cover = max(n_targets, n_sources)
    keep = np.zeros((n_targets, n_sources), dtype=bool)
    # pair the i-th of a random order of targets with the i-th of sources (cycling
    # the shorter list): every target and every source gets an edge
    steps = np.arange(cover)
    keep[rng.permutation(n_targets)[steps % n_targets], rng.permutation(n_sources)[steps % n_sources]] = True
    wanted = max(round(density * n_targets * n_sources), cover)
    free = np.flatnonzero(~keep.ravel())
    keep.flat[rng.choice(free, wanted - cover, replace=False)] = True
    return keep


def _chain(
    sizes: Sequence[int],
    source_layers: Callable[[int], Iterable[int]],
    *,
    activation: ActivationSpec | Sequence[ActivationSpec],
    output_activation: ActivationSpec,
    bias: bool | Sequence[bool],
    density: float,
    seed: Seed,
) -> Network:
    """A chain of layers where layer ``k`` is fed by the layers ``source_layers(k)``
    (and by the previous layer's bias neuron)."""
    sizes = _check_sizes(sizes)
    density = fraction("density", density, BuilderError, low_open=True)
    n_layers = len(sizes)
    activations = [None, *_per_layer(activation, n_layers - 2, "activation"), output_activation]
    has_bias = _per_layer(bias, n_layers - 1, "bias")
    rng = np.random.default_rng(seed)

    G = nx.DiGraph()
    layers: list[list[int]] = []
    biases: list[int | None] = []
    for k, size in enumerate(sizes):
        first = G.number_of_nodes() + 1
        layers.append(list(range(first, first + size)))
        kind = "input" if k == 0 else "output" if k == n_layers - 1 else "hidden"
        extra = {} if activations[k] is None else {"activation": activations[k]}
        G.add_nodes_from(layers[k], kind=kind, **extra)
        biases.append(first + size if k < n_layers - 1 and has_bias[k] else None)
        if biases[k] is not None:
            G.add_node(biases[k], kind="bias")

    for k in range(1, n_layers):
        sources = [n for j in source_layers(k) for n in layers[j]]
        keep = _connection_mask(len(layers[k]), len(sources), density, rng)  # (targets, sources)
        bias_neuron = biases[k - 1]
        for row, target in enumerate(layers[k]):
            G.add_edges_from((sources[c], target) for c in np.flatnonzero(keep[row]))
            if bias_neuron is not None:
                G.add_edge(bias_neuron, target)
    net = Network.from_networkx(G, seed=rng)
    net.get_weights()  # draws every weight now, so the seed alone fixes the network
    return net


def layered(
    sizes: Sequence[int],
    *,
    activation: ActivationSpec | Sequence[ActivationSpec] = "logistic",
    output_activation: ActivationSpec = "identity",
    density: float = 1.0,
    bias: bool | Sequence[bool] = True,
    seed: Seed = None,
) -> Network:
    """A layered network ``sizes[0] → sizes[1] → … → sizes[-1]``.

    Parameters
    ----------
    sizes : sequence of int
        Neurons per layer, bias neurons not counted: inputs first, outputs last.
    activation : str, Activation or sequence of them, default "logistic"
        The function of hidden neurons: one for all hidden layers, or one per hidden layer.
    output_activation : str or Activation, default "identity"
    density : float in (0, 1], default 1.0
        Fraction of the possible edges between consecutive layers to keep
        (bias edges are always kept). Below 1, every neuron keeps at least one
        incoming and one outgoing edge, so the network stays layered and every
        neuron lies on a path from an input to an output.
    bias : bool or sequence of bool, default True
        Whether each non-output layer has a bias neuron (feeding the next layer).
    seed : int, Generator or None
        Seeds the choice of edges and the weights (uniform in ``±1/√fan_in``).

    Returns
    -------
    Network
        Neurons numbered ``1, 2, …`` layer by layer, each layer's bias neuron last.

    Raises
    ------
    BuilderError
        For fewer than two layers, a non-positive size, a density outside (0, 1].

    Examples
    --------
    >>> net = layered([2, 3, 1], activation="tanh", seed=0)
    >>> net.layers()
    [[1, 2, 3], [4, 5, 6, 7], [8]]
    >>> net.edges[:4]                 # grouped by source: neuron 1 feeds all of layer 2
    [(1, 4), (1, 5), (1, 6), (2, 4)]
    >>> layered([10, 10, 1], density=0.5, seed=0).n_weights   # 50 + 10 bias + 10 + 1 bias
    71
    """
    return _chain(
        sizes,
        lambda k: [k - 1],
        activation=activation,
        output_activation=output_activation,
        bias=bias,
        density=density,
        seed=seed,
    )


def densenet(
    sizes: Sequence[int],
    *,
    activation: ActivationSpec | Sequence[ActivationSpec] = "logistic",
    output_activation: ActivationSpec = "identity",
    density: float = 1.0,
    bias: bool | Sequence[bool] = True,
    seed: Seed = None,
) -> Network:
    """A DenseNet-style network: every layer feeds every later layer.

    Neuron numbering and parameters are those of :func:`layered`; each
    neuron is fed by every neuron of all earlier layers and by the previous
    layer's bias neuron. The result is not layered (its skip edges span
    several generations).

    Examples
    --------
    >>> net = densenet([2, 3, 3, 1], seed=0)
    >>> net.n_weights    # 2·3 + 3 | (2+3)·3 + 3 | (2+3+3)·1 + 1
    36
    >>> net.is_layered(), net.depth()
    (False, 3)
    """
    return _chain(
        sizes,
        range,
        activation=activation,
        output_activation=output_activation,
        bias=bias,
        density=density,
        seed=seed,
    )


def _with_new_edges(net: Network, new: list[tuple], weight: float | None, rng: np.random.Generator) -> Network:
    """A copy of ``net`` with the edges ``new`` added."""
    G = net.to_networkx()
    if weight is None:
        G.add_edges_from(new)
    else:
        G.add_edges_from(new, weight=weight)
    result = Network.from_networkx(G, seed=rng, dtype=net.dtype)
    result.get_weights()  # draws the new weights now
    return result


def _spans(span: int | Iterable[int] | None, n_layers: int) -> list[int]:
    if span is None:
        return list(range(2, n_layers))
    spans = list(span) if isinstance(span, Iterable) else [span]
    # a skip connection spans at least 2 layers (span 1 is an ordinary edge)
    return sorted({whole_number("span", s, BuilderError, minimum=2) for s in spans})


def add_skip_connections(
    net: Network,
    span: int | Iterable[int] | None = 2,
    *,
    probability: float = 1.0,
    weight: float | None = None,
    seed: Seed = None,
) -> Network:
    """A copy of a layered network with skip edges from layer ``k`` to layer ``k + span``.

    Skip edges join the non-bias neurons of the two layers (inputs included);
    bias neurons keep feeding only the next layer. Edges that already exist
    are left as they are.

    Parameters
    ----------
    net : Network
        A layered network; it is not changed.
    span : int, iterable of int, or None, default 2
        How many layers each skip edge jumps (each at least 2); None for every
        span, which connects every layer to all later ones (DenseNet style).
    probability : float in (0, 1], default 1.0
        Each possible skip edge is added with this probability.
    weight : float, optional
        The weight of every new edge; drawn uniformly in ``±1/√fan_in`` when
        omitted. ``weight=0.0`` adds the edges without changing the function.
    seed : int, Generator or None
        Seeds the choice of edges and the new weights.

    Returns
    -------
    Network
        The new network: ``net``'s edges and weights, and the skip edges.

    Raises
    ------
    NotLayeredError
        If ``net`` is not layered.
    BuilderError
        For a span below 2 or a probability outside (0, 1].

    Examples
    --------
    >>> net = layered([2, 3, 3, 1], seed=0)
    >>> skip = add_skip_connections(net, span=2, weight=0.0)
    >>> skip.n_weights - net.n_weights    # 2·3 (layer 1 → 3) + 3·1 (layer 2 → 4)
    9
    >>> bool(abs(skip.forward([[0.3, -0.2]]).output - net.forward([[0.3, -0.2]]).output).max() == 0)
    True
    """
    layers = net.layers()
    probability = fraction("probability", probability, BuilderError, low_open=True)
    spans = _spans(span, len(layers))
    rng = np.random.default_rng(seed)
    graph = net.graph
    neurons = [[n for n in layer if graph.nodes[n]["kind"] != "bias"] for layer in layers]
    new: list[tuple] = []
    for k, targets in enumerate(neurons):
        for s in spans:
            if k - s < 0:
                continue
            sources = neurons[k - s]
            chosen = rng.random((len(targets), len(sources))) < probability  # (targets, sources)
            new.extend(
                (sources[c], target)
                for row, target in enumerate(targets)
                for c in np.flatnonzero(chosen[row])
                if not graph.has_edge(sources[c], target)
            )
    return _with_new_edges(net, new, weight, rng)


def from_edge_list(
    edges: Iterable[tuple],
    *,
    inputs: Sequence[Hashable] | None = None,
    outputs: Sequence[Hashable] | None = None,
    biases: Sequence[Hashable] = (),
    activation: ActivationSpec = "logistic",
    output_activation: ActivationSpec = "identity",
    seed: Seed = None,
) -> Network:
    """A network from a list of edges ``(i, j)`` or ``(i, j, w_ij)``.

    Parameters
    ----------
    edges : iterable of tuples
        ``(source, target)`` or ``(source, target, weight)``. Neurons are
        added inputs first, then biases, hidden neurons in order of first
        appearance, and outputs; ``net.edges`` is grouped by source in that order.
    inputs : sequence, optional
        The input neurons, in the order of the columns of ``X``; by default
        every neuron without incoming edges that is not a bias neuron, in
        order of first appearance.
    outputs : sequence, optional
        The output neurons, in the order of the columns of the output; by
        default every neuron without outgoing edges, in order of first appearance.
    biases : sequence, default ()
        The bias neurons.
    activation, output_activation : str or Activation
        The functions of hidden and output neurons.
    seed : int, Generator or None
        Seeds the weights not given in ``edges``.

    Raises
    ------
    DuplicateEdgeError, CycleError, InvalidEdgeError, IncompleteNetworkError, BuilderError
        Naming the edge or neuron at fault.

    Examples
    --------
    >>> net = from_edge_list([("A", "B", 0.5), ("A", "C", -1.0), ("B", "C", 2.0)])
    >>> net.inputs, net.hidden, net.outputs, net.is_layered()
    (['A'], ['B'], ['C'], False)
    >>> net.forward([[2.0]]).output.round(6)      # −1·2 + 2·σ(0.5·2)
    array([[-0.537883]])
    """
    order: list[tuple] = []
    weights: dict[tuple, float | None] = {}
    for entry in edges:
        if not isinstance(entry, tuple | list) or len(entry) not in (2, 3):
            raise BuilderError(f"each edge must be (source, target) or (source, target, weight), got {entry!r}")
        edge = (entry[0], entry[1])
        if edge in weights:
            raise DuplicateEdgeError(f"edge {edge[0]!r} → {edge[1]!r} appears twice in the edge list")
        order.append(edge)
        weights[edge] = entry[2] if len(entry) == 3 else None
    seen = nx.DiGraph(order)
    biases = list(biases)
    if inputs is None:
        inputs = [n for n in seen if seen.in_degree(n) == 0 and n not in set(biases)]
    if outputs is None:
        outputs = [n for n in seen if seen.out_degree(n) == 0]
    kinds = {**dict.fromkeys(seen, "hidden"), **dict.fromkeys(outputs, "output")}
    kinds.update({**dict.fromkeys(inputs, "input"), **dict.fromkeys(biases, "bias")})
    unknown = [n for n in kinds if n not in seen]
    if unknown:
        raise BuilderError(f"neurons {unknown!r} are named as inputs, outputs or biases but appear in no edge")

    G = nx.DiGraph()
    for node in [*inputs, *biases, *(n for n in seen if kinds[n] == "hidden"), *outputs]:
        if node not in G:
            G.add_node(node, kind=kinds[node])
    for edge in order:
        G.add_edge(*edge, **({} if weights[edge] is None else {"weight": weights[edge]}))
    net = Network.from_networkx(G, hidden_activation=activation, output_activation=output_activation, seed=seed)
    net.get_weights()  # draws the missing weights now
    return net
