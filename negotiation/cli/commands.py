"""The ``negotiate`` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from negotiation import __version__
from negotiation.errors import ConfigError, UserError


class _Group(click.Group):
    """Turns user errors into one line each on stderr and exit code 2, never a traceback:
    our own (UserError, ConfigError) and click's (a bad option value, a missing argument)."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)
        except click.ClickException as exc:
            click.echo(f"error: {' '.join(exc.format_message().split())}", err=True)
            rv = exc.exit_code
        except click.exceptions.Abort:
            click.echo("error: aborted", err=True)
            rv = 1
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
            ctx.exit(2)
        except UserError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="negotiate")
def cli():
    """Simulate multi-party, multi-issue negotiations (flagship: NAFTA 2017)."""


def _report(folder, as_json: bool, enabled: bool) -> None:
    """Draw the run folder's report (unless disabled); a failure to draw does not fail the run."""
    if not enabled:
        return
    from negotiation.output.report import build_report

    try:
        page = build_report(Path(folder), quiet=True)
    except UserError as exc:
        click.echo(f"warning: no report: {exc}", err=True)
        return
    click.echo(f"report: {page}", err=as_json)


def _load(config: str):
    from negotiation.api import load

    return load(config)


@cli.command()
@click.argument("config")
def validate(config):
    """Check CONFIG; print ok and its estimated cost, or every problem with file, line and key path
    (exit 2)."""
    from negotiation.scenario.cost import estimate

    loaded = _load(config)
    click.echo("ok")
    sweep = loaded.scenario.sweep
    click.echo(estimate(loaded, sweep.draws if sweep else 1000).line())


@cli.command()
@click.argument("config")
@click.option("--seed", default=0, show_default=True, type=int, help="Root seed of the draw table.")
@click.option("--draw", default=0, show_default=True, type=int, help="Row of the draw table to play.")
@click.option("--json", "as_json", is_flag=True, help="Print only the summary JSON to stdout.")
@click.option(
    "--runs-dir",
    default="runs",
    show_default=True,
    type=click.Path(),
    help="Folder under which the run folder is made.",
)
@click.option("--out", default=None, type=click.Path(), help="Exact run folder to write (must be new or empty).")
@click.option(
    "--information",
    type=click.Choice(["complete", "private"]),
    default=None,
    help="Override the config's information mode: complete, or private (offers from beliefs).",
)
@click.option("--no-report", is_flag=True, help="Do not draw plots and report.html at the end.")
def run(config, seed, draw, as_json, runs_dir, out, information, no_report):
    """Run one negotiation of CONFIG, narrated round by round; write a run folder.

    CONFIG is a scenario file or a bundled scenario's name (see `negotiate scenarios`)."""
    from negotiation import api

    api._check_seed(seed, draw)
    loaded = _load(config).with_information(information)
    result = api.run(loaded, seed, draw, narrate=None if as_json else click.echo, runs_dir=runs_dir, out=out)
    _finish_single(result, as_json, not no_report)


def _finish_single(result, as_json: bool, report: bool) -> None:
    if as_json:
        click.echo(json.dumps(result.summary, sort_keys=True))
    _report(result.folder, as_json, report)
    click.echo(f"run folder: {result.folder}", err=as_json)


def _table(summary: dict, st) -> list[str]:
    lines = [f"{'outcome':<22} {'p':>7}  {'95% interval':<17} {'n':>9}"]
    for name, o in summary["outcomes"].items():
        lo, hi = o["ci95"]
        lines.append(f"{name:<22} {o['p']:>7.4f}  [{lo:.4f}, {hi:.4f}]  {o['n']:>9}")
    return lines


