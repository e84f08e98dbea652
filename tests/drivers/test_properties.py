"""Properties (hypothesis) of whole runs through the batch driver: nobody accepts below its
reservation, agreements and utilities stay in range, the same seed gives the same run whatever
the batch. (Properties of single offers are in ``tests/kernel/test_offers.py``.)"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as hs

from negotiation.drivers.batch import run_rows
from negotiation.kernel.draws import draw_rows
from negotiation.kernel.utility import outcome_utilities
from negotiation.scenario.loader import load_scenario
from tests.helpers import CONFIGS

TRADE = load_scenario(CONFIGS / "teaching_trade.yaml")


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
def test_nobody_accepts_below_its_reservation(nafta, seed):
    for loaded in (nafta, TRADE):
        st, res, inp, agreed, members = _effective_checks(loaded, seed, 400)
        assert np.all(res.utilities[members] >= inp.res_eff[members] - 1e-12)
        # agreements lie in the issue space
        x = res.agreement[agreed]
        assert np.all((x >= st.lo - 1e-12) & (x <= st.hi + 1e-12))


@settings(max_examples=8, deadline=None)
@given(seed=hs.integers(0, 2**32 - 1))
def test_utilities_stay_in_range(nafta, seed):
    st, res, inp, _, _ = _effective_checks(nafta, seed, 400)
    low = np.minimum(inp.stake, 0).sum(axis=2) + np.minimum(inp.reservation, 0)
    high = 1 + np.maximum(inp.stake, 0).sum(axis=2)
    assert np.all(res.utilities >= low - 1e-12) and np.all(res.utilities <= high + 1e-12)
    again = outcome_utilities(st, inp, res.outcome, res.agreement)
    assert np.array_equal(again, res.utilities)


@settings(max_examples=5, deadline=None)
@given(seed=hs.integers(0, 2**32 - 1), start=hs.integers(0, 10**9))
def test_same_seed_same_run_whatever_the_batch(nafta, seed, start):
    whole = run_rows(nafta.structure, nafta.space, seed, start, 60)
    part = run_rows(nafta.structure, nafta.space, seed, start + 20, 25)
    assert np.array_equal(whole.outcome[20:45], part.outcome)
    assert np.array_equal(whole.rounds[20:45], part.rounds)
    assert np.array_equal(whole.agreement[20:45], part.agreement, equal_nan=True)
    assert np.array_equal(whole.utilities[20:45], part.utilities)
