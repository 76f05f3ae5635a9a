"""The two studies' examples: their pieces, on small inputs (the studies themselves take minutes)."""

import importlib.util
from pathlib import Path

import networkx as nx
import pytest

import autograd_graph as ag

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sweet_spot_counts_weights_as_relational_mlp_builds_them():
    sweet = example("sweet_spot")
    for G in (nx.complete_graph(16), ag.ws_flex(16, 3.5, 0.3, seed=2), nx.cycle_graph(16)):
        for width in (16, 23, 40):
            built = ag.relational_mlp(G, width, sweet.LAYERS, 64, 10).n_weights
            assert sweet.n_weights(G, width, 64, 10) == built
    budget = ag.relational_mlp(nx.complete_graph(16), 32, sweet.LAYERS, 64, 10).n_weights
    sparse = ag.ws_flex(16, 4, 0.0)
    width = sweet.matched_width(sparse, budget, 64, 10)
    assert width > 32 and abs(sweet.n_weights(sparse, width, 64, 10) - budget) < 0.05 * budget


def test_randwire_wirings_meet_the_budget():
    pytest.importorskip("sklearn", reason="scikit-learn is not installed")
    randwire = example("randwire")
    base = ag.layered([64, 32, 10], activation="tanh", seed=0)
    for params in randwire.model_parameters(base, 32).values():
        net = ag.matched_random_dag(base, seed=3, **params)
        assert net.n_weights == base.n_weights and len(net.hidden) == 32
