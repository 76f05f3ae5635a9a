"""Sweeps: many networks × seeds, one result row each, written as they finish, resumable.

:func:`sweep` trains every network of a study (a grid of generator
parameters, or any named networks and builders) from every seed, with the
same settings, and gives one row per (network, seed): the network's
parameters, its :func:`~autograd_graph.graph_measures`, its structure, the
final metrics and the time. The trainings run in groups, each group at once
(:func:`~autograd_graph.train_many`), here, on local processes (``n_jobs``)
or on a Dask cluster (``client``); see :mod:`.parallel`.

With ``path=``, rows are appended to a JSON-lines file as each group
finishes (one ``write`` and an ``fsync`` per group; the first line
describes the sweep). Run the same sweep again with the same file and it
trains only what is missing: the groups are fixed by the plan, so the
resumed sweep's table is the one an uninterrupted run gives, bit for bit.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from ..exceptions import ComparisonError
from ..io.files import write_atomically
from ..losses import get_loss
from ..network import Network
from ..training import Trainer
from ..training.evaluation import CLASSIFICATION_LOSSES
from ..training.many import train_many
from .measures import graph_measures
from .parallel import groups, run_groups
from .run import _build, _check_data, _describe, _finals_together, _seeds, _settings
from .runs import Structure
from .stats import METRICS, nan_to_none
from .sweep_result import SweepResult
from .tasks import Task, load_task

__all__ = ["sweep", "grid", "GridBuilder", "FORMAT"]

FORMAT = "autograd_graph sweep 1"  # the first line of a sweep file says this (and which sweep it is)


class GridBuilder:
    """``builder(seed, **params)`` as a builder of one seed (picklable, so it runs on other processes)."""

    def __init__(self, builder: Callable[..., Network], params: dict[str, Any]) -> None:
        self.builder, self.params = builder, dict(params)

    def __call__(self, seed: int) -> Network:
        return self.builder(seed, **self.params)

    def __repr__(self) -> str:
        name = getattr(self.builder, "__name__", repr(self.builder))
        return f"{name}({', '.join(f'{k}={v!r}' for k, v in self.params.items())})"


def grid(builder: Callable[..., Network], **axes: Iterable[Any]) -> dict[str, tuple[GridBuilder, dict[str, Any]]]:
    """Networks of every combination of parameters: ``builder(seed, **params)``, named by the parameters.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> nets = grid(lambda seed, k, p: ag.random_dag(12, "watts_strogatz", k=k, p=p, seed=seed),
    ...             k=[2, 4], p=[0.0, 0.5])
    >>> list(nets)
    ['k=2, p=0.0', 'k=2, p=0.5', 'k=4, p=0.0', 'k=4, p=0.5']
    >>> nets["k=4, p=0.5"][1]
    {'k': 4, 'p': 0.5}
    """
    names = list(axes)
    combos: list[dict[str, Any]] = [{}]
    for name in names:
        combos = [{**combo, name: value} for combo in combos for value in list(axes[name])]
    return {", ".join(f"{k}={v}" for k, v in combo.items()): (GridBuilder(builder, combo), combo) for combo in combos}


def _plan(networks: Any) -> list[tuple[str, Network | Callable, dict[str, Any]]]:
    """``(name, network or builder, parameters)`` of every network of a sweep."""
    if isinstance(networks, Mapping):
        items = list(networks.items())
    elif isinstance(networks, Sequence) and not isinstance(networks, str):
        items = [(getattr(spec, "__name__", None) or f"network {i}", spec) for i, spec in enumerate(networks)]
    else:
        raise ComparisonError("networks must be a dict of names to networks or builders, a list of them, or ag.grid()")
    if not items:
        raise ComparisonError("a sweep needs at least one network")
    plan = []
    for name, spec in items:
        params: dict[str, Any] = {}
        if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], Mapping):
            spec, params = spec[0], dict(spec[1])
        if not isinstance(name, str) or not name:
            raise ComparisonError(f"network names must be non-empty strings, got {name!r}")
        if not (isinstance(spec, Network) or callable(spec)):
            raise ComparisonError(f"{name!r} must be a Network or a builder seed -> Network, got {type(spec).__name__}")
        taken = {"network", "seed", "error", "epochs", "seconds", *METRICS}
        if taken & set(params):
            raise ComparisonError(f"{name!r}: parameter names {sorted(taken & set(params))} are columns of the rows")
        plan.append((name, spec, params))
    if len({name for name, _, _ in plan}) < len(plan):
        raise ComparisonError("network names must differ from each other")
    return plan


def _flat(measures: dict[str, Any]) -> dict[str, Any]:
    """Graph measures as row columns: ``fan_in`` becomes ``fan_in_mean`` and so on, ``width`` ``widths``."""
    row: dict[str, Any] = {}
    for key, value in measures.items():
        if key == "width":
            row["widths"] = value
        elif isinstance(value, dict):
            row.update({f"{key}_{k}": v for k, v in value.items()})
        else:
            row[key] = value
    return row


def _train_group(items: list[tuple], data: tuple, settings: dict[str, Any], loss: str, classification: bool,
                 measures: dict[str, Any] | None, errors: str) -> list[dict[str, Any]]:  # fmt: skip
    """Train one group of (name, spec, params, seed) at once; their rows. Runs wherever the group is sent."""
    X, Y, test = data
    nets = [_build(name, spec, seed) for name, spec, _, seed in items]
    described = [(Structure.of(net), _flat(graph_measures(net, **measures)) if measures is not None else {})
                 for net in nets]  # fmt: skip
    results = train_many(nets, X, Y, seeds=[seed for *_, seed in items], errors=errors, progress=False, **settings)
    finals = _finals_together(nets, X, Y, test, loss, classification)
    share = results.seconds / len(nets)
    rows = []
    for (name, _, params, seed), (structure, measured), result, final, error in zip(
        items, described, results, finals, results.errors, strict=True
    ):
        epochs = result.best.epochs
        rows.append({"network": name, "seed": seed, **vars(structure), **measured, **params, **final,
                     "epochs": epochs, "best_epoch": result.best.best_epoch, "stop_reason": result.best.stop_reason,
                     "seconds": share, "seconds_per_epoch": share / epochs if epochs else math.nan,
                     "error": None if error is None else str(error)})  # fmt: skip
    return rows


def _fingerprint(*arrays: Any) -> str:
    digest = hashlib.sha256()
    for array in arrays:
        if array is not None:
            array = np.ascontiguousarray(array, dtype=np.float64)
            digest.update(str(array.shape).encode())
            digest.update(array.tobytes())
    return digest.hexdigest()[:16]


def _read(path: Path, header: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows already in a sweep file (a cut-off last line is dropped from the file)."""
    text = path.read_bytes()
    lines = text.split(b"\n")
    try:
        first = json.loads(lines[0])
    except ValueError:
        first = None
    if not isinstance(first, dict) or first.get("format") != FORMAT:
        raise ComparisonError(f"{path} is not a sweep file (its first line should say {FORMAT!r})")
    if first.get("key") != header["key"]:
        raise ComparisonError(
            f"{path} holds another sweep (other networks, seeds, settings or data); give another path, "
            f"or resume=False to start it again"
        )
    rows, good = [], len(lines[0]) + 1
    for line in lines[1:]:
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except ValueError:
            break  # the last line of an interrupted write
        good += len(line) + 1
    if good < len(text):
        with open(path, "r+b") as file:  # drop the cut-off line, so that rows are appended after whole ones
            file.truncate(min(good, len(text)))
    return rows


