"""The Bueno de Mesquita expected-utility forecast (Scholz, Calbert and Smith 2011 reading):
the published European Community emissions case, and unit tests by hand."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from negotiation.analysis.forecast import (
    ForecastRound,
    convergence,
    convergence_text,
    expected_utility,
    forecast,
    median_voter,
    pairwise_votes,
    risk_exponents,
    scenario_actors,
    step,
    weighted_mean,
    win_probability,
)
from negotiation.scenario.loader import load_scenario, load_scenario_text
from tests.helpers import CONFIGS

EC_CONFIG = CONFIGS / "bdm_ec_emissions.yaml"

# capability, position (years), salience, as published
EC = {
    "NL": (0.08, 4, 0.8),
    "BE": (0.08, 7, 0.4),
    "LU": (0.03, 4, 0.2),
    "DE": (0.16, 4, 0.8),
    "FR": (0.16, 10, 0.6),
    "IT": (0.16, 10, 0.6),
    "UK": (0.16, 10, 0.9),
    "IE": (0.05, 7, 0.1),
    "DK": (0.05, 4, 1.0),
    "GR": (0.08, 7, 0.7),
}
NAMES = list(EC)
C = np.array([v[0] for v in EC.values()])
X = np.array([v[1] for v in EC.values()], dtype=float)
S = np.array([v[2] for v in EC.values()])


# --- the EC case, round 0 ------------------------------------------------------------------


def test_ec_round_zero_weighted_mean():
    # w = c s: NL .064, BE .032, LU .006, DE .128, FR .096, IT .096, UK .144, IE .005, DK .05, GR .056
    # sum w = .677; sum w x = .256 + .224 + .024 + .512 + .96 + .96 + 1.44 + .035 + .2 + .392 = 5.003
    # mean = 5.003 / .677 = 7.38996
    assert (C * S).sum() == pytest.approx(0.677)
    assert weighted_mean(X, C, S) == pytest.approx(5.003 / 0.677, abs=1e-12)
    assert weighted_mean(X, C, S) == pytest.approx(7.39, abs=1e-3)


def test_ec_condorcet_winner_is_seven_years():
    # Camps by position: 4 years (NL, LU, DE, DK) w = .064 + .006 + .128 + .05 = .248;
    # 7 years (BE, IE, GR) w = .032 + .005 + .056 = .093; 10 years (FR, IT, UK) w = .336.
    # 7 vs 4: the 4-camp is 3 nearer 4 (-3 each), the 7- and 10-camps 3 nearer 7:
    #   3 (.093 + .336 - .248) = 3 * .181 = .543 > 0.
    # 7 vs 10: the 4- and 7-camps are 3 nearer 7, the 10-camp 3 nearer 10:
    #   3 (.248 + .093 - .336) = 3 * .005 = .015 > 0.
    # 10 vs 4: 6 (.336 - .248) = .528 (the 7-camp is indifferent): 10 beats 4, 7 beats both.
    v = pairwise_votes(X, C, S)
    be, nl, fr = NAMES.index("BE"), NAMES.index("NL"), NAMES.index("FR")
    assert v[be, nl] == pytest.approx(0.543, abs=1e-12)
    assert v[be, fr] == pytest.approx(0.015, abs=1e-12)
    assert v[fr, nl] == pytest.approx(0.528, abs=1e-12)
    assert v[nl, be] == pytest.approx(-0.543, abs=1e-12)  # antisymmetric
    assert median_voter(X, C, S) == 7.0
    # the weighted mean (7.39) is not the forecast: 7.39 is no actor's position
    assert median_voter(X, C, S) != pytest.approx(weighted_mean(X, C, S), abs=0.1)


def test_ec_forecast_rounds_are_consistent():
    path = forecast(X, C, S, rounds=6)
    assert [f.round for f in path] == list(range(7))
    first = path[0]
    assert first.positions.tolist() == X.tolist()
    assert first.median == 7.0 and first.mean == pytest.approx(7.39, abs=1e-3)
    for f in path:
        # each round's forecast and mean are those of its positions
        assert f.median == median_voter(f.positions, C, S)
        assert f.mean == pytest.approx(weighted_mean(f.positions, C, S), abs=1e-12)
        # actors only move towards others' positions: they stay within the initial range
        assert np.all((f.positions >= 4.0 - 1e-12) & (f.positions <= 10.0 + 1e-12))
        assert f.median in f.positions
    # each round is one step from the last, with the scale d fixed at the initial range 6
    for a, b in zip(path, path[1:], strict=False):
        assert b.positions == pytest.approx(step(a.positions, C, S, 6.0))


def test_ec_forecast_from_the_config_equals_the_direct_forecast(negotiate):
    res = negotiate("forecast", EC_CONFIG, "--rounds", 4, "--json")
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    assert list(out) == ["years"]
    rounds = out["years"]
    assert [r["round"] for r in rounds] == [0, 1, 2, 3, 4]
    assert rounds[0]["forecast"] == 7.0
    assert rounds[0]["mean"] == pytest.approx(5.003 / 0.677, abs=1e-3)
    assert rounds[0]["positions"] == dict(zip(NAMES, X.tolist(), strict=True))
    # the CLI normalises capabilities (they sum to 1.01 here); the model does not care
    assert C.sum() == pytest.approx(1.01)
    for direct in (forecast(X, C, S, 4), forecast(X, C / C.sum(), S, 4)):
        for r, f in zip(rounds, direct, strict=True):
            assert r["forecast"] == pytest.approx(f.median)
            assert r["mean"] == pytest.approx(f.mean)
            assert [r["positions"][n] for n in NAMES] == pytest.approx(f.positions.tolist())
    # --issue years gives the same; the text form names the forecast
    one = negotiate("forecast", EC_CONFIG, "--rounds", 4, "--json", "--issue", "years")
    assert json.loads(one.stdout) == out
    text = negotiate("forecast", EC_CONFIG, "--rounds", 0)
    assert text.exit_code == 0
    assert text.stdout.splitlines()[1].strip().startswith("round   0: forecast 7.0 years")


def test_forecast_defaults_salience_to_weight_and_capability_to_equal_shares(negotiate):
    # teaching_trade, discrete disputes issue: positions are the ideal options' indices (A none
    # = 2, B panel = 0, C panel = 0), saliences the normalised weights .3, .5, .2, capabilities
    # 1/3 each: w = (.1, .1667, .0667), mean = (.1 * 2) / (1/3) = 0.6; 0 beats 2 by
    # 2 (.1667 + .0667 - .1) = .267.
    res = negotiate("forecast", CONFIGS / "teaching_trade.yaml", "--rounds", 0, "--issue", "disputes", "--json")
    assert res.exit_code == 0, res.stderr
    first = json.loads(res.stdout)["disputes"][0]
    # positions in display units: option names (index 2 = "none", 0 = "panel"); the mean stays
    # an option index (it falls between options)
    assert first["positions"] == {"A": "none", "B": "panel", "C": "panel"}
    assert first["mean"] == pytest.approx(0.6)
    assert first["forecast"] == "panel"


def test_forecast_of_a_per_pair_issue_is_one_per_pair(negotiate):
    # teaching_pairs at base values: A's access weight 0.4 splits 0.6 : 0.4 (C's share is uniform
    # 0.2-0.6, base 0.4) over its terms with B and C; B's 0.5 splits 0.8 : 0.2 over A and C. Every
    # weight vector sums to 1 already, so on access.A_B the saliences are A 0.24, B 0.4 and C 0
    # (not in the pair). C's access weight 0.6 splits equally over its terms with A and B.
    res = negotiate("forecast", "teaching_pairs", "--rounds", 0, "--issue", "access", "--json")
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    assert list(out) == ["access.A_B", "access.A_C", "access.B_C"]
    assert out["access.A_B"][0]["positions"] == {"A": 10.0, "B": 80.0, "C": 70.0}
    loaded = load_scenario(CONFIGS / "teaching_pairs.yaml")
    _, _, s = scenario_actors(loaded, "access.A_B")
    np.testing.assert_allclose(s, [0.24, 0.4, 0.0])
    # a given salience counts times the party's share of the issue for the pair
    text = (CONFIGS / "teaching_pairs.yaml").read_text(encoding="utf-8")
    text = text.replace("ideal: 10\n", "ideal: 10\n        salience: 0.5\n")
    _, _, s = scenario_actors(load_scenario_text(text), "access.A_C")
    np.testing.assert_allclose(s, [0.5 * 0.4, 0.0, 0.6 * 0.5])


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rounds", "-1"], "error: --rounds must be from 0 to 1000, got -1"),
        (["--rounds", "1001"], "error: --rounds must be from 0 to 1000, got 1001"),
        (["--issue", "nosuch"], "error: unknown issue 'nosuch'; issues are years"),
    ],
)
def test_forecast_bad_options_exit_2_with_one_line(negotiate, args, message):
    res = negotiate("forecast", EC_CONFIG, *args)
    assert res.exit_code == 2
    assert res.stderr.splitlines() == [message]
    assert res.stdout == ""


# --- win probability -----------------------------------------------------------------------


def test_win_probability_three_actors_by_hand():
    # positions 0, 2, 5; weights c s = 1, .5, 1. Votes w_k (|x_k - x_j| - |x_k - x_i|):
    # 0 vs 2 (actors 0, 1): +2 (actor 0), -1 (actor 1), -2 (actor 2): P_01 = 2/5, P_10 = 3/5
    # 0 vs 5 (actors 0, 2): +5, +.5, -5: P_02 = 5.5/10.5 = 11/21, P_20 = 10/21
    # 2 vs 5 (actors 1, 2): +3, +1.5, -3: P_12 = 4.5/7.5 = .6, P_21 = .4
    p = win_probability(np.array([0.0, 2.0, 5.0]), np.array([1.0, 1.0, 2.0]), np.array([1.0, 0.5, 0.5]))
    want = np.array([[0, 2 / 5, 11 / 21], [3 / 5, 0, 0.6], [10 / 21, 0.4, 0]])
    assert np.allclose(p, want, atol=1e-12)
    assert np.allclose(p + p.T, 1 - np.eye(3), atol=1e-12)


def test_win_probability_with_a_middle_actor_by_hand():
    # three actors at 0, 1, 3 with weight 1 each; contest 0 vs 3: actor at 0 votes 3 for 0,
    # actor at 1 votes |1-3| - |1-0| = 1 for 0, actor at 3 votes 3 for 3: P = 4 / 7
    p = win_probability(np.array([0.0, 1.0, 3.0]), np.ones(3), np.ones(3))
    assert p[0, 2] == pytest.approx(4 / 7) and p[2, 0] == pytest.approx(3 / 7)
    assert np.allclose(p + p.T, 1 - np.eye(3))


def test_win_probability_complements_where_the_contest_has_votes():
    # actors 0 and 1 share a position: nobody votes in their contest (P = 0 both ways)
    p = win_probability(np.array([1.0, 1.0, 3.0]), np.ones(3), np.ones(3))
    assert p[0, 1] == 0.0 and p[1, 0] == 0.0
    # 1 vs 3: actors at 1 give 2 each (4), the actor at 3 gives 2: P = 4/6
    assert p[0, 2] == pytest.approx(2 / 3) and p[2, 0] == pytest.approx(1 / 3)
    # EC data: every contest between distinct positions has votes
    p = win_probability(X, C, S)
    distinct = X[:, None] != X[None, :]
    assert np.allclose((p + p.T)[distinct], 1.0, atol=1e-12)
    assert np.all(p[~distinct] == 0.0)
    assert np.all((p >= 0) & (p <= 1))


# --- expected utility, risk, one step --------------------------------------------------------


def test_expected_utility_two_actors_by_hand():
    # positions 0 and 2, c = (1, 3), s = (.5, 1): votes for 0 in the contest: .5 * 2 = 1, for 2:
    # 3 * 2 = 6, so P_01 = 1/7, P_10 = 6/7. r = 1, Usq = 2 - 4 * .5 = 0.
    x, c, s, r = np.array([0.0, 2.0]), np.array([1.0, 3.0]), np.array([0.5, 1.0]), np.ones(2)
    # d = 2 (distance / d = 1): Us = 2, Uf = -2.
    # EU_01 = s_1 (P_01 Us + P_10 Uf) + (1 - s_1) Us = (2 - 12) / 7 = -10/7
    # EU_10 = s_0 (P_10 Us + P_01 Uf) + (1 - s_0) Us = .5 (12 - 2) / 7 + 1 = 12/7
    eu = expected_utility(x, c, s, 0.0, r, 2.0)
    assert eu == pytest.approx(np.array([[0, -10 / 7], [12 / 7, 0]]), abs=1e-12)
    # d = 4 (distance / d = .5): Us = 2 - 4 * .25 = 1, Uf = 2 - 4 * .75 = -1:
    # EU_01 = (1 - 6) / 7 = -5/7; EU_10 = .5 (6 - 1) / 7 + .5 = 6/7
    eu = expected_utility(x, c, s, 0.0, r, 4.0)
    assert eu == pytest.approx(np.array([[0, -5 / 7], [6 / 7, 0]]), abs=1e-12)
    # Q = 0, T = 1 subtracts Ub instead of Usq; mu = 2, d = 4:
    # Ub_01 = 2 - 4 (.5 - .25 (|0 - 2| + 2) / 4) = 1; Ub_10 = 2 - 4 (.5 - .25 (0 + 2) / 4) = .5
    eu = expected_utility(x, c, s, 2.0, r, 4.0, q=0.0, t=1.0)
    assert eu[0, 1] == pytest.approx(-5 / 7 - 1) and eu[1, 0] == pytest.approx(6 / 7 - 0.5)
    # Q = 0, T = 0 subtracts Uw: Uw_01 = 2 - 4 (.5 + .25) = -1; Uw_10 = 2 - 4 (.5 + .125) = -.5
    eu = expected_utility(x, c, s, 2.0, r, 4.0, q=0.0, t=0.0)
    assert eu[0, 1] == pytest.approx(-5 / 7 + 1) and eu[1, 0] == pytest.approx(6 / 7 + 0.5)


def test_expected_utility_two_actors_at_unit_distance_by_hand():
    # positions 0 and 1 (d = 1), r = 1: Us = 2 - 4 (0.5 - 0.5) = 2, Uf = 2 - 4 (1) = -2, Usq = 0.
    # Saliences 1 and 0.25, capabilities 1: votes for 0 are 1 * 1, for 1 are 0.25 * 1, so
    # P_01 = 1 / 1.25 = 0.8. EU_01 = s_1 (0.8 * 2 + 0.2 * -2) + (1 - s_1) 2 = 0.25 * 1.2 + 1.5 = 1.8;
    # EU_10 = s_0 (0.2 * 2 + 0.8 * -2) + 0 = -1.2.
    eu = expected_utility(np.array([0.0, 1.0]), np.ones(2), np.array([1.0, 0.25]), 0.0, np.ones(2), 1.0)
    assert eu[0, 1] == pytest.approx(1.8) and eu[1, 0] == pytest.approx(-1.2)


def test_risk_exponents_by_hand_and_in_range():
    # securities (column sums) 0, 1, 2: R = (2 sec - 2 - 0) / 2 = -1, 0, 1;
    # r = (1 - R/3) / (1 + R/3) = (4/3)/(2/3) = 2, 1, (2/3)/(4/3) = .5
    eu = np.array([[0.0, 1.0, 0.5], [0.0, 0.0, 1.5], [0.0, 0.0, 0.0]])
    assert risk_exponents(eu) == pytest.approx([2.0, 1.0, 0.5])
    assert risk_exponents(np.zeros((3, 3))).tolist() == [1.0, 1.0, 1.0]  # equal security: r = 1
    r = risk_exponents(expected_utility(X, C, S, 7.0, np.ones(10), 6.0))
    assert np.all((r >= 0.5 - 1e-12) & (r <= 2.0 + 1e-12))
    assert r.min() == pytest.approx(0.5) and r.max() == pytest.approx(2.0)
    rng = np.random.default_rng(0)
    for _ in range(20):
        n = int(rng.integers(2, 8))
        eu = rng.normal(size=(n, n))
        np.fill_diagonal(eu, 0.0)
        r = risk_exponents(eu)
        assert np.all((r >= 0.5 - 1e-12) & (r <= 2.0 + 1e-12))


def _two_actor_eu(s, p01, r0, r1):
    """EU_01, EU_10 for positions 0 and 1 with d = 1 (distance / d = 1, so Us = 2, Uf = -2,
    Usq = 2 - 4 * .5^r): EU_ij = 4 (.5^r_i - s_j (1 - P_ij))."""
    return 4 * (0.5**r0 - s[1] * (1 - p01)), 4 * (0.5**r1 - s[0] * p01)


def test_step_only_challenger_compromise_by_hand():
    # c = (1, 1), s = (1, .3): P_01 = 1 / 1.3 = .769231.
    # r = 1: EU_01 = 4 (.5 - .3 * .230769) = 1.723077, EU_10 = 4 (.5 - .769231) = -1.076923;
    # security of actor 1 (EU_01) is the larger: R = (1, -1) reversed, r_0 = 2, r_1 = .5.
    # Then EU_01 = 4 (.25 - .069231) = .723077 > 0 and EU_10 = 4 (.707107 - .769231) = -.248496:
    # actor 0 is the only challenger; |EU_10| < EU_01, so actor 1 compromises, moving
    # .248496 / .723077 = .343665 of the way from 1 to 0: to .656335.
    c, s = np.array([1.0, 1.0]), np.array([1.0, 0.3])
    p01 = 1 / 1.3
    first = _two_actor_eu(s, p01, 1.0, 1.0)
    assert first == pytest.approx((1.723077, -1.076923), abs=1e-6)
    eu01, eu10 = _two_actor_eu(s, p01, 2.0, 0.5)
    assert (eu01, eu10) == pytest.approx((0.723077, -0.248496), abs=1e-6)
    model = expected_utility(np.array([0.0, 1.0]), c, s, 0.0, np.array([2.0, 0.5]), 1.0)
    assert (model[0, 1], model[1, 0]) == pytest.approx((eu01, eu10), abs=1e-12)
    new = step(np.array([0.0, 1.0]), c, s, 1.0)
    assert new[0] == 0.0
    assert new[1] == pytest.approx(1 - abs(eu10 / eu01), abs=1e-12)
    assert new[1] == pytest.approx(0.656335, abs=1e-6)


def test_step_only_challenger_capitulation_by_hand():
    # c = (1, .01), s = (1, 1): P_01 = 1 / 1.01 = .990099. r = 1: EU_01 = 4 (.5 - .009901) > 0 >
    # EU_10 = 4 (.5 - .990099): r_0 = 2, r_1 = .5. Then EU_01 = 4 (.25 - .009901) = .960396 and
    # EU_10 = 4 (.707107 - .990099) = -1.131968: |EU_10| >= EU_01, so actor 1 capitulates to 0.
    c, s = np.array([1.0, 0.01]), np.array([1.0, 1.0])
    eu01, eu10 = _two_actor_eu(s, 1 / 1.01, 2.0, 0.5)
    assert (eu01, eu10) == pytest.approx((0.960396, -1.131968), abs=1e-6)
    assert step(np.array([0.0, 1.0]), c, s, 1.0).tolist() == [0.0, 0.0]


def test_step_conflict_lost_by_hand():
    # c = (1, 1), s = (1, .5): P_01 = 2/3; r_0 = 2, r_1 = .5 as above. EU_01 = 4 (.25 - .5/3)
    # = 1/3 and EU_10 = 4 (.707107 - 2/3) = .161760: both challenge. Actor 1 answers actor 0:
    # 0 < EU_10 < EU_01, a conflict it loses: it moves to 0. Actor 0 answers actor 1 with
    # EU_01 > EU_10 > 0: it stays.
    c, s = np.array([1.0, 1.0]), np.array([1.0, 0.5])
    eu01, eu10 = _two_actor_eu(s, 2 / 3, 2.0, 0.5)
    assert (eu01, eu10) == pytest.approx((1 / 3, 0.161760), abs=1e-6)
    assert step(np.array([0.0, 1.0]), c, s, 1.0).tolist() == [0.0, 0.0]


def test_step_without_challengers_moves_nobody():
    # one camp: nobody is at another position, so nobody challenges
    assert step(np.array([3.0, 3.0, 3.0]), np.ones(3), np.ones(3), 1.0).tolist() == [3.0, 3.0, 3.0]
    path = forecast(np.array([3.0, 3.0]), np.ones(2), np.ones(2), rounds=2)
    assert [f.median for f in path] == [3.0, 3.0, 3.0]
    assert math.isclose(path[-1].mean, 3.0)


# --- convergence ---------------------------------------------------------------------------

# Three actors at 0, 1, 2 with equal capabilities and saliences 1, .2, 1: the middle actor's
# low salience makes it the one everybody challenges; it capitulates to 0, then (the median now
# 0, challenged from 2) to 2, then back to 0: positions (0, 0, 2) and (0, 2, 2) alternate and
# the forecast (median voter) alternates 0, 2, 0, 2, ...
CYCLE = ([0.0, 1.0, 2.0], [1.0, 1.0, 1.0], [1.0, 0.2, 1.0])


def test_a_two_cycle_is_reported_as_oscillating_between_its_two_points():
    path = forecast(*CYCLE, 6)
    assert [f.median for f in path] == [1.0, 0.0, 2.0, 0.0, 2.0, 0.0, 2.0]
    conv = convergence(path)
    assert (conv.status, conv.low, conv.high, conv.movement) == ("oscillating", 0.0, 2.0, 2.0)
    assert not conv.settled
    text = convergence_text(conv, lambda v: f"{v:.1f} years")
    assert text == "the forecast oscillates between 0.0 years and 2.0 years; its point is not a converged position"


def test_a_forecast_that_settles_is_converged_and_says_nothing():
    # 0, 10, 4 (equal weights): 4 and 0 move to 10 within two rounds, then nobody moves
    path = forecast([0.0, 10.0, 4.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0], 5)
    assert [f.median for f in path] == [4.0, 10.0, 10.0, 10.0, 10.0, 10.0]
    conv = convergence(path)
    assert (conv.status, conv.low, conv.high, conv.movement) == ("converged", 10.0, 10.0, 0.0)
    assert conv.settled
    assert convergence_text(conv, str) == ""
    # the EC case settles on 4 years by round 5 (7, 10, 4, 9.65, 4, 4)
    assert convergence(forecast(X, C, S, 5)).status == "converged"


def test_a_forecast_that_turns_back_is_oscillating_even_while_its_moves_shrink():
    # EC after 3 rounds: 7, 10, 4, 9.65: the last move (5.65) is smaller than the one before (6),
    # but the forecast went back up: not a converged position
    conv = convergence(forecast(X, C, S, 3))
    assert (conv.status, conv.low, conv.high) == ("oscillating", 4.0, 10.0)
    # still moving the same way with shrinking steps: "moving", not settled
    rounds = [ForecastRound(k, np.array([0.0, v]), v, v / 2) for k, v in enumerate([0.0, 4.0, 6.0, 7.0])]
    conv = convergence(rounds)
    assert (conv.status, conv.low, conv.high, conv.movement) == ("moving", 4.0, 7.0, 1.0)
    assert "still moving" in convergence_text(conv, str)
    # a flat movement (1, 1) is not shrinking: oscillating by the non-decreasing rule
    rounds = [ForecastRound(k, np.array([0.0, v]), v, v / 2) for k, v in enumerate([0.0, 1.0, 2.0])]
    assert convergence(rounds).status == "oscillating"
    assert convergence(forecast(X, C, S, 0)).status == "short"


def test_cli_warns_when_the_forecast_oscillates(negotiate, tmp_path):
    # The EC config after 3 rounds oscillates; after 10 it has converged (no warning)
    res = negotiate("forecast", EC_CONFIG, "--rounds", 3)
    assert res.exit_code == 0, res.stderr
    assert (
        "  warning: the forecast oscillates between 4.0 years and 10.0 years; its point is not a converged position"
        in res.stdout.splitlines()
    )
    settled = negotiate("forecast", EC_CONFIG, "--rounds", 10)
    assert "warning" not in settled.stdout + settled.stderr
    # with --json the stdout stays JSON; the warning goes to stderr
    js = negotiate("forecast", EC_CONFIG, "--rounds", 3, "--json")
    assert list(json.loads(js.stdout)) == ["years"]
    said = "the forecast oscillates between 4.0 years and 10.0 years; its point is not a converged position"
    assert js.stderr.splitlines() == [f"warning: years: {said}"]