def _path_lines(summary: dict) -> list[str]:
    """The odds of the paths, when some bilateral deal may be joined (a ``>`` path is possible):
    every path some draw took, and every joined path (``bilateral_A_B>deal``), zero or not."""
    from negotiation.kernel.codes import PATH_STEP

    paths = summary.get("paths") or {}
    if not any(PATH_STEP in name for name in paths):
        return []
    width = max(22, *(len(name) for name in paths))
    lines = [f"{'path':<{width}} {'p':>7}  {'95% interval':<17} {'n':>9}"]
    for name, o in paths.items():
        if not (o["n"] or PATH_STEP in name):
            continue
        lo, hi = o["ci95"]
        lines.append(f"{name:<{width}} {o['p']:>7.4f}  [{lo:.4f}, {hi:.4f}]  {o['n']:>9}")
    return lines


def _given_table(summary: dict) -> list[str]:
    """Prior and conditional odds side by side, and what the history changed."""
    g = summary["given"]
    lines = [
        f"given {g['history']}: {g['matched']} of {summary['n_draws']} draws agree with every fact "
        f"({100 * g['share']:.1f}%)",
        f"{'outcome':<22} {'prior':>7}  {'given':>7}  {'95% interval (given)':<20} {'change':>7}",
    ]
    for name, o in summary["outcomes"].items():
        c = g["outcomes"][name]
        if not (o["n"] or c["n"]):
            continue
        lo, hi = c["ci95"]
        lines.append(f"{name:<22} {o['p']:>7.4f}  {c['p']:>7.4f}  [{lo:.4f}, {hi:.4f}]     {c['p'] - o['p']:>+7.4f}")
    if "agreement_date" in g:
        d = g["agreement_date"]
        lines.append(f"agreement date (given): median {d['q50']}, 90% between {d['q05']} and {d['q95']}")
    return lines


def _point_lines(summary: dict) -> list[str]:
    lines = []
    names = list(summary["outcomes"])
    for k, pt in enumerate(summary["points"]):
        params = ", ".join(f"{n}={v:g}" for n, v in pt["params"].items())
        odds = "  ".join(f"{n} {pt['outcomes'][n]['p']:.3f}" for n in names if pt["outcomes"][n]["n"])
        lines.append(f"point {k}: {params}  ->  {odds}")
    return lines


