"""Reports of run folders: plots, the self-contained HTML page, partial folders, and the outcome-space
computations (Pareto optimality, the Nash point) on hand-worked cases."""

from __future__ import annotations

import base64
import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from negotiation.analysis.outcome_space import nash_point, pareto_mask
from negotiation.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
NAFTA = str(ROOT / "configs" / "nafta_2017.yaml")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SWEEP_PLOTS = {
    "outcome_odds.png",
    "agreed_positions.png",
    "utility_space.png",
    "time_to_agreement.png",
    "pareto_gaps.png",
}


def negotiate(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "negotiation", *args], check=True, capture_output=True, cwd=ROOT)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk; asserts the file is a PNG."""
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, f"{path.name} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def check_report(folder: Path, expected: set[str]) -> str:
    """The expected plots exist, are real PNGs, and are each embedded once in a self-contained page."""
    from negotiation.output.report import build_report

    page = build_report(folder, quiet=True)
    assert page == folder / "report.html" and page.exists()
    pngs = sorted((folder / "plots").glob("*.png"))
    assert {p.name for p in pngs} == expected
    text = page.read_text(encoding="utf-8")
    for p in pngs:
        w, h = png_size(p)
        assert w >= 500 and h >= 300, (p.name, w, h)
        assert p.stat().st_size > 15_000, p.name  # a drawn figure, not an empty canvas
        assert base64.b64encode(p.read_bytes()).decode("ascii") in text, f"{p.name} is not embedded"
    assert text.count("data:image/png;base64,") == len(pngs)
    assert "http://" not in text and "https://" not in text
    assert "<script" not in text.lower() and "<link" not in text.lower()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["config_hash"] in text and manifest["version"] in text
    assert manifest["command"].split(" --out ")[0] in text
    return text


# --- run folders, made once per module ------------------------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("runs")
    out = {k: base / k for k in ("sweep", "grid1", "grid2", "run", "tournament")}
    negotiate("sweep", NAFTA, "--draws", "2000", "--seed", "3", "--out", str(out["sweep"]), "--quiet")
    negotiate(
        "sweep", NAFTA, "--draws", "300", "--grid", "US.reservation=0.5,0.7,0.9", "--out", str(out["grid1"]), "--quiet"
    )
    negotiate(
        "sweep",
        NAFTA,
        "--draws",
        "200",
        "--grid",
        "US.reservation=0.5,0.9",
        "--grid",
        "CA.reservation=0.4,0.6",
        "--out",
        str(out["grid2"]),
        "--quiet",
    )
    negotiate("run", NAFTA, "--seed", "7", "--out", str(out["run"]))  # extensions, a notice, termination
    negotiate(
        "tournament",
        NAFTA,
        "--strategies",
        "time_dependent,hardliner",
        "--draws",
        "100",
        "--out",
        str(out["tournament"]),
        "--quiet",
    )
    return out


def test_sweep_report(runs):
    folder = runs["sweep"]
    text = check_report(folder, SWEEP_PLOTS)
    summary = json.loads((folder / "summary.json").read_text())
    deal = summary["outcomes"]["deal"]
    assert f"{deal['p']:.4f}" in text and f"[{deal['ci95'][0]:.4f}, {deal['ci95'][1]:.4f}]" in text
    for name in summary["outcomes"]:  # every outcome class is in the table, zero or not
        label = name.replace("bilateral_", "bilateral ").replace("_", "-")
        assert f"<td>{label}</td>" in text
    assert "Partial results" not in text
    # the section "Efficiency": the Pareto gaps of the agreements, with their figure in it
    table = pq.read_table(folder / "outcomes.parquet", columns=["outcome", "pareto_gap"])
    gap = table.column("pareto_gap").drop_null().to_numpy()
    assert len(gap) == sum(o not in ("termination", "stalemate") for o in table.column("outcome").to_pylist())
    line = (
        f'<p id="efficiency-line">Over {len(gap):,} agreements: mean gap {gap.mean():.4f}, median '
        f"{np.median(gap):.4f}; {100 * np.mean(gap < 1e-9):.1f}% on the frontier (gap &lt; 1e-09).</p>"
    )
    assert line in text
    efficiency = text[text.index("<h2>Efficiency</h2>") : text.index("<h2>Plots</h2>")]
    assert "plots/pareto_gaps.png" in efficiency and "<td>deal</td>" in efficiency
    # drawing again gives the same set of plots (nothing stale, nothing doubled)
    check_report(folder, SWEEP_PLOTS)


GRID_PLOTS = SWEEP_PLOTS | {"sweep_points.png", "odds_per_point.png", "dates_per_point.png"}


def test_grid_reports(runs):
    text = check_report(runs["grid1"], GRID_PLOTS)
    assert "Per sweep point" in text and "US.reservation" in text
    assert '<table id="efficiency-points">' in text
    check_report(runs["grid2"], GRID_PLOTS)


def section(text: str, start: str, end: str) -> str:
    """The part of the page from ``start`` up to the next ``end`` after it."""
    part = text[text.index(start) :]
    return part[: part.index(end, len(start))]


def test_grid_report_shows_each_point_apart(runs):
    """A grid sweep's page shows each point's odds and agreement dates apart, next to each other
    (small multiples), not only pooled."""
    folder = runs["grid1"]
    text = check_report(folder, GRID_PLOTS)
    per_point = section(text, "<h2>Per sweep point</h2>", "<h2>")
    assert "plots/odds_per_point.png" in per_point and "plots/dates_per_point.png" in per_point
    summary = json.loads((folder / "summary.json").read_text())
    for pt in summary["points"]:  # each point's own odds with their intervals
        deal = pt["outcomes"]["deal"]
        assert f"{deal['p']:.3f} [{deal['ci95'][0]:.3f}, {deal['ci95'][1]:.3f}]" in per_point
    # agreement dates per point, worked out here from outcomes.parquet
    table = pq.read_table(folder / "outcomes.parquet", columns=["point", "outcome", "end_date", "rounds"]).to_pandas()
    agreed = ~table["outcome"].isin(["termination", "stalemate"])
    dates = section(text, '<table id="dates-points">', "</table>")
    for k, value in enumerate([0.5, 0.7, 0.9]):
        here = table[(table["point"] == k) & agreed]
        days = sorted(here["end_date"].astype(str))
        m = len(days)
        assert 0 < m < 300
        q10, q50, q90 = (days[int(np.floor(f * (m - 1)))] for f in (0.1, 0.5, 0.9))
        rounds = sorted(here["rounds"])[(m - 1) // 2]
        row = (
            f'<tr><td class="num">{k}</td><td class="num">{value}</td><td class="num">300</td>'
            f'<td class="num">{m}</td><td class="num">{m / 300:.3f}</td><td class="num">{q10}</td>'
            f'<td class="num">{q50}</td><td class="num">{q90}</td><td class="num">{rounds}</td></tr>'
        )
        assert row in dates
    # the points differ (else showing them apart would prove little)
    assert len({pt["outcomes"]["deal"]["p"] for pt in summary["points"]}) == 3


def test_grid_report_conditions_cannot_be_read_as_a_points_odds(runs):
    """The conditions found over all points are stated as pooled (their rate named "pooled over
    the 3 points", never "overall"), and each point's own conditions are found over its draws
    and rated against that point's rate."""
    folder = runs["grid1"]
    text = check_report(folder, GRID_PLOTS)
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["conditions"]  # found over the pooled draws at sweep time
    pooled = section(text, '<ul id="conditions-pooled">', "</ul>")
    assert "<h3>Conditions, pooled over the 3 points</h3>" in text
    for box in summary["conditions"].values():
        assert f"against {box['p_all']:.2f} pooled over the 3 points" in pooled or "No simple condition" in pooled
    assert " overall" not in pooled
    # the pooled conditions come after the per-point odds they refer to
    assert text.index("<h2>Per sweep point</h2>") < text.index("Conditions, pooled")
    per_point = section(text, '<table id="conditions-points">', "</table>")
    for k, pt in enumerate(summary["points"]):
        deal = pt["outcomes"]["deal"]["p"]
        if "deal is most likely when" in per_point and f"at point {k}," in per_point:
            assert f"against {deal:.2f} at point {k}," in per_point or f"above {deal:.2f} at point {k}." in per_point
    assert "US.reservation is" not in per_point  # the swept parameter is fixed within a point


def test_one_point_sweep_keeps_its_conditions_as_found(runs):
    text = check_report(runs["sweep"], SWEEP_PLOTS)
    summary = json.loads((runs["sweep"] / "summary.json").read_text())
    assert "Per sweep point</h2>" not in text and "conditions-points" not in text
    for box in summary["conditions"].values():
        assert f"<li>{box['text']}</li>" in text.replace("&#x27;", "'")


SINGLE_PLOTS = {"concession_paths.png", "offers_by_issue.png", "joint_utility.png"}


def test_single_run_report(runs):
    folder = runs["run"]
    text = check_report(folder, SINGLE_PLOTS)
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["outcome"] in text and summary["date"] in text
    events = [
        e["kind"] for line in (folder / "rounds.jsonl").read_text().splitlines() for e in json.loads(line)["events"]
    ]
    assert "extension" in events and "notice" in events  # the plot has events to mark


def test_single_run_report_has_a_table_of_rounds_in_the_issues_units(runs):
    folder = runs["run"]
    text = check_report(folder, SINGLE_PLOTS)
    table = text[text.index('<table id="rounds">') :]
    table = table[: table.index("</table>")]
    head = table[: table.index("</tr>")]
    # issues with their units in the header: % regional content, % of the market opened, ...
    for col in ("auto_rvc (% regional content)", "dairy (% of the market opened)", "sunset (option)"):
        assert f"<th>{col}</th>" in head
    assert "<th>u.US</th><th>u.CA</th><th>u.MX</th><th>accepted by</th><th>events</th>" in head
    history = [json.loads(line) for line in (folder / "rounds.jsonl").read_text().splitlines()]
    offers = [(r, o) for r in history for o in r["offers"]]
    assert table.count("<tr") == 1 + len(offers)
    for r, o in offers:
        t = o["terms"]
        # display units as rounds.jsonl has them (74.1, not 0.741), option names as they are
        cells = (
            f'<td>{o["proposer"]}</td><td class="num">{t["auto_rvc"]:.1f}</td><td class="num">{t["dairy"]:.1f}</td>'
            f'<td class="num">{t["dispute_panels"]}</td><td class="num">{t["procurement"]:.1f}</td>'
            f'<td class="num">{t["sunset"]}</td>'
            + "".join(f'<td class="num">{o["utilities"][p]:.3f}</td>' for p in ("US", "CA", "MX"))
            + f"<td>{', '.join(o['accepted_by'])}</td>"
        )
        assert cells in table, (r["round"], o["proposer"])
        assert 40 <= t["auto_rvc"] <= 100  # a percentage, not a share
    # each round's events on its first row: the refused or granted extension, the notice
    assert "withdrawal notice (effective " in table and "extension" in table
    assert '<td class="nowrap">' + history[0]["date"] + "</td>" in table


def test_single_run_agreement_is_shown_in_display_units():
    """summary.json's agreement holds display units (74.1, not 0.741) or option names; the page
    shows them as they are, with the issue's unit, and never scales them again."""
    from negotiation.output.report import RunData, _single_table
    from negotiation.scenario.loader import load_scenario

    data = RunData(Path("run"), {"kind": "run"}, loaded=load_scenario(NAFTA))
    data.summary = {
        "outcome": "deal",
        "rounds": 7,
        "date": "2017-12-15",
        "agreement": {"auto_rvc": 74.1487, "dairy": 3.25, "dispute_panels": "opt_in", "procurement": 0.3856},
        "utilities": {"US": 0.77, "CA": 0.65, "MX": 0.55},
    }
    text = _single_table(data)
    assert "<td>74.1% regional content</td>" in text
    assert "<td>3.2% of the market opened</td>" in text  # the config's unit text, as written
    assert "<td>opt_in</td>" in text
    assert "<td>0.4 x NAFTA 1994 access</td>" in text
    assert "7414.9" not in text and "sunset" not in text.lower()  # no agreement on sunset: no row


def test_tournament_report(runs):
    folder = runs["tournament"]
    text = check_report(folder, {"tournament_deal_odds.png", "tournament_standings.png"})
    assert "hardliner" in text and "time_dependent" in text
    # the standings: each strategy ranked by mean utility, with its t interval and its deal rate
    # with its Wilson interval, as summary.json has them
    summary = json.loads((folder / "summary.json").read_text())
    ranked = summary["standings"]
    assert [r["rank"] for r in ranked] == [1, 2]
    standings = text[text.index('<table id="standings">') :]
    standings = standings[: standings.index("</table>")]
    for r in ranked:
        lo, hi = r["mean_utility_ci95"]
        dlo, dhi = r["deal_rate_ci95"]
        row = (
            f'<tr><td class="num">{r["rank"]}</td><td>{r["strategy"]}</td>'
            f'<td class="num">{r["mean_utility"]:.3f}</td><td class="num">[{lo:.3f}, {hi:.3f}]</td>'
            f'<td class="num">{r["deal_rate"]:.3f}</td><td class="num">[{dlo:.3f}, {dhi:.3f}]</td>'
            f'<td class="num">{r["slots"]}</td></tr>'
        )
        assert row in standings
    assert standings.index(ranked[0]["strategy"]) < standings.index(ranked[1]["strategy"])
    # the pairwise table: each strategy against each other one, the row strategy's mean utility
    pairwise = text[text.index('<table id="pairwise">') :]
    pairwise = pairwise[: pairwise.index("</table>")]
    cell = summary["pairwise"]["hardliner"]["time_dependent"]
    lo, hi = cell["ci95"]
    assert f'<td class="num">{cell["mean_utility"]:.3f} [{lo:.3f}, {hi:.3f}]</td>' in pairwise
    assert pairwise.count("<tr>") == 3
    # numbers and intervals never wrap inside a cell
    assert "td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }" in text


def test_effective_reservations_match_the_draw_table(runs):
    from negotiation.kernel.draws import draw_rows
    from negotiation.output.plots import effective_reservations
    from negotiation.scenario.loader import load_scenario

    folder = runs["grid1"]
    loaded = load_scenario(folder / "config.yaml")
    manifest = json.loads((folder / "manifest.json").read_text())
    table = pq.read_table(folder / "outcomes.parquet")
    got = effective_reservations(loaded, table, manifest["points"])
    point, row = table.column("point").to_numpy(), table.column("row").to_numpy()
    for k, params in enumerate(manifest["points"]):
        inputs, _, _ = draw_rows(loaded.structure, loaded.space.with_values(params), manifest["seed"], 0, 300)
        np.testing.assert_allclose(got[point == k], inputs.res_eff[row[point == k]], rtol=0, atol=1e-12)
    us = loaded.structure.parties.index("US")
    assert not np.allclose(got[point == 0, us], got[point == 2, us])  # the swept reservation is applied


# --- partial and bad folders ----------------------------------------------------------------------


def make_partial(src: Path, dst: Path, chunks: int | None) -> Path:
    """A copy of a finished sweep as a killed one would leave it: no outcomes.parquet or summary,
    status 'partial', and the first ``chunks`` part files of 500 draws (None: no parts at all)."""
    from negotiation.experiments import sweep as sweeper

    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("plots", "report.html"))
    (dst / "outcomes.parquet").unlink()
    (dst / "summary.json").unlink()
    manifest = json.loads((dst / "manifest.json").read_text())
    manifest["status"] = "partial"
    (dst / "manifest.json").write_text(json.dumps(manifest))
    if chunks is None:
        return dst
    done = []

    def stop(chunk):
        done.append(chunk)
        if len(done) == chunks:
            raise KeyboardInterrupt

    config = (dst / "config.yaml").read_text()
    with pytest.raises(KeyboardInterrupt):
        sweeper.run_sweep(
            dst,
            config,
            manifest["points"],
            manifest["seed"],
            manifest["draws_per_point"],
            500,
            quiet=True,
            on_chunk=stop,
        )
    return dst


