"""Backtests: exact rejection on the batch table equals brute-force filtering of Mesa-driver
replays; forecasts given facts are calibrated over synthetic histories drawn from the model;
scores by hand; the flagship's history backtested; the command line and the API."""

import datetime as dt
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import negotiation as ng
from negotiation.cli.commands import cli
from negotiation.drivers.model import NegotiationModel
from negotiation.errors import UserError
from negotiation.experiments.backtest import CLIP, brier, log_score, parse_cuts, score
from negotiation.experiments.history import load_history
from negotiation.experiments.sweep import simulate_table

D = dt.date
ROOT = Path(__file__).resolve().parents[2]
NAFTA = ROOT / "configs" / "nafta_2017.yaml"
FULL = ROOT / "tests" / "data" / "history_nafta_full.yaml"


@pytest.fixture(scope="module")
def nafta():
    return ng.load("nafta_2017")


# --- (a) exact rejection = brute-force filtering of Mesa replays --------------------------------

BRUTE = [
    {"extension": "passed", "by": D(2017, 10, 17)},
    {"agreement": "none", "by": D(2017, 12, 31)},
    {"notice": "none", "by": D(2017, 11, 30)},
    {"rounds_held": 6, "by": D(2017, 12, 31)},
]


def holds(fact: dict, path: dict, outcome: str, end: D) -> bool:
    """A fact checked by hand on one replayed path (history.py's docstring): ``by`` is inclusive;
    a vote with that result; an agreement (deal or bilateral) signed on or before the day; a notice
    given on or before the day; at least N rounds held on or before the day."""
    by = fact["by"]
    if "extension" in fact:
        want = fact["extension"] == "passed"
        return any(p == want and d <= by for d, p in zip(path["vote_dates"], path["vote_passed"], strict=True))
    if "agreement" in fact:
        # a bilateral deal the party left out later joined was signed on its signing day
        early = path["signed_date"] is not None and path["signed_date"] <= by
        signed = (outcome == "deal" or outcome.startswith("bilateral_")) and end <= by or early
        return not signed if fact["agreement"] == "none" else signed
    if "notice" in fact:
        given = path["notice_date"] is not None and path["notice_date"] <= by
        return not given if fact["notice"] == "none" else given
    return sum(d <= by for d in path["round_dates"]) >= fact["rounds_held"]


@pytest.mark.slow
def test_rejection_on_the_batch_table_equals_filtering_mesa_replays(nafta):
    n, seed = 1000, 5
    history = load_history({"facts": BRUTE}, nafta)
    table = simulate_table(nafta, [{}], seed, n)
    by_fact = [set(np.flatnonzero(m)) for m in history.fact_masks(table)]
    matched = set(np.flatnonzero(history.mask(table)))
    brute_by_fact = [set() for _ in BRUTE]
    for j in range(n):
        model = NegotiationModel(nafta, seed=seed, draw=j)
        model.run()
        path, summary = model.path(), model.summary()
        end = D.fromisoformat(summary["date"])
        for k, fact in enumerate(BRUTE):
            if holds(fact, path, summary["outcome"], end):
                brute_by_fact[k].add(j)
    assert by_fact == brute_by_fact
    assert matched == set.intersection(*brute_by_fact)
    # Not trivial: each fact cuts off some draws (seed 5: 770, 828, 930 and 631 of 1,000 agree;
    # 379 agree with all four).
    assert all(0 < len(s) < n for s in by_fact)
    assert 0 < len(matched) < n


# --- (b) calibration over synthetic histories drawn from the model ------------------------------

CUT1, ROUNDS_BY, CUT2 = D(2017, 10, 31), D(2017, 12, 31), D(2018, 3, 31)


