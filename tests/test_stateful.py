"""A hypothesis state machine builds and changes networks at random, valid and invalid steps mixed, and checks
after every step: the compiled engine equals the reference engine, a failed call left the network exactly as
it was (its neurons, edges, weights and versions), and a trace is accepted exactly while its network has not
changed since (hardening issue, "Tests").

The number of examples is bounded (``MAX_EXAMPLES`` runs of ``STEPS`` steps) so that it takes seconds in the
suite; the environment variable ``AG_STATEFUL_EXAMPLES`` asks for more.
"""

import copy
import math
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import autograd_graph as ag
from tests.helpers import assert_engines_agree, graph_state

pytestmark = pytest.mark.filterwarnings("ignore::autograd_graph.UnreachableOutputWarning")  # constant outputs: legal

MAX_EXAMPLES = int(os.environ.get("AG_STATEFUL_EXAMPLES", 40))  # more for a deeper search: AG_STATEFUL_EXAMPLES=2000
STEPS = 40

# a small id space, so that duplicates, unknown ids and cycles come up often: ints, strings (two that are
# NFKC-equal), a tuple and a float
IDS = st.one_of(st.integers(0, 7), st.sampled_from(["a", "b", "fi", "\ufb01", ("t", 1), 2.5]))
KINDS = st.sampled_from(ag.KINDS)
ACTIVATIONS = st.sampled_from(sorted(ag.ACTIVATIONS))
WEIGHTS = st.floats(-2.0, 2.0, allow_nan=False)
BAD_WEIGHTS = st.sampled_from([math.nan, math.inf, -math.inf, 10**400, "0.5", 1j, True])


def state(net: ag.Network) -> tuple:
    """Everything a failed call must leave as it was: the plain graph, the edge order, the weights, the versions."""
    G = net.to_networkx()
    return graph_state(net), list(G.edges(data=True)), net.versions


class NetworkMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.net = ag.Network(seed=0)
        self.traces: list[ag.Trace] = []
        self.folder = Path(tempfile.mkdtemp())

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    @initialize(
        start=st.sampled_from(["empty", "running example", "random DAG", "out of order"]), seed=st.integers(0, 9)
    )
    def start(self, start, seed):
        """An empty network, or one that computes (so that changes to it keep or break that)."""
        if start == "running example":
            self.net = ag.running_example(seed=seed)
        elif start == "random DAG":
            self.net = ag.random_dag(7, "gnp", p=0.5, n_inputs=2, n_outputs=2, seed=seed)
        elif start == "out of order":  # connected target by target, not in canonical order yet
            self.net = ag.Network(seed=seed)
            self.net.add_input(0)
            self.net.add_input("a")
            self.net.add_neuron(("t", 1), "tanh")
            self.net.add_output("fi")
            for u, v in [(0, "fi"), ("a", ("t", 1)), (0, ("t", 1)), (("t", 1), "fi")]:
                self.net.connect(u, v)

    # ------------------------------------------------------------ helpers
    def attempt(self, change, *args, **kwargs) -> bool:
        """Make a change; if the library refuses it, the network must be exactly as before."""
        before = state(self.net)
        try:
            change(*args, **kwargs)
        except ag.AutogradGraphError:
            assert state(self.net) == before, f"{change.__name__}{args} failed and changed the network"
            return False
        return True

    def evaluable(self) -> bool:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ag.UnreachableOutputWarning)
            try:
                self.net.compile()
            except ag.NetworkStructureError:
                return False
        return True

    # ------------------------------------------------------------ structure
    @rule(neuron=IDS, kind=KINDS, activation=ACTIVATIONS)
    def add_neuron(self, neuron, kind, activation):
        add = {"input": self.net.add_input, "bias": self.net.add_bias}.get(kind)
        if add is not None:
            self.attempt(add, neuron)
        else:
            self.attempt(self.net.add_neuron if kind == "hidden" else self.net.add_output, neuron, activation)

    @rule(u=IDS, v=IDS, weight=st.one_of(st.none(), WEIGHTS, BAD_WEIGHTS))  # (`target` is rule's own keyword)
    def connect(self, u, v, weight):
        self.attempt(self.net.connect, u, v, weight=weight)

    @rule(u=IDS, v=IDS)
    def disconnect(self, u, v):
        self.attempt(self.net.disconnect, u, v)

    @rule(neuron=IDS)
    def remove_neuron(self, neuron):
        self.attempt(self.net.remove_neuron, neuron)

    @rule(neuron=IDS, activation=st.one_of(ACTIVATIONS, st.just("softmax")))
    def set_activation(self, neuron, activation):
        self.attempt(self.net.set_activation, neuron, activation)

    # ------------------------------------------------------------ weights
    @rule(data=st.data())
    def set_weights(self, data):
        n = self.net.n_weights
        values = data.draw(
            st.one_of(
                st.lists(WEIGHTS, min_size=n, max_size=n),  # valid
                st.lists(WEIGHTS, min_size=n + 1, max_size=n + 2),  # wrong length
                st.lists(st.one_of(WEIGHTS, BAD_WEIGHTS), min_size=n, max_size=n),  # some not finite or no number
            )
        )
        self.attempt(self.net.set_weights, values)

    @rule(data=st.data(), weight=st.one_of(WEIGHTS, BAD_WEIGHTS))
    def set_weight(self, data, weight):
        edges = self.net.edges
        edge = (
            data.draw(st.sampled_from(edges)) if edges and data.draw(st.booleans()) else data.draw(st.tuples(IDS, IDS))
        )
        self.attempt(self.net.set_weight, *edge, weight)

    @rule()
    def same_weights(self):
        versions = self.net.versions
        self.net.set_weights(self.net.get_weights())  # the same values: traces stay valid
        assert self.net.versions == versions

    @rule(seed=st.integers(0, 3), scale=st.sampled_from([0.5, 2.0, 0.0, -1.0, math.nan, math.inf, "2"]))
    def initialize(self, seed, scale):
        self.attempt(self.net.initialize, seed, scale=scale)

    # ------------------------------------------------------------ copies and files
    @rule(how=st.sampled_from([copy.copy, copy.deepcopy, ag.Network.copy]))
    def copy(self, how):
        twin = how(self.net)
        assert state(twin)[:2] == state(self.net)[:2]
        self.net = twin  # the traces of the original are now another network's

    @rule(through=st.sampled_from(["json", "graphml"]))
    def round_trip(self, through):
        path = self.folder / f"net.{through}"
        save, load = (ag.save, ag.load) if through == "json" else (ag.write_graphml, ag.read_graphml)
        try:
            save(self.net, path)
        except ag.SerializationError as error:  # only an id no file can hold; none of IDS is one
            raise AssertionError(f"could not save {self.net!r}: {error}") from error
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ag.MissingWeightsWarning)  # a network without edges
            back = load(path)  # whatever was saved, evaluable or not yet
        assert state(back)[:2] == state(self.net)[:2]
        self.net = back

    # ------------------------------------------------------------ passes
    @rule(seed=st.integers(0, 2**32 - 1), batch=st.integers(1, 3))
    def forward_backward(self, seed, batch):
        if not self.evaluable():
            with pytest.raises(ag.NetworkStructureError):
                self.net.forward(np.zeros((batch, len(self.net.inputs))))
            return
        rng = np.random.default_rng(seed)
        X = rng.uniform(-2, 2, (batch, len(self.net.inputs)))
        trace = self.net.forward(X)
        self.net.backward(trace, np.zeros((batch, len(self.net.outputs))))
        self.traces = [*self.traces[-2:], trace]

    @rule(seed=st.integers(0, 2**32 - 1), eta=st.floats(0.001, 0.2))
    def per_example_sgd(self, seed, eta):
        """The straight-line code (names from positions: "fi" and "ﬁ" stay two neurons) equals the engine."""
        if not self.evaluable() or not self.net.inputs:
            return
        rng = np.random.default_rng(seed)
        X = rng.uniform(-1, 1, (3, len(self.net.inputs)))
        Y = rng.uniform(-1, 1, (3, len(self.net.outputs)))
        twin, want = self.net.copy(), []
        for x, y in zip(X, Y, strict=True):
            grads = twin.backward(twin.forward(x), y)
            want.append(grads.loss)
            twin.set_weights(twin.weights - eta * grads.weights.flat)
        got = ag.per_example_sgd(self.net, X, Y, eta)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(self.net.weights, twin.weights, rtol=1e-9, atol=1e-12)

    @rule(bad=st.sampled_from(["x", None, 3]))
    def backward_of_no_trace(self, bad):
        self.attempt(self.net.backward, bad, [[0.0]])

    @rule(columns=st.integers(0, 4))
    def forward_of_a_wrong_shape(self, columns):
        if columns != len(self.net.inputs):
            self.attempt(self.net.forward, np.zeros((2, columns, 1)))

    # ------------------------------------------------------------ after every step
    @invariant()
    def the_engines_agree(self):
        event("evaluable" if self.evaluable() else "not evaluable")
        if self.evaluable() and self.net.inputs:
            X = np.linspace(-1.5, 1.5, 2 * len(self.net.inputs)).reshape(2, -1)
            assert_engines_agree(self.net, X, np.zeros((2, len(self.net.outputs))), "squared_error")

    @invariant()
    def a_trace_is_accepted_exactly_while_its_network_is_unchanged(self):
        Y = None
        for trace in self.traces:
            Y = np.zeros((trace.batch_size, len(trace.outputs)))
            if trace.versions == self.net.versions:
                self.net.backward(trace, Y)
            else:
                with pytest.raises(ag.StaleTraceError):
                    self.net.backward(trace, Y)


NetworkMachine.TestCase.settings = settings(
    max_examples=MAX_EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    database=None,  # nothing written to the work tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_network_state_machine = NetworkMachine.TestCase