def _append(path: Path, rows: list[dict[str, Any]]) -> None:
    """Append rows to the sweep file in one write, and make sure they are on disk."""
    data = "".join(json.dumps(nan_to_none(row), ensure_ascii=False) + "\n" for row in rows).encode("utf-8")
    with open(path, "ab") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def sweep(
    networks: Any,
    X: Any = None,
    Y: Any = None,
    X_test: Any = None,
    Y_test: Any = None,
    *,
    task: str | Task | None = None,
    seeds: int | Iterable[int] = 3,
    path: str | os.PathLike | None = None,
    resume: bool = True,
    n_jobs: int | None = None,
    client: Any = None,
    group_size: int = 32,
    measures: dict[str, Any] | bool = True,
    errors: str = "keep",
    title: str = "sweep",
    progress: bool | None = None,
    **settings: Any,
) -> SweepResult:
    """Train every network from every seed; one row per (network, seed), appended to ``path`` as groups finish.

    Parameters
    ----------
    networks : dict, list or :func:`grid`
        Names to networks (each seed: a copy with weights redrawn from the seed), builders
        ``seed -> Network``, or ``(network or builder, parameters)`` pairs whose parameters become
        columns; a list of them (named by ``__name__``); or :func:`grid`.
    X, Y, X_test, Y_test : array_like, optional
        The data (or ``task``).
    task : str or Task, optional
        A built-in task (:func:`~autograd_graph.load_task`): its data, loss and settings, which
        ``settings`` override.
    seeds : int or iterable of int, default 3
    path : path, optional
        The JSON-lines file of rows; an existing one of the same sweep is resumed.
    resume : bool, default True
        False starts the file again.
    n_jobs : int, optional
        Train groups on local processes with joblib (or its active backend; see :mod:`.parallel`).
    client : dask.distributed.Client, optional
        Train groups on a Dask cluster.
    group_size : int, default 32
        Trainings per group (trained at once by :func:`~autograd_graph.train_many`). Groups depend
        only on the plan and this size, so every way of running gives the same numbers.
    measures : bool or dict, default True
        Compute :func:`~autograd_graph.graph_measures` (a dict: its options) of each network.
    errors : {"keep", "raise"}, default "keep"
        A training that goes non-finite gives a row with its ``error`` (and the metrics of its
        best weights), or stops the sweep.
    title : str
    progress : bool, optional
        A bar over the rows; by default shown when standard error is a terminal.
    **settings
        Training settings, as for :func:`~autograd_graph.compare`.

    Returns
    -------
    SweepResult

    Examples
    --------
    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> X = np.linspace(-1, 1, 16).reshape(-1, 1)
    >>> nets = ag.grid(lambda seed, width: ag.layered([1, width, 1], activation="tanh", seed=seed), width=[2, 8])
    >>> result = ag.sweep(nets, X, np.sin(3 * X), seeds=2, epochs=60, optimizer="adam", learning_rate=0.05,
    ...                   batch_size=4)
    >>> [(row["network"], row["seed"], row["width"], row["n_weights"]) for row in result.rows]
    [('width=2', 0, 2, 7), ('width=2', 1, 2, 7), ('width=8', 0, 8, 25), ('width=8', 1, 8, 25)]
    >>> result.best()["network"]
    'width=8'
    """
    plan = _plan(networks)
    seed_list = _seeds(seeds)
    if task is not None:
        task = load_task(task) if isinstance(task, str) else task
        if X is not None:
            raise ComparisonError("give a task or data (X, Y, ...), not both")
        X, Y, X_test, Y_test = task.X, task.Y, task.X_test, task.Y_test
        settings = {**task.settings, "loss": task.loss, **settings}
    if X is None or Y is None:
        raise ComparisonError("a sweep needs data: X and Y, or task=")
    if errors not in ("keep", "raise"):
        raise ComparisonError(f"errors must be 'keep' or 'raise', got {errors!r}")
    settings = _settings(settings)
    loss = get_loss(settings.get("loss", Trainer.loss)).name
    classification = settings.get("classification")
    classification = loss in CLASSIFICATION_LOSSES if classification is None else bool(classification)
    settings["classification"] = classification
    X, Y, test = _check_data({name: spec for name, spec, _ in plan}, X, Y, X_test, Y_test, seed_list[0])
    options = {} if measures is True else (None if measures is False else dict(measures))
    items = [(name, spec, params, seed) for name, spec, params in plan for seed in seed_list]
    described = {key: _describe(value) for key, value in settings.items()}
    header = {"format": FORMAT, "title": title, "seeds": seed_list, "loss": loss, "classification": classification,
              "settings": described, "group_size": group_size, "networks": [name for name, _, _ in plan],
              "data": {"n_train": int(X.shape[0]), "n_test": 0 if test is None else int(test[0].shape[0]),
                       "n_inputs": int(X.shape[1]), "n_outputs": int(Y.shape[1])}}  # fmt: skip
    header["key"] = hashlib.sha256(json.dumps(
        [header, repr([params for _, _, params in plan]), options, _fingerprint(X, Y, *(test or ()))],
        sort_keys=True, default=repr).encode()).hexdigest()[:16]  # fmt: skip
    done: dict[tuple[str, int], dict[str, Any]] = {}
    file = None if path is None else Path(path)
    if file is not None:
        if resume and file.exists():
            done = {(row["network"], row["seed"]): row for row in _read(file, header)}
        else:
            write_atomically(file, json.dumps(header, ensure_ascii=False, default=repr) + "\n")
    parts = groups(len(items), group_size)
    pending = [g for g in parts if any((items[i][0], items[i][3]) not in done for i in g)]
    data = (X, Y, test)
    tasks = [([items[i] for i in g], data, settings, loss, classification, options, errors) for g in pending]
    show = sys.stderr.isatty() if progress is None else bool(progress)
    with tqdm(total=len(items), initial=len(done), unit="training", desc=title, disable=not show) as bar:
        for _, rows in run_groups(_train_group, tasks, n_jobs=n_jobs, client=client):
            new = [row for row in rows if (row["network"], row["seed"]) not in done]
            if file is not None and new:
                _append(file, new)
            done.update({(row["network"], row["seed"]): row for row in new})
            bar.update(len(new))
    ordered = [done[name, seed] for name, _, _, seed in items]
    return SweepResult(ordered, header)