def test_partial_sweep_renders_and_says_so(runs, tmp_path):
    folder = make_partial(runs["sweep"], tmp_path / "partial", chunks=2)
    assert len(list((folder / "parts").glob("*.arrow"))) == 2
    text = check_report(folder, SWEEP_PLOTS)
    assert "Partial results" in text and 'class="warn"' in text
    assert "1,000 finished draws of 2,000 planned" in text
    assert "<tr><th>status</th><td>partial</td></tr>" in text
    # the odds are counted from the finished draws only
    full = pq.read_table(runs["sweep"] / "outcomes.parquet").slice(0, 1000)
    n_deal = sum(o == "deal" for o in full.column("outcome").to_pylist())
    assert f'<td>deal</td><td class="num">{n_deal / 1000:.4f}</td>' in text


def test_status_not_complete_is_flagged(runs, tmp_path):
    folder = tmp_path / "running"
    shutil.copytree(runs["grid1"], folder, ignore=shutil.ignore_patterns("plots", "report.html"))
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["status"] = "running"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    text = check_report(folder, GRID_PLOTS)
    assert "Partial results" in text and "still running or was killed" in text


def test_nothing_to_draw_is_a_user_error(runs, tmp_path):
    from negotiation.output.report import build_report

    folder = make_partial(runs["sweep"], tmp_path / "empty", chunks=None)
    with pytest.raises(UserError, match="nothing to draw"):
        build_report(folder, quiet=True)
    run = tmp_path / "failed-run"
    shutil.copytree(runs["run"], run, ignore=shutil.ignore_patterns("plots", "report.html"))
    (run / "rounds.jsonl").unlink()
    with pytest.raises(UserError, match="nothing to draw"):
        build_report(run, quiet=True)


