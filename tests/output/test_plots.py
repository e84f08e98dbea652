"""The figures: every public plot function returns a matplotlib Figure on small synthetic inputs
(None when there is nothing to draw), reads sweep positions in display units, and importing or
using the plots package changes no matplotlib setting (no backend switch, no pyplot)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from matplotlib.figure import Figure

from negotiation.output import plots
from negotiation.output.plots.data import agreement_outcomes
from negotiation.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
NAFTA = ROOT / "configs" / "nafta_2017.yaml"
N = 400


@pytest.fixture(scope="module")
def loaded():
    return load_scenario(NAFTA)


def odds(ps: dict[str, float], n: int = 100) -> dict:
    """An ``outcomes`` block of summary.json with rough intervals."""
    return {o: {"p": p, "ci95": [max(0.0, p - 0.05), min(1.0, p + 0.05)], "n": round(p * n)} for o, p in ps.items()}


def point_odds(loaded, p_deal: float) -> dict:
    rest = {o: 0.0 for o in loaded.structure.outcomes}
    return odds({**rest, "deal": p_deal, "termination": 1 - p_deal})


@pytest.fixture(scope="module")
def rows(loaded) -> pa.Table:
    """Synthetic sweep rows with the columns of outcomes.parquet; positions in display units."""
    st, issues = loaded.structure, loaded.scenario.issues
    rng = np.random.default_rng(1)
    outcome = rng.choice(["deal", "bilateral_US_MX", "termination"], N, p=[0.6, 0.2, 0.2])
    agreed = np.isin(outcome, agreement_outcomes(st))
    cols = {
        "draw": pa.array(np.arange(N)),
        "point": pa.array(np.zeros(N, dtype=np.int64)),
        "outcome": pa.array(outcome.tolist()),
        "rounds": pa.array(rng.integers(3, 12, N)),
        "end_date": pa.array([dt.date(2017, 8, 16) + dt.timedelta(days=int(d)) for d in rng.integers(0, 500, N)]),
    }
    for i, issue in enumerate(st.issues):
        if i in st.options:
            names = np.array(st.options[i], dtype=object)[rng.integers(0, len(st.options[i]), N)]
            cols[f"x.{issue}"] = pa.array([v if a else None for v, a in zip(names, agreed, strict=True)])
        else:
            x = rng.uniform(st.lo[i], st.hi[i], N) * issues[issue].scale  # display units
            cols[f"x.{issue}"] = pa.array(np.where(agreed, x, np.nan))
    for p in st.parties:
        cols[f"u.{p}"] = pa.array(rng.uniform(0.2, 1.0, N))
    gap = np.where(rng.random(N) < 0.8, 0.0, rng.exponential(0.01, N))  # most agreements on the frontier
    cols["pareto_gap"] = pa.array(np.where(agreed, gap, np.nan), mask=~agreed)
    return pa.table(cols)


def history(loaded) -> list[dict]:
    """A three-round trace in the shape of rounds.jsonl, with an extension and the outcome."""
    parties = loaded.structure.parties
    out = []
    for k, day in enumerate(["2017-08-16", "2017-09-01", "2017-12-15"]):
        offers = [
            {
                "proposer": p,
                "utilities": {q: 1.0 - 0.1 * k if q == p else 0.4 + 0.1 * k for q in parties},
                "terms": {"auto_rvc": 85.0 - 5 * k - j, "sunset": ["none", "review", "expiry_5y"][(j + k) % 3]},
                "accepted_by": parties[:1] if k == 2 else [],
            }
            for j, p in enumerate(parties)
        ]
        out.append(
            {
                "date": day,
                "round": k + 1,
                "targets": {p: 1.0 - 0.1 * k for p in parties},
                "offers": offers,
                "events": [],
            }
        )
    out[1]["events"] = [{"kind": "extension", "deadline": "2018-03-31"}]
    out[2]["events"] = [{"kind": "outcome", "outcome": "deal", "date": "2017-12-15"}]
    return out


def tournament_table(loaded) -> pa.Table:
    strategies = ["time_dependent", "hardliner"]
    cols = {"assignment": [0, 1]}
    for p in loaded.structure.parties:
        cols[f"strategy.{p}"] = strategies
    cols.update(
        {"n_draws": [100, 100], "p.deal": [0.72, 0.5], "ci95_low.deal": [0.62, 0.4], "ci95_high.deal": [0.8, 0.6]}
    )
    return pa.table(cols)


def two_points(rows: pa.Table) -> pa.Table:
    """The synthetic rows as two sweep points: even draws point 0, odd draws point 1."""
    return rows.set_column(rows.column_names.index("point"), "point", pa.array(np.arange(rows.num_rows) % 2))


def backtest_result():
    """Two cuts: one whose facts no draw matches (forecasts undefined), one with forecasts."""
    from negotiation.experiments.backtest import Backtest, Cut, Forecast

    d1, d2 = dt.date(2017, 9, 30), dt.date(2017, 10, 31)
    fact = "{agreement: none, by: 2017-11-30}"
    return Backtest(
        "history.yaml",
        1000,
        0,
        [
            Forecast(d1, fact, 0, None, 0.9, None, 0.01, None, 0.105),
            Forecast(d2, fact, 700, 0.97, 0.9, 0.0009, 0.01, 0.03, 0.105),
        ],
        [Cut(d1, 1, 1, 0, None, 0.01, None, 0.105, None), Cut(d2, 2, 1, 700, 0.0009, 0.01, 0.03, 0.105, 0.91)],
    )


SOBOL = {
    "deal": {"US.reservation": {"S1": 0.6, "S1_conf": 0.1, "ST": 0.7, "ST_conf": 0.1}},
    "stalemate": {"US.reservation": {"S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0}},
}


STANDINGS = {
    "standings": [
        {
            "strategy": "boulware",
            "rank": 1,
            "mean_utility": 0.68,
            "mean_utility_ci95": [0.67, 0.69],
            "deal_rate": 0.81,
            "deal_rate_ci95": [0.76, 0.85],
            "slots": 12,
            "games": 7,
            "n_draws": 300,
        },
        {
            "strategy": "conceder",
            "rank": 2,
            "mean_utility": 0.58,
            "mean_utility_ci95": None,
            "deal_rate": 0.7,
            "deal_rate_ci95": [0.65, 0.75],
            "slots": 12,
            "games": 7,
            "n_draws": 300,
        },
    ],
    "pairwise": {
        "boulware": {
            "boulware": {"mean_utility": 0.67, "ci95": [0.66, 0.68], "slots": 3},
            "conceder": {"mean_utility": 0.76, "ci95": [0.75, 0.77], "slots": 3},
        },
        "conceder": {"boulware": {"mean_utility": 0.55, "ci95": [0.54, 0.56], "slots": 3}, "conceder": None},
    },
}


def calibration():
    """A synthetic calibration: a parameter the facts moved, one they did not, a whole-number one."""
    from negotiation.experiments.calibration import Calibration, moved_table
    from negotiation.experiments.history import History

    rng = np.random.default_rng(2)
    names = ["US.reservation", "CA.reservation", "calendar.max_extensions"]
    prior = np.column_stack([rng.uniform(0.5, 0.9, N), rng.uniform(0.3, 0.7, N), rng.integers(0, 3, N)])
    posterior = prior[prior[:, 0] > 0.7]
    return Calibration(names, prior, posterior, moved_table(names, prior, posterior), History([], None, "h.yaml"))


def figures(loaded, rows) -> dict:
    """A call of every public plot function, by name."""
    one = [{"params": {"US.reservation": v}, "n_draws": 100, "outcomes": point_odds(loaded, 1 - v)} for v in (0.5, 0.7)]
    grid = [
        {"params": {"US.reservation": a, "CA.reservation": b}, "n_draws": 100, "outcomes": point_odds(loaded, a * b)}
        for a in (0.5, 0.9)
        for b in (0.4, 0.6)
    ]
    design = [
        {
            "params": {"US.reservation": a, "CA.reservation": b, "MX.reservation": c},
            "n_draws": 100,
            "outcomes": point_odds(loaded, a),
        }
        for a, b, c in ((0.5, 0.4, 0.45), (0.7, 0.6, 0.5), (0.9, 0.5, 0.55))
    ]
    summary = {"outcome": "deal", "date": "2017-12-15", "rounds": 3, "reservations": {"US": 0.6, "CA": 0.5, "MX": 0.3}}
    return {
        "outcome_odds": lambda: plots.outcome_odds(loaded, point_odds(loaded, 0.7), 100),
        "given_odds": lambda: plots.given_odds(loaded, point_odds(loaded, 0.7), point_odds(loaded, 0.8), 100),
        "sweep_odds": lambda: plots.sweep_odds(loaded, one),
        "odds_per_point": lambda: plots.odds_per_point(loaded, one),
        "dates_per_point": lambda: plots.dates_per_point(loaded, two_points(rows), one),
        "odds_by_parameter": lambda: plots.odds_by_parameter(loaded, one, "US.reservation"),
        "odds_heatmaps": lambda: plots.odds_heatmaps(loaded, grid, "US.reservation", "CA.reservation"),
        "odds_by_point": lambda: plots.odds_by_point(loaded, design, list(design[0]["params"])),
        "agreed_positions": lambda: plots.agreed_positions(loaded, rows),
        "utility_space": lambda: plots.utility_space(loaded, rows),
        "time_to_agreement": lambda: plots.time_to_agreement(loaded, rows),
        "pareto_gaps": lambda: plots.pareto_gaps(loaded, rows),
        "concession_paths": lambda: plots.concession_paths(loaded, history(loaded), summary),
        "offers_by_issue": lambda: plots.offers_by_issue(loaded, history(loaded), summary),
        "joint_utility": lambda: plots.joint_utility(loaded, history(loaded), summary),
        "tournament_standings": lambda: plots.tournament_standings(loaded, STANDINGS),
        "tournament_deal_odds": lambda: plots.tournament_deal_odds(loaded, tournament_table(loaded)),
        "sobol_sensitivity": lambda: plots.sobol_sensitivity(SOBOL),
        "prior_posterior": lambda: plots.prior_posterior(calibration()),
        "backtest_scores": lambda: plots.backtest_scores(loaded, backtest_result()),
    }


FIGURES = [
    "outcome_odds",
    "given_odds",
    "sweep_odds",
    "odds_per_point",
    "dates_per_point",
    "odds_by_parameter",
    "odds_heatmaps",
    "odds_by_point",
    "agreed_positions",
    "utility_space",
    "time_to_agreement",
    "pareto_gaps",
    "concession_paths",
    "offers_by_issue",
    "joint_utility",
    "tournament_deal_odds",
    "tournament_standings",
    "sobol_sensitivity",
    "prior_posterior",
    "backtest_scores",
]


def test_every_figure_function_is_tested():
    public = {
        n
        for n in plots.__all__
        if callable(getattr(plots, n)) and getattr(plots, n).__module__.split(".")[-1] not in ("data", "style")
    }
    public -= {"effective_reservations", "party_ideals"}  # data for the figures, not figures
    assert public == set(FIGURES)


@pytest.mark.parametrize("name", FIGURES)
def test_returns_a_figure_that_saves(name, loaded, rows, tmp_path):
    fig = figures(loaded, rows)[name]()
    assert isinstance(fig, Figure) and fig.axes
    assert getattr(plots, name).__doc__
    png = plots.save_png(fig, tmp_path / "sub" / f"{name}.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def title(fig: Figure) -> str:
    """A figure's suptitle (the figure-level text)."""
    return " ".join(t.get_text() for t in fig.texts)


