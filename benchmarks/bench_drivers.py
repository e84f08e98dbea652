"""Speed and memory of the two drivers on the flagship scenario (a benchmark, not a test).

    python benchmarks/bench_drivers.py            # full: 10^6-draw sweeps, about two minutes
    python benchmarks/bench_drivers.py --quick    # 10^5 draws

Prints: batch driver negotiations per second on one core, Mesa driver negotiations per second,
their ratio, peak memory (max RSS) of a 10^6-draw sweep, and the speed-up of two local workers
over one. Each timing is the median of several repeats; the machine's noise is around 5-10%.
Targets (issue 3): batch >= 50,000/s/core, >= 100x Mesa, 10^6 draws within 1 GiB, 2 workers >= 1.7x.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "nafta_2017.yaml"


def batch_rate(loaded, rows: int, repeats: int) -> float:
    from negotiation.drivers.batch import run_rows

    run_rows(loaded.structure, loaded.space, 1, 0, 1000)  # warm up
    times = []
    for k in range(repeats):
        t = time.perf_counter()
        run_rows(loaded.structure, loaded.space, 1, k * rows, rows)
        times.append(time.perf_counter() - t)
    return rows / statistics.median(times)


def mesa_rate(loaded, n: int, repeats: int) -> float:
    from negotiation.drivers.model import NegotiationModel

    times = []
    for k in range(repeats):
        t = time.perf_counter()
        for i in range(n):
            NegotiationModel(loaded, seed=1, draw=k * n + i).run()
        times.append(time.perf_counter() - t)
    return n / statistics.median(times)


def sweep(draws: int, workers: int, out: Path) -> tuple[float, int]:
    """Wall time and peak RSS (KiB, the largest process) of a `negotiate sweep` subprocess."""
    t = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "negotiation",
            "sweep",
            str(CONFIG),
            "--draws",
            str(draws),
            "--seed",
            "1",
            "--workers",
            str(workers),
            "--out",
            str(out),
            "--quiet",
            "--json",
            "--no-report",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - t
    del proc
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="10^5 draws instead of 10^6")
    args = ap.parse_args()
    draws = 100_000 if args.quick else 1_000_000

    from negotiation.scenario.loader import load_scenario

    loaded = load_scenario(CONFIG)
    b = batch_rate(loaded, 10_000, 5)
    m = mesa_rate(loaded, 100, 3)
    print(f"batch driver, one core : {b:12,.0f} negotiations/s  (median of 5 chunks of 10,000)")
    print(f"Mesa driver            : {m:12,.1f} negotiations/s  (median of 3 x 100)")
    print(f"ratio                  : {b / m:12,.0f} x")
    with tempfile.TemporaryDirectory() as tmp:
        w1, rss1 = sweep(draws, 1, Path(tmp) / "w1")
        print(
            f"sweep {draws:,} draws, 1 worker : {w1:7.1f} s wall, {draws / w1:10,.0f} draws/s, "
            f"peak RSS {rss1 / 1024:7.1f} MiB"
        )
        w2, rss2 = sweep(draws, 2, Path(tmp) / "w2")
        w1_bytes = (Path(tmp) / "w1" / "outcomes.parquet").read_bytes()
        same = w1_bytes == (Path(tmp) / "w2" / "outcomes.parquet").read_bytes()
        print(
            f"sweep {draws:,} draws, 2 workers: {w2:7.1f} s wall, {draws / w2:10,.0f} draws/s, "
            f"peak RSS (largest process so far) {rss2 / 1024:7.1f} MiB"
        )
        print(f"two workers over one   : {w1 / w2:12.2f} x   outcomes.parquet identical: {same}")


if __name__ == "__main__":
    main()
