"""ONNX export: :func:`to_onnx`, any network as standard ONNX operators (onnx is optional).

The model runs the network's schedule, the one the compiled engine runs, in
the engine's ``(rows, batch)`` layout, one tensor per stage (block 0 holds the
inputs and the bias neurons' rows of ones):

- a dense block (``view`` or ``scatter``) is one ``MatMul`` of its weight
  matrix with the rows it reads (``Slice``/``Concat`` of earlier blocks), plus
  a bias vector;
- a sparse block gathers the source row of every edge (``Gather``, one per
  source block), weights it (``Mul``) and adds it into its target
  (``ScatterND`` with ``reduction="add"``); its bias edges are edges from the
  rows of ones. Nothing grows with neurons × neurons;
- each activation group is its table entry's ``onnx`` form
  (:mod:`autograd_graph.activations`); the outputs are ``Gather``-ed and
  transposed to ``(batch, n_outputs)``.

The weights are initializers in the model's dtype (float64 or float32).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .._checks import floating_dtype
from ..exceptions import InvalidDtypeError, UnsupportedActivationError
from ..network import Network
from .files import write_atomically

__all__ = ["to_onnx", "OPSET"]

OPSET = 18  # ScatterND's reduction="add" needs 16; onnxruntime runs 18 everywhere


class _Graph:
    """Nodes and initializers of the model being built; what an activation's ``onnx`` form calls."""

    def __init__(self, onnx: Any, dtype: np.dtype) -> None:
        self.onnx, self.dtype = onnx, dtype
        self.elem_type = onnx.helper.np_dtype_to_tensor_dtype(dtype)
        self.nodes: list = []
        self.initializers: list = []
        self._count = 0

    def _name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def op(self, op_type: str, *inputs: str, **attributes: Any) -> str:
        """Add a node of one output; its output's name."""
        out = self._name(op_type.lower())
        self.nodes.append(self.onnx.helper.make_node(op_type, list(inputs), [out], **attributes))
        return out

    def array(self, value: Any, dtype: Any = None, hint: str = "const") -> str:
        """An initializer holding ``value`` (in the model's dtype unless ``dtype`` is given)."""
        name = self._name(hint)
        data = np.asarray(value, dtype=self.dtype if dtype is None else dtype)
        self.initializers.append(self.onnx.numpy_helper.from_array(data, name))
        return name

    def const(self, value: float) -> str:
        """A scalar constant of the model's dtype."""
        return self.array(value)

    def cast(self, x: str) -> str:
        """``x`` cast to the model's dtype."""
        return self.op("Cast", x, to=self.elem_type)

    def rows(self, x: str, lo: int, hi: int) -> str:
        """Rows ``lo:hi`` of a ``(rows, batch)`` tensor."""
        return self.op("Slice", x, self.array([lo], np.int64), self.array([hi], np.int64), self.array([0], np.int64))

    def concat(self, parts: list[str]) -> str:
        return parts[0] if len(parts) == 1 else self.op("Concat", *parts, axis=0)


def _check_activations(net: Network) -> None:
    for neuron in net.hidden + net.outputs:
        act = net.activation(neuron)
        if act is not None and act.onnx is None:
            raise UnsupportedActivationError(
                f"neuron {neuron!r} has activation {act.name!r}, which has no ONNX form; register it with "
                f"ag.register_activation({act.name!r}, ..., onnx=lambda graph, x: graph.op(...), overwrite=True)"
            )


def _block_parts(bounds: list[int], lo: int, hi: int) -> list[tuple[int, int, int]]:
    """The blocks rows ``lo:hi`` of the state lie in: ``(block, first row, last row + 1)`` within each."""
    parts = []
    for k, (start, stop) in enumerate(zip(bounds, bounds[1:], strict=False)):
        if start < hi and lo < stop:
            parts.append((k, max(lo, start) - start, min(hi, stop) - start))
    return parts


def _sparse(g: _Graph, blocks: list[str], bounds: list[int], st: Any, w: np.ndarray, plan: Any) -> str:
    """``a`` of a sparse stage: gather every edge's source row, weight it, add it into its target."""
    e0, e1 = st.edges
    c0, c1 = st.crow
    n = st.stop - st.start
    targets = np.repeat(np.arange(n), np.diff(plan.crow[c0:c1]))  # the CSR rows, edge by edge
    sources = plan.col[e0:e1].astype(np.int64)
    weights = w[plan.csr_pos[e0:e1]]
    block_of = np.searchsorted(np.asarray(bounds), sources, side="right") - 1
    gathered, order = [], []
    for k in np.unique(block_of).tolist():
        sel = np.flatnonzero(block_of == k)
        gathered.append(g.op("Gather", blocks[k], g.array(sources[sel] - bounds[k], np.int64), axis=0))
        order.append(sel)
    sel = np.concatenate(order)
    terms = g.op("Mul", g.concat(gathered), g.array(weights[sel][:, None], hint="w"))  # (edges, batch)
    shape = g.op("Concat", g.array([n], np.int64), g.op("Shape", blocks[0], start=1), axis=0)  # (n, batch)
    empty = g.op("Expand", g.array(np.zeros((1, 1))), shape)
    return g.op("ScatterND", empty, g.array(targets[sel][:, None], np.int64), terms, reduction="add")