def test_sweep_odds_picks_the_figure_for_the_sweep(loaded):
    def pts(params):
        return [{"params": p, "n_draws": 10, "outcomes": point_odds(loaded, 0.5)} for p in params]

    assert plots.sweep_odds(loaded, pts([{"a": 1.0}])) is None  # a single point
    assert plots.sweep_odds(loaded, pts([{"s": "x"}, {"s": "y"}])) is None  # no numeric parameter
    lines = plots.sweep_odds(loaded, pts([{"a": 1.0}, {"a": 2.0}]))
    assert lines.axes[0].get_title().startswith("Outcome odds against a")
    heat = plots.sweep_odds(loaded, pts([{"a": a, "b": b} for a in (1.0, 2.0) for b in (3.0, 4.0)]))
    assert title(heat).startswith("Outcome odds over the grid a x b")
    scatter = plots.sweep_odds(loaded, pts([{"a": 1.0, "b": 3.0}, {"a": 2.0, "b": 5.0}, {"a": 3.0, "b": 4.0}]))
    assert title(scatter).startswith("Outcome odds at each of 3 sweep points")


def test_nothing_to_draw_is_none(loaded, rows):
    no_agreement = rows.filter(pa.compute.equal(rows.column("outcome"), "termination"))
    assert plots.agreed_positions(loaded, no_agreement) is None
    assert plots.utility_space(loaded, no_agreement) is None
    assert plots.pareto_gaps(loaded, no_agreement) is None
    assert plots.pareto_gaps(loaded, rows.drop_columns(["pareto_gap"])) is None  # a run of an older version
    assert plots.concession_paths(loaded, []) is None
    assert plots.tournament_deal_odds(loaded, tournament_table(loaded).slice(0, 0)) is None
    assert plots.sobol_sensitivity({"deal": SOBOL["stalemate"]}) is None


