"""autograd_graph: an explicit computation-graph autodiff engine, neuron by neuron.

A network is any networkx DAG of neurons, layered or not. A topological
scheduler computes every neuron's weighted input ``a`` and output ``z``
forward, and their gradients in reverse by the multivariate chain rule.

Examples
--------
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> trace = net.forward([[0.5], [1.0]])
>>> trace.output.shape
(2, 1)
>>> grads = net.backward(trace, [[1.0], [0.0]])
>>> sorted(grads.weights)[:2]
[(1, 3), (1, 4)]
"""

from .activations import ACTIVATIONS, Activation, get_activation, register_activation
from .codegen import per_example_sgd
from .exceptions import (
    AutogradGraphError,
    CycleError,
    DuplicateEdgeError,
    DuplicateNeuronError,
    GradientCheckError,
    IncompatibleLossError,
    IncompleteNetworkError,
    InvalidEdgeError,
    InvalidWeightError,
    NetworkStructureError,
    NotLayeredError,
    ShapeError,
    StaleTraceError,
    UnknownActivationError,
    UnknownEdgeError,
    UnknownLossError,
    UnknownNeuronError,
    UnreachableOutputWarning,
)
from .gradcheck import GradientCheckReport, check_gradients
from .losses import LOSSES, Loss, get_loss
from .network import KINDS, Network
from .results import EdgeValues, Gradients, NeuronValues, Trace
from .running_example import RUNNING_EXAMPLE_EDGES, running_example

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "AutogradGraphError",
    "CycleError",
    "DuplicateEdgeError",
    "DuplicateNeuronError",
    "EdgeValues",
    "GradientCheckError",
    "GradientCheckReport",
    "Gradients",
    "IncompatibleLossError",
    "IncompleteNetworkError",
    "InvalidEdgeError",
    "InvalidWeightError",
    "KINDS",
    "LOSSES",
    "Loss",
    "Network",
    "NetworkStructureError",
    "NeuronValues",
    "NotLayeredError",
    "RUNNING_EXAMPLE_EDGES",
    "ShapeError",
    "StaleTraceError",
    "Trace",
    "UnknownActivationError",
    "UnknownEdgeError",
    "UnknownLossError",
    "UnknownNeuronError",
    "UnreachableOutputWarning",
    "check_gradients",
    "get_activation",
    "get_loss",
    "per_example_sgd",
    "register_activation",
    "running_example",
    "__version__",
]
