"""Value functions, weighted utilities, stakes by outcome class and end-of-talks utilities."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from negotiation.kernel.utility import (
    continuous_value,
    discrete_value,
    issue_utility,
    issue_value,
    outcome_utilities,
    utility,
)
from tests.helpers import inputs, scenario, two_party

LINEAR, CONCAVE, CONVEX = 0, 1, 2


# --- continuous values --------------------------------------------------------------------------


def test_continuous_value_linear_by_hand():
    # range [0, 100], ideal 20: the far end (100) is 80 away, so d = |x - 20| / 80
    assert continuous_value(20.0, 20.0, 0.0, 100.0, LINEAR) == pytest.approx(1.0)
    assert continuous_value(60.0, 20.0, 0.0, 100.0, LINEAR) == pytest.approx(0.5)  # d = 0.5
    assert continuous_value(0.0, 20.0, 0.0, 100.0, LINEAR) == pytest.approx(0.75)  # d = 20/80
    assert continuous_value(100.0, 20.0, 0.0, 100.0, LINEAR) == pytest.approx(0.0)  # d = 1
    assert continuous_value(40.0, 20.0, 0.0, 100.0, LINEAR) == pytest.approx(0.75)  # d = 20/80


def test_continuous_value_concave_by_hand():
    # 1 - d^2: tolerant near the ideal
    assert continuous_value(60.0, 20.0, 0.0, 100.0, CONCAVE) == pytest.approx(0.75)  # 1 - 0.25
    assert continuous_value(0.0, 20.0, 0.0, 100.0, CONCAVE) == pytest.approx(0.9375)  # 1 - 0.0625
    assert continuous_value(100.0, 20.0, 0.0, 100.0, CONCAVE) == pytest.approx(0.0)


def test_continuous_value_convex_by_hand():
    # (1 - d)^2: sharp near the ideal
    assert continuous_value(60.0, 20.0, 0.0, 100.0, CONVEX) == pytest.approx(0.25)  # 0.5^2
    assert continuous_value(0.0, 20.0, 0.0, 100.0, CONVEX) == pytest.approx(0.5625)  # 0.75^2
    assert continuous_value(20.0, 20.0, 0.0, 100.0, CONVEX) == pytest.approx(1.0)


def test_continuous_value_central_ideal_and_other_ranges():
    # ideal 50 on [0, 100]: both ends are 50 away
    assert continuous_value(0.0, 50.0, 0.0, 100.0, LINEAR) == pytest.approx(0.0)
    assert continuous_value(75.0, 50.0, 0.0, 100.0, LINEAR) == pytest.approx(0.5)
    # range [0.5, 0.95], ideal 0.8: far end 0.5 is 0.3 away; x = 0.65 is d = 0.5
    assert continuous_value(0.65, 0.8, 0.5, 0.95, LINEAR) == pytest.approx(0.5)
    assert continuous_value(0.65, 0.8, 0.5, 0.95, CONCAVE) == pytest.approx(0.75)
    # range [-5, 5], ideal -5: far end 10 away; x = 2.5 is d = 0.75
    assert continuous_value(2.5, -5.0, -5.0, 5.0, CONVEX) == pytest.approx(0.0625)


def test_continuous_value_vectorised_with_shape_codes():
    x = np.array([60.0, 60.0, 60.0, 0.0])
    ideal = np.full(4, 20.0)
    shape = np.array([LINEAR, CONCAVE, CONVEX, CONCAVE])
    np.testing.assert_allclose(continuous_value(x, ideal, 0.0, 100.0, shape), [0.5, 0.75, 0.25, 0.9375])


def test_continuous_value_is_zero_beyond_the_far_end():
    # d is clipped at 1: nothing below 0
    assert continuous_value(150.0, 20.0, 0.0, 100.0, LINEAR) == pytest.approx(0.0)
    assert continuous_value(150.0, 20.0, 0.0, 100.0, CONVEX) == pytest.approx(0.0)


# --- discrete values ----------------------------------------------------------------------------


def test_discrete_value_is_a_table_lookup():
    values = np.array([[0.0, 0.6, 1.0], [1.0, 0.3, 0.0], [0.2, 0.9, 0.4]])
    np.testing.assert_allclose(discrete_value(np.array([1.0, 2.0, 0.0]), values), [0.6, 0.0, 0.2])
    # positions are rounded to the nearest option
    np.testing.assert_allclose(discrete_value(np.array([0.6, 1.4, 1.6]), values), [0.6, 0.3, 0.4])


def test_discrete_value_many_options_uses_the_same_table():
    values = np.arange(20, dtype=float).reshape(2, 10) / 20.0  # row 0: o/20, row 1: (10 + o)/20
    np.testing.assert_allclose(discrete_value(np.array([9.0, 3.0]), values), [9 / 20, 13 / 20])


# --- two parties, two linear issues ------------------------------------------------------------


def test_issue_utility_and_a_termination_stake():
    loaded = two_party(wa1=0.75, wa2=0.25)
    st, inp = loaded.structure, inputs(loaded)
    x = np.array([[40.0, 5.0]])
    # A: 0.75 * (1 - 40/100) + 0.25 * (1 - 5/10) = 0.45 + 0.125 = 0.575
    assert issue_utility(st, inp, 0, x)[0] == pytest.approx(0.575)
    inp.stake[:, 0, st.outcome_index("termination")] = -0.1
    assert utility(st, inp, 0, x, st.outcome_index("termination"))[0] == pytest.approx(0.475)
    assert utility(st, inp, 0, x, st.outcome_index("deal"))[0] == pytest.approx(0.575)


# --- a three-party scenario with a continuous and a discrete issue, and stakes -------------------


def _three():
    return scenario(
        profiles={
            "A": {
                "reservation": 0.4,
                "issues": {
                    "price": {"weight": 3, "ideal": 0},
                    "rule": {"weight": 1, "values": {"x": 1.0, "y": 0.5, "z": 0.0}},
                },
            },
            "B": {
                "reservation": 0.3,
                "issues": {"price": {"weight": 1, "ideal": 100}, "rule": {"weight": 1, "ideal": "z"}},
            },
            "C": {
                "reservation": 0.5,
                "issues": {
                    "price": {"weight": 1, "ideal": 40, "shape": "concave"},
                    "rule": {"weight": 1, "values": {"x": 0.2, "y": 1.0, "z": 0.6}},
                },
            },
        },
        issues={
            "price": {"range": [0, 100], "status_quo": 50},
            "rule": {"options": ["x", "y", "z"], "status_quo": "y"},
        },
        stakes={
            "c_loss": {"holder": "A", "affects": "C", "value": -0.2, "when": ["bilateral_A_B", "termination"]},
            "a_gain": {"holder": "B", "affects": "A", "value": 0.1, "when": ["stalemate"]},
            "b_deal": {"holder": "A", "affects": "B", "value": 0.05, "when": ["deal"]},
        },
    )


def test_inputs_of_the_three_party_scenario():
    loaded = _three()
    st, inp = loaded.structure, inputs(loaded)
    assert st.outcomes == ["deal", "bilateral_A_B", "bilateral_A_C", "bilateral_B_C", "termination", "stalemate"]
    # weights normalised: A 3:1 -> 0.75, 0.25
    np.testing.assert_allclose(inp.weight[0], [[0.75, 0.25], [0.5, 0.5], [0.5, 0.5]])
    # B's ideal "z" (index 2) gives values 1 - |o - 2| / 2 = [0, 0.5, 1]
    np.testing.assert_allclose(inp.values[0, 1, 1], [0.0, 0.5, 1.0])
    np.testing.assert_allclose(inp.ideal[0, :, 1], [0, 2, 1])  # discrete ideal: the best option
    # stakes per outcome class (deal, AB, AC, BC, termination, stalemate)
    np.testing.assert_allclose(inp.stake[0, 0], [0, 0, 0, 0, 0, 0.1])
    np.testing.assert_allclose(inp.stake[0, 1], [0.05, 0, 0, 0, 0, 0])
    np.testing.assert_allclose(inp.stake[0, 2], [0, -0.2, 0, 0, -0.2, 0])
    # effective reservation: reservation + termination stakes
    np.testing.assert_allclose(inp.res_eff[0], [0.4, 0.3, 0.3])


def test_issue_value_and_issue_utility_weighted_sum():
    loaded = _three()
    st, inp = loaded.structure, inputs(loaded)
    x = np.array([[30.0, 0.0]])  # price 30, rule "x"
    # A: 1 - 30/100 = 0.7; B: 1 - 70/100 = 0.3; C: ideal 40, far 60, d = 1/6, concave 1 - 1/36
    assert issue_value(st, inp, 0, 0, x[:, 0])[0] == pytest.approx(0.7)
    assert issue_value(st, inp, 1, 0, x[:, 0])[0] == pytest.approx(0.3)
    assert issue_value(st, inp, 2, 0, x[:, 0])[0] == pytest.approx(35 / 36)
    assert issue_value(st, inp, 2, 1, x[:, 1])[0] == pytest.approx(0.2)
    # A: 0.75 * 0.7 + 0.25 * 1 = 0.775
    assert issue_utility(st, inp, 0, x)[0] == pytest.approx(0.775)
    # B: 0.5 * 0.3 + 0.5 * 0 = 0.15
    assert issue_utility(st, inp, 1, x)[0] == pytest.approx(0.15)
    # C: 0.5 * 35/36 + 0.5 * 0.2 = 0.586111
    assert issue_utility(st, inp, 2, x)[0] == pytest.approx(0.5 * 35 / 36 + 0.1)


def test_utility_adds_the_stake_of_the_outcome_class():
    loaded = _three()
    st, inp = loaded.structure, inputs(loaded)
    x = np.array([[30.0, 0.0]])
    # B under a deal: 0.15 + 0.05; under bilateral A_B: 0.15 + 0
    assert utility(st, inp, 1, x, st.outcome_index("deal"))[0] == pytest.approx(0.2)
    assert utility(st, inp, 1, x, st.outcome_index("bilateral_A_B"))[0] == pytest.approx(0.15)
    # C under bilateral A_B: 0.586111 - 0.2
    assert utility(st, inp, 2, x, st.outcome_index("bilateral_A_B"))[0] == pytest.approx(0.5 * 35 / 36 + 0.1 - 0.2)
    # A under stalemate: 0.775 + 0.1
    assert utility(st, inp, 0, x, st.outcome_index("stalemate"))[0] == pytest.approx(0.875)


def test_outcome_utilities_by_class():
    loaded = _three()
    st = loaded.structure
    inp = inputs(loaded, [{}] * 6)
    outcome = np.array([0, 1, 3, 4, 5, 2])  # deal, A_B, B_C, termination, stalemate, A_C
    agreement = np.array([[30.0, 0.0], [30.0, 0.0], [30.0, 0.0], [np.nan, np.nan], [np.nan, np.nan], [30.0, 0.0]])
    got = outcome_utilities(st, inp, outcome, agreement)
    c_agree = 0.5 * 35 / 36 + 0.1  # C's issue utility of (30, x): 0.586111
    # status quo (50, y): A 0.75 * 0.5 + 0.25 * 0.5 = 0.5; B 0.5 * 0.5 + 0.5 * 0.5 = 0.5;
    # C: d = 10/60, 0.5 * 35/36 + 0.5 * 1 = 0.986111
    c_sq = 0.5 * 35 / 36 + 0.5
    expected = [
        [0.775, 0.15 + 0.05, c_agree],  # deal: everyone the agreement, B's deal stake
        [0.775, 0.15, 0.5 - 0.2],  # A_B: C left out, reservation 0.5 plus its stake -0.2
        [0.4, 0.15, c_agree],  # B_C: A left out, its reservation 0.4
        [0.4, 0.3, 0.5 - 0.2],  # termination: reservation plus termination stakes
        [0.5 + 0.1, 0.5, c_sq],  # stalemate: the status quo plus A's stalemate stake
        [0.775, 0.3, c_agree],  # A_C: B left out, reservation 0.3
    ]
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_outcome_utilities_ignore_an_agreement_under_termination_and_stalemate():
    # even if an agreement array is passed for those rows, termination and stalemate do not read it
    loaded = _three()
    st = loaded.structure
    inp = inputs(loaded, [{}] * 2)
    got = outcome_utilities(st, inp, np.array([4, 5]), np.array([[0.0, 0.0], [0.0, 0.0]]))
    np.testing.assert_allclose(got, [[0.4, 0.3, 0.3], [0.6, 0.5, 0.5 * 35 / 36 + 0.5]], atol=1e-12)


# --- terms by pair: a per-pair issue is one kernel issue per pair (see tests/scenario/test_pairs.py)


def _by_pair():
    """A common tariff and market access by pair. A splits its access weight 3:1 between its terms
    with B and C; B equally (the default); C all on its term with A (its pair weight for B is 0)."""
    return scenario(
        profiles={
            "A": {
                "reservation": 0.3,
                "issues": {
                    "tariff": {"weight": 1, "ideal": 10},
                    "access": {"weight": 3, "ideal": 0, "pair_weights": {"B": 3, "C": 1}},
                },
            },
            "B": {
                "reservation": 0.2,
                "issues": {"tariff": {"weight": 2, "ideal": 0}, "access": {"weight": 2, "ideal": 100}},
            },
            "C": {
                "reservation": 0.4,
                "issues": {
                    "tariff": {"weight": 1, "ideal": 0},
                    "access": {"weight": 1, "ideal": 50, "shape": "concave", "pair_weights": {"A": 1, "B": 0}},
                },
            },
        },
        issues={
            "tariff": {"range": [0, 10], "status_quo": 5},
            "access": {"range": [0, 100], "status_quo": 20, "scope": "per_pair"},
        },
    )


def test_per_pair_utility_by_hand():
    loaded = _by_pair()
    st, inp = loaded.structure, inputs(loaded)
    assert st.issues == ["tariff", "access.A_B", "access.A_C", "access.B_C"]
    # weights, raw: A [1, 3 * 3/4, 3 * 1/4, 0], B [2, 1, 0, 1], C [1, 0, 1, 0]; normalised:
    # A [0.25, 0.5625, 0.1875, 0], B [0.5, 0.25, 0, 0.25], C [0.5, 0, 0.5, 0]
    x = np.array([[4.0, 20.0, 60.0, 80.0]])  # tariff 4; access A-B 20, A-C 60, B-C 80
    # A: tariff ideal 10, far 10: 1 - 6/10 = 0.4; access ideal 0: A-B 0.8, A-C 0.4 (B-C not its)
    #    0.25 * 0.4 + 0.5625 * 0.8 + 0.1875 * 0.4 = 0.1 + 0.45 + 0.075 = 0.625
    assert issue_utility(st, inp, 0, x)[0] == pytest.approx(0.625)
    # B: tariff 0.6; access ideal 100: A-B 0.2, B-C 0.8: 0.5 * 0.6 + 0.25 * 0.2 + 0.25 * 0.8 = 0.55
    assert issue_utility(st, inp, 1, x)[0] == pytest.approx(0.55)
    # C: tariff 0.6; access ideal 50, far 50, concave: A-C d = 10/50, 1 - 0.04 = 0.96 (B-C weight 0)
    #    0.5 * 0.6 + 0.5 * 0.96 = 0.78
    assert issue_utility(st, inp, 2, x)[0] == pytest.approx(0.78)
    # moving the term of a pair moves only its members' utilities
    y = x.copy()
    y[0, 3] = 0.0  # B-C from 80 to 0
    moved = [issue_utility(st, inp, p, y)[0] - issue_utility(st, inp, p, x)[0] for p in range(3)]
    np.testing.assert_allclose(moved, [0, 0.25 * (0.0 - 0.8), 0], atol=1e-12)


def test_per_pair_terms_count_for_members_under_a_bilateral_deal():
    loaded = _by_pair()
    st = loaded.structure
    inp = inputs(loaded, [{}] * 2)
    x = np.array([[4.0, 20.0, 60.0, 80.0]] * 2)
    got = outcome_utilities(st, inp, np.array([0, st.outcome_index("bilateral_A_B")]), x)
    # under A_B, A and B count the text's terms of every pair they are in (A-C, B-C too); C is out
    np.testing.assert_allclose(got, [[0.625, 0.55, 0.78], [0.625, 0.55, 0.4]], atol=1e-12)


# --- property: utilities stay within [sum of negative stakes, 1 + sum of positive stakes] ----------

STAKES = {
    "s1": ("A", ["deal", "termination"]),
    "s2": ("A", ["bilateral_A_B", "stalemate"]),
    "s3": ("C", ["bilateral_A_B", "termination", "stalemate"]),
    "s4": ("C", ["deal", "bilateral_B_C"]),
    "s5": ("B", ["bilateral_A_C"]),
}


def _property_scenario():
    loaded = _three()
    data_stakes = {
        sid: {"holder": "A", "affects": who, "value": 0.0, "when": when} for sid, (who, when) in STAKES.items()
    }
    return scenario(
        profiles={p: loaded.scenario.profiles[p].model_dump(exclude_none=True) for p in "ABC"},
        issues={k: v.model_dump(exclude_none=True) for k, v in loaded.scenario.issues.items()},
        stakes=data_stakes,
    )


PROPERTY = _property_scenario()


@settings(max_examples=80, deadline=None, database=None)
@given(
    stakes=hs.lists(hs.floats(-1, 1), min_size=5, max_size=5),
    res=hs.lists(hs.floats(0, 1), min_size=3, max_size=3),
    ideals=hs.lists(hs.floats(0, 100), min_size=3, max_size=3),
    weights=hs.lists(hs.floats(0.01, 1), min_size=6, max_size=6),
    price=hs.lists(hs.floats(0, 100), min_size=6, max_size=6),
    rule=hs.lists(hs.integers(0, 2), min_size=6, max_size=6),
)
def test_utilities_stay_within_stake_bounds(stakes, res, ideals, weights, price, rule):
    loaded = PROPERTY
    st = loaded.structure
    over = {f"stakes.{sid}.value": v for sid, v in zip(STAKES, stakes, strict=True)}
    for n, p in enumerate("ABC"):
        over[f"{p}.reservation"] = res[n]
        over[f"{p}.price.ideal"] = ideals[n]
        over[f"{p}.price.weight"] = weights[2 * n]
        over[f"{p}.rule.weight"] = weights[2 * n + 1]
    outcome = np.arange(6)  # every class once
    inp = inputs(loaded, [over] * 6)
    agreement = np.stack([np.array(price, float), np.array(rule, float)], axis=1)
    got = outcome_utilities(st, inp, outcome, agreement)
    for n, p in enumerate("ABC"):
        mine = [v for sid, v in zip(STAKES, stakes, strict=True) if STAKES[sid][0] == p]
        lo = sum(min(v, 0.0) for v in mine)
        hi = 1.0 + sum(max(v, 0.0) for v in mine)
        assert np.all(got[:, n] >= lo - 1e-12), (p, got[:, n], lo)
        assert np.all(got[:, n] <= hi + 1e-12), (p, got[:, n], hi)
        # and every single utility is within [stake, 1 + stake] of its own class
        for o in range(6):
            u = utility(st, inp.rows(slice(o, o + 1)), n, agreement[o : o + 1], o)[0]
            s = inp.stake[o, n, o]
            assert s - 1e-12 <= u <= 1.0 + s + 1e-12
