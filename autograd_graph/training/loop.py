"""The training loop: restarts, epochs, batches, and what happens around them.

One update is a forward pass over a batch, a backward pass, and an optimizer
step on the flat weight vector. After every epoch the whole training set (and
the validation data) is evaluated, a history row is written, the best weights
are kept, checkpoints are saved (:mod:`.checkpoints`) and callbacks are called.

Every setting, the data, the loss against the network's outputs and the
checkpoint folder are checked before the first weight changes. Whatever ends
training (the last epoch, early stopping, Ctrl-C, a non-finite step, an error
in a callback), the network ends with the best weights found, and
``best.json`` holds them.
"""

from __future__ import annotations

import copy
import math
import sys
import time
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm.auto import tqdm

from .._checks import fraction, real, whole_number
from .._checks import seed as check_seed
from ..data import as_batch
from ..engines.step import TrainingStep
from ..exceptions import NonFiniteError, ShapeError, TrainingError, TrainingInterruptedWarning, ValidationDataWarning
from ..heldout import held_out
from ..losses import Loss, check_compatible, get_loss
from .checkpoints import Checkpoints, check_folder
from .config import TrainingConfig
from .evaluation import EVALUATION_CHUNK, Evaluation, accuracy, is_classification, targets
from .fused import fuse
from .history import EpochLog, History, RunResult, TrainingResult
from .nonfinite import Fault, backward_fault, forward_fault, update_fault
from .optimizers import Optimizer, get_optimizer
from .regularization import StepRules, check_regularization, check_ties, constrain_restart
from .steps import StartingStructure, StateAlignment, StepLog, after_step, restore_best, step_callbacks, step_seed

if TYPE_CHECKING:
    from ..network import Network

# the pieces train_many's lockstep loop shares with this one: settings, data, seeds, faults, stopping
__all__ = ["run_training", "check_restore_best", "RESTORE_BEST", "check_settings", "seed_sequence", "data_arrays",
           "training_data", "TrainingData", "fault_error", "stop_reason"]  # fmt: skip

_sum = np.add.reduce  # what w.sum() calls, without its Python wrapper (a step's finite check)


# ------------------------------------------------------------------ settings
def check_settings(cfg: TrainingConfig) -> None:
    """Check every setting of ``cfg`` that needs no data (:class:`TrainingError` naming the setting)."""
    whole_number("epochs", cfg.epochs, TrainingError, minimum=0)
    whole_number("batch_size", cfg.batch_size, TrainingError, minimum=1, optional=True)
    whole_number("restarts", cfg.restarts, TrainingError, minimum=1)
    whole_number("patience", cfg.patience, TrainingError, minimum=1, optional=True)
    whole_number("checkpoint_every", cfg.checkpoint_every, TrainingError, minimum=1, optional=True)
    fraction("validation_split", cfg.validation_split, TrainingError, high_open=True)
    real("min_delta", cfg.min_delta, TrainingError)
    if cfg.restore_best not in RESTORE_BEST:
        raise TrainingError(
            f"restore_best must be one of {', '.join(map(repr, RESTORE_BEST))}, got {cfg.restore_best!r}"
        )
    if cfg.checkpoint_every is not None and cfg.checkpoint is None:
        raise TrainingError("checkpoint_every needs checkpoint, the directory to save checkpoints to")
    if cfg.checkpoint is not None:
        check_folder(cfg.checkpoint)
    if not all(callable(c) for c in cfg.callbacks):
        raise TrainingError(f"callbacks must be callables taking an EpochLog, got {list(cfg.callbacks)!r}")


# restore_best -> the history column that picks the weights (and the run, among restarts)
RESTORE_BEST = {"train": "loss", "val": "val_loss", "last": "loss"}


def seed_sequence(seed: Any) -> np.random.SeedSequence:
    """The training's ``seed`` (None, an int, a SeedSequence or a Generator) as the SeedSequence of its streams."""
    seed = check_seed("seed", seed, TrainingError)
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(int(seed.integers(2**63)))
    return np.random.SeedSequence(seed)


@dataclass
class TrainingData:
    """Training and validation arrays, checked once."""

    X: np.ndarray  # (n, n_inputs)
    Y: np.ndarray  # (n, n_outputs)
    X_val: np.ndarray | None = None
    Y_val: np.ndarray | None = None


