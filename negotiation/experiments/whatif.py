"""What-if views of a scenario: fix some named parameters, keep the others' distributions, and
read the odds of each outcome, the agreement day and the agreed terms (the explorer of
``negotiate serve``, ``/explore``, shows them).

A view is computed exactly as ``negotiate sweep CONFIG --draws N --seed S --grid NAME=V ...
[--given FILE]`` computes its summary: the same ``--grid`` options make the same sweep point
(``designs.spec_from_cli``, ``sweep.plan_sweep``), the same chunks are played by the same
``sweep.run_chunk`` and counted by the same ``sweep.Tally`` and ``history.matched_summary``. So the
numbers equal the command's ``summary.json`` (``outcomes``; with a history ``given``), and
``sweep_command`` writes that command. Rows are rows ``0 .. N-1`` of the draw table of the seed
(common random numbers): fixing a parameter replaces only its own column, every other number of
every draw stays as it was.
"""

from __future__ import annotations

import math
import shlex
import time
from concurrent.futures import Executor
from concurrent.futures import TimeoutError as FuturesTimeout

import numpy as np
import pyarrow as pa

from negotiation.errors import UserError
from negotiation.experiments.designs import spec_from_cli
from negotiation.experiments.history import History, matched_summary, no_match_error
from negotiation.experiments.statistics import outcome_block
from negotiation.experiments.sweep import Tally, plan_chunks, plan_sweep, run_chunk
from negotiation.scenario import units
from negotiation.scenario.distributions import Choice, Normal, Resample, Triangular, Uniform
from negotiation.scenario.loader import Loaded
from negotiation.scenario.params import Slot
from negotiation.scenario.schema import SweepSpec

DEFAULT_DRAWS = 20_000
HEATMAP_SIZE = 5  # values per heatmap axis


class TooSlow(UserError):
    """A computation that passed its deadline; nothing partial is returned."""


# --- the controls: one per named parameter --------------------------------------------------------


def value_text(v: float) -> str:
    """A parameter value as the command line and the pages write it: a whole number without a
    decimal point, else the shortest text that reads back as the same float ("0.7")."""
    v = float(v)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def prior_text(slot: Slot) -> str:
    """What a parameter is in the scenario, for a person: "uniform 0.55 to 0.85", "constant 0.95"."""
    d = slot.value
    if not slot.uncertain:
        return f"constant {value_text(d)}"
    if isinstance(d, Uniform):
        return f"uniform {d.low:g} to {d.high:g}"
    if isinstance(d, Triangular):
        return f"triangular {d.low:g} to {d.high:g}, mode {d.mode:g}"
    if isinstance(d, Normal):
        return f"normal (mean {d.mean:g}, sd {d.sd:g}) within {d.low:g} to {d.high:g}"
    if isinstance(d, Choice):
        return "one of " + ", ".join(f"{v:g}" for v in d.options)
    if isinstance(d, Resample):
        return d.describe()
    return str(d)  # pragma: no cover - every distribution of distributions.py is named above


def _nice_step(span: float) -> float:
    if span <= 0:
        return 1.0
    return 10.0 ** math.floor(math.log10(span / 100))


def control(slot: Slot) -> dict:
    """One parameter's control: its name, group (the part before the first dot), what it is in
    the scenario (``prior``), the slider's range (the support of its distribution; for a
    constant, a range around it within its bounds), a step, the value a fixed control starts at
    (the middle of the support, or the constant; ``text``: as the command line writes it) and
    the allowed range (``bounds``)."""
    blo, bhi = slot.bounds
    lo, hi = slot.support()
    if lo == hi:  # a constant: a range around it, inside its bounds
        reach = max(abs(lo), 1.0)
        lo, hi = max(blo, lo - reach), min(bhi, hi + reach)
    step = 1.0 if slot.integer else _nice_step(hi - lo)
    start = float(slot.value) if not slot.uncertain else (slot.support()[0] + slot.support()[1]) / 2
    start = float(np.floor(start + 0.5)) if slot.integer else round(start, max(0, -math.floor(math.log10(step))))
    return {
        "name": slot.name,
        "group": slot.name.split(".", 1)[0],
        "label": slot.name.split(".", 1)[1] if "." in slot.name else slot.name,
        "uncertain": slot.uncertain,
        "prior": prior_text(slot),
        "lo": lo,
        "hi": hi,
        "step": step,
        "start": min(max(start, lo), hi),
        "text": value_text(min(max(start, lo), hi)),
        "bounds": [blo if math.isfinite(blo) else None, bhi if math.isfinite(bhi) else None],
        "integer": slot.integer,
    }


def controls(loaded: Loaded) -> list[dict]:
    """A control per named parameter of the scenario (``negotiate params CONFIG``), in its order."""
    return [control(s) for s in loaded.space.slots]


