"""Terms by pair (``scope: per_pair``): the expansion into one kernel issue per pair, the weights
and their shares, the slots, beliefs and shocks that read them, and bad input."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from negotiation.kernel.shocks import _change
from negotiation.scenario.loader import load_scenario_text
from tests.helpers import inputs, scenario
from tests.scenario.test_config_errors import Want, check_problems, line_of, variant

# Three parties; ``access`` holds one term per pair. A splits its weight 3:1 between B and C, B
# equally (the default), C all on A (its pair weight for B is 0).
ISSUES = {
    "tariff": {"range": [0, 10], "status_quo": 5},
    "access": {"label": "Market access", "unit": "%", "range": [0, 100], "status_quo": 20, "scope": "per_pair"},
}
PROFILES = {
    "A": {
        "reservation": 0.3,
        "issues": {
            "tariff": {"weight": 1, "ideal": 10},
            "access": {"weight": 3, "ideal": 0, "pair_weights": {"B": 3, "C": 1}},
        },
    },
    "B": {"reservation": 0.3, "issues": {"tariff": {"weight": 2, "ideal": 0}, "access": {"weight": 2, "ideal": 100}}},
    "C": {
        "reservation": 0.3,
        "issues": {
            "tariff": {"weight": 1, "ideal": 0},
            "access": {"weight": 1, "ideal": 50, "shape": "concave", "pair_weights": {"A": 1, "B": 0}},
        },
    },
}


def pairs_case(**extra):
    return scenario(PROFILES, ISSUES, **extra)


def test_a_per_pair_issue_is_one_kernel_issue_per_pair_in_party_order():
    st = pairs_case().structure
    assert st.issues == ["tariff", "access.A_B", "access.A_C", "access.B_C"]
    assert st.issue_config == ["tariff", "access", "access", "access"]
    assert st.issue_pair == [None, (0, 1), (0, 2), (1, 2)]
    assert st.issue_columns("access") == [1, 2, 3] and st.per_pair
    # range, status quo and kind are the config issue's, on every term
    assert st.lo.tolist() == [0, 0, 0, 0] and st.hi.tolist() == [10, 100, 100, 100]
    assert st.status_quo.tolist() == [5, 20, 20, 20] and st.cont == [0, 1, 2, 3]
    assert st.shape[2].tolist() == [0, 1, 1, 1]  # C's concave access, on each of its terms


def test_weights_are_the_issue_weight_times_the_normalised_pair_share():
    inp = inputs(pairs_case())
    # raw: A [1, 3 * 3/4, 3 * 1/4, 0] (no term with B-C), B [2, 2/2, 0, 2/2], C [1, 0, 1 * 1/1, 1 * 0]
    np.testing.assert_allclose(inp.raw_weight[0], [[1, 2.25, 0.75, 0], [2, 1, 0, 1], [1, 0, 1, 0]])
    np.testing.assert_allclose(inp.share[0], [[1, 0.75, 0.25, 0], [1, 0.5, 0, 0.5], [1, 0, 1, 0]])
    np.testing.assert_allclose(inp.weight[0], [[0.25, 0.5625, 0.1875, 0], [0.5, 0.25, 0, 0.25], [0.5, 0, 0.5, 0]])
    # ideals are copied to each term (and mean nothing on a pair the party is not in: weight 0)
    np.testing.assert_allclose(inp.ideal[0], [[10, 0, 0, 0], [0, 100, 100, 100], [0, 50, 50, 50]])


def test_slots_keep_their_names_and_pair_shares_are_slots_too():
    loaded = pairs_case()
    names = [s.name for s in loaded.space.slots]
    assert names[:6] == [
        "A.tariff.weight",
        "A.tariff.ideal",
        "A.access.weight",
        "A.access.ideal",
        "A.access.pairs.B",
        "A.access.pairs.C",
    ]
    assert "B.access.pairs.A" in names and "B.access.pairs.C" in names and "C.access.pairs.B" in names
    assert loaded.space["B.access.pairs.A"].value == 1.0  # the default: equal shares
    # a sweep may set a share: B now puts 3/4 of its access weight on its term with C
    space = loaded.space.with_values({"B.access.pairs.C": 3.0})
    from negotiation.kernel.draws import build_inputs

    inp = build_inputs(loaded.structure, space, space.base()[None, :])
    np.testing.assert_allclose(inp.share[0, 1], [1, 0.25, 0, 0.75])


def test_pairs_restrict_the_terms_and_order_them_by_party():
    issues = {**ISSUES, "access": {**ISSUES["access"], "pairs": [["C", "A"], ["B", "A"]]}}
    profiles = {**PROFILES, "C": {**PROFILES["C"], "issues": {**PROFILES["C"]["issues"]}}}
    profiles["C"]["issues"]["access"] = {"weight": 1, "ideal": 50}
    st = scenario(profiles, issues).structure
    assert st.issues == ["tariff", "access.A_B", "access.A_C"]
    assert st.issue_pair == [None, (0, 1), (0, 2)]
    inp = inputs(scenario(profiles, issues))
    np.testing.assert_allclose(inp.share[0], [[1, 0.75, 0.25], [1, 1, 0], [1, 0, 1]])


def test_a_config_without_terms_by_pair_hashes_and_dumps_as_before(configs):
    text = (configs / "teaching_trade.yaml").read_text(encoding="utf-8")
    plain = load_scenario_text(text)
    spelled = load_scenario_text(text.replace("    status_quo: panel\n", "    status_quo: panel\n    scope: common\n"))
    assert spelled.scenario.issues["disputes"].scope == "common"
    assert spelled.config_hash() == plain.config_hash()
    assert "scope" not in plain.resolved_yaml() and "pair_weights" not in plain.resolved_yaml()
    st = plain.structure
    assert st.issue_config == st.issues and st.issue_pair == [None, None] and not st.per_pair
    assert inputs(plain).share is None
    per_pair = load_scenario_text(text.replace("status_quo: panel\n", "status_quo: panel\n    scope: per_pair\n"))
    assert per_pair.config_hash() != plain.config_hash() and "scope: per_pair" in per_pair.resolved_yaml()


def test_a_belief_about_a_per_pair_issue_applies_to_each_of_its_terms():
    beliefs = [
        {"holder": "B", "about": "A", "param": "access.weight", "prior": 2.0},
        {"holder": "C", "about": "A", "param": "access.ideal", "shift": 10},
        {"holder": "A", "about": "B", "param": "access.weight", "shift": 1.0},
    ]
    pr = pairs_case(information="private", beliefs=beliefs).structure.beliefs
    # by default the outsider's view of A's weights is A's own split: [1, 3 * 0.75, 3 * 0.25, 0]
    np.testing.assert_allclose(pr.weight_mean[2, 0], [1, 2.25, 0.75, 0])
    np.testing.assert_allclose(pr.weight_mean[1, 0], [1, 2 * 0.75, 2 * 0.25, 0])  # B's own prior, split
    assert pr.ideal_rel[2, 0].tolist() == [False, True, True, True]
    np.testing.assert_allclose(pr.ideal_add[2, 0], [0, 10, 10, 10])
    np.testing.assert_allclose(pr.weight_add[0, 1], [0, 0.5, 0, 0.5])  # a shift, split by B's mean shares


def test_a_shock_to_a_per_pair_weight_keeps_the_split():
    shocks = {
        "boom": {"date": dt.date(2024, 1, 1), "changes": [{"target": "A.access.weight", "set": 1.0}]},
    }
    loaded = pairs_case(shocks=shocks)
    st = loaded.structure
    inp = inputs(loaded, [{}, {}])
    ch = st.shock_changes[0]
    _change(st, inp, ch, np.array([True, False]), np.array([1.0, 1.0]))
    # row 0: A's access weight 3 -> 1, split 3:1 as before; row 1 untouched
    np.testing.assert_allclose(inp.raw_weight[0, 0], [1, 0.75, 0.25, 0])
    np.testing.assert_allclose(inp.weight[0, 0], [0.5, 0.375, 0.125, 0])
    np.testing.assert_allclose(inp.raw_weight[1, 0], [1, 2.25, 0.75, 0])


# Bad input: one line each, with file, line and key path, exit 2 (validate and run).

PAIRS = """\
name: Pairs
parties:
  A: {name: Alpha}
  B: {name: Beta}
  C: {name: Gamma}
