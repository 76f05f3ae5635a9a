"""Evolve XOR with neat-python, bring the winner in with ag.from_neat, then fine-tune it by gradient.

NEAT finds a topology (and rough weights); gradient descent polishes the
weights of that topology. The network from_neat builds computes exactly what
neat-python's own FeedForwardNetwork computes (checked below), so the
fine-tuning starts where evolution stopped.

Run: python examples/neat_xor.py   (needs neat-python: pip install 'autograd_graph[neat]'; a few seconds)
"""

import neat
import numpy as np

import autograd_graph as ag

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def fitness(genomes, config):
    """neat-python's XOR fitness: 4 minus the summed squared error."""
    for _, genome in genomes:
        phenotype = neat.nn.FeedForwardNetwork.create(genome, config)
        genome.fitness = 4.0 - sum((phenotype.activate(x.tolist())[0] - y[0]) ** 2 for x, y in zip(X, Y, strict=True))


def main() -> None:
    config = ag.neat_config(2, 1, pop_size=150, fitness_threshold=3.9)  # neat-python's XOR settings
    population = neat.Population(config, seed=1)
    winner = population.run(fitness, 100)
    enabled = sum(c.enabled for c in winner.connections.values())
    print(f"NEAT: fitness {winner.fitness:.4f} after {population.generation} generations, "
          f"{len(winner.nodes)} nodes, {enabled} enabled connections")  # fmt: skip

    net = ag.from_neat(winner, config)  # response folded into the weights, biases on a bias neuron
    phenotype = neat.nn.FeedForwardNetwork.create(winner, config)
    neat_out = np.array([phenotype.activate(x.tolist()) for x in X])
    print(f"from_neat: {net!r}; largest difference from neat-python's activate: "
          f"{np.abs(net.forward(X).output - neat_out).max():.1e}")  # fmt: skip

    before = ag.evaluate(net, X, Y).loss
    result = ag.train(net, X, Y, batch_size=None, optimizer="adam", learning_rate=0.05, epochs=300,
                      progress=False, seed=0)  # fmt: skip
    print(f"fine-tuned by ag.train (Adam, full batch, 300 epochs): loss {before:.2e} -> {result.loss:.2e}")
    for x, z in zip(X, net.forward(X).output[:, 0], strict=True):
        print(f"  XOR{tuple(int(v) for v in x)} = {z:.4f}")


if __name__ == "__main__":
    main()
