"""Executors: run a list of tasks in this process, in local worker processes or on a Dask
cluster, yielding each task with its result as it finishes; and a progress display.

Results never depend on the executor: every task is a pure function of its arguments (the draw
table fixes every random number), and callers put results in their place by task, not by order
of arrival.
"""

from __future__ import annotations

import concurrent.futures as cf
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator

from negotiation.errors import UserError


def serial(tasks: Iterable, call: Callable) -> Iterator:
    """Each task and ``call(task)``, one after the other in this process."""
    for task in tasks:
        yield task, call(task)


PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h): a signal for the child when its parent dies
WATCH_SECONDS = 0.5  # how often a worker's watcher thread looks for its parent


def die_with_parent(parent: int) -> None:
    """Make this worker process exit when its parent ``parent`` dies, even by SIGKILL (a worker
    pool's initializer). On Linux the kernel sends SIGKILL at the parent's death
    (``prctl(PR_SET_PDEATHSIG)``; it fires when the thread that started the worker ends, and
    the pool starts its workers from the thread that submits work). Everywhere, a daemon thread
    also exits the process once it has been handed to another parent (``os.getppid`` changes).
    Without this, orphaned workers keep their memory, and multiprocessing's resource tracker
    (which waits for every holder of its pipe) keeps running beside them."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - a libc without prctl: the thread remains
            pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def local(tasks: Iterable, call: Callable, workers: int) -> Iterator:
    """Each task and ``call(task)`` from ``workers`` spawned processes, as they finish (at most
    two tasks per worker in flight, so memory stays bounded). An error raised in a worker is
    raised here as it was raised there. Once the last result is yielded the workers exit in the
    background: the caller's work after the last task does not wait for them. The workers die
    with this process, however it ends (``die_with_parent``)."""
    ctx = multiprocessing.get_context("spawn")
    pool = cf.ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=die_with_parent, initargs=(os.getpid(),)
    )
    pending = {}
    try:
        it = iter(tasks)
        for task in it:
            pending[pool.submit(call, task)] = task
            if len(pending) >= 2 * workers:
                break
        while pending:
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                task = pending.pop(fut)
                yield task, fut.result()
                nxt = next(it, None)
                if nxt is not None:
                    pending[pool.submit(call, nxt)] = nxt
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def dask_client(address: str, timeout: float = 8.0):
    """Connect to a Dask scheduler, or fail with one clear line within ``timeout`` seconds."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise UserError("--scheduler needs dask.distributed: pip install 'negotiation-sim[dask]'") from None
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UserError(
            f"cannot reach the Dask scheduler at {address} within {timeout:g} s ({type(exc).__name__})"
        ) from None


def dask(tasks: Iterable, call: Callable, client) -> Iterator:
    """Each task and ``call(task)`` from a Dask cluster, as they finish."""
    from dask.distributed import as_completed

    futures = {client.submit(call, task, pure=False): task for task in tasks}
    for fut in as_completed(list(futures), loop=client.loop):
        yield futures[fut], fut.result()


def run(tasks: Iterable, call: Callable, workers: int = 1, client=None) -> Iterator:
    """Each task with ``call(task)``: on the Dask ``client`` if given, else in ``workers`` local
    processes (one: in this process)."""
    if client is not None:
        return dask(tasks, call, client)
    if workers > 1:
        return local(tasks, call, workers)
    return serial(tasks, call)


class Progress:
    """A tqdm bar on a terminal; plain periodic lines otherwise; silent when quiet."""

    def __init__(self, total: int, done: int = 0, quiet: bool = False, what: str = "sweep"):
        self.total, self.done, self.quiet, self.what = total, done, quiet, what
        self.bar = None
        self.last = time.monotonic()
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=done, unit="draw", unit_scale=True, file=sys.stderr)

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif not self.quiet and (time.monotonic() - self.last > 5 or self.done == self.total):
            self.last = time.monotonic()
            print(f"{self.what}: {self.done}/{self.total} draws ({100 * self.done / self.total:.0f}%)", file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
