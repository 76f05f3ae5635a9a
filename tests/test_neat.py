"""ag.from_neat against neat-python's own FeedForwardNetwork.activate, on a population evolved for a few
generations (many activations, sum and mean, responses); neat-python's activations in every form;
fine-tuning by gradient; what is refused and why."""

import math

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.io.neat_activations import NEAT_NAMES

neat = pytest.importorskip("neat", reason="from_neat needs neat-python")
# evolved genomes may leave an output unconnected: it computes a constant, as in neat-python
pytestmark = pytest.mark.filterwarnings("ignore::autograd_graph.exceptions.UnreachableOutputWarning")

ACTIVATIONS = " ".join(NEAT_NAMES)  # all 18 of neat-python's
XOR = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


@pytest.fixture(scope="module", autouse=True)
def table_as_it_was():
    """from_neat registers neat-python's activations; the other test modules see the table they expect."""
    before = set(ag.ACTIVATIONS)
    yield
    for name in set(ag.ACTIVATIONS) - before:
        del ag.ACTIVATIONS[name]


def xor_fitness(genomes, config):
    for _, genome in genomes:
        net = neat.nn.FeedForwardNetwork.create(genome, config)
        genome.fitness = 4.0 - sum((net.activate(x.tolist())[0] - y[0]) ** 2 for x, y in zip(XOR, XOR_Y, strict=True))


@pytest.fixture(scope="module")
def evolved():
    """A population after a few generations with every activation, sum and mean, and mutating responses."""
    config = ag.neat_config(
        3, 2, pop_size=40, activation_options=ACTIVATIONS, activation_mutate_rate=0.4,
        aggregation_options="sum mean", aggregation_mutate_rate=0.3, response_init_stdev=0.5,
        response_mutate_rate=0.5, response_mutate_power=0.5, node_add_prob=0.6, conn_add_prob=0.7,
        enabled_mutate_rate=0.2, initial_connection="partial_direct 0.6", fitness_threshold=100,
    )  # fmt: skip

    def fitness(genomes, config):
        for _, genome in genomes:  # any fitness: what matters here is the structures evolution makes
            genome.fitness = float(len(genome.nodes) + len(genome.connections))

    population = neat.Population(config, seed=3)
    population.run(fitness, 12)
    return config, population.population


def test_the_population_has_the_structures_to_check(evolved):
    config, genomes = evolved
    assert len(genomes) == 40
    assert max(len(g.nodes) for g in genomes.values()) > 3 + 2  # hidden nodes
    assert any(not c.enabled for g in genomes.values() for c in g.connections.values())
    assert len({n.activation for g in genomes.values() for n in g.nodes.values()}) >= 8
    assert {n.aggregation for g in genomes.values() for n in g.nodes.values()} == {"sum", "mean"}
    assert any(n.response != 1.0 for g in genomes.values() for n in g.nodes.values())


def test_every_genome_computes_what_neat_python_computes(evolved):
    config, genomes = evolved
    X = np.random.default_rng(0).uniform(-1.5, 1.5, (16, 3))
    for key, genome in genomes.items():
        with np.errstate(all="ignore"):
            net = ag.from_neat(genome, config)
            got = net.forward(X).output
        phenotype = neat.nn.FeedForwardNetwork.create(genome, config)
        want = np.array([phenotype.activate(x.tolist()) for x in X])  # Python floats, as neat-python expects
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=f"genome {key}")
        assert net.inputs == config.genome_config.input_keys and net.outputs == config.genome_config.output_keys


def test_disabled_connections_and_unused_nodes_are_dropped(evolved):
    config, genomes = evolved
    for genome in genomes.values():
        net = ag.from_neat(genome, config)
        enabled = {c.key for c in genome.connections.values() if c.enabled}
        assert {e for e in net.edges if e[0] != ag.io.neat.BIAS} <= enabled
        assert set(net.hidden) <= set(genome.nodes)


def neat_function(name):
    return getattr(neat.activations, f"{name}_activation")


POINTS = [-70.0, -13.0, -3.7, -1.3, -0.6, -0.2, 0.1, 0.4, 0.9, 1.7, 2.5, 11.0, 65.0]


