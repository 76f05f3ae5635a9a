"""Exceptions raised by autograd_graph.

Every error the library raises on purpose derives from
:class:`AutogradGraphError`, and most also derive from the built-in class a
numpy or networkx user would try to catch (``ValueError``, ``KeyError``), so
``except ValueError`` keeps working.

Messages name the neuron or edge at fault and what was expected.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

__all__ = [
    "AutogradGraphError",
    "NetworkStructureError",
    "CycleError",
    "DuplicateNeuronError",
    "DuplicateEdgeError",
    "InvalidEdgeError",
    "IncompleteNetworkError",
    "NotLayeredError",
    "UnknownNeuronError",
    "UnknownEdgeError",
    "UnknownActivationError",
    "UnknownLossError",
    "IncompatibleLossError",
    "InvalidWeightError",
    "InvalidDtypeError",
    "InvalidSeedError",
    "UnknownEngineError",
    "ShapeError",
    "DataTypeError",
    "StaleTraceError",
    "InvalidTraceError",
    "GradientCheckError",
    "ExampleError",
    "RenderError",
    "PictureOptionError",
    "UnknownPictureOptionError",
    "MissingGradientsError",
    "GraphvizNotFoundError",
    "RenderTimeoutError",
    "PictureTooBigError",
    "CommandLineError",
    "TrainingError",
    "NonFiniteError",
    "SerializationError",
    "ComparisonError",
    "UnreachableOutputWarning",
    "TrainingInterruptedWarning",
    "MissingWeightsWarning",
    "CheckpointWarning",
    "BuilderError",
    "TruthTableError",
    "MatrixViewError",
    "NonLinearNetworkError",
    "UnsupportedModuleError",
    "UnsupportedActivationError",
    "UnsupportedGenomeError",
    "InvalidThreadsError",
    # the explorer, recordings of training, animations
    "RecordError",
    "ExplorerError",
    "FFmpegNotFoundError",
    "PruningError",
    "PrunedNeuronsWarning",
    "ConstraintError",
    "ValidationDataWarning",
    "UnknownSettingError",
    "RegularizationError",
]


class AutogradGraphError(Exception):
    """Base class of every error raised by autograd_graph."""


class NetworkStructureError(AutogradGraphError, ValueError):
    """The neurons and edges do not form a valid feed-forward network."""


class CycleError(NetworkStructureError):
    """The graph has a directed cycle; ``cycle`` lists its edges."""

    def __init__(self, message: str, cycle: list | None = None) -> None:
        super().__init__(message)
        self.cycle = cycle or []


class DuplicateNeuronError(NetworkStructureError):
    """A neuron with this id already exists."""


class DuplicateEdgeError(NetworkStructureError):
    """An edge between these two neurons already exists."""


class InvalidEdgeError(NetworkStructureError):
    """An edge that the rules forbid (into an input or bias neuron, a self-loop)."""


class IncompleteNetworkError(NetworkStructureError):
    """The network cannot be evaluated yet (no input, no output, a neuron without inputs)."""


class NotLayeredError(NetworkStructureError):
    """The network cannot be split into layers; ``edge`` is one edge that breaks it."""

    def __init__(self, message: str, edge: tuple | None = None) -> None:
        super().__init__(message)
        self.edge = edge


class _KeyErrorMessage(KeyError):
    # KeyError.__str__ shows repr(message), with quotes; show the message itself.
    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnknownNeuronError(AutogradGraphError, _KeyErrorMessage):
    """No neuron has this id."""


class UnknownEdgeError(AutogradGraphError, _KeyErrorMessage):
    """No edge joins these two neurons."""


class UnknownActivationError(AutogradGraphError, ValueError):
    """No activation has this name; the message lists the known ones."""


class UnknownLossError(AutogradGraphError, ValueError):
    """No loss has this name; the message lists the known ones."""


class IncompatibleLossError(AutogradGraphError, ValueError):
    """The loss needs output neurons of another kind (binary cross-entropy needs logistic ones)."""


class InvalidDtypeError(AutogradGraphError, TypeError):
    """A dtype that is not a floating type (float64, float32)."""


class InvalidSeedError(AutogradGraphError, ValueError):
    """A seed numpy.random.default_rng does not accept."""


class UnknownEngineError(AutogradGraphError, ValueError):
    """An engine name other than "compiled" or "reference"."""


class InvalidWeightError(AutogradGraphError, ValueError):
    """A weight that is not a finite real number, or a weight vector of the wrong length."""


class ShapeError(AutogradGraphError, ValueError):
    """Input or target data whose shape or keys do not match the network."""


class DataTypeError(ShapeError, TypeError):
    """Input or target data that is not real numbers (complex numbers, strings, dates, a masked array):
    refused rather than converted with a part dropped; the message names the argument (or column)."""


class StaleTraceError(AutogradGraphError, RuntimeError):
    """The network changed between ``forward`` and ``backward``."""


class InvalidTraceError(AutogradGraphError, TypeError):
    """Something given as a trace (``net.backward(trace, Y)``) that is no :class:`~autograd_graph.Trace`."""


class GradientCheckError(AutogradGraphError, AssertionError):
    """Analytic and numeric gradients disagree; the message names where."""


class ExampleError(AutogradGraphError, ValueError):
    """Which example of a batch to show or explain: out of range, or needed and not given."""


class RenderError(AutogradGraphError, RuntimeError):
    """Graphviz could not turn a picture into a file."""


class PictureOptionError(AutogradGraphError, ValueError):
    """A picture asked for with an option value that cannot be drawn or written (a rank size, a
    direction, a file format, a number of titles); the message names the option and what it accepts."""


class UnknownPictureOptionError(AutogradGraphError, TypeError):
    """A keyword that no picture function takes, or that does not apply here (options for a finished picture)."""


class MissingGradientsError(AutogradGraphError, ValueError):
    """A call that shows gradients got none (or got them without their trace): pass ``net.backward(trace, Y)``."""


class GraphvizNotFoundError(RenderError):
    """Graphviz's ``dot`` program is missing; the message says how to install it."""


