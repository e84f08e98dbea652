"""Every speed and memory figure of the project in one run (a benchmark, not a test).

    python benchmarks/bench_all.py --quick        # two or three minutes: small batches, 10^5-draw sweeps
    python benchmarks/bench_all.py                # about twenty minutes on 2 cores: 10^6-draw sweeps
    python benchmarks/bench_all.py --only kernel,twin --baseline main

Sections (``--only`` picks some, in this order):

- compile: the first ``run_rows`` call of a fresh process with an empty numba cache, and of a
  second process that finds the cache filled ("not compiled" when numba is not installed or the
  kernel does not use it);
- kernel: the flagship's batch throughput on one core, this tree against the tree of
  ``--baseline`` (default: main before step 11), each in its own process on the same rows and
  seed, alternated; whether both give the same results;
- drivers: the Mesa driver and the batch/Mesa ratio; the flagship under private information,
  and with learning parties (``bench_information.py``), in one process, alternated;
- sweeps: ``negotiate sweep`` of the flagship with one and two workers, and with ``--given``
  (a history): wall time, peak memory (max RSS), speed-up, byte-identical outcomes;
- twin: this project and NegMAS on one twin scenario (``twin.yaml``, ``twin.py``): negotiations
  per second, agreement rates, the ratio (needs ``pip install -e '.[bench]'``).

Prints each run as it goes, then the date, the machine and a table of medians with the targets
of issues 3, 12, 13 and 15. Other work on the machine moves every figure (by up to 2x on a shared
2-core machine) and less the ratios of alternated runs: quote those.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.metadata
import io
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from alternate import CHUNK, alternate, batch_job
from bench_information import scenarios as information_modes
from twin import NEGMAS_STEPS, instances, load_twin, negmas_session

from negotiation.drivers.model import NegotiationModel

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FLAGSHIP = Path("configs") / "nafta_2017.yaml"  # in this tree and in the baseline's
HISTORY = ROOT / "tests" / "data" / "history_nafta_2017-11-30.yaml"
BASELINE = "bd8baab"  # main before step 11: "today's batch kernel" of issue 15
SEED = 1
GIB = 2**30
ONE_CORE = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class Sizes:
    """How much each section runs."""

    first_rows: int  # rows of the first and second call (compile)
    kernel_draws: int  # rows per process (kernel)
    kernel_repeats: int
    batch_draws: int  # rows per batch (drivers)
    mesa_runs: int  # Mesa negotiations per run (drivers)
    repeats: int  # runs of each job (drivers)
    sweep_draws: int
    sweep_repeats: int
    twin_draws: int  # this project's rows (twin)
    twin_sessions: int  # NegMAS sessions, the first rows of the same draws (twin)
    twin_repeats: int


QUICK = Sizes(1000, 10_000, 3, 5_000, 50, 2, 100_000, 1, 10_000, 10, 2)
FULL = Sizes(1000, 50_000, 5, 20_000, 200, 3, 1_000_000, 2, 50_000, 100, 3)


@dataclass
class Row:
    """One line of the final table; ``met`` is None where there is no target."""

    measure: str
    figure: str
    detail: str = ""
    target: str = ""
    met: bool | None = None


@dataclass
class Context:
    """What the sections share: options, sizes, a scratch folder, the environment of child processes."""

    baseline: str
    sizes: Sizes
    tmp: Path
    env: dict


def spread(slow: list[float], fast: list[float], digits: int = 2) -> str:
    """The lowest and highest ratio slow/fast of seconds over the alternated pairs of runs."""
    ratios = [s / f for s, f in zip(slow, fast, strict=True)]
    if len(ratios) == 1:
        return "one pair of runs"
    return f"{min(ratios):,.{digits}f}-{max(ratios):,.{digits}f} over {len(ratios)} alternated pairs"


def mib(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:,.0f} MiB"


# --- child processes -------------------------------------------------------------------------


class ProbeError(RuntimeError):
    """A probe process failed, or imported another tree than the one it was meant to time."""


def probe(ctx: Context, mode: str, tree: Path, draws: int, pythonpath: Path | None = None) -> dict:
    """Run ``probe.py`` in a fresh process on ``tree``'s flagship and return its JSON."""
    env = ctx.env | ({"PYTHONPATH": str(pythonpath)} if pythonpath else {})
    cmd = [sys.executable, str(HERE / "probe.py"), mode, str(tree / FLAGSHIP), "--draws", str(draws)]
    proc = subprocess.run(cmd, env=env, cwd=ctx.tmp, capture_output=True, text=True)
    if proc.returncode:
        raise ProbeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-1500:]}")
    out = json.loads(proc.stdout.splitlines()[-1])
    expected = pythonpath or ROOT
    for name in ("package", "strategies"):
        if not Path(out[name]).resolve().is_relative_to(expected.resolve()):
            raise ProbeError(f"the probe imported {out[name]}, not the tree at {expected}")
    return out


