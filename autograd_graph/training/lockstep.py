"""The training loop of many networks at once: every run of every member in lockstep.

:func:`~autograd_graph.train_many` hands this module one *job* per run of
each member (a member trained with ``restarts=3`` is three jobs: the runs of
``ag.train`` are independent once their seeds are drawn). All jobs take
their updates together, on the stacked union of their networks
(:class:`~autograd_graph.engines.stacked.StackedEngine`): one forward and
one backward pass per batch for all of them, each job on its own shuffled
batch of its own training data, and one optimizer step on the union's flat
weights. The optimizers are elementwise and every job that still trains
has taken as many updates as the others, so the union's optimizer state
is, slice by slice, each job's own.

A job that stops (its epochs done, early stopping, a callback, a
non-finite value kept with ``errors="keep"``) is *frozen*: its weights and
gradient are held fixed from then on, and what its passes compute is
ignored. Everything a job does after each epoch (its history row, its best
weights, patience, callbacks) is what :func:`~autograd_graph.train` does
for a run, from the same pieces (:mod:`.loop`).
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engines.stacked import all_finite
from ..exceptions import NonFiniteError
from ..losses import Loss
from .config import TrainingConfig
from .fused import fuse
from .history import EpochLog, History, RunResult
from .loop import RESTORE_BEST, fault_error, stop_reason
from .nonfinite import Fault, backward_fault, forward_fault, update_fault
from .optimizers import Optimizer

if TYPE_CHECKING:
    from ..engines.stacked import StackedEngine
    from ..network import Network

__all__ = ["Job", "Lockstep", "Curve", "evaluate_stacked", "targets", "transposed", "EVALUATION_ELEMENTS"]

# Examples per evaluation pass: chosen so that one (rows, members, examples) array of a stack
# holds about this many numbers (2 MB: the arrays of a pass then stay in cache; on the 2-core
# reference machine the 40 networks of the `together` benchmark ran forward over the digits' 1,347
# training images in 17.7 ms with 2^16, 12.3 ms with 2^17, 12.0 ms with 2^18, 12.6 ms with 2^19, when
# each member had its copy of them). Data all members share go in chunks that can be smaller still
# (:data:`~autograd_graph.engines.stacked.ONE_THREAD_PRODUCT`).
EVALUATION_ELEMENTS = 1 << 18


@dataclass
class Curve:
    """Loss and accuracy after every epoch on held-out data (epoch 0 = before training)."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)


@dataclass
class Job:
    """One run of one member."""

    member: int
    run: RunResult
    rng: np.random.Generator  # the run's shuffles
    net: Network  # the member's network (callbacks see it with the job's weights)
    test: Curve = field(default_factory=Curve)
    active: bool = True
    waited: int = 0  # epochs since the last improvement by more than min_delta
    reference: float = math.inf  # the loss of that improvement
    error: NonFiniteError | None = None


@dataclass
class Data:
    """Each job's training data (and validation data), stacked: (jobs, examples, columns)."""

    X: np.ndarray
    Y: np.ndarray
    X_val: np.ndarray | None = None
    Y_val: np.ndarray | None = None
    X_test: np.ndarray | None = None
    Y_test: np.ndarray | None = None


