"""Training every network over every seed with the same settings: :func:`compare`."""

from __future__ import annotations

import math
import numbers
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from .._checks import whole_number
from ..data import as_batch
from ..exceptions import ComparisonError, ShapeError
from ..losses import get_loss
from ..network import Network
from ..training import EpochLog, Trainer, evaluate, train
from ..training.evaluation import CLASSIFICATION_LOSSES, targets
from ..training.many import evaluate_many, train_many
from .parallel import groups, run_groups
from .results import Comparison
from .runs import SeedRun, Structure

__all__ = ["compare", "Builder"]

Builder = Callable[[int], Network]  # seed -> a new network
# settings that compare sets itself, per seed, or that would make seeds incomparable
_RESERVED = {
    "seed": "compare gives every run its seed from `seeds`",
    "progress": "pass progress= to compare itself",
    "restarts": "compare's seeds are the restarts: each seed is one run, and all of them are reported",
    "checkpoint": "compare keeps every trained network in the result",
    "checkpoint_every": "compare keeps every trained network in the result",
}


def _seeds(seeds: int | Iterable[int]) -> list[int]:
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        return list(range(whole_number("seeds (a number of seeds)", seeds, ComparisonError)))
    try:
        values = list(seeds)  # type: ignore[arg-type]
    except TypeError:
        raise ComparisonError(f"seeds must be a number of seeds or a list of integer seeds, got {seeds!r}") from None
    if not values:
        raise ComparisonError("seeds must hold at least one seed, got an empty list")
    values = [whole_number(f"seeds[{i}]", s, ComparisonError, minimum=0) for i, s in enumerate(values)]
    if len(set(values)) < len(values):
        raise ComparisonError(f"seeds must differ from each other, got {values!r}")
    return values


def _build(name: str, spec: Network | Builder, seed: int) -> Network:
    """A fresh network for one seed: a copy with redrawn weights, or what the builder makes."""
    if isinstance(spec, Network):
        net = spec.copy()
        net.initialize(seed)
        return net
    net = spec(seed)
    if not isinstance(net, Network):
        raise ComparisonError(f"the builder of {name!r} returned a {type(net).__name__} for seed {seed}, not a Network")
    return net


def _settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    for key, reason in _RESERVED.items():
        if key in settings:
            raise ComparisonError(f"the training setting {key}= cannot be given to compare: {reason}")
    return dict(settings)


def _per_network(per_network: Any, networks: Mapping[str, Any], together: bool) -> dict[str, dict[str, Any]]:
    """``per_network`` checked: names of networks, dicts of settings (not the reserved ones), not together."""
    if per_network is None:
        return {}
    if not isinstance(per_network, Mapping):
        raise ComparisonError(f"per_network must be a dict of network names to settings, got {per_network!r}")
    unknown = [name for name in per_network if name not in networks]
    if unknown:
        raise ComparisonError(f"per_network names {unknown!r}, which are not networks of the comparison")
    if together and per_network:
        raise ComparisonError("per_network settings differ from network to network: give together=False "
                              "(trainings together share every setting)")  # fmt: skip
    own = {}
    for name, extra in per_network.items():
        if not isinstance(extra, Mapping):
            raise ComparisonError(f"per_network[{name!r}] must be a dict of training settings, got {extra!r}")
        own[name] = _settings(extra)
    return own


def _merged(settings: dict[str, Any], extra: dict[str, Any] | None) -> dict[str, Any]:
    """The settings of one network: the common ones, its own over them, callbacks of both."""
    if not extra:
        return settings
    callbacks = [*settings.get("callbacks", ()), *extra.get("callbacks", ())]
    return {**settings, **extra, "callbacks": callbacks}


