"""Cost of conditioning on a history: a flagship sweep with and without ``--given`` (a benchmark,
not a test).

    python benchmarks/bench_given.py                 # 10^6 draws, A B A B, a few minutes
    python benchmarks/bench_given.py --draws 100000 --repeats 3

Each run is ``negotiate sweep configs/nafta_2017.yaml --draws N --seed 1 --quiet --no-report``
in its own process, without (A) and with (B) ``--given tests/data/history_nafta_2017-11-30.yaml``,
alternated A B A B so that a change in the machine's load falls on both. Prints each run's wall
time and peak memory (max RSS of that process, from ``os.wait4``), the medians and the ratio B/A.
Targets: with --given at most 1.3x the time without, peak memory under 1 GiB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "nafta_2017.yaml"
HISTORY = ROOT / "tests" / "data" / "history_nafta_2017-11-30.yaml"
GIB = 1024**3


def one_run(draws: int, given: bool, out: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one sweep in a fresh process."""
    cmd = [sys.executable, "-m", "negotiation", "sweep", str(CONFIG), "--draws", str(draws), "--seed", "1"]
    cmd += ["--quiet", "--no-report", "--out", str(out)]
    if given:
        cmd += ["--given", str(HISTORY)]
    with tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS
        seconds = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.read().decode()[-500:]}")
    return seconds, usage.ru_maxrss * 1024  # kilobytes on Linux


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=2, help="runs of each, alternated")
    args = ap.parse_args()
    runs: dict[str, list[tuple[float, int]]] = {"without": [], "with": []}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeats):
            for name in ("without", "with"):
                out = Path(tmp) / f"{name}{k}"
                seconds, rss = one_run(args.draws, name == "with", out)
                runs[name].append((seconds, rss))
                print(f"{name:>7} --given, run {k + 1}: {seconds:7.1f} s, peak RSS {rss / 2**20:7.0f} MiB", flush=True)
    med = {n: statistics.median(s for s, _ in r) for n, r in runs.items()}
    peak = {n: max(m for _, m in r) for n, r in runs.items()}
    ratio = med["with"] / med["without"]
    print(f"draws: {args.draws:,}, repeats: {args.repeats} each (alternated)")
    for n in runs:
        print(f"median {n:>7} --given: {med[n]:7.1f} s; peak RSS {peak[n] / 2**20:.0f} MiB")
    print(f"ratio with/without: {ratio:.3f} (target <= 1.3): {'ok' if ratio <= 1.3 else 'MISSED'}")
    worst = max(peak.values())
    print(f"peak memory: {worst / 2**20:.0f} MiB (target < 1024 MiB): {'ok' if worst < GIB else 'MISSED'}")


if __name__ == "__main__":
    main()