class RenderTimeoutError(RenderError, TimeoutError):
    """Graphviz did not finish within ``timeout`` seconds and was stopped; the message gives the network's
    size and the view that draws it fast."""


class PictureTooBigError(PictureOptionError):
    """The full view of a network too big for Graphviz's layout was asked for; the message names the
    compact and overview views."""


class CommandLineError(AutogradGraphError, ValueError):
    """Bad input to the ``autograd-graph`` command (a file, a data set, an option)."""


class TrainingError(AutogradGraphError, ValueError):
    """A training setting that cannot work: an unknown optimizer, a bad batch size, a negative step size."""


class NonFiniteError(AutogradGraphError, FloatingPointError):
    """Training produced an infinite or NaN value; the message names the step and the neuron (or edge).

    Attributes
    ----------
    run, epoch, step : int
        Where it happened (``step`` counts the run's updates from 0).
    quantity : str
        What went non-finite first: ``"a"``, ``"z"``, ``"∂L/∂z"``, ``"∂L/∂a"``,
        ``"∂L/∂w"``, ``"loss"`` or ``"weight"`` (the update itself overflowed).
    neuron : hashable or None
        The first neuron (in topological order; for gradients, in backward order) at fault.
    edge : tuple or None
        The edge at fault, for ``"∂L/∂w"`` and ``"weight"``.
    indices : ndarray
        The training examples of the failing step (rows of ``X``).
    weights : ndarray
        The weights the failing step started from (the network itself ends
        with the best weights training found, as after any end of training).
    """

    def __init__(
        self,
        message: str,
        *,
        run: int,
        epoch: int,
        step: int,
        quantity: str,
        neuron: Hashable | None = None,
        edge: tuple | None = None,
        indices: Any = None,
        weights: Any = None,
    ) -> None:
        super().__init__(message)
        self.run, self.epoch, self.step = run, epoch, step
        self.quantity, self.neuron, self.edge = quantity, neuron, edge
        self.indices, self.weights = indices, weights