def axis_values(loaded: Loaded, name: str, size: int = HEATMAP_SIZE) -> list[float]:
    """Up to ``size`` evenly spaced values over a parameter's control range (four significant
    digits; whole numbers for a whole-number parameter, so fewer when the range is short)."""
    c = control(loaded.space[name])
    raw = np.linspace(c["lo"], c["hi"], size)
    if c["integer"]:
        return sorted({float(np.floor(v + 0.5)) for v in raw})
    return sorted({float(f"{v:.4g}") for v in raw})


# --- the command line ----------------------------------------------------------------------------


def grid_options(grid: dict[str, list[float]]) -> list[str]:
    """``NAME=V1,V2`` texts of ``--grid`` options for ``{name: values}``, in order."""
    return [f"{name}={','.join(value_text(v) for v in values)}" for name, values in grid.items()]


def sweep_command(config: str, draws: int, seed: int, grid: dict[str, list[float]], given: str | None = None) -> str:
    """The ``negotiate sweep`` command whose summary holds a view's numbers (``config``: a bundled
    scenario's name or a file; ``grid``: ``{name: values}``, one value each for a view;
    ``given``: the history file)."""
    parts = ["negotiate", "sweep", config, "--draws", str(draws), "--seed", str(seed)]
    for option in grid_options(grid):
        parts += ["--grid", option]
    if given is not None:
        parts += ["--given", given]
    return shlex.join(parts)


def parse_fixed(loaded: Loaded, items: list[str]) -> dict[str, float]:
    """Fixed values from ``NAME=V`` texts, checked as ``--grid NAME=V`` is (a name the scenario
    has, a number within the parameter's bounds, a whole number where one is expected), in the
    scenario's order of parameters; a UserError of one line otherwise."""
    spec = spec_from_cli(tuple(items), None, (), 1)
    if spec is None:
        return {}
    bad = [n for n, vs in spec.grid.items() if len(vs) != 1]
    if bad:
        raise UserError(f"{bad[0]}: give one value to fix it")
    plan_sweep(loaded, spec, 1, 0)  # checks names and values as the command line does
    return {n: spec.grid[n][0] for n in sorted(spec.grid, key=loaded.space.index.__getitem__)}


# --- playing the draws ---------------------------------------------------------------------------


def draw_table(
    loaded: Loaded,
    grid: dict[str, list[float]],
    seed: int,
    draws: int,
    deadline: float | None = None,
    pool: Executor | None = None,
) -> tuple[list[dict], pa.Table]:
    """The sweep points of ``--grid`` options for ``grid`` and every draw of every point (the rows
    of the sweep's ``outcomes.parquet``), played chunk by chunk as the command plays them (by the
    worker processes of ``pool`` if given, the table in chunk order all the same); ``deadline``
    (a ``time.monotonic()`` value) stops with ``TooSlow``, between chunks or while waiting."""
    if draws < 1:
        raise UserError(f"draws must be at least 1, got {draws}")
    if seed < 0:
        raise UserError(f"seed must be 0 or more, got {seed}")
    # Nothing fixed: the scenario as written (an empty spec, so not a sweep: section of its own).
    spec = spec_from_cli(tuple(grid_options(grid)), None, (), draws) or SweepSpec(draws=draws)
    plan = plan_sweep(loaded, spec, draws, seed)
    text = loaded.resolved_yaml()
    too_slow = TooSlow(
        f"stopped: {len(plan.points) * plan.draws:,} draws take longer than this server allows; ask for fewer draws"
    )
    chunks = list(plan_chunks(len(plan.points), plan.draws, plan.rows))
    tables = []
    if pool is not None and len(chunks) > 1:
        futures = [pool.submit(run_chunk, text, plan.points, plan.seed, plan.draws, chunk) for chunk in chunks]
        try:
            for fut in futures:
                left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
                tables.append(fut.result(timeout=left))
        except FuturesTimeout:
            raise too_slow from None
        finally:
            for fut in futures:
                fut.cancel()
        return plan.points, pa.concat_tables(tables)
    for chunk in chunks:
        if deadline is not None and time.monotonic() > deadline:
            raise too_slow
        tables.append(run_chunk(text, plan.points, plan.seed, plan.draws, chunk))
    return plan.points, pa.concat_tables(tables)


def _bands(st, issues_cfg: dict, block: dict) -> dict:
    """The agreement-day quantiles and the agreed terms of a ``matched_summary`` block, with each
    issue's label, unit and display range for the page's axes."""
    terms = {}
    for i, issue in enumerate(st.issues):
        shown = [float(units.to_display(st, issues_cfg, i, end[i])) for end in (st.lo, st.hi)]
        terms[issue] = {
            "label": units.label(st, issues_cfg, i),
            "unit": units.unit_of(st, issues_cfg, i),
            "discrete": i in st.options,
            "options": list(st.options[i]) if i in st.options else None,
            "range": None if i in st.options else shown,
            "values": (block.get("terms") or {}).get(issue),
        }
    return {"agreement_date": block.get("agreement_date"), "terms": terms}


