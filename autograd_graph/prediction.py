"""``net.predict(X)`` and ``net(X)``: the network's outputs for a batch, without a trace to keep.

Both give ``net.forward(X).output``, shape ``(batch, n_outputs)``, columns in
``net.outputs`` order, computed in chunks of
:data:`PREDICT_CHUNK` examples so that a big ``X`` never needs the
``(n_neurons, batch)`` arrays of one pass over all of it. A pandas
``DataFrame`` ``X`` (matched by column name, see :mod:`autograd_graph.data`)
gives a ``DataFrame`` with the same index and one column per output neuron.

Examples
--------
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> net.predict([[0.5], [1.0]]).shape
(2, 1)
>>> bool((net([[0.5]]) == net.forward([[0.5]]).output).all())
True
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from .data import as_batch

if TYPE_CHECKING:
    from collections.abc import Hashable

    from .engines.compiled import CompiledEngine
    from .results import Trace

__all__ = ["Predicting", "PREDICT_CHUNK"]

PREDICT_CHUNK = 8192  # examples per forward pass of predict


class Predicting:
    """``predict`` and ``__call__`` (a base of :class:`~autograd_graph.Network`)."""

    if TYPE_CHECKING:  # what the network provides

        @property
        def inputs(self) -> list[Hashable]: ...
        @property
        def outputs(self) -> list[Hashable]: ...

        def forward(self, X: Any, *, engine: str = "compiled", dtype: Any = None) -> Trace: ...
        def compile(self) -> CompiledEngine: ...

    def predict(self, X: Any, *, dtype: Any = None) -> Any:
        """The outputs for the examples ``X``: ``net.forward(X).output``, in chunks.

        Parameters
        ----------
        X : array_like, mapping or DataFrame
            ``(batch, n_inputs)`` as for :meth:`~autograd_graph.Network.forward`.
        dtype : float64 or float32, optional
            The network's ``dtype`` unless given.

        Returns
        -------
        ndarray, shape (batch, n_outputs)
            Columns in ``net.outputs`` order; a ``DataFrame`` (same index,
            output neurons as columns) when ``X`` is one.

        Examples
        --------
        >>> import pandas as pd
        >>> import autograd_graph as ag
        >>> net = ag.from_edge_list([("x", "y", 2.0)])
        >>> net.predict(pd.DataFrame({"x": [1.0, 3.0]}, index=["a", "b"]))
             y
        a  2.0
        b  6.0
        """
        pd = sys.modules.get("pandas")
        frame = pd is not None and isinstance(X, pd.DataFrame)
        batch = as_batch(X, self.inputs, dtype=np.float64)
        if batch.shape[0] <= PREDICT_CHUNK:
            output = self.forward(batch, dtype=dtype).output
        else:
            chunks = range(0, batch.shape[0], PREDICT_CHUNK)
            output = np.concatenate([self.forward(batch[lo : lo + PREDICT_CHUNK], dtype=dtype).output for lo in chunks])
            self.compile().release_buffers()  # the chunks' arrays (engines/buffers.py) back to the system
        if frame and pd is not None:
            return pd.DataFrame(output, index=X.index, columns=list(self.outputs))
        return output

    def __call__(self, X: Any) -> Any:
        """``net(X)`` is ``net.predict(X)``."""
        return self.predict(X)
