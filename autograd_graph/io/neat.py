"""NEAT in: :func:`from_neat` turns a neat-python genome into a network (neat-python is optional).

neat-python's ``FeedForwardNetwork`` computes each node as
``activation(bias + response · aggregation(w_i · z_i))`` over its enabled
connections, evaluating only the nodes an output depends on. Here that node
becomes a neuron fed by the same connections with the response folded into
their weights (``w_i · response``), plus an edge from one bias neuron
(``"bias"``) carrying ``bias``; ``mean`` aggregation divides the weights by
the number of connections, and any aggregation over one connection is that
connection (over none, its value on no input joins the bias). Disabled
connections and nodes no output depends on are dropped. neat-python's
activations, several of them scaled and clamped (its sigmoid is
``1 / (1 + exp(−clamp(5a, −60, 60)))``), are table entries
(:mod:`.neat_activations`), so the network trains by gradient with
:func:`~autograd_graph.train` and exports like any other.

:func:`neat_config` writes the ``neat.Config`` a feed-forward evolution needs
without a hand-written file.
"""

from __future__ import annotations

import configparser
import os
import tempfile
from collections.abc import Mapping
from typing import Any

import networkx as nx

from ..activations import Activation, get_activation
from ..exceptions import UnsupportedGenomeError
from ..network import Network
from .neat_activations import NEAT_FUNCTIONS, NEAT_NAMES, register_neat_activations

__all__ = ["from_neat", "neat_config", "BIAS"]

BIAS = "bias"  # the id of the bias neuron (NEAT's node keys are integers)

_CONFIG = """
[NEAT]
fitness_criterion = max
fitness_threshold = 3.9
pop_size = 150
reset_on_extinction = False
no_fitness_termination = False

[DefaultGenome]
activation_default = sigmoid
activation_mutate_rate = 0.0
activation_options = sigmoid
aggregation_default = sum
aggregation_mutate_rate = 0.0
aggregation_options = sum
bias_init_mean = 0.0
bias_init_stdev = 1.0
bias_init_type = gaussian
bias_max_value = 30.0
bias_min_value = -30.0
bias_mutate_power = 0.5
bias_mutate_rate = 0.7
bias_replace_rate = 0.1
compatibility_disjoint_coefficient = 1.0
compatibility_weight_coefficient = 0.5
conn_add_prob = 0.5
conn_delete_prob = 0.5
enabled_default = True
enabled_mutate_rate = 0.01
enabled_rate_to_true_add = 0.0
enabled_rate_to_false_add = 0.0
feed_forward = True
initial_connection = full_direct
node_add_prob = 0.2
node_delete_prob = 0.2
num_hidden = 0
num_inputs = 2
num_outputs = 1
response_init_mean = 1.0
response_init_stdev = 0.0
response_init_type = gaussian
response_max_value = 30.0
response_min_value = -30.0
response_mutate_power = 0.0
response_mutate_rate = 0.0
response_replace_rate = 0.0
single_structural_mutation = false
structural_mutation_surer = default
weight_init_mean = 0.0
weight_init_stdev = 1.0
weight_init_type = gaussian
weight_max_value = 30
weight_min_value = -30
weight_mutate_power = 0.5
weight_mutate_rate = 0.8
weight_replace_rate = 0.1

[DefaultSpeciesSet]
compatibility_threshold = 3.0

[DefaultStagnation]
species_fitness_func = max
max_stagnation = 20
species_elitism = 2

[DefaultReproduction]
elitism = 2
survival_threshold = 0.2
min_species_size = 2
"""


def neat_config(n_inputs: int, n_outputs: int, **options: Any) -> Any:
    """A ``neat.Config`` for feed-forward genomes, from neat-python's XOR settings.

    Parameters
    ----------
    n_inputs, n_outputs : int
    **options
        Any key of the configuration file (``pop_size=50``,
        ``activation_options="sigmoid tanh"``, ``response_mutate_rate=0.1``,
        ``seed=0``, ...), in whichever section holds it (``seed`` goes to
        ``[NEAT]``).

    Raises
    ------
    ValueError
        For a key no section holds.

    Examples
    --------
    >>> config = neat_config(2, 1, pop_size=20)
    >>> config.pop_size, config.genome_config.input_keys, config.genome_config.output_keys
    (20, [-1, -2], [0])
    """
    import neat

    parser = configparser.ConfigParser()
    parser.read_string(_CONFIG)
    options = {"num_inputs": n_inputs, "num_outputs": n_outputs, **options}
    for key, value in options.items():
        sections = [s for s in parser.sections() if parser.has_option(s, key)] or (["NEAT"] if key == "seed" else [])
        if not sections:
            raise ValueError(f"unknown NEAT option {key!r}; known: {', '.join(sorted(_all_keys(parser)))}, seed")
        parser.set(sections[0], key, str(value))
    handle, name = tempfile.mkstemp(suffix=".cfg", text=True)
    try:
        with os.fdopen(handle, "w") as f:
            parser.write(f)
        return neat.Config(neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet,
                           neat.DefaultStagnation, name)  # fmt: skip
    finally:
        os.unlink(name)


