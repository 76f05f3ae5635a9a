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
from .build.boolean import (
    and_neuron,
    from_predicate,
    from_truth_table,
    mcculloch_pitts,
    not_neuron,
    or_neuron,
    perceptron,
)
from .build.builders import add_skip_connections, densenet, from_edge_list, layered
from .build.matrix import MatrixView, from_matrices, identity_collapse, matrix_weights, to_matrices
from .build.random_dags import GRAPH_MODELS, orient_by_node_order, random_dag
from .build.running_example import RUNNING_EXAMPLE_EDGES, running_example
from .comparison import (
    Comparison,
    SeedRun,
    Task,
    compare,
    load_task,
    matched_builders,
    matched_random_dag,
    matched_skip_network,
)
from .constraints import Parameters
from .engines.threads import get_threads, set_threads, using_threads
from .exceptions import (
    AutogradGraphError,
    BuilderError,
    CheckpointWarning,
    CommandLineError,
    ComparisonError,
    ConstraintError,
    CycleError,
    DataTypeError,
    DuplicateEdgeError,
    DuplicateNeuronError,
    ExampleError,
    ExplorerError,
    FFmpegNotFoundError,
    GradientCheckError,
    GraphvizNotFoundError,
    IncompatibleLossError,
    IncompleteNetworkError,
    InvalidDtypeError,
    InvalidEdgeError,
    InvalidSeedError,
    InvalidThreadsError,
    InvalidTraceError,
    InvalidWeightError,
    MatrixViewError,
    MissingGradientsError,
    MissingWeightsWarning,
    NetworkStructureError,
    NonFiniteError,
    NonLinearNetworkError,
    NotLayeredError,
    PictureOptionError,
    PictureTooBigError,
    RecordError,
    RegularizationError,
    RenderError,
    RenderTimeoutError,
    SerializationError,
    ShapeError,
    StaleTraceError,
    TrainingError,
    TrainingInterruptedWarning,
    TruthTableError,
    UnknownActivationError,
    UnknownEdgeError,
    UnknownEngineError,
    UnknownLossError,
    UnknownNeuronError,
    UnknownPictureOptionError,
    UnknownSettingError,
    UnreachableOutputWarning,
    UnsupportedActivationError,
    UnsupportedGenomeError,
    UnsupportedModuleError,
    ValidationDataWarning,
)
from .gradcheck import GradientCheckReport, check_gradients
from .io.graphml import read_graphml, write_graphml
from .io.neat import from_neat, neat_config
from .io.neat_activations import register_neat_activations
from .io.onnx_export import to_onnx
from .io.pytorch import from_torch, to_torch
from .io.serialization import load, load_metadata, save
from .losses import LOSSES, Loss, get_loss
from .network import KINDS, Network
from .results import EdgeValues, Gradients, NeuronValues, Trace
from .show.animate import animate
from .show.equations import Equation, Term
from .show.explain import Explanation, explain
from .show.explorer.explore import explore
from .show.explorer.page import Explorer
from .show.matrices import plot_weights
from .show.neighborhood import neighborhood
from .show.picture import Picture
from .show.render import render, side_by_side, to_graphviz
from .show.summary import print_summary, summary, summary_table
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
    RMSprop,
    RunResult,
    StepDecay,
    Trainer,
    TrainingResult,
    accuracy,
    as_schedule,
    evaluate,
    get_optimizer,
    plot_gradients,
    train,
)
from .training.per_example import per_example_sgd, sgd_source
from .training.recorder import Record, Recorder, load_record

__version__ = "0.1.0"

_NEED_SKLEARN = ("NetworkClassifier", "NetworkRegressor")  # imported when first used: scikit-learn is optional


