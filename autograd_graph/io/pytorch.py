"""PyTorch interop: :func:`to_torch` and :func:`from_torch` (torch is optional).

torch is imported only inside these functions. :func:`to_torch` gives a
:class:`~autograd_graph.io.torch_module.GraphModule` built from the network's
schedule, the one the compiled engine runs (see that module); train it with
PyTorch's own tools (optimizers, GPU, distributed), then bring the weights
back with :func:`from_torch`. The activations come from the table
(:mod:`autograd_graph.activations`): each entry's ``torch`` form, and its
``torch_module`` for :func:`from_torch`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .._checks import floating_dtype
from ..activations import ACTIVATIONS
from ..build.builders import layered
from ..build.matrix import matrix_weights
from ..exceptions import InvalidDtypeError, UnsupportedActivationError, UnsupportedModuleError
from ..network import Network

__all__ = ["to_torch", "from_torch"]


def to_torch(net: Network, *, dtype: Any = None, activations: Mapping[str, Callable] | None = None) -> Any:
    """A ``torch.nn.Module`` computing the same function as ``net``, with the same gradients.

    The module runs the engine's schedule (see
    :mod:`~autograd_graph.io.torch_module`): sparse generations as sparse CSR
    products, dense ones as dense products, so its time and memory grow with
    the edges (on the CPU, a big sparse network is run by the engine's own
    passes edge by edge when numba is installed). It pickles (``torch.save``/``torch.load(..., weights_only=False)``,
    ``torch.multiprocessing.spawn``), moves with ``.to(device)`` (its
    ``state_dict()`` is ``{"weight": ...}``), trains under
    ``DistributedDataParallel`` and runs under ``torch.compile`` (which leaves
    its sparse pass uncompiled). Its backward pass is not differentiable again.

    Parameters
    ----------
    net : Network
        Any valid network (layered or not).
    dtype : torch.float64 or torch.float32, default torch.float64
        (or the numpy names, ``"float64"``/``"float32"``)
    activations : mapping, optional
        Torch functions for activations that are not built in (by name).

    Returns
    -------
    torch.nn.Module
        ``module(X)`` is ``net.forward(X).output`` (``(batch, n_outputs)``;
        a 1-D ``X`` is one example, as for ``net.forward``); ``module.weight`` is the
        flat weight vector in ``net.edges`` order; ``module.to_network()``
        gives the network back with the module's weights.

    Raises
    ------
    UnsupportedActivationError
        Naming a neuron whose activation has no torch counterpart.
    InvalidDtypeError
        For a dtype other than float64 and float32.
    ModuleNotFoundError
        If PyTorch is not installed (``pip install autograd_graph[torch]``).

    Examples
    --------
    >>> import torch
    >>> from autograd_graph.build.running_example import running_example
    >>> net = running_example(seed=0)
    >>> module = to_torch(net)
    >>> X = torch.tensor([[0.5], [1.0]], dtype=torch.float64)
    >>> bool(torch.allclose(module(X), torch.tensor(net.forward([[0.5], [1.0]]).output)))
    True
    >>> module(torch.tensor([0.5], dtype=torch.float64)).shape    # one example
    torch.Size([1, 1])
    >>> module(X).sum().backward()
    >>> module.weight.grad.shape    # ∂/∂w in net.edges order
    torch.Size([12])
    """
    import torch

    from .torch_module import GraphModule

    dtypes = {torch.float64: torch.float64, torch.float32: torch.float32}
    if dtype is None or dtype not in dtypes:
        dtype = {np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32}.get(
            floating_dtype(np.float64 if dtype is None else dtype, InvalidDtypeError)
        )
    schedule = net.compile().schedule  # validates first: a clear error for an incomplete network
    for neuron in net.hidden + net.outputs:
        act = net.activation(neuron)
        if act is not None and act.torch is None and act.name not in (activations or {}):
            raise UnsupportedActivationError(
                f"neuron {neuron!r} has activation {act.name!r}, which has no PyTorch form; "
                f"pass activations={{{act.name!r}: a torch function}}"
            )
    return GraphModule(net, schedule, dtype, dict(activations or {}))


def _flatten(module: Any, nn: Any) -> list:
    if isinstance(module, nn.Sequential):
        return [m for child in module for m in _flatten(child, nn)]
    return [module]


def from_torch(module: Any) -> Network:
    """A network from a PyTorch ``nn.Sequential`` of ``Linear`` layers and activations,
    from a single ``nn.Linear``, or from a module made by :func:`to_torch` (with its current weights),
    each bare or wrapped in ``DistributedDataParallel``, ``DataParallel`` or ``torch.compile``.

    Each ``Linear`` becomes a layer (with a bias neuron when it has a bias); an
    activation module after it becomes that layer's activation (identity when
    there is none). Supported: ``Sigmoid``, ``Tanh``, ``ReLU``,
    ``LeakyReLU(0.01)``, ``ELU(1.0)``, ``Softplus(beta=1)``, and ``Identity``
    and ``Dropout`` (both skipped). Dropout is the identity in evaluation mode,
    so the network computes what ``module.eval()`` computes; it has no dropout
    of its own. Neurons are numbered as in :func:`~autograd_graph.layered`.

    Raises
    ------
    UnsupportedModuleError
        Naming the module (and its position) that cannot be converted, or a size mismatch.

    Examples
    --------
    >>> import torch
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Dropout(0.2),
    ...                             torch.nn.Linear(4, 1))
    >>> net = from_torch(model)
    >>> net.layers()
    [[1, 2, 3, 4], [5, 6, 7, 8, 9], [10]]
    >>> X = torch.rand(5, 3, dtype=torch.float32)
    >>> bool(torch.allclose(model.eval()(X).double(), torch.tensor(net.forward(X.numpy()).output)))
    True
    >>> from_torch(torch.nn.Linear(2, 1)).n_weights    # a single Linear layer: 2 weights and a bias
    3
    """
    import torch

    from .torch_module import GraphModule

    nn = torch.nn
    wrappers = []  # what the module came wrapped in, outermost first, for the message
    while True:
        if isinstance(module, (nn.parallel.DistributedDataParallel, nn.DataParallel)):
            wrappers.append(type(module).__name__)
            module = module.module  # the wrapped module holds the weights
        elif type(module).__name__ == "OptimizedModule" and isinstance(getattr(module, "_orig_mod", None), nn.Module):
            wrappers.append("torch.compile")
            module = module._orig_mod  # torch.compile's wrapper shares the original's parameters
        else:
            break
    if isinstance(module, GraphModule):
        return module.to_network()
    if isinstance(module, nn.Linear):
        module = nn.Sequential(module)
    if not isinstance(module, nn.Sequential):
        inside = f" (inside {' inside '.join(reversed(wrappers))})" if wrappers else ""
        raise UnsupportedModuleError(
            f"expected an nn.Sequential of Linear layers and activations, one nn.Linear or a module made by "
            f"to_torch (bare, or wrapped in DistributedDataParallel, DataParallel or torch.compile); got "
            f"{type(module).__name__}{inside}"
        )
    known = {act.torch_module.name: act for act in ACTIVATIONS.values() if act.torch_module is not None}
    linears: list = []
    activations: list[str] = []
    after_linear = False
    for index, part in enumerate(_flatten(module, nn)):
        if isinstance(part, (nn.Identity, nn.Dropout)):  # dropout is the identity in evaluation mode
            continue
        if isinstance(part, nn.Linear):
            if linears and part.in_features != linears[-1].out_features:
                raise UnsupportedModuleError(
                    f"module {index} ({part}) takes {part.in_features} features but the layer before "
                    f"gives {linears[-1].out_features}"
                )
            linears.append(part)
            activations.append("identity")
            after_linear = True
            continue
        act = known.get(type(part).__name__) if type(part).__module__.startswith("torch.nn") else None
        if act is None:
            raise UnsupportedModuleError(
                f"module {index} ({part}) has no counterpart; use Linear layers and activations "
                f"({', '.join(sorted(known))})"
            )
        form = act.torch_module
        assert form is not None  # known holds entries with one
        if not after_linear:
            raise UnsupportedModuleError(f"module {index} ({part}) must follow a Linear layer")
        if not form.matches(part):
            raise UnsupportedModuleError(f"module {index} ({part}) is supported only with {form.requirement}")
        activations[-1] = act.name
        after_linear = False
    if not linears:
        raise UnsupportedModuleError("the nn.Sequential has no Linear layer")
    sizes = [linears[0].in_features] + [linear.out_features for linear in linears]
    net = layered(
        sizes,
        activation=activations[:-1],
        output_activation=activations[-1],
        bias=[linear.bias is not None for linear in linears],
    )
    matrices = []  # A_k = [W | b], a zero bias column for a Linear without bias (no edge reads it)
    for linear in linears:
        W = linear.weight.detach().cpu().double().numpy()  # (out, in)
        b = np.zeros(W.shape[0]) if linear.bias is None else linear.bias.detach().cpu().double().numpy()
        matrices.append(np.column_stack([W, b]))
    net.set_weights(matrix_weights(net, matrices))
    return net
