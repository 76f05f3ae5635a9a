"""Boolean networks of step neurons: McCulloch–Pitts gates, the perceptron, and any f: {0,1}^n → {0,1}.

Every neuron here uses the ``step`` activation, ``z = 1 if a ≥ 0 else 0``;
a neuron's threshold ``t`` sits in its bias weight, ``−t``, so it fires
exactly when the weighted sum of its inputs reaches ``t``.

A McCulloch–Pitts neuron fires when the number of its active inputs reaches
its threshold: with threshold 1 it is an OR gate, with threshold ``n`` (its
number of inputs) an AND gate; an inhibitory input (weight −1) with
threshold 0 makes NOT. The perceptron gives every input its own real weight.

One hidden layer suffices for any boolean function: one hidden neuron per
row of the truth table where ``f`` is 1 (it fires on that row only), and an
output that ORs them; or, when ``f`` has fewer 0-rows, one hidden neuron per
0-row and an output that fires when none of them does (NOR).

Rows of a truth table are in the order of ``itertools.product((0, 1), repeat=n)``:
row ``r`` holds the bits of ``r``, with ``x1`` the most significant.

Examples
--------
>>> xor = from_predicate(lambda x1, x2: x1 != x2, 2)
>>> xor.forward(all_inputs(2)).output.ravel()
array([0., 1., 1., 0.])
>>> or_neuron(3).forward([[0, 0, 0], [0, 1, 0]]).output.ravel()
array([0., 1.])
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence

import networkx as nx
import numpy as np

from .._checks import whole_number
from ..exceptions import BuilderError, TruthTableError
from ..network import Network

__all__ = [
    "all_inputs",
    "truth_table",
    "from_truth_table",
    "from_predicate",
    "mcculloch_pitts",
    "and_neuron",
    "or_neuron",
    "not_neuron",
    "perceptron",
]


def all_inputs(n: int) -> np.ndarray:
    """Every input of ``n`` bits, one row each, in truth-table order; shape ``(2**n, n)``.

    Examples
    --------
    >>> all_inputs(2)
    array([[0., 0.],
           [0., 1.],
           [1., 0.],
           [1., 1.]])
    """
    _check_arity(n)
    return np.array(list(itertools.product((0.0, 1.0), repeat=n))).reshape(2**n, n)


def _check_arity(n: int) -> None:
    whole_number("the number of boolean inputs", n, BuilderError)


def truth_table(f: Callable[..., object], n: int) -> np.ndarray:
    """The truth table of ``f(x1, …, xn)`` as ``2**n`` zeros and ones (ints).

    Raises
    ------
    TruthTableError
        If ``f`` returns anything but 0, 1, False or True; the message names the row.

    Examples
    --------
    >>> truth_table(lambda a, b: a and b, 2)
    array([0, 0, 0, 1])
    """
    rows = all_inputs(n).astype(int)
    table = []
    for row in rows:
        value = f(*row.tolist())
        if value not in (0, 1):
            raise TruthTableError(f"f{tuple(row.tolist())} = {value!r}; a boolean function returns 0, 1, False or True")
        table.append(int(value))
    return np.array(table, dtype=int)


def _as_table(table: Iterable[object] | Mapping[tuple, object]) -> np.ndarray:
    if isinstance(table, Mapping):
        n = len(next(iter(table), ()))
        missing = [row for row in itertools.product((0, 1), repeat=n) if row not in table]
        if not table or missing:
            raise TruthTableError(f"the truth table has no value for the rows {missing[:4]!r} (it needs all 2^{n})")
        if len(table) != 2**n:
            extra = [row for row in table if len(row) != n or set(row) - {0, 1}]
            raise TruthTableError(f"the truth table has rows {extra[:4]!r} that are not {n} bits")
        table = [table[row] for row in itertools.product((0, 1), repeat=n)]
    values = list(table)
    for r, value in enumerate(values):
        if value not in (0, 1):
            raise TruthTableError(f"row {r} of the truth table is {value!r}; expected 0, 1, False or True")
    n = len(values).bit_length() - 1
    if len(values) < 2 or len(values) != 2**n:
        raise TruthTableError(f"a truth table of n inputs has 2^n rows (n ≥ 1), got {len(values)} rows")
    return np.array(values, dtype=int)


def _step_network(n_inputs: int, hidden: list[tuple[list[float], float]], output: tuple[list[float], float]) -> Network:
    """Inputs ``x1 … xn``, step hidden neurons ``h1 …`` and one step output ``y``,
    each given as (weights from the layer before, bias weight); bias neurons
    ``b1`` (feeding the hidden layer) and ``b2`` (feeding ``y``). Without hidden
    neurons ``y`` is fed by the inputs directly, and the only bias neuron is ``b1``."""
    inputs = [f"x{i}" for i in range(1, n_inputs + 1)]
    hidden_ids = [f"h{i}" for i in range(1, len(hidden) + 1)]
    G = nx.DiGraph()
    G.add_nodes_from(inputs, kind="input")
    G.add_node("b1", kind="bias")
    G.add_nodes_from(hidden_ids, kind="hidden", activation="step")
    out_bias = "b2" if hidden else "b1"
    G.add_node(out_bias, kind="bias")
    G.add_node("y", kind="output", activation="step")
    for neuron, (weights, bias) in [*zip(hidden_ids, hidden, strict=True), ("y", output)]:
        sources = inputs if neuron != "y" or not hidden else hidden_ids
        bias_source = out_bias if neuron == "y" else "b1"
        for source, w in [*zip(sources, weights, strict=True), (bias_source, bias)]:
            G.add_edge(source, neuron, weight=float(w))
    return Network.from_networkx(G)


def from_truth_table(table: Iterable[object] | Mapping[tuple, object]) -> Network:
    """A one-hidden-layer network of step neurons that computes the given boolean function.

    Parameters
    ----------
    table : sequence or mapping
        ``2**n`` values (0/1 or bools) in truth-table order (see
        :func:`all_inputs`), or a mapping ``{(x1, …, xn): value}`` over all rows.

    Returns
    -------
    Network
        Inputs ``x1 … xn`` (``X`` columns in that order), hidden neurons
        ``h1 …`` and output ``y``. With fewer 1-rows than 0-rows (ties
        included), hidden neuron ``h`` of row ``b`` has weights ``+1`` from the
        inputs where ``b`` is 1, ``−1`` where it is 0, and bias weight ``−|b|``
        (``|b|`` = number of ones), so it fires only on ``b``; ``y`` ORs them
        (weights 1, bias −1). Otherwise the hidden neurons detect the 0-rows and
        ``y`` fires when none of them does (weights −1, bias 0). A constant
        function has no hidden neuron: ``y`` is fed by the inputs with weight 0.

    Raises
    ------
    TruthTableError
        For a table whose length is not a power of two (≥ 2), or values other than 0 and 1.

    Examples
    --------
    >>> net = from_truth_table([0, 1, 1, 1, 1, 1, 1, 1])     # OR of 3 bits: one 0-row
    >>> net.hidden
    ['h1']
    >>> net.forward(all_inputs(3)).output.ravel()
    array([0., 1., 1., 1., 1., 1., 1., 1.])
    """
    values = _as_table(table)
    n = len(values).bit_length() - 1
    rows = all_inputs(n)
    ones = np.flatnonzero(values == 1)
    zeros = np.flatnonzero(values == 0)
    detect, fires_on_none = (ones, False) if len(ones) <= len(zeros) else (zeros, True)
    hidden = [(2 * rows[r] - 1, -rows[r].sum()) for r in detect]  # fires on row r only
    if not hidden:  # a constant function: y = step(0·x + bias)
        output = ([0.0] * n, 0.0 if fires_on_none else -1.0)
    elif fires_on_none:  # NOR of the detectors: fires when none fires
        output = ([-1.0] * len(hidden), 0.0)
    else:  # OR of the detectors: threshold 1
        output = ([1.0] * len(hidden), -1.0)
    return _step_network(n, hidden, output)


def from_predicate(f: Callable[..., object], n: int) -> Network:
    """:func:`from_truth_table` of ``f(x1, …, xn)`` (which must return 0, 1 or a bool).

    Examples
    --------
    >>> majority = from_predicate(lambda a, b, c: a + b + c >= 2, 3)
    >>> majority.forward([[1, 0, 1], [0, 0, 1]]).output.ravel()
    array([1., 0.])
    """
    return from_truth_table(truth_table(f, n))


def perceptron(weights: Sequence[float], bias: float = 0.0) -> Network:
    """Rosenblatt's perceptron: ``y = 1`` if ``w · x + b ≥ 0``, else 0.

    Inputs ``x1 … xn`` with real weights ``w``, a bias neuron ``b1`` with
    weight ``b``, one step output ``y``. (The sources write ``w · x + b > 0``;
    the step here fires at 0 too, so the two differ only on the boundary.)

    Examples
    --------
    >>> p = perceptron([2.0, -1.0], bias=-0.5)
    >>> p.forward([[1, 0], [1, 1], [0, 0]]).output.ravel()
    array([1., 1., 0.])
    """
    weights = [float(w) for w in weights]
    if not weights:
        raise BuilderError("a perceptron needs at least one input weight")
    return _step_network(len(weights), [], (weights, float(bias)))


def mcculloch_pitts(n_inputs: int, threshold: float, *, inhibitory: Sequence[int] = ()) -> Network:
    """A McCulloch–Pitts neuron: fires when (active excitatory − active inhibitory inputs) ≥ ``threshold``.

    Parameters
    ----------
    n_inputs : int
        Its inputs ``x1 … xn``; weight 1 each (excitatory).
    threshold : float
        Stored as the bias weight ``−threshold``.
    inhibitory : sequence of int, default ()
        Positions (from 1) of inputs with weight −1.

    Examples
    --------
    >>> two_of_three = mcculloch_pitts(3, 2)
    >>> two_of_three.forward([[1, 1, 0], [0, 0, 1]]).output.ravel()
    array([1., 0.])
    """
    _check_arity(n_inputs)
    weights = [1.0] * n_inputs
    for i in inhibitory:
        if not 1 <= i <= n_inputs:
            raise BuilderError(f"inhibitory input {i!r} is not among the inputs 1 … {n_inputs}")
        weights[i - 1] = -1.0
    return perceptron(weights, -float(threshold))


def and_neuron(n_inputs: int = 2) -> Network:
    """An AND gate: a McCulloch–Pitts neuron with threshold ``n_inputs``."""
    return mcculloch_pitts(n_inputs, n_inputs)


def or_neuron(n_inputs: int = 2) -> Network:
    """An OR gate: a McCulloch–Pitts neuron with threshold 1."""
    return mcculloch_pitts(n_inputs, 1)


def not_neuron() -> Network:
    """A NOT gate: one inhibitory input, threshold 0 (fires unless the input is active).

    Examples
    --------
    >>> not_neuron().forward([[0], [1]]).output.ravel()
    array([1., 0.])
    """
    return mcculloch_pitts(1, 0, inhibitory=[1])
