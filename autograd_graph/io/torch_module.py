"""The ``torch.nn.Module`` of :func:`~autograd_graph.to_torch`: a network's schedule run by PyTorch.

This module imports torch at the top; :mod:`autograd_graph.io.pytorch` imports
it only when torch is wanted. :class:`GraphModule` runs the
:class:`~autograd_graph.engines.schedule.Schedule` of the compiled engine,
laid out by :class:`~autograd_graph.io.torch_plan.TorchPlan`, the way the
engine does: one ``(rows, batch)`` state, stage after stage, each stage one
product over the rows it reads (a view of the state, never a copy of all
earlier rows):

- sparse blocks are ``torch.sparse_csr_tensor`` products (their bias edges
  read the bias neurons' rows of ones); the backward pass adds ``Wᵀ ∂L/∂a``
  into the rows the block reads only, and ``∂L/∂w`` of every sparse and bias
  edge is one ``torch.sparse.sampled_addmm`` (the products at the edges
  alone). On this project's CPU they beat gathers with ``index_add`` in 83 of
  84 cases measured (``python -m benchmarks.torch_kernels``, which also finds
  the schedule's dense/sparse threshold), and PyTorch's own autograd of a CSR
  product builds a dense gradient, so the pass is one
  :class:`torch.autograd.Function` with its own backward;
- dense blocks are one dense product each (``view`` blocks a strided view of
  the weights, ``scatter`` blocks a matrix filled per pass).

Memory grows with the edges and with rows × batch, never with neurons ×
neurons. The module holds one parameter, ``weight``, the flat weights in
``net.edges`` order (``weight.grad`` lines up with ``grads.weights.flat``),
and no buffers: the plan's index arrays follow the weight's device
(``.to(device)``, ``DataParallel`` replicas, ``to_empty``), and
``state_dict()`` is ``{"weight": ...}``. The class lives at module level: a
module pickles and ``torch.save``/``torch.load`` round-trip it. On the
``meta`` device the sparse products, which PyTorch has no meta kernels for,
become empty tensors of their shapes, so shapes and memory show without
computing. On the CPU, a network whose sparse stages the engine runs edge
by edge (:mod:`autograd_graph.engines.pull`: numba installed, 8,192 sparse
edges or more) and that has no activation of its own is run by the engine
itself, on the weight's and the batch's memory (no copy): PyTorch's CSR
products were 2.3–2.6× slower than it at 10^4 and 10^6 edges
(``benchmarks/README.md``, "The PyTorch export"); the numbers agree with
PyTorch's kernels to rounding (tests/test_torch_export.py).
``torch.compile`` runs the pass as PyTorch's own kernels
(Inductor does not compile sparse CSR tensors, see :func:`_run`) and compiles
the code around it. The pass is differentiable once (no double backward).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch.autograd.function import once_differentiable

from ..activations import get_activation
from ..engines.schedule import Schedule
from ..exceptions import ShapeError, UnsupportedActivationError
from ..losses import Loss
from .torch_plan import StagePlan, TorchPlan

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


with warnings.catch_warnings():  # PyTorch warns once per process that sparse CSR is "in beta": once, here
    warnings.simplefilter("ignore")
    torch.sparse_csr_tensor(torch.zeros(2, dtype=torch.int64), torch.zeros(1, dtype=torch.int64), torch.ones(1), (1, 1))


def _csr(crow: Any, col: Any, values: Any, shape: tuple[int, int]) -> Any:
    return torch.sparse_csr_tensor(crow, col, values, shape, check_invariants=False)


def _add_product(out: Any, M: Any, dense: Any, beta: float) -> None:
    """``out = beta·out + M @ dense`` in place, for a CSR matrix ``M`` (faster than ``M @ dense``, which
    fills and copies a temporary); on ``meta`` (no CSR kernels there) ``out`` keeps its shape and nothing runs."""
    if not out.is_meta:
        out.addmm_(M, dense, beta=beta)


def _sampled(pattern: Any, left: Any, right: Any, n_edges: int) -> Any:
    """``(left @ right)`` at the edges of ``pattern`` (a CSR matrix), as values in its order."""
    if left.is_meta:
        return left.new_empty(n_edges)
    return torch.sparse.sampled_addmm(pattern, left, right, beta=0.0).values()


def _scatter_matrix(w_dense: Any, flat: Any, st: StagePlan) -> Any:
    """The dense ``(targets, span)`` matrix of a ``scatter`` block, zero where there is no edge."""
    e0, e1 = st.edges
    n, span = st.shape
    return w_dense.new_zeros(n * span).index_copy_(0, flat, w_dense[e0:e1]).view(n, span)


def _view_matrix(w: Any, st: StagePlan) -> Any:
    """The ``(targets, span)`` matrix of a ``view`` block: a strided view of the flat weights."""
    base, row_stride, col_stride = st.view
    return w.as_strided(st.shape, (row_stride, col_stride), w.storage_offset() + base)


# Whether CPU passes of networks the engine runs edge by edge go to the engine (the tests compare both).
ENGINE_ON_CPU = True

# The loss whose batch-mean gradient of the outputs is the one PyTorch hands backward (given as the
# targets y): ℓ = n Σ_o y_o z_o per example, so ∂L/∂z = n y / n = y.
_OUTPUT_GRADIENT = Loss(
    "the gradient of the outputs",
    value=lambda z, y, a: z.shape[0] * np.einsum("bo,bo->b", y, z),
    gradient_z=lambda z, y, a: y * z.shape[0],
)


def _engine(module: GraphModule, w: Any) -> Any:
    """The compiled engine when it runs this pass (see the module notes), else None."""
    if not ENGINE_ON_CPU or module._extra or w.device.type != "cpu" or w.dtype not in (torch.float32, torch.float64):
        return None
    engine = module.network.compile()
    return engine if engine.pull_plan() is not None else None


class _Pass(torch.autograd.Function):
    """The network's forward pass and its backward pass, over the plan (see the module notes)."""

    @staticmethod
    def forward(ctx: Any, w: Any, X: Any, module: GraphModule) -> Any:
        ctx.module, ctx.trace = module, None
        engine = _engine(module, w) if X.shape[0] else None
        if engine is not None:  # the engine's own passes, on the tensors' memory
            w_np = w.detach().numpy()
            ctx.trace = engine.forward(w_np, X.detach().numpy(), w_np.dtype, (None, None, object()))
            ctx.engine, ctx.w_np = engine, w_np
            ctx.save_for_backward(w)  # torch's check that w did not change in place before backward
            return torch.from_numpy(ctx.trace.output.copy())  # the trace's is read-only
        plan, ix = module.plan, module._indices(w.device)
        functions, ni, ns, batch = module._functions, plan.n_inputs, plan.n_sources, X.shape[0]
        Z = X.new_empty(plan.n_rows, batch)  # z of every row: (rows, batch); bias neurons are rows of ones
        Z[:ni] = X.T
        Z[ni:ns] = 1
        A = X.new_empty(plan.n_rows - ns, batch)  # a of the target rows
        bias = w.new_zeros(plan.n_rows, 1).index_add_(0, ix["bias_targets"], w[ix["bias_positions"]][:, None])
        w_sparse, w_dense = w[ix["csr_pos"]], w[ix["dense_pos"]]  # the weights in kernel order
        sizes = module._sizes  # one view per stage, in one call each
        views = zip(plan.stages, A.split(sizes[0]), Z[ns:].split(sizes[0]), w_sparse.split(sizes[1]), ix["sparse"],
                    ix["scatter"], strict=True)  # fmt: skip
        for st, a, z, values, (crow, col, *_), (flat,) in views:
            if st.kind == "sparse":  # a = W [z; 1], the bias edges in W
                M = None if a.is_meta else _csr(crow, col, values, (a.shape[0], st.columns))
                _add_product(a, M, Z[: st.columns], beta=0.0)
            elif st.kind == "none":
                a.copy_(bias[st.start : st.stop].expand_as(a))
            else:
                W = _view_matrix(w, st) if st.kind == "view" else _scatter_matrix(w_dense, flat, st)
                torch.addmm(bias[st.start : st.stop], W, Z[st.s0 : st.s1], out=a)
            for name, lo, hi in st.groups:
                if lo == 0 and hi == a.shape[0]:
                    z.copy_(functions[name](a))
                else:
                    z[lo:hi] = functions[name](a[lo:hi])
        ctx.save_for_backward(w, Z, A)
        return Z.index_select(0, ix["output_rows"]).T.contiguous()  # (batch, n_outputs)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: Any) -> tuple[Any, Any, None]:
        module = ctx.module
        if ctx.trace is not None:
            _ = ctx.saved_tensors  # raises if w was changed in place since the forward pass
            g = ctx.engine.backward(ctx.w_np, ctx.trace, grad.detach().contiguous().numpy(), _OUTPUT_GRADIENT)
            x_grad = None  # ∂L/∂x: the inputs' rows, the first ones, filled only when asked for (a copy)
            if ctx.needs_input_grad[1]:
                x_grad = torch.from_numpy(np.array(g.z.array[: module.n_inputs].T, order="C"))
            dw = g.weights.flat if g.weights.flat.flags.writeable else g.weights.flat.copy()  # optimizers write it
            return torch.from_numpy(dw), x_grad, None
        w, Z, A = ctx.saved_tensors
        plan, ix = module.plan, module._indices(w.device)
        ns = plan.n_sources
        dZ = torch.zeros_like(Z)
        dZ.index_add_(0, ix["output_rows"], grad.T)
        D = module._derivatives(A, ix)  # σ'(a) of every target row
        dA = torch.empty_like(A)
        w_t, w_dense = w[ix["csr_pos_t"]], w[ix["dense_pos"]]
        dw, dw_dense = torch.zeros_like(w), torch.empty_like(w_dense)
        scratch = Z.new_empty(max((used.shape[0] for _, _, used, _, _ in ix["sparse"]), default=0), Z.shape[1])
        sizes = module._sizes
        stages = zip(plan.stages, dA.split(sizes[0]), dZ[ns:].split(sizes[0]), D.split(sizes[0]),
                     w_t.split(sizes[1]), ix["sparse"], ix["scatter"], strict=True)  # fmt: skip
        for st, da, dz, d, values, (_, _, used, crow_t, col_t), (flat,) in reversed(list(stages)):
            torch.mul(dz, d, out=da)  # ∂L/∂a = ∂L/∂z σ'(a), the stage's rows complete by now
            if st.kind == "sparse":
                back = scratch[: used.shape[0]]  # Wᵀ ∂L/∂a on the rows the stage reads, then added into them
                M = None if da.is_meta else _csr(crow_t, col_t, values, (used.shape[0], da.shape[0]))
                _add_product(back, M, da, beta=0.0)
                dZ.index_add_(0, used, back)
            elif st.kind == "scatter":
                src = Z[st.s0 : st.s1]
                dZ[st.s0 : st.s1].addmm_(_scatter_matrix(w_dense, flat, st).T, da)
                dw_dense[slice(*st.edges)] = (da @ src.T).view(-1)[flat]
            elif st.kind == "view":
                dZ[st.s0 : st.s1].addmm_(_view_matrix(w, st).T, da)
                _view_matrix(dw, st).copy_(da @ Z[st.s0 : st.s1].T)
        dw.index_copy_(0, ix["dense_pos"], dw_dense)
        # ∂L/∂w_{i,j} = Σ_batch ∂L/∂a_j z_i for the sparse stages' edges and every bias edge, in one product
        sampled = _sampled(module._pattern(w.device, w.dtype), dA, Z.T, ix["grad_pos"].shape[0])
        dw.index_copy_(0, ix["grad_pos"], sampled)
        dX = dZ[: plan.n_inputs].T if ctx.needs_input_grad[1] else None
        return dw, dX, None


