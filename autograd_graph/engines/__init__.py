"""The engines: forward and backward passes over a network's description.

Every engine is built from an :class:`~autograd_graph.topology.IndexedGraph`
(``net.indexed()``) and has the same interface, :class:`Engine`; the network
keeps one per kind until its structure changes, and a trace records the kind
of the engine that computed it.

- :mod:`.reference`: the SPEC's formulas neuron by neuron, for checking and teaching;
- :mod:`.schedule`: the network compiled into rows, stages and blocks (pure data);
- :mod:`.kernels`: the dense, strided-view and sparse kernels of a stage;
- :mod:`.compiled`: the passes over the schedule, stage by stage (the default);
- :mod:`.codegen`: straight-line Python of per-example SGD, from the schedule.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from ..losses import Loss
from ..results import EngineKind, Gradients, Trace
from ..topology import IndexedGraph
from .compiled import CompiledEngine
from .reference import ReferenceEngine

__all__ = ["Engine", "ENGINES", "CompiledEngine", "ReferenceEngine"]


class Engine(Protocol):
    """What every engine offers (see :class:`CompiledEngine`, :class:`ReferenceEngine`)."""

    kind: EngineKind
    graph: IndexedGraph

    def forward(self, w: np.ndarray, X: Any, dtype: np.dtype, versions: tuple) -> Trace:
        """Every neuron's ``a`` and ``z`` for the batch ``X``, with the flat weights ``w``."""
        ...

    def backward(self, w: np.ndarray, trace: Trace, Y: Any, loss: str | Loss) -> Gradients:
        """The gradients of the batch-mean loss for a trace this engine computed."""
        ...


# engine kind -> its class: the one table `net.forward(X, engine=...)` reads
ENGINES: dict[EngineKind, type[CompiledEngine] | type[ReferenceEngine]] = {
    EngineKind.COMPILED: CompiledEngine,
    EngineKind.REFERENCE: ReferenceEngine,
}
