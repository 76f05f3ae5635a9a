"""Straight-line Python for small networks: per-example SGD without numpy.

At batch 1 a numpy call costs more than the arithmetic it does, so the array
engine spends its time in call overhead. For a small network this module
instead writes the :class:`~.schedule.Schedule` out as Python source, one line
per formula of the SPEC, the weights as local floats:

- forward, in row order: ``a_k = Σ_i w_{i,k} z_i``, ``z_k = σ_k(a_k)``;
- the loss and its ``∂ℓ/∂z`` of every output;
- backward, in reverse: ``∂ℓ/∂z_k = Σ_j ∂ℓ/∂a_j w_{k,j}`` (plus the loss's own
  term for an output), ``∂ℓ/∂a_k = ∂ℓ/∂z_k σ_k'(a_k)``;
- the update ``w_{i,j} -= η ∂ℓ/∂a_j z_i`` once every gradient of the example is known.

The formulas come from the tables: each activation's and loss's ``scalar``
form. Variable names come from positions (``z_r4`` is row 4, ``w_p7`` weight
7), never from neuron ids, so any ids are safe; each line ends with the ids
it stands for as a comment, so for the running example the source reads as
the hand derivation of the source texts. A schedule with more than
:data:`MAX_EDGES` edges, or an activation or loss without a scalar form,
gives None (the caller takes the array engine, with the same numbers).

Examples
--------
>>> import autograd_graph as ag
>>> schedule = ag.running_example(seed=0).compile().schedule
>>> print("\\n".join(sgd_source(schedule).splitlines()[5:7]))
        a_r4 = w_p0 * z_r0 + w_p2  # a_3 = w_1,3·z_1 + w_2,3
        z_r4 = _logistic(a_r4)  # z_3
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable

from ..losses import Loss, get_loss
from . import jit
from .schedule import Schedule

__all__ = ["sgd_source", "sgd_function", "MAX_EDGES"]

MAX_EDGES = 5_000  # larger networks are not written out: the array engine is as fast per example

# schedule -> {(loss, backend): the compiled function or None}; entries go with their schedule
_PROGRAMS: weakref.WeakKeyDictionary[Schedule, dict[tuple[Loss, str], Callable | None]] = weakref.WeakKeyDictionary()


def _id(neuron: Hashable) -> str:
    """A neuron id for a comment: printable ASCII on one line, whatever the id."""
    text = ascii(neuron) if not isinstance(neuron, (int, str)) or isinstance(neuron, bool) else str(neuron)
    return ascii(text)[1:-1] if not text.isprintable() or not text.isascii() else text


def sgd_source(schedule: Schedule, loss: str | Loss = "squared_error", *, arrays: bool = False) -> str | None:
    """The straight-line Python of one epoch of per-example SGD, or None if it cannot be written.

    The function it defines, ``sgd(w, X, Y, step_sizes)``, takes the flat
    weights and lists of examples, and returns the new weights and each
    example's loss (before its step). With ``arrays`` it takes and returns
    float64 arrays instead (``w`` and ``step_sizes`` 1-D, ``X`` and ``Y``
    ``(n_examples, n)``): the same lines, in the form numba compiles.
    """
    loss = get_loss(loss)
    g = schedule.graph
    if schedule.n_weights > MAX_EDGES or loss.scalar is None:
        return None
    forms = {}
    node_of_row = [0] * len(schedule.order)
    for node, row in enumerate(schedule.node_rows.tolist()):
        node_of_row[row] = node
    for row, node in enumerate(node_of_row):
        act = g.activations[node]
        if act is not None:
            if act.scalar is None:
                return None
            forms[row] = act.scalar
    n_in, n_sources = len(schedule.inputs), schedule.n_sources
    src, dst = schedule.node_rows[g.src].tolist(), schedule.node_rows[g.dst].tolist()  # rows of each edge
    into: dict[int, list[tuple[int, int]]] = {}  # target row -> [(source row, weight position)]
    out_of: dict[int, list[tuple[int, int]]] = {}  # source row -> [(target row, weight position)]
    for p, (s, t) in enumerate(zip(src, dst, strict=True)):
        into.setdefault(t, []).append((s, p))
        out_of.setdefault(s, []).append((t, p))
    ids = [_id(neuron) for neuron in schedule.order]

    def term(p: int, s: int) -> tuple[str, str]:  # a bias neuron's z is 1: its weight enters alone
        if n_in <= s < n_sources:
            return f"w_p{p}", f"w_{ids[s]},{ids[dst[p]]}"
        return f"w_p{p} * z_r{s}", f"w_{ids[s]},{ids[dst[p]]}·z_{ids[s]}"

    n_weights = schedule.n_weights
    names = ", ".join(f"w_p{p}" for p in range(n_weights))
    inputs = ", ".join(f"z_{ids[r]}" for r in range(n_in))
    if arrays:
        lines = ["def sgd(w, X, Y, step_sizes):", *(f"    w_p{p} = w[{p}]" for p in range(n_weights)),
                 "    losses = np.empty(X.shape[0])", "    for i in range(X.shape[0]):",
                 "        eta = step_sizes[i]"]  # fmt: skip
        body = [f"z_r{r} = X[i, {r}]  # z_{ids[r]}" for r in range(n_in)]
        target = "Y[i, {}]"
    else:
        lines = ["def sgd(w, X, Y, step_sizes):", f"    {names}, = w", "    losses = []",
                 "    for x, y, eta in zip(X, Y, step_sizes):"]  # fmt: skip
        body = [f"{', '.join(f'z_r{r}' for r in range(n_in))}, = x  # {inputs}"]
        target = "y[{}]"
    for row in range(n_sources, len(schedule.order)):
        code, text = zip(*(term(p, s) for s, p in into[row]), strict=True)
        body.append(f"a_r{row} = {' + '.join(code)}  # a_{ids[row]} = {' + '.join(text)}")
        body.append(f"z_r{row} = {forms[row].function.format(a=f'a_r{row}')}  # z_{ids[row]}")
    n_out = len(schedule.outputs)
    own = {}
    for column, row in enumerate(schedule.output_rows.tolist()):
        body.append(f"e_r{row} = z_r{row} - {target.format(column)}  # z_{ids[row]} - y_{ids[row]}")
        own[row] = loss.scalar.gradient.format(e=f"e_r{row}", n=n_out)
    value = " + ".join(loss.scalar.value.format(e=f"e_r{r}", n=n_out) for r in own)
    body.append(f"losses[i] = {value}" if arrays else f"losses.append({value})")
    for row in range(len(schedule.order) - 1, n_sources - 1, -1):  # backward: ∂ℓ/∂a, in reverse row order
        k = ids[row]
        parts = [f"da_r{t} * w_p{p}" for t, p in out_of.get(row, [])] + ([own[row]] if row in own else [])
        text = [f"∂ℓ/∂a_{ids[t]}·w_{k},{ids[t]}" for t, p in out_of.get(row, [])] + (["[loss]"] if row in own else [])
        derivative = forms[row].derivative.format(a=f"a_r{row}", z=f"z_r{row}")
        dz = " + ".join(parts) or "0.0"  # ∂ℓ/∂z_k
        code = f"da_r{row} = {dz}" if derivative == "1.0" else f"da_r{row} = ({dz}) * {derivative}"
        body.append(f"{code}  # ∂ℓ/∂a_{k} = ({' + '.join(text) or '0'})·σ_{k}′(a_{k})")
    for p, (s, t) in enumerate(zip(src, dst, strict=True)):  # ∂ℓ/∂w_{s,t} = ∂ℓ/∂a_t z_s: every gradient is known
        bias = n_in <= s < n_sources
        factor, text = ("", "") if bias else (f" * z_r{s}", f"·z_{ids[s]}")
        body.append(f"w_p{p} -= eta * da_r{t}{factor}  # w_{ids[s]},{ids[t]} -= η·∂ℓ/∂a_{ids[t]}{text}")
    lines += [f"        {line}" for line in body]
    if arrays:
        lines += [f"    new = np.empty({n_weights})", *(f"    new[{p}] = w_p{p}" for p in range(n_weights)),
                  "    return new, losses"]  # fmt: skip
    else:
        lines.append(f"    return [{names}], losses")
    return "\n".join(lines) + "\n"


def sgd_function(schedule: Schedule, loss: str | Loss = "squared_error", *, backend: str = "python") -> Callable | None:
    """The compiled ``sgd`` of :func:`sgd_source`, built once per schedule, loss and backend; None if it has none.

    ``backend="python"`` compiles the source with Python's ``compile``; ``"numba"`` compiles its
    ``arrays`` form with numba (see :mod:`.jit`), which gives None when numba is not installed,
    the network has more than :data:`~.jit.NUMBA_MAX_EDGES` edges, or numba cannot compile a form.
    """
    loss = get_loss(loss)
    programs = _PROGRAMS.setdefault(schedule, {})
    key = (loss, backend)
    if key not in programs:
        arrays = backend == "numba"
        source = sgd_source(schedule, loss, arrays=arrays)
        namespace: dict = {}
        program = None
        if source is not None:
            forms = [act.scalar for act in schedule.graph.activations if act is not None and act.scalar is not None]
            if arrays:
                program = jit.compile_sgd(source, forms, schedule.n_weights)
            else:
                for form in forms:
                    namespace.update(form.namespace)
                exec(compile(source, "<straight-line SGD>", "exec"), namespace)  # noqa: S102
                program = namespace["sgd"]
        programs[key] = program
    return programs[key]
