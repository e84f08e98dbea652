"""What `bench_all.py` runs in a fresh process: one timed batch of the flagship, or the first
calls of a process (compile or cache-load time). Prints one line of JSON.

    python benchmarks/probe.py rate CONFIG --draws 50000     # seconds for rows 0 .. draws-1, seed 1
    python benchmarks/probe.py first CONFIG --draws 1000     # import, load, first and second call

It imports ``negotiation`` from wherever ``PYTHONPATH`` (else the installed project) points, and
uses only ``load_scenario`` and ``run_rows``, so it also times an older tree of the project.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import json
import sys
import time

import numpy as np

SEED = 1
WARM_UP = 500  # rows played untimed before a timed batch (imports, caches, compilation)


def digest(res) -> str:
    """A short hash of a batch's outcomes, rounds, end days and utilities (to 1e-9): equal digests,
    equal results, whatever the arrays' dtypes."""
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["rate", "first"])
    ap.add_argument("config")
    ap.add_argument("--draws", type=int, required=True)
    args = ap.parse_args()
    t0 = time.perf_counter()
    import negotiation.strategies

    from negotiation.drivers.batch import run_rows
    from negotiation.scenario.loader import load_scenario

    t1 = time.perf_counter()
    loaded = load_scenario(args.config)
    st, space = loaded.structure, loaded.space
    t2 = time.perf_counter()
    out = {"package": negotiation.__file__, "strategies": negotiation.strategies.__file__}
    if args.mode == "rate":
        run_rows(st, space, SEED, 0, WARM_UP)
        t = time.perf_counter()
        res = run_rows(st, space, SEED, 0, args.draws)
        out |= {"seconds": time.perf_counter() - t, "digest": digest(res)}
    else:
        seconds = []
        for start in (0, args.draws):  # the first call, then a later one on other rows
            t = time.perf_counter()
            run_rows(st, space, SEED, start, args.draws)
            seconds.append(time.perf_counter() - t)
        out |= {"import": t1 - t0, "load": t2 - t1, "first": seconds[0], "second": seconds[1]}
        out |= {"numba": numba_version(), "numba_used": "numba" in sys.modules}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
