"""The public API: what the ``negotiate`` commands do, as calls that return data.

Every function takes a scenario as a loaded object, a file path or a bundled scenario's name
(``"nafta_2017"``); positions are in the issues' display units (see ``negotiation.scenario.units``).
Nothing is written to disk unless a run folder is asked for (``runs_dir``/``out``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from negotiation.errors import UserError
from negotiation.scenario.loader import Loaded, load_scenario
from negotiation.scenario.schema import MAX_DRAWS

RUNS_DIR = "runs"


def load(scenario: str | Path | Loaded, information: str | None = None) -> Loaded:
    """A validated scenario from a file path or a bundled scenario's name (``"nafta_2017"``,
    ``"teaching_split"``, ``"teaching_trade"``, ``"bdm_ec_emissions"``); a loaded one is
    returned as it is. ``information`` (``"complete"`` or ``"private"``) overrides the config's
    switch. Bad input raises ``ConfigError``, one line per problem (file, line, key path, what was
    expected), as the command line prints them."""
    loaded = scenario if isinstance(scenario, Loaded) else load_scenario(scenario)
    return loaded.with_information(information)


def scenarios() -> list[str]:
    """The names of the bundled scenarios."""
    from negotiation.scenario import bundled

    return bundled.names()


# --- one negotiation ----------------------------------------------------------------------------


@dataclass
class RunResult:
    """One negotiation: ``summary`` (the dict of ``summary.json``), ``trace`` (a pandas DataFrame,
    one row per round and party), ``events`` (calendar events and the outcome, each with its
    round), ``records`` (the rounds as ``rounds.jsonl`` holds them), ``path`` (what a history's
    facts read: the path columns of ``outcomes.parquet``) and the run ``folder`` if one was
    written."""

    summary: dict
    trace: object
    events: list[dict]
    records: list[dict]
    model: object = field(repr=False, default=None)
    folder: Path | None = None
    path: dict = field(default_factory=dict)


def run(
    scenario,
    seed: int = 0,
    draw: int = 0,
    params: dict | None = None,
    narrate: Callable[[str], None] | None = None,
    runs_dir: str | Path | None = None,
    out: str | Path | None = None,
    kind: str = "run",
    name: str | None = None,
    information: str | None = None,
) -> RunResult:
    """Play draw ``draw`` of the draw table of ``seed`` in the Mesa driver, round by round.

    ``params`` fixes named parameters (``{"US.reservation": 0.7}``); ``narrate`` receives each
    line of the narration as it happens; with ``runs_dir`` or ``out`` a run folder is written
    (manifest, config, summary.json, rounds.csv, rounds.jsonl). ``information`` overrides the
    config's switch (``"complete"`` or ``"private"``)."""
    from negotiation.drivers.model import NegotiationModel
    from negotiation.output.narrate import event_lines, outcome_lines, round_lines

    loaded = load(scenario, information)
    _check_seed(seed, draw)
    space = loaded.space.with_values(params) if params else loaded.space
    folder = None
    if runs_dir is not None or out is not None:  # made first: a folder that cannot be made stops the run
        folder = open_run_folder(loaded, seed, draw, runs_dir or RUNS_DIR, out, kind, name)
    st, issues = loaded.structure, loaded.scenario.issues
    say = narrate or (lambda line: None)
    model = NegotiationModel(loaded, seed=seed, draw=draw, space=space)
    say(f"{loaded.scenario.name}: seed {seed}, draw {draw}; parties {', '.join(st.parties)}")
    while model.running:
        held = len(model.history)
        seen = len(model.history[-1]["events"]) if held else 0
        model.step()
        if len(model.history) > held:
            lines = round_lines(st, issues, model.history[-1])
        else:  # no round held (a withdrawal took effect): only the new events
            lines = event_lines(model.history[-1]["events"][seen:]) if held else []
        for line in lines:
            say(line)
    summary = model.summary()
    for line in outcome_lines(st, issues, summary):
        say(line)
    records = model.records()
    events = [dict(ev, round=rec["round"]) for rec in records for ev in rec["events"]]
    result = RunResult(summary, model.trace(), events, records, model, path=model.path())
    if folder is not None:
        result.folder = save_run(folder, result)
    return result


