"""Recording training: :class:`Recorder`, a callback that keeps the weights per epoch within a bound.

A :class:`Recorder` is a training callback (``ag.train(..., callbacks=[rec])``,
``ag.compare(..., callbacks=[rec])``): after every epoch it copies the
network's weights (and, with ``gradients=True``, ``∂L/∂w`` on data of its own,
by a forward and a backward pass of its own: the training loop is not
touched) into the :class:`Record` of the current run. A record is plain data
of a documented shape, what :func:`~autograd_graph.explore`,
:func:`~autograd_graph.animate` and other readers take:

=============  =======================  ===============================================================
attribute      shape                    meaning
=============  =======================  ===============================================================
``edges``      ``n_weights`` tuples     ``net.edges`` of the network: the order of every weight column
``epochs``     ``(n_snapshots,)`` int   the epoch of each snapshot, increasing (0: before training)
``weights``    ``(n_snapshots, n_w)``   the weights after each of those epochs, in ``edges`` order
``gradients``  same, or None            ``∂L/∂w`` at those weights on the recorder's ``(X, Y)``
``loss``       ``(n_epochs + 1,)``      training loss of every epoch from 0 (the run's history)
``val_loss``   ``(n_epochs + 1,)``      validation loss, NaN without validation data
``network``    a Network, or None       a copy of the network recorded (its structure; weights as first seen)
=============  =======================  ===============================================================

**The bound.** ``max_snapshots`` counts the snapshots of all runs together
(each ``n_weights`` floats, twice that with gradients). When a new one would
pass it, the recorder *thins*: the spacing of kept epochs doubles (``every``,
``2·every``, ``4·every`` …) and the snapshots off the new spacing go, but each
run's latest snapshot stays until a newer one replaces it, so a record always
ends at the last epoch seen. The losses of every epoch are kept whatever the
thinning (the run's :class:`~autograd_graph.History`).

**Epoch 0.** Callbacks are called after every epoch from epoch 1 on, so a
snapshot of the weights before training needs :meth:`Recorder.start` (called
before ``train``; a run with restarts redraws its weights, so only the first
run starts from those).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import RecordError, SerializationError
from ..io.files import MAX_FILE_BYTES, read_limited, write_atomically
from ..io.ids import decode_id, encode_id
from ..io.reading import from_document, parse
from ..io.serialization import to_document
from .history import EpochLog, History

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["Recorder", "Record", "load_record", "MAX_SNAPSHOTS", "RECORD_FORMAT"]

MAX_SNAPSHOTS = 1_000  # snapshots kept by default, all runs together
RECORD_FORMAT = "autograd_graph.record"  # the "format" field of a saved record


def _floats(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


@dataclass
class Record:
    """The weights of one training run, epoch by epoch (see the module notes for the shape).

    Examples
    --------
    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> X = np.linspace(-1, 1, 9).reshape(-1, 1)
    >>> rec = ag.Recorder()
    >>> rec.start(net)                      # epoch 0: the weights before training
    >>> start = net.get_weights()
    >>> _ = ag.train(net, X, np.sin(3 * X), epochs=4, seed=0, callbacks=[rec])
    >>> record = rec.best()
    >>> record.epochs.tolist(), record.weights.shape, record.loss.shape
    ([0, 1, 2, 3, 4], (5, 12), (5,))
    >>> bool(np.array_equal(record.at(0), start))
    True
    """

    edges: list[tuple]
    run: int = 0
    epochs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    weights: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    gradients: np.ndarray | None = None
    network: Network | None = field(default=None, repr=False)  # a copy of the network recorded
    history: History | None = field(default=None, repr=False)  # the run's own, read for the losses
    saved_losses: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)  # a loaded record's

    @property
    def n_snapshots(self) -> int:
        """How many epochs have their weights kept."""
        return int(self.epochs.size)

    @property
    def loss(self) -> np.ndarray:
        """Training loss of every epoch from 0 on (NaN where unknown)."""
        if self.saved_losses is not None:
            return self.saved_losses[0]
        return _floats(self.history.loss if self.history is not None else [])

    @property
    def val_loss(self) -> np.ndarray:
        """Validation loss of every epoch from 0 on (NaN without validation data)."""
        if self.saved_losses is not None:
            return self.saved_losses[1]
        return _floats(self.history.val_loss if self.history is not None else [])

    @property
    def monitored(self) -> float:
        """The lowest loss of the run: validation loss when there is some, else training loss (as ``train`` picks)."""
        val = self.val_loss[np.isfinite(self.val_loss)]
        values = val if val.size else self.loss[np.isfinite(self.loss)]
        return float(values.min()) if values.size else math.inf

    def index(self, epoch: int) -> int:
        """The snapshot of ``epoch``; :class:`RecordError` lists the recorded ones when it has none."""
        where = np.flatnonzero(self.epochs == epoch)
        if where.size == 0:
            shown = ", ".join(map(str, self.epochs[:12].tolist())) + (" …" if self.n_snapshots > 12 else "")
            raise RecordError(f"epoch {epoch!r} is not recorded; the record holds epochs {shown or 'none'}")
        return int(where[0])

    def at(self, epoch: int) -> np.ndarray:
        """The weights after ``epoch``, in ``edges`` order."""
        return self.weights[self.index(epoch)]

    def check_network(self, net: Network) -> None:
        """Raise :class:`RecordError` unless ``net`` has exactly the record's edges, in its order."""
        if list(net.edges) != list(self.edges):
            raise RecordError(
                f"the record is of a network with {len(self.edges)} edges"
                + ("" if len(self.edges) != net.n_weights else " in another order, or other edges")
                + f"; this one has {net.n_weights}: record the network you explore"
            )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: edges with their ids encoded as ``ag.save`` does, numbers exact, NaN as None."""

        def plain(values: np.ndarray) -> list:
            return [None if not math.isfinite(v) else v for v in values.tolist()]

        return {
            "format": RECORD_FORMAT,
            "version": 1,
            "run": self.run,
            "edges": [[encode_id(i), encode_id(j)] for i, j in self.edges],
            "epochs": self.epochs.tolist(),
            "weights": self.weights.tolist(),
            "gradients": None if self.gradients is None else self.gradients.tolist(),
            "loss": plain(self.loss),
            "val_loss": plain(self.val_loss),
            "network": None if self.network is None else to_document(self.network),
        }

    def save(self, path: str | os.PathLike) -> Path:
        """Write the record as JSON (whole or not at all); :func:`load_record` reads it back exactly."""
        return write_atomically(path, json.dumps(self.to_dict(), allow_nan=False))

    @classmethod
    def from_dict(cls, doc: Any, source: str = "record") -> Record:
        """The record of :meth:`to_dict`; :class:`SerializationError` names the field at fault."""
        if not isinstance(doc, dict) or doc.get("format") != RECORD_FORMAT or doc.get("version") != 1:
            raise SerializationError(f"{source} is not a training record (format {RECORD_FORMAT!r}, version 1)")
        try:
            edges = [(decode_id(i, "edges"), decode_id(j, "edges")) for i, j in doc["edges"]]
            epochs = np.asarray(doc["epochs"], dtype=np.int64).reshape(-1)
            weights = _floats(doc["weights"]).reshape(epochs.size, len(edges))
            gradients = None if doc["gradients"] is None else _floats(doc["gradients"]).reshape(weights.shape)
            losses = tuple(_floats([math.nan if v is None else v for v in doc[k]]) for k in ("loss", "val_loss"))
            run = int(doc["run"])
            network = None if doc.get("network") is None else from_document(doc["network"], f"{source}: network")
        except (KeyError, TypeError, ValueError) as error:
            raise SerializationError(f"{source}: a field of the record is missing or malformed ({error})") from None
        if not np.all(np.isfinite(weights)) or (epochs.size and np.any(np.diff(epochs) <= 0)):
            raise SerializationError(f"{source}: weights must be finite and epochs increasing")
        if network is not None and list(network.edges) != edges:
            raise SerializationError(f"{source}: the network's edges are not the record's")
        return cls(edges, run, epochs, weights, gradients, network, saved_losses=(losses[0], losses[1]))


def load_record(path: str | os.PathLike, max_bytes: int | None = MAX_FILE_BYTES) -> Record:
    """Read a record that :meth:`Record.save` wrote.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> record = Record([(1, 2)], epochs=np.array([0, 5]), weights=np.array([[0.5], [0.25]]))
    >>> path = record.save(Path(tempfile.mkdtemp()) / "run.json")
    >>> back = load_record(path)
    >>> back.edges, back.epochs.tolist(), back.weights.tolist()
    ([(1, 2)], [0, 5], [[0.5], [0.25]])
    """
    source = str(path)
    return Record.from_dict(parse(read_limited(path, max_bytes).decode("utf-8"), source), source)


class Recorder:
    """A training callback that keeps the weights (and optionally ``∂L/∂w``) of every run, epoch by epoch.

    Parameters
    ----------
    every : int, default 1
        Keep every ``every``-th epoch (and the latest one of each run).
    max_snapshots : int, default 1000
        At most this many snapshots, all runs together; past it the spacing
        doubles and the snapshots off it go (see the module notes).
    gradients : bool, default False
        Also keep ``∂L/∂w`` of every snapshot, from a forward and a backward
        pass over ``(X, Y)`` with ``loss`` (one more pass per epoch).
    X, Y : array_like, optional
        The data of those gradients (needed with ``gradients=True``).
    loss : str, default "squared_error"
        The loss of those gradients.

    Attributes
    ----------
    records : list of Record
        One per run seen (a run of another network starts a new one), in order.

    Examples
    --------
    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> X = np.linspace(-1, 1, 9).reshape(-1, 1)
    >>> rec = ag.Recorder(max_snapshots=4)
    >>> _ = ag.train(ag.running_example(seed=0), X, np.sin(3 * X), epochs=10, seed=0, callbacks=[rec])
    >>> rec.best().epochs.tolist(), rec.spacing       # thinned twice to stay within 4 snapshots
    ([4, 8, 10], 4)
    """

    def __init__(
        self,
        every: int = 1,
        max_snapshots: int = MAX_SNAPSHOTS,
        *,
        gradients: bool = False,
        X: Any = None,
        Y: Any = None,
        loss: str = "squared_error",
    ) -> None:
        for name, value, least in (("every", every, 1), ("max_snapshots", max_snapshots, 2)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
                raise RecordError(f"{name} must be a whole number of at least {least}, got {value!r}")
        if gradients and (X is None or Y is None):
            raise RecordError("gradients=True needs the data of the gradients: Recorder(gradients=True, X=..., Y=...)")
        self.every, self.max_snapshots = int(every), int(max_snapshots)
        self.gradients, self.X, self.Y, self.loss = bool(gradients), X, Y, loss
        self.spacing = self.every  # the spacing of kept epochs: every, doubled at each thinning
        self.records: list[Record] = []
        self._runs: dict[tuple[int, int], tuple[Any, Record]] = {}  # (id(network), run) -> (network, its record)
        self._pending: list[tuple[np.ndarray, np.ndarray | None]] = []  # start(): epoch 0 of the next run

    # ------------------------------------------------------------ snapshots
    def _snapshot(self, net: Network) -> tuple[np.ndarray, np.ndarray | None]:
        weights = np.array(net.weights, dtype=np.float64)
        if not self.gradients:
            return weights, None
        trace = net.forward(self.X)
        return weights, np.array(net.backward(trace, self.Y, loss=self.loss).weights.flat, dtype=np.float64)

    def start(self, net: Network) -> None:
        """Keep the weights ``net`` has now as epoch 0 of the next run recorded (call it before ``train``)."""
        self._pending = [self._snapshot(net)]

    @property
    def n_snapshots(self) -> int:
        """Snapshots held, all runs together (at most ``max_snapshots``)."""
        return sum(record.n_snapshots for record in self.records)

    def _record_of(self, log: EpochLog) -> Record:
        """The record of the log's network and run: a new one the first time (trainings in lockstep,
        as ``ag.compare`` runs them, take turns epoch by epoch)."""
        key = (id(log.network), log.run)
        known = self._runs.get(key)
        if known is not None and known[0] is log.network:
            return known[1]
        record = Record(list(log.network.edges), log.run, network=log.network.copy(), history=log.history)
        n = log.network.n_weights
        record.weights = np.zeros((0, n))
        record.gradients = np.zeros((0, n)) if self.gradients else None
        self.records.append(record)
        self._runs[key] = (log.network, record)  # the network kept: its id stays its own
        for weights, gradients in self._pending:
            self._append(record, 0, weights, gradients)
        self._pending = []
        return record

    def _append(self, record: Record, epoch: int, weights: np.ndarray, gradients: np.ndarray | None) -> None:
        last = record.n_snapshots - 1
        if last >= 0 and record.epochs[last] % self.spacing != 0:  # the previous latest, off the spacing: replaced
            self._drop(record, np.arange(record.n_snapshots) != last)
        record.epochs = np.append(record.epochs, epoch)
        record.weights = np.vstack([record.weights, weights[None, :]])
        if record.gradients is not None and gradients is not None:
            record.gradients = np.vstack([record.gradients, gradients[None, :]])

    @staticmethod
    def _drop(record: Record, keep: np.ndarray) -> None:
        record.epochs, record.weights = record.epochs[keep], record.weights[keep]
        if record.gradients is not None:
            record.gradients = record.gradients[keep]

    def _thin(self) -> None:
        """Double the spacing until the snapshots fit; each record keeps its latest one."""
        while self.n_snapshots > self.max_snapshots:
            before = self.n_snapshots
            self.spacing *= 2
            for record in self.records:
                keep = record.epochs % self.spacing == 0
                if record.n_snapshots:
                    keep[-1] = True
                self._drop(record, keep)
            if self.n_snapshots == before:  # only first and latest snapshots left: drop the oldest runs' ones
                for record in self.records:
                    if self.n_snapshots <= self.max_snapshots:
                        break
                    self._drop(record, np.zeros(record.n_snapshots, dtype=bool))

    def __call__(self, log: EpochLog) -> None:
        """Called by ``train`` after every epoch: keep this epoch's weights when it is on the spacing or the latest."""
        record = self._record_of(log)
        weights, gradients = self._snapshot(log.network)
        self._append(record, log.epoch, weights, gradients)
        self._thin()

    # ---------------------------------------------------------------- reads
    def best(self, net: Network | None = None) -> Record:
        """The run with the lowest monitored loss (as ``train`` chooses), among those of ``net``'s edges if given.

        Raises
        ------
        RecordError
            Nothing recorded (of that network).
        """
        records = self.records if net is None else [r for r in self.records if list(r.edges) == list(net.edges)]
        if not records:
            said = "" if net is None else " of a network with these edges"
            raise RecordError(f"the recorder holds no run{said}: pass it to train as callbacks=[recorder]")
        return min(records, key=lambda record: record.monitored)

    def __repr__(self) -> str:
        return (f"<Recorder: {len(self.records)} run(s), {self.n_snapshots} snapshots of at most "
                f"{self.max_snapshots}, spacing {self.spacing} epoch(s)>")  # fmt: skip
