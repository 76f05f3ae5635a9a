"""What the explorer page holds: the network, the data, the loss, a recording, the picture, as one JSON document.

Every number a computation needs (weights, inputs, targets, recorded
weights) is written exactly, as the base64 of little-endian float64 arrays,
so the page's engine starts from the very numbers the Python engine has;
losses of the curve are plain JSON numbers (``null`` for NaN). Neurons and
edges are in ``net.edges``/``net.neurons`` order, neurons named by ``label``
(``str(id)``) and by ``key`` (the id itself when JSON has it: a number or a
string).

The page computes everything else itself (``engine.js``), for networks up to
:data:`WHATIF_UP_TO`; the examples it holds are capped at ``max_examples``
and at :data:`WORK_BUDGET` edge-examples (one edit recomputes them all).
"""

from __future__ import annotations

import base64
import math
import numbers
import re
from typing import TYPE_CHECKING, Any

import numpy as np

from ...activations import ACTIVATIONS
from ...data import as_batch
from ...exceptions import ExplorerError
from ...losses import LOSSES, Loss, check_compatible, get_loss
from ...training.evaluation import targets
from ...training.recorder import Record, Recorder
from ..views import COMPACT_UP_TO, size_text
from .positions import picture_positions

if TYPE_CHECKING:
    from ...network import Network

__all__ = [
    "payload",
    "encode_floats",
    "check_number_format",
    "WHATIF_UP_TO",
    "WORK_BUDGET",
    "MAX_EXAMPLES",
    "JS_ACTIVATIONS",
    "JS_LOSSES",
]

