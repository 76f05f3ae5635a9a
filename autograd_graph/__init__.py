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
from .analysis import print_summary, summary, summary_table
from .boolean import and_neuron, from_predicate, from_truth_table, mcculloch_pitts, not_neuron, or_neuron, perceptron
from .builders import add_skip_connections, densenet, from_edge_list, layered
from .exceptions import (
    AutogradGraphError,
    BuilderError,
    CommandLineError,
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
    MatrixViewError,
    NetworkStructureError,
    NonFiniteError,
    NonLinearNetworkError,
    NotLayeredError,
    RenderError,
    SerializationError,
    ShapeError,
    StaleTraceError,
    TrainingError,
    TrainingInterruptedWarning,
    TruthTableError,
    UnknownActivationError,
    UnknownEdgeError,
    UnknownLossError,
    UnknownNeuronError,
    UnreachableOutputWarning,
    UnsupportedActivationError,
    UnsupportedModuleError,
)
from .explain import Equation, Explanation, Term, explain
from .gradcheck import GradientCheckReport, check_gradients
from .interop import from_torch, read_graphml, to_torch, write_graphml
from .losses import LOSSES, Loss, get_loss
from .matrix import MatrixView, from_matrices, identity_collapse, to_matrices
from .network import KINDS, Network
from .random_dags import GRAPH_MODELS, orient_by_node_order, random_dag
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
    "Adam",
    "AutogradGraphError",
    "BuilderError",
    "CommandLineError",
    "ConstantSchedule",
    "CycleError",
    "DuplicateEdgeError",
    "DuplicateNeuronError",
    "EdgeValues",
    "EpochLog",
    "Equation",
    "Evaluation",
    "ExampleError",
    "Explanation",
    "ExponentialDecay",
    "GRAPH_MODELS",
    "GradientCheckError",
    "GradientCheckReport",
    "Gradients",
    "GraphvizNotFoundError",
    "History",
    "IncompatibleLossError",
    "IncompleteNetworkError",
    "InvalidEdgeError",
    "InvalidWeightError",
    "InverseTimeDecay",
    "KINDS",
    "LOSSES",
    "Loss",
    "MatrixView",
    "MatrixViewError",
    "Momentum",
    "Network",
    "NetworkStructureError",
    "NeuronValues",
    "NonFiniteError",
    "NonLinearNetworkError",
    "NotLayeredError",
    "Optimizer",
    "RUNNING_EXAMPLE_EDGES",
    "RenderError",
    "RunResult",
    "SGD",
    "SerializationError",
    "ShapeError",
    "StaleTraceError",
    "StepDecay",
    "Term",
    "Trace",
    "Trainer",
    "TrainingError",
    "TrainingInterruptedWarning",
    "TrainingResult",
    "TruthTableError",
    "UnknownActivationError",
    "UnknownEdgeError",
    "UnknownLossError",
    "UnknownNeuronError",
    "UnreachableOutputWarning",
    "UnsupportedActivationError",
    "UnsupportedModuleError",
    "accuracy",
    "add_skip_connections",
    "and_neuron",
    "check_gradients",
    "densenet",
    "evaluate",
    "explain",
    "from_edge_list",
    "from_matrices",
    "from_predicate",
    "from_torch",
    "from_truth_table",
    "get_activation",
    "get_loss",
    "identity_collapse",
    "layered",
    "load",
    "load_metadata",
    "mcculloch_pitts",
    "not_neuron",
    "or_neuron",
    "orient_by_node_order",
    "perceptron",
    "print_summary",
    "random_dag",
    "read_graphml",
    "register_activation",
    "render",
    "running_example",
    "save",
    "side_by_side",
    "summary",
    "summary_table",
    "to_graphviz",
    "to_matrices",
    "to_torch",
    "train",
    "write_graphml",
    "__version__",
]