@cli.command()
@click.argument("config")
@click.option("--draws", type=int, default=None, help="Monte Carlo draws per point [default: the config's, else 1000].")
@click.option("--seed", type=int, default=None, help="Root seed of the draw table [default: 0].")
@click.option("--workers", type=int, default=1, show_default=True, help="Local worker processes.")
@click.option("--scheduler", default=None, metavar="ADDR", help="Run on an existing Dask cluster (tcp://HOST:PORT).")
@click.option("--resume", "resume", default=None, type=click.Path(), help="Finish a killed sweep.")
@click.option("--grid", multiple=True, metavar="NAME=V1,V2,..", help="Grid over a parameter (repeatable).")
@click.option("--lhs", type=int, default=None, metavar="N", help="Latin-hypercube sample of N points over --range.")
@click.option("--range", "ranges", multiple=True, metavar="NAME=LOW:HIGH", help="A range for --lhs (repeatable).")
@click.option(
    "--method",
    type=click.Choice(["mc", "sobol"]),
    default="mc",
    show_default=True,
    help="mc: Monte Carlo at each point; sobol: Saltelli points and Sobol indices (needs SALib).",
)
@click.option("--samples", type=int, default=64, show_default=True, help="Base samples of a Sobol design.")
@click.option("--chunk-rows", type=int, default=None, help="Draws per chunk [default: 10000, capped by memory].")
@click.option("--memory-mib", type=int, default=512, show_default=True, help="Memory budget for one chunk.")
@click.option("--json", "as_json", is_flag=True, help="Print only the summary JSON to stdout.")
@click.option("--runs-dir", default="runs", show_default=True, type=click.Path())
@click.option("--out", default=None, type=click.Path(), help="Exact run folder to write.")
@click.option(
    "--given",
    "history",
    default=None,
    metavar="HISTORY",
    help="A history file of facts: odds among the draws that agree.",
)
@click.option("--min-matched", type=int, default=None, metavar="M", help="With --given: draw more until M draws match.")
@click.option(
    "--information",
    type=click.Choice(["complete", "private"]),
    default=None,
    help="Override the config's information mode: complete, or private (offers from beliefs).",
)
@click.option("--quiet", is_flag=True, help="No progress output.")
@click.option("--no-report", is_flag=True, help="Do not draw plots and report.html at the end.")
def sweep(
    config,
    draws,
    seed,
    workers,
    scheduler,
    resume,
    grid,
    lhs,
    ranges,
    method,
    samples,
    chunk_rows,
    memory_mib,
    as_json,
    runs_dir,
    out,
    history,
    min_matched,
    information,
    quiet,
    no_report,
):
    """Monte Carlo sweep of CONFIG: outcome odds with 95% intervals, overall and per point.

    With --given HISTORY, also the odds among the draws whose path agrees with every fact of the
    history file (exact rejection), beside the unconditional odds (see docs/forecasting.md)."""
    from negotiation import api
    from negotiation.experiments.designs import spec_from_cli

    api._check_counts(draws, seed, workers)
    loaded = _load(config).with_information(information)
    spec = spec_from_cli(grid, lhs, ranges, draws or 1000, method, samples)
    given = api.history(history, loaded) if history else None
    if min_matched is not None and min_matched < 1:
        raise UserError(f"--min-matched must be at least 1, got {min_matched}")
    say = (lambda s: None) if as_json else click.echo

    where = {}

    def started(folder, plan):
        where["folder"] = folder
        say(
            f"{loaded.scenario.name}: {len(plan.points)} point(s) x {plan.draws} draws, seed {plan.seed}, "
            f"{loaded.structure.information} information; run folder {folder}"
        )

    try:
        done = api.sweep(
            loaded,
            draws,
            seed,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            runs_dir=runs_dir,
            out=out,
            chunk_rows=chunk_rows,
            memory_mib=memory_mib,
            progress=not (quiet or as_json),
            on_start=started,
            given=given,
            min_matched=min_matched,
            spec=spec,
        )
    except KeyboardInterrupt:
        click.echo(f"interrupted; finish with: negotiate sweep {config} --resume {where.get('folder')}", err=True)
        sys.exit(130)
    summary, folder = done.summary, done.folder
    if as_json:
        click.echo(json.dumps(summary, sort_keys=True))
    else:
        lines = _given_table(summary) if "given" in summary else _table(summary, loaded.structure)
        lines += _path_lines(summary)
        if 1 < len(summary["points"]) <= 30:
            lines += _point_lines(summary)
        for name, idx in summary.get("sobol", {}).items():
            ranked = sorted(idx, key=lambda n: -idx[n]["ST"])[:5]
            if idx[ranked[0]]["ST"] > 0:
                lines.append(
                    f"Sobol, P({name}): "
                    + ", ".join(f"{n} S1 {idx[n]['S1']:.2f} ST {idx[n]['ST']:.2f}" for n in ranked)
                )
        lines += [box["text"] for box in summary["conditions"].values()]
        for line in lines:
            click.echo(line)
    _report(folder, as_json, not no_report)
    click.echo(f"run folder: {folder}", err=as_json)