def synthetic(row: dict) -> tuple[list[dict], list[bool]]:
    """A history true of one draw's path: what was known by the end of 2017 (extensions passed and
    any notice by CUT1, rounds held by ROUNDS_BY, exactly) and two later events stated as they
    happened by CUT2 (an agreement signed, a bilateral deal later joined counting from its
    signing; a notice given), with whether each happened."""
    ext = sum(p and d <= CUT1 for d, p in zip(row["vote_dates"], row["vote_passed"], strict=True))
    notice1 = row["notice_date"] is not None and row["notice_date"] <= CUT1
    held = sum(d <= ROUNDS_BY for d in row["round_dates"])
    signed = row["outcome"] in ("deal", "bilateral_US_MX") and row["end_date"] <= CUT2
    signed |= row["signed_date"] is not None and row["signed_date"] <= CUT2  # a bilateral deal later joined
    noticed = row["notice_date"] is not None and row["notice_date"] <= CUT2
    facts = [
        {"extensions": ext, "by": CUT1},
        {"notice": "any" if notice1 else "none", "by": CUT1},
        {"rounds_held": held, "at_most": held, "by": ROUNDS_BY},
        {"agreement": "any" if signed else "none", "by": CUT2},
        {"notice": "any" if noticed else "none", "by": CUT2},
    ]
    return facts, [signed, noticed]


@pytest.mark.slow
def test_forecasts_given_the_facts_are_calibrated_over_histories_drawn_from_the_model(nafta):
    # Forecasts from 20,000 draws of seed 11; 400 "true" histories from the first 400 draws of
    # seed 12 (independent draws of the same model, so the truth is a draw from the forecasts'
    # own distribution). Each history's later events are "an agreement signed by CUT2" and "a
    # notice given by CUT2"; the backtest forecasts the event as stated, so the forecast that it
    # happens is f when stated as happened and 1 - f when stated as not ("any" and "none" are
    # exact complements).
    sim = simulate_table(nafta, [{}], 11, 20_000)
    truth = simulate_table(nafta, [{}], 12, 400).to_pylist()
    f_given, f_prior, happened, matched = [], [], [], []
    for row in truth:
        facts, events = synthetic(row)
        result = score(load_history({"facts": facts}, nafta), sim, [ROUNDS_BY])
        assert [f.fact.split(":")[0] for f in result.forecasts] == ["{agreement", "{notice"]
        matched.append(result.cuts[0].matched)
        for f, y in zip(result.forecasts, events, strict=True):
            f_given.append(f.given if y else 1 - f.given)
            f_prior.append(f.prior if y else 1 - f.prior)
            happened.append(y)
    f_given, f_prior, y = np.array(f_given), np.array(f_prior), np.array(happened, dtype=float)
    # Bins of width 0.2; in each bin with 30 events or more, the observed frequency lies within 3
    # binomial standard errors of the mean forecast. Found: [0, .2) 379 events, mean forecast
    # 0.144, observed 0.137 (z -0.4); [.6, .8) 220, 0.709 vs 0.768 (z 1.9); [.8, 1] 201, 0.892 vs
    # 0.866 (z -1.2); no other bin has events. The forecasts' own Monte Carlo error adds to
    # the band: at least 29 of the 20,000 draws agree with each history's known facts (one rare
    # history: no extension, a notice by October and exactly six rounds in 2017), over 100 for all
    # the others, thousands for the common ones.
    assert min(matched) >= 25 and sorted(matched)[1] >= 100
    checked = 0
    for lo in np.arange(0.0, 1.0, 0.2):
        inside = (f_given >= lo) & ((f_given < lo + 0.2) | (lo + 0.2 >= 1.0))
        if inside.sum() < 30:
            continue
        p, n = f_given[inside].mean(), inside.sum()
        assert abs(y[inside].mean() - p) <= 3 * math.sqrt(p * (1 - p) / n), (lo, n, p, y[inside].mean())
        checked += 1
    assert checked >= 3
    # And conditioning helps: over the same 800 events the mean Brier score given the facts
    # (0.133 here) is below the unconditional one (0.153 here).
    assert np.mean((f_given - y) ** 2) < np.mean((f_prior - y) ** 2) - 0.01


# --- scores by hand, cuts, no match ------------------------------------------------------------


def test_scores_by_hand():
    assert brier(0.75) == pytest.approx(0.0625)  # (0.75 - 1)^2
    assert log_score(0.5) == pytest.approx(math.log(2))
    assert log_score(1.0) == 0.0 and math.copysign(1, log_score(1.0)) == 1.0  # not -0.0
    assert log_score(0.0) == pytest.approx(-math.log(CLIP))  # clipped: 13.8, not infinity