def targets(Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``Y`` (jobs, n, outputs) laid out as the stacked engine's outputs, (outputs, jobs, n), and the
    target class of every example (as :func:`~autograd_graph.accuracy` reads it)."""
    Yt = np.ascontiguousarray(Y.transpose(2, 0, 1))
    return Yt, ((Yt[0] >= 0.5) if Yt.shape[0] == 1 else Yt.argmax(axis=0))


def transposed(X: np.ndarray) -> np.ndarray:
    """Inputs (members, n, inputs) laid out as :meth:`.StackedEngine.outputs` takes them, (members, inputs, n):
    one transposed copy, shared by all members when ``X`` is one array broadcast to all of them."""
    if X.shape[0] > 1 and X.strides[0] == 0:
        return np.broadcast_to(np.ascontiguousarray(X[0].T), (X.shape[0], X.shape[2], X.shape[1]))
    return np.ascontiguousarray(X.transpose(0, 2, 1))


def evaluate_stacked(engine: StackedEngine, w: np.ndarray, X: np.ndarray, Y: tuple[np.ndarray, np.ndarray],
                     loss: Loss, classification: bool) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Per member, the mean loss and the accuracy (NaN unless ``classification``) on its data.

    ``X`` is the (members, n, inputs) inputs as :func:`transposed` lays them out, ``Y`` what :func:`targets`
    makes of the (members, n, outputs) targets; ``w`` the union's weights. The numbers are
    :func:`~autograd_graph.evaluate`'s for each member.
    """
    engine.load(w)
    Yt, classes = Y
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        z, a = engine.outputs(X, EVALUATION_ELEMENTS)  # (outputs, members, n)
        k = z.shape[0]
        values = loss.value(z.reshape(k, -1).T, Yt.reshape(k, -1).T, a.reshape(k, -1).T)
    mean = values.reshape(z.shape[1:]).mean(axis=1)  # (members,)
    if not classification:
        return mean, np.full(mean.shape, math.nan)
    predicted = (z[0] >= 0.5) if k == 1 else _classes(z)
    return mean, (predicted == classes).mean(axis=1)


def _classes(z: np.ndarray) -> np.ndarray:
    """``z.argmax(axis=0)`` of the (outputs, members, n) outputs, the first of equals, by one pass per
    output over contiguous rows (argmax across the first axis reads the array with a stride, 20× slower)."""
    with np.errstate(over="ignore", invalid="ignore"):
        total = z.sum()
    if not math.isfinite(total):  # NaN: argmax takes the first NaN, which comparisons do not see
        return z.argmax(axis=0)
    best, index = z[0].copy(), np.zeros(z.shape[1:], dtype=np.intp)
    for c in range(1, z.shape[0]):
        more = z[c] > best
        index[more] = c
        np.maximum(best, z[c], out=best)
    return index


class Lockstep:
    """The loop over epochs and batches for all jobs (see the module notes)."""

    def __init__(self, cfg: TrainingConfig, engine: StackedEngine, jobs: list[Job], data: Data, loss: Loss,
                 classification: bool, optimizer: Optimizer, weights: np.ndarray, bar: Any,
                 errors: str) -> None:  # fmt: skip
        self.cfg, self.engine, self.jobs, self.data, self.loss = cfg, engine, jobs, data, loss
        self.classification, self.bar, self.errors = classification, bar, errors
        self.opt = copy.deepcopy(optimizer)
        self.opt.reset(engine.n_weights)
        self.fused = fuse(self.opt, engine.n_weights * cfg.updates(data.X.shape[1]))  # Adam compiled, when worth it
        self.w = weights.copy()  # (n_weights,): the union's flat weights, updated in place
        self.kept = self.w.copy()  # the weights before the latest update (their pass was finite)
        self.frozen = np.zeros(0, dtype=np.int64)  # union positions of frozen jobs' weights
        self._frozen_mask = np.zeros(engine.n_weights, dtype=bool)
        self.owner = np.empty(engine.n_weights, dtype=np.int64)  # the job of each union weight
        for j, at in enumerate(engine.positions):
            self.owner[at] = j
        self.rows = np.arange(len(jobs))[:, None]
        self._targets_of: dict[tuple[int, int], tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]] = {}
        self.start = time.perf_counter()

    @property
    def monitor(self) -> str:
        return RESTORE_BEST[self.cfg.restore_best]  # the loss that chooses the weights, as ag.train's

    # ------------------------------------------------------------ the loop
    def run(self) -> None:
        """Train every job for ``cfg.epochs`` epochs or until it stops."""
        for epoch in range(self.cfg.epochs + 1):
            if epoch:
                if not any(job.active for job in self.jobs):
                    return
                self._epoch(epoch)
            self._after_epoch(epoch)
        for job in self.jobs:
            job.active = False

    def _epoch(self, epoch: int) -> None:
        """One pass over every job's training set, one update per batch.

        As :mod:`~autograd_graph.engines.step` does for one network: the engine's buffers per batch
        size, the loss's value and gradient together, one sum to tell that the whole pass is finite,
        and the optimizer's update in place on the union's weights.
        """
        cfg, d = self.cfg, self.data
        n = d.X.shape[1]
        size = n if cfg.batch_size is None else min(cfg.batch_size, n)
        orders = np.empty((len(self.jobs), n), dtype=np.int64)
        for j, job in enumerate(self.jobs):  # each job's own shuffle, as ag.train draws it
            orders[j] = job.rng.permutation(n) if job.active and cfg.shuffle and size < n else np.arange(n)
        engine, loss, opt = self.engine, self.loss, self.opt
        both, gradient_a = loss.value_and_gradient_z, loss.gradient_a
        Yt = d.Y.transpose(2, 0, 1)  # (outputs, jobs, n): batches come out as the engine lays outputs out
        shared = d.X.strides[0] == 0 and d.Y.strides[0] == 0  # one data set for all jobs
        if shared:  # a batch is then rows of one array (a plain take, faster than indexing the broadcast)
            X_all, Yt_all = d.X[0], np.ascontiguousarray(d.Y[0].T)
        w, kept = self.w, self.kept  # the union's weights, updated in place; those of the last finite pass
        done = 0  # steps of this epoch not yet added to the active jobs' counts (added before any job stops)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), self._counting(lambda: done):
            for lo in range(0, n, size):
                batch = orders[:, lo : lo + size]  # (jobs, batch)
                # (jobs, batch, inputs), (outputs, jobs, batch)
                if shared:
                    X, Y = np.take(X_all, batch, axis=0), np.take(Yt_all, batch, axis=1)
                else:
                    X, Y = d.X[self.rows, batch], Yt[:, self.rows, batch]
                engine.load(w)
                z, a = engine.forward(X)  # (outputs, jobs, batch)
                k, m, b = z.shape
                zz, yy, aa = z.reshape(k, -1).T, Y.reshape(k, -1).T, a.reshape(k, -1).T  # (jobs · batch, outputs)
                if both is None:
                    values, dz = loss.value(zz, yy, aa), loss.gradient_z(zz, yy, aa) / b
                else:
                    values, dz = both(zz, yy, aa)
                    dz /= b
                da = None if gradient_a is None else (gradient_a(zz, yy, aa) / b).T.reshape(k, m, b)
                grad = engine.backward(dz.T.reshape(k, m, b), da)
                if not math.isfinite(engine.pass_sum() + values.sum() + grad.sum()):
                    done = self._count(done)
                    for j in self._pass_faults(values.reshape(m, b), grad):
                        self._fault(j, epoch, batch[j], X[j], Y[:, j].T, w, None)
                np.copyto(kept, w)
                if self.frozen.size:
                    grad[self.frozen] = 0
                opt.step_into(w, grad)
                if self.frozen.size:
                    w[self.frozen] = kept[self.frozen]
                if not math.isfinite(w.sum()):
                    done = self._count(done)
                    for j in np.unique(self.owner[~np.isfinite(w)]).tolist():
                        if self.jobs[j].active:
                            self._fault(j, epoch, batch[j], X[j], Y[:, j].T, kept, w)
                    if self.frozen.size:
                        w[self.frozen] = kept[self.frozen]
                done += 1

    def _count(self, steps: int) -> int:
        """Add ``steps`` updates to every active job's count; returns 0 (none left to add)."""
        for job in self.jobs:
            if job.active:
                job.run.steps += steps
        return 0

    @contextmanager
    def _counting(self, left: Callable[[], int]) -> Iterator[None]:
        """Add the steps ``left()`` gives when the block ends, however it ends (an interrupt included)."""
        try:
            yield
        finally:
            self._count(left())

    def _pass_faults(self, values: np.ndarray, grad: np.ndarray) -> list[int]:
        """The active jobs whose pass (a, z, loss or ∂L/∂w) went non-finite at this step."""
        ok = self.engine.finite_members()
        ok = np.ones(len(self.jobs), dtype=bool) if ok is None else ok
        ok &= np.isfinite(values).all(axis=1)
        if not all_finite(grad):
            ok[np.unique(self.owner[~np.isfinite(grad)])] = False
        return [j for j in np.flatnonzero(~ok).tolist() if self.jobs[j].active]

    def _fault(self, j: int, epoch: int, indices: np.ndarray, X: np.ndarray, Y: np.ndarray, w: np.ndarray,
               new: np.ndarray | None) -> None:  # fmt: skip
        """Job ``j`` went non-finite: name the fault as ``ag.train`` would, then raise or freeze the job."""
        job = self.jobs[j]
        mine = self.engine.positions[j]
        net = job.net
        net.set_weights(self.engine.member_weights(w, j))
        fault: Fault | None
        if new is None:  # the member alone, on its batch: the first neuron at fault, as ag.train names it
            trace = net.forward(X)
            fault = forward_fault(trace) or backward_fault(net.backward(trace, Y, loss=self.loss), trace, net.edges)
            last = self.kept[mine]
        else:
            fault = update_fault(new[mine], net.edges)
            last = w[mine]
        fault = fault or Fault("a or z", math.nan)  # a fault of the union's rounding only: rare, and unnamed
        error = fault_error(fault, job.run.run, epoch, job.run.steps, indices, w[mine].copy())
        job.error, job.run.stop_reason = error, "non-finite"
        if self.errors == "raise":
            error.member = job.member  # type: ignore[attr-defined]
            raise error
        w[mine] = last  # the job keeps its last finite weights, and trains no more
        self._freeze(j)

    def _freeze(self, j: int) -> None:
        self.jobs[j].active = False
        self._frozen_mask[self.engine.positions[j]] = True
        self.frozen = np.flatnonzero(self._frozen_mask)

    # ------------------------------------------------------- after an epoch
    def _evaluate(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per job, the mean loss and the accuracy on its ``(X, Y)`` (jobs, n, ·), at the current weights."""
        key = id(X), id(Y)
        if key not in self._targets_of:  # made once per data set: the inputs and targets as the engine lays them out
            self._targets_of[key] = transposed(X), targets(Y)
        XT, Yt = self._targets_of[key]
        return evaluate_stacked(self.engine, self.w, XT, Yt, self.loss, self.classification)

    def _after_epoch(self, epoch: int) -> None:
        """Every active job's history row, best weights, patience and callbacks, as ``ag.train`` does them."""
        d, cfg = self.data, self.cfg
        seconds = time.perf_counter() - self.start
        loss, acc = self._evaluate(d.X, d.Y)
        val = self._evaluate(d.X_val, d.Y_val) if d.X_val is not None and d.Y_val is not None else None
        test = self._evaluate(d.X_test, d.Y_test) if d.X_test is not None and d.Y_test is not None else None
        step_size = self.opt.step_size
        for j, job in enumerate(self.jobs):
            if not job.active:
                continue
            run = job.run
            row: dict[str, Any] = dict(epoch=epoch, loss=float(loss[j]), accuracy=self._accuracy(acc[j]),
                                       step_size=step_size, seconds=seconds)  # fmt: skip
            if val is not None:
                row.update(val_loss=float(val[0][j]), val_accuracy=self._accuracy(val[1][j]))
            run.history.append(**row)
            if test is not None:
                job.test.loss.append(float(test[0][j]))
                job.test.accuracy.append(self._accuracy(test[1][j]))
            value = row[self.monitor]
            if value < run.best_loss or cfg.restore_best == "last":
                run.best_loss, run.best_epoch = value, epoch
                run.best_weights = self.engine.member_weights(self.w, j)
            if epoch == 0:
                job.reference = value
                continue
            if value < job.reference - cfg.min_delta:
                job.reference, job.waited = value, 0
            else:
                job.waited += 1
            self.bar.update(1)
            reason = stop_reason(cfg, self._log(job, j), job.waited)
            if reason is not None or epoch == cfg.epochs:
                if reason is not None:
                    run.stop_reason = reason
                    self.bar.update(cfg.epochs - epoch)
                self._freeze(j)

    def _accuracy(self, value: float) -> float:
        return float(value) if self.classification else math.nan  # math.nan itself, as ag.train writes it

    def _log(self, job: Job, j: int) -> EpochLog:
        """What a callback receives; the member's network then holds the job's current weights."""
        h: History = job.run.history
        if self.cfg.callbacks:
            job.net.set_weights(self.engine.member_weights(self.w, j))
        return EpochLog(job.run.run, h.epoch[-1], h.loss[-1], h.accuracy[-1], h.val_loss[-1], h.val_accuracy[-1],
                        h.step_size[-1], job.net, h)  # fmt: skip