def baseline_tree(ref: str, dest: Path) -> tuple[Path, str] | str:
    """Extract the package of ``ref`` (negotiation/, agents/, configs/) into ``dest``, laid out as
    installed, and return (its folder, the short commit); or why it cannot be had."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", f"{ref}^{{commit}}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        tar = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "negotiation", "agents", "configs"],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        reason = getattr(exc, "stderr", None) or str(exc)
        return f"{ref}: {reason.decode() if isinstance(reason, bytes) else reason}".strip()
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        archive.extractall(dest, filter="data")
    # as pyproject.toml installs them: agents/ is negotiation.strategies, configs/ negotiation.configs
    for package, folder in (("strategies", "agents"), ("configs", "configs")):
        link = dest / "negotiation" / package
        if not link.exists():
            link.symlink_to(f"../{folder}", target_is_directory=True)
    return dest, commit


def sweep_run(ctx: Context, draws: int, workers: int, given: bool, out: Path) -> tuple[float, int, str]:
    """One ``negotiate sweep`` of the flagship in a fresh process, started by ``probe.py peak`` so
    that its peak memory is its own and not this process's: wall seconds, peak RSS in bytes (the
    largest of the process and its workers) and a hash of its outcomes.parquet (the run folder is
    then removed)."""
    cmd = [sys.executable, "-m", "negotiation", "sweep", str(ROOT / FLAGSHIP), "--draws", str(draws)]
    cmd += ["--seed", str(SEED), "--workers", str(workers), "--out", str(out), "--quiet", "--no-report"]
    if given:
        cmd += ["--given", str(HISTORY)]
    proc = subprocess.run(
        [sys.executable, str(HERE / "probe.py"), "peak", *cmd], cwd=ROOT, env=ctx.env, capture_output=True, text=True
    )
    run = json.loads(proc.stdout.splitlines()[-1]) if proc.returncode == 0 else {"returncode": proc.returncode}
    if run["returncode"]:
        raise SystemExit(f"{' '.join(cmd)} failed ({run['returncode']}): {proc.stderr[-1500:]}")
    parquet = hashlib.sha256((out / "outcomes.parquet").read_bytes()).hexdigest()
    shutil.rmtree(out)
    return run["seconds"], run["peak"], parquet


# --- sections ---------------------------------------------------------------------------------


def compile_time(ctx: Context) -> list[Row]:
    """First call of a fresh process, empty numba cache, then a second process with it filled."""
    n = ctx.sizes.first_rows
    print(f"compile: two fresh processes, {n:,} rows a call, numba cache {ctx.env['NUMBA_CACHE_DIR']}", flush=True)
    cold = probe(ctx, "first", ROOT, n)
    warm = probe(ctx, "first", ROOT, n)
    for name, r in (("empty cache", cold), ("cache filled", warm)):
        print(
            f"  {name}: import {r['import']:.2f} s, load {r['load']:.2f} s, first call {r['first']:.2f} s, "
            f"second call {r['second']:.2f} s",
            flush=True,
        )
    start = {name: r["import"] + r["first"] for name, r in (("cold", cold), ("warm", warm))}
    detail = (
        f"import + first call of {n:,} rows: {start['cold']:.2f} s with an empty cache, {start['warm']:.2f} s "
        f"with it filled; a later call {warm['second']:.2f} s"
    )
    if cold["numba"] is None:
        figure = "not compiled"
        detail = f"numba is not installed; {detail}"
    elif not cold["numba_used"]:
        figure = "not compiled"
        detail = f"numba {cold['numba']} is installed, the kernel does not use it; {detail}"
    else:
        figure = f"{start['cold'] - start['warm']:.1f} s"
        detail = f"numba {cold['numba']}; {detail}"
    return [Row("first call's compile time (fresh process)", figure, detail)]


def kernel(ctx: Context) -> list[Row]:
    """The flagship's batch throughput, this tree against the baseline's, in alternated processes."""
    draws, repeats = ctx.sizes.kernel_draws, ctx.sizes.kernel_repeats
    probe(ctx, "rate", ROOT, 100)  # untimed: fills the numba cache if the compile section did not
    jobs = {"this tree": lambda: probe(ctx, "rate", ROOT, draws)}
    base = baseline_tree(ctx.baseline, ctx.tmp / "baseline")
    if not isinstance(base, str):
        base_root, commit = base
        base_name = f"{ctx.baseline} ({commit})" if not commit.startswith(ctx.baseline) else ctx.baseline
        try:
            probe(ctx, "rate", base_root, 100, pythonpath=base_root)  # untimed: can this tree be timed?
            jobs[base_name] = lambda: probe(ctx, "rate", base_root, draws, pythonpath=base_root)
        except ProbeError as exc:
            base = f"{base_name} does not run the probe: {str(exc).splitlines()[-1]}"
    if isinstance(base, str):
        print(f"kernel: baseline unavailable ({base}); timing this tree alone", flush=True)
    print(
        f"kernel: flagship, {draws:,} rows of seed {SEED} per process in chunks of {CHUNK:,}, one core, alternated",
        flush=True,
    )
    runs = alternate(jobs, repeats, lambda _, r: f"{draws / r['seconds']:9,.0f} draws/s  ({r['digest']})")
    rate = {name: draws / statistics.median(r["seconds"] for r in rs) for name, rs in runs.items()}
    here = rate["this tree"]
    rows = [
        Row(
            "flagship, batch driver, one core",
            f"{here:,.0f} negotiations/s",
            f"median of {repeats} processes of {draws:,} rows, in chunks of {CHUNK:,} as a sweep plays them",
            ">= 50,000 (issue 3)",
            here >= 50_000,
        )
    ]
    if isinstance(base, str):
        return rows + [Row("this tree / today's kernel", "skipped", base, ">= 5 x (issue 15)")]
    same = {r["digest"] for rs in runs.values() for r in rs}
    configs_same = (ROOT / FLAGSHIP).read_bytes() == (base_root / FLAGSHIP).read_bytes()
    results = "same results" if len(same) == 1 else "results differ"
    if not configs_same:
        results += "; the flagship configs differ"
    ratio = here / rate[base_name]
    rows.append(Row(f"the same at {base_name} (before step 11)", f"{rate[base_name]:,.0f} negotiations/s", results))
    rows.append(
        Row(
            "this tree / today's kernel",
            f"{ratio:.2f} x",
            spread([r["seconds"] for r in runs[base_name]], [r["seconds"] for r in runs["this tree"]]),
            ">= 5 x (issue 15)",
            ratio >= 5,
        )
    )
    return rows


def drivers(ctx: Context) -> list[Row]:
    """Mesa driver, and the flagship under complete and private information, in one process."""
    draws, n_mesa, repeats = ctx.sizes.batch_draws, ctx.sizes.mesa_runs, ctx.sizes.repeats
    modes = information_modes()
    jobs = {name: batch_job(loaded, draws, SEED) for name, loaded in modes.items()}

    def mesa():
        t = time.perf_counter()
        for i in range(n_mesa):
            NegotiationModel(modes["complete"], seed=SEED, draw=i).run()
        return time.perf_counter() - t, None

    jobs["Mesa"] = mesa
    count = {name: n_mesa if name == "Mesa" else draws for name in jobs}
    print(
        f"drivers: batches of {draws:,} rows (chunks of {CHUNK:,}), Mesa runs of {n_mesa}, one process, alternated",
        flush=True,
    )
    runs = alternate(jobs, repeats, lambda name, r: f"{count[name] / r[0]:9,.1f} negotiations/s")
    rate = {name: count[name] / statistics.median(s for s, _ in rs) for name, rs in runs.items()}
    complete = rate["complete"]
    learning_time = complete / rate["learning"]
    return [
        Row(
            "Mesa driver",
            f"{rate['Mesa']:,.1f} negotiations/s",
            f"median of {repeats} x {n_mesa} negotiations",
        ),
        Row(
            "batch / Mesa",
            f"{complete / rate['Mesa']:,.0f} x",
            f"batch {complete:,.0f}/s in the same process (median of {repeats} x {draws:,} rows)",
            ">= 100 x (issue 3)",
            complete / rate["Mesa"] >= 100,
        ),
        Row(
            "private information",
            f"{rate['private']:,.0f} negotiations/s",
            f"time x{complete / rate['private']:.2f} of complete information",
        ),
        Row(
            "private, learning parties",
            f"{rate['learning']:,.0f} negotiations/s",
            f"time x{learning_time:.2f} of complete information",
            "time <= 2 x complete (issue 13)",
            learning_time <= 2,
        ),
    ]


def sweeps(ctx: Context) -> list[Row]:
    """``negotiate sweep`` with one and two workers, and with ``--given``, alternated."""
    draws, repeats = ctx.sizes.sweep_draws, ctx.sizes.sweep_repeats
    folders = (ctx.tmp / f"sweep{k}" for k in itertools.count())

    def job(workers: int, given: bool):
        return lambda: sweep_run(ctx, draws, workers, given, next(folders))

    jobs = {"1 worker": job(1, False), "2 workers": job(2, False), "1 worker, --given": job(1, True)}
    print(f"sweeps: negotiate sweep of {draws:,} draws, seed {SEED}, one process each, alternated", flush=True)
    runs = alternate(jobs, repeats, lambda _, r: f"{r[0]:7.1f} s, {draws / r[0]:9,.0f} draws/s, peak RSS {mib(r[1])}")
    seconds = {name: [r[0] for r in rs] for name, rs in runs.items()}
    wall = {name: statistics.median(s) for name, s in seconds.items()}
    peak = {name: max(r[1] for r in rs) for name, rs in runs.items()}
    identical = len({r[2] for name in ("1 worker", "2 workers") for r in runs[name]}) == 1
    speedup = wall["1 worker"] / wall["2 workers"]
    given = wall["1 worker, --given"] / wall["1 worker"]
    size = f"10^{len(str(draws)) - 1}" if str(draws).strip("0") == "1" else f"{draws:,}"
    return [
        Row(
            f"sweep of {size} draws, 1 worker",
            f"{draws / wall['1 worker']:,.0f} draws/s",
            f"{wall['1 worker']:.1f} s wall (median of {repeats}), outcomes.parquet and summary included",
        ),
        Row(
            f"peak memory of {size} draws",
            mib(peak["1 worker"]),
            f"max RSS of the sweep's process; with 2 workers {mib(peak['2 workers'])} (largest process)",
            "<= 1 GiB",
            peak["1 worker"] <= GIB,
        ),
        Row(
            "2 workers / 1 worker",
            f"{speedup:.2f} x",
            f"{wall['2 workers']:.1f} s wall; {spread(seconds['1 worker'], seconds['2 workers'])}; "
            f"outcomes.parquet byte-identical: {'yes' if identical else 'NO'}",
            ">= 1.8 x at 10^6 draws (issue 15)",
            speedup >= 1.8 if draws >= 10**6 else None,
        ),
        Row(
            "history-conditioned sweep (--given)",
            f"{draws / wall['1 worker, --given']:,.0f} draws/s",
            f"time x{given:.2f} of the sweep without ({spread(seconds['1 worker, --given'], seconds['1 worker'])}); "
            f"peak {mib(peak['1 worker, --given'])}",
            "time <= 1.3 x, peak < 1 GiB (issue 12)",
            given <= 1.3 and peak["1 worker, --given"] < GIB,
        ),
    ]


def twin(ctx: Context) -> list[Row]:
    """This project and NegMAS on the twin scenario, from the same draws, alternated."""
    try:
        negmas_version = importlib.metadata.version("negmas")
    except importlib.metadata.PackageNotFoundError:
        print("twin: NegMAS is not installed (pip install -e '.[bench]'); skipped", flush=True)
        return [Row("NegMAS twin", "skipped", "NegMAS is not installed: pip install -e '.[bench]'", ">= 5,000 x")]
    command = Path(sys.executable).with_name("negotiate")
    if command.is_file() and "negmas" in command.read_text(errors="replace"):
        print(
            f"note: {command} is NegMAS's command, not this project's; "
            "pip install --no-deps --force-reinstall -e . restores it",
            flush=True,
        )
    draws, n_neg, repeats = ctx.sizes.twin_draws, ctx.sizes.twin_sessions, ctx.sizes.twin_repeats
    loaded = load_twin()
    deal = loaded.structure.outcomes.index("deal")
    sessions = instances(loaded, SEED, n_neg)

    def negmas():
        t = time.perf_counter()
        agreed, steps = [], []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for inst in sessions:
                session = negmas_session(loaded, inst)
                session.run()
                agreed.append(session.agreement is not None)
                steps.append(session.state.step)
        return time.perf_counter() - t, (np.array(agreed), np.array(steps))

    jobs = {"this project": batch_job(loaded, draws, SEED), f"NegMAS {negmas_version}": negmas}
    count = {"this project": draws, f"NegMAS {negmas_version}": n_neg}
    print(
        f"twin: this project on {draws:,} rows, NegMAS on the first {n_neg} of them "
        f"(SAO, {NEGMAS_STEPS} steps of one offer), one process, alternated",
        flush=True,
    )
    runs = alternate(jobs, repeats, lambda name, r: f"{count[name] / r[0]:9,.1f} negotiations/s")
    ours, theirs = runs["this project"], runs[f"NegMAS {negmas_version}"]
    rate_ours = draws / statistics.median(s for s, _ in ours)
    rate_theirs = n_neg / statistics.median(s for s, _ in theirs)
    res = ours[-1][1]
    agreed = res.outcome == deal
    theirs_agreed, steps = theirs[-1][1]
    ratio = rate_ours / rate_theirs
    return [
        Row(
            "twin, this project (34 rounds of 3 offers)",
            f"{rate_ours:,.0f} negotiations/s",
            f"agreements {agreed.mean():.3f} of {draws:,} ({agreed[:n_neg].mean():.2f} of the first {n_neg}); "
            f"mean rounds {res.rounds.mean():.1f}",
        ),
        Row(
            f"twin, NegMAS {negmas_version} (SAO, {NEGMAS_STEPS} offers)",
            f"{rate_theirs:,.1f} negotiations/s",
            f"agreements {theirs_agreed.mean():.2f} of {n_neg}; mean steps {steps.mean():.1f}; "
            "building each session included",
        ),
        Row(
            "this project / NegMAS",
            f"{ratio:,.0f} x",
            f"same draws; {spread([s / n_neg for s, _ in theirs], [s / draws for s, _ in ours], digits=0)}",
            ">= 5,000 x (issue 15)",
            ratio >= 5000,
        ),
    ]


SECTIONS: dict[str, Callable[[Context], list[Row]]] = {
    "compile": compile_time,
    "kernel": kernel,
    "drivers": drivers,
    "sweeps": sweeps,
    "twin": twin,
}


# --- report -----------------------------------------------------------------------------------


def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine() -> list[str]:
    """The date, the machine and the software, as lines."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    branch = subprocess.run([*git, "branch", "--show-current"], capture_output=True, text=True).stdout.strip()
    status = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True)
    dirty = " with uncommitted changes" if status.stdout.strip() else ""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"machine: {cpu}, {os.cpu_count()} cores ({usable} usable), {platform.system()} {platform.release()}; "
        f"load average {load} at the start",
        f"software: Python {platform.python_version()}, numpy {np.__version__}, numba {version('numba')}, "
        f"Mesa {version('mesa')}, NegMAS {version('negmas')}",
        f"tree: {branch or 'detached'} at {head or 'unknown'}{dirty}",
    ]


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = ["| measure | figure | detail | target |", "|---|---|---|---|"]
    for r in rows:
        mark = "" if r.met is None else (" (met)" if r.met else " (NOT MET)")
        lines.append(f"| {r.measure} | {r.figure} | {r.detail} | {r.target}{mark} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small batches and 10^5-draw sweeps")
    ap.add_argument("--only", default=",".join(SECTIONS), help=f"sections to run, of {','.join(SECTIONS)}")
    ap.add_argument("--baseline", default=BASELINE, help=f"git ref of today's kernel [default: {BASELINE}]")
    args = ap.parse_args()
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        ap.error(f"unknown sections {unknown}: choose from {','.join(SECTIONS)}")
    head = machine()
    print("\n".join(head), flush=True)
    started = time.perf_counter()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench_all-") as tmp:
        env = os.environ | ONE_CORE | {"NUMBA_CACHE_DIR": str(Path(tmp) / "numba-cache")}
        ctx = Context(args.baseline, QUICK if args.quick else FULL, Path(tmp), env)
        for name, section in SECTIONS.items():
            if name in chosen:
                rows += section(ctx)
    minutes = (time.perf_counter() - started) / 60
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print()
    print("\n".join(head))
    kind = "--quick" if args.quick else "full"
    print(f"run: {kind}, sections {','.join(chosen)}, {minutes:.1f} minutes; load average {load} at the end")
    print(table(rows))


if __name__ == "__main__":
    main()