@cli.command()
@click.argument("config")
@click.option("--given", "history", required=True, type=click.Path(), metavar="HISTORY", help="A history file.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The calibrated config to write.")
@click.option("--draws", type=int, default=10_000, show_default=True, help="Draws from the priors.")
@click.option("--seed", type=int, default=0, show_default=True, help="Root seed of the draw table.")
@click.option("--workers", type=int, default=1, show_default=True, help="Local worker processes.")
@click.option("--plot", type=click.Path(dir_okay=False), default=None, help="Draw prior against posterior to a PNG.")
@click.option("--top", type=int, default=10, show_default=True, help="Parameters listed (and drawn, at most 9).")
@click.option("--json", "as_json", is_flag=True, help="Print the calibration as JSON (every parameter).")
@click.option("--quiet", is_flag=True, help="No progress output.")
def calibrate(config, history, output, draws, seed, workers, plot, top, as_json, quiet):
    """The posterior of CONFIG's uncertain parameters given the facts of HISTORY (approximate
    Bayesian computation by exact rejection), written to OUTPUT as a config whose draws take
    the parameters jointly from the stored posterior rows; lists the parameters moved most."""
    from negotiation import api
    from negotiation.experiments.calibration import refuse_existing

    refuse_existing(output)
    if top < 1:
        raise UserError(f"--top must be at least 1, got {top}")
    cal = api.calibrate(config, history, draws, seed, workers, progress=not (quiet or as_json))
    path = cal.write_config(output)
    if plot:
        from negotiation.output.plots import prior_posterior, save_png

        save_png(prior_posterior(cal, min(top, 9)), plot)
    if as_json:
        out = {
            "history": cal.history.source,
            "draws": cal.draws,
            "seed": cal.seed,
            "matched": cal.matched,
            "share": cal.share,
            "stored_rows": len(cal.stored_rows()),
            "config": str(path),
            "parameters": cal.table.to_dict(orient="records"),
        }
        click.echo(json.dumps(out, sort_keys=True))
        return
    click.echo(
        f"given {cal.history.source}: {cal.matched} of {cal.draws} draws agree with every fact ({cal.share:.2%})"
    )
    click.echo(f"{'parameter':<36} {'prior mean':>11} {'posterior mean':>15} {'shift (sd)':>11} {'KS':>6}")
    for row in cal.table.head(top).itertuples():
        means = f"{row.prior_mean:>11.4g} {row.posterior_mean:>15.4g}"
        click.echo(f"{row.parameter:<36} {means} {row.shift:>+11.2f} {row.ks:>6.3f}")
    click.echo(f"wrote {path} ({len(cal.stored_rows())} posterior rows, {cal.thinning()})")
    if plot:
        click.echo(f"plot: {plot}")


@cli.command()
@click.argument("config")
@click.option("--history", "history", required=True, metavar="FILE", help="A history file of dated facts.")
@click.option("--at", "at", required=True, metavar="DATE[,DATE...]", help="Cut dates: forecast the facts after each.")
@click.option("--draws", type=int, default=10_000, show_default=True, help="Monte Carlo draws.")
@click.option("--seed", type=int, default=0, show_default=True, help="Root seed of the draw table.")
@click.option("--workers", type=int, default=1, show_default=True, help="Local worker processes.")
@click.option("--json", "as_json", is_flag=True, help="Print the backtest as JSON.")
@click.option("--plot", default=None, type=click.Path(), metavar="FILE.png", help="Also draw the scores to a PNG.")
def backtest(config, history, at, draws, seed, workers, as_json, plot):
    """Backtest a history file: at each cut date, forecast each later fact from the facts dated
    up to the cut, beside the unconditional forecast, with Brier and log scores (every later fact
    happened; forecasts clipped to [1e-6, 1] for the log score). See docs/forecasting.md."""
    from negotiation import api

    loaded = _load(config)
    result = api.backtest(loaded, history, at, draws, seed, workers)
    if as_json:
        click.echo(json.dumps(result.to_dict(), sort_keys=True))
    else:
        for line in _backtest_lines(result):
            click.echo(line)
    if plot:
        from negotiation.output.plots import save_png
        from negotiation.output.plots.backtest import backtest_scores

        click.echo(f"plot: {save_png(backtest_scores(loaded, result), plot)}", err=as_json)