@torch.compiler.disable(reason="sparse CSR products and a custom backward: run as PyTorch's own kernels")
def _run(module: GraphModule, w: Any, X: Any) -> Any:
    """The pass; ``torch.compile`` leaves it as it is (Inductor compiles no sparse CSR tensor)."""
    return _Pass.apply(w, X, module)


class GraphModule(torch.nn.Module):
    """A network as a torch module: ``forward(X)`` maps ``(batch, n_inputs)`` to ``(batch, n_outputs)``.

    Build it with :func:`~autograd_graph.to_torch`.
    """

    def __init__(self, net: Network, schedule: Schedule, dtype: Any, activations: Mapping[str, Callable]) -> None:
        super().__init__()
        self.plan = TorchPlan(schedule)
        self.inputs = list(schedule.inputs)
        self.n_inputs = len(self.inputs)
        self._extra = dict(activations)
        self.names = set(self.plan.activation_rows)
        self.weight = torch.nn.Parameter(torch.as_tensor(net.get_weights(), dtype=dtype))
        self.network = net.copy()
        self._functions = _functions(self.names, self._extra)
        stages = self.plan.stages
        self._sizes = ([st.stop - st.start for st in stages],  # rows, and sparse edges, per stage
                       [st.edges[1] - st.edges[0] if st.kind == "sparse" else 0 for st in stages])  # fmt: skip
        self._index_cache: dict[Any, Any] = {}  # device -> index tensors; (device, dtype) -> CSR patterns

    def _indices(self, device: Any) -> dict[str, Any]:
        """The plan's index arrays as tensors on ``device`` (shared with numpy on the CPU), built once,
        with each stage's slices: ``sparse`` (crow, col, used, crow_t, col_t) and ``scatter`` (dense_flat,)."""
        found = self._index_cache.get(device)
        if found is None:
            found = {name: torch.as_tensor(array, device=device) for name, array in self.plan.arrays().items()}
            none = found["col"][:0]
            found["sparse"] = [
                (found["crow"][slice(*st.crow)], found["col"][slice(*st.edges)], found["used"][slice(*st.used)],
                 found["crow_t"][slice(*st.crow_t)], found["col_t"][slice(*st.edges)])
                if st.kind == "sparse" else (none,) * 5
                for st in self.plan.stages
            ]  # fmt: skip
            found["scatter"] = [
                (found["dense_flat"][slice(*st.edges)] if st.kind == "scatter" else none,) for st in self.plan.stages
            ]
            self._index_cache[device] = found
        return found

    def _pattern(self, device: Any, dtype: Any) -> Any:
        """The CSR pattern (zero values) of the edges whose ∂L/∂w is one sampled product. Built once."""
        key = (device, dtype)
        found = self._index_cache.get(key)
        if found is None:
            ix = self._indices(device)
            if torch.device(device).type != "meta":
                zeros = torch.zeros(ix["grad_col"].shape[0], dtype=dtype, device=device)
                found = _csr(ix["grad_crow"], ix["grad_col"], zeros, (self.plan.n_rows - self.plan.n_sources,
                                                                       self.plan.n_rows))  # fmt: skip
            self._index_cache[key] = found
        return found

    def _derivatives(self, A: Any, ix: dict[str, Any]) -> Any:
        """``σ'(a)`` for every target row, one call per activation (PyTorch's own derivative of its form)."""
        if len(self.plan.activation_rows) != 1:
            D = torch.empty_like(A)
        for name, rows in self.plan.activation_rows.items():  # rows of A, sorted
            lo, hi = int(rows[0]), int(rows[-1]) + 1
            index = None if hi - lo == rows.size else ix[f"rows:{name}"]  # a slice when they are contiguous
            if name == "identity" and name not in self._extra:  # σ' = 1
                d = None
            else:
                with torch.enable_grad():
                    x = (A[lo:hi] if index is None else A.index_select(0, index)).detach().requires_grad_(True)
                    (d,) = torch.autograd.grad(self._functions[name](x).sum(), x, allow_unused=True)
                d = torch.zeros_like(x) if d is None else d  # a function that ignores a: σ' = 0
            if len(self.plan.activation_rows) == 1:  # one activation everywhere: no copy
                return torch.ones_like(A) if d is None else d
            if index is None:
                D[lo:hi] = 1 if d is None else d
            elif d is None:
                D.index_fill_(0, index, 1)
            else:
                D.index_copy_(0, index, d)
        return D

    def _apply(self, fn: Callable, recurse: bool = True) -> GraphModule:
        self._index_cache = {}  # the indices follow the weight to its new device, on the next pass
        return super()._apply(fn, recurse)

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_functions", None)  # rebuilt from the names on loading
        state["_index_cache"] = {}
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        self._functions = _functions(self.names, self._extra)

    def forward(self, X: Any) -> Any:
        # as net.forward: a 1-D X of n_inputs values (or a scalar, with one input) is one example
        X = torch.atleast_2d(torch.as_tensor(X, dtype=self.weight.dtype, device=self.weight.device))
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ShapeError(f"X has shape {tuple(X.shape)}; expected (batch, {self.n_inputs}) for the inputs "
                             f"{self.inputs!r}, or one example of {self.n_inputs} values")  # fmt: skip
        return _run(self, self.weight, X)

    def to_network(self) -> Network:
        """A copy of the original network carrying this module's current weights."""
        net = self.network.copy()
        net.set_weights(self.weight.detach().cpu().double().numpy())
        return net

    def extra_repr(self) -> str:
        kinds = [st.kind for st in self.plan.stages]
        counts = ", ".join(f"{kinds.count(k)} {k}" for k in ("view", "scatter", "sparse", "none") if k in kinds)
        return f"{self.network!r}, {len(kinds)} generations ({counts})"
