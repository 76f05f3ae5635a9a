"""The ``torch.nn.Module`` of :func:`~autograd_graph.to_torch`: a network's schedule run by PyTorch.

This module imports torch at the top; :mod:`autograd_graph.io.pytorch` imports
it only when torch is wanted. :class:`GraphModule` is built from the same
:class:`~autograd_graph.engines.schedule.Schedule` as the compiled engine:
rows (inputs, bias neurons, then one block of rows per generation) and, per
stage, its block of edges. A dense block (``view`` or ``scatter``) becomes one
dense matrix product; a sparse one gathers its sources and adds each edge's
``w·z`` into its target (``index_add``), so memory grows with the edges, not
with neurons × neurons. Bias edges give one bias vector. PyTorch's autograd
then gives the gradients; the module holds one parameter, ``weight``, the flat
weights in ``net.edges`` order, so ``weight.grad`` lines up with
``grads.weights.flat``. The class lives at module level: a module pickles,
``torch.save``/``torch.load`` round-trip, and it moves with ``.to(device)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ..activations import get_activation
from ..engines.schedule import Schedule
from ..exceptions import ShapeError, UnsupportedActivationError

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["GraphModule"]


def _functions(names: set[str], extra: Mapping[str, Callable]) -> dict[str, Callable]:
    """Torch functions for activation names: the given ones, else each table entry's ``torch`` form."""
    functions = {}
    for name in sorted(names):
        if name in extra:
            functions[name] = extra[name]
            continue
        form = get_activation(name).torch
        if form is None:
            raise UnsupportedActivationError(
                f"activation {name!r} has no PyTorch form; pass activations={{{name!r}: a torch function}} "
                f"or register it with torch=..."
            )
        functions[name] = form(torch)
    return functions


class GraphModule(torch.nn.Module):
    """A network as a torch module: ``forward(X)`` maps ``(batch, n_inputs)`` to ``(batch, n_outputs)``.

    Build it with :func:`~autograd_graph.to_torch`.
    """

    def __init__(self, net: Network, schedule: Schedule, dtype: Any, activations: Mapping[str, Callable]) -> None:
        super().__init__()
        self.n_inputs, self.n_sources, self.n_rows = len(schedule.inputs), schedule.n_sources, len(schedule.order)
        self.inputs = list(schedule.inputs)
        self._extra = dict(activations)
        # per stage: (start, stop, source_start, source_stop, kind, first edge, last edge + 1, groups)
        self.stages: list[tuple] = []
        rows, cols, positions, flat = [], [], [], []
        count = 0
        for st in schedule.stages:
            groups = [(act.name, lo - st.start, hi - st.start) for act, lo, hi in st.groups]
            kind, n = "none", 0
            if st.block is not None:
                b = st.block
                kind, n = ("sparse" if b.kind == "sparse" else "dense"), b.positions.size
                rows.append(b.rows), cols.append(b.cols), positions.append(b.positions)
                flat.append(b.rows.astype(np.int64) * b.shape[1] + b.cols)
            self.stages.append((st.start, st.stop, st.source_start, st.source_stop, kind, count, count + n, groups))
            count += n
        empty = np.zeros(0, np.int64)
        for name, parts in [("rows", rows), ("cols", cols), ("positions", positions), ("flat_index", flat)]:
            self.register_buffer(name, torch.as_tensor(np.concatenate([empty, *parts]).astype(np.int64)))
        self.register_buffer("bias_targets", torch.as_tensor(schedule.bias_targets.astype(np.int64)))
        self.register_buffer("bias_positions", torch.as_tensor(schedule.bias_positions))
        bounds = np.array([0, self.n_sources] + [st.stop for st in schedule.stages])
        block_of = np.searchsorted(bounds, schedule.output_rows, side="right") - 1
        self.outputs = [(int(b), int(r - bounds[b])) for b, r in zip(block_of, schedule.output_rows, strict=True)]
        self.weight = torch.nn.Parameter(torch.as_tensor(net.get_weights(), dtype=dtype))
        self.network = net.copy()
        self.names = {name for *_, groups in self.stages for name, _, _ in groups}
        self._functions = _functions(self.names, self._extra)

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_functions", None)  # rebuilt from the names on loading
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        self._functions = _functions(self.names, self._extra)

    def _span(self, blocks: list, bounds: list[int], lo: int, hi: int) -> Any:
        """Rows ``lo:hi`` of the state as one ``(batch, hi − lo)`` tensor (a slice when they lie in one block)."""
        parts = []
        for block, start, stop in zip(blocks, bounds, bounds[1:], strict=False):
            if start < hi and lo < stop:
                parts.append(block[:, max(lo, start) - start : min(hi, stop) - start])
        return parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)

    def forward(self, X: Any) -> Any:
        # as net.forward: a 1-D X of n_inputs values (or a scalar, with one input) is one example
        X = torch.atleast_2d(torch.as_tensor(X, dtype=self.weight.dtype, device=self.weight.device))
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ShapeError(f"X has shape {tuple(X.shape)}; expected (batch, {self.n_inputs}) for the inputs "
                             f"{self.inputs!r}, or one example of {self.n_inputs} values")  # fmt: skip
        w, batch = self.weight, X.shape[0]
        bias = w.new_zeros(self.n_rows).index_add(0, self.bias_targets, w[self.bias_positions])  # (n_rows,)
        blocks = [torch.cat([X, X.new_ones(batch, self.n_sources - self.n_inputs)], dim=1)]  # rows 0:n_sources
        bounds = [0, self.n_sources]
        for start, stop, s0, s1, kind, e0, e1, groups in self.stages:
            a = bias[start:stop].expand(batch, stop - start)  # (batch, neurons of the stage)
            if kind == "dense":
                W = w.new_zeros((stop - start) * (s1 - s0)).index_copy(0, self.flat_index[e0:e1],
                                                                       w[self.positions[e0:e1]])  # fmt: skip
                a = a + self._span(blocks, bounds, s0, s1) @ W.view(stop - start, s1 - s0).T
            elif kind == "sparse":
                terms = self._span(blocks, bounds, s0, s1)[:, self.cols[e0:e1]] * w[self.positions[e0:e1]]
                a = a.index_add(1, self.rows[e0:e1], terms)  # each edge's w·z into its target
            parts = [self._functions[name](a[:, lo:hi]) for name, lo, hi in groups]
            blocks.append(parts[0] if len(parts) == 1 else torch.cat(parts, dim=1))
            bounds.append(stop)
        return torch.stack([blocks[b][:, column] for b, column in self.outputs], dim=1)  # (batch, n_outputs)

    def to_network(self) -> Network:
        """A copy of the original network carrying this module's current weights."""
        net = self.network.copy()
        net.set_weights(self.weight.detach().cpu().double().numpy())
        return net

    def extra_repr(self) -> str:
        return f"{self.network!r}, {len(self.stages)} generations"
