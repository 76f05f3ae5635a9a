"""The network: its structure (:mod:`autograd_graph.structure`), its weights, and its passes.

:class:`Network` adds to a :class:`~autograd_graph.structure.NetworkStructure`
(neurons, kinds, edges, validation) the weights (a
:class:`~autograd_graph.weights.WeightVector` in ``net.edges`` order, drawn
when first needed), the passes, which go to an engine
(:mod:`autograd_graph.engines`) built from the network's description,
``net.indexed()``, once per structure, and the conversions.

Reads never change what another reader sees: the one-time work a read may do
(putting edges added by ``connect`` in canonical order, drawing the weights
not given) runs under a lock, and every array handed out is read-only and
never changes afterwards. Passes from several threads are safe.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import networkx as nx
import numpy as np

from ._checks import floating_dtype, generator, real, safe_repr
from .activations import Activation
from .arrays import from_arrays
from .engines import ENGINES, CompiledEngine, Engine
from .exceptions import (
    InvalidDtypeError,
    InvalidSeedError,
    InvalidTraceError,
    InvalidWeightError,
    StaleTraceError,  # fmt: skip
    UnknownEdgeError,
    UnknownEngineError,
)
from .graphs import network_parts, plain_digraph
from .losses import Loss
from .results import EngineKind, Gradients, Trace
from .show import render
from .structure import KINDS, NetworkStructure
from .weights import WeightVector

__all__ = ["Network", "KINDS"]


class Network(NetworkStructure):
    """A feed-forward network of neurons: any DAG, layered or not.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None
        Seeds the initializer that draws the weights not given explicitly.
    dtype : float64 or float32, default float64
        The default floating type of passes (``forward(..., dtype=...)``
        overrides it per pass). Weights are stored in float64 either way.

    Notes
    -----
    Weights not given to :meth:`connect` (or missing in ``from_networkx``)
    are drawn when first needed, uniformly in ``±1/√fan_in`` of the neuron the
    edge heads into (as ``torch.nn.Linear``), from the seeded generator, in
    ``net.edges`` order.

    Examples
    --------
    >>> net = Network(seed=0)
    >>> net.add_input("x"); net.add_bias("b")
    >>> net.add_output("y", activation="identity")
    >>> net.connect("x", "y", weight=2.0); net.connect("b", "y", weight=-1.0)
    >>> net.forward([[3.0]]).output
    array([[5.]])
    >>> net
    <Network: 3 neurons (1 input, 1 bias, 0 hidden, 1 output), 2 weights, layered>
    """

    def __init__(self, *, seed: int | np.random.Generator | None = None, dtype: Any = np.float64) -> None:
        self._rng = generator(seed, InvalidSeedError)
        self.dtype = dtype
        super().__init__()

    @property
    def dtype(self) -> np.dtype:
        """The default floating type of passes (float64 unless set otherwise)."""
        return self._dtype

    @dtype.setter
    def dtype(self, value: Any) -> None:
        self._dtype = floating_dtype(value, InvalidDtypeError)

    # ------------------------------------------------------------------ weights
    def _ready(self) -> WeightVector:
        """The weights in canonical order, all drawn: the one-time work of reads, done once, under the lock."""
        with self._lock:
            w = self._canonical()
            if w.missing:
                ix = self.indexed()  # the fan-in of each edge's target: its number of incoming edges
                w.draw_missing(self._rng, lambda p: np.bincount(ix.dst, minlength=len(ix.nodes))[ix.dst[p]] * 1.0)
            return w

    def initialize(self, seed: int | np.random.Generator | None = None, *, scale: float = 1.0) -> None:
        """Redraw every weight uniformly in ``±scale/√fan_in`` (``seed``: a new seed; None keeps the generator)."""
        rng = self._rng if seed is None else generator(seed, InvalidSeedError)
        scale = real("scale", scale, InvalidWeightError, low_open=True)  # checked before any weight changes
        with self._lock:
            self._rng = rng
            self._weights.clear()
            self._ready()
            if scale != 1.0:
                self._weights.scale(scale)

    @property
    def edges(self) -> list[tuple]:
        """The edges ``(i, j)`` in flat-weight order: networkx's ``G.edges`` order (see the module notes)."""
        return list(self._ready().edges)

    @property
    def weights(self) -> np.ndarray:
        """All weights as a read-only flat array in :attr:`edges` order; it never changes afterwards."""
        return self._ready().values

    def get_weights(self) -> np.ndarray:
        """A copy of all weights, flat, in :attr:`edges` order."""
        return self._ready().values.copy()

    def set_weights(self, values: Iterable[float] | Mapping[tuple, float]) -> None:
        """Set all weights from a flat array in :attr:`edges` order, or some from a mapping ``{edge: w}``.

        Setting the values the network already holds changes nothing (traces stay valid).

        Raises
        ------
        InvalidWeightError
            Wrong length or a non-finite value (the message names the edge).
        UnknownEdgeError
            A mapping key that is no edge. Nothing is changed on error.
        """
        with self._lock:
            w = self._ready()
            w.set_some(values) if isinstance(values, Mapping) else w.set_all(values)

    def get_weight(self, source: Hashable, target: Hashable) -> float:
        """``w_{source,target}``."""
        w = self._ready()
        if (source, target) not in w.positions:
            raise UnknownEdgeError(f"no edge {safe_repr(source)} → {safe_repr(target)} in the network")
        return float(w.values[w.positions[source, target]])

    def set_weight(self, source: Hashable, target: Hashable, weight: float) -> None:
        """Set ``w_{source,target}`` to a finite number."""
        self.set_weights({(source, target): weight})

    @contextmanager
    def preserving_weights(self) -> Iterator[None]:
        """Undo every weight change made inside the block on leaving it; traces from before stay valid."""
        snapshot = self._ready().snapshot()
        try:
            yield
        finally:
            with self._lock:
                self._weights.restore(snapshot)

    # ------------------------------------------------------------------- passes
    def _engine(self, kind: EngineKind) -> Engine:
        """The engine of ``kind`` for the current structure (validated and built once)."""
        with self._lock:
            if kind not in self._built:
                self._ready()
                if "validated" not in self._built:  # from_networkx and from_arrays validate when built
                    self.validate()
                self._built[kind] = ENGINES[kind](self.indexed())
            return self._built[kind]

    def compile(self) -> CompiledEngine:
        """The compiled engine (its ``schedule``), built once and cached until the structure changes."""
        return self._engine(EngineKind.COMPILED)  # type: ignore[return-value]

    @property
    def versions(self) -> tuple[object, int, int]:
        """``(network, structure, weights)`` tokens: a trace records them, and is stale once they change."""
        return (self._identity, self._structure, self._weights.token)

    def check_trace(self, trace: Trace) -> None:
        """Raise :class:`StaleTraceError` unless ``trace`` was computed by this network as it is now."""
        if not isinstance(trace, Trace):
            raise InvalidTraceError(f"trace: expected a Trace from net.forward(X), got a {type(trace).__name__}")
        if trace.versions[0] is not self._identity:
            raise StaleTraceError("this trace was computed by another network; call forward on this one")
        if trace.versions != self.versions:
            raise StaleTraceError(
                "the network changed (structure or weights) after this trace was computed; call forward again"
            )

    def forward(self, X: Any, *, engine: str = "compiled", dtype: Any = None) -> Trace:
        """Compute every neuron's ``a`` and ``z`` for a batch.

        Parameters
        ----------
        X : array_like or mapping
            ``(batch, n_inputs)`` in :attr:`inputs` order, a 1-D array for one
            example, or ``{input neuron: values}``.
        engine : {"compiled", "reference"}
            The compiled schedule (default) or the explicit per-neuron loop.
        dtype : float64 or float32, optional
            The network's ``dtype`` unless given.

        Returns
        -------
        Trace
        """
        try:
            kind = EngineKind(engine)
        except ValueError:
            raise UnknownEngineError(f"unknown engine {engine!r}; expected 'compiled' or 'reference'") from None
        dtype = self.dtype if dtype is None else floating_dtype(dtype, InvalidDtypeError)
        with self._lock:
            runner, w, versions = self._engine(kind), self._ready().values, self.versions
        return runner.forward(w, X, dtype, versions)  # outside the lock: passes run in parallel

    def backward(self, trace: Trace, Y: Any, *, loss: str | Loss = "squared_error") -> Gradients:
        """Gradients of the batch-mean loss ``L`` with respect to every ``a``, ``z`` and weight.

        ``trace`` comes from :meth:`forward` on this network, unchanged since
        (else :class:`StaleTraceError`); ``Y`` is like ``X``, for the outputs;
        ``loss`` is squared error ``ℓ = Σ_k (y_k − z_k)²`` unless named
        (:mod:`autograd_graph.losses`).
        """
        with self._lock:  # the trace checked against the weights the pass then reads (set_weights takes the lock)
            self.check_trace(trace)
            runner, w = self._engine(trace.engine), self._weights.values
        return runner.backward(w, trace, Y, loss)

    # ------------------------------------------------------------- conversions
    @classmethod
    def from_networkx(cls, G: nx.DiGraph, *, kind: str = "kind", activation: str = "activation",
                      weight: str = "weight", hidden_activation: str | Activation = "logistic",
                      output_activation: str | Activation = "identity", validate: bool = True,
                      seed: int | np.random.Generator | None = None, dtype: Any = np.float64) -> Network:  # fmt: skip
        """Build a network from any ``nx.DiGraph``, in time linear in its size.

        Node attribute ``kind`` (input, bias, hidden, output; hidden when missing; when no node has one, sources
        become inputs and sinks outputs), node attribute ``activation`` (a name or an :class:`Activation`;
        ``hidden_activation``/``output_activation`` when missing; ``''`` and ``'None'``, igraph's unset attributes,
        count as missing), edge attribute ``weight`` (drawn from ``seed`` when missing); ``kind=``, ``activation=``,
        ``weight=`` name the attributes to read. Raises :class:`NetworkStructureError` (or a subclass) naming the
        neuron or edge at fault; ``validate=False`` accepts an incomplete network (no output yet), never a cycle.

        Examples
        --------
        >>> net = Network.from_networkx(nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C")]), seed=0)
        >>> net.inputs, net.outputs, net.n_weights
        (['A'], ['C'], 3)
        """
        net = cls(seed=seed, dtype=dtype)
        defaults = {"hidden": hidden_activation, "output": output_activation}
        weights, indexed = network_parts(G, kind, activation, weight, defaults)
        net._reset(None, weights, arrays=indexed)  # its own graph is built from the arrays when needed
        if validate:  # (the graph is acyclic, and no edge heads into an input or bias, already)
            net.validate()
        return net

    from_arrays: Any = classmethod(from_arrays)  # documented in autograd_graph/arrays.py

    def to_networkx(self) -> nx.DiGraph:
        """A plain ``nx.DiGraph`` (``kind``, ``activation``, ``weight``); ``from_networkx`` gives it back."""
        values = self._ready().values
        return plain_digraph(self.indexed(), values)

    def to_graphviz(self, trace: Trace | None = None, grads: Gradients | None = None, **options: Any) -> Any:
        """A picture as a ``graphviz.Digraph`` (shows in Jupyter); see :func:`autograd_graph.to_graphviz`."""
        return render.to_graphviz(self, trace, grads, **options)

    def copy(self) -> Network:
        """An independent copy (structure, weights, and the generator's state); ``copy.copy`` and
        ``copy.deepcopy`` give the same."""
        new = type(self).__new__(type(self))
        new.__setstate__(self.__getstate__())
        return new

    __copy__ = copy

    def __deepcopy__(self, memo: dict) -> Network:
        return self.copy()

    def __getstate__(self) -> dict:
        with self._lock:
            self._ready()
            rng = np.random.default_rng()
            rng.bit_generator.state = self._rng.bit_generator.state
            structure = {"arrays": self._arrays()} if self._nx is None else {"graph": self._nx.copy()}
            return {**structure, "weights": self._weights.copy(), "rng": rng, "dtype": self._dtype}

    def __setstate__(self, state: dict) -> None:
        self._rng, self._dtype = state["rng"], state["dtype"]
        self._reset(state.get("graph"), state["weights"], arrays=state.get("arrays"))