def test_not_a_run_folder(tmp_path):
    from negotiation.output.report import build_report

    with pytest.raises(UserError, match="no manifest.json"):
        build_report(tmp_path, quiet=True)
    with pytest.raises(UserError, match="no such run folder"):
        build_report(tmp_path / "missing", quiet=True)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(UserError, match="unreadable manifest"):
        build_report(tmp_path, quiet=True)
    (tmp_path / "manifest.json").write_text(json.dumps({"kind": "forecast", "status": "complete"}))
    with pytest.raises(UserError, match="has no report"):
        build_report(tmp_path, quiet=True)


# --- outcome space ---------------------------------------------------------------------------------


def test_pareto_mask_by_hand():
    pts = np.array(
        [
            [1.0, 0.0],  # 0 optimal
            [0.0, 1.0],  # 1 optimal
            [0.5, 0.5],  # 2 optimal
            [0.4, 0.4],  # 3 dominated by 2
            [0.5, 0.5],  # 4 a duplicate of 2: equal rows do not dominate each other
            [0.5, 0.2],  # 5 weakly dominated by 2 (equal on the first, worse on the second)
            [0.9, 0.0],  # 6 weakly dominated by 0
            [np.nan, 2.0],  # 7 incomplete: never optimal, dominates nothing
        ]
    )
    assert pareto_mask(pts).tolist() == [True, True, True, False, True, False, False, False]
    assert pareto_mask(np.array([[1, 1, 0], [1, 0, 1], [0, 1, 1]])).tolist() == [True, True, True]
    assert pareto_mask(np.array([[1, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 1]])).tolist() == [False] * 3 + [True]
    assert pareto_mask(np.zeros((0, 3))).tolist() == []


