"""The report of a run folder: the plots that apply, in ``RUN_DIR/plots/*.png``, and one
self-contained page, ``RUN_DIR/report.html`` (images embedded as base64 data URIs, inline CSS,
no scripts, no external references).

A run folder of kind ``run``, ``replay`` or ``play`` gets each issue's offers round by round in
the issue's units, the joint utility path, the concession paths and a table of rounds; a
``sweep`` gets outcome odds, odds across its points, each point apart (its odds and agreement
dates, small multiples) and the conditions (pooled, then per point), the odds of each path where a bilateral deal
may be joined (section "Paths") and the chapters closed under ``closing: chapters``, agreed
positions, the utility space, the
time to the end of talks and, in a section "Efficiency", how far agreements lie from the Pareto
frontier (and its Sobol indices when it has them), and, run with a history
(``--given``), the odds before and given it and what the history changed; a ``tournament`` gets the
standings of its strategies (mean utility and deal rate with intervals, a pairwise table) and the
deal probability of each strategy assignment. A partial sweep (killed, failed or still running) is
drawn from whatever finished: ``outcomes.parquet``, else the part files in ``parts/``; the page
says so at the top.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from negotiation import __version__
from negotiation.errors import UserError
from negotiation.runfolder import read_manifest, write_atomic
from negotiation.scenario import units

SINGLE = ("run", "replay", "play")  # one negotiation each: a person played a party in "play"
KINDS = (*SINGLE, "sweep", "tournament")
PARTS = "parts"
PLOTS = "plots"

# Every plot a report may draw: file name and caption. The page shows them in this order.
CAPTIONS = {
    "outcome_odds.png": "Probability of each outcome class over all draws; error bars are 95% Wilson intervals.",
    "given_odds.png": (
        "Probability of each outcome class over all draws (prior) and among the draws whose path agrees "
        "with every fact of the history (given); error bars are 95% Wilson intervals."
    ),
    "odds_per_point.png": (
        "Outcome odds at each sweep point apart, one panel per point on a shared axis; "
        "error bars are 95% Wilson intervals."
    ),
    "dates_per_point.png": (
        "Agreement dates at each sweep point apart (monthly bins, as a share of the point's draws); "
        "dashed: the point's median agreement date."
    ),
    "sweep_points.png": "How each outcome's probability changes across the sweep points, with 95% intervals.",
    "agreed_positions.png": "Where agreements landed on each issue, with the status quo and each party's ideal.",
    "utility_space.png": (
        "Final utilities of the agreements, pair by pair, with mean reservations, the Pareto frontier "
        "and the Nash bargaining point."
    ),
    "time_to_agreement.png": "Rounds played and end dates, stacked by outcome class.",
    "pareto_gaps.png": (
        "Pareto gaps of the agreements, deals and bilateral deals apart: a histogram of the gaps off the "
        "frontier (shares of each kind's agreements) and the share of agreements with a gap up to each value."
    ),
    "offers_by_issue.png": (
        "Each party's offer on each issue, round by round, in the issue's units (filled markers: offers "
        "someone accepted; dotted: the agreed term)."
    ),
    "joint_utility.png": (
        "Joint utility path: each offer on the table, proposer by proposer, and its utility to every party "
        "per round (dotted: each party's reservation)."
    ),
    "concession_paths.png": (
        "Each party's target and the utility to it of every offer, round by round, with calendar events."
    ),
    "tournament_standings.png": (
        "Each strategy's mean utility (95% t intervals over draw rows) and deal rate (95% Wilson intervals), "
        "best first, and the pairwise mean utility of each strategy against each other one."
    ),
    "tournament_deal_odds.png": "Probability of a deal for each assignment of strategies to parties (95% intervals).",
    "sobol.png": "Sobol indices: the share of each outcome's variance across points due to each parameter.",
}


EFFICIENCY_PLOTS = ("pareto_gaps.png",)  # shown in the section "Efficiency", not under "Plots"
POINT_PLOTS = ("odds_per_point.png", "dates_per_point.png")  # shown in the section "Per sweep point"


@dataclass
class RunData:
    """What a run folder holds, read for the report."""

    path: Path
    manifest: dict
    loaded: object = None  # negotiation.scenario.loader.Loaded
    summary: dict | None = None
    table: pa.Table | None = None  # sweep rows (columns of outcomes.parquet, no param.*)
    source: object = None  # where the full sweep rows are: a parquet path, or a table of parts
    history: list[dict] | None = None
    tournament: pa.Table | None = None
    planned_draws: int | None = None
    notes: list[str] = field(default_factory=list)  # what is partial or missing, said at the top
    partial: bool = False

    @property
    def kind(self) -> str:
        return str(self.manifest.get("kind"))


# --- reading a run folder ----------------------------------------------------------------------


def _read_json(path: Path, data: RunData, what: str):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        data.notes.append(f"{what} is unreadable ({exc}); it is left out.")
        return None


def _light_columns(schema: pa.Schema) -> list[str]:
    return [n for n in schema.names if not n.startswith("param.")]


def _read_parts(folder: Path, data: RunData) -> pa.Table | None:
    tables = []
    for part in sorted((folder / PARTS).glob("*.arrow")):
        try:
            with pa.memory_map(str(part), "r") as src:
                tables.append(pa.ipc.open_file(src).read_all())
        except (OSError, pa.ArrowInvalid) as exc:
            data.notes.append(f"part file {part.name} is unreadable ({exc}); its draws are left out.")
    if not tables:
        return None
    try:
        table = pa.concat_tables(tables)
    except pa.ArrowInvalid as exc:
        data.notes.append(f"the part files do not agree on their columns ({exc}).")
        return None
    return table  # in draw order: part names are the zero-padded first draw of each chunk


def load_run(run_dir) -> RunData:
    """Read a run folder: manifest, resolved config, summary and the data its plots need.

    Raises ``UserError`` (one line) for a folder that is not a run folder, or one whose kind
    has no report, or whose config cannot be read."""
    from negotiation.scenario.loader import load_scenario

    folder = Path(run_dir)
    manifest = read_manifest(folder)
    if not isinstance(manifest, dict) or manifest.get("kind") not in KINDS:
        kind = manifest.get("kind") if isinstance(manifest, dict) else None
        raise UserError(f"{folder}: a {kind!r} run folder has no report; expected one of {', '.join(KINDS)}")
    data = RunData(folder, manifest)
    status = manifest.get("status")
    if status != "complete":
        data.partial = True
        data.notes.append(
            f"The run's status is {status!r}, not 'complete': "
            + {
                "running": "it was still running or was killed without a chance to record it.",
                "partial": "it was interrupted.",
                "failed": "it stopped on an error.",
            }.get(str(status), "its results may be incomplete.")
        )
    config = folder / "config.yaml"
    if not config.exists():
        raise UserError(f"{folder}: no config.yaml in the run folder; cannot draw its report")
    data.loaded = load_scenario(config)
    data.summary = _read_json(folder / "summary.json", data, "summary.json")
    if data.kind in SINGLE:
        _load_single(folder, data)
    elif data.kind == "sweep":
        _load_sweep(folder, data)
    else:
        _load_tournament(folder, data)
    return data


def _load_single(folder: Path, data: RunData) -> None:
    path = folder / "rounds.jsonl"
    if not path.exists():
        data.notes.append("rounds.jsonl is missing: there is no round-by-round trace to draw.")
        return
    history: list[dict] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        data.notes.append(f"rounds.jsonl is unreadable ({exc.strerror}).")
        return
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            history.append(json.loads(line))
        except ValueError as exc:
            data.partial = True
            data.notes.append(f"rounds.jsonl is damaged at line {n} ({exc}); the rounds before it are drawn.")
            break
    data.history = history


def _load_sweep(folder: Path, data: RunData) -> None:
    m = data.manifest
    points = m.get("points") or [{}]
    per_point = m.get("draws_per_point")
    data.planned_draws = per_point * len(points) if isinstance(per_point, int) else None
    parquet = folder / "outcomes.parquet"
    if parquet.exists():
        try:
            schema = pq.read_schema(parquet)
            strings = [f.name for f in schema if pa.types.is_string(f.type)]
            pf = pq.ParquetFile(parquet, read_dictionary=strings)
            data.table = pf.read(columns=_light_columns(schema))
            data.source = parquet
        except (OSError, pa.ArrowInvalid) as exc:
            data.notes.append(f"outcomes.parquet is unreadable ({exc}); reading the part files instead.")
    if data.table is None:
        parts = _read_parts(folder, data)
        if parts is not None:
            data.partial = True
            data.table = parts.select(_light_columns(parts.schema))
            data.source = parts
            planned = f" of {data.planned_draws:,} planned" if data.planned_draws else ""
            data.notes.append(
                f"outcomes.parquet is missing: drawn from the {parts.num_rows:,} finished draws{planned} "
                f"in {PARTS}/ (finish the sweep with: negotiate sweep CONFIG --resume {folder})."
            )
        else:
            data.notes.append("no finished draws: neither outcomes.parquet nor part files.")
    if data.table is not None and (data.summary is None or data.partial or "outcomes" not in data.summary):
        data.summary = {**(data.summary or {}), **_summary_from_rows(data, points)}
    short = data.planned_draws and data.table is not None and data.table.num_rows < data.planned_draws
    if short and not any("finished draws" in n for n in data.notes):
        data.partial = True
        data.notes.append(f"only {data.table.num_rows:,} of {data.planned_draws:,} planned draws are present.")


def _summary_from_rows(data: RunData, points: list[dict]) -> dict:
    """Outcome and path odds overall and per point (and the chapters closed), counted from the
    rows at hand."""
    from negotiation.experiments.sweep import Tally

    point = data.table.column("point").to_numpy().astype(np.int64)
    n_points = max(len(points), int(point.max()) + 1 if len(point) else 0)
    tally = Tally(data.loaded.structure, n_points)
    tally.add(data.table)
    return {
        "seed": data.manifest.get("seed"),
        "draws_per_point": data.manifest.get("draws_per_point"),
        **tally.summary(points),
    }


def _load_tournament(folder: Path, data: RunData) -> None:
    import pyarrow.csv as pacsv

    path = folder / "tournament.csv"
    if not path.exists():
        data.notes.append("tournament.csv is missing: no per-assignment odds to draw.")
        return
    try:
        data.tournament = pacsv.read_csv(path)
    except (OSError, pa.ArrowInvalid) as exc:
        data.notes.append(f"tournament.csv is unreadable ({exc}).")


def _param_rows(data: RunData, rows: np.ndarray) -> pa.Table:
    """The columns the utility-space plot needs (``param.*`` included) of the sweep rows at
    positions ``rows`` (sorted), read row group by row group so that a large
    ``outcomes.parquet`` is never held whole."""
    if isinstance(data.source, pa.Table):
        return data.source.take(pa.array(rows))
    pf = pq.ParquetFile(data.source)
    names = [n for n in pf.schema_arrow.names if n in ("point", "outcome") or n.startswith(("u.", "param."))]
    pieces, start = [], 0
    for k in range(pf.metadata.num_row_groups):  # one row group (50,000 rows) at a time
        group = pf.read_row_group(k, columns=names, use_threads=False)
        end = start + group.num_rows
        lo, hi = np.searchsorted(rows, [start, end])
        if hi > lo:
            pieces.append(group.take(pa.array(rows[lo:hi] - start)))
        start, group = end, None
    return pa.concat_tables(pieces)


# --- drawing -----------------------------------------------------------------------------------


def draw_plots(data: RunData, out: Path, say=None) -> tuple[list[Path], list[str]]:
    """Draw every figure that applies and save each as ``out/<name>.png``; return the paths
    written and the problems met."""
    from negotiation.output import plots

    out.mkdir(parents=True, exist_ok=True)
    loaded, summary = data.loaded, data.summary or {}
    jobs = []  # (file name, a function returning a Figure or None)
    if data.kind in SINGLE and data.history:
        jobs.append(("offers_by_issue.png", lambda: plots.offers_by_issue(loaded, data.history, data.summary)))
        jobs.append(("joint_utility.png", lambda: plots.joint_utility(loaded, data.history, data.summary)))
        jobs.append(("concession_paths.png", lambda: plots.concession_paths(loaded, data.history, data.summary)))
    if data.kind == "sweep" and data.table is not None and data.table.num_rows:
        points = data.manifest.get("points") or [{}]
        n = summary.get("n_draws")
        pooled = f"pooled over {len(points)} sweep points, " if len(points) > 1 else ""
        title = f"{loaded.scenario.name}: outcome odds ({pooled}{n:,} draws; bars: 95% Wilson intervals)"
        jobs.append(("outcome_odds.png", lambda: plots.outcome_odds(loaded, summary["outcomes"], n, title)))
        if summary.get("given"):
            g = summary["given"]
            jobs.append(
                ("given_odds.png", lambda: plots.given_odds(loaded, summary["outcomes"], g["outcomes"], g["matched"]))
            )
        shown = [pt for pt in summary.get("points", []) if pt.get("n_draws")]
        if len(shown) < len(summary.get("points", [])):
            data.notes.append(
                f"{len(summary['points']) - len(shown)} sweep point(s) have no finished draw and are not drawn."
            )
        jobs.append(("sweep_points.png", lambda: plots.sweep_odds(loaded, shown)))
        if len(points) > 1:
            jobs.append(("odds_per_point.png", lambda: plots.odds_per_point(loaded, summary.get("points", []))))
            jobs.append(
                ("dates_per_point.png", lambda: plots.dates_per_point(loaded, data.table, summary.get("points", [])))
            )
        jobs.append(("agreed_positions.png", lambda: plots.agreed_positions(loaded, data.table)))
        jobs.append(("utility_space.png", lambda: _utility_space(plots, data, points)))
        jobs.append(("time_to_agreement.png", lambda: plots.time_to_agreement(loaded, data.table)))
        jobs.append(("pareto_gaps.png", lambda: plots.pareto_gaps(loaded, data.table)))
        if summary.get("sobol"):
            jobs.append(("sobol.png", lambda: plots.sobol_sensitivity(summary["sobol"])))
    if data.kind == "tournament" and summary.get("standings"):
        jobs.append(("tournament_standings.png", lambda: plots.tournament_standings(loaded, summary)))
    if data.kind == "tournament" and data.tournament is not None:
        jobs.append(("tournament_deal_odds.png", lambda: plots.tournament_deal_odds(loaded, data.tournament)))
    drawn, problems = [], []
    for name, job in jobs:
        path = out / name
        try:
            fig = job()
            got = None if fig is None else plots.save_png(fig, path)
        except Exception as exc:  # one plot that fails must not lose the others: say so on the page
            problems.append(f"could not draw {name}: {type(exc).__name__}: {exc}")
            got = None
        if got is not None:
            drawn.append(Path(got))
            if say:
                say(f"report: drew {Path(got)}")
    # Plots of an earlier report that no longer apply would be stale: remove them.
    for name in CAPTIONS:
        path = out / name
        if path.exists() and path not in drawn:
            path.unlink()
    return drawn, problems


def _utility_space(plots, data: RunData, points):
    st = data.loaded.structure
    outcome = plots.column_array(data.table, "outcome")
    agree = np.flatnonzero(np.isin(outcome, plots.agreement_outcomes(st)))
    if agree.size == 0:
        return None
    rows = agree[plots.even_subsample(agree.size, plots.MAX_SCATTER)]
    return plots.utility_space(data.loaded, _param_rows(data, rows), points, n_agreements=int(agree.size))


# --- the page ----------------------------------------------------------------------------------

CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #111; background: #fff;
       max-width: 1150px; margin: 1.5em auto; padding: 0 1.2em; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.1em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #bbb; padding-bottom: 0.15em; margin-top: 1.6em; }
.sub { color: #444; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.93em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.wide { overflow-x: auto; }
td.nowrap { white-space: nowrap; }
tr.first td { border-top: 2px solid #777; }
code { font-family: "SFMono-Regular", Consolas, Menlo, monospace; font-size: 0.92em; word-break: break-all; }
.warn { border: 3px solid #b00; background: #fff3f0; padding: 0.7em 1em; margin: 1em 0; }
.warn strong { color: #900; font-size: 1.1em; }
figure { margin: 1.4em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { color: #333; font-size: 0.95em; margin-top: 0.3em; }
footer { color: #666; font-size: 0.85em; margin-top: 2em; border-top: 1px solid #ddd; padding-top: 0.5em; }
"""