class SerializationError(AutogradGraphError, ValueError):
    """A network that cannot be saved, or a file that is not a valid saved network (the message says where)."""


class ComparisonError(AutogradGraphError, ValueError):
    """A comparison of networks cannot run as asked (a bad network, setting, task or budget)."""


class UnreachableOutputWarning(UserWarning):
    """An output neuron that no input neuron reaches: it computes a constant."""


class TrainingInterruptedWarning(UserWarning):
    """Training stopped on Ctrl-C (KeyboardInterrupt); the network holds the best weights found so far."""


class MissingWeightsWarning(UserWarning):
    """A file (GraphML) gave no weight at all under the attribute asked for: every weight was drawn at random."""


class CheckpointWarning(UserWarning):
    """A checkpoint could not be saved (a full disk, no permission); training went on. Said once per
    training, naming the path and the error."""


class BuilderError(AutogradGraphError, ValueError):
    """A builder or generator was asked for a network it cannot make (a size,
    density or model parameter out of range); the message gives the value and the limit."""


class TruthTableError(BuilderError):
    """A truth table that does not define a function {0,1}^n → {0,1}."""


class MatrixViewError(NetworkStructureError):
    """A layered network that is no chain of matrices: an input or output
    neuron outside the first or last layer, or a hidden neuron in the last one."""


class NonLinearNetworkError(AutogradGraphError, ValueError):
    """The identity collapse needs every activation to be the identity; the message names a neuron that is not."""


class UnsupportedModuleError(AutogradGraphError, TypeError):
    """A PyTorch module that has no counterpart here (only Linear layers and elementwise activations do)."""


class UnsupportedActivationError(AutogradGraphError, ValueError):
    """An activation with no known PyTorch counterpart; pass one in ``activations=``."""


class UnsupportedGenomeError(AutogradGraphError, ValueError):
    """A NEAT genome that is not a feed-forward network of sums (the message names the node and why)."""


class InvalidThreadsError(AutogradGraphError, ValueError):
    """``set_threads`` takes a whole number of threads ≥ 1 (or None for the default)."""


# ------------------------------------------------------------------ explorer
class RecordError(AutogradGraphError, ValueError):
    """A recording of training that does not fit what it is used with (another network, an epoch it
    does not hold, a bad setting of the recorder); the message says what was expected."""


class ExplorerError(AutogradGraphError, ValueError):
    """An explorer page that cannot be built as asked (a network too big for the page, a number format
    the page cannot write, data that does not fit); the message names the limit or the option."""


class FFmpegNotFoundError(RenderError):
    """An MP4 animation needs ffmpeg: neither the ``ffmpeg`` program nor the ``imageio-ffmpeg`` package was found."""


class PruningError(AutogradGraphError, ValueError):
    """A pruning that cannot be done as asked: an amount out of range, or more edges than can go while every
    neuron keeps an incoming edge and a path to an output (the message gives the most that can)."""


class PrunedNeuronsWarning(UserWarning):
    """Pruning with ``keep_connected=False`` left neurons without an incoming edge or cut off from every
    output; they were removed, and the message names them."""


# ------------------------------------------------------------ training features
class ConstraintError(NetworkStructureError):
    """A freeze or a tie that cannot hold (part of a tied group frozen, a tie of one edge, tied weights
    that differ when training starts from them); the message names the edges."""


class ValidationDataWarning(UserWarning):
    """The validation data of a training are the test data of a :class:`~autograd_graph.Task`: choosing
    weights by them leaves no unseen data to report."""


class UnknownSettingError(TrainingError, TypeError):
    """A keyword that is no setting of training (``lr=``, ``verbose=``); the message names the setting meant."""


class RegularizationError(TrainingError):
    """A setting of regularisation that cannot work (``weight_decay``, ``l1``, ``dropout``, ``clip_norm``,
    ``regularize_biases``); the message names the option, and the neuron for a dropout rate."""
