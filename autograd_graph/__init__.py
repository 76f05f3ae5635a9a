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
from .comparison import Comparison, SeedRun, compare
from .exceptions import (
    AutogradGraphError,
    CommandLineError,
    ComparisonError,
    CycleError,
    DuplicateEdgeError,
    DuplicateNeuronError,
    ExampleError,
    GradientCheckError,
    GraphvizNotFoundError,
    IncompatibleLossError,
    IncompleteNetworkError,
    InvalidEdgeError,
    InvalidWeightError,
    NetworkStructureError,
    NonFiniteError,
    NotLayeredError,
    RenderError,
    SerializationError,
    ShapeError,
    StaleTraceError,
    TrainingError,
    TrainingInterruptedWarning,
    UnknownActivationError,
    UnknownEdgeError,
    UnknownLossError,
    UnknownNeuronError,
    UnreachableOutputWarning,
)
from .explain import Equation, Explanation, Term, explain
from .gradcheck import GradientCheckReport, check_gradients
from .losses import LOSSES, Loss, get_loss
from .network import KINDS, Network
from .render import render, side_by_side, to_graphviz
from .results import EdgeValues, Gradients, NeuronValues, Trace
from .running_example import RUNNING_EXAMPLE_EDGES, running_example
from .serialization import load, load_metadata, save
from .training import (
    SGD,
    Adam,
    ConstantSchedule,
    EpochLog,
    Evaluation,
    ExponentialDecay,
    History,
    InverseTimeDecay,
    Momentum,
    Optimizer,
    RunResult,
    StepDecay,
    Trainer,
    TrainingResult,
    accuracy,
    evaluate,
    train,
)

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "AutogradGraphError",
    "CommandLineError",
    "CycleError",
    "DuplicateEdgeError",
    "DuplicateNeuronError",
    "EdgeValues",
    "Equation",
    "ExampleError",
    "Explanation",
    "GradientCheckError",
    "GradientCheckReport",
    "Gradients",
    "GraphvizNotFoundError",
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
    "RenderError",
    "ShapeError",
    "StaleTraceError",
    "Term",
    "Trace",
    "UnknownActivationError",
    "UnknownEdgeError",
    "UnknownLossError",
    "UnknownNeuronError",
    "UnreachableOutputWarning",
    "check_gradients",
    "explain",
    "get_activation",
    "get_loss",
    "register_activation",
    "render",
    "running_example",
    "side_by_side",
    "to_graphviz",
    "__version__",
    "SGD",
    "Adam",
    "ConstantSchedule",
    "EpochLog",
    "Evaluation",
    "ExponentialDecay",
    "History",
    "InverseTimeDecay",
    "Momentum",
    "Optimizer",
    "RunResult",
    "StepDecay",
    "Trainer",
    "TrainingResult",
    "accuracy",
    "evaluate",
    "train",
    "load",
    "load_metadata",
    "save",
    "NonFiniteError",
    "SerializationError",
    "TrainingError",
    "TrainingInterruptedWarning",
    "Comparison",
    "ComparisonError",
    "SeedRun",
    "compare",
]