def _describe(value: Any) -> Any:
    """A setting as JSON can hold it: numbers, strings and lists as they are, anything else as its repr."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_describe(v) for v in value]
    return repr(value)


class _TestCurve:
    """A training callback: the test loss and accuracy after every epoch, and the time it took."""

    def __init__(self, X: np.ndarray | None, Y: np.ndarray | None, loss: str, classification: bool, bar: Any):
        self.X, self.Y, self.loss, self.classification, self.bar = X, Y, loss, classification, bar
        self.losses: list[float] = []
        self.accuracies: list[float] = []
        self.seconds = 0.0

    def measure(self, net: Network) -> None:
        start = time.perf_counter()
        if self.X is None:
            value, hit_rate = math.nan, math.nan
        else:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                result = evaluate(net, self.X, self.Y, loss=self.loss, classification=self.classification)
            value, hit_rate = result.loss, result.accuracy
        self.losses.append(value)
        self.accuracies.append(hit_rate)
        self.seconds += time.perf_counter() - start

    def __call__(self, log: EpochLog) -> None:
        self.measure(log.network)
        self.bar.update(1)


def _one_run(name: str, spec: Network | Builder, seed: int, X: Any, Y: Any, test: tuple | None,
             settings: dict[str, Any], loss: str, classification: bool, bar: Any) -> SeedRun:  # fmt: skip
    net = _build(name, spec, seed)
    X_test, Y_test = test if test is not None else (None, None)
    curve = _TestCurve(X_test, Y_test, loss, classification, bar)
    curve.measure(net)  # epoch 0: before training
    callbacks = [*settings.get("callbacks", ()), curve]
    bar.set_postfix_str(f"{name}, seed {seed}", refresh=False)
    start = time.perf_counter()
    result = train(net, X, Y, **{**settings, "callbacks": callbacks}, seed=seed, progress=False)
    seconds = time.perf_counter() - start - curve.seconds
    if result.interrupted:  # ag.train caught Ctrl-C and kept its best weights; a comparison stops whole
        raise KeyboardInterrupt
    epochs = result.best.epochs
    bar.update(settings.get("epochs", Trainer.epochs) - epochs)  # a run that stopped early
    final = _final(net, X, Y, test, loss, classification, seconds, epochs)
    return SeedRun(name, seed, Structure.of(net), result.history, curve.losses, curve.accuracies, final, seconds, net)


def _final(net: Network, X: Any, Y: Any, test: tuple | None, loss: str, classification: bool,
           seconds: float, epochs: int) -> dict[str, float]:  # fmt: skip
    """The final metrics of a trained network."""
    train_eval = evaluate(net, X, Y, loss=loss, classification=classification)
    final = {"train_loss": train_eval.loss, "train_accuracy": train_eval.accuracy,
             "test_loss": math.nan, "test_accuracy": math.nan,
             "seconds_per_epoch": seconds / epochs if epochs else math.nan}  # fmt: skip
    if test is not None:
        test_eval = evaluate(net, test[0], test[1], loss=loss, classification=classification)
        final.update(test_loss=test_eval.loss, test_accuracy=test_eval.accuracy)
    return final


def _finals_together(nets: list[Network], X: Any, Y: Any, test: tuple | None, loss: str,
                     classification: bool) -> list[dict[str, float]]:  # fmt: skip
    """The final metrics of trained networks, all evaluated at once (``evaluate_many``)."""
    on_train = evaluate_many(nets, X, Y, loss=loss, classification=classification)
    on_test = evaluate_many(nets, *test, loss=loss, classification=classification) if test is not None else None
    finals = []
    for i, e in enumerate(on_train):
        final = {"train_loss": e.loss, "train_accuracy": e.accuracy, "test_loss": math.nan, "test_accuracy": math.nan}
        if on_test is not None:
            final.update(test_loss=on_test[i].loss, test_accuracy=on_test[i].accuracy)
        finals.append(final)
    return finals


def _train_together(items: list[tuple[str, Network | Builder, int]], X: Any, Y: Any, test: tuple | None,
                    settings: dict[str, Any], loss: str, classification: bool, bar: Any = None) -> tuple:  # fmt: skip
    """One group of (name, spec, seed) built and trained at once, and their final metrics (runs wherever the
    group is sent: the networks are built there, in parallel when the groups are)."""
    nets = [_build(name, spec, seed) for name, spec, seed in items]
    seeds = [seed for _, _, seed in items]
    results = train_many(nets, X, Y, seeds=seeds, test_data=test, bar=bar, progress=False, **settings)
    if settings.get("validation_split") or settings.get("validation_data") is not None:
        return nets, results, _finals_together(nets, X, Y, test, loss, classification)
    # trained on all of X: the networks' final weights were scored on X (and the test data) at their best
    # epoch, with the loss and classification of these metrics; no pass again
    finals = []
    for result, curves in zip(results, results.test, strict=True):
        run, curve = result.best, curves[result.best_run] if test is not None else None
        e = run.best_epoch
        finals.append({"train_loss": run.history.loss[e], "train_accuracy": run.history.accuracy[e],
                       "test_loss": curve.loss[e] if curve else math.nan,
                       "test_accuracy": curve.accuracy[e] if curve else math.nan})  # fmt: skip
    return nets, results, finals


def _together(networks: Mapping[str, Network | Builder], seed_list: list[int], X: Any, Y: Any, test: tuple | None,
              settings: dict[str, Any], loss: str, classification: bool, bar: Any, group_size: int | None,
              n_jobs: int | None, client: Any) -> dict[str, list[SeedRun]]:  # fmt: skip
    """Every network and seed trained at once by :func:`~autograd_graph.train_many` (in groups, maybe elsewhere)."""
    plan = [(name, spec, seed) for seed in seed_list for name, spec in networks.items()]
    parts = groups(len(plan), group_size or len(plan))
    bar.set_postfix_str(f"{len(plan)} trainings at once" if len(parts) == 1 else f"{len(parts)} groups",
                        refresh=False)  # fmt: skip
    tasks = [([plan[i] for i in g], X, Y, test, settings, loss, classification) for g in parts]
    here = len(parts) == 1 and n_jobs in (None, 1) and client is None
    done: dict[int, tuple] = {}
    if here:  # one group, here: the bar counts its epochs as they go
        done[0] = _train_together(*tasks[0], bar=bar)
    else:
        for i, outcome in run_groups(_train_together, tasks, n_jobs=n_jobs, client=client):
            done[i] = outcome
            bar.update(len(parts[i]) * settings.get("epochs", Trainer.epochs))
    runs: dict[str, list[SeedRun]] = {name: [] for name in networks}
    for i, g in enumerate(parts):
        nets, results, finals = done[i]
        if any(r.interrupted for r in results):  # train_many kept the best weights; a comparison stops whole
            raise KeyboardInterrupt
        share = results.seconds / len(nets)  # the wall time is shared by the group's trainings
        for j, net, result, curves, final in zip(g, nets, results, results.test, finals, strict=True):
            name, _, seed = plan[j]
            epochs = result.best.epochs
            curve = curves[0] if test is not None else None
            losses = curve.loss if curve else [math.nan] * (epochs + 1)
            accuracies = curve.accuracy if curve else [math.nan] * (epochs + 1)
            final["seconds_per_epoch"] = share / epochs if epochs else math.nan
            runs[name].append(SeedRun(name, seed, Structure.of(net), result.history, losses, accuracies, final,
                                      share, net))  # fmt: skip
    for name in runs:  # seed order, whatever order the groups finished in
        runs[name].sort(key=lambda run: seed_list.index(run.seed))
    return runs


def _check_data(networks: dict[str, Network | Builder], X: Any, Y: Any, X_test: Any, Y_test: Any,
                seed: int) -> tuple[np.ndarray, np.ndarray, tuple | None]:  # fmt: skip
    """Build each network once for ``seed`` and check the data fits all of them."""
    if (X_test is None) != (Y_test is None):
        raise ComparisonError("give both X_test and Y_test, or neither")
    checked: list[np.ndarray] = []
    for name, spec in networks.items():
        net = _build(name, spec, seed)
        try:
            arrays = [as_batch(X, net.inputs, what="X"), targets(Y, net)]
            if X_test is not None:
                arrays += [as_batch(X_test, net.inputs, what="X_test"), targets(Y_test, net, what="Y_test")]
        except ShapeError as error:
            raise ComparisonError(f"network {name!r} does not fit the data: {error}") from None
        checked = checked or arrays
    X, Y, *test = checked
    return X, Y, (test[0], test[1]) if test else None


def compare(
    networks: Mapping[str, Network | Builder],
    X: Any,
    Y: Any,
    X_test: Any = None,
    Y_test: Any = None,
    *,
    seeds: int | Iterable[int] = 3,
    title: str = "comparison",
    progress: bool | None = None,
    together: bool = True,
    group_size: int | None = None,
    n_jobs: int | None = None,
    client: Any = None,
    per_network: Mapping[str, Mapping[str, Any]] | None = None,
    **settings: Any,
) -> Comparison:
    """Train several networks on the same data with the same settings over several seeds.

    For every seed, each network is copied and its weights redrawn
    (``net.copy()`` then ``net.initialize(seed)``), or a builder makes a new
    one (``builder(seed)``: a randomly wired network can then differ from
    seed to seed), and trained by :func:`~autograd_graph.train` with
    ``seed=seed`` and the same ``settings``. The networks given are not changed.

    Parameters
    ----------
    networks : mapping of str to Network or callable
        Names and networks, or builders ``seed -> Network``. All must take
        the same inputs and outputs.
    X, Y : array_like
        Training data, ``(n, n_inputs)`` and ``(n, n_outputs)``.
    X_test, Y_test : array_like, optional
        Held-out data: its loss (and accuracy) is recorded after every epoch,
        and never used to choose weights.
    seeds : int or iterable of int, default 3
        The seeds (an int ``k`` means ``0, 1, …, k−1``).
    title : str, default "comparison"
        What is compared, for the table and the report.
    progress : bool, optional
        A tqdm bar over all epochs of all runs; by default shown when standard error is a terminal.
    together : bool, default True
        Train all networks and seeds at once with :func:`~autograd_graph.train_many` (each gets
        exactly what ``ag.train`` gives it alone, many times faster); they then share the wall
        time, and ``seconds_per_epoch`` is that time divided among them. False trains them one
        after another, each timed alone.
    group_size : int, optional
        With ``together``: at most this many trainings per ``train_many`` call (default: all in one).
    n_jobs : int, optional
        With ``together``: run the groups on local processes (joblib); see :mod:`.parallel`.
    client : dask.distributed.Client, optional
        With ``together``: run the groups on a Dask cluster.
    per_network : dict of str to dict, optional
        Settings of some networks only, by name, over ``settings`` (their ``callbacks`` are added to
        the common ones): ``{"SET": {"callbacks": [ag.SET(0.3, every=50)]}}`` rewires only the network
        named ``"SET"``. Needs ``together=False``.
    **settings
        Passed to :func:`~autograd_graph.train` unchanged for every run:
        ``loss``, ``epochs``, ``batch_size``, ``optimizer``, ``learning_rate``,
        ``validation_split``, ``patience``, ``classification``, ``callbacks``…
        (not ``seed``, ``restarts`` or ``checkpoint``: the seeds are the restarts).

    Returns
    -------
    Comparison
        Per network: weights, neurons, depth, layered or not, final training
        and test loss and accuracy (mean ± std over seeds), time per epoch,
        learning curves.

    Raises
    ------
    ComparisonError
        No networks, a bad name or seed, a reserved setting, a builder that
        returns no network, data that does not fit a network.
    TrainingError, NonFiniteError
        From training, as :func:`~autograd_graph.train` raises them.

    Examples
    --------
    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> X = np.linspace(-1, 1, 21).reshape(-1, 1)
    >>> skip = ag.running_example()
    >>> skip.connect(1, 9)
    >>> result = ag.compare({"running example": ag.running_example(), "+ edge 1→9": skip},
    ...                     X, np.sin(3 * X), seeds=2, epochs=5, learning_rate=0.1)
    >>> [(row["network"], row["n_weights"], row["layered"]) for row in result.rows()]
    [('running example', 12, True), ('+ edge 1→9', 13, False)]
    >>> len(result.runs["+ edge 1→9"][1].history.loss)    # epochs 0 … 5
    6
    """
    if not isinstance(networks, Mapping) or not networks:
        raise ComparisonError("networks must be a non-empty dict of names to networks or builders")
    for name, spec in networks.items():
        if not isinstance(name, str) or not name:
            raise ComparisonError(f"network names must be non-empty strings, got {name!r}")
        if not (isinstance(spec, Network) or callable(spec)):
            raise ComparisonError(f"{name!r} must be a Network or a builder seed -> Network, got {type(spec).__name__}")
    seed_list = _seeds(seeds)
    settings = _settings(settings)
    own = _per_network(per_network, networks, together)
    loss = get_loss(settings.get("loss", Trainer.loss)).name
    classification = settings.get("classification")
    classification = loss in CLASSIFICATION_LOSSES if classification is None else bool(classification)
    settings["classification"] = classification
    X, Y, test = _check_data(dict(networks), X, Y, X_test, Y_test, seed_list[0])

    show = sys.stderr.isatty() if progress is None else bool(progress)
    total = len(networks) * len(seed_list) * settings.get("epochs", Trainer.epochs)
    runs: dict[str, list[SeedRun]] = {name: [] for name in networks}
    with tqdm(total=total, unit="epoch", desc="comparing", disable=not show) as bar:
        if together:
            runs = _together(
                networks, seed_list, X, Y, test, settings, loss, classification, bar, group_size, n_jobs, client
            )
        for seed in seed_list if not together else ():  # seed by seed: an interrupted comparison saw every network
            for name, spec in networks.items():
                mine = _merged(settings, own.get(name))
                runs[name].append(_one_run(name, spec, seed, X, Y, test, mine, loss, classification, bar))
    data = {"n_train": int(X.shape[0]), "n_test": 0 if test is None else int(test[0].shape[0]),
            "n_inputs": int(X.shape[1]), "n_outputs": int(Y.shape[1])}  # fmt: skip
    described = {key: _describe(value) for key, value in settings.items()}
    described["trained together"] = bool(together)
    for name, extra in own.items():
        described[f"settings of {name}"] = {key: _describe(value) for key, value in extra.items()}
    return Comparison(runs, seed_list, described, loss, classification, data, title)