def open_run_folder(
    loaded: Loaded,
    seed: int,
    draw: int,
    runs_dir: str | Path = RUNS_DIR,
    out: str | Path | None = None,
    kind: str = "run",
    name: str | None = None,
    extra: dict | None = None,
):
    """A new run folder for a single negotiation (manifest and config written, status running)."""
    from negotiation.runfolder import RunFolder

    folder = RunFolder.create(runs_dir, name or Path(loaded.source).stem, kind, loaded, seed, out)
    folder.manifest.update(draw=draw, **(extra or {}))
    folder.write_manifest()
    return folder


def save_run(folder, result: RunResult, files: dict | None = None) -> Path:
    """Write a single negotiation's results into its run folder and mark it complete."""
    from negotiation.runfolder import json_text

    with folder:
        folder.write("summary.json", json_text(result.summary))
        folder.write("rounds.csv", result.trace.to_csv(index=False, float_format="%.12g"))
        folder.write("rounds.jsonl", "".join(json.dumps(r, sort_keys=True) + "\n" for r in result.records))
        for fname, text in (files or {}).items():
            folder.write(fname, text)
    return folder.path


def _check_seed(seed: int, draw: int = 0) -> None:
    if seed < 0:
        raise UserError(f"--seed must be 0 or more, got {seed}")
    if draw < 0:
        raise UserError(f"--draw must be 0 or more, got {draw}")


# --- many negotiations --------------------------------------------------------------------------


def _spec(draws, grid, lhs, ranges, method="mc", samples=64):
    from negotiation.experiments.designs import design_spec

    if isinstance(lhs, dict):
        lhs, ranges = lhs.get("samples"), lhs.get("ranges", ranges)
    return design_spec(draws, grid, lhs, ranges, method, samples)


def _check_counts(draws: int | None, seed: int | None, workers: int) -> None:
    if draws is not None and draws < 1:
        raise UserError(f"--draws must be at least 1, got {draws}")
    if draws is not None and draws > MAX_DRAWS:
        raise UserError(f"--draws must be at most {MAX_DRAWS:,} (a sweep point's bound), got {draws:,}")
    if seed is not None and seed < 0:
        raise UserError(f"--seed must be 0 or more, got {seed}")
    if workers < 1:
        raise UserError(f"--workers must be at least 1, got {workers}")


def simulate(
    scenario,
    draws: int = 1000,
    seed: int = 0,
    grid: dict | None = None,
    lhs: int | dict | None = None,
    ranges: dict | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: bool = False,
    given=None,
    information: str | None = None,
):
    """Monte Carlo draws of a scenario, in memory: a pandas DataFrame with exactly the columns of
    ``outcomes.parquet`` (one row per draw and point). With a history ``given``, only the draws
    whose path agrees with every fact (see ``condition``).

    ``grid`` {name: values} or ``lhs`` samples over ``ranges`` {name: [low, high]} make sweep
    points (else the config's own ``sweep:``, else one point); ``workers`` local processes or a
    Dask ``scheduler`` address share the work, with the same result. ``frame.attrs`` holds the
    outcome classes, the units, the seed and the points. ``information`` overrides the config's
    switch (``"complete"`` or ``"private"``)."""
    from negotiation.experiments import executors
    from negotiation.experiments.sweep import plan_sweep, simulate_table

    loaded = load(scenario, information)
    _check_counts(draws, seed, workers)
    if scheduler and workers > 1:
        raise UserError("give either --workers or --scheduler, not both")
    plan = plan_sweep(loaded, _spec(draws, grid, lhs, ranges), draws, seed)
    client = executors.dask_client(scheduler) if scheduler else None
    try:
        table = simulate_table(loaded, plan.points, plan.seed, plan.draws, workers, client, quiet=not progress)
    finally:
        if client is not None:
            client.close()
    frame = table.to_pandas()
    frame.attrs.update(_frame_attrs(loaded, plan.points, plan.seed, plan.draws))
    return condition(frame, given, loaded) if given is not None else frame