def test_pareto_mask_agrees_with_the_definition():
    rng = np.random.default_rng(5)
    pts = np.round(rng.random((150, 3)), 1)  # coarse values: many ties and duplicates
    want = [
        not any(np.all(pts[b] >= pts[a]) and np.any(pts[b] > pts[a]) for b in range(len(pts))) for a in range(len(pts))
    ]
    assert pareto_mask(pts).tolist() == want
    assert 0 < sum(want) < len(pts)


def test_nash_point_by_hand():
    pts = np.array([[0.2, 0.9], [0.6, 0.6], [0.9, 0.3], [0.1, 0.1]])
    # gains over (0.1, 0.1): 0.1*0.8=0.08, 0.5*0.5=0.25, 0.8*0.2=0.16, 0
    assert nash_point(pts, [0.1, 0.1]) == 1
    # over (0.5, 0.1) row 0 gains -0.3 (excluded); 0.1*0.5=0.05 against 0.4*0.2=0.08
    assert nash_point(pts, [0.5, 0.1]) == 2
    assert nash_point(pts, [0.95, 0.95]) is None
    # a row whose negative gains multiply to a large positive number is not a candidate
    assert nash_point(np.array([[-1.0, -1.0], [0.5, 0.2]]), [0.0, 0.0]) == 1
    assert nash_point(np.zeros((0, 2)), [0.0, 0.0]) is None
    # three parties: gains (0.2,0.2,0.2)=0.008 beat (0.5,0.5,0.01)=0.0025
    assert nash_point(np.array([[0.5, 0.5, 0.01], [0.2, 0.2, 0.2]]), np.zeros(3)) == 1
    assert nash_point(pts, [0.0, 0.0]) == 1  # 0.18, 0.36, 0.27, 0.01
