"""The compiled engine's worker threads: big stages split into parts that run at once.

The sparse kernels (:mod:`.kernels`, cut by :mod:`.partition`) and the
activations of big stages split their work into parts with disjoint outputs
(ranges of source rows and of edges, rows of a stage). The parts are fixed
when the network is compiled and run the same operations in the same order
on one thread or on several: the numbers do not depend on the number of
threads, bit for bit. The loops they call (scipy's compiled sparse products,
numpy's ufuncs and gathers) release the GIL, so the parts of one pass run on
several cores.

A part runs in the calling thread, the others in a shared pool of
``get_threads() − 1`` workers; work smaller than :data:`MIN_PARALLEL_WORK`
(multiply-adds, about 0.3 ms on one core) runs in the calling thread only,
since a hand-over costs tens of microseconds: waking a worker took 51–74 µs
(median) in the passes of 10^5 and 10^6 edges on the benchmark machine, a
2-vCPU KVM guest, and the calling thread is woken again at the end.
(:mod:`.pull`'s sweeps hand over once a pass, not once a stage.)

Examples
--------
>>> with using_threads(1):
...     get_threads()
1
>>> out = [0, 0]
>>> run([lambda: out.__setitem__(0, 1), lambda: out.__setitem__(1, 2)])
>>> out
[1, 2]
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from .._checks import whole_number
from ..exceptions import InvalidThreadsError

__all__ = ["get_threads", "set_threads", "using_threads", "run", "start", "parallel", "PARTS", "MIN_PARALLEL_WORK"]

# Multiply-adds (edges × batch, or elements) from which a kernel call is split among the threads (2^16
# before: at 10^5 edges two threads then took 1.9× one thread's time, the same with 2^18).
MIN_PARALLEL_WORK = 1 << 18
# How many parts a big sparse block is cut into when it is compiled (the threads share them out;
# at least 2, so that the split is exercised on any machine, at most 8).
PARTS = max(2, min(8, os.cpu_count() or 1))


def _default() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


_lock = threading.Lock()
_threads = _default()
_pool: ThreadPoolExecutor | None = None


def get_threads() -> int:
    """How many threads a pass uses (the calling thread included); by default, the cores this process may run on."""
    return _threads


def set_threads(n: int | None) -> None:
    """Use ``n`` threads per pass (1: only the calling thread; None: the default, every core available).

    Raises
    ------
    InvalidThreadsError
        If ``n`` is not a whole number ≥ 1.
    """
    global _threads, _pool
    n = _default() if n is None else whole_number("threads", n, InvalidThreadsError, minimum=1)
    with _lock:
        if n != _threads and _pool is not None:
            _pool.shutdown(wait=False)
            _pool = None
        _threads = n


@contextmanager
def using_threads(n: int | None) -> Iterator[None]:
    """``set_threads(n)`` inside a ``with`` block, the previous setting after it."""
    before = _threads
    set_threads(n)
    try:
        yield
    finally:
        set_threads(before)


def _workers() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=_threads - 1, thread_name_prefix="autograd_graph")
        return _pool


def parallel(work: int) -> bool:
    """Whether work of this size (multiply-adds) is worth splitting among the threads."""
    return _threads > 1 and work >= MIN_PARALLEL_WORK


def run(tasks: Sequence[Callable[[], None]]) -> None:
    """Run every task, the first in the calling thread and the others in the pool, and wait for all.

    Tasks must write disjoint outputs. The first exception raised by a task is raised here, after
    every task has ended.
    """
    if _threads == 1 or len(tasks) < 2:
        for task in tasks:
            task()
        return
    futures = [_workers().submit(task) for task in tasks[1:]]
    error: BaseException | None = None
    try:
        tasks[0]()
    except BaseException as exc:  # noqa: BLE001 - re-raised below, once the other tasks are done
        error = exc
    for future in futures:
        try:
            future.result()
        except BaseException as exc:  # noqa: BLE001
            error = error or exc
    if error is not None:
        raise error


def start(tasks: Sequence[Callable[[], None]]) -> None:
    """Start each task on the pool and return at once: the caller learns of their end by other means (the tasks
    of :meth:`.pull.PullPlan.sweep` end with the work they share with the calling thread)."""
    if tasks:
        pool = _workers()
        for task in tasks:
            pool.submit(task)