def history(ref, scenario):
    """A history (facts known at a date) read from a YAML file, text or dict and checked against
    the scenario; bad facts raise ``ConfigError`` with file, line and key path."""
    from negotiation.experiments.history import load_history

    return load_history(ref, load(scenario))


def condition(frame, ref, scenario):
    """The rows of a frame of draws (``simulate``, or ``outcomes.parquet`` read with pandas) whose
    path agrees with every fact of a history; ``attrs`` keep the prior draws' count
    (``prior_draws``). No matching row raises a UserError naming the most restrictive fact."""
    from negotiation.experiments.history import no_match_error

    facts = history(ref, scenario)
    mask = facts.mask(frame)
    if not mask.any():
        raise no_match_error(facts, frame)
    out = frame[mask]
    out.attrs = {**frame.attrs, "prior_draws": len(frame), "history": facts.source}
    return out


def calibrate(scenario, given, draws: int = 10_000, seed: int = 0, workers: int = 1, progress: bool = False):
    """The posterior of the uncertain parameters given a history (a file, YAML text or dict of
    facts): ``draws`` rows of the draw table of ``seed`` drawn from the priors, the rows whose
    path agrees with every fact kept (approximate Bayesian computation by exact rejection).
    Returns a ``Calibration``: ``table`` (a DataFrame, one row per parameter, moved most first:
    prior and posterior mean, sd and quantiles, Kolmogorov-Smirnov distance ``ks``, mean
    ``shift`` in prior sds), ``prior`` and ``posterior`` samples, ``matched`` and ``share``,
    and ``write_config(path)``: the scenario with a ``posterior:`` section, whose draws take
    every uncertain parameter jointly from the stored posterior rows. No matching draw raises a
    UserError naming the most restrictive fact."""
    from negotiation.experiments.calibration import calibrate as run_calibration

    loaded = load(scenario)
    _check_counts(draws, seed, workers)
    facts = history(given, loaded)
    return run_calibration(loaded, facts, draws, seed, workers, quiet=not progress)


def backtest(scenario, given, at, draws: int = 10_000, seed: int = 0, workers: int = 1, progress: bool = False):
    """Backtest a history ``given`` (a file, YAML text or dict of facts) at the cut dates ``at``
    (``"2017-09-30,2017-10-31"`` or a list of dates): at each cut, forecast every fact dated
    after it from the facts dated up to it (the share of the draws agreeing with those that
    also agree with the later fact), beside the unconditional forecast, each scored by Brier and
    log score (every later fact happened). Returns a ``Backtest``: ``.forecasts`` (one per cut
    and later fact), ``.cuts`` (means and skill), ``.frame()`` and ``.to_dict()``."""
    from negotiation.experiments.backtest import backtest as run_backtest
    from negotiation.experiments.backtest import parse_cuts

    loaded = load(scenario)
    _check_counts(draws, seed, workers)
    facts = history(given, loaded)
    cuts = parse_cuts(at, loaded)
    return run_backtest(loaded, facts, cuts, draws, seed, workers, quiet=not progress)


def _frame_attrs(loaded: Loaded, points: list[dict], seed: int, draws: int) -> dict:
    from negotiation.kernel.codes import path_names
    from negotiation.scenario import units

    st = loaded.structure
    return {
        "outcomes": list(st.outcomes),
        "paths": path_names(st.outcomes, list(st.accession)),
        "units": units.units(st, loaded.scenario.issues),
        "seed": seed,
        "draws_per_point": draws,
        "points": points,
    }