def _all_keys(parser: configparser.ConfigParser) -> set[str]:
    return {key for section in parser.sections() for key in parser.options(section)}


def _activation(node: int, name: str, config: Any, neat: Any, given: Mapping[str, Any]) -> Activation:
    """Ours for a neat-python activation name: the one given, else the table's when it is neat-python's own."""
    if name in given:
        return get_activation(given[name])
    function = config.genome_config.activation_defs.get(name)
    if name in NEAT_NAMES and function is getattr(neat.activations, NEAT_FUNCTIONS[name]):
        return get_activation(NEAT_NAMES[name])
    raise UnsupportedGenomeError(
        f"node {node} has activation {name!r}, which is not one of neat-python's own; pass "
        f"activations={{{name!r}: an activation of autograd_graph}} (a name or ag.register_activation(...))"
    )


def _fold(node: int, gene: Any, links: list, config: Any, neat: Any) -> tuple[float, float]:
    """``(scale of the weights, bias)`` that make ``Σ scale·w·z + bias`` equal NEAT's ``bias + response·agg``."""
    name = gene.aggregation
    function = config.genome_config.aggregation_function_defs.get(name)
    own = function is getattr(neat.aggregations, f"{name}_aggregation", None)
    if not own:
        raise UnsupportedGenomeError(f"node {node} has aggregation {name!r}, which is not one of neat-python's own")
    if not links:  # no input: the aggregation's value on nothing (product: 1, the others: 0) joins the bias
        return gene.response, gene.bias + gene.response * function([])
    if name == "sum" or len(links) == 1:
        return gene.response, gene.bias
    if name == "mean":
        return gene.response / len(links), gene.bias
    raise UnsupportedGenomeError(
        f"node {node} aggregates {len(links)} connections with {name!r}; a neuron computes a weighted sum, "
        f"so from_neat takes 'sum' and 'mean' (any aggregation of one connection is that connection)"
    )


def from_neat(genome: Any, config: Any, *, activations: Mapping[str, Any] | None = None) -> Network:
    """A network computing what neat-python's ``FeedForwardNetwork.create(genome, config)`` computes.

    Parameters
    ----------
    genome : neat.DefaultGenome
        A feed-forward genome (``feed_forward = True``).
    config : neat.Config
    activations : mapping, optional
        Activations for neat-python activation names of your own (name ->
        an activation name of the table or an :class:`~autograd_graph.Activation`).

    Returns
    -------
    Network
        Inputs ``config.genome_config.input_keys`` (in that order, as
        ``activate`` takes them), outputs ``output_keys``, hidden neurons
        named by their node keys, and one bias neuron ``"bias"``: ``net.forward(X)``
        row by row equals ``activate(x)``. The weights fold each node's
        response in (see the module notes).

    Raises
    ------
    UnsupportedGenomeError
        Naming the node: on a cycle (a recurrent genome), an aggregation other
        than a sum or a mean over several connections, an activation that is
        not neat-python's own and not given in ``activations``.
    ModuleNotFoundError
        If neat-python is not installed (``pip install autograd_graph[neat]``).

    Examples
    --------
    >>> import neat
    >>> config = neat_config(2, 1, pop_size=5)
    >>> population = neat.Population(config, seed=0)   # neat-python seeds Python's random module
    >>> genome = population.population[1]
    >>> net = from_neat(genome, config)
    >>> net.inputs, net.outputs
    ([-1, -2], [0])
    >>> phenotype = neat.nn.FeedForwardNetwork.create(genome, config)
    >>> x = [0.3, -0.7]
    >>> bool(abs(net.forward([x]).output[0, 0] - phenotype.activate(x)[0]) < 1e-12)
    True
    """
    import neat

    register_neat_activations()
    given = dict(activations or {})
    gc = config.genome_config
    inputs, outputs = list(gc.input_keys), list(gc.output_keys)
    connections = [cg.key for cg in genome.connections.values() if cg.enabled]
    layers, required = neat.graphs.feed_forward_layers(inputs, outputs, connections)
    evaluated = set().union(*layers)
    if required - evaluated:
        raise UnsupportedGenomeError(
            f"genome {genome.key}: nodes {sorted(required - evaluated)} lie on a cycle; from_neat takes "
            f"feed-forward genomes (feed_forward = True in the configuration)"
        )
    sources = required | set(inputs)
    links: dict[int, list] = {node: [] for node in evaluated}
    for i, o in connections:  # as FeedForwardNetwork.create reads them
        if o in links and i in sources:
            links[o].append((i, genome.connections[(i, o)].weight))
    G = nx.DiGraph()
    G.add_nodes_from(inputs, kind="input")
    G.add_node(BIAS, kind="bias")
    hidden = sorted(evaluated - set(outputs))
    for node in hidden + outputs:
        gene = genome.nodes[node]
        act = _activation(node, gene.activation, config, neat, given)
        G.add_node(node, kind="output" if node in outputs else "hidden", activation=act)
    for node in hidden + outputs:
        scale, bias = _fold(node, genome.nodes[node], links[node], config, neat)
        G.add_weighted_edges_from((i, node, scale * w) for i, w in links[node])
        G.add_edge(BIAS, node, weight=bias)
    return Network.from_networkx(G)