def view(
    loaded: Loaded,
    fixed: dict[str, float] | None = None,
    seed: int = 0,
    draws: int = DEFAULT_DRAWS,
    history: History | None = None,
    deadline: float | None = None,
    pool: Executor | None = None,
) -> dict:
    """The what-if view of ``loaded`` with the parameters in ``fixed`` ({name: value}) fixed and
    every other parameter drawn from its distribution, over rows ``0 .. draws-1`` of the draw
    table of ``seed``: JSON-able, and equal to the summary of ``sweep_command(...)``.

    ``outcomes``: ``{outcome: {p, ci95, n}}`` (Wilson 95% intervals), every outcome class.
    ``agreement_date`` (quantiles ``q05 .. q95`` of the day the agreement was signed, ISO dates)
    and ``terms`` (per issue: quantiles of the agreed position in display units, or each option's
    share of the agreements) read the draws that ended in an agreement. With a ``history``,
    ``outcomes`` are the unconditional odds (the summary's ``prior``), ``given`` holds the odds
    among the draws whose path agrees with every fact (``matched`` of them, their ``share``), and
    the bands read those draws; no agreeing draw raises the command's UserError."""
    st = loaded.structure
    fixed = dict(fixed or {})
    points, table = draw_table(loaded, {n: [v] for n, v in fixed.items()}, seed, draws, deadline, pool)
    tally = Tally(st, len(points))
    tally.add(table)
    counted = tally.summary(points)
    mask = np.ones(table.num_rows, dtype=bool)
    if history is not None:
        mask = history.mask(table)
        if not mask.any():
            raise no_match_error(history, table)
    block = matched_summary(st, table, mask, outcome_block)
    given = None
    if history is not None:
        given = {"facts": [f.text for f in history.facts], **{k: block[k] for k in ("matched", "share", "outcomes")}}
    return {
        "seed": seed,
        "draws": draws,
        "fixed": fixed,
        "outcomes": counted["outcomes"],
        "given": given,
        "agreed": int((mask & st.agreed(_outcome_codes(st, table))).sum()),
        **_bands(st, loaded.scenario.issues, block),
    }


def _outcome_codes(st, table: pa.Table) -> np.ndarray:
    index = {name: k for k, name in enumerate(st.outcomes)}
    return np.array([index[v] for v in table.column("outcome").to_pylist()], dtype=np.int64)


def heatmap(
    loaded: Loaded,
    x: str,
    y: str,
    fixed: dict[str, float] | None = None,
    seed: int = 0,
    draws: int = 1000,
    history: History | None = None,
    deadline: float | None = None,
    size: int = HEATMAP_SIZE,
    pool: Executor | None = None,
) -> dict:
    """The odds of every outcome over a grid of two parameters: ``x`` and ``y`` each take
    ``axis_values`` (up to ``size`` values), the other parameters in ``fixed`` keep their fixed
    values (``x`` and ``y`` are taken out of it), the rest their distributions; ``draws`` rows of
    the seed's draw table per cell (the same rows in every cell). ``cells[j][i]`` is the cell of
    ``y`` value ``j`` and ``x`` value ``i``: ``{n, outcomes: {outcome: p}}``, with a ``history``
    the odds among the cell's draws that agree with it (``n`` of them). ``grid`` is the ``--grid``
    of the equal ``negotiate sweep`` (its points: ``x`` slowest)."""
    if x == y:
        raise UserError("choose two different parameters for the heatmap")
    for name in (x, y):
        if name not in loaded.space.index:
            raise UserError(f"{name}: the scenario has no such parameter")
    st = loaded.structure
    xs, ys = axis_values(loaded, x, size), axis_values(loaded, y, size)
    rest = {n: v for n, v in (fixed or {}).items() if n not in (x, y)}
    grid = {x: xs, y: ys, **{n: [v] for n, v in rest.items()}}
    points, table = draw_table(loaded, grid, seed, draws, deadline, pool)
    if history is None:  # the summary's points
        tally = Tally(st, len(points))
        tally.add(table)
        blocks = [(pt["n_draws"], pt["outcomes"]) for pt in tally.summary(points)["points"]]
    else:  # the given block's points: the odds among each point's draws that agree
        point, mask = table.column("point").to_numpy(), history.mask(table)
        blocks = []
        for k in range(len(points)):
            part = table.filter(pa.array(point == k))
            matched = matched_summary(st, part, mask[point == k], outcome_block)
            blocks.append((matched["matched"], matched["outcomes"]))
    cells = [[None] * len(xs) for _ in ys]
    for k, (n, block) in enumerate(blocks):
        i, j = divmod(k, len(ys))
        cells[j][i] = {"n": n, "outcomes": {name: block[name]["p"] for name in st.outcomes}}
    return {
        "x": x,
        "y": y,
        "xs": xs,
        "ys": ys,
        "seed": seed,
        "draws": draws,
        "fixed": rest,
        "grid": grid,
        "cells": cells,
        "outcomes": list(st.outcomes),
        "matched": sum(n for n, _ in blocks) if history is not None else None,
    }