def odds(frame, by_point: bool | None = None, by: str = "outcome"):
    """Outcome probabilities with Wilson 95% intervals from a frame of draws (``simulate`` or
    ``outcomes.parquet`` read with pandas): one row per outcome class, and per point when the
    frame has several points (the points' parameter values as columns). Columns: ``outcome``,
    ``n``, ``draws``, ``p``, ``ci95_low``, ``ci95_high``. ``by="path"``: the odds of each path
    instead (``bilateral_US_MX>deal``: a bilateral deal the party left out joined later), in a
    ``path`` column."""
    import pandas as pd

    from negotiation.experiments.statistics import wilson

    if by not in ("outcome", "path"):
        raise UserError(f"odds by 'outcome' or 'path', got {by!r}")
    outcomes = list(frame.attrs.get(f"{by}s") or sorted(frame[by].unique()))
    points = frame.attrs.get("points") or []
    if by_point is None:
        by_point = "point" in frame and frame["point"].nunique() > 1
    groups = frame.groupby("point", sort=True) if by_point else [(None, frame)]
    rows = []
    for point, part in groups:
        counts = part[by].value_counts()
        n = len(part)
        for name in outcomes:
            k = int(counts.get(name, 0))
            lo, hi = wilson(k, n)
            row = {
                by: name,
                "n": k,
                "draws": n,
                "p": k / n if n else 0.0,
                "ci95_low": round(lo, 12),  # as summary.json rounds them (a zero count gives 0, not 1e-19)
                "ci95_high": round(hi, 12),
            }
            if point is not None:
                params = points[int(point)] if int(point) < len(points) else {}
                row = {"point": int(point), **params, **row}
            rows.append(row)
    return pd.DataFrame(rows)


@dataclass
class SweepResult:
    """A finished sweep: its run ``folder``, its ``summary`` (the dict of ``summary.json``) and
    ``frame()``, the rows of ``outcomes.parquet`` as a DataFrame."""

    folder: Path
    summary: dict

    def frame(self):
        """The rows of ``outcomes.parquet`` as a pandas DataFrame."""
        import pyarrow.parquet as pq

        return pq.read_table(self.folder / "outcomes.parquet").to_pandas()


def sweep(
    scenario,
    draws: int | None = None,
    seed: int | None = None,
    grid: dict | None = None,
    lhs: int | dict | None = None,
    ranges: dict | None = None,
    method: str = "mc",
    samples: int = 64,
    workers: int = 1,
    scheduler: str | None = None,
    resume: str | Path | None = None,
    runs_dir: str | Path = RUNS_DIR,
    out: str | Path | None = None,
    chunk_rows: int | None = None,
    memory_mib: int = 512,
    progress: bool = False,
    report: bool = False,
    on_start: Callable | None = None,
    given=None,
    min_matched: int | None = None,
    spec=None,
    information: str | None = None,
) -> SweepResult:
    """A Monte Carlo sweep written to a run folder (``outcomes.parquet``, ``summary.json`` with
    odds overall and per point, Sobol indices for ``method="sobol"``, the conditions that raise
    the chance of a deal or termination), resumable after a kill with ``resume=FOLDER``; with
    ``report=True`` also its plots and report.html. With a history ``given`` (a file, YAML text
    or dict of facts), ``prior`` and ``given`` blocks: the odds among the draws that agree with
    every fact; ``min_matched`` draws more rows until that many match. ``spec`` (a
    ``scenario.schema.SweepSpec``) may stand for ``grid``/``lhs``/``ranges``/``method``;
    ``information`` overrides the config's switch (``"complete"`` or ``"private"``)."""
    from negotiation.experiments.sweep import sweep as run_sweep

    loaded = load(scenario, information)
    _check_counts(draws, seed, workers)
    if chunk_rows is not None and chunk_rows < 1:
        raise UserError(f"--chunk-rows must be at least 1, got {chunk_rows}")
    if memory_mib < 16:
        raise UserError(f"--memory-mib must be at least 16, got {memory_mib}")
    spec = spec or _spec(draws or 1000, grid, lhs, ranges, method, samples)
    done = run_sweep(
        loaded,
        spec,
        draws,
        seed,
        workers,
        scheduler,
        resume,
        runs_dir,
        out,
        None,
        chunk_rows,
        memory_mib,
        quiet=not progress,
        on_start=on_start,
        given=history(given, loaded) if given is not None else None,
        min_matched=min_matched,
    )
    if report:
        from negotiation.output.report import build_report

        build_report(done.folder, quiet=True)
    return SweepResult(done.folder, done.summary)


