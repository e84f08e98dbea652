"""The benchmarks' one timing loop: jobs alternated A B C A B C so that a change in the machine's
load falls on all of them (a job may time a batch in this process or run a whole process)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import TypeVar

from negotiation.drivers.batch import run_rows

R = TypeVar("R")


def alternate(jobs: dict[str, Callable[[], R]], repeats: int, show: Callable[[str, R], str]) -> dict[str, list[R]]:
    """Call every job once in turn, ``repeats`` times over, printing ``show(name, result)`` after
    each call; return each job's results in call order."""
    results: dict[str, list[R]] = {name: [] for name in jobs}
    width = max(len(name) for name in jobs)
    for k in range(repeats):
        for name, job in jobs.items():
            results[name].append(job())
            print(f"  {name:>{width}}, run {k + 1}: {show(name, results[name][-1])}", flush=True)
    return results


def batch_job(loaded, draws: int, seed: int = 1) -> Callable[[], tuple[float, object]]:
    """A job that plays rows 0 .. draws-1 of ``seed`` on the batch driver in this process and
    returns (seconds, result); an untimed warm-up (imports, caches) runs when the job is made."""
    run_rows(loaded.structure, loaded.space, seed, 0, 500)

    def job():
        t = time.perf_counter()
        res = run_rows(loaded.structure, loaded.space, seed, 0, draws)
        return time.perf_counter() - t, res

    return job


def time_alternated(variants: dict, draws: int, repeats: int, seed: int = 1) -> tuple[dict, dict]:
    """Run each loaded scenario of ``variants`` on rows 0 .. draws-1 of ``seed``, ``repeats`` times
    in turn, printing each run's draws per second; return the median seconds and the last result
    of each variant."""
    jobs = {name: batch_job(loaded, draws, seed) for name, loaded in variants.items()}
    runs = alternate(jobs, repeats, lambda _, r: f"{draws / r[0]:9,.0f} draws/s")
    print(f"draws: {draws:,}, repeats: {repeats} each (alternated), one process")
    return {n: statistics.median(s for s, _ in r) for n, r in runs.items()}, {n: r[-1][1] for n, r in runs.items()}
