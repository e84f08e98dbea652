"""Tournaments: every assignment of a list of strategies to the parties, a Monte Carlo sweep
for each on the same draw rows, a table of outcome odds and mean utilities, and the standings
of the strategies (``standings``)."""

from __future__ import annotations

import itertools
from functools import partial

import numpy as np
import pyarrow as pa
import yaml

from negotiation.drivers.batch import run_rows
from negotiation.errors import UserError
from negotiation.experiments import executors
from negotiation.experiments.standings import Standings
from negotiation.experiments.statistics import outcome_block
from negotiation.scenario.loader import Loaded, load_scenario_text
from negotiation.strategies import get_strategy
from negotiation.strategies.registry import import_modules, outside_modules


def parse_strategies(text: str) -> list[str]:
    """Split ``a,b,c`` and check every name is registered (listing the known ones if not)."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise UserError("--strategies needs at least one strategy name")
    if len(set(names)) != len(names):
        raise UserError(f"--strategies lists a name twice: {text}")
    for n in names:
        get_strategy(n)
    return names


def assignments(parties: list[str], names: list[str]) -> list[dict[str, str]]:
    """Every assignment of the named strategies to the parties (len(names) ** len(parties))."""
    return [dict(zip(parties, combo, strict=True)) for combo in itertools.product(names, repeat=len(parties))]


def assigned_config(loaded: Loaded, assignment: dict[str, str]) -> str:
    """The scenario's YAML with each party playing its assigned strategy: with the config's own
    parameters where the config already gives that strategy, else the strategy's defaults."""
    data = loaded.scenario.model_dump(mode="python", exclude_none=True)
    for party, name in assignment.items():
        current = data["profiles"][party].get("strategy", {})
        if current.get("name") != name:
            data["profiles"][party]["strategy"] = {"name": name, "params": {}}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _play(config_text: str, seed: int, start: int, count: int, modules: tuple = ()):
    import_modules(modules)
    loaded = load_scenario_text(config_text, "tournament")
    res = run_rows(loaded.structure, loaded.space, seed, start, count)
    return res.outcome, res.utilities


def run_tournament(
    loaded: Loaded, names: list[str], draws: int, seed: int, rows: int = 10_000, workers: int = 1, progress=None
) -> list[dict]:
    """Play every assignment on draw rows 0..draws-1 of ``seed``; one result dict per assignment."""
    return play_tournament(loaded, names, draws, seed, rows, workers, progress)[0]


def play_tournament(
    loaded: Loaded, names: list[str], draws: int, seed: int, rows: int = 10_000, workers: int = 1, progress=None
) -> tuple[list[dict], dict]:
    """Play every assignment on draw rows 0..draws-1 of ``seed``: one result dict per assignment,
    and the standings (``negotiation.experiments.standings``: each strategy's mean utility and
    deal rate with 95% intervals, ranked, and the pairwise table)."""
    st = loaded.structure
    plan = []
    for a in assignments(st.parties, names):
        text = assigned_config(loaded, a)
        load_scenario_text(text, "tournament")  # validate before any work
        plan.append((a, text))
    # chunk by chunk, each chunk's assignments together: a chunk enters the standings (and leaves
    # memory) as soon as every assignment has played it
    jobs = [(k, text, s, min(rows, draws - s)) for s in range(0, draws, rows) for k, (_, text) in enumerate(plan)]
    counts = np.zeros((len(plan), len(st.outcomes)), dtype=np.int64)
    usum = np.zeros((len(plan), st.n_parties))
    modules = tuple(outside_modules(names)) if workers > 1 else ()
    standings = Standings([a for a, _ in plan], names, st.parties, st.outcomes.index("deal"))
    # Integer counts and sums in a fixed order per assignment: the same whatever the workers. A
    # chunk of rows enters the standings once every assignment has played it.
    results, waiting = {}, {}
    for n, result in executors.run(range(len(jobs)), partial(_job, seed, jobs, modules), workers):
        results[n] = (np.bincount(result[0], minlength=len(st.outcomes)), result[1].sum(axis=0))
        k, _, start, count = jobs[n]
        chunk = waiting.setdefault(start, {})
        chunk[k] = result
        if len(chunk) == len(plan):
            del waiting[start]
            ordered = [chunk[j] for j in range(len(plan))]
            standings.add(start, np.stack([u for _, u in ordered]), np.stack([o for o, _ in ordered]))
        if progress is not None:
            progress(count)
    for n, (k, _, _, _) in enumerate(jobs):
        c, u = results[n]
        counts[k] += c
        usum[k] += u
    out = []
    for k, (a, _) in enumerate(plan):
        n = int(counts[k].sum())
        out.append(
            {
                "assignment": a,
                "n_draws": n,
                "outcomes": outcome_block(st, counts[k]),
                "mean_utility": {p: round(float(usum[k, i] / n), 12) for i, p in enumerate(st.parties)},
            }
        )
    return out, standings.result()


def _job(seed, jobs, modules, n):
    _, text, start, count = jobs[n]
    return _play(text, seed, start, count, modules)


def table(results: list[dict], parties: list[str], outcomes: list[str]) -> pa.Table:
    """One row per assignment: the strategy of each party, odds with intervals, mean utilities."""
    cols: dict[str, list] = {"assignment": list(range(len(results)))}
    for p in parties:
        cols[f"strategy.{p}"] = [r["assignment"][p] for r in results]
    cols["n_draws"] = [r["n_draws"] for r in results]
    for o in outcomes:
        cols[f"p.{o}"] = [r["outcomes"][o]["p"] for r in results]
        cols[f"ci95_low.{o}"] = [r["outcomes"][o]["ci95"][0] for r in results]
        cols[f"ci95_high.{o}"] = [r["outcomes"][o]["ci95"][1] for r in results]
    for p in parties:
        cols[f"mean_u.{p}"] = [r["mean_utility"][p] for r in results]
    return pa.table(cols)
