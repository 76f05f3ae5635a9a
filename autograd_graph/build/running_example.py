"""The running example of the source texts: 9 neurons, 12 weights.

=======  ======  =====
neuron   kind    layer
=======  ======  =====
1        input   1
2        bias    1
3, 4     hidden  2
5        bias    2
6, 7     hidden  3
8        bias    3
9        output  4
=======  ======  =====

There is no 3→7 edge.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from ..activations import Activation
from ..exceptions import InvalidWeightError
from ..network import Network

__all__ = ["running_example", "RUNNING_EXAMPLE_EDGES"]

# The 12 edges, in the order the SPEC lists them (and the order of net.edges).
RUNNING_EXAMPLE_EDGES: list[tuple[int, int]] = [
    (1, 3), (1, 4), (2, 3), (2, 4),
    (3, 6), (4, 6), (4, 7), (5, 6), (5, 7),
    (6, 9), (7, 9), (8, 9),
]  # fmt: skip


def running_example(
    weights: Mapping[tuple[int, int], float] | Sequence[float] | None = None,
    *,
    seed: int | np.random.Generator | None = 0,
    activation: str | Activation = "logistic",
    output_activation: str | Activation = "identity",
) -> Network:
    """Build the sources' 9-neuron network.

    Parameters
    ----------
    weights : mapping or sequence, optional
        ``{(i, j): w}`` for all 12 edges, or 12 numbers in
        :data:`RUNNING_EXAMPLE_EDGES` order; drawn from ``seed`` when omitted.
    seed : int, Generator or None
        Seeds the weights that are not given.
    activation : str or Activation, default "logistic"
        The function of hidden neurons 3, 4, 6, 7.
    output_activation : str or Activation, default "identity"
        The function of output neuron 9.

    Returns
    -------
    Network

    Raises
    ------
    InvalidWeightError
        If ``weights`` is a sequence of other than 12 numbers (or holds a
        weight that is not a finite number).

    Examples
    --------
    >>> net = running_example()
    >>> net.n_weights, net.layers()
    (12, [[1, 2], [3, 4, 5], [6, 7, 8], [9]])
    """
    net = Network(seed=seed)
    net.add_input(1)
    net.add_bias(2)
    net.add_neuron(3, activation)
    net.add_neuron(4, activation)
    net.add_bias(5)
    net.add_neuron(6, activation)
    net.add_neuron(7, activation)
    net.add_bias(8)
    net.add_output(9, output_activation)
    for source, target in RUNNING_EXAMPLE_EDGES:
        net.connect(source, target)
    if weights is not None:
        if not isinstance(weights, Mapping):
            values = list(weights) if isinstance(weights, Iterable) and not isinstance(weights, str) else None
            if values is None or len(values) != len(RUNNING_EXAMPLE_EDGES):
                got = repr(weights) if values is None else f"{len(values)} values"
                raise InvalidWeightError(
                    f"the running example needs {len(RUNNING_EXAMPLE_EDGES)} weights, one per edge in "
                    f"RUNNING_EXAMPLE_EDGES order (or a mapping {{(i, j): w}}); got {got}"
                )
            weights = dict(zip(RUNNING_EXAMPLE_EDGES, values, strict=True))
        net.set_weights(weights)
    net.get_weights()  # draw the rest now, so the network is fully defined
    return net
