"""The matrix view of a layered network: ``f = σ_ℓ ∘ A_ℓ ∘ ⋯ ∘ σ_2 ∘ A_2``.

``A_k`` is the weight matrix into layer ``k``, bias weights included: one row
per (non-bias) neuron of layer ``k``, one column per (non-bias) neuron of layer
``k − 1``, and a last column holding the bias weights, so that

    a_k = A_k @ [z_{k−1}; 1],    z_k = σ_k(a_k)

exactly as the forward pass computes them. Neurons keep the order of
``net.layers()``; the first layer's neurons are ``net.inputs``, the last
layer's ``net.outputs``. (If a layer had several bias neurons, the bias column
holds the sum of their weights, which is what the forward pass adds.)

With identity activations the chain collapses into one affine map, the single
matrix ``A_ℓ ⋯ A_2`` (each ``A_k`` extended by the row ``[0 … 0 1]`` that carries
the constant 1 through): ``output = M @ [x; 1]``.

Examples
--------
>>> import numpy as np
>>> from autograd_graph.build.builders import layered
>>> net = layered([2, 3, 1], seed=0)
>>> view = to_matrices(net)
>>> [A.shape for A in view.matrices]          # A_2: 3 × (2 + 1), A_3: 1 × (3 + 1)
[(3, 3), (1, 4)]
>>> X = np.array([[0.5, -1.0], [2.0, 0.0]])
>>> np.allclose(view.forward(X), net.forward(X).output, rtol=0, atol=1e-14)
True
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..activations import ACTIVATIONS, Activation
from ..data import as_batch
from ..exceptions import BuilderError, MatrixViewError, NonLinearNetworkError
from ..network import Network
from .builders import layered

__all__ = ["MatrixView", "to_matrices", "from_matrices", "matrix_weights", "identity_collapse"]


@dataclass(frozen=True)
class MatrixView:
    """A layered network as matrices.

    Attributes
    ----------
    matrices : list of ndarray
        ``A_2 … A_ℓ``; ``A_k`` has shape ``(n_k, n_{k−1} + 1)``, bias weights in the last column.
    layers : list of list
        The non-bias neurons of layers ``1 … ℓ``: the rows and columns of the matrices.
    activations : list of list of Activation
        ``σ_k`` of layers ``2 … ℓ``, one per neuron (σ acts coordinate-wise).
    """

    matrices: list[np.ndarray]
    layers: list[list[Hashable]]
    activations: list[list[Activation]]

    def forward(self, X: Any) -> np.ndarray:
        """``σ_ℓ(A_ℓ [… σ_2(A_2 [x; 1]) …; 1])`` for a batch ``X`` of shape ``(batch, n_inputs)``."""
        z = as_batch(X, self.layers[0])  # (batch, n_1)
        for A, acts in zip(self.matrices, self.activations, strict=True):
            a = z @ A[:, :-1].T + A[:, -1]  # (batch, n_k)
            z = np.empty_like(a)
            for act in dict.fromkeys(acts):
                columns = [c for c, other in enumerate(acts) if other is act]
                z[:, columns] = act.function(a[:, columns])
        return z


def to_matrices(net: Network) -> MatrixView:
    """The matrices ``A_2 … A_ℓ`` of a layered network, bias columns included.

    Raises
    ------
    NotLayeredError
        If the network is not layered.
    MatrixViewError
        If a neuron is out of place: an output outside the last layer, a hidden
        neuron in the first or last one.

    Examples
    --------
    >>> from autograd_graph.build.running_example import running_example
    >>> view = to_matrices(running_example(weights=range(1, 13)))
    >>> view.layers
    [[1], [3, 4], [6, 7], [9]]
    >>> view.matrices[1]       # into 6: w_36, w_46, w_56; into 7: no 3 → 7 edge, w_47, w_57
    array([[5., 6., 8.],
           [0., 7., 9.]])
    """
    layers, cells = _layers_and_cells(net)
    matrices = [np.zeros((len(layers[k]), len(layers[k - 1]) + 1)) for k in range(1, len(layers))]
    for (k, row, column), w in zip(cells, net.weights, strict=True):
        matrices[k][row, column] += w
    graph = net.graph
    activations = [[graph.nodes[n]["activation"] for n in layer] for layer in layers[1:]]
    return MatrixView(matrices, layers, activations)


def _layers_and_cells(net: Network) -> tuple[list[list[Hashable]], list[tuple[int, int, int]]]:
    """The non-bias neurons of each layer, and each edge's cell ``(k, row, column)``
    in ``matrices[k] = A_{k+2}``, in ``net.edges`` order (column −1: the bias column)."""
    graph = net.graph
    layers = [[n for n in layer if graph.nodes[n]["kind"] != "bias"] for layer in net.layers()]
    last = len(layers) - 1
    for k, layer in enumerate(layers):
        expected = "input" if k == 0 else "output" if k == last else "hidden"
        for neuron in layer:
            kind = graph.nodes[neuron]["kind"]
            if kind != expected:
                raise MatrixViewError(
                    f"{kind} neuron {neuron!r} is in layer {k + 1} of {last + 1}; the matrix view needs "
                    f"the inputs in layer 1, the outputs in layer {last + 1} and hidden neurons in between"
                )
    position = {n: i for layer in layers for i, n in enumerate(layer)}  # row in A_k, column in A_{k+1}
    layer_of = {n: k for k, layer in enumerate(layers) for n in layer}
    cells = [
        (layer_of[v] - 1, position[v], -1 if graph.nodes[u]["kind"] == "bias" else position[u]) for u, v in net.edges
    ]
    return layers, cells


def matrix_weights(net: Network, matrices: Sequence[np.ndarray]) -> np.ndarray:
    """The flat weights (``net.edges`` order) that give ``net`` the matrices ``A_2 … A_ℓ``.

    Each edge reads its own cell; cells without an edge are ignored. Use it as
    ``net.set_weights(matrix_weights(net, matrices))``.

    Examples
    --------
    >>> from autograd_graph.build.builders import layered
    >>> net = layered([1, 1], seed=0)
    >>> net.set_weights(matrix_weights(net, [np.array([[2.0, -1.0]])]))
    >>> net.forward([[3.0]]).output          # 2·3 − 1
    array([[5.]])
    """
    _, cells = _layers_and_cells(net)
    return np.array([matrices[k][row, column] for k, row, column in cells], dtype=float)


def from_matrices(
    matrices: Sequence[Any],
    *,
    activation: str | Activation | Sequence[str | Activation] = "logistic",
    output_activation: str | Activation = "identity",
) -> Network:
    """The layered network of the matrices ``A_2 … A_ℓ`` (bias weights in each last column).

    Neurons are numbered as :func:`~autograd_graph.build.builders.layered` numbers them.

    Raises
    ------
    BuilderError
        If the shapes do not chain: ``A_k`` must have ``n_{k−1} + 1`` columns
        where ``n_{k−1}`` is the number of rows of ``A_{k−1}``.

    Examples
    --------
    >>> A2 = [[1.0, -1.0, 0.5], [2.0, 0.0, -0.5]]      # 2 inputs + bias → 2 hidden
    >>> A3 = [[1.0, 1.0, 0.0]]                        # 2 hidden + bias → 1 output
    >>> net = from_matrices([A2, A3], activation="relu")
    >>> net.forward([[1.0, 1.0]]).output               # relu(0.5) + relu(1.5)
    array([[2.]])
    """
    arrays = [np.asarray(A, dtype=float) for A in matrices]
    if not arrays:
        raise BuilderError("from_matrices needs at least one matrix (A_2)")
    for k, A in enumerate(arrays, start=2):
        if A.ndim != 2 or A.shape[1] < 2:
            raise BuilderError(
                f"A_{k} must be a 2-D matrix with at least 2 columns (inputs and bias), got shape {A.shape}"
            )
        if k > 2 and A.shape[1] != arrays[k - 3].shape[0] + 1:
            raise BuilderError(
                f"A_{k} has {A.shape[1]} columns but layer {k - 1} has {arrays[k - 3].shape[0]} neurons; "
                f"expected {arrays[k - 3].shape[0] + 1} (one per neuron, plus the bias column)"
            )
    sizes = [arrays[0].shape[1] - 1] + [A.shape[0] for A in arrays]
    net = layered(sizes, activation=activation, output_activation=output_activation)
    net.set_weights(matrix_weights(net, arrays))
    return net


def identity_collapse(net: Network) -> np.ndarray:
    """The single matrix ``M = A_ℓ ⋯ A_2`` of a layered network whose activations are all the identity.

    Returns
    -------
    ndarray, shape (n_outputs, n_inputs + 1)
        ``output = M @ [x; 1]``: the last column is the collapsed bias.

    Raises
    ------
    NonLinearNetworkError
        Naming a neuron whose activation is not the identity.
    NotLayeredError, MatrixViewError
        As :func:`to_matrices`.

    Examples
    --------
    >>> net = from_matrices([[[1.0, 2.0, 3.0]], [[4.0, 5.0]]], activation="identity")
    >>> identity_collapse(net)        # y = 4 (x1 + 2 x2 + 3) + 5
    array([[ 4.,  8., 17.]])
    """
    identity = ACTIVATIONS["identity"]
    for neuron in net.hidden + net.outputs:
        act = net.activation(neuron)
        if act is not identity:
            raise NonLinearNetworkError(
                f"the identity collapse needs every activation to be the identity, "
                f"but neuron {neuron!r} has {getattr(act, 'name', act)!r}"
            )
    view = to_matrices(net)
    M = view.matrices[0]
    for A in view.matrices[1:]:
        carry_one = np.zeros((1, M.shape[1]))
        carry_one[0, -1] = 1.0
        M = A @ np.vstack([M, carry_one])  # [z_k; 1] = [M; 0 … 0 1] @ [x; 1]
    return M
