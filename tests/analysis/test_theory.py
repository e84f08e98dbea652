"""Analytic results from theory, reproduced by the simulator."""

import datetime as dt

import numpy as np
import pytest
import yaml

from negotiation.analysis.bargaining import analyze
from negotiation.drivers.batch import run_rows
from negotiation.drivers.model import NegotiationModel
from negotiation.experiments.statistics import wilson
from negotiation.scenario.loader import load_scenario_text
from tests.helpers import CONFIGS

SPLIT = yaml.safe_load((CONFIGS / "teaching_split.yaml").read_text())


def split(**profiles) -> dict:
    data = yaml.safe_load(yaml.safe_dump(SPLIT))
    for party, changes in profiles.items():
        data["profiles"][party].update(changes)
    return data


def load(data):
    return load_scenario_text(yaml.safe_dump(data))


def test_nash_bargaining_point_of_a_linear_split():
    # Buyer's utility 1 - p/100, seller's p/100; disagreement d = (0.2, 0.1). The Nash product
    # (u1 - 0.2)(1 - u1 - 0.1) is largest at u1 = d1 + (1 - d1 - d2)/2 = 0.2 + 0.7/2 = 0.55.
    res = analyze(load(split(B={"reservation": 0.2}, S={"reservation": 0.1})), max_points=20_001)
    tol = res["tolerance"]["price"] / 100  # one grid step, in utility
    assert res["nash"]["utilities"]["B"] == pytest.approx(0.55, abs=tol)
    assert res["nash"]["utilities"]["S"] == pytest.approx(0.45, abs=tol)
    # Kalai-Smorodinsky: equal shares of each side's possible gain: 0.2 + 0.7/2 here as well
    assert res["kalai_smorodinsky"]["utilities"]["B"] == pytest.approx(0.55, abs=tol)


def test_nash_point_with_one_term_per_pair():
    # Three parties, one issue held pair by pair (terms x = A-B, y = A-C, z = B-C on [0, 1]),
    # linear values, reservations 0. A wants 1 on its terms and splits its weight 0.6 : 0.4
    # between B and C; B and C want 0 (equal shares):
    #   u_A = 0.6 x + 0.4 y,  u_B = 0.5 (1 - x) + 0.5 (1 - z),  u_C = 0.5 (1 - y) + 0.5 (1 - z).
    # z is theirs alone and both want 0: z = 0. The Nash product u_A u_B u_C is then largest
    # where 0.6 / u_A = 0.5 / u_B (d/dx) and 0.4 / u_A = 0.5 / u_C (d/dy): u_B = 5/6 u_A,
    # u_C = 5/4 u_A; with x = 2 - 2 u_B and y = 2 - 2 u_C, u_A = 0.6 x + 0.4 y = 2 - 2 u_A, so
    # u_A = 2/3, u_B = 5/9, u_C = 5/6, x = 8/9, y = 1/3. A grid of 10 points per term (step 1/9)
    # holds that point; the product is strictly log-concave, so it is the grid's best.
    party = {"reservation": 0.0, "strategy": {"name": "linear"}}
    data = {
        "name": "pairs",
        "parties": {p: {"name": p} for p in "ABC"},
        "issues": {"trade": {"range": [0, 1], "status_quo": 0.5, "scope": "per_pair"}},
        "profiles": {
            "A": {**party, "issues": {"trade": {"weight": 1, "ideal": 1, "pair_weights": {"B": 0.6, "C": 0.4}}}},
            "B": {**party, "issues": {"trade": {"weight": 1, "ideal": 0}}},
            "C": {**party, "issues": {"trade": {"weight": 1, "ideal": 0}}},
        },
        "calendar": SPLIT["calendar"],
    }
    res = analyze(load(data), max_points=1100)  # 1100 ** (1/3) -> 10 points per term
    assert res["tolerance"] == pytest.approx({"trade.A_B": 1 / 9, "trade.A_C": 1 / 9, "trade.B_C": 1 / 9})
    nash = res["nash"]
    assert nash["agreement"] == pytest.approx({"trade.A_B": 8 / 9, "trade.A_C": 1 / 3, "trade.B_C": 0.0}, abs=1e-9)
    assert nash["utilities"] == pytest.approx({"A": 2 / 3, "B": 5 / 9, "C": 5 / 6}, abs=1e-9)
    # the default grid (58 points per term, step 1/57) finds it to within a step
    fine = analyze(load(data))
    assert fine["nash"]["agreement"] == pytest.approx(nash["agreement"], abs=fine["tolerance"]["trade.A_B"])