def _backtest_lines(result) -> list[str]:
    def num(v, fmt=".3f") -> str:
        return "-" if v is None else format(v, fmt)

    width = max(len(f.fact) for f in result.forecasts)
    lines = [
        f"backtest of {result.source}: {result.draws} draws, seed {result.seed}; every later fact happened "
        "(Brier (f-1)^2, log -ln f, f clipped to [1e-6, 1]; lower is better)",
        f"{'cut':<10}  {'fact':<{width}}  {'given':>6}  {'uncond':>6}  {'Brier g':>7}  {'Brier u':>7}  "
        f"{'log g':>6}  {'log u':>6}",
    ]
    for f in result.forecasts:
        lines.append(
            f"{f.cut!s:<10}  {f.fact:<{width}}  {num(f.given):>6}  {num(f.prior):>6}  {num(f.brier_given, '.4f'):>7}  "
            f"{num(f.brier_prior, '.4f'):>7}  {num(f.log_given):>6}  {num(f.log_prior):>6}"
        )
    for c in result.cuts:
        said = "no draw agrees with them: forecasts undefined" if not c.matched else f"{c.matched} draws agree"
        lines.append(
            f"{c.cut}: {c.known} fact(s) known, {said}; {c.later} forecast; mean Brier {num(c.brier_given, '.4f')} "
            f"given vs {num(c.brier_prior, '.4f')} unconditional, mean log {num(c.log_given)} vs {num(c.log_prior)}, "
            f"skill {num(c.skill, '+.2f')}"
        )
    return lines


@cli.command()
@click.argument("run_dir", type=click.Path())
@click.option("--draw", "index", type=int, required=True, help="Row of outcomes.parquet (the draw column).")
@click.option("--no-report", is_flag=True, help="Do not draw plots and report.html at the end.")
@click.option("--json", "as_json", is_flag=True, help="Print only the summary JSON to stdout.")
@click.option("--runs-dir", default="runs", show_default=True, type=click.Path())
def replay(run_dir, index, as_json, runs_dir, no_report):
    """Replay draw I of a sweep in the Mesa driver, narrated, and check it against outcomes.parquet."""
    from negotiation import api

    result, same = api.replay(run_dir, index, None if as_json else click.echo, runs_dir)
    _finish_single(result, as_json, not no_report)
    row = result.model.summary()
    verdict = "matches" if same else "MISMATCH with"
    click.echo(f"{verdict} outcomes.parquet draw {index}: {row['outcome']}, {row['rounds']} rounds", err=as_json)
    if not same:
        sys.exit(1)


@cli.command()
@click.argument("config")
def params(config):
    """List CONFIG's named parameters (the names sweeps use), their values and allowed ranges."""
    from negotiation.cli.params import params_lines

    for line in params_lines(_load(config).space):
        click.echo(line)


@cli.command()
@click.argument("run_dir", type=click.Path())
@click.option("--quiet", is_flag=True, help="Do not list the plots drawn.")
def report(run_dir, quiet):
    """(Re)draw the plots and the self-contained report.html of a run folder."""
    from negotiation.output.report import build_report

    page = build_report(Path(run_dir), quiet=quiet)
    click.echo(f"report: {page}")


@cli.command()
def scenarios():
    """List the bundled scenarios, usable by name from any folder (e.g. `negotiate run nafta_2017`)."""
    from negotiation import api
    from negotiation.errors import ConfigError

    for name in api.scenarios():
        try:
            scn = api.load(name).scenario
        except ConfigError:  # pragma: no cover - bundled scenarios are tested to load
            click.echo(f"{name:<20} (does not load)")
            continue
        n, k = len(scn.parties), len(scn.issues)
        click.echo(f"{name:<20} {scn.name}: {n} parties, {k} issue{'s' if k != 1 else ''}")


@cli.command()
def strategies():
    """List the registered strategies (installed plugins included) with their traits and parameters."""
    from negotiation.strategies import available

    for name, cls in available().items():
        t = cls.traits
        flags = ", ".join(
            f
            for f, on in (
                ("uses deadline", t.uses_deadline),
                ("models opponents", t.models_opponents),
                ("learns", t.learns),
                ("stochastic", t.stochastic),
            )
            if on
        )
        click.echo(f"{name:<22} {cls.summary}")
        click.echo(f"{'':<22} concession: {t.concession}" + (f"; {flags}" if flags else ""))
        params = []
        for pname, spec in cls.params.items():
            if spec.numeric:
                params.append(f"{pname}={spec.default:g} [{spec.low:g}, {spec.high:g}]")
            else:
                params.append(f"{pname}={spec.default}" + (f" ({'|'.join(spec.choices)})" if spec.choices else ""))
        if cls.wraps:
            params.append("+ the base strategy's parameters")
        click.echo(f"{'':<22} params: {', '.join(params) if params else 'none'}")