def __getattr__(name: str) -> object:
    if name in _NEED_SKLEARN:
        try:
            from . import estimators
        except ImportError as error:
            raise ImportError(
                f"ag.{name} needs scikit-learn ({error}); install it with pip install 'autograd_graph[sklearn]'"
            ) from error
        return getattr(estimators, name)
    raise AttributeError(f"module 'autograd_graph' has no attribute {name!r}")


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
    "MissingGradientsError",
    "PictureOptionError",
    "UnknownPictureOptionError",
    "IncompatibleLossError",
    "IncompleteNetworkError",
    "InvalidEdgeError",
    "InvalidDtypeError",
    "InvalidSeedError",
    "InvalidWeightError",
    "UnknownEngineError",
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
    "per_example_sgd",
    "sgd_source",
    "register_activation",
    "render",
    "running_example",
    "side_by_side",
    "to_graphviz",
    "__version__",
    "SGD",
    "Adam",
    "RMSprop",
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
    # topology toolkit
    "BuilderError",
    "TruthTableError",
    "MatrixViewError",
    "NonLinearNetworkError",
    "UnsupportedModuleError",
    "UnsupportedActivationError",
    "UnsupportedGenomeError",
    "layered",
    "densenet",
    "add_skip_connections",
    "from_edge_list",
    "GRAPH_MODELS",
    "random_dag",
    "orient_by_node_order",
    "from_truth_table",
    "from_predicate",
    "mcculloch_pitts",
    "and_neuron",
    "or_neuron",
    "not_neuron",
    "perceptron",
    "MatrixView",
    "to_matrices",
    "from_matrices",
    "matrix_weights",
    "identity_collapse",
    "summary",
    "summary_table",
    "print_summary",
    "write_graphml",
    "read_graphml",
    "to_torch",
    "to_onnx",
    "from_neat",
    "neat_config",
    "register_neat_activations",
    "from_torch",
    # comparing networks
    "Comparison",
    "ComparisonError",
    "SeedRun",
    "compare",
    "matched_builders",
    "matched_random_dag",
    "matched_skip_network",
    "Task",
    "load_task",
    "get_optimizer",
    "as_schedule",
    # hardening: errors that name the culprit, warnings that say what was lost
    "DataTypeError",
    "InvalidTraceError",
    "MissingWeightsWarning",
    "CheckpointWarning",
    # pictures
    "Picture",
    "neighborhood",
    "plot_weights",
    "PictureTooBigError",
    "RenderTimeoutError",
    # speed: the engine's threads
    "get_threads",
    "set_threads",
    "using_threads",
    "InvalidThreadsError",
    # the explorer: recordings of training, the page, animations
    "explore",
    "Explorer",
    "animate",
    "Record",
    "Recorder",
    "load_record",
    "RecordError",
    "ExplorerError",
    "FFmpegNotFoundError",
    # training features: frozen and tied edges, estimators, plots
    "ConstraintError",
    "Parameters",
    "NetworkClassifier",
    "NetworkRegressor",
    "UnknownSettingError",
    "RegularizationError",
    "ValidationDataWarning",
    "plot_gradients",
]

# topology studies: many networks trained at once (the rest of this block is added as it lands)
from .training.many import ManyResult, train_many  # noqa: E402

__all__ += ["ManyResult", "train_many"]
from .build.relational import RelationalMLP, relational_mlp  # noqa: E402
from .build.ws_flex import relational_graphs, ws_flex  # noqa: E402
from .comparison.measures import graph_measures  # noqa: E402

__all__ += ["RelationalMLP", "graph_measures", "relational_graphs", "relational_mlp", "ws_flex"]
from .comparison.sweep import grid, sweep  # noqa: E402
from .comparison.sweep_result import SweepResult  # noqa: E402
from .training.many import evaluate_many  # noqa: E402

__all__ += ["SweepResult", "evaluate_many", "grid", "sweep"]

# sparse training: pruning, lottery tickets, SET and RigL (the sparse-training issue)
from .exceptions import PrunedNeuronsWarning, PruningError  # noqa: E402
from .show.changes import EdgeChanges  # noqa: E402
from .sparse import SET, LotteryResult, RigL, StructureHistory, dead_neurons, lottery_ticket, prune  # noqa: E402
from .training.steps import StepLog  # noqa: E402

__all__ += ["EdgeChanges", "LotteryResult", "PrunedNeuronsWarning", "PruningError", "RigL", "SET", "StepLog",
            "StructureHistory", "dead_neurons", "lottery_ticket", "prune"]  # fmt: skip