def test_two_linear_conceders_meet_where_and_when_faratin_says():
    # Both concede linearly from 1 to 0.2 over T = 90 days: target(t) = 0.2 + 0.8 (1 - t/90).
    # An offer at the proposer's target gives the other 1 - target, acceptable once
    # 1 - target >= target, i.e. target <= 0.5, i.e. t >= 56.25 days: the first round on or
    # after that is day 60 (2024-03-01, round 7), where target = 0.2 + 0.8/3 = 0.4667.
    m = NegotiationModel(load(split()))
    m.run()
    s = m.summary()
    target = 0.2 + 0.8 * (1 - 60 / 90)
    assert (s["outcome"], s["rounds"], s["date"]) == ("deal", 7, "2024-03-01")
    # Round 7 is odd, so the buyer proposes first; its offer gives it exactly its target.
    assert s["utilities"]["B"] == pytest.approx(target, abs=1e-9)
    assert s["agreement"]["price"] == pytest.approx(100 * (1 - target), abs=1e-7)
    first = dt.date(2024, 1, 1) + dt.timedelta(days=int(np.ceil(56.25 / 10) * 10))
    assert s["date"] == first.isoformat()


@pytest.mark.parametrize("d1,d2,share", [(0.9, 0.9, 0.5263), (0.9, 0.8, 0.7143)])
def test_rubinstein_split(d1, d2, share):
    # x* = (1 - d2) / (1 - d1 d2): 0.1 / 0.19 = 0.5263; 0.2 / 0.28 = 0.7143. Immediate agreement.
    data = split(
        B={"reservation": 0.0, "strategy": {"name": "rubinstein", "params": {"discount": d1, "other_discount": d2}}},
        S={"reservation": 0.0, "strategy": {"name": "rubinstein", "params": {"discount": d2, "other_discount": d1}}},
    )
    m = NegotiationModel(load(data))
    m.run()
    s = m.summary()
    assert (s["outcome"], s["rounds"]) == ("deal", 1)
    assert s["utilities"]["B"] == pytest.approx((1 - d2) / (1 - d1 * d2), abs=1e-9)
    assert s["utilities"]["B"] == pytest.approx(share, abs=5e-5)


COIN = """
name: coin
parties: {A: {name: A}, B: {name: B}}
issues: {x: {range: [0, 1], status_quo: 0.5}}
profiles:
  A: {reservation: 0.4, p_withdraw: 0.3, issues: {x: {weight: 1, ideal: 0}}}
  B: {reservation: 0.9, issues: {x: {weight: 1, ideal: 1}}}
calendar:
  rounds: [2024-01-01]
  deadline: 2024-01-01
  withdrawal_notice_days: 0
  horizon: 2024-01-02
"""


@pytest.mark.slow
def test_wilson_intervals_cover_the_true_probability_at_their_rate():
    # No deal is possible (B needs 0.9, A never offers it); in round 1 A gives notice with
    # probability exactly 0.3, and otherwise the talks close with the old treaty (A values it,
    # 0.5, above walking away, 0.4): P(termination) = 0.3. Over 400 seeds of 200 draws, the
    # 95% Wilson interval must cover 0.3 about 95% of the time (binomial sd of the rate 0.011).
    loaded = load_scenario_text(COIN)
    term = loaded.structure.outcome_index("termination")
    covered = 0
    total = 0
    for seed in range(400):
        res = run_rows(loaded.structure, loaded.space, seed, 0, 200)
        assert set(np.unique(res.outcome)) <= {term, loaded.structure.outcome_index("stalemate")}
        k = int((res.outcome == term).sum())
        total += k
        lo, hi = wilson(k, 200)
        covered += lo <= 0.3 <= hi
    assert total / 80_000 == pytest.approx(0.3, abs=0.006)
    assert 0.92 <= covered / 400 <= 0.98
