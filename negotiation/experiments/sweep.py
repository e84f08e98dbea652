"""Sweeps: chunks of draw rows per point, run by an executor (this process, local workers or a
Dask cluster). ``simulate_table`` keeps the rows in memory; ``sweep`` writes a run folder in which
each finished chunk is a part file (temporary name, then renamed), so a killed sweep loses at
most the chunks in flight and ``resume`` finishes the rest. While the chunks run, ``Join``
appends each part, in chunk order, to ``outcomes.parquet`` and counts its rows, so that once the
last chunk is in only ``summary.json`` (odds, Sobol indices, conditions) is left to write.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from negotiation.drivers.batch import run_inputs
from negotiation.errors import UserError
from negotiation.experiments import executors
from negotiation.experiments.designs import expand, sobol_ranges
from negotiation.experiments.executors import Progress
from negotiation.experiments.history import History, fact_columns, matched_summary, no_match_error
from negotiation.experiments.results import chunk_table
from negotiation.experiments.statistics import odds_block, outcome_block
from negotiation.kernel.codes import path_names
from negotiation.kernel.draws import DrawLayout, build_inputs, draw_values, stack_draws
from negotiation.runfolder import RunFolder, json_text
from negotiation.scenario.loader import Loaded, load_scenario_text
from negotiation.scenario.schema import SweepSpec
from negotiation.strategies.registry import import_modules, outside_modules

PARTS = "parts"
ROW_GROUP = 50_000  # rows per row group of outcomes.parquet
CONDITION_ROWS = 50_000  # rows, spread over the sweep, from which the conditions are found
BYTES_PER_ROW = 12_000  # measured order of magnitude of a running chunk's arrays per negotiation
MAX_DRAWS = 10_000_000  # draws per point at most when --min-matched asks for more


@dataclass(frozen=True)
class Chunk:
    """Global draws ``start .. start+count-1`` (draw = point * draws_per_point + row): a chunk may
    span several points when each point has few draws."""

    start: int
    count: int

    @property
    def name(self) -> str:
        return f"d{self.start:012d}.arrow"


def chunk_rows(requested: int | None, memory_mib: int, width: int = 0) -> int:
    """Rows per chunk: the requested number, capped so a chunk fits the memory budget
    (``width``: uniforms per draw row, which scenarios with long calendars make large)."""
    per_row = BYTES_PER_ROW + 16 * width
    cap = max(10, memory_mib * 2**20 // (2 * per_row))
    return max(1, min(requested or 10_000, cap))


def plan_chunks(n_points: int, n_draws: int, rows: int) -> list[Chunk]:
    """Every chunk of a sweep, in order of the global draw index."""
    total = n_points * n_draws
    return [Chunk(s, min(rows, total - s)) for s in range(0, total, rows)]


# --- running one chunk (in any process) -------------------------------------------------------

_CACHE: dict[str, Loaded] = {}


def _loaded(config_text: str) -> Loaded:
    key = str(hash(config_text))
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = load_scenario_text(config_text, "config.yaml")
    return _CACHE[key]


def run_chunk(
    config_text: str, points: list[dict], seed: int, n_draws: int, chunk: Chunk, modules: tuple = ()
) -> pa.Table:
    """Play one chunk and return its rows as an Arrow table. Each point's rows use the same
    draw-table rows; the point's parameters are fixed in its space, so rows of several points
    run together in one batch. ``modules``: strategy modules from outside the package that a
    worker process imports first (``strategies.registry.outside_modules``)."""
    import_modules(modules)
    loaded = _loaded(config_text)
    st = loaded.structure
    draw = np.arange(chunk.start, chunk.start + chunk.count, dtype=np.int64)
    values, parts = [], []
    first = chunk.start
    while first < chunk.start + chunk.count:
        point, row = divmod(first, n_draws)
        n = min(n_draws - row, chunk.start + chunk.count - first)
        params = points[point]
        space = loaded.space.with_values(params) if params else loaded.space
        v, d = draw_values(st, space, seed, row, n)
        values.append(v)
        parts.append(d)
        first += n
    m = np.concatenate(values)
    res = run_inputs(st, build_inputs(st, loaded.space, m), stack_draws(parts))
    res.values = m
    swept = sorted({k for p in points for k in p})
    return chunk_table(st, loaded.scenario.issues, loaded.space, res, draw, n_draws, swept)


def run_and_write(
    config_text: str, points: list[dict], seed: int, n_draws: int, folder: Path, modules: tuple, chunk: Chunk
) -> None:
    """Play one chunk and write its part file (for workers that share the run folder's disk)."""
    _write_part(folder, chunk, run_chunk(config_text, points, seed, n_draws, chunk, modules))


def _write_part(folder: Path, chunk: Chunk, table: pa.Table) -> None:
    parts = folder / PARTS
    tmp = parts / f".{chunk.name}.tmp"
    with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, parts / chunk.name)


