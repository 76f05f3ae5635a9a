"""Exceptions raised by autograd_graph.

Every error the library raises on purpose derives from
:class:`AutogradGraphError`, and most also derive from the built-in class a
numpy or networkx user would try to catch (``ValueError``, ``KeyError``), so
``except ValueError`` keeps working.

Messages name the neuron or edge at fault and what was expected.
"""

from __future__ import annotations

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
    "ShapeError",
    "StaleTraceError",
    "GradientCheckError",
    "ExampleError",
    "RenderError",
    "GraphvizNotFoundError",
    "CommandLineError",
    "UnreachableOutputWarning",
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


class InvalidWeightError(AutogradGraphError, ValueError):
    """A weight that is not a finite real number, or a weight vector of the wrong length."""


class ShapeError(AutogradGraphError, ValueError):
    """Input or target data whose shape or keys do not match the network."""


class StaleTraceError(AutogradGraphError, RuntimeError):
    """The network changed between ``forward`` and ``backward``."""


class GradientCheckError(AutogradGraphError, AssertionError):
    """Analytic and numeric gradients disagree; the message names where."""


class ExampleError(AutogradGraphError, ValueError):
    """Which example of a batch to show or explain: out of range, or needed and not given."""


class RenderError(AutogradGraphError, RuntimeError):
    """Graphviz could not turn a picture into a file."""


class GraphvizNotFoundError(RenderError):
    """Graphviz's ``dot`` program is missing; the message says how to install it."""


class CommandLineError(AutogradGraphError, ValueError):
    """Bad input to the ``autograd-graph`` command (a file, a data set, an option)."""


class UnreachableOutputWarning(UserWarning):
    """An output neuron that no input neuron reaches: it computes a constant."""
