"""Many networks trained at once: :func:`train_many`.

The disjoint union of several networks is one DAG. ``train_many`` compiles
that union once (:class:`~autograd_graph.engines.stacked.StackedEngine`:
every generation of all the members is one batched matrix product) and
trains every member on it, each getting exactly what :func:`~autograd_graph.train`
would give it alone with the same seed: its own validation split, its own
shuffles, its own initial weights for every restart, its own optimizer
state, early stopping and best weights (:mod:`.lockstep` runs the loop).
Only the rounding of the sums inside a pass can differ from a member
trained alone (the union adds the same products, some in another order and
some zero ones more), so the weights agree to about 1e-12 after a short
training, as the tests check.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm.auto import tqdm

from ..engines.stacked import StackedEngine, stack_members
from ..exceptions import (
    ConstraintError,
    IncompatibleLossError,
    NonFiniteError,
    TrainingError,
    TrainingInterruptedWarning,
)
from ..losses import get_loss, loss_terms
from .config import TrainingConfig
from .evaluation import CLASSIFICATION_LOSSES, Evaluation
from .history import History, RunResult, TrainingResult
from .lockstep import Curve, Data, Job, Lockstep, evaluate_stacked, targets, transposed
from .loop import check_restore_best, check_settings, data_arrays, seed_sequence, training_data
from .optimizers import get_optimizer
from .steps import step_callbacks

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["train_many", "evaluate_many", "ManyResult", "Curve"]

_NOT_TOGETHER = ("checkpoint", "checkpoint_every")  # settings of ag.train that train_many does not take
_ALONE = (("weight_decay", 0.0), ("l1", 0.0), ("dropout", 0.0), ("clip_norm", None))  # neither, unless off


class ManyResult(list):
    """What :func:`train_many` returns: one :class:`~autograd_graph.TrainingResult` per network, in order.

    Attributes
    ----------
    errors : list of NonFiniteError or None
        Per network, the error that ended its training (``errors="keep"``), else None.
    test : list of list of Curve
        Per network and run, the loss and accuracy on ``test_data`` after every
        epoch (empty lists without test data).
    seconds : float
        Wall time of the whole training (shared by all the networks).
    stacks : list of list of int
        Which networks were stacked together (each stack's generations are one product each).
    """

    def __init__(self, results: list[TrainingResult], errors: list, test: list[list[Curve]], seconds: float,
                 stacks: list[list[int]]) -> None:  # fmt: skip
        super().__init__(results)
        self.errors, self.test, self.seconds, self.stacks = errors, test, seconds, stacks


def _seeds(seeds: Any, n: int) -> list[Any]:
    if seeds is None or isinstance(seeds, (int, np.integer, np.random.SeedSequence)):
        return [seeds] * n
    if isinstance(seeds, np.random.Generator):
        raise TrainingError("seeds must be one seed per network (or one int for all), not a Generator")
    try:
        values = list(seeds)
    except TypeError:
        raise TrainingError(f"seeds must be a list of one seed per network, got {seeds!r}") from None
    if len(values) != n:
        raise TrainingError(f"seeds has {len(values)} seeds for {n} networks; give one per network")
    return values


def _stack(arrays: list[np.ndarray]) -> np.ndarray:
    """Per-job arrays as one (jobs, n, columns) array: a broadcast view when they are all equal."""
    first = arrays[0]
    if all(a is first or np.array_equal(a, first) for a in arrays):
        return np.broadcast_to(first, (len(arrays), *first.shape))
    return np.stack(arrays)


def train_many(
    nets: Sequence[Network],
    X: Any,
    Y: Any,
    *,
    seeds: Any = None,
    validation_data: tuple[Any, Any] | None = None,
    test_data: tuple[Any, Any] | None = None,
    errors: str = "raise",
    stacks: list[list[int]] | None = None,
    bar: Any = None,
    **params: Any,
) -> ManyResult:
    """Train several networks at once, each in place, each as :func:`~autograd_graph.train` would alone.

    Parameters
    ----------
    nets : sequence of Network
        Networks with the same numbers of inputs and outputs (the columns of
        ``X`` and ``Y``); any wiring, any sizes. Each is trained in place.
    X, Y : array_like or mapping
        The training data, as for :func:`~autograd_graph.train`.
    seeds : seed or sequence of seeds, optional
        One seed per network (``seeds[i]`` is what ``ag.train(nets[i], ..., seed=seeds[i])``
        would get), or one for all of them.
    validation_data : (X_val, Y_val), optional
    test_data : (X_test, Y_test), optional
        Held-out data scored after every epoch (``result.test``), never used to choose weights.
    errors : {"raise", "keep"}, default "raise"
        A network whose training goes non-finite raises the :class:`~autograd_graph.NonFiniteError`
        ``ag.train`` would raise (with ``.member``, its index), leaving the others at their best
        weights so far; with ``"keep"``, that network stops there (its later restarts are not
        run), keeps the best weights it had found, and ``result.errors[i]`` holds the error,
        while the others train on.
    stacks : list of list of int, optional
        Which networks to stack together (default: by depth, see
        :func:`~autograd_graph.engines.stacked.stack_members`). Restarts stack with their network.
    bar : tqdm bar, optional
        A progress bar to count epochs on, instead of one of its own (for callers showing one
        bar over more work; ``progress`` is then ignored).
    **params
        The settings of :func:`~autograd_graph.train`, the same for every network: ``loss``,
        ``epochs``, ``batch_size``, ``shuffle``, ``optimizer``, ``learning_rate``, ``restarts``,
        ``validation_split``, ``patience``, ``min_delta``, ``classification``, ``callbacks``,
        ``progress`` (not ``checkpoint``: save the networks afterwards).

    Returns
    -------
    ManyResult
        One :class:`~autograd_graph.TrainingResult` per network (a list), with ``errors``,
        ``test`` curves and the wall time; each network holds its best weights.

    Examples
    --------
    Three networks trained together, and one of them alone: the same result.

    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> X = np.linspace(-1, 1, 20).reshape(-1, 1)
    >>> nets = [ag.running_example(seed=0), ag.layered([1, 4, 1], seed=1), ag.layered([1, 3, 3, 1], seed=2)]
    >>> alone = ag.layered([1, 3, 3, 1], seed=2)
    >>> results = ag.train_many(nets, X, np.sin(3 * X), seeds=[0, 1, 2], epochs=20, batch_size=4, progress=False)
    >>> solo = ag.train(alone, X, np.sin(3 * X), seed=2, epochs=20, batch_size=4, progress=False)
    >>> bool(np.allclose(nets[2].weights, alone.weights, rtol=0, atol=1e-12))
    True
    >>> [len(r.history) for r in results], results[2].loss == solo.loss or abs(results[2].loss - solo.loss) < 1e-12
    ([21, 21, 21], True)
    """
    from ..network import Network

    nets = list(nets)
    if not nets or not all(isinstance(net, Network) for net in nets):
        raise TrainingError("train_many needs a non-empty list of networks")
    if len({id(net) for net in nets}) < len(nets):
        raise TrainingError("train_many got the same network twice; pass copies (net.copy()) to train it twice")
    for key in _NOT_TOGETHER:
        if params.get(key) is not None:
            raise TrainingError(f"train_many does not take {key}=; save the trained networks with ag.save")
    if "seed" in params:
        raise TrainingError("train_many takes seeds= (one per network), not seed=")
    if errors not in ("raise", "keep"):
        raise TrainingError(f"errors must be 'raise' or 'keep', got {errors!r}")
    cfg = TrainingConfig(**params)
    check_settings(cfg)
    if step_callbacks(cfg.callbacks):
        raise TrainingError(
            "train_many trains a fixed union of the networks; step callbacks (SET, RigL: on_step) change a "
            "network's structure while it trains: train such networks with ag.train (ag.compare(..., together=False))"
        )
    _check_no_regularization(cfg, nets)
    seed_list = _seeds(seeds, len(nets))
    loss = get_loss(cfg.loss)
    optimizer = get_optimizer(cfg.optimizer, cfg.learning_rate)
    shapes = {(len(net.inputs), len(net.outputs)) for net in nets}
    if len(shapes) > 1:
        raise TrainingError(f"the networks must have the same numbers of inputs and outputs, got {sorted(shapes)}")
    dtypes = {net.dtype for net in nets}
    if len(dtypes) > 1:
        raise TrainingError(f"the networks must have the same dtype, got {sorted(map(str, dtypes))}")
    for i, net in enumerate(nets):  # what the first backward pass would find out alone
        net.validate()
        zeros = np.zeros((1, len(net.outputs)))
        try:
            loss_terms(loss, zeros, zeros, zeros, [net.activation(o) for o in net.outputs])
        except IncompatibleLossError as error:
            raise IncompatibleLossError(f"network {i}: {error}") from None

    # per network, as ag.train draws them: the split, then each run's initial weights and shuffles
    seqs, members_data, jobs, starts = [], [], [], []
    for i, (net, seed) in enumerate(zip(nets, seed_list, strict=True)):
        seq = seed_sequence(seed)
        split_seq, *run_seqs = seq.spawn(cfg.restarts + 1)
        seqs.append(seq)
        members_data.append(training_data(net, X, Y, validation_data, cfg.validation_split, split_seq))
        for r, run_seq in enumerate(run_seqs):
            init_seq, shuffle_seq = run_seq.spawn(2)
            init_seed = None if cfg.restarts == 1 else int(init_seq.generate_state(1)[0])
            if init_seed is not None:
                net.initialize(init_seed)
            run = RunResult(r, init_seed, History(), best_weights=net.get_weights())
            jobs.append(Job(i, run, np.random.default_rng(shuffle_seq), net))
            starts.append(run.best_weights)
    check_restore_best(cfg, members_data[0].X_val is not None)
    sizes = {d.X.shape[0] for d in members_data}
    if len(sizes) > 1:
        raise TrainingError(f"the networks' training sets differ in size ({sorted(sizes)}); give them the same data")
    # jobs stack by stack, so that each stack's arrays are views of the union's
    if stacks is None:
        groups = stack_members([nets[job.member].indexed() for job in jobs])
    else:  # a stack of networks holds their runs
        groups = [[j for j, job in enumerate(jobs) if job.member in set(s)] for s in stacks]
        if sorted(j for g in groups for j in g) != list(range(len(jobs))):
            raise TrainingError(f"stacks must hold every network once, got {stacks!r}")
    order = [j for g in groups for j in g]
    jobs, starts = [jobs[j] for j in order], [starts[j] for j in order]
    bounds = np.cumsum([0, *map(len, groups)]).tolist()
    engine = StackedEngine([nets[job.member].indexed() for job in jobs],
                           [list(range(lo, hi)) for lo, hi in zip(bounds, bounds[1:], strict=False)],
                           dtype=nets[0].dtype)  # fmt: skip
    job_data = [members_data[job.member] for job in jobs]
    test = None
    if test_data is not None:
        if not (isinstance(test_data, (tuple, list)) and len(test_data) == 2):
            raise TrainingError("test_data must be a pair (X_test, Y_test)")
        test = [data_arrays(nets[job.member], *test_data, "_test") for job in jobs]
    data = Data(
        _stack([d.X for d in job_data]),
        _stack([d.Y for d in job_data]),
        None if job_data[0].X_val is None else _stack([d.X_val for d in job_data]),  # type: ignore[misc]
        None if job_data[0].Y_val is None else _stack([d.Y_val for d in job_data]),  # type: ignore[misc]
        None if test is None else _stack([t[0] for t in test]),
        None if test is None else _stack([t[1] for t in test]),
    )
    classification = loss.name in CLASSIFICATION_LOSSES if cfg.classification is None else bool(cfg.classification)
    progress = sys.stderr.isatty() if cfg.progress is None else bool(cfg.progress)
    own_bar = bar is None
    if own_bar:
        bar = tqdm(total=len(jobs) * cfg.epochs, unit="epoch", desc=f"training {len(nets)} networks",
                   disable=not progress)  # fmt: skip
    loop = Lockstep(cfg, engine, jobs, data, loss, classification, optimizer, engine.union_weights(starts), bar,
                    errors)  # fmt: skip
    interrupted = False
    try:
        loop.run()
    except KeyboardInterrupt:
        interrupted = True
    except NonFiniteError as error:
        _finish(nets, jobs, seqs, loop.monitor, interrupted=False)
        error.args = (f"network {error.member}: {error.args[0]}",)  # type: ignore[attr-defined]
        raise
    finally:
        if own_bar:
            bar.close()
    seconds = time.perf_counter() - loop.start
    results = _finish(nets, jobs, seqs, loop.monitor, interrupted=interrupted)
    if interrupted:
        warnings.warn(
            f"training of {len(nets)} networks interrupted after {max(len(j.run.history) for j in jobs) - 1} epochs; "
            "every network holds the best weights it had found",
            TrainingInterruptedWarning,
            stacklevel=2,
        )
    by_member = [
        sorted((job for job in jobs if job.member == i), key=lambda job: job.run.run) for i in range(len(nets))
    ]
    errors_out = [next((job.error for job in mine if job.error is not None), None) for mine in by_member]
    curves = [[job.test for job in mine if _kept(job, mine)] for mine in by_member]
    stacked = sorted(sorted({jobs[j].member for j in s.members.tolist()}) for s in engine.stacks)
    return ManyResult(results, errors_out, curves, seconds, stacked)


def _check_no_regularization(cfg: TrainingConfig, nets: list[Network]) -> None:
    """What the lockstep loop does not do yet: the settings of :mod:`.regularization`, frozen and tied edges."""
    given = [name for name, off in _ALONE if getattr(cfg, name) != off]
    if given:
        raise TrainingError(
            f"train_many does not take {', '.join(given)} (the stacked engine has no dropout masks, penalties or "
            f"clipping): train such networks with ag.train (ag.compare(..., together=False))"
        )
    for i, net in enumerate(nets):
        if net.frozen or net.ties:
            raise ConstraintError(
                f"network {i} has frozen or tied edges, which train_many does not keep: train it with ag.train "
                f"(ag.compare(..., together=False))"
            )


def _runs_of(jobs: list[Job], member: int) -> list[Job]:
    """The jobs of one network, run by run."""
    return sorted((job for job in jobs if job.member == member), key=lambda job: job.run.run)


def _kept(job: Job, mine: list[Job]) -> bool:
    """Whether a run counts: every run up to the first that failed (as ag.train would have raised there)."""
    failed = [j.run.run for j in mine if j.error is not None]
    return not failed or job.run.run <= min(failed)


def _finish(nets: list[Network], jobs: list[Job], seqs: list, monitor: str, *,
            interrupted: bool) -> list[TrainingResult]:  # fmt: skip
    """Per network: its runs, its best run, and the network set to the best weights (as ag.train leaves it)."""
    results = []
    for i, net in enumerate(nets):
        mine = _runs_of(jobs, i)
        runs = [job.run for job in mine if _kept(job, mine)]
        for job in mine:
            if job.active and interrupted:
                job.run.stop_reason = "interrupted"
        last_init = runs[-1].init_seed
        if last_init is not None:  # the network's generator as after the last run's net.initialize(init_seed)
            net.initialize(last_init)
        best = min(runs, key=lambda run: run.best_loss)
        net.set_weights(best.best_weights)  # whatever ended its training, as ag.train leaves it
        seq = seqs[i]
        entropy = seq.entropy if isinstance(seq.entropy, int) else [int(e) for e in seq.entropy or []]
        results.append(TrainingResult(runs, best.run, monitor, entropy, interrupted and any(j.active for j in mine)))
    return results


def evaluate_many(nets: Sequence[Network], X: Any, Y: Any, *, loss: str | Any = "squared_error",
                  classification: bool | None = None) -> list[Evaluation]:  # fmt: skip
    """:func:`~autograd_graph.evaluate` of several networks on the same data, in one stacked pass.

    Examples
    --------
    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> nets = [ag.running_example(seed=0), ag.layered([1, 5, 1], seed=0)]
    >>> X = np.linspace(-1, 1, 9).reshape(-1, 1)
    >>> [round(e.loss, 12) for e in evaluate_many(nets, X, np.sin(X))] == [
    ...     round(ag.evaluate(n, X, np.sin(X)).loss, 12) for n in nets]
    True
    """
    nets = list(nets)
    loss = get_loss(loss)
    classification = loss.name in CLASSIFICATION_LOSSES if classification is None else bool(classification)
    arrays = [data_arrays(net, X, Y, "") for net in nets]
    engine = StackedEngine([net.indexed() for net in nets], dtype=nets[0].dtype)
    w = engine.union_weights([net.weights for net in nets])
    Yt = targets(_stack([a[1] for a in arrays]))
    XT = transposed(_stack([a[0] for a in arrays]))
    losses, hits = evaluate_stacked(engine, w, XT, Yt, loss, classification)
    return [Evaluation(float(v), float(h) if classification else math.nan) for v, h in zip(losses, hits, strict=True)]