@pytest.mark.parametrize("name", list(NEAT_NAMES))
def test_each_activation_in_every_form(name):
    ag.register_neat_activations()
    act = ag.get_activation(NEAT_NAMES[name])
    a = np.array(POINTS)
    with np.errstate(all="ignore"):
        z = act.function(a)
        want = [neat_function(name)(x) for x in POINTS]
        # (neat-python's softplus, log(1 + e^z), rounds 1 + e^z: 1e-27 comes out 0; ours does not)
        np.testing.assert_allclose(z, want, rtol=1e-12, atol=1e-15, err_msg="numpy function vs neat-python")
        eps = 1e-7
        numeric = (act.function(a + eps) - act.function(a - eps)) / (2 * eps)
        np.testing.assert_allclose(act.derivative(a, z), numeric, rtol=1e-5, atol=1e-6, err_msg="σ' vs differences")
    if act.scalar is not None:
        namespace = dict(act.scalar.namespace)
        for x, zx in zip(POINTS, z, strict=True):
            value = eval(act.scalar.function.format(a=repr(x)), namespace)
            slope = eval(act.scalar.derivative.format(a=repr(x), z=repr(float(zx))), namespace)
            assert value == pytest.approx(zx, rel=1e-12, abs=1e-300)
            assert slope == pytest.approx(act.derivative(np.array([x]), np.array([zx]))[0], rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("name", list(NEAT_NAMES))
def test_each_activation_in_torch_and_onnx(name):
    torch = pytest.importorskip("torch", reason="the torch form")
    ag.register_neat_activations()
    act = ag.get_activation(NEAT_NAMES[name])
    a = np.array(POINTS)
    z = act.function(a)
    t = torch.tensor(a, requires_grad=True)
    out = act.torch(torch)(t)
    out.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), z, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(t.grad.numpy(), act.derivative(a, z), rtol=1e-12, atol=1e-15)  # autograd: σ' too
    if act.torch_module is not None:
        module = getattr(torch.nn, act.torch_module.name)()
        assert act.torch_module.matches(module)
        np.testing.assert_allclose(module(torch.tensor(a)).numpy(), z, rtol=1e-12, atol=1e-15)
    pytest.importorskip("onnxruntime", reason="the ONNX form")
    net = ag.from_edge_list([("x", "y", 1.0)])
    net.set_activation("y", act)
    model = ag.to_onnx(net)
    import onnxruntime as ort

    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (Y,) = session.run(None, {"X": a[:, None]})
    np.testing.assert_allclose(Y[:, 0], z, rtol=1e-12, atol=1e-12)


def test_the_xor_winner_fine_tuned_by_gradient():
    config = ag.neat_config(2, 1, pop_size=150, fitness_threshold=3.9)  # neat-python's XOR example
    population = neat.Population(config, seed=1)
    winner = population.run(xor_fitness, 100)  # (solves XOR in 38 generations with this seed)
    assert winner.fitness >= 3.9
    net = ag.from_neat(winner, config)
    assert net.hidden  # XOR needs a hidden neuron: evolution added it
    before = ag.evaluate(net, XOR, XOR_Y).loss
    phenotype = neat.nn.FeedForwardNetwork.create(winner, config)
    assert before == pytest.approx(np.mean([(phenotype.activate(x.tolist())[0] - y[0]) ** 2
                                            for x, y in zip(XOR, XOR_Y, strict=True)]), rel=1e-12)  # fmt: skip
    result = ag.train(net, XOR, XOR_Y, batch_size=None, optimizer="adam", learning_rate=0.05, epochs=300,
                      progress=False, seed=0)  # fmt: skip
    assert result.loss < before / 100
    ag.check_gradients(net, XOR, XOR_Y)  # the evolved topology's gradients, against finite differences


def test_what_is_refused_is_named():
    config = ag.neat_config(2, 1, pop_size=5, aggregation_options="product", aggregation_default="product")
    genome = neat.Population(config, seed=0).population[1]
    with pytest.raises(ag.UnsupportedGenomeError, match=r"node 0 aggregates 2 connections with 'product'"):
        ag.from_neat(genome, config)

    config = ag.neat_config(2, 1, pop_size=5, activation_options="mine", activation_default="mine")
    config.genome_config.add_activation("mine", lambda x: x * 0.5)
    genome = neat.Population(config, seed=0).population[1]
    with pytest.raises(ag.UnsupportedGenomeError, match=r"node 0 has activation 'mine'.*activations="):
        ag.from_neat(genome, config)
    net = ag.from_neat(genome, config, activations={"mine": "identity"})  # said what it is: accepted
    assert net.activation(0).name == "identity"

    config = ag.neat_config(2, 1, pop_size=5, feed_forward=False, num_hidden=1, initial_connection="full_nodirect")
    genome = neat.Population(config, seed=0).population[1]
    genome.add_connection(config.genome_config, 1, 1, 0.5, True)  # hidden node 1 feeds itself
    with pytest.raises(ag.UnsupportedGenomeError, match=r"nodes \[.*1.*\] lie on a cycle"):
        ag.from_neat(genome, config)

    with pytest.raises(ValueError, match="unknown NEAT option 'pop_sise'"):
        ag.neat_config(2, 1, pop_sise=5)


def test_an_aggregation_over_one_connection_or_none(evolved):
    config = ag.neat_config(1, 2, pop_size=5, aggregation_options="product", aggregation_default="product",
                            initial_connection="full_direct")  # fmt: skip
    genome = neat.Population(config, seed=0).population[1]
    del genome.connections[(-1, 1)]  # output 1 has no input: its product of nothing is 1, added to the bias
    net = ag.from_neat(genome, config)
    phenotype = neat.nn.FeedForwardNetwork.create(genome, config)
    for x in [-0.4, 0.3]:
        assert net.forward([[x]]).output[0].tolist() == pytest.approx(phenotype.activate([x]), rel=1e-12)
    assert math.isfinite(net.weights.sum())


def test_the_example_evolves_xor_and_fine_tunes_the_winner(capsys):
    import runpy
    from pathlib import Path

    example = runpy.run_path(str(Path(__file__).resolve().parent.parent / "examples" / "neat_xor.py"))
    example["main"]()
    out = capsys.readouterr().out
    assert "largest difference from neat-python's activate: 0.0e+00" in out
    before, after = (float(v) for v in out.split("loss ")[1].split("\n")[0].split(" -> "))
    assert after < before / 100