def _read_part(path: Path) -> pa.Table:
    with pa.memory_map(str(path), "r") as source:
        return pa.ipc.open_file(source).read_all()


# --- running chunks -----------------------------------------------------------------------------


def worker_modules(loaded: Loaded, workers: int, client=None) -> tuple:
    """The strategy modules that worker processes must import for this scenario (none in-process);
    a UserError before any work if a strategy cannot reach a worker."""
    if workers <= 1 and client is None:
        return ()
    st = loaded.structure
    names = [n for n in st.strategies if n] + [s["base"] for s in st.strategy_strings if "base" in s]
    return tuple(outside_modules(names))


def run_sweep(
    folder: Path,
    config_text: str,
    points: list[dict],
    seed: int,
    n_draws: int,
    rows: int,
    workers: int = 1,
    client=None,
    quiet: bool = False,
    on_chunk: Callable | None = None,
    modules: tuple = (),
    join: Join | None = None,
) -> None:
    """Run every chunk not yet on disk in ``folder/parts``; ``join.add`` each chunk once its part
    is on disk (those found there first), and ``on_chunk(chunk)`` each chunk run."""
    parts = folder / PARTS
    parts.mkdir(exist_ok=True)
    chunks = plan_chunks(len(points), n_draws, rows)
    have = {p.name for p in parts.glob("*.arrow")}
    todo = [c for c in chunks if c.name not in have]
    if join is not None:
        for chunk in chunks:
            if chunk.name in have:
                join.add(chunk)
    progress = Progress(len(points) * n_draws, sum(c.count for c in chunks if c.name in have), quiet)
    if client is None and workers > 1:  # local workers write their own parts; the main process only counts
        call = partial(run_and_write, config_text, points, seed, n_draws, folder, modules)
    else:  # a cluster's workers may not share this disk: they return tables
        call = partial(run_chunk, config_text, points, seed, n_draws, modules=modules)
    try:
        for chunk, table in executors.run(todo, call, workers, client):
            if table is not None:
                _write_part(folder, chunk, table)
            if join is not None:
                join.add(chunk, table)
            progress.update(chunk.count)
            if on_chunk is not None:
                on_chunk(chunk)
    finally:
        progress.close()


def simulate_table(
    loaded: Loaded,
    points: list[dict],
    seed: int,
    n_draws: int,
    workers: int = 1,
    client=None,
    rows: int = 10_000,
    quiet: bool = True,
) -> pa.Table:
    """Every draw of every point as one Arrow table in memory (the rows and columns of
    ``outcomes.parquet``), with no run folder."""
    modules = worker_modules(loaded, workers, client)
    chunks = plan_chunks(len(points), n_draws, rows)
    call = partial(run_chunk, loaded.resolved_yaml(), points, seed, n_draws, modules=modules)
    progress = Progress(len(points) * n_draws, 0, quiet, "simulate")
    tables = {}
    try:
        for chunk, table in executors.run(chunks, call, workers, client):
            tables[chunk.start] = table
            progress.update(chunk.count)
    finally:
        progress.close()
    return pa.concat_tables([tables[c.start] for c in chunks])


