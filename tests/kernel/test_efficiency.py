"""Pareto gap: the gain every member of an agreement could still have had at once, over the
weighted-sum Pareto points."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from negotiation.kernel import efficiency
from negotiation.kernel.efficiency import pareto_gap, simplex_weights, weighted_sum_points
from negotiation.kernel.utility import issue_utility
from tests.helpers import inputs, scenario, two_party

PRICE = {"range": [0, 100], "status_quo": 50}
SPEED = {"range": [0, 10], "status_quo": 5}


def _gap(loaded, agreement, outcome="deal", rows=None):
    st = loaded.structure
    agreement = np.atleast_2d(np.asarray(agreement, dtype=float))
    inp = inputs(loaded, rows or [{}] * len(agreement))
    codes = np.full(len(agreement), st.outcome_index(outcome)) if isinstance(outcome, str) else np.asarray(outcome)
    return pareto_gap(st, inp, codes, agreement)


def _one_issue(ideal_a, ideal_b, shape_a="linear", shape_b="linear"):
    return scenario(
        profiles={
            "A": {"reservation": 0.2, "issues": {"price": {"weight": 1, "ideal": ideal_a, "shape": shape_a}}},
            "B": {"reservation": 0.2, "issues": {"price": {"weight": 1, "ideal": ideal_b, "shape": shape_b}}},
        },
        issues={"price": PRICE},
    )


# --- the weight grid ---------------------------------------------------------------------------


@pytest.mark.parametrize(("m", "n"), [(1, 1), (2, 11), (3, 66), (4, 286)])
def test_simplex_weights_are_every_tenth_split(m, n):
    lam = simplex_weights(m)
    assert lam.shape == (n, m)
    np.testing.assert_allclose(lam.sum(axis=1), 1.0)
    tenths = np.rint(lam * 10)
    np.testing.assert_allclose(lam * 10, tenths, atol=1e-12)
    assert len({tuple(r) for r in tenths.astype(int).tolist()}) == n  # each split once


# --- (1) two parties, one linear issue ---------------------------------------------------------


def test_agreement_between_the_ideals_has_no_gap():
    # any position between the ideals: moving it helps one party and hurts the other
    np.testing.assert_array_equal(_gap(_one_issue(20, 80), [[20.0], [50.0], [80.0], [63.2]]), 0.0)


def test_agreement_outside_both_ideals_by_hand():
    # ideals 20 and 80 on [0, 100]: both far ends are 80 away. At 90: A 1 - 70/80 = 0.125,
    # B 1 - 10/80 = 0.875. B's ideal 80 (a weighted-sum point for any lambda_B > 1/2) gives
    # A 1 - 60/80 = 0.25 and B 1: both gain 0.125, the exact max-min gain.
    assert _gap(_one_issue(20, 80), [[90.0]])[0] == pytest.approx(0.125, abs=1e-12)
    # below both ideals, the mirror image: at 10, A gains 10/80 and B gains 10/80 at A's ideal 20
    assert _gap(_one_issue(20, 80), [[10.0]])[0] == pytest.approx(0.125, abs=1e-12)


def test_gap_is_a_lower_bound_of_the_exact_max_min_gain():
    # ideals 20 (far end 80 away) and 60 (60 away); at 90: A 1 - 70/80 = 0.125, B 1 - 30/60 = 0.5.
    # The weighted-sum points are the ideals: at 60 A gains 30/80 = 0.375 and B 0.5; at 20 B loses.
    # So the gap is 0.375. The exact max-min gain is a little higher, where the gains cross left
    # of 60: 0.375 + t/80 = 0.5 - t/60 at t = 30/7, a gain of 3/7 = 0.4286 each.
    assert _gap(_one_issue(20, 60), [[90.0]])[0] == pytest.approx(0.375, abs=1e-12)


# --- (2) two parties, two issues: logrolling -----------------------------------------------------


def test_logrolling_gap_by_hand():
    # A weighs price 0.8 (ideal 0) and speed 0.2 (ideal 10); B the reverse (price 100, speed 0).
    # At both midpoints (50, 5) each gets 0.5. Giving A its price and B its speed, (0, 0), gives
    # A 0.8 * 1 + 0.2 * 0 = 0.8 and B 0.2 * 0 + 0.8 * 1 = 0.8: both gain 0.3. That is the best:
    # any move from (0, 0) costs one party 4 times what it gives the other.
    loaded = two_party(wa1=0.8, wa2=0.2, wb1=0.2, wb2=0.8)
    got = _gap(loaded, [[50.0, 5.0], [0.0, 0.0], [0.0, 10.0], [30.0, 0.0]])
    # (0, 0) is on the frontier; so is (0, 10), A's ideal; (30, 0) gives A 0.56 and B 0.86:
    # moving price to 0 gains A 0.24 and costs B 0.06, so nothing helps both
    np.testing.assert_allclose(got, [0.3, 0.0, 0.0, 0.0], atol=1e-12)


# --- (3) a discrete issue ------------------------------------------------------------------------


def _discrete():
    return scenario(
        profiles={
            "A": {
                "reservation": 0.1,
                "issues": {"rule": {"weight": 1, "values": {"a": 1.0, "b": 0.2, "c": 0.6, "d": 0.0}}},
            },
            "B": {
                "reservation": 0.1,
                "issues": {"rule": {"weight": 1, "values": {"a": 0.0, "b": 0.3, "c": 0.7, "d": 1.0}}},
            },
        },
        issues={"rule": {"options": ["a", "b", "c", "d"], "status_quo": "b"}},
    )


def test_discrete_gap_by_hand():
    # agreement b: A 0.2, B 0.3. Option c gives A 0.6 (+0.4) and B 0.7 (+0.4), the weighted-sum
    # point of lambda = (1/2, 1/2) (scores a 0.5, b 0.25, c 0.65, d 0.5): gap 0.4.
    # Options a (A's best), c and d (B's best) are on the frontier.
    np.testing.assert_allclose(_gap(_discrete(), [[1.0], [0.0], [2.0], [3.0]]), [0.4, 0.0, 0.0, 0.0], atol=1e-12)


# --- (4) who counts: bilateral members only; no agreement, no gap ---------------------------------


def _three(c_ideal=(50, 5), c_weights=(1, 1)):
    """A and B as in the logrolling case, C in the middle."""
    return scenario(
        profiles={
            "A": {
                "reservation": 0.1,
                "issues": {"price": {"weight": 0.8, "ideal": 0}, "speed": {"weight": 0.2, "ideal": 10}},
            },
            "B": {
                "reservation": 0.1,
                "issues": {"price": {"weight": 0.2, "ideal": 100}, "speed": {"weight": 0.8, "ideal": 0}},
            },
            "C": {
                "reservation": 0.1,
                "issues": {
                    "price": {"weight": c_weights[0], "ideal": c_ideal[0]},
                    "speed": {"weight": c_weights[1], "ideal": c_ideal[1]},
                },
            },
        },
        issues={"price": PRICE, "speed": SPEED},
    )


def test_a_bilateral_counts_only_its_pair():
    loaded = _three()
    mid = [[50.0, 5.0]]
    # A and B could both gain 0.3 by logrolling (as in the two-party case): C's loss does not count
    assert _gap(loaded, mid, "bilateral_A_B")[0] == pytest.approx(0.3, abs=1e-12)
    # the same agreement as a deal: C has its ideal there, so nothing is better for all three
    assert _gap(loaded, mid, "deal")[0] == 0.0
    # C is a member of A_C: at its ideal, no gap either
    assert _gap(loaded, mid, "bilateral_A_C")[0] == 0.0
    # however C's preferences change, the A_B gap stays 0.3
    for c_ideal, c_weights in (((0, 0), (1, 3)), ((100, 10), (5, 1))):
        assert _gap(_three(c_ideal, c_weights), mid, "bilateral_A_B")[0] == pytest.approx(0.3, abs=1e-12)


def test_no_agreement_no_gap():
    loaded = _three()
    st = loaded.structure
    codes = [st.termination, st.stalemate, -1, st.outcome_index("bilateral_A_B")]  # -1: still in play
    x = [[50.0, 5.0], [np.nan, np.nan], [50.0, 5.0], [50.0, 5.0]]
    got = _gap(loaded, x, codes)
    assert np.isnan(got[:3]).all()
    assert got[3] == pytest.approx(0.3, abs=1e-12)


# --- value shapes: the grid between the ideals -----------------------------------------------------


def test_concave_weighted_sum_point_falls_on_the_nearest_grid_position():
    # both concave: A ideal 20 (far end 80 away), B ideal 60 (60 away); lambda = (1/2, 1/2)
    # maximises (x - 20)^2 / 6400 + (x - 60)^2 / 3600 at its minimum: x = 45.6. The candidates are
    # the ideals and GRID evenly spaced positions between them; the nearest to 45.6 wins
    # (the weighted sum is a quadratic, symmetric about its top).
    loaded = _one_issue(20, 60, "concave", "concave")
    st, inp = loaded.structure, inputs(loaded)
    y = weighted_sum_points(st, inp, [0, 1], [[0.5, 0.5]])[0, 0, 0]
    top = (20 / 6400 + 60 / 3600) / (1 / 6400 + 1 / 3600)
    assert top == pytest.approx(45.6)
    grid = 20 + 40 * np.arange(efficiency.GRID + 2) / (efficiency.GRID + 1)
    assert y == pytest.approx(grid[np.argmin(np.abs(grid - top))])
    assert abs(y - top) <= 20 / (efficiency.GRID + 1)  # half the spacing


def test_linear_issues_try_only_the_ideals():
    # with linear values an ideal is always optimal (a weighted median). Ideals 20 and 60 (far
    # ends 80 and 60 away): moving from 20 towards 60 gains lambda_B / 60 and costs lambda_A / 80
    # per unit, so B's ideal wins while lambda_A < 4/7 (the grid's lambda_A = 0, 0.1, .., 1)
    loaded = _one_issue(20, 60)
    st, inp = loaded.structure, inputs(loaded)
    y = weighted_sum_points(st, inp, [0, 1], simplex_weights(2))[0, :, 0]
    np.testing.assert_array_equal(y, [60.0] * 6 + [20.0] * 5)
    # ideals 20 and 80, both 80 from their far ends: lambda_A = 1/2 is a tie, won by the first ideal, A's
    loaded = _one_issue(20, 80)
    y = weighted_sum_points(loaded.structure, inputs(loaded), [0, 1], simplex_weights(2))[0, :, 0]
    np.testing.assert_array_equal(y, [80.0] * 5 + [20.0] * 6)


# --- (5) properties on a three-party scenario with every value shape and a discrete issue ----------


def _mixed():
    return scenario(
        profiles={
            "A": {
                "reservation": 0.4,
                "issues": {
                    "price": {"weight": 3, "ideal": 0},
                    "rule": {"weight": 1, "values": {"x": 1.0, "y": 0.5, "z": 0.0}},
                    "speed": {"weight": 1, "ideal": 2, "shape": "convex"},
                },
            },
            "B": {
                "reservation": 0.3,
                "issues": {
                    "price": {"weight": 1, "ideal": 100},
                    "rule": {"weight": 1, "ideal": "z"},
                    "speed": {"weight": 1, "ideal": 8, "shape": "concave"},
                },
            },
            "C": {
                "reservation": 0.5,
                "issues": {
                    "price": {"weight": 1, "ideal": 40, "shape": "concave"},
                    "rule": {"weight": 1, "values": {"x": 0.2, "y": 1.0, "z": 0.6}},
                    "speed": {"weight": 1, "ideal": 5},
                },
            },
        },
        issues={
            "price": PRICE,
            "rule": {"options": ["x", "y", "z"], "status_quo": "y"},
            "speed": SPEED,
        },
    )


MIXED = _mixed()
ROWS = 6  # one row per agreement class of three parties, twice: deal, A_B, A_C, B_C


def _draw(ideals, weights):
    over = {}
    for n, p in enumerate("ABC"):
        over[f"{p}.price.ideal"] = ideals[2 * n]
        over[f"{p}.speed.ideal"] = ideals[2 * n + 1] / 10
        for k, issue in enumerate(("price", "rule", "speed")):
            over[f"{p}.{issue}.weight"] = weights[3 * n + k]
    return inputs(MIXED, [over] * ROWS)


def _brute_force(st, inp, members, x):
    """max over the weight grid of the least gain, point by point, without the vectorised tables."""
    lam = simplex_weights(len(members))
    y = weighted_sum_points(st, inp, members, lam)  # (B, L, I)
    base = np.stack([issue_utility(st, inp, p, x) for p in members], axis=1)
    best = np.full(inp.batch, -np.inf)
    for k in range(lam.shape[0]):
        u = np.stack([issue_utility(st, inp, p, y[:, k]) for p in members], axis=1)
        best = np.maximum(best, (u - base).min(axis=1))
    return np.maximum(best, 0.0)


MEMBERS = {"deal": [0, 1, 2], "bilateral_A_B": [0, 1], "bilateral_A_C": [0, 2], "bilateral_B_C": [1, 2]}


@settings(max_examples=60, deadline=None, database=None)
@given(
    ideals=hs.lists(hs.floats(0, 100), min_size=6, max_size=6),
    weights=hs.lists(hs.floats(0.01, 1), min_size=9, max_size=9),
    price=hs.lists(hs.floats(0, 100), min_size=ROWS, max_size=ROWS),
    rule=hs.lists(hs.integers(0, 2), min_size=ROWS, max_size=ROWS),
    speed=hs.lists(hs.floats(0, 10), min_size=ROWS, max_size=ROWS),
    outcome=hs.sampled_from(list(MEMBERS)),
    lam=hs.lists(hs.floats(0.01, 1), min_size=3, max_size=3),
)
def test_gap_properties(ideals, weights, price, rule, speed, outcome, lam):
    st = MIXED.structure
    inp = _draw(ideals, weights)
    members = MEMBERS[outcome]
    codes = np.full(ROWS, st.outcome_index(outcome))
    x = np.stack([price, np.array(rule, float), speed], axis=1)
    gap = pareto_gap(st, inp, codes, x)
    # never negative, never more than a utility range, and what the point-by-point search finds
    assert np.all((gap >= 0) & (gap <= 1))
    np.testing.assert_allclose(gap, _brute_force(st, inp, members, x), atol=1e-12)
    # a member's own ideal: that member cannot gain, so there is no gap
    for p in members:
        assert np.all(pareto_gap(st, inp, codes, inp.ideal[:, p, :]) == 0.0)
    # a weighted-sum point with every weight positive: no point of the grid is better for all
    y = weighted_sum_points(st, inp, members, [lam[: len(members)]])[:, 0]
    assert np.all(pareto_gap(st, inp, codes, y) <= 1e-12)


def test_blocks_do_not_change_the_gap(monkeypatch):
    rng = np.random.default_rng(3)
    st = MIXED.structure
    inp = _draw(rng.uniform(0, 100, 6), rng.uniform(0.01, 1, 9))
    inp = inp.rows(np.repeat(np.arange(ROWS), 50))
    x = np.stack([rng.uniform(0, 100, 300), rng.integers(0, 3, 300).astype(float), rng.uniform(0, 10, 300)], axis=1)
    codes = rng.integers(-1, len(st.outcomes), 300)
    whole = pareto_gap(st, inp, codes, x)
    monkeypatch.setattr(efficiency, "ROWS", 7)  # the candidates of 7 rows at a time,
    monkeypatch.setattr(efficiency, "CELLS", 1)  # scored one row at a time
    np.testing.assert_array_equal(pareto_gap(st, inp, codes, x), whole)
    agreed = st.agreed(codes) & (codes >= 0)
    assert np.isnan(whole[~agreed]).all() and not np.isnan(whole[agreed]).any()