def test_agreed_positions_reads_display_units(loaded, rows):
    """x.<issue> columns hold display units (74.1 for 74.1% regional content): every agreement
    lands in a bin of the issue's display range, and the ideals and status quo are scaled alike."""
    st = loaded.structure
    fig = plots.agreed_positions(loaded, rows)
    n_agreed = int(np.isin(rows.column("outcome").to_numpy(zero_copy_only=False), agreement_outcomes(st)).sum())
    i = st.issues.index("auto_rvc")
    ax = fig.axes[i]
    assert ax.get_title() == loaded.scenario.issues["auto_rvc"].label
    lo, hi = ax.get_xlim()
    assert lo < 100 * st.lo[i] < 100 * st.hi[i] < hi < 100  # 50 to 95 % regional content
    # stacked bars: the top of each bin's stack counts every agreement in that bin
    tops: dict[float, float] = {}
    for patch in ax.patches:
        x = round(patch.get_x(), 9)
        tops[x] = max(tops.get(x, 0.0), patch.get_y() + patch.get_height())
    assert sum(tops.values()) == n_agreed
    status_quo = [line.get_xdata()[0] for line in ax.get_lines() if line.get_linewidth() == 2.2]
    assert status_quo == [pytest.approx(100 * st.status_quo[i])]