def _e(text) -> str:
    """HTML-escaped text, with ``://`` written as character references so that no address in
    user text (a config's description, a command line) is a literal URL in the page."""
    return html.escape(str(text)).replace("://", ":&#47;&#47;")


def _row(*cells, header=False) -> str:
    tag = "th" if header else "td"
    out = []
    for c in cells:
        if isinstance(c, tuple):  # (text, css class)
            out.append(f'<{tag} class="{c[1]}">{_e(c[0])}</{tag}>')
        else:
            out.append(f"<{tag}>{_e(c)}</{tag}>")
    return "<tr>" + "".join(out) + "</tr>"


def _run_facts(data: RunData) -> list[tuple[str, object]]:
    m, s = data.manifest, data.summary or {}
    scn = data.loaded.scenario
    facts = [
        ("scenario", scn.name),
        ("config", m.get("config")),
        ("command", m.get("command")),
        ("kind", m.get("kind")),
        ("seed", m.get("seed")),
    ]
    if data.kind in SINGLE:
        facts.append(("draw (row of the draw table)", m.get("draw", s.get("draw"))))
    elif data.kind == "sweep":
        points = m.get("points") or [{}]
        done = data.table.num_rows if data.table is not None else 0
        planned = data.planned_draws
        facts.append(("draws per point", m.get("draws_per_point")))
        facts.append(("sweep points", len(points)))
        facts.append(("draws", f"{done:,}" + (f" of {planned:,} planned" if planned and planned != done else "")))
    else:
        facts.append(("strategies", ", ".join(m.get("strategies") or [])))
        facts.append(("draws per assignment", m.get("draws_per_assignment")))
    facts += [
        ("version", m.get("version")),
        ("config hash", m.get("config_hash")),
        ("status", m.get("status")),
        ("started", m.get("started")),
        ("finished", m.get("finished")),
        ("run folder", data.path.resolve().name),
    ]
    return facts