def test_forecasts_are_shares_of_the_draws(nafta):
    table = simulate_table(nafta, [{}], 3, 2000)
    history = load_history(FULL, nafta)
    result = score(history, table, [D(2017, 10, 31)], seed=3)
    masks = history.fact_masks(table)
    known = masks[0] & masks[1] & masks[2]  # the three facts dated on or before 2017-10-31
    assert [f.fact for f in result.forecasts] == [f.text for f in history.facts[3:]]
    for f, m in zip(result.forecasts, masks[3:], strict=True):
        assert f.matched == known.sum()
        assert f.given == pytest.approx((known & m).sum() / known.sum())
        assert f.prior == pytest.approx(m.mean())
        assert f.brier_given == pytest.approx((f.given - 1) ** 2)
    cut = result.cuts[0]
    assert (cut.known, cut.later, cut.matched) == (3, 3, known.sum())
    assert cut.brier_given == pytest.approx(np.mean([f.brier_given for f in result.forecasts]))
    assert cut.skill == pytest.approx(1 - cut.brier_given / cut.brier_prior)


def test_no_draw_agreeing_at_a_cut_leaves_its_forecasts_undefined(nafta):
    # Seven rounds by 2017-10-01 cannot happen (round 4 is on 2017-10-11): no draw agrees.
    facts = [{"rounds_held": 7, "by": D(2017, 10, 1)}, {"notice": "none", "by": D(2017, 11, 30)}]
    result = ng.backtest(nafta, {"facts": facts}, "2017-09-01,2017-10-01", draws=300, seed=1)
    early, late = result.cuts
    assert early.matched == 300 and early.brier_given is not None
    assert late.matched == 0 and late.brier_given is None and late.skill is None
    assert result.forecasts[-1].given is None and result.forecasts[-1].prior > 0
    assert json.dumps(result.to_dict())  # plain data


def test_cut_dates_one_line_each(nafta):
    assert parse_cuts("2017-11-01, 2017-10-01", nafta) == [D(2017, 10, 1), D(2017, 11, 1)]
    assert parse_cuts([D(2017, 10, 1), "2017-10-01"], nafta) == [D(2017, 10, 1)]
    for bad, said in [
        ("2017-10-32", "is not a date"),
        ("2017-08-01", "before the first round (2017-08-16)"),
        ("", "expected dates"),
        ("2017-10-01,", "expected dates"),
    ]:
        with pytest.raises(UserError, match=re.escape(said)):
            parse_cuts(bad, nafta)
    with pytest.raises(UserError, match="no fact of .* is dated after it"):
        ng.backtest(nafta, FULL, "2017-12-01", draws=10)


# --- (c) the flagship ---------------------------------------------------------------------------


def test_the_flagship_history_has_no_fact_after_november_2017(nafta):
    history = load_history(FULL, nafta)
    assert history.as_of == D(2017, 11, 30)
    assert all(f.day is not None and D.fromordinal(f.day) <= D(2017, 11, 30) for f in history.facts)


def negotiate(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_flagship_backtest_prints_a_table(tmp_path):
    png = tmp_path / "backtest.png"
    args = ("backtest", NAFTA, "--history", FULL, "--at", "2017-09-30,2017-10-31", "--draws", 4000, "--seed", 0)
    result = negotiate(*args, "--plot", png)
    assert result.exit_code == 0, result.output + str(result.exception)
    lines = result.stdout.splitlines()
    assert lines[1].split()[:4] == ["cut", "fact", "given", "uncond"]
    rows = [line for line in lines if line.startswith("2017-10-31  {")]
    assert len(rows) == 3  # the three facts dated 2017-11-30
    assert "2017-10-31: 3 fact(s) known" in result.stdout and "skill" in result.stdout
    assert png.read_bytes()[:4] == b"\x89PNG"
    as_json = negotiate(*args, "--json")
    data = json.loads(as_json.stdout)
    assert [c["cut"] for c in data["cuts"]] == ["2017-09-30", "2017-10-31"]
    # At the first cut nothing is known yet: the forecasts given the facts are the unconditional.
    first = [f for f in data["forecasts"] if f["cut"] == "2017-09-30"]
    assert all(f["given"] == f["prior"] for f in first) and data["cuts"][0]["skill"] == 0.0


@pytest.mark.parametrize(
    "at, said",
    [("2017-07-01", "before the first round"), ("tomorrow", "is not a date"), ("2018-01-01", "no fact")],
)
def test_bad_cut_dates_one_line_exit_2(at, said):
    result = negotiate("backtest", NAFTA, "--history", FULL, "--at", at, "--draws", 10)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and said in result.stderr