class Join:
    """``outcomes.parquet`` and the summary's counts, made while a sweep runs: each chunk whose
    part is on disk is appended in chunk order (a chunk that finishes before those ahead of it
    waits on disk, so memory holds at most a row group and a chunk), its rows counted (``Tally``,
    ``BeliefErrors``) and every ``step``-th row of the sweep kept for the conditions (the rows
    ``discovery.spread_rows`` would read from the finished file). Row groups hold ``ROW_GROUP``
    rows whatever the chunk size, so the file's bytes depend only on the rows, not on the
    workers, the arrival order of chunks or a resumption. Use as a context manager: leaving it
    on an error removes the unfinished file."""

    def __init__(self, folder: Path, st, chunks: list[Chunk], n_points: int, sample_rows: int = CONDITION_ROWS):
        self.folder, self.chunks = folder, chunks
        self.next = 0  # index of the next chunk to append
        self.waiting: set[int] = set()  # starts of chunks on disk, not yet appended
        self.tally = Tally(st, n_points)
        self.errors = BeliefErrors(st)
        self.step = max(1, -(-sum(c.count for c in chunks) // sample_rows))
        self.sample: list[pa.Table] = []
        self.tmp = folder / ".outcomes.parquet.tmp"
        self.writer: pq.ParquetWriter | None = None
        self.pending: list[pa.Table] = []
        self.held = 0

    def __enter__(self) -> Join:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None and self.writer is not None:
            with contextlib.suppress(OSError):  # a full disk must not hide the original error
                self.writer.close()
            self.tmp.unlink(missing_ok=True)

    def add(self, chunk: Chunk, table: pa.Table | None = None) -> None:
        """Chunk ``chunk``'s part is on disk (``table``: its rows, when this process holds them):
        append it, and every waiting chunk that follows it, if its turn has come."""
        if self.next == len(self.chunks) or chunk.start != self.chunks[self.next].start:
            self.waiting.add(chunk.start)
            return
        self._append(chunk, table if table is not None else _read_part(self.folder / PARTS / chunk.name))
        while self.next < len(self.chunks) and self.chunks[self.next].start in self.waiting:
            chunk = self.chunks[self.next]
            self.waiting.discard(chunk.start)
            self._append(chunk, _read_part(self.folder / PARTS / chunk.name))

    def _append(self, chunk: Chunk, table: pa.Table) -> None:
        if self.writer is None:
            strings = [f.name for f in table.schema if pa.types.is_string(f.type)]
            self.writer = pq.ParquetWriter(self.tmp, table.schema, use_dictionary=strings, compression="snappy")
        self.pending.append(table)
        self.held += table.num_rows
        if self.next < len(self.chunks) - 1:  # the last chunk's rows are for `close`
            self._write(ROW_GROUP)
        self.tally.add(table)
        self.errors.add(table)
        names = ["outcome", *(n for n in table.column_names if n.startswith("param."))]
        rows = np.arange((-chunk.start) % self.step, table.num_rows, self.step)
        self.sample.append(table.select(names).take(pa.array(rows)))
        self.next += 1

    def _write(self, at_least: int) -> None:
        """Write row groups of ``ROW_GROUP`` rows while ``at_least`` rows are held."""
        while self.held and self.held >= at_least:
            joined = pa.concat_tables(self.pending)
            n = min(ROW_GROUP, self.held)
            self.writer.write_table(joined.slice(0, n), row_group_size=n)
            self.pending, self.held = [joined.slice(n)], self.held - n

    def counts(self) -> tuple[Tally, BeliefErrors, pa.Table]:
        """Once every chunk is in: the counts, and the rows kept for the conditions."""
        self._check_complete()
        return self.tally, self.errors, pa.concat_tables(self.sample)

    def close(self) -> None:
        """Once every chunk is in: write the last row groups and put ``outcomes.parquet`` in
        place (the work left after the last chunk; it may run beside other work, as pyarrow
        writes without holding the interpreter lock)."""
        self._check_complete()
        self._write(1)
        self.writer.close()
        os.replace(self.tmp, self.folder / "outcomes.parquet")

    def _check_complete(self) -> None:
        if self.next < len(self.chunks):
            missing = self.chunks[self.next].name
            raise RuntimeError(f"{self.folder / PARTS}: {missing} is missing; cannot finish outcomes.parquet")


class Tally:
    """What a sweep's summary counts, gathered chunk by chunk from the rows of
    ``outcomes.parquet``: per sweep point the draws of each outcome class and of each path
    (``kernel.codes.path_names``), and under ``closing: chapters`` the draws that ended with each
    chapter closed, and the chapters closed and reopened in all."""

    def __init__(self, st, n_points: int):
        self.st = st
        self.paths = path_names(st.outcomes, [bool(a) for a in st.accession])
        self.outcome = np.zeros((n_points, len(st.outcomes)), dtype=np.int64)
        self.path = np.zeros((n_points, len(self.paths)), dtype=np.int64)
        self.chapters = st.closing == "chapters"
        self.closed = np.zeros(st.n_issues, dtype=np.int64)
        self.reopened = 0

    def add(self, table: pa.Table) -> None:
        """Count the rows of ``table`` (rows of an older version without a ``path`` column count
        their outcome class as their path; rows of an unknown class are left out)."""
        point = table.column("point").to_numpy().astype(np.int64)
        codes = _codes(table.column("outcome"), self.st.outcomes)
        ok = codes >= 0
        np.add.at(self.outcome, (point[ok], codes[ok]), 1)
        col = table.column("path") if "path" in table.column_names else table.column("outcome")
        codes = _codes(col, self.paths)
        ok = codes >= 0
        np.add.at(self.path, (point[ok], codes[ok]), 1)
        if not self.chapters:
            return
        for i, issue in enumerate(self.st.issues):
            name = f"chapter.{issue}"
            if name in table.column_names:
                self.closed[i] += table.num_rows - table.column(name).null_count
        if "reopened" in table.column_names:
            self.reopened += int(pc.sum(table.column("reopened").cast(pa.int64())).as_py() or 0)

    def summary(self, points: list[dict]) -> dict:
        """The summary's counts: ``n_draws``, ``outcomes`` and ``paths`` overall and per point
        (``{name: {p, ci95, n}}``, every name, zero or not) and, under chapter closing,
        ``chapters``: per issue the share of draws whose chapter was closed at the end, and the
        mean chapters closed and reopenings per draw."""
        st = self.st
        total = self.outcome.sum(axis=0)
        n = int(total.sum())
        out = {
            "n_draws": n,
            "outcomes": outcome_block(st, total),
            "paths": odds_block(self.paths, self.path.sum(axis=0), n),
            "points": [
                {
                    "params": points[k] if k < len(points) else {},
                    "n_draws": int(self.outcome[k].sum()),
                    "outcomes": outcome_block(st, self.outcome[k]),
                    "paths": odds_block(self.paths, self.path[k], int(self.outcome[k].sum())),
                }
                for k in range(self.outcome.shape[0])
            ],
        }
        if self.chapters:
            out["chapters"] = {
                "closed": odds_block(st.issues, self.closed, n),
                "mean_closed": round(int(self.closed.sum()) / n, 12) if n else 0.0,
                "mean_reopened": round(self.reopened / n, 12) if n else 0.0,
            }
        return out


def _codes(col, names: list[str]) -> np.ndarray:
    """A string column as indices into ``names`` (-1: a value not among them, or null)."""
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(pa.string())
    found = pc.index_in(arr, value_set=pa.array(names, pa.string())).fill_null(-1)
    return found.to_numpy().astype(np.int64)


class BeliefErrors:
    """Each party's mean belief error by round over the draws that held that round, gathered
    chunk by chunk from the ``belief_error.<party>`` columns."""

    def __init__(self, st):
        self.parties = st.parties
        self.sums = np.zeros((st.n_parties, st.max_rounds))
        self.counts = np.zeros((st.n_parties, st.max_rounds), dtype=np.int64)

    def add(self, table: pa.Table) -> None:
        for q, party in enumerate(self.parties):
            name = f"belief_error.{party}"
            if name not in table.column_names:
                continue
            col = table.column(name).combine_chunks()
            values = col.flatten().to_numpy(zero_copy_only=False).astype(float)
            offsets = col.offsets.to_numpy()
            lengths = np.diff(offsets)
            rnd = np.arange(values.size) - np.repeat(offsets[:-1], lengths)
            n = self.sums.shape[1]
            self.sums[q] += np.bincount(rnd, weights=values, minlength=n)[:n]
            self.counts[q] += np.bincount(rnd, minlength=n)[:n]

    def means(self) -> dict:
        """{party: [mean error in round 1, round 2, ...]} up to the last round any draw held."""
        held = int(np.flatnonzero(self.counts.sum(axis=0)).max(initial=-1)) + 1
        mean = self.sums[:, :held] / np.maximum(self.counts[:, :held], 1)
        return {p: [round(float(v), 6) for v in mean[q]] for q, p in enumerate(self.parties)}


def remove_parts(folder: Path) -> None:
    """Delete the part files once ``outcomes.parquet`` holds them all."""
    parts = folder / PARTS
    for p in parts.glob("*"):
        p.unlink()
    parts.rmdir()


# --- a sweep with its run folder ---------------------------------------------------------------


@dataclass
class SweepPlan:
    """What a sweep runs: its points, draws per point, seed, rows per chunk and Sobol ranges."""

    points: list[dict]
    draws: int
    seed: int
    rows: int
    sobol: dict | None = None


@dataclass
class SweepRun:
    """A finished sweep: its run folder and summary."""

    folder: Path
    summary: dict
    plan: SweepPlan = field(repr=False, default=None)


def plan_sweep(
    loaded: Loaded,
    spec: SweepSpec | None,
    draws: int | None,
    seed: int | None,
    chunk_rows_wanted: int | None = None,
    memory_mib: int = 512,
) -> SweepPlan:
    """Expand the design (the given spec, else the config's) into points and size the chunks."""
    spec = spec or loaded.scenario.sweep
    seed = seed or 0
    n_draws = draws or (spec.draws if spec else 1000)
    points = expand(loaded.space, spec, seed)
    sobol = sobol_ranges(loaded.space, spec) if spec is not None and spec.sobol is not None else None
    width = DrawLayout.of(loaded.structure, loaded.space).width
    return SweepPlan(points, n_draws, seed, chunk_rows(chunk_rows_wanted, memory_mib, width), sobol)


def _resume_plan(loaded: Loaded, folder: RunFolder, spec: SweepSpec | None, draws, seed) -> SweepPlan:
    m, where = folder.manifest, folder.path
    if m["config_hash"] != loaded.config_hash():
        raise UserError(
            f"{where}: config hash differs: the folder was made from another config "
            f"({m['config_hash'][:12]}..., this one {loaded.config_hash()[:12]}...)"
        )
    if seed is not None and seed != m["seed"]:
        raise UserError(f"{where}: seed differs (the folder has seed {m['seed']}, you gave {seed})")
    if draws is not None and draws != m["draws_per_point"]:
        raise UserError(f"{where}: draws differ (the folder has {m['draws_per_point']}, you gave {draws})")
    if spec is not None and expand(loaded.space, spec, m["seed"]) != m["points"]:
        raise UserError(f"{where}: the sweep points differ from the folder's")
    if m.get("status") == "complete" and (where / "outcomes.parquet").exists() and not (where / PARTS).exists():
        raise UserError(f"{where}: this sweep is already complete")
    return SweepPlan(m["points"], m["draws_per_point"], m["seed"], m["chunk_rows"], m.get("sobol_ranges"))


def finished_summary(folder: Path, manifest: dict, given: History | None = None) -> dict | None:
    """The summary of the sweep in ``folder`` if its result is complete (``outcomes.parquet``
    in place and ``summary.json`` written for the manifest's draws and seed, with the ``given``
    blocks if a history is given), else None. Leftover part files do not make it incomplete:
    they are removed after the summary is written."""
    if not (folder / "outcomes.parquet").exists():
        return None
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    n = manifest.get("draws_per_point")
    if not isinstance(summary, dict) or given is not None and "given" not in summary:
        return None
    wanted = {"seed": manifest.get("seed"), "draws_per_point": n, "n_draws": n * len(manifest.get("points") or [])}
    return summary if all(summary.get(k) == v for k, v in wanted.items()) else None


def _stopped(folder: RunFolder, status: str) -> None:
    """Close ``folder`` after the sweep stopped early: ``status`` (partial or failed), unless
    its result was already complete."""
    with contextlib.suppress(Exception):  # looking must not hide the original error
        if finished_summary(folder.path, folder.manifest) is not None:
            status = "complete"
    folder.close(status)


def sweep(
    loaded: Loaded,
    spec: SweepSpec | None = None,
    draws: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    resume: str | Path | None = None,
    runs_dir: str | Path = "runs",
    out: str | Path | None = None,
    name: str | None = None,
    chunk_rows_wanted: int | None = None,
    memory_mib: int = 512,
    quiet: bool = True,
    on_start: Callable | None = None,
    given: History | None = None,
    min_matched: int | None = None,
    max_draws: int = MAX_DRAWS,
) -> SweepRun:
    """Run a sweep into a run folder (new, or ``resume`` a killed one) and return its summary.

    ``on_start(folder, plan)`` is called once the folder exists, before any work. Interrupted
    (KeyboardInterrupt), the folder is marked partial and the interrupt raised again; a write
    error becomes a UserError that says how to resume.

    With a history ``given``, the summary also holds ``prior`` and ``given`` blocks: the odds
    among the draws whose path agrees with every fact (exact rejection). ``min_matched`` doubles
    the draws per point (rows 0..N-1 of the same draw table, so the result stays a pure function
    of seed and config) until that many draws match or ``max_draws`` per point is reached.
    """
    if min_matched is not None and given is None:
        raise UserError("--min-matched needs a history (--given)")
    if scheduler and workers > 1:
        raise UserError("give either --workers or --scheduler, not both")
    if resume:
        folder = RunFolder.open(resume, "sweep")  # locked until closed: one writer at a time
        try:
            plan = _resume_plan(loaded, folder, spec, draws, seed)
            done = finished_summary(folder.path, folder.manifest, given)
        except BaseException:
            folder.release()
            raise
        if done is not None:  # stopped after its result was complete: tidy up and say so
            with contextlib.suppress(FileNotFoundError):
                remove_parts(folder.path)
            folder.close("complete")
            return SweepRun(folder.path, done, plan)
        folder.manifest["status"] = "running"
    else:
        plan = plan_sweep(loaded, spec, draws, seed, chunk_rows_wanted, memory_mib)
    try:
        modules = worker_modules(loaded, workers, scheduler)
        # Connect before anything is written, so an unreachable scheduler leaves no folder behind.
        client = executors.dask_client(scheduler) if scheduler else None
    except BaseException:
        if resume:
            folder.release()
        raise
    try:
        if not resume:
            folder = RunFolder.create(runs_dir, name or Path(loaded.source).stem, "sweep", loaded, plan.seed, out)
            folder.manifest.update(
                draws_per_point=plan.draws, points=plan.points, chunk_rows=plan.rows, sobol_ranges=plan.sobol
            )
        folder.manifest.update(workers=workers, scheduler=scheduler)
        folder.write_manifest()
        if on_start is not None:
            on_start(folder.path, plan)
        while True:
            summary = _run_and_summarise(loaded, folder, plan, workers, client, quiet, modules, given)
            if not min_matched or summary["given"]["matched"] >= min_matched or plan.draws * 2 > max_draws:
                break
            plan = SweepPlan(plan.points, plan.draws * 2, plan.seed, plan.rows, plan.sobol)
            (folder.path / "outcomes.parquet").unlink()  # first: the result is no longer complete
            folder.manifest.update(draws_per_point=plan.draws)
            folder.write_manifest()
    except KeyboardInterrupt:
        if "folder" in locals():
            _stopped(folder, "partial")
        raise
    except OSError as exc:
        if "folder" not in locals():
            raise
        _stopped(folder, "partial")
        raise UserError(
            f"{folder.path}: cannot write results ({exc.strerror}); finished chunks are kept, "
            f"finish with --resume {folder.path}"
        ) from None
    except BaseException:
        if "folder" in locals():
            _stopped(folder, "failed")
        raise
    finally:
        if client is not None:
            client.close()
    folder.close("complete")
    if given is not None and summary["given"]["matched"] == 0:
        columns = fact_columns(loaded.structure)
        raise no_match_error(given, pq.read_table(folder.path / "outcomes.parquet", columns=columns))
    return SweepRun(folder.path, summary, plan)


def given_blocks(loaded: Loaded, path: Path, history: History, summary: dict) -> dict:
    """The ``prior`` and ``given`` blocks of a sweep's summary, from its ``outcomes.parquet``."""
    st = loaded.structure
    terms = [f"x.{issue}" for issue in st.issues]
    table = pq.read_table(path, columns=["point", *fact_columns(st), *terms])
    mask = history.mask(table)
    given = {
        "history": history.source,
        "as_of": history.as_of.isoformat() if history.as_of else None,
        "facts": [f.text for f in history.facts],
        **matched_summary(st, table, mask, outcome_block),
    }
    if len(summary["points"]) > 1:
        point = table.column("point").to_numpy()
        given["points"] = []
        for k, pt in enumerate(summary["points"]):
            rows = point == k
            part = table.filter(pa.array(rows))
            given["points"].append({"params": pt["params"], **matched_summary(st, part, mask[rows], outcome_block)})
    prior = {"n_draws": summary["n_draws"], "outcomes": summary["outcomes"]}
    return {"prior": prior, "given": given}


def _run_and_summarise(loaded, folder: RunFolder, plan: SweepPlan, workers, client, quiet, modules, given) -> dict:
    """Run the chunks still missing while ``Join`` writes ``outcomes.parquet`` and counts; then
    the summary (odds, Sobol indices, the conditions from the rows ``Join`` kept, found while the
    last row groups are written) and its file."""
    from negotiation.experiments.discovery import conditions

    st = loaded.structure
    chunks = plan_chunks(len(plan.points), plan.draws, plan.rows)
    with Join(folder.path, st, chunks, len(plan.points)) as join:
        run_sweep(
            folder.path,
            loaded.resolved_yaml(),
            plan.points,
            plan.seed,
            plan.draws,
            plan.rows,
            workers,
            client,
            quiet,
            modules=modules,
            join=join,
        )
        tally, errors, sample = join.counts()
        with cf.ThreadPoolExecutor(1) as pool:  # the last row groups are written beside the PRIM peel
            written = pool.submit(join.close)
            found = conditions(sample)
            written.result()
    summary = {"seed": plan.seed, "draws_per_point": plan.draws, "information": st.information}
    summary.update(tally.summary(plan.points))
    if st.information == "private":
        summary["belief_error"] = errors.means()
    if plan.sobol:
        from negotiation.experiments.sensitivity import outcome_sobol

        summary["sobol"] = outcome_sobol(summary, plan.sobol, plan.seed)
    summary["conditions"] = found
    if given is not None:
        summary.update(given_blocks(loaded, folder.path / "outcomes.parquet", given, summary))
    folder.write("summary.json", json_text(summary))
    remove_parts(folder.path)
    return summary
