"""Properties (hypothesis): offers stay in range and are never beaten for everyone, nobody
accepts below its reservation, utilities stay in range, the same seed gives the same run."""

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as hs

from negotiation.drivers.batch import run_rows
from negotiation.kernel.draws import draw_rows
from negotiation.kernel.offers import construct_offer
from negotiation.kernel.utility import issue_utility, outcome_utilities
from negotiation.scenario.loader import load_scenario
from tests.kernel_cases import inputs_of, two_party

ROOT = Path(__file__).resolve().parent.parent
NAFTA = load_scenario(ROOT / "configs" / "nafta_2017.yaml")
TRADE = load_scenario(ROOT / "configs" / "teaching_trade.yaml")
weights = hs.floats(0.05, 1.0)


@settings(max_examples=60, deadline=None)
@given(
    wa1=weights,
    wa2=weights,
    wb1=weights,
    wb2=weights,
    target=hs.floats(0.0, 1.0),
    alt=hs.lists(hs.tuples(hs.floats(0, 100), hs.floats(0, 10)), min_size=20, max_size=20),
)
def test_two_party_offers_are_in_range_meet_the_target_and_are_pareto(wa1, wa2, wb1, wb2, target, alt):
    loaded = two_party(wa1=wa1, wa2=wa2, wb1=wb1, wb2=wb2)
    st, inp = loaded.structure, inputs_of(loaded)
    x = construct_offer(st, inp, 0, np.array([target]))
    assert 0 <= x[0, 0] <= 100 and 0 <= x[0, 1] <= 10
    ua = issue_utility(st, inp, 0, x)[0]
    ub = issue_utility(st, inp, 1, x)[0]
    assert ua >= min(target, 1.0) - 1e-9
    y = np.array(alt)
    ya = issue_utility(st, inp, 0, y)
    yb = issue_utility(st, inp, 1, y)
    # no alternative is better for both (linear values: the offer solves a fractional knapsack)
    assert not np.any((ya > ua + 1e-9) & (yb > ub + 1e-9))


def _effective_checks(loaded, seed, count):
    st = loaded.structure
    res = run_rows(st, loaded.space, seed, 0, count)
    inp, _, _ = draw_rows(st, loaded.space, seed, 0, count)
    agreed = res.outcome < 1 + len(st.pairs)
    members = np.zeros((count, st.n_parties), dtype=bool)
    members[res.outcome == 0] = True
    for n, (a, b) in enumerate(st.pairs):
        members[res.outcome == 1 + n, a] = True
        members[res.outcome == 1 + n, b] = True
    return st, res, inp, agreed, members


@settings(max_examples=8, deadline=None)
@given(seed=hs.integers(0, 2**32 - 1))
def test_nobody_accepts_below_its_reservation(seed):
    for loaded in (NAFTA, TRADE):
        st, res, inp, agreed, members = _effective_checks(loaded, seed, 400)
        assert np.all(res.utilities[members] >= inp.res_eff[members] - 1e-12)
        # agreements lie in the issue space
        x = res.agreement[agreed]
        assert np.all((x >= st.lo - 1e-12) & (x <= st.hi + 1e-12))


@settings(max_examples=8, deadline=None)
@given(seed=hs.integers(0, 2**32 - 1))
def test_utilities_stay_in_range(seed):
    st, res, inp, _, _ = _effective_checks(NAFTA, seed, 400)
    low = np.minimum(inp.stake, 0).sum(axis=2) + np.minimum(inp.reservation, 0)
    high = 1 + np.maximum(inp.stake, 0).sum(axis=2)
    assert np.all(res.utilities >= low - 1e-12) and np.all(res.utilities <= high + 1e-12)
    again = outcome_utilities(st, inp, res.outcome, res.agreement)
    assert np.array_equal(again, res.utilities)


@settings(max_examples=5, deadline=None)
@given(seed=hs.integers(0, 2**32 - 1), start=hs.integers(0, 10**9))
def test_same_seed_same_run_whatever_the_batch(seed, start):
    whole = run_rows(NAFTA.structure, NAFTA.space, seed, start, 60)
    part = run_rows(NAFTA.structure, NAFTA.space, seed, start + 20, 25)
    assert np.array_equal(whole.outcome[20:45], part.outcome)
    assert np.array_equal(whole.rounds[20:45], part.rounds)
    assert np.array_equal(whole.agreement[20:45], part.agreement, equal_nan=True)
    assert np.array_equal(whole.utilities[20:45], part.utilities)
