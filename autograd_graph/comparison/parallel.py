"""Running groups of trainings: one after another, on local processes (joblib), or on a Dask cluster.

Studies split their trainings into *groups* (:func:`groups`), each trained
at once by :func:`~autograd_graph.train_many`. The groups depend only on
the plan and the group size, never on where they run, so a study gives the
same numbers, bit for bit, whether its groups run in this process, on
local processes, or on a cluster. :func:`run_groups` runs them and yields
each group's result as soon as it is done:

- ``client=`` a ``dask.distributed.Client``: one task per group
  (``client.submit``), results as they complete (``as_completed``); a
  worker that dies has its task run again elsewhere, as Dask does;
- ``n_jobs=`` (joblib): ``n_jobs`` local processes, or the workers of
  whatever joblib backend is active: ``with joblib.parallel_config(backend="dask"):``
  and ``n_jobs=-1`` run the groups on the Dask cluster of the current client;
- neither: one after another, here.

Examples
--------
>>> groups(10, 4)                                   # at most 4 per group, as even as possible
[range(0, 3), range(3, 7), range(7, 10)]
>>> sorted(run_groups(pow, [(2, 3), (3, 2)]))       # (index, result) as each finishes
[(0, 8), (1, 9)]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .._checks import whole_number
from ..exceptions import ComparisonError

__all__ = ["groups", "run_groups"]


def groups(n: int, size: int) -> list[range]:
    """Split ``range(n)`` into ``ceil(n / size)`` consecutive groups of nearly equal length."""
    size = whole_number("group_size", size, ComparisonError)
    count = max(1, math.ceil(n / size))
    bounds = [round(i * n / count) for i in range(count + 1)]
    return [range(lo, hi) for lo, hi in zip(bounds, bounds[1:], strict=False) if hi > lo]


def _indexed(index: int, function: Callable, args: tuple) -> tuple[int, Any]:
    return index, function(*args)


def run_groups(function: Callable, tasks: Sequence[tuple], *, n_jobs: int | None = None,
               client: Any = None) -> Iterator[tuple[int, Any]]:  # fmt: skip
    """Yield ``(i, function(*tasks[i]))`` for every task, each as soon as it is done (see the module notes).

    Parameters
    ----------
    function : callable
        A function of the module level (it is sent to other processes by pickling).
    tasks : sequence of tuples
        The arguments of each call.
    n_jobs : int, optional
        Processes through joblib (``-1``: one per core), of its active backend
        (``joblib.parallel_config``; loky's local processes by default). None or 1: here.
    client : dask.distributed.Client, optional
        Run the tasks on this Dask cluster instead.

    Raises
    ------
    ComparisonError
        Both ``n_jobs`` and ``client``, or joblib or dask missing.
    """
    if client is not None and n_jobs not in (None, 1):
        raise ComparisonError("give n_jobs= (local processes, or joblib's backend) or client= (Dask), not both")
    if client is not None:
        yield from _on_dask(function, tasks, client)
        return
    if n_jobs in (None, 1):
        for i, args in enumerate(tasks):
            yield i, function(*args)
        return
    try:
        import joblib
    except ImportError:  # pragma: no cover - joblib is a dependency
        raise ComparisonError("n_jobs needs joblib: pip install joblib") from None
    parallel = joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    yield from parallel(joblib.delayed(_indexed)(i, function, args) for i, args in enumerate(tasks))


def _on_dask(function: Callable, tasks: Sequence[tuple], client: Any) -> Iterator[tuple[int, Any]]:
    try:
        from distributed import as_completed
    except ImportError:
        raise ComparisonError("client= needs Dask: pip install 'autograd_graph[dask]'") from None
    futures = {client.submit(function, *args, pure=False): i for i, args in enumerate(tasks)}
    try:
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:
        for future in futures:
            future.cancel()