def test_pareto_gaps_shares_by_kind(loaded, rows):
    """Each kind's legend gives its agreements and its share on the frontier; the histogram's
    bars of the gaps off the frontier add up to the share off it."""
    outcome = rows.column("outcome").to_numpy(zero_copy_only=False)
    gap = rows.column("pareto_gap").to_numpy(zero_copy_only=False)
    fig = plots.pareto_gaps(loaded, rows)
    left, right = fig.axes
    labels = [t.get_text() for t in right.get_legend().get_texts()]
    for k, name in enumerate(("deal", "bilateral_US_MX")):
        g = gap[outcome == name]
        on = np.mean(g < 1e-9)
        assert labels[k] == f"{plots.outcome_label(name)} ({len(g):,}; {100 * on:.1f}% on the frontier)"
        bars = left.containers[k]
        assert sum(b.get_height() for b in bars) == pytest.approx(1 - on)


def test_no_backend_switch_and_no_pyplot():
    """Importing the plots, the report and the CLI, drawing a figure and saving it change no
    matplotlib setting: the backend the user chose (here svg) stays, pyplot is never imported.
    Run in a fresh interpreter, so that nothing this test process imported can hide a switch."""
    code = textwrap.dedent(
        """
        import json, sys, tempfile
        import matplotlib
        before = dict(matplotlib.rcParams)
        import negotiation.output.plots as plots
        import negotiation.output.report, negotiation.experiments.sensitivity, negotiation.cli.commands
        imported = "matplotlib.pyplot" in sys.modules
        fig = plots.sobol_sensitivity({"deal": {"a": {"S1": 0.5, "S1_conf": 0.1, "ST": 0.6, "ST_conf": 0.1}}})
        with tempfile.TemporaryDirectory() as tmp:
            plots.save_png(fig, tmp + "/s.png")
        after = dict(matplotlib.rcParams)
        print(json.dumps({
            "pyplot": imported or "matplotlib.pyplot" in sys.modules,
            "changed": sorted(k for k in before if str(before[k]) != str(after[k])),
            "backend": matplotlib.get_backend(),
        }))
        """
    )
    env = {**os.environ, "MPLBACKEND": "svg"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {"pyplot": False, "changed": [], "backend": "svg"}


def test_offers_by_issue_draws_each_offer_in_the_issues_units():
    """The offer panels hold the terms of rounds.jsonl as they are (display units: % regional
    content, not a 0-1 share; option indices on a discrete issue's axis named by the options)."""
    from negotiation.output.plots import joint_utility, offers_by_issue
    from negotiation.scenario.loader import load_scenario

    loaded = load_scenario(ROOT / "configs" / "nafta_2017.yaml")
    history = [
        {
            "round": 1,
            "date": "2017-08-16",
            "events": [],
            "offers": [
                {
                    "proposer": "US",
                    "terms": {"auto_rvc": 85.0, "sunset": "expiry_5y"},
                    "accepted_by": [],
                    "utilities": {"US": 1.0, "CA": 0.2, "MX": 0.3},
                },
                {
                    "proposer": "CA",
                    "terms": {"auto_rvc": 62.5, "sunset": "none"},
                    "accepted_by": ["MX"],
                    "utilities": {"US": 0.25, "CA": 1.0, "MX": 0.9},
                },
            ],
        },
        {
            "round": 2,
            "date": "2017-09-01",
            "events": [],
            "offers": [
                {
                    "proposer": "US",
                    "terms": {"auto_rvc": 80.0, "sunset": "review"},
                    "accepted_by": ["CA", "MX"],
                    "utilities": {"US": 0.8, "CA": 0.6, "MX": 0.7},
                },
            ],
        },
    ]
    summary = {"outcome": "deal", "rounds": 2, "agreement": {"auto_rvc": 80.0, "sunset": "review"}}
    fig = offers_by_issue(loaded, history, summary)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    rvc = axes[loaded.structure.issues.index("auto_rvc")]
    assert rvc.get_ylabel() == "% regional content"
    assert rvc.get_title(loc="left") == "Auto rules of origin (regional value content)"
    lines = {ln.get_label(): ln for ln in rvc.lines}
    assert list(lines["US's offer"].get_ydata()) == [85.0, 80.0]
    assert list(lines["US's offer"].get_xdata()) == [1, 2]
    assert list(lines["CA's offer"].get_ydata()) == [62.5]
    assert list(lines["agreed"].get_ydata()) == [80.0, 80.0]
    sunset = axes[loaded.structure.issues.index("sunset")]
    options = [t.get_text() for t in sunset.get_yticklabels()]
    assert options == ["none", "review", "expiry_5y"]
    us = {ln.get_label(): ln for ln in sunset.lines}["US's offer"]
    assert list(us.get_ydata()) == [2, 1]  # expiry_5y, then review
    # the joint utility path: one panel per proposer, each party's utility of its offers
    fig = joint_utility(loaded, history, {"reservations": {"US": 0.4, "CA": 0.5, "MX": 0.3}})
    us_panel = fig.axes[0]
    got = {ln.get_label(): list(ln.get_ydata()) for ln in us_panel.lines if not ln.get_label().startswith("_")}
    assert got == {"US": [1.0, 0.8], "CA": [0.2, 0.6], "MX": [0.3, 0.7]}
    assert [t.get_text() for t in us_panel.texts] == ["CA, MX"]  # round 2: accepted by CA and MX


def test_odds_per_point_draws_each_points_own_odds(loaded):
    points = [
        {"params": {"US.reservation": v}, "n_draws": 100, "outcomes": point_odds(loaded, p)}
        for v, p in ((0.5, 0.9), (0.7, 0.6), (0.9, 0.25))
    ]
    fig = plots.odds_per_point(loaded, points)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 3
    for ax, p in zip(axes, (0.9, 0.6, 0.25), strict=True):
        labels = [t.get_text() for t in ax.get_xticklabels()]
        assert labels == ["deal", "termination"]  # the outcomes observed at any point
        assert [round(b.get_height(), 12) for b in ax.patches] == [p, round(1 - p, 12)]
    assert axes[0].get_title() == "point 0: US.reservation=0.5\n(100 draws)"
    assert plots.odds_per_point(loaded, points[:1]) is None  # one point: nothing to set apart


def test_dates_per_point_bins_each_points_agreements(loaded, rows):
    table = two_points(rows)
    points = [
        {"params": {"US.reservation": v}, "n_draws": N // 2, "outcomes": point_odds(loaded, 0.5)} for v in (0.5, 0.9)
    ]
    fig = plots.dates_per_point(loaded, table, points)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    outcome = np.array(table.column("outcome").to_pylist())
    point = table.column("point").to_numpy()
    for k, ax in enumerate(axes):
        agreed = int(np.sum((point == k) & (outcome != "termination")))
        # bar heights are shares of the point's draws: they add up to its share of agreements
        assert sum(b.get_height() for b in ax.patches) == pytest.approx(agreed / np.sum(point == k))
        assert f"{agreed:,} of {int(np.sum(point == k)):,} draws agreed" in ax.get_title()