@dataclass
class TournamentResult:
    """Every assignment of strategies to parties: ``summary`` (as ``summary.json``), ``table``
    (a DataFrame, one row per assignment) and the run ``folder`` if one was written."""

    summary: dict
    table: object
    folder: Path | None = None


def tournament(
    scenario,
    strategies: list[str] | str,
    draws: int = 1000,
    seed: int = 0,
    workers: int = 1,
    runs_dir: str | Path | None = None,
    out: str | Path | None = None,
    progress: bool = False,
) -> TournamentResult:
    """Play every assignment of the named strategies to the parties on the same draw rows (a
    Monte Carlo sweep each): deal odds with intervals and mean utilities per assignment, and
    the strategies' standings (``summary["standings"]``, ranked, and ``summary["pairwise"]``)."""
    from negotiation.experiments.executors import Progress
    from negotiation.experiments.tournament import parse_strategies, play_tournament, table

    loaded = load(scenario)
    _check_counts(draws, seed, workers)
    names = parse_strategies(strategies if isinstance(strategies, str) else ",".join(strategies))
    st = loaded.structure
    total = len(names) ** st.n_parties * draws
    bar = Progress(total, 0, not progress, "tournament")
    try:
        results, standings = play_tournament(loaded, names, draws, seed, workers=workers, progress=bar.update)
    finally:
        bar.close()
    tab = table(results, st.parties, st.outcomes)
    summary = {"n_draws": total, "seed": seed, "strategies": names, "assignments": results, **standings}
    res = TournamentResult(summary, tab.to_pandas())
    if runs_dir is not None or out is not None:
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        from negotiation.runfolder import RunFolder, json_text

        folder = RunFolder.create(runs_dir or RUNS_DIR, Path(loaded.source).stem, "tournament", loaded, seed, out)
        folder.manifest.update(strategies=names, draws_per_assignment=draws)
        with folder:
            folder.write("summary.json", json_text(summary))
            pq.write_table(tab, folder.path / "tournament.parquet")
            pacsv.write_csv(tab, folder.path / "tournament.csv")
        res.folder = folder.path
    return res


# --- analysis -----------------------------------------------------------------------------------


def analyze(scenario, max_points: int = 200_000) -> dict:
    """The outcome space at the scenario's base values: agreements enumerated, the Pareto
    frontier, the Nash and Kalai-Smorodinsky points and each party's best agreement above every
    reservation (positions in display units)."""
    from negotiation.analysis.bargaining import analyze as run_analysis

    if max_points < 2:
        raise UserError(f"--max-points must be at least 2, got {max_points}")
    return run_analysis(load(scenario), max_points)


def forecast(scenario, rounds: int = 10, issues: list[str] | None = None) -> dict:
    """The Bueno de Mesquita expected-utility forecast (Scholz, Calbert and Smith 2011) of each
    issue: per round, the forecast (median voter), the weighted mean and each party's position,
    in display units (option names for a discrete issue's forecast and positions)."""
    from negotiation.scenario import units

    loaded = load(scenario)
    st, cfg = loaded.structure, loaded.scenario.issues
    out = {}
    for issue, i, path in _forecast_paths(loaded, rounds, issues):
        out[issue] = [
            {
                "round": f.round,
                "forecast": units.position(st, cfg, i, f.median),
                "mean": float(f.mean) if i in st.options else units.position(st, cfg, i, f.mean),
                "positions": {
                    p: units.position(st, cfg, i, float(v)) for p, v in zip(st.parties, f.positions, strict=True)
                },
            }
            for f in path
        ]
    return out