def _dense(g: _Graph, blocks: list[str], bounds: list[int], st: Any, w: np.ndarray, plan: Any, bias: np.ndarray) -> str:
    """``a`` of a dense stage: its weight matrix times the rows it reads, plus the bias."""
    n, span = st.shape
    if st.kind == "view":
        base, row_stride, col_stride = st.view
        W = w[base + np.arange(n)[:, None] * row_stride + np.arange(span)[None, :] * col_stride]
    else:
        W = np.zeros(n * span)
        W[plan.dense_flat[slice(*st.edges)]] = w[plan.dense_pos[slice(*st.edges)]]
        W = W.reshape(n, span)
    src = g.concat([p if (a, b) == (0, bounds[k + 1] - bounds[k]) else g.rows(p, a, b)
                    for k, a, b in _block_parts(bounds, st.s0, st.s1) for p in [blocks[k]]])  # fmt: skip
    return g.op("Add", g.op("MatMul", g.array(W, hint="W"), src), g.array(bias[st.start : st.stop, None], hint="b"))


def to_onnx(net: Network, path: str | os.PathLike | None = None, *, dtype: Any = np.float64, opset: int = OPSET) -> Any:
    """An ONNX model computing ``net.forward(X).output``, written to ``path`` (whole or not at all).

    Parameters
    ----------
    net : Network
        Any valid network (layered or not) whose activations have an ONNX form.
    path : str or path-like, optional
        Where to write the model (``.onnx``); None only returns it.
    dtype : float64 or float32, default float64
        The model's input, weights and output.
    opset : int, default 18
        The ONNX opset (at least 16).

    Returns
    -------
    onnx.ModelProto
        Input ``"X"`` of shape ``(batch, n_inputs)`` in ``net.inputs`` order,
        output ``"Y"`` of shape ``(batch, n_outputs)``.

    Raises
    ------
    UnsupportedActivationError
        Naming a neuron whose activation has no ONNX form.
    InvalidDtypeError
        For a dtype other than float64 and float32.
    ModuleNotFoundError
        If onnx is not installed (``pip install autograd_graph[onnx]``).

    Examples
    --------
    >>> import numpy as np, onnxruntime
    >>> from autograd_graph.build.running_example import running_example
    >>> net = running_example(seed=0)
    >>> model = to_onnx(net)
    >>> session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    >>> X = np.array([[0.5], [1.0]])
    >>> (Y,) = session.run(None, {"X": X})
    >>> bool(np.abs(Y - net.forward(X).output).max() < 1e-12)
    True
    """
    dtype = floating_dtype(dtype, InvalidDtypeError)
    if not isinstance(opset, int) or opset < 16:
        raise ValueError(f"opset must be an integer ≥ 16 (ScatterND's reduction), got {opset!r}")
    import onnx

    from .torch_plan import TorchPlan

    schedule = net.compile().schedule  # validates first: a clear error for an incomplete network
    plan = TorchPlan(schedule)
    _check_activations(net)
    w = net.get_weights()
    g = _Graph(onnx, dtype)
    ni, ns = plan.n_inputs, plan.n_sources
    bias = np.zeros(plan.n_rows)
    np.add.at(bias, plan.bias_targets, w[plan.bias_positions])
    sources = g.op("Transpose", "X", perm=[1, 0])  # (inputs, batch)
    if ns > ni:  # the bias neurons: rows of ones
        shape = g.op("Concat", g.array([ns - ni], np.int64), g.op("Shape", sources, start=1), axis=0)
        sources = g.op("Concat", sources, g.op("Expand", g.array(np.ones((1, 1))), shape), axis=0)
    blocks, bounds = [sources], [0, ns]
    for st, stage in zip(plan.stages, schedule.stages, strict=True):
        if st.kind == "sparse":
            a = _sparse(g, blocks, bounds, st, w, plan)
        elif st.kind == "none":
            shape = g.op("Concat", g.array([st.stop - st.start], np.int64), g.op("Shape", sources, start=1), axis=0)
            a = g.op("Expand", g.array(bias[st.start : st.stop, None], hint="b"), shape)
        else:
            a = _dense(g, blocks, bounds, st, w, plan, bias)
        n = st.stop - st.start
        parts = []
        for act, lo, hi in stage.groups:  # each group's rows through its activation's ONNX form
            lo, hi = lo - st.start, hi - st.start
            form = act.onnx
            if form is None:  # (checked above)
                raise UnsupportedActivationError(f"activation {act.name!r} has no ONNX form")
            parts.append(form(g, a if (lo, hi) == (0, n) else g.rows(a, lo, hi)))
        blocks.append(g.concat(parts))
        bounds.append(st.stop)
    outputs = []
    for row in plan.output_rows.tolist():
        k = int(np.searchsorted(np.asarray(bounds), row, side="right") - 1)
        outputs.append(g.op("Gather", blocks[k], g.array([row - bounds[k]], np.int64), axis=0))
    g.nodes.append(onnx.helper.make_node("Transpose", [g.concat(outputs)], ["Y"], perm=[1, 0]))
    graph = onnx.helper.make_graph(
        g.nodes, "autograd_graph",
        [onnx.helper.make_tensor_value_info("X", g.elem_type, ["batch", ni])],
        [onnx.helper.make_tensor_value_info("Y", g.elem_type, ["batch", len(plan.output_rows)])],
        initializer=g.initializers,
    )  # fmt: skip
    opsets = [onnx.helper.make_opsetid("", opset)]
    model = onnx.helper.make_model(graph, opset_imports=opsets, producer_name="autograd_graph",
                                   ir_version=onnx.helper.find_min_ir_version_for(opsets))  # fmt: skip
    onnx.checker.check_model(model)
    if path is not None:
        write_atomically(path, model.SerializeToString())
    return model
