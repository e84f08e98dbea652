"""The benchmarks' one timing loop: jobs alternated A B C A B C so that a change in the machine's
load falls on all of them (a job may time a batch in this process or run a whole process)."""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np

R = TypeVar("R")
CHUNK = 10_000  # rows per run_rows call, as a sweep plays them (negotiation/experiments/sweep.py: chunk_rows)


def play_rows(st, space, seed: int, draws: int):
    """Play rows 0 .. draws-1 of ``seed`` on the batch driver in chunks of ``CHUNK`` rows, as a sweep
    does (one call of many more rows runs slower per row: its arrays outgrow the caches), and
    return the chunks' results joined. Imports the driver when called, from whichever tree
    ``negotiation`` is."""
    from negotiation.drivers.batch import run_rows

    parts = [run_rows(st, space, seed, s, min(CHUNK, draws - s)) for s in range(0, draws, CHUNK)]
    return parts[0] if len(parts) == 1 else joined(parts)


def joined(parts: list):
    """One batch result of the results of consecutive chunks (arrays and dicts of arrays end to end)."""

    def join(values):
        if values[0] is None:
            return None
        if isinstance(values[0], dict):
            return {k: join([v[k] for v in values]) for k in values[0]}
        return np.concatenate(values)

    fields = dataclasses.fields(parts[0])
    return type(parts[0])(**{f.name: join([getattr(p, f.name) for p in parts]) for f in fields})


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
    """A job that plays rows 0 .. draws-1 of ``seed`` on the batch driver in this process
    (``play_rows``) and returns (seconds, result); an untimed warm-up (imports, caches) runs when
    the job is made."""
    play_rows(loaded.structure, loaded.space, seed, 500)

    def job():
        t = time.perf_counter()
        res = play_rows(loaded.structure, loaded.space, seed, draws)
        return time.perf_counter() - t, res

    return job


def time_alternated(variants: dict, draws: int, repeats: int, seed: int = 1) -> tuple[dict, dict]:
    """Run each loaded scenario of ``variants`` on rows 0 .. draws-1 of ``seed``, ``repeats`` times
    in turn, printing each run's draws per second; return the median seconds and the last result
    of each variant."""
    jobs = {name: batch_job(loaded, draws, seed) for name, loaded in variants.items()}
    runs = alternate(jobs, repeats, lambda _, r: f"{draws / r[0]:9,.0f} draws/s")
    print(f"draws: {draws:,} in chunks of {CHUNK:,}, repeats: {repeats} each (alternated), one process")
    return {n: statistics.median(s for s, _ in r) for n, r in runs.items()}, {n: r[-1][1] for n, r in runs.items()}