def forecast_convergence(scenario, rounds: int = 10, issues: list[str] | None = None) -> dict:
    """Whether each issue's forecast (``forecast``) settled: per issue, ``status`` ("converged",
    "oscillating", "moving" or "short"; see ``negotiation.analysis.forecast.convergence``), the
    lowest and highest forecast over the last three rounds in display units, and ``text``: the
    warning for a person ("" when it converged)."""
    from negotiation.analysis.forecast import convergence, convergence_text
    from negotiation.scenario import units

    loaded = load(scenario)
    st, cfg = loaded.structure, loaded.scenario.issues
    out = {}
    for issue, i, path in _forecast_paths(loaded, rounds, issues):
        conv = convergence(path)
        unit = "" if i in st.options else units.config_of(st, cfg, i).unit

        def shown(v, i=i, unit=unit):
            x = units.position(st, cfg, i, v)
            return x if isinstance(x, str) else f"{x:.1f}{unit}"

        out[issue] = {
            "status": conv.status,
            "low": units.position(st, cfg, i, conv.low),
            "high": units.position(st, cfg, i, conv.high),
            "text": convergence_text(conv, shown),
        }
    return out


def _forecast_paths(loaded, rounds: int, issues: list[str] | None):
    """(issue, index, forecast rounds) of each chosen kernel issue; a per-pair issue named by its
    id is each of its pairs' terms."""
    from negotiation.analysis.forecast import forecast as run_forecast
    from negotiation.analysis.forecast import scenario_actors

    if rounds < 0 or rounds > 1000:
        raise UserError(f"--rounds must be from 0 to 1000, got {rounds}")
    st = loaded.structure
    for issue in issues or []:
        if issue not in st.issues and issue not in st.issue_config:
            raise UserError(f"unknown issue {issue!r}; issues are {', '.join(st.issues)}")
    chosen = [k for i, k in enumerate(st.issues) if not issues or k in issues or st.issue_config[i] in issues]
    return [(k, st.issues.index(k), run_forecast(*scenario_actors(loaded, k), rounds)) for k in chosen]


def report(run_dir: str | Path, quiet: bool = True) -> Path:
    """(Re)draw a run folder's plots and its self-contained report.html; return the page's path."""
    from negotiation.output.report import build_report

    return build_report(Path(run_dir), quiet=quiet)


def replay(run_dir: str | Path, draw: int, narrate=None, runs_dir: str | Path | None = None) -> tuple[RunResult, bool]:
    """Replay draw ``draw`` of a finished sweep in the Mesa driver; return the run and whether it
    matches the sweep's row of ``outcomes.parquet`` (outcome, rounds, positions, utilities)."""
    import pyarrow.parquet as pq

    from negotiation.runfolder import given_name, read_manifest

    folder = Path(run_dir)
    m = read_manifest(folder, "sweep")
    if not (folder / "outcomes.parquet").exists():
        raise UserError(f"{run_dir}: no outcomes.parquet (is the sweep finished? try --resume)")
    total = m["draws_per_point"] * len(m["points"])
    if not 0 <= draw < total:
        raise UserError(f"--draw must be from 0 to {total - 1}, got {draw}")
    loaded = load_scenario(folder / "config.yaml")
    point, row = divmod(draw, m["draws_per_point"])
    result = run(
        loaded,
        m["seed"],
        row,
        m["points"][point] or None,
        narrate,
        runs_dir=runs_dir,
        kind="replay",
        name=f"{given_name(folder, 'sweep', m['seed'])}-d{draw}",
    )
    want = pq.read_table(folder / "outcomes.parquet", filters=[("draw", "=", draw)]).to_pylist()[0]
    return result, same_result(want, result.summary, loaded.structure)


def same_result(row: dict, summary: dict, st, tol: float = 1e-9) -> bool:
    """Whether a run's summary equals a row of ``outcomes.parquet`` (positions and utilities to
    ``tol``; both are in display units)."""
    if row["outcome"] != summary["outcome"] or row["rounds"] != summary["rounds"]:
        return False
    for issue in st.issues:
        got, want = summary["agreement"].get(issue), row[f"x.{issue}"]
        if isinstance(want, str) or want is None:
            if got != want:
                return False
        elif not (np.isnan(want) and got is None) and (got is None or abs(got - want) > tol * max(1.0, abs(want))):
            return False
    return all(abs(summary["utilities"][p] - row[f"u.{p}"]) <= tol for p in st.parties)