def _odds_table(outcomes: dict, order: list[str]) -> str:
    from negotiation.output.plots import outcome_label

    rows = [_row("outcome", "p", "95% interval", "n", header=True)]
    for o in [o for o in order if o in outcomes]:
        v = outcomes[o]
        lo, hi = v["ci95"]
        rows.append(_row(outcome_label(o), (f"{v['p']:.4f}", "num"), (f"[{lo:.4f}, {hi:.4f}]", "num"), (v["n"], "num")))
    return "<table>" + "".join(rows) + "</table>"


def _paths_section(data: RunData) -> str:
    """The odds of every path the talks could take, where a bilateral deal may be joined, and
    under chapter closing the share of draws that ended with each chapter closed. Empty when
    neither applies (or the summary predates them)."""
    from negotiation.kernel.codes import PATH_STEP, path_names
    from negotiation.output.plots import path_label

    s, st = data.summary or {}, data.loaded.structure
    out = []
    paths = s.get("paths") or {}
    if any(PATH_STEP in name for name in paths):
        order = path_names(st.outcomes, [bool(a) for a in st.accession])
        paths = {n: paths[n] for n in [*order, *sorted(paths)] if n in paths}
        out.append(
            "<h2>Paths</h2><p>A path is how the talks ended and by which steps: an outcome class, or "
            "<em>bilateral A-B, then deal</em> when A and B signed a bilateral deal and the party left out "
            "joined it in its accession window (a bilateral path is one nobody joined). "
            "Wilson 95% intervals.</p>"
        )
        rows = [_row("path", "p", "95% interval", "n", header=True)]
        for name, v in paths.items():
            lo, hi = v["ci95"]
            rows.append(
                _row(path_label(name), (f"{v['p']:.4f}", "num"), (f"[{lo:.4f}, {hi:.4f}]", "num"), (v["n"], "num"))
            )
        out.append('<table id="paths">' + "".join(rows) + "</table>")
    ch = s.get("chapters")
    if ch:
        cfg = (st, data.loaded.scenario.issues)
        out.append(
            "<h2>Chapters</h2><p>Under chapter closing each issue is a chapter, closed when every party "
            "accepts its term in the single text. Share of draws that ended with each chapter closed "
            f"(Wilson 95% intervals); on average {ch['mean_closed']:.2f} of {st.n_issues} closed and "
            f"{ch['mean_reopened']:.2f} reopenings per draw.</p>"
        )
        rows = [_row("chapter", "closed at the end", "95% interval", "n", header=True)]
        for issue in [i for i in st.issues if i in ch["closed"]]:
            v = ch["closed"][issue]
            lo, hi = v["ci95"]
            label = _issue(cfg, issue)
            rows.append(_row(label, (f"{v['p']:.4f}", "num"), (f"[{lo:.4f}, {hi:.4f}]", "num"), (v["n"], "num")))
        out.append('<table id="chapters">' + "".join(rows) + "</table>")
    return "\n".join(out)