def data_arrays(net: Network, X: Any, Y: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
    """``X`` and ``Y`` as ``(batch, n)`` float arrays for ``net`` (columns by name); ``what`` suffixes their names
    in messages (``"_val"``: ``X_val``)."""
    X = as_batch(X, net.inputs, what=f"X{what}")
    Y = targets(Y, net, what=f"Y{what}")
    if X.shape[0] != Y.shape[0]:
        raise ShapeError(f"X{what} has {X.shape[0]} examples but Y{what} has {Y.shape[0]}")
    for name, array in ((f"X{what}", X), (f"Y{what}", Y)):
        if math.isfinite(_sum(array, axis=None)):  # every value is finite (a sum of finite values can
            continue  # overflow: then the search below finds nothing), at a fifth of np.isfinite's cost
        bad = np.argwhere(~np.isfinite(array))
        if bad.size:
            row, col = bad[0]
            raise ShapeError(f"{name}[{row}, {col}] is {array[row, col]}; training data must be finite")
    return X, Y


def training_data(
    net: Network, X: Any, Y: Any, validation_data: Any, split: float, seq: np.random.SeedSequence
) -> TrainingData:
    """The training arrays and the validation ones (given, or split off by ``split`` with ``seq``), checked once."""
    X, Y = data_arrays(net, X, Y, "")
    if X.shape[0] == 0:
        raise ShapeError("X has no examples")
    if validation_data is not None:
        if split:
            raise TrainingError("give either validation_data or validation_split, not both")
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise TrainingError("validation_data must be a pair (X_val, Y_val)")
        X_val, Y_val = validation_data
        _warn_if_test_data(X_val, Y_val)
        return TrainingData(X, Y, *data_arrays(net, X_val, Y_val, "_val"))
    if not split:
        return TrainingData(X, Y)
    n_val = int(round(split * X.shape[0]))
    if not 0 < n_val < X.shape[0]:
        raise TrainingError(
            f"validation_split={split} of {X.shape[0]} examples leaves no validation or no training data"
        )
    order = np.random.default_rng(seq).permutation(X.shape[0])
    val, fit = order[:n_val], order[n_val:]
    return TrainingData(X[fit], Y[fit], X[val], Y[val])


def check_restore_best(cfg: TrainingConfig, validation: bool) -> None:
    """``restore_best="val"`` needs validation data (``validation`` says whether there are some)."""
    if cfg.restore_best == "val" and not validation:
        raise TrainingError("restore_best='val' chooses the weights by validation loss: give validation_data "
                            "or validation_split")  # fmt: skip


def _warn_if_test_data(*arrays: Any) -> None:
    what = next((w for w in map(held_out, arrays) if w is not None), None)
    if what is not None:
        warnings.warn(
            f"validation_data are {what}: a choice made by them (restore_best='val', patience, your own) leaves "
            f"no unseen data to report; hold out part of the training data instead (validation_split=0.2)",
            ValidationDataWarning,
            stacklevel=5,
        )


# ------------------------------------------------------------------ one run
@dataclass
class _Session:
    """Everything shared by the runs of one call."""

    cfg: TrainingConfig
    net: Network
    data: TrainingData
    loss: Loss
    classification: bool
    optimizer: Optimizer
    bar: Any
    checkpoints: Checkpoints | None = None
    best_loss: float = math.inf  # over all runs so far
    step: TrainingStep | None = None  # the hot loop's buffers (see _training_step)
    rates: dict = field(default_factory=dict)  # dropout rate by neuron (checked)
    rules: StepRules | None = None  # constraints, clipping, penalties, dropout of the step's structure
    drop_rng: Any = None  # the current run's generator of dropout masks
    runs: list[RunResult] = field(default_factory=list)
    hooks: list = field(default_factory=list)  # the callbacks' on_step methods (see .steps); empty: none
    step_seed: Any = None  # the current run's seed for them

    @property
    def monitor(self) -> str:
        return RESTORE_BEST[self.cfg.restore_best]

    def evaluate(self, step_size: float, seconds: float, epoch: int, history: History) -> dict:
        """Add the epoch's row to ``history`` (an overflow shows as an inf or NaN loss there)."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self._evaluate(step_size, seconds, epoch, history)

    def _evaluate(self, step_size: float, seconds: float, epoch: int, history: History) -> dict:
        d = self.data
        train = evaluate(self, d.X, d.Y)
        row: dict[str, Any] = dict(
            epoch=epoch, loss=train.loss, accuracy=train.accuracy, step_size=step_size, seconds=seconds
        )
        if d.X_val is not None:
            val = evaluate(self, d.X_val, d.Y_val)
            row.update(val_loss=val.loss, val_accuracy=val.accuracy)
        history.append(**row)
        return row

    def checkpoint_metadata(self, run: RunResult, epoch: int, row: dict) -> dict:
        return {"run": run.run, "epoch": epoch, "init_seed": run.init_seed, "monitor": self.monitor,
                **{k: v for k, v in row.items() if not (isinstance(v, float) and math.isnan(v))}}  # fmt: skip


def fault_error(fault: Fault, run: int, epoch: int, step: int, indices: np.ndarray,
                weights: np.ndarray) -> NonFiniteError:  # fmt: skip
    """The :class:`NonFiniteError` of a step that went non-finite, naming the value and the training example."""
    example = None if fault.example is None else int(indices[fault.example])
    where = fault.describe().replace(f"example {fault.example} of the batch", f"training example {example}")
    return NonFiniteError(
        f"non-finite value at step {step} (run {run}, epoch {epoch}): {where}. The network holds the best "
        f"weights training found; the error's .weights and .indices reproduce the failing step. "
        f"A smaller learning rate often helps.",
        run=run, epoch=epoch, step=step, quantity=fault.quantity, neuron=fault.neuron, edge=fault.edge,
        indices=indices, weights=weights,
    )  # fmt: skip


def _epoch(s: _Session, run: RunResult, rng: np.random.Generator, opt: Optimizer, epoch: int,
           last_finite: np.ndarray, alignment: StateAlignment) -> np.ndarray:  # fmt: skip
    """One pass over the training set, one update per batch.

    ``last_finite`` holds the weights of the last step whose pass was finite
    (the network is restored to them if a pass goes non-finite); the updated
    one is returned for the next epoch. The steps run on the weights of a
    :class:`~autograd_graph.engines.step.TrainingStep`, updated in place; the
    network gets them at the end of the epoch.
    """
    net, X, Y = s.net, s.data.X, s.data.Y
    n = X.shape[0]
    size = n if s.cfg.batch_size is None else min(s.cfg.batch_size, n)
    order = rng.permutation(n) if s.cfg.shuffle and size < n else np.arange(n)
    if size < n:
        X, Y = X[order], Y[order]  # one copy per epoch; batches are then slices
    alignment.check(net, opt)  # an epoch callback may have changed the structure
    step = _training_step(s)
    w = step.w  # the weights of the steps, updated in place
    kept = np.empty_like(w)  # the weights before the latest update (their pass was finite)
    hooks, steps, rules = s.hooks, -(-n // size), s.rules
    drop = None if rules is None else rules.drop
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # non-finite values are caught below
        for lo in range(0, n, size):
            batch = slice(lo, lo + size)
            masks = None if drop is None else drop.draw(s.drop_rng, min(size, n - lo), step.dtype)
            dw = step.gradient(X[batch], Y[batch], masks)
            if dw is None:  # some value is not finite (or the check's sum overflowed): the public passes say which
                dw = _checked_gradient(s, run, epoch, w, X[batch], Y[batch], last_finite, order[batch])
            np.copyto(kept, w)
            last_finite = kept
            if rules is not None:
                rules.adjust(dw, w)  # ties, frozen edges, clipping, penalties (see .regularization)
            opt.step_into(w, dw)
            if rules is not None:
                rules.after_update(w, kept)
            if not math.isfinite(_sum(w)) and (fault := update_fault(w, net.edges)) is not None:
                net.set_weights(kept)
                raise fault_error(fault, run.run, epoch, run.steps, order[batch], kept.copy())
            step.refresh()
            run.steps += 1
            if hooks:  # step callbacks (dynamic sparse training), given the network with the new weights
                net.set_weights(w)
                seen = net.versions
                log = StepLog(run.run, epoch, run.steps, steps, s.cfg.epochs * steps, lo + size >= n, net,
                              X[lo : lo + size], Y[lo : lo + size], s.loss, s.step_seed)  # fmt: skip
                changed = after_step(hooks, log, opt, alignment)  # True: the structure changed
                if net.versions == seen:  # the hooks changed nothing: the step goes on with its own weights
                    continue
                step = _training_step(s)  # a new step for a new structure; else the weights the hooks left
                rules = s.rules
                drop = None if rules is None else rules.drop
                if changed:
                    w, kept = step.w, np.empty_like(step.w)
                    last_finite = net.get_weights()
    net.set_weights(w)
    return last_finite


def _training_step(s: _Session) -> TrainingStep:
    """The session's training step for the network as it is now, starting from its weights."""
    engine = s.net.compile()  # built once per structure (a callback may change the structure)
    if s.step is None or s.step.engine is not engine:
        s.step = TrainingStep(engine, s.loss, s.net.dtype, s.net.weights)
        cfg = s.cfg
        s.rules = StepRules.build(s.net, engine, weight_decay=cfg.weight_decay, l1=cfg.l1, clip_norm=cfg.clip_norm,
                                  regularize_biases=cfg.regularize_biases, dropout=s.rates)  # fmt: skip
    else:
        s.step.load(s.net.weights)  # a callback or a restart may have set other weights
    return s.step


def evaluate(s: _Session, X: Any, Y: Any) -> Evaluation:
    """``evaluate(net, X, Y, ...)`` with the same numbers, through the training step's buffers."""
    losses, outputs = _training_step(s).losses_and_outputs(X, Y, EVALUATION_CHUNK)
    return Evaluation(float(losses.mean()), accuracy(outputs, Y) if s.classification else math.nan)


def _checked_gradient(s: _Session, run: RunResult, epoch: int, w: np.ndarray, X: np.ndarray, Y: np.ndarray,
                      last_finite: np.ndarray, indices: np.ndarray) -> np.ndarray:  # fmt: skip
    """The step's gradient through the public passes, which name the first value that is not finite."""
    net = s.net
    net.set_weights(w)
    trace = net.forward(X)
    grads = net.backward(trace, Y, loss=s.loss)
    fault = forward_fault(trace) or backward_fault(grads, trace, net.edges)
    if fault is not None:
        net.set_weights(last_finite)
        raise fault_error(fault, run.run, epoch, run.steps, indices, w.copy())
    return grads.weights.flat  # finite after all: the check's sum overflowed


def _run(s: _Session, run: RunResult, seq: np.random.SeedSequence) -> None:
    """Train one run in place; ``run`` keeps its best weights and history."""
    cfg, net = s.cfg, s.net
    start = time.perf_counter()
    opt = copy.deepcopy(s.optimizer)
    opt.reset(net.n_weights)
    fuse(opt, net.n_weights * cfg.updates(len(s.data.X)))  # Adam as one compiled loop, when worth it
    alignment = StateAlignment(net)  # the structure the optimizer's state belongs to
    rng = np.random.default_rng(seq)
    s.drop_rng = np.random.default_rng(seq.spawn(1)[0])  # its own stream: the shuffles stay as without dropout
    last_finite = net.get_weights()
    waited = 0  # epochs since the last improvement by more than min_delta
    reference = math.inf  # the loss of that improvement
    for epoch in range(cfg.epochs + 1):
        if epoch:
            last_finite = _epoch(s, run, rng, opt, epoch, last_finite, alignment)
        row = s.evaluate(opt.step_size, time.perf_counter() - start, epoch, run.history)
        value = row[s.monitor]
        if value < run.best_loss or cfg.restore_best == "last":  # the weights this run keeps
            run.best_loss, run.best_epoch, run.best_weights = value, epoch, net.get_weights()
            run.best_edges = net.indexed().edges  # the structure of these weights (cached: no copy)
            if value < s.best_loss:  # better than every earlier run: the network will end with these or better
                s.best_loss = value
                if s.checkpoints is not None:
                    s.checkpoints.best(net, s.checkpoint_metadata(run, epoch, row))
        if epoch == 0:
            reference = value
            continue
        if s.checkpoints is not None and cfg.checkpoint_every and epoch % cfg.checkpoint_every == 0:
            s.checkpoints.every(net, f"run{run.run}-epoch{epoch}.json", s.checkpoint_metadata(run, epoch, row))
        if value < reference - cfg.min_delta:
            reference, waited = value, 0
        else:
            waited += 1
        s.bar.set_postfix({"run": run.run, s.monitor: f"{value:.4g}"}, refresh=False)
        s.bar.update(1)
        h = run.history
        log = EpochLog(run.run, epoch, h.loss[-1], h.accuracy[-1], h.val_loss[-1], h.val_accuracy[-1],
                       h.step_size[-1], net, h)  # fmt: skip
        reason = stop_reason(cfg, log, waited)
        if reason is not None:
            run.stop_reason = reason
            s.bar.update(cfg.epochs - epoch)
            return


def _last_row(history: History) -> dict:
    return {name: values[-1] for name, values in history.as_dict().items()}


def stop_reason(cfg: TrainingConfig, log: EpochLog, waited: int) -> str | None:
    """Why the run ends after this epoch, if it does (the last epoch aside)."""
    if any([bool(callback(log)) for callback in cfg.callbacks]):  # a list, not a generator: every callback runs
        return "callback"
    if cfg.patience is not None and waited >= cfg.patience:
        return "early stopping"
    return None


# ------------------------------------------------------------------ all runs
def run_training(cfg: TrainingConfig, net: Network, X: Any, Y: Any, validation_data: Any) -> TrainingResult:
    """Train ``net`` in place as ``cfg`` says; see :class:`~autograd_graph.training.config.TrainingConfig`."""
    # everything is checked before the first weight changes (restarts redraw them)
    check_settings(cfg)
    rates = check_regularization(cfg, net)
    check_ties(net)
    loss = get_loss(cfg.loss)
    optimizer = get_optimizer(cfg.optimizer, cfg.learning_rate)
    seq = seed_sequence(cfg.seed)
    split_seq, *run_seqs = seq.spawn(cfg.restarts + 1)
    net.compile()  # validates the network: an incomplete or cyclic one fails now
    check_compatible(loss, [net.activation(k) for k in net.outputs], net.outputs)
    data = training_data(net, X, Y, validation_data, cfg.validation_split, split_seq)
    check_restore_best(cfg, data.X_val is not None)
    classification = is_classification(loss, data.Y) if cfg.classification is None else bool(cfg.classification)
    progress = sys.stderr.isatty() if cfg.progress is None else bool(cfg.progress)
    start_weights = net.get_weights()
    bar = tqdm(total=cfg.restarts * cfg.epochs, unit="epoch", desc="training", disable=not progress)
    checkpoints = None if cfg.checkpoint is None else Checkpoints(cfg.checkpoint)
    s = _Session(cfg, net, data, loss, classification, optimizer, bar, checkpoints, rates=rates,
                 hooks=step_callbacks(cfg.callbacks))  # fmt: skip
    start = StartingStructure(net) if cfg.restarts > 1 else None  # a callback may change the structure
    interrupted = False
    try:
        for r, run_seq in enumerate(run_seqs):
            init_seq, shuffle_seq = run_seq.spawn(2)
            s.step_seed = step_seed(run_seq)
            init_seed = None if cfg.restarts == 1 else int(init_seq.generate_state(1)[0])
            if start is not None:
                start.restore(net)
            if init_seed is not None:
                net.initialize(init_seed)
                constrain_restart(net, start_weights)  # frozen edges keep their weights, tied ones stay equal
            run = RunResult(r, init_seed, History(), best_weights=net.get_weights(), best_edges=net.indexed().edges)
            s.runs.append(run)
            _run(s, run, shuffle_seq)
    except KeyboardInterrupt:
        interrupted = True
        if s.runs:
            s.runs[-1].stop_reason = "interrupted"
    finally:  # whatever ends training: the best weights, and best.json holding them
        bar.close()
        if not s.runs:  # stopped before the first run began
            s.runs.append(RunResult(0, None, History(), best_weights=start_weights, stop_reason="interrupted"))
        best = min(s.runs, key=lambda run: run.best_loss)  # the first of equals; a run never evaluated keeps its start
        restore_best(net, best)  # its edges too, if a callback changed the structure
        if checkpoints is not None:
            if cfg.restore_best == "last" and best.history.loss:  # the last weights may be worse than saved ones
                checkpoints.pending = s.checkpoint_metadata(best, best.best_epoch, _last_row(best.history))
            interrupted |= checkpoints.finish(net)
    entropy = seq.entropy if isinstance(seq.entropy, int) else [int(e) for e in seq.entropy or []]
    result = TrainingResult(s.runs, best.run, s.monitor, entropy, interrupted)
    if interrupted:
        warnings.warn(
            f"training interrupted in run {s.runs[-1].run} after {s.runs[-1].epochs} epochs; the network holds "
            f"the best weights found (run {result.best_run}, epoch {result.best.best_epoch}, "
            f"{result.monitor} {result.loss:.6g})",
            TrainingInterruptedWarning,
            stacklevel=4,
        )
    return result