WHATIF_UP_TO = COMPACT_UP_TO  # (neurons, edges): the page computes and edits networks up to both
WORK_BUDGET = 4_000_000  # examples × edges the page holds: one edit recomputes them all (tens of ms)
MAX_EXAMPLES = 256  # examples the page holds by default
JS_ACTIVATIONS = ("identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "softplus", "step")  # engine.js's
JS_LOSSES = ("squared_error", "mse", "binary_cross_entropy", "softmax_cross_entropy")
_FORMAT = re.compile(r"^\.(\d{1,2})([gfe])$")


def encode_floats(values: Any) -> str:
    """The base64 of ``values`` as little-endian float64, row by row (what the page decodes exactly).

    Examples
    --------
    >>> encode_floats([1.0, -0.5])
    'AAAAAAAA8D8AAAAAAADgvw=='
    """
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f8").tobytes()).decode("ascii")


def check_number_format(number_format: Any) -> str:
    """A format spec the page writes exactly as Python does: ``.Ng``, ``.Nf`` or ``.Ne``."""
    if not isinstance(number_format, str) or not _FORMAT.match(number_format):
        raise ExplorerError(
            f"number_format must be '.Ng', '.Nf' or '.Ne' (N up to 99, e.g. '.4g'): the page writes those as "
            f"Python does; got {number_format!r}"
        )
    return number_format


def _key(neuron: Any) -> Any:
    if isinstance(neuron, (bool, np.bool_)):
        return str(neuron)
    if isinstance(neuron, numbers.Integral):
        return int(neuron)
    if isinstance(neuron, numbers.Real) and math.isfinite(float(neuron)):
        return float(neuron)
    return neuron if isinstance(neuron, str) else str(neuron)


def _check_network(net: Network, loss: Loss) -> None:
    if net.n_neurons > WHATIF_UP_TO[0] or net.n_weights > WHATIF_UP_TO[1]:
        raise ExplorerError(
            f"the explorer page computes networks of at most {size_text(*WHATIF_UP_TO)}; this one has "
            f"{size_text(net.n_neurons, net.n_weights)}: explore ag.neighborhood(net, neuron) or draw it with "
            f"net.to_graphviz(view='overview')"
        )
    for neuron in net.neurons:
        act = net.activation(neuron)
        if act is not None and (act.name not in JS_ACTIVATIONS or ACTIVATIONS.get(act.name) is not act):
            raise ExplorerError(
                f"neuron {neuron!r} has activation {act.name!r}, which the page's engine does not compute; it "
                f"computes {', '.join(JS_ACTIVATIONS)}"
            )
    if loss.name not in JS_LOSSES or LOSSES.get(loss.name) is not loss:
        raise ExplorerError(f"the page's engine computes the losses {', '.join(JS_LOSSES)}, not {loss.name!r}")
    check_compatible(loss, [net.activation(k) for k in net.outputs], net.outputs)


def _data(net: Network, X: Any, Y: Any, max_examples: int) -> tuple[np.ndarray, np.ndarray | None, int]:
    """X (and Y) as the page holds them: the first examples within the caps; and how many were given."""
    if isinstance(max_examples, bool) or not isinstance(max_examples, numbers.Integral) or max_examples < 1:
        raise ExplorerError(f"max_examples must be a whole number of at least 1, got {max_examples!r}")
    X = np.zeros((1, len(net.inputs))) if X is None else as_batch(X, net.inputs, what="X")
    Y = None if Y is None else targets(Y, net)
    if Y is not None and Y.shape[0] != X.shape[0]:
        raise ExplorerError(f"X has {X.shape[0]} examples and Y {Y.shape[0]}: give one target row per example")
    for name, values in (("X", X), ("Y", Y)):
        if values is not None and not np.all(np.isfinite(values)):
            raise ExplorerError(f"{name} holds a value that is not finite (NaN or infinite)")
    given = X.shape[0]
    kept = max(1, min(given, int(max_examples), WORK_BUDGET // max(net.n_weights, 1)))
    return X[:kept], None if Y is None else Y[:kept], given


def _record(net: Network, record: Record | Recorder | None) -> dict[str, Any] | None:
    if record is None:
        return None
    if isinstance(record, Recorder):
        record = record.best(net)
    if not isinstance(record, Record):
        raise ExplorerError(f"record must be an ag.Recorder or an ag.Record, got {type(record).__name__}")
    record.check_network(net)
    if record.n_snapshots == 0:
        raise ExplorerError("the record holds no snapshot of the weights: record at least one epoch")
    if not np.all(np.isfinite(record.weights)):
        raise ExplorerError("the record holds weights that are not finite")

    def plain(values: np.ndarray) -> list:
        return [v if math.isfinite(v) else None for v in values.tolist()]

    return {"run": record.run, "epochs": record.epochs.tolist(), "weights": encode_floats(record.weights),
            "loss": plain(record.loss), "val_loss": plain(record.val_loss)}  # fmt: skip


def _loss_notes(loss: Loss) -> dict[str, str]:
    """What ``PassValues`` writes after an output's own term (one example: no ``/ batch``)."""
    notes = {}
    for of in ("z", "a"):
        formula = loss.own_terms.get(of)
        notes[of] = f"[loss] is the own term of loss {loss.name!r}" if formula is None else (
            f"[loss] is {loss.name}'s own term, {formula}")  # fmt: skip
    return notes


def _graph_orders(net: Network) -> dict[str, list | None]:
    """Each neuron's incoming and outgoing edges in the graph's order (the equations' order), when that is
    not the edge order the engine adds them in."""
    position = {edge: p for p, edge in enumerate(net.edges)}
    G = net.graph
    pred = [[position[i, k] for i in G.predecessors(k)] for k in net.neurons]
    succ = [[position[k, j] for j in G.successors(k)] for k in net.neurons]
    in_order = all(row == sorted(row) for row in pred + succ)
    return {"pred": None, "succ": None} if in_order else {"pred": pred, "succ": succ}


def payload(
    net: Network,
    X: Any = None,
    Y: Any = None,
    *,
    loss: str | Loss = "squared_error",
    record: Record | Recorder | None = None,
    title: str | None = None,
    number_format: str = ".4g",
    view: str = "auto",
    max_examples: int = MAX_EXAMPLES,
) -> dict[str, Any]:
    """The page's JSON document (see the module notes); every argument is checked first.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> doc = payload(ag.running_example(seed=0), [[0.5]], [[1.0]], view="compact")
    >>> doc["rows"], doc["picture"]["view"], [n["label"] for n in doc["neurons"]][:3]
    (1, 'compact', ['1', '2', '3'])
    """
    loss_function = get_loss(loss)
    net.compile()  # an incomplete or cyclic network fails here
    _check_network(net, loss_function)
    check_number_format(number_format)
    if view not in ("auto", "full", "compact"):
        raise ExplorerError(f"view must be 'auto', 'full' or 'compact' (the page draws those), got {view!r}")
    X, Y, given = _data(net, X, Y, max_examples)
    recorded = _record(net, record)
    ix = net.indexed()
    order = ix.topological_order().tolist()
    names = [None if act is None else act.name for act in ix.activations]
    neurons = [{"key": _key(n), "label": str(n), "kind": ix.kinds[p], "activation": names[p]}
               for p, n in enumerate(ix.nodes)]  # fmt: skip
    return {
        "title": title or f"{net.n_neurons} neurons, {net.n_weights} weights",
        "neurons": neurons,
        "src": ix.src.tolist(),
        "dst": ix.dst.tolist(),
        "order": order,
        "inputs": ix.of_kind("input").tolist(),
        "outputs": ix.of_kind("output").tolist(),
        **_graph_orders(net),
        "weights": encode_floats(net.weights),
        "rows": int(X.shape[0]),
        "given_rows": int(given),
        "X": encode_floats(X),
        "Y": None if Y is None else encode_floats(Y),
        "loss": {
            "name": loss_function.name,
            "notes": _loss_notes(loss_function),
            "own_a": loss_function.gradient_a is not None,
        },  # fmt: skip
        "number_format": number_format,
        "record": recorded,
        "picture": picture_positions(net, view),
        "limits": {"whatif_neurons": WHATIF_UP_TO[0], "whatif_edges": WHATIF_UP_TO[1], "work": WORK_BUDGET},
    }