issues:
  access:
    range: [0, 100]
    status_quo: 20
    scope: per_pair
    pairs: [[A, B], [A, C]]
  tariff:
    range: [0, 10]
    status_quo: 5
profiles:
  A:
    reservation: 0.3
    issues:
      access: {weight: 1, ideal: 0, pair_weights: {B: 2, C: 1}}
      tariff: {weight: 1, ideal: 10}
  B:
    reservation: 0.3
    issues:
      access: {weight: 1, ideal: 100}
      tariff: {weight: 1, ideal: 0}
  C:
    reservation: 0.3
    issues:
      access: {weight: 1, ideal: 100}
      tariff: {weight: 1, ideal: 0}
calendar:
  rounds: [2024-01-01, 2024-01-08]
  deadline: 2024-01-08
  horizon: 2024-06-30
"""
TWO = PAIRS.replace("  C: {name: Gamma}\n", "").replace("    pairs: [[A, B], [A, C]]\n", "")
TWO = TWO[: TWO.index("  C:\n    reservation")] + TWO[TWO.index("calendar:") :]
TWO = TWO.replace("pair_weights: {B: 2, C: 1}", "pair_weights: {B: 2}")


def test_the_small_pairs_config_is_valid():
    assert load_scenario_text(PAIRS).structure.issues == ["access.A_B", "access.A_C", "tariff"]


PAIR_CASES = [
    (
        "per_pair with two parties",
        TWO,
        [],
        "    scope: per_pair",
        "issues.access.scope",
        ("scope: per_pair needs two pairs of parties or more; A-B is one",),
    ),
    (
        "pairs lists one pair",
        PAIRS,
        [("pairs: [[A, B], [A, C]]", "pairs: [[A, B]]")],
        "    pairs: [[A, B]]",
        "issues.access.pairs",
        ("needs two pairs or more",),
    ),
    (
        "pairs names an unknown party",
        PAIRS,
        [("pairs: [[A, B], [A, C]]", "pairs: [[A, B], [A, D]]")],
        "    pairs: [[A, B], [A, D]]",
        "issues.access.pairs[1]",
        ("unknown party 'D'",),
    ),
    (
        "a pair of one party",
        PAIRS,
        [("pairs: [[A, B], [A, C]]", "pairs: [[A, B], [A, C], [C, C]]")],
        "    pairs: [[A, B], [A, C], [C, C]]",
        "issues.access.pairs[2]",
        ("two different parties",),
    ),
    (
        "a pair listed twice",
        PAIRS,
        [("pairs: [[A, B], [A, C]]", "pairs: [[A, B], [A, C], [B, A]]")],
        "    pairs: [[A, B], [A, C], [B, A]]",
        "issues.access.pairs[2]",
        ("pair A-B listed twice",),
    ),
    (
        "pairs on a common issue",
        PAIRS,
        [("    scope: per_pair\n", ""), ("pair_weights: {B: 2, C: 1}", "pair_weights: null")],
        "  access:\n",
        "issues.access",
        ("pairs is for an issue with scope: per_pair",),
    ),
    (
        "pair_weights on a common issue",
        PAIRS,
        [("tariff: {weight: 1, ideal: 10}", "tariff: {weight: 1, ideal: 10, pair_weights: {B: 1}}")],
        "      tariff: {weight: 1, ideal: 10, pair_weights",
        "profiles.A.issues.tariff.pair_weights",
        ("pair_weights is for an issue with scope: per_pair; tariff is common",),
    ),
    (
        "pair_weights names a party in no pair with it",
        PAIRS,
        [("access: {weight: 1, ideal: 100}", "access: {weight: 1, ideal: 100, pair_weights: {A: 1, C: 1}}")],
        "      access: {weight: 1, ideal: 100, pair_weights",
        "profiles.B.issues.access.pair_weights.C",
        ("C is in no pair with B on access; B's partners on access: A",),
    ),
    (
        "pair_weights names the party itself",
        PAIRS,
        [("{B: 2, C: 1}", "{A: 1, B: 2, C: 1}")],
        "      access: {weight: 1, ideal: 0, pair_weights",
        "profiles.A.issues.access.pair_weights.A",
        ("A is itself",),
    ),
    (
        "pair_weights misses a partner",
        PAIRS,
        [("{B: 2, C: 1}", "{B: 2}")],
        "      access: {weight: 1, ideal: 0, pair_weights",
        "profiles.A.issues.access.pair_weights",
        ("no pair weight for C; give one for each of B, C",),
    ),
    (
        "pair weights all 0",
        PAIRS,
        [("{B: 2, C: 1}", "{B: 0, C: {dist: uniform, low: 0, high: 1}}")],
        "      access: {weight: 1, ideal: 0, pair_weights",
        "profiles.A.issues.access.pair_weights",
        ("pair weights must sum to a positive number",),
    ),
    (
        "a negative pair weight",
        PAIRS,
        [("{B: 2, C: 1}", "{B: 2, C: -1}")],
        "      access: {weight: 1, ideal: 0, pair_weights",
        "profiles.A.issues.access.pair_weights.C",
        ("a pair weight must lie in [0, 1e+06], got -1",),
    ),
]


@pytest.mark.parametrize(
    "base,replacements,at,path,words",
    [pytest.param(*c[1:], id=c[0]) for c in PAIR_CASES],
)
def test_bad_terms_by_pair_are_one_line_each(tmp_path, base, replacements, at, path, words):
    bad = variant(tmp_path, base, *replacements) if replacements else tmp_path / "bad.yaml"
    if not replacements:
        bad.write_text(base, encoding="utf-8")
    check_problems(tmp_path, bad, [Want(line_of(bad.read_text(encoding="utf-8"), at), path, words)])
