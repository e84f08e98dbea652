"""Run a sweep: chunks of draw rows per point, in this process, local worker processes or on a
Dask cluster; each finished chunk is written as a part file (temporary name, then renamed), so a
killed sweep loses at most the chunks in flight and ``--resume`` finishes the rest.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from negotiation.drivers.batch import run_inputs
from negotiation.errors import UserError
from negotiation.experiments.results import chunk_table, outcome_block
from negotiation.kernel.draws import build_inputs, draw_values, stack_draws
from negotiation.scenario.loader import Loaded, load_scenario_text

PARTS = "parts"
ROW_GROUP = 50_000  # rows per row group of outcomes.parquet
BYTES_PER_ROW = 12_000  # measured order of magnitude of a running chunk's arrays per negotiation


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


def run_chunk(config_text: str, points: list[dict], seed: int, n_draws: int, chunk: Chunk) -> pa.Table:
    """Play one chunk and return its rows as an Arrow table. Each point's rows use the same
    draw-table rows; the point's parameters are fixed in its space, so rows of several points
    run together in one batch."""
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
    return chunk_table(st, loaded.space, res, draw, n_draws, swept)


def run_and_write(config_text: str, points: list[dict], seed: int, n_draws: int, folder: Path, chunk: Chunk) -> None:
    """Play one chunk and write its part file (for workers that share the run folder's disk)."""
    _write_part(folder, chunk, run_chunk(config_text, points, seed, n_draws, chunk))


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


# --- executors --------------------------------------------------------------------------------


def _serial(tasks, call):
    for chunk in tasks:
        yield chunk, call(chunk)


def _local(tasks, call, workers):
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        pending = {}
        it = iter(tasks)
        for chunk in it:
            pending[pool.submit(call, chunk)] = chunk
            if len(pending) >= 2 * workers:
                break
        while pending:
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                chunk = pending.pop(fut)
                yield chunk, fut.result()
                nxt = next(it, None)
                if nxt is not None:
                    pending[pool.submit(call, nxt)] = nxt


def dask_client(address: str, timeout: float = 8.0):
    """Connect to a Dask scheduler, or fail with one clear line within ``timeout`` seconds (the
    whole command stays under 10 s)."""
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


def _dask(tasks, call, client):
    from dask.distributed import as_completed

    futures = {client.submit(call, chunk, pure=False): chunk for chunk in tasks}
    for fut in as_completed(list(futures), loop=client.loop):
        yield futures[fut], fut.result()


# --- progress ---------------------------------------------------------------------------------


class Progress:
    """A tqdm bar on a terminal; plain periodic lines otherwise; silent when quiet."""

    def __init__(self, total: int, done: int, quiet: bool):
        self.total, self.done, self.quiet = total, done, quiet
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
            print(f"sweep: {self.done}/{self.total} draws ({100 * self.done / self.total:.0f}%)", file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# --- the sweep --------------------------------------------------------------------------------


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
) -> None:
    """Run every chunk not yet on disk in ``folder/parts``."""
    parts = folder / PARTS
    parts.mkdir(exist_ok=True)
    chunks = plan_chunks(len(points), n_draws, rows)
    have = {p.name for p in parts.glob("*.arrow")}
    todo = [c for c in chunks if c.name not in have]
    progress = Progress(len(points) * n_draws, sum(c.count for c in chunks if c.name in have), quiet)
    from functools import partial

    call = partial(run_chunk, config_text, points, seed, n_draws)
    if client is not None:  # a cluster's workers may not share this disk: they return tables
        stream = _dask(todo, call, client)
    elif workers > 1:  # local workers write their own parts; the main process only counts
        stream = _local(todo, partial(run_and_write, config_text, points, seed, n_draws, folder), workers)
    else:
        stream = _serial(todo, call)
    try:
        for chunk, table in stream:
            if table is not None:
                _write_part(folder, chunk, table)
            progress.update(chunk.count)
            if on_chunk is not None:
                on_chunk(chunk)
    finally:
        progress.close()


def finalize(folder: Path, loaded: Loaded, points: list[dict], seed: int, n_draws: int, rows: int) -> dict:
    """Join the parts, in order, into ``outcomes.parquet`` and work out the summary."""
    st = loaded.structure
    chunks = plan_chunks(len(points), n_draws, rows)
    counts = np.zeros((len(points), len(st.outcomes)), dtype=np.int64)
    index = {name: k for k, name in enumerate(st.outcomes)}
    tmp = folder / ".outcomes.parquet.tmp"
    writer = None
    pending: list[pa.Table] = []
    held = 0
    try:
        for k, chunk in enumerate(chunks):
            table = _read_part(folder / PARTS / chunk.name)
            if writer is None:
                strings = [f.name for f in table.schema if pa.types.is_string(f.type)]
                writer = pq.ParquetWriter(tmp, table.schema, use_dictionary=strings, compression="snappy")
            # Row groups of a fixed size, so the file's bytes do not depend on the chunk size.
            pending.append(table)
            held += table.num_rows
            last = k == len(chunks) - 1
            while held >= ROW_GROUP or (last and held):
                joined = pa.concat_tables(pending)
                n = min(ROW_GROUP, held)
                writer.write_table(joined.slice(0, n), row_group_size=n)
                pending, held = [joined.slice(n)], held - n
            codes = np.array([index[o] for o in table.column("outcome").to_pylist()], dtype=np.int64)
            np.add.at(counts, (table.column("point").to_numpy(), codes), 1)
    finally:
        if writer is not None:
            writer.close()
    os.replace(tmp, folder / "outcomes.parquet")
    total = counts.sum(axis=0)
    summary = {
        "n_draws": int(total.sum()),
        "seed": seed,
        "draws_per_point": n_draws,
        "outcomes": outcome_block(st, total),
        "points": [
            {"params": points[k], "n_draws": int(counts[k].sum()), "outcomes": outcome_block(st, counts[k])}
            for k in range(len(points))
        ],
    }
    return summary


def remove_parts(folder: Path) -> None:
    """Delete the part files once ``outcomes.parquet`` holds them all."""
    parts = folder / PARTS
    for p in parts.glob("*"):
        p.unlink()
    parts.rmdir()