@cli.command()
@click.argument("config")
@click.option("--strategies", "names", required=True, help="Comma-separated strategy names.")
@click.option("--draws", type=int, default=1000, show_default=True, help="Monte Carlo draws per assignment.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--workers", type=int, default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print only the summary JSON to stdout.")
@click.option("--runs-dir", default="runs", show_default=True, type=click.Path())
@click.option("--out", default=None, type=click.Path())
@click.option("--quiet", is_flag=True, help="No progress output.")
@click.option("--no-report", is_flag=True, help="Do not draw plots and report.html at the end.")
def tournament(config, names, draws, seed, workers, as_json, runs_dir, out, quiet, no_report):
    """Every assignment of the listed strategies to the parties, each a Monte Carlo sweep."""
    from negotiation import api

    loaded = _load(config)
    res = api.tournament(
        loaded, names, draws, seed, workers, runs_dir=runs_dir, out=out, progress=not (quiet or as_json)
    )
    summary, results, st = res.summary, res.summary["assignments"], loaded.structure
    if as_json:
        click.echo(json.dumps(summary, sort_keys=True))
    else:
        shown = [o for o in st.outcomes if any(r["outcomes"][o]["n"] for r in results)]
        head = " ".join(f"{p:>14}" for p in st.parties) + "  " + " ".join(f"{o[:16]:>16}" for o in shown)
        click.echo(head + "  " + " ".join(f"{'u.' + p:>7}" for p in st.parties))
        for r in results:
            row = " ".join(f"{r['assignment'][p][:14]:>14}" for p in st.parties) + "  "
            row += " ".join(f"{r['outcomes'][o]['p']:>16.3f}" for o in shown) + "  "
            row += " ".join(f"{r['mean_utility'][p]:>7.3f}" for p in st.parties)
            click.echo(row)
        for line in _standings_lines(summary):
            click.echo(line)
    _report(res.folder, as_json, not no_report)
    click.echo(f"run folder: {res.folder}", err=as_json)


def _standings_lines(summary: dict) -> list[str]:
    """The strategies ranked by mean utility, with 95% intervals (t; Wilson for the deal rate)."""
    rows = summary.get("standings") or []
    if not rows:
        return []

    def ci(v):
        return f"[{v[0]:.3f}, {v[1]:.3f}]" if v else "n/a"

    width = max(len(r["strategy"]) for r in rows)
    lines = ["standings (mean utility, 95% t interval; deal rate, 95% Wilson interval):"]
    for r in rows:
        lines.append(
            f"  {r['rank']:>2}. {r['strategy']:<{width}}  utility {r['mean_utility']:.3f} {ci(r['mean_utility_ci95'])}"
            f"  deal rate {r['deal_rate']:.3f} {ci(r['deal_rate_ci95'])}"
        )
    return lines


@cli.command()
@click.argument("config")
@click.option("--rounds", type=int, default=10, show_default=True, help="Rounds of challenges to simulate.")
@click.option("--issue", "issues", multiple=True, help="Issue(s) to forecast [default: all].")
@click.option("--json", "as_json", is_flag=True, help="Print the forecast as JSON.")
def forecast(config, rounds, issues, as_json):
    """Bueno de Mesquita expected-utility forecast (Scholz et al. 2011) of each issue, per round."""
    from negotiation import api
    from negotiation.scenario import units

    out = api.forecast(config, rounds, list(issues) or None)
    settled = api.forecast_convergence(config, rounds, list(issues) or None)
    if as_json:
        click.echo(json.dumps(out, sort_keys=True))
        for issue, conv in settled.items():
            if conv["text"]:
                click.echo(f"warning: {issue}: {conv['text']}", err=True)
        return
    loaded = _load(config)
    st = loaded.structure
    for issue, path in out.items():
        i = st.issues.index(issue)
        unit = "" if i in st.options else units.config_of(st, loaded.scenario.issues, i).unit
        click.echo(f"{issue}: forecast (median voter) and weighted mean per round")
        for f in path:
            pos = "  ".join(f"{p} {_shown(v, unit)}" for p, v in f["positions"].items())
            mean = f"{f['mean']:.3f}" if not unit and isinstance(f["forecast"], str) else _shown(f["mean"], unit)
            click.echo(f"  round {f['round']:>3}: forecast {_shown(f['forecast'], unit)}, mean {mean}   {pos}")
        if settled[issue]["text"]:
            click.echo(f"  warning: {settled[issue]['text']}")


def _shown(v, unit: str) -> str:
    """A display-unit value for a person: one decimal and the unit, or an option's name."""
    return v if isinstance(v, str) else f"{v:.1f}{unit}"


@cli.command()
@click.argument("config")
@click.option("--as", "party", required=True, help="The party you play (its id, e.g. CA).")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--draw", default=0, show_default=True, type=int)
@click.option("--runs-dir", default="runs", show_default=True, type=click.Path())
@click.option("--no-report", is_flag=True, help="Do not draw plots and report.html at the end.")
def play(config, party, seed, draw, runs_dir, no_report):
    """Play one party of CONFIG in the terminal against the computer parties."""
    from negotiation import api
    from negotiation.cli.terminal import Quit
    from negotiation.cli.terminal import play as play_game

    api._check_seed(seed, draw)
    loaded = _load(config)
    if party not in loaded.structure.parties:
        raise UserError(f"unknown party {party!r}; parties are {', '.join(loaded.structure.parties)}")

    def ask(prompt):
        click.echo(prompt, nl=False)
        line = sys.stdin.readline()
        if not line:
            click.echo()
            raise EOFError
        if not sys.stdin.isatty():
            click.echo(line.rstrip("\n"))
        return line.rstrip("\n")

    try:
        view, actions = play_game(loaded, seed, draw, party, ask, click.echo)
    except Quit:
        raise UserError("the input ended before the negotiation did; nothing was saved") from None
    model = view.model
    result = api.RunResult(view.summary, model.trace(), [], model.records(), model)
    actions_text = "".join(json.dumps(a.__dict__, sort_keys=True) + "\n" for a in actions)
    folder = api.open_run_folder(loaded, seed, draw, runs_dir, kind="play", extra={"person": party})
    result.folder = api.save_run(folder, result, files={"actions.jsonl": actions_text})
    _report(result.folder, False, not no_report)
    click.echo(f"run folder: {result.folder}")


@cli.command()
@click.argument("config")
@click.option("--max-points", type=int, default=200_000, show_default=True, help="Agreements to enumerate at most.")
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON.")
def analyze(config, max_points, as_json):
    """Pareto frontier, Nash and Kalai-Smorodinsky points, each party's best rational agreement."""
    from negotiation import api

    res = api.analyze(config, max_points)
    if as_json:
        click.echo(json.dumps(res, sort_keys=True))
        return
    click.echo(
        f"{res['agreements']} agreements enumerated, {res['individually_rational']} above every "
        f"reservation, {res['pareto_size']} of those on the Pareto frontier"
    )
    if res["tolerance"]:
        click.echo(
            "grid step (tolerance) per continuous issue: "
            + ", ".join(f"{k} {v:g}" for k, v in res["tolerance"].items())
        )
    click.echo("disagreement point: " + ", ".join(f"{k} {v:.3f}" for k, v in res["disagreement"].items()))
    rows = [("Nash bargaining", res["nash"]), ("Kalai-Smorodinsky", res["kalai_smorodinsky"])]
    rows += [(f"best for {p}", v) for p, v in res["best_for"].items()]
    for label, pt in rows:
        if pt is None:
            click.echo(f"{label:<20} none: no agreement gives every party its reservation")
            continue
        us = "  ".join(f"{p} {v:.3f}" for p, v in pt["utilities"].items())
        terms = ", ".join(f"{k} {v}" for k, v in pt["agreement"].items())
        click.echo(f"{label:<20} {us}   ({terms})")


@cli.command("import-genius")
@click.argument("domain", type=click.Path(dir_okay=False))
@click.argument("profiles", nargs=-1, type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The config file to write.")
@click.option("--rounds", type=int, default=10, show_default=True, help="Weekly rounds in the calendar.")
def import_genius_cmd(domain, profiles, output, rounds):
    """Turn a GENIUS/ANAC domain XML and its profile XMLs into a scenario config."""
    from negotiation.runfolder import write_atomic
    from negotiation.scenario.genius import import_genius
    from negotiation.scenario.loader import load_scenario_text

    if not 1 <= rounds <= 1000:
        raise UserError(f"--rounds must be from 1 to 1000, got {rounds}")
    text = import_genius(Path(domain), [Path(p) for p in profiles], rounds)
    load_scenario_text(text, output)  # what is written must load
    out = Path(output)
    if out.exists():
        raise UserError(f"{output}: already exists; choose another name")
    try:
        write_atomic(out, text)
    except OSError as exc:
        raise UserError(f"{output}: cannot write ({exc.strerror})") from None
    click.echo(f"wrote {output}")


MIN_PASSPHRASE = 8  # characters of an instructor passphrase


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every network).")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on (0: any free port).")
@click.option(
    "--data",
    "data_dir",
    default="runs/classroom",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder of the SQLite file that keeps every room.",
)
@click.option("--threads", default=8, show_default=True, type=int, help="Requests served at once.")
@click.option(
    "--public-url",
    default=None,
    help="The address people reach the server at (e.g. https://class.example.org behind a proxy); "
    "every link shown uses it. Default: the address the server listens on.",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    help="Another host name the server answers to (repeatable); requests for any other name get 400.",
)
@click.option(
    "--instructor-passphrase",
    envvar="NEGOTIATE_INSTRUCTOR_PASSPHRASE",
    default=None,
    help="Whoever types it on the front page may create rooms (also from $NEGOTIATE_INSTRUCTOR_PASSPHRASE). "
    "Without it only the admin key (the printed instructor link) may.",
)
def serve(host, port, data_dir, threads, public_url, allowed_hosts, instructor_passphrase):
    """The classroom web app: rooms, teams playing parties in the browser, a debrief."""
    instructor_passphrase = instructor_passphrase or None  # an empty variable sets nothing
    if instructor_passphrase is not None and len(instructor_passphrase.strip()) < MIN_PASSPHRASE:
        raise UserError(f"--instructor-passphrase must have at least {MIN_PASSPHRASE} characters")
    if not 0 <= port <= 65535:
        raise UserError(f"--port must be from 0 to 65535, got {port}")
    if not 1 <= threads <= 256:
        raise UserError(f"--threads must be from 1 to 256, got {threads}")
    try:
        from negotiation.classroom import serve as run_server
    except ImportError as exc:  # pragma: no cover - flask and waitress are dependencies
        raise UserError(f"the classroom needs flask and waitress ({exc}); pip install flask waitress") from None
    try:
        Path(data_dir).mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{data_dir}: cannot make the data folder ({exc.strerror})") from None
    run_server(
        host,
        port,
        Path(data_dir),
        threads,
        public_url=public_url,
        allowed_hosts=list(allowed_hosts),
        instructor_passphrase=instructor_passphrase,
    )


def main() -> None:
    """Entry point of the ``negotiate`` console script."""
    cli(prog_name="negotiate")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