def _points_table(points: list[dict], order: list[str], limit: int = 60, count: str = "draws") -> str:
    from negotiation.output.plots import outcome_label

    seen = [o for o in order if any(pt["outcomes"].get(o, {}).get("n") for pt in points)]
    names = []
    for pt in points:
        names += [n for n in pt["params"] if n not in names]
    head = ["point", *names, count] + [f"P({outcome_label(o)}) [95%]" for o in seen]
    rows = [_row(*head, header=True)]
    for k, pt in enumerate(points[:limit]):
        cells = [(k, "num")] + [(_num(pt["params"].get(n, "")), "num") for n in names] + [(pt["n_draws"], "num")]
        for o in seen:
            v = pt["outcomes"][o]
            cells.append((f"{v['p']:.3f} [{v['ci95'][0]:.3f}, {v['ci95'][1]:.3f}]", "num"))
        rows.append(_row(*cells))
    more = ""
    if len(points) > limit:
        more = f"<p>(first {limit} of {len(points)} points shown; all are in summary.json)</p>"
    return "<table>" + "".join(rows) + "</table>" + more


def _given_section(data: RunData) -> str:
    """Prior and given odds side by side, the facts, the matched draws, the given agreement date
    and terms, what the history changed, and the given odds per point."""
    from negotiation.output.plots import outcome_label

    s, st = data.summary, data.loaded.structure
    g = s["given"]
    shown = [o for o in st.outcomes if s["outcomes"].get(o, {}).get("n") or g["outcomes"].get(o, {}).get("n")]
    as_of = f" (as of {g['as_of']})" if g.get("as_of") else ""
    out = [
        "<h2>Given the history</h2>",
        f"<p>History <code>{_e(g['history'])}</code>{_e(as_of)}: <strong>{g['matched']:,}</strong> of "
        f"{s['n_draws']:,} draws ({100 * g['share']:.2f}%) agree with every fact (exact rejection). Facts:</p>",
        "<ul>" + "".join(f"<li><code>{_e(f)}</code></li>" for f in g["facts"]) + "</ul>",
    ]
    rows = [_row("outcome", "prior p", "prior 95% interval", "given p", "given 95% interval", "change", header=True)]
    for o in shown:
        a, b = s["outcomes"][o], g["outcomes"][o]
        rows.append(
            _row(
                outcome_label(o),
                (f"{a['p']:.4f}", "num"),
                (f"[{a['ci95'][0]:.4f}, {a['ci95'][1]:.4f}]", "num"),
                (f"{b['p']:.4f}", "num"),
                (f"[{b['ci95'][0]:.4f}, {b['ci95'][1]:.4f}]", "num"),
                (f"{b['p'] - a['p']:+.4f}", "num"),
            )
        )
    out.append('<table id="given-odds">' + "".join(rows) + "</table>")
    if g.get("agreement_date"):
        d = g["agreement_date"]
        out.append("<h3>Given: agreement date and agreed terms</h3>")
        out.append("<p>Among the matched draws that end in an agreement (quantiles).</p>")
        rows = [_row("", *d, header=True), _row("agreement date", *[(d[q], "num") for q in d])]
        out.append('<table id="given-date">' + "".join(rows) + "</table>")
        out.append(_terms_table(data, g.get("terms") or {}))
    out.append("<h3>What the history changed</h3>" + _changed_table(data, shown))
    pts = g.get("points") or []
    if len(pts) > 1:
        given_pts = [{"params": pt["params"], "n_draws": pt["matched"], "outcomes": pt["outcomes"]} for pt in pts]
        table = _points_table(given_pts, st.outcomes, count="matched")
        out.append("<h3>Per sweep point, given the history</h3>" + table)
    return "\n".join(out)


