"""What `bench_all.py` runs in a fresh process: one timed batch of the flagship, the first calls of
a process (compile or cache-load time), or another command whose peak memory it measures. Prints
one line of JSON.

    python benchmarks/probe.py rate CONFIG --draws 50000     # seconds for rows 0 .. draws-1, seed 1,
                                                             # in chunks as a sweep plays them
    python benchmarks/probe.py first CONFIG --draws 1000     # import, load, first and second call
    python benchmarks/probe.py peak CMD ...                  # wall seconds and peak RSS of CMD

``rate`` and ``first`` import ``negotiation`` from wherever ``PYTHONPATH`` (else the installed
project) points, and use only ``load_scenario`` and ``run_rows``, so they also time an older tree
of the project. ``peak`` imports nothing heavy: on Linux a process's peak RSS starts at the peak
of the process that started it (it is carried over ``exec``), so a command started by a large
process reports that process's peak; started from this small one, it reports its own.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import time

SEED = 1
WARM_UP = 500  # rows played untimed before a timed batch (imports, caches, compilation)


def digest(res) -> str:
    """A short hash of a batch's outcomes, rounds, end days and utilities (to 1e-9): equal digests,
    equal results, whatever the arrays' dtypes."""
    import numpy as np

    h = hashlib.sha256()
    for a in (res.outcome, res.rounds, res.end_day):
        h.update(np.asarray(a, dtype=np.int64).tobytes())
    h.update(np.round(np.asarray(res.utilities, dtype=np.float64), 9).tobytes())
    return h.hexdigest()[:16]


def numba_version() -> str | None:
    """numba's version if it can be imported here (without importing it), else None."""
    if importlib.util.find_spec("numba") is None:
        return None
    return importlib.metadata.version("numba")


def peak(cmd: list[str]) -> dict:
    """Run ``cmd`` (its output discarded, its errors passed on): wall seconds, exit code and peak
    RSS in bytes, the largest of the process and of the children it waited for."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "returncode": os.waitstatus_to_exitcode(status), "peak": usage.ru_maxrss * 1024}


def play(mode: str, config: str, draws: int) -> dict:
    """Time the flagship in this process: one batch (``rate``) or the process's first calls (``first``)."""
    t0 = time.perf_counter()
    import negotiation.strategies

    from negotiation.drivers.batch import run_rows
    from negotiation.scenario.loader import load_scenario

    t1 = time.perf_counter()
    loaded = load_scenario(config)
    st, space = loaded.structure, loaded.space
    t2 = time.perf_counter()
    out = {"package": negotiation.__file__, "strategies": negotiation.strategies.__file__}
    if mode == "rate":
        from alternate import play_rows

        run_rows(st, space, SEED, 0, WARM_UP)
        t = time.perf_counter()
        res = play_rows(st, space, SEED, draws)
        return out | {"seconds": time.perf_counter() - t, "digest": digest(res)}
    seconds = []
    for start in (0, draws):  # the first call, then a later one on other rows
        t = time.perf_counter()
        run_rows(st, space, SEED, start, draws)
        seconds.append(time.perf_counter() - t)
    out |= {"import": t1 - t0, "load": t2 - t1, "first": seconds[0], "second": seconds[1]}
    return out | {"numba": numba_version(), "numba_used": "numba" in sys.modules}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    for mode in ("rate", "first"):
        p = sub.add_parser(mode)
        p.add_argument("config")
        p.add_argument("--draws", type=int, required=True)
    sub.add_parser("peak").add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    out = peak(args.cmd) if args.mode == "peak" else play(args.mode, args.config, args.draws)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
