"""Interop: GraphML files (Gephi, yEd) and PyTorch modules.

GraphML keeps node attributes ``kind`` and ``activation`` (by name) and the
edge attribute ``weight``, neurons and edges in the network's order, so
:func:`read_graphml` gives back the same network, weight order included.
GraphML node ids are strings: a neuron ``n`` is the node ``str(n)``, and an id
that is no string is also kept, as JSON, in the attribute ``python_id`` and
restored on reading. The ids accepted are those :func:`~autograd_graph.save`
accepts (:mod:`autograd_graph.ids`): strings, integers, finite floats,
booleans and tuples of them; numpy scalars are kept as the numbers they hold.

PyTorch is optional: torch is imported only inside :func:`from_torch` and
:func:`to_torch`. :func:`to_torch` gives a ``torch.nn.Module`` with one
parameter ``weight``, the flat weights in ``net.edges`` order, that computes
the same function with the same gradients, one generation at a time: the
outputs of the neurons feeding a generation are gathered side by side (slices
where they are neighbours, index tensors elsewhere), index tensors scatter the
generation's weights into one dense matrix, and one product gives its ``a``.
PyTorch's own autograd then gives the gradients. Train it with PyTorch's own
tools (optimizers, GPU, distributed), then bring the weights back with
:func:`from_torch`. Each generation costs a dozen torch operations, so very
deep and narrow graphs (hundreds of generations) run slower in torch than in
the compiled engine; layered networks run faster.

Examples
--------
>>> import os, tempfile
>>> from autograd_graph.running_example import running_example
>>> net = running_example(seed=0)
>>> with tempfile.TemporaryDirectory() as folder:
...     path = os.path.join(folder, "net.graphml")
...     _ = write_graphml(net, path)
...     again = read_graphml(path)
>>> again.edges == net.edges, bool((again.weights == net.weights).all())
(True, True)
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from .activations import LEAKY_RELU_SLOPE, Activation
from .builders import layered
from .exceptions import (
    NetworkStructureError,
    SerializationError,
    ShapeError,
    UnsupportedActivationError,
    UnsupportedModuleError,
)
from .files import write_atomically
from .ids import id_from_text, id_to_text
from .matrix import matrix_weights
from .network import Network

__all__ = ["write_graphml", "read_graphml", "to_torch", "from_torch"]


# ----------------------------------------------------------------------- GraphML
def write_graphml(net: Network, path: str | os.PathLike) -> Path:
    """Write ``net`` to a GraphML file, whole or not at all.

    Parameters
    ----------
    net : Network
    path : str or path-like
        Written through a temporary file in the same folder, then renamed
        (:func:`~autograd_graph.files.write_atomically`).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    SerializationError
        Naming a neuron whose id cannot be written (as :func:`~autograd_graph.save`).
    NetworkStructureError
        If two neuron ids have the same string form (``1`` and ``"1"``).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from autograd_graph.builders import from_edge_list
    >>> net = from_edge_list([((0, "in"), "out", 0.5)])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_graphml(net, Path(folder) / "net.graphml")
    ...     print(path.name, read_graphml(path).neurons)
    net.graphml [(0, 'in'), 'out']
    """
    G = nx.DiGraph()
    names: dict[str, Hashable] = {}
    for node, data in net.graph.nodes(data=True):
        python_id = id_to_text(node)  # checks the id first: SerializationError naming it
        name = str(node)
        if name in names:
            raise NetworkStructureError(
                f"neurons {names[name]!r} and {node!r} would both be {name!r} in GraphML; rename one"
            )
        names[name] = node
        attributes = {"kind": data["kind"], "label": name}
        if data["activation"] is not None:
            attributes["activation"] = data["activation"].name
        if python_id is not None:
            attributes["python_id"] = python_id
        G.add_node(name, **attributes)
    G.add_weighted_edges_from((str(u), str(v), float(w)) for (u, v), w in zip(net.edges, net.weights, strict=True))
    return write_atomically(path, "\n".join(nx.generate_graphml(G)) + "\n")


def read_graphml(
    path: str | os.PathLike,
    *,
    hidden_activation: str | Activation = "logistic",
    output_activation: str | Activation = "identity",
    seed: int | np.random.Generator | None = None,
) -> Network:
    """Read a network from a GraphML file (ours, or any directed one from Gephi or yEd).

    Nodes without ``kind`` follow :meth:`Network.from_networkx`'s rules;
    missing weights are drawn from ``seed``.

    Raises
    ------
    NetworkStructureError
        If the file holds an undirected graph, or anything ``from_networkx`` rejects.
    SerializationError
        If a node's ``python_id`` is not a neuron id written as JSON.

    Examples
    --------
    >>> import tempfile
    >>> import networkx as nx
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "gephi.graphml"
    ...     nx.write_graphml(nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C")]), path)
    ...     net = read_graphml(path, seed=0)
    >>> net.inputs, net.hidden, net.outputs
    (['A'], ['B'], ['C'])
    """
    G = nx.read_graphml(path)
    if not G.is_directed():
        raise NetworkStructureError(f"{os.fspath(path)!r} holds an undirected graph; a network needs directed edges")
    ids = {
        node: id_from_text(data["python_id"], f"node {node!r}") if "python_id" in data else node
        for node, data in G.nodes(data=True)
    }
    if len(set(ids.values())) < len(ids):
        twice = [node for node in ids if list(ids.values()).count(ids[node]) > 1]
        raise SerializationError(f"nodes {twice!r} of {os.fspath(path)!r} stand for the same neuron id")
    G = nx.relabel_nodes(G, ids)
    for _, data in G.nodes(data=True):
        data.pop("python_id", None)
        data.pop("label", None)
    return Network.from_networkx(G, hidden_activation=hidden_activation, output_activation=output_activation, seed=seed)


# ----------------------------------------------------------------------- PyTorch
def _torch_functions(torch: Any) -> dict[str, Callable]:
    """Our activation name -> the same function on torch tensors (same derivative too)."""
    F = torch.nn.functional
    return {
        "identity": lambda a: a,
        "logistic": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda a: F.leaky_relu(a, LEAKY_RELU_SLOPE),
        "elu": F.elu,
        "softplus": lambda a: torch.logaddexp(a, torch.zeros_like(a)),
        # the step's derivative is 0 everywhere (as here): + 0·a keeps the graph connected
        "step": lambda a: (a >= 0).to(a.dtype) + 0 * a,
    }


def _torch_activation_modules(nn: Any) -> dict[type, tuple[str, Callable[[Any], bool], str]]:
    """torch.nn activation class -> (our name, whether its settings match ours, what must hold)."""
    always = lambda m: True  # noqa: E731
    return {
        nn.Sigmoid: ("logistic", always, ""),
        nn.Tanh: ("tanh", always, ""),
        nn.ReLU: ("relu", always, ""),
        nn.LeakyReLU: (
            "leaky_relu",
            lambda m: m.negative_slope == LEAKY_RELU_SLOPE,
            f"negative_slope={LEAKY_RELU_SLOPE}",
        ),
        nn.ELU: ("elu", lambda m: m.alpha == 1.0, "alpha=1.0"),
        # torch's Softplus turns linear above `threshold` (error < 2e-9 at the default 20)
        nn.Softplus: ("softplus", lambda m: m.beta == 1.0, "beta=1.0"),
    }


# Columns taken from the blocks, side by side: (block, lo, hi, indexed) is columns lo:hi of
# that block, or, when indexed, the columns listed in gather_index[lo:hi].
Piece = tuple[int, int, int, bool]


@dataclass
class _Stage:
    """One generation of the torch module: its neurons are the columns of one new block."""

    rows: int  # neurons in the generation
    sources: list[Piece]  # the neurons feeding it (bias neurons aside)
    edges: slice  # its edges from non-bias neurons, in the _Schedule arrays
    bias_edges: slice  # its edges from bias neurons
    groups: list[tuple[str, int, int]]  # (activation name, first column, stop) within the block


@dataclass
class _Schedule:
    """``net`` as blocks of columns: the inputs, then one block per generation.
    Bias neurons stay implicit (z = 1): their weights are added to ``a``."""

    stages: list[_Stage]
    sources: np.ndarray  # column of each edge's source among its stage's sources
    targets: np.ndarray  # column of each edge's target in its stage's block
    positions: np.ndarray  # each edge's place in net.edges
    bias_targets: np.ndarray
    bias_positions: np.ndarray
    outputs: list[Piece]  # the output neurons, sorted by column …
    output_order: np.ndarray | None  # … then put in net.outputs order (None: already are)
    gather_index: np.ndarray


class _Gathers:
    """Turns sorted column numbers into pieces, collecting the index lists they need."""

    def __init__(self, block_starts: list[int]) -> None:
        self.block_starts = np.asarray(block_starts)
        self.indices: list[np.ndarray] = []
        self.size = 0

    def pieces(self, columns: np.ndarray) -> list[Piece]:
        block_of = np.searchsorted(self.block_starts, columns, side="right") - 1
        pieces = []
        for block in np.unique(block_of):
            local = columns[block_of == block] - self.block_starts[block]
            if local[-1] - local[0] + 1 == local.size:  # a run of neighbours: a slice, no copy
                pieces.append((int(block), int(local[0]), int(local[-1]) + 1, False))
            else:
                self.indices.append(local)
                pieces.append((int(block), self.size, self.size + local.size, True))
                self.size += local.size
        return pieces


def _schedule(net: Network) -> _Schedule:
    graph = net.graph
    column = {node: c for c, node in enumerate(net.inputs)}
    block_starts = [0]
    generations = []
    for generation in net.generations()[1:]:
        groups: dict[str, list] = {}
        for node in generation:
            groups.setdefault(graph.nodes[node]["activation"].name, []).append(node)
        block_starts.append(len(column))
        members = [node for nodes in groups.values() for node in nodes]
        column.update(zip(members, range(block_starts[-1], block_starts[-1] + len(members)), strict=True))
        generations.append(groups)
    block_stops = [*block_starts[1:], len(column)]
    is_bias = np.array([graph.nodes[u]["kind"] == "bias" for u, _ in net.edges], dtype=bool)
    target = np.array([column[v] for _, v in net.edges], dtype=np.int64)
    source = np.array([column.get(u, -1) for u, _ in net.edges], dtype=np.int64)
    kernel = np.flatnonzero(~is_bias)[np.argsort(target[~is_bias], kind="stable")]
    bias = np.flatnonzero(is_bias)[np.argsort(target[is_bias], kind="stable")]
    kernel_bounds = np.searchsorted(target[kernel], block_stops)
    bias_bounds = np.searchsorted(target[bias], block_stops)
    sources, targets = source[kernel], target[kernel]
    gathers = _Gathers(block_starts)
    stages = []
    for k, groups in enumerate(generations, start=1):
        edges = slice(int(kernel_bounds[k - 1]), int(kernel_bounds[k]))
        feeding = np.unique(sources[edges])
        sources[edges] = np.searchsorted(feeding, sources[edges])
        targets[edges] -= block_starts[k]
        bounds = np.cumsum([0, *map(len, groups.values())])
        stages.append(
            _Stage(
                block_stops[k] - block_starts[k],
                gathers.pieces(feeding),
                edges,
                slice(int(bias_bounds[k - 1]), int(bias_bounds[k])),
                [(name, int(lo), int(hi)) for name, lo, hi in zip(groups, bounds[:-1], bounds[1:], strict=True)],
            )
        )
    bias_targets = target[bias] - np.asarray(block_starts)[np.searchsorted(block_starts, target[bias], "right") - 1]
    output_columns = np.array([column[n] for n in net.outputs], dtype=np.int64)
    by_column = np.argsort(output_columns)
    output_order = None if np.array_equal(by_column, np.arange(by_column.size)) else np.argsort(by_column)
    return _Schedule(
        stages,
        sources,
        targets,
        kernel,
        bias_targets,
        bias,
        gathers.pieces(output_columns[by_column]),
        output_order,
        np.concatenate([np.zeros(0, np.int64), *gathers.indices]),
    )


@functools.cache
def _graph_module_class() -> Any:
    """The ``torch.nn.Module`` class of :func:`to_torch`, defined once torch is imported."""
    import torch

    class GraphModule(torch.nn.Module):
        """A network as a torch module: ``forward(X)`` maps ``(batch, n_inputs)`` to ``(batch, n_outputs)``.

        ``weight`` holds the flat weights in ``network.edges`` order, so
        ``weight.grad`` lines up with ``grads.weights.flat``.
        """

        sources: torch.Tensor  # buffers (they follow the module to its device): see _Schedule
        targets: torch.Tensor
        positions: torch.Tensor
        bias_targets: torch.Tensor
        bias_positions: torch.Tensor
        gather_index: torch.Tensor

        def __init__(self, net: Network, dtype: Any, functions: Mapping[str, Callable]) -> None:
            super().__init__()
            graph = net.graph
            for neuron in net.hidden + net.outputs:
                name = graph.nodes[neuron]["activation"].name
                if name not in functions:
                    raise UnsupportedActivationError(
                        f"neuron {neuron!r} has activation {name!r}, which has no PyTorch "
                        f"counterpart; pass activations={{{name!r}: a torch function}}"
                    )
            schedule = _schedule(net)
            for name in ("sources", "targets", "positions", "bias_targets", "bias_positions", "gather_index"):
                self.register_buffer(name, torch.as_tensor(getattr(schedule, name), dtype=torch.int64))
            order = schedule.output_order
            self.register_buffer("output_order", None if order is None else torch.as_tensor(order))
            self.stages = schedule.stages
            self.outputs = schedule.outputs
            self.functions = dict(functions)
            self.weight = torch.nn.Parameter(torch.as_tensor(net.get_weights(), dtype=dtype))
            self.network = net.copy()
            self.n_inputs = len(net.inputs)

        def _collect(self, blocks: list, pieces: list[Piece]) -> Any:
            parts = [
                blocks[b].index_select(1, self.gather_index[lo:hi]) if indexed else blocks[b][:, lo:hi]
                for b, lo, hi, indexed in pieces
            ]
            return parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)

        def forward(self, X: Any) -> Any:
            # as net.forward: a 1-D X of n_inputs values (or a scalar, with one input) is one example
            X = torch.atleast_2d(torch.as_tensor(X, dtype=self.weight.dtype, device=self.weight.device))
            if X.ndim != 2 or X.shape[1] != self.n_inputs:
                raise ShapeError(
                    f"X has shape {tuple(X.shape)}; expected (batch, {self.n_inputs}) for the inputs "
                    f"{self.network.inputs!r}, or one example of {self.n_inputs} values"
                )  # (batch, n_inputs)
            w = self.weight
            blocks = [X]  # then one (batch, neurons) block per generation
            for st in self.stages:
                a = X.new_zeros(X.shape[0], st.rows)  # (batch, neurons of the generation)
                if st.sources:
                    sources = self._collect(blocks, st.sources)  # (batch, neurons feeding it)
                    W = w.new_zeros(st.rows, sources.shape[1])
                    W = W.index_put((self.targets[st.edges], self.sources[st.edges]), w[self.positions[st.edges]])
                    a = sources @ W.T
                if st.bias_edges.stop > st.bias_edges.start:
                    bias = w.new_zeros(st.rows).index_add(
                        0, self.bias_targets[st.bias_edges], w[self.bias_positions[st.bias_edges]]
                    )
                    a = a + bias
                parts = [self.functions[name](a[:, lo:hi]) for name, lo, hi in st.groups]
                blocks.append(parts[0] if len(parts) == 1 else torch.cat(parts, dim=1))
            output = self._collect(blocks, self.outputs)
            return output if self.output_order is None else output[:, self.output_order]

        def to_network(self) -> Network:
            """A copy of the original network carrying this module's current weights."""
            net = self.network.copy()
            net.set_weights(self.weight.detach().cpu().double().numpy())
            return net

        def extra_repr(self) -> str:
            return f"{self.network!r}, {len(self.stages)} generations"

    return GraphModule


def to_torch(net: Network, *, dtype: Any = None, activations: Mapping[str, Callable] | None = None) -> Any:
    """A ``torch.nn.Module`` computing the same function as ``net``, with the same gradients.

    Parameters
    ----------
    net : Network
        Any valid network (layered or not).
    dtype : torch.dtype, default torch.float64
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
    ModuleNotFoundError
        If PyTorch is not installed (``pip install autograd_graph[torch]``).

    Examples
    --------
    >>> import torch
    >>> from autograd_graph.running_example import running_example
    >>> net = running_example(seed=0)
    >>> module = to_torch(net)
    >>> X = torch.tensor([[0.5], [1.0]], dtype=torch.float64)
    >>> bool(torch.allclose(module(X), torch.as_tensor(net.forward([[0.5], [1.0]]).output)))
    True
    >>> module(torch.tensor([0.5], dtype=torch.float64)).shape    # one example
    torch.Size([1, 1])
    >>> module(X).sum().backward()
    >>> module.weight.grad.shape    # ∂/∂w in net.edges order
    torch.Size([12])
    """
    import torch

    net.compile()  # validate first: a clear error for an incomplete network
    functions = {**_torch_functions(torch), **dict(activations or {})}
    return _graph_module_class()(net, torch.float64 if dtype is None else dtype, functions)


def _flatten(module: Any, nn: Any) -> list:
    if isinstance(module, nn.Sequential):
        return [m for child in module for m in _flatten(child, nn)]
    return [module]


def from_torch(module: Any) -> Network:
    """A network from a PyTorch ``nn.Sequential`` of ``Linear`` layers and activations,
    from a single ``nn.Linear``, or from a module made by :func:`to_torch` (with its current weights).

    Each ``Linear`` becomes a layer (with a bias neuron when it has a bias); an
    activation module after it becomes that layer's activation (identity when
    there is none). Supported: ``Sigmoid``, ``Tanh``, ``ReLU``,
    ``LeakyReLU(0.01)``, ``ELU(1.0)``, ``Softplus(beta=1)``, and ``Identity``
    and ``Dropout`` (both skipped). Dropout is the identity in evaluation mode,
    so the network computes what ``module.eval()`` computes; it has no dropout
    of its own. Neurons are numbered as in :func:`~autograd_graph.builders.layered`.

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
    >>> bool(torch.allclose(model.eval()(X).double(), torch.as_tensor(net.forward(X.numpy()).output)))
    True
    >>> from_torch(torch.nn.Linear(2, 1)).n_weights    # a single Linear layer: 2 weights and a bias
    3
    """
    import torch

    nn = torch.nn
    if isinstance(module, _graph_module_class()):
        return module.to_network()
    if isinstance(module, nn.Linear):
        module = nn.Sequential(module)
    if not isinstance(module, nn.Sequential):
        raise UnsupportedModuleError(
            f"expected an nn.Sequential of Linear layers and activations (or one nn.Linear), "
            f"got {type(module).__name__}"
        )
    known = _torch_activation_modules(nn)
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
        if type(part) not in known:
            raise UnsupportedModuleError(
                f"module {index} ({part}) has no counterpart; use Linear layers and activations"
            )
        name, matches, requirement = known[type(part)]
        if not after_linear:
            raise UnsupportedModuleError(f"module {index} ({part}) must follow a Linear layer")
        if not matches(part):
            raise UnsupportedModuleError(f"module {index} ({part}) is supported only with {requirement}")
        activations[-1] = name
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