def _terms_table(data: RunData, terms: dict) -> str:
    cfg = (data.loaded.structure, data.loaded.scenario.issues)
    numeric = {i: t for i, t in terms.items() if "q50" in t}
    rows = []
    if numeric:
        qs = list(next(iter(numeric.values())))
        rows.append(_row("issue", *qs, header=True))
        for issue, t in numeric.items():
            rows.append(_row(_issue(cfg, issue, unit=True), *[(f"{t[q]:.2f}", "num") for q in qs]))
    table = '<table id="given-terms">' + "".join(rows) + "</table>" if rows else ""
    for issue, t in terms.items():
        if issue not in numeric:
            rows = [_row(f"{_issue(cfg, issue)}: option", "share of agreements", header=True)]
            rows += [_row(a, (f"{v:.3f}", "num")) for a, v in t.items()]
            table += "<table>" + "".join(rows) + "</table>"
    return table


def _issue(cfg: tuple, issue: str, unit: bool = False) -> str:
    """A (kernel) issue's label, with its display unit in brackets when ``unit``; ``cfg`` is the
    structure and the config's issues."""
    st, issues = cfg
    i = st.issues.index(issue)
    label, shown = units.label(st, issues, i), units.config_of(st, issues, i).unit.strip()
    return f"{label} ({shown})" if unit and shown else label


