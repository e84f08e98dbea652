"""Time scenario variants on the batch driver in one process, alternated A B C A B C so that a
change in the machine's load falls on all of them (shared by the benchmarks)."""

from __future__ import annotations

import statistics
import time

from negotiation.drivers.batch import run_rows


def time_alternated(variants: dict, draws: int, repeats: int, seed: int = 1) -> tuple[dict, dict]:
    """Run each loaded scenario of ``variants`` on rows 0 .. draws-1 of ``seed``, ``repeats`` times
    in turn after an untimed warm-up, printing each run's draws per second; return the median
    seconds and the last result of each variant."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    results = {}
    for loaded in variants.values():  # warm-up (imports, caches), not timed
        run_rows(loaded.structure, loaded.space, seed, 0, 500)
    width = max(len(name) for name in variants)
    for k in range(repeats):
        for name, loaded in variants.items():
            t = time.perf_counter()
            results[name] = run_rows(loaded.structure, loaded.space, seed, 0, draws)
            times[name].append(time.perf_counter() - t)
            print(f"{name:>{width}}, run {k + 1}: {draws / times[name][-1]:9,.0f} draws/s", flush=True)
    print(f"draws: {draws:,}, repeats: {repeats} each (alternated), one process")
    return {name: statistics.median(t) for name, t in times.items()}, results