def prior_paths(data: RunData) -> dict:
    """The agreement-date and agreed-term quantiles over all draws of the sweep (from the rows
    of ``outcomes.parquet``), worked out as the given ones are, for a like-for-like comparison."""
    from negotiation.experiments.history import matched_summary
    from negotiation.experiments.statistics import outcome_block

    table = data.table
    return matched_summary(data.loaded.structure, table, np.ones(table.num_rows, dtype=bool), outcome_block)


def _changed_table(data: RunData, shown: list[str]) -> str:
    """Outcome odds, the median agreement date and each agreed term's median (or each option's
    share), before and given the history."""
    from negotiation.output.plots import outcome_label

    s, g = data.summary, data.summary["given"]
    cfg = (data.loaded.structure, data.loaded.scenario.issues)
    rows = [_row("", "prior", "given", "change", header=True)]
    for o in shown:
        a, b = s["outcomes"][o]["p"], g["outcomes"][o]["p"]
        rows.append(_row(f"P({outcome_label(o)})", (f"{a:.4f}", "num"), (f"{b:.4f}", "num"), (f"{b - a:+.4f}", "num")))
    prior = prior_paths(data) if data.table is not None else {}
    if prior.get("agreement_date") and g.get("agreement_date"):
        a, b = prior["agreement_date"]["q50"], g["agreement_date"]["q50"]
        days = (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days
        rows.append(_row("median agreement date", (a, "num"), (b, "num"), (f"{days:+d} days", "num")))
    for issue, t in (g.get("terms") or {}).items():
        p = (prior.get("terms") or {}).get(issue)
        if p is None:
            continue
        if "q50" in t:
            a, b = p["q50"], t["q50"]
            label = f"median {_issue(cfg, issue, unit=True)}"
            rows.append(_row(label, (f"{a:.2f}", "num"), (f"{b:.2f}", "num"), (f"{b - a:+.2f}", "num")))
        else:
            for option in sorted(set(p) | set(t)):
                a, b = p.get(option, 0.0), t.get(option, 0.0)
                rows.append(
                    _row(
                        f"share {_issue(cfg, issue)}: {option}",
                        (f"{a:.3f}", "num"),
                        (f"{b:.3f}", "num"),
                        (f"{b - a:+.3f}", "num"),
                    )
                )
    return '<table id="given-changed">' + "".join(rows) + "</table>"


def _efficiency_section(data: RunData, drawn: list[Path]) -> str:
    """The Pareto gaps of the agreements: one line over all of them (mean, median, share on the
    frontier), the same by kind of agreement and per sweep point, and their figure. Empty for
    rows without the column (runs of older versions)."""
    from negotiation.kernel.efficiency import ON_FRONTIER
    from negotiation.output.plots import agreement_outcomes, column_array, outcome_label
    from negotiation.output.plots.data import gap_groups, gap_stats

    st, table = data.loaded.structure, data.table
    groups = gap_groups(st, table)
    if not groups:
        return ""
    every = gap_stats(np.concatenate([g for _, g in groups]))
    frontier = f"gap &lt; {ON_FRONTIER:g}"
    out = [
        "<h2>Efficiency</h2>",
        "<p>The <em>Pareto gap</em> of an agreement is the largest gain in utility that every party to it "
        "could still have had at once, with the true preferences, over the weighted-sum Pareto points "
        "(docs/model.md, section 2). An agreement on the Pareto frontier has a gap of 0.</p>",
        f'<p id="efficiency-line">Over {every["n"]:,} agreements: mean gap {every["mean"]:.4f}, median '
        f"{every['median']:.4f}; {100 * every['frontier']:.1f}% on the frontier ({frontier}).</p>",
    ]
    rows = [_row("agreements", "n", "mean gap", "median gap", "on the frontier", header=True)]
    for name, gaps in groups:
        g = gap_stats(gaps)
        rows.append(_row(outcome_label(name), *_gap_cells(g)))
    out.append('<table id="efficiency">' + "".join(rows) + "</table>")
    points = data.manifest.get("points") or [{}]
    if len(points) > 1:
        gap = column_array(table, "pareto_gap")
        agreed = np.isin(column_array(table, "outcome"), agreement_outcomes(st))
        point = column_array(table, "point")
        names = []
        for pt in points:
            names += [n for n in pt if n not in names]
        rows = [_row("point", *names, "agreements", "mean gap", "median gap", "on the frontier", header=True)]
        for k, pt in enumerate(points[:60]):
            g = gap_stats(gap[agreed & (point == k)])
            rows.append(_row((k, "num"), *[(_num(pt.get(n, "")), "num") for n in names], *_gap_cells(g)))
        more = f"<p>(first 60 of {len(points)} points shown)</p>" if len(points) > 60 else ""
        out.append('<h3>Per sweep point</h3><table id="efficiency-points">' + "".join(rows) + "</table>" + more)
    out += [_figure(path) for path in drawn if path.name in EFFICIENCY_PLOTS]
    return "\n".join(out)


def _gap_cells(g: dict) -> list[tuple[str, str]]:
    if not g["n"]:
        return [("0", "num"), ("", "num"), ("", "num"), ("", "num")]
    return [
        (f"{g['n']:,}", "num"),
        (f"{g['mean']:.4f}", "num"),
        (f"{g['median']:.4f}", "num"),
        (f"{100 * g['frontier']:.1f}%", "num"),
    ]


def _figure(path: Path) -> str:
    """A drawn plot embedded in the page, with its file name and caption."""
    b64 = base64.b64encode(path.read_bytes()).decode("ascii")
    caption = CAPTIONS.get(path.name, path.stem.replace("_", " "))
    return (
        f'<figure><img src="data:image/png;base64,{b64}" alt="{_e(path.stem.replace("_", " "))}">'
        f"<figcaption><code>{PLOTS}/{_e(path.name)}</code>: {_e(caption)}</figcaption></figure>"
    )


def _num(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _single_table(data: RunData) -> str:
    from negotiation.output.plots import outcome_label

    s = data.summary or {}
    if not s:
        return "<p>No summary.json: the run did not finish.</p>"
    st, cfg = data.loaded.structure, data.loaded.scenario.issues
    rows = [_row("outcome", outcome_label(s.get("outcome", "?")))]
    rows.append(_row("rounds", s.get("rounds")))
    rows.append(_row("end date", s.get("date")))
    for i, issue in enumerate(st.issues):
        v = (s.get("agreement") or {}).get(issue)
        if v is not None:  # display units already (74.1, not 0.741), or an option's name
            rows.append(_row(f"agreed: {units.label(st, cfg, i)}", units.display_text(st, cfg, i, v)))
    table = "<table>" + "".join(rows) + "</table>"
    prow = [_row("party", "final utility", "reservation (walk-away, with stakes)", header=True)]
    for p in st.parties:
        u = (s.get("utilities") or {}).get(p)
        r = (s.get("reservations") or {}).get(p)
        prow.append(_row(p, (f"{u:.3f}" if u is not None else "", "num"), (f"{r:.3f}" if r is not None else "", "num")))
    return table + "<table>" + "".join(prow) + "</table>"


def _tournament_table(data: RunData) -> str:
    from negotiation.output.plots import outcome_label

    s = data.summary or {}
    results = s.get("assignments") or []
    if not results:
        return "<p>No summary.json: the tournament did not finish.</p>"
    st = data.loaded.structure
    shown = [o for o in st.outcomes if any(r["outcomes"].get(o, {}).get("n") for r in results)]
    head = [*st.parties] + [f"P({outcome_label(o)}) [95%]" for o in shown] + [f"mean u.{p}" for p in st.parties]
    rows = [_row(*head, header=True)]
    for r in sorted(results, key=lambda r: -r["outcomes"]["deal"]["p"]):
        cells = [r["assignment"].get(p, "") for p in st.parties]
        for o in shown:
            v = r["outcomes"][o]
            cells.append((f"{v['p']:.3f} [{v['ci95'][0]:.3f}, {v['ci95'][1]:.3f}]", "num"))
        cells += [(f"{r['mean_utility'][p]:.3f}", "num") for p in st.parties]
        rows.append(_row(*cells))
    return "<table>" + "".join(rows) + "</table>"


def render_html(data: RunData, drawn: list[Path], problems: list[str]) -> str:
    """The report page as one self-contained HTML string."""
    from negotiation.output.report_points import conditions_section, per_point_section
    from negotiation.output.report_rounds import rounds_section
    from negotiation.output.report_standings import standings_section

    scn = data.loaded.scenario
    st = data.loaded.structure
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(scn.name)}: {_e(data.kind)} report</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{_e(scn.name)}</h1>",
        f'<p class="sub">Report of a <strong>{_e(data.kind)}</strong> run folder, '
        f"<code>{_e(data.path.name)}</code></p>",
    ]
    if data.partial or problems:
        title = "Partial results." if data.partial else "Some plots could not be drawn."
        items = "".join(f"<li>{_e(n)}</li>" for n in data.notes + problems)
        parts.append(f'<div class="warn" role="alert"><strong>{title}</strong><ul>{items}</ul></div>')
    elif data.notes:
        parts.append("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in data.notes) + "</ul>")
    if scn.description:
        parts.append(f"<p>{_e(scn.description)}</p>")
    parts.append("<h2>What was run</h2><table>")
    parts += [f"<tr><th>{_e(k)}</th><td>{_e(v if v is not None else '')}</td></tr>" for k, v in _run_facts(data)]
    parts.append("</table>")

    s = data.summary or {}
    placed: tuple[str, ...] = ()  # plots shown in a section of their own, not under "Plots"
    if data.kind == "sweep" and s.get("outcomes"):
        word = "so far " if data.partial else ""
        parts.append(f"<h2>Outcome odds</h2><p>{s.get('n_draws', 0):,} draws {word}(Wilson 95% intervals).</p>")
        parts.append(_odds_table(s["outcomes"], st.outcomes))
        pts = [pt for pt in s.get("points", []) if pt.get("n_draws")]
        if len(pts) > 1:
            parts.append(per_point_section(data, drawn))
            placed += POINT_PLOTS
        parts.append(conditions_section(data))
        parts.append(_paths_section(data))
        if s.get("given"):
            parts.append(_given_section(data))
        efficiency = _efficiency_section(data, drawn) if data.table is not None else ""
        if efficiency:
            parts.append(efficiency)
            placed += EFFICIENCY_PLOTS
    elif data.kind in SINGLE:
        parts.append("<h2>Outcome</h2>" + _single_table(data))
    elif data.kind == "tournament":
        parts.append(standings_section(data))
        parts.append("<h2>Odds per strategy assignment</h2>" + _tournament_table(data))

    parts.append("<h2>Plots</h2>")
    order = {name: k for k, name in enumerate(CAPTIONS)}
    for path in sorted(drawn, key=lambda p: order.get(p.name, len(order))):
        if path.name not in placed:
            parts.append(_figure(path))
    if data.kind in SINGLE and data.history:
        parts.append(rounds_section(data))
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    parts.append(f"<footer>Drawn by negotiation-sim {_e(__version__)} on {_e(stamp)}.</footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def build_report(run_dir: Path, quiet: bool = False) -> Path:
    """Draw the plots of a run folder into ``RUN_DIR/plots/`` and write ``RUN_DIR/report.html``.

    Returns the path of the page. Raises ``UserError`` (one line) when the folder is not a run
    folder, or when nothing at all can be drawn. Prints a line per plot on stderr unless quiet.
    """
    folder = Path(run_dir)
    data = load_run(folder)
    say = None if quiet else (lambda line: print(line, file=sys.stderr))
    try:
        (folder / PLOTS).mkdir(exist_ok=True)
    except OSError as exc:
        raise UserError(f"{folder / PLOTS}: cannot write plots: {exc.strerror}") from None
    drawn, problems = draw_plots(data, folder / PLOTS, say)
    if not drawn:
        why = "; ".join(data.notes + problems) or "it holds no results"
        raise UserError(f"{folder}: nothing to draw: {why}")
    page = folder / "report.html"
    try:
        write_atomic(page, render_html(data, drawn, problems))
    except OSError as exc:
        raise UserError(f"{page}: cannot write: {exc.strerror}") from None
    if say:
        for p in problems:
            say(f"report: {p}")
        say(f"report: wrote {page}")
    return page
