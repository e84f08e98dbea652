"""Private information: initial beliefs, the opponent model's updates by hand, learning against
scripted opponents, and acceptance by true utility whatever a party believes."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from negotiation.drivers.batch import run_rows
from negotiation.kernel.beliefs import LearningRates, belief_error, believed_inputs, initial_beliefs, learn
from negotiation.scenario.beliefs import moments
from negotiation.scenario.distributions import Uniform
from tests.helpers import inputs, scenario

PRICE = {"range": [0, 100], "status_quo": 50}
RULES = {"options": ["none", "partial", "full"], "status_quo": "none"}


CALENDAR = {
    "rounds": [dt.date(2024, m, 1) for m in range(1, 11)],
    "deadline": dt.date(2024, 10, 1),
    "horizon": dt.date(2024, 12, 31),
}


def _three(information="private", beliefs=(), strategy=None):
    strategy = strategy or {"name": "linear"}
    return scenario(
        profiles={
            "A": {
                "reservation": 0.2,
                "issues": {
                    "price": {"weight": {"dist": "uniform", "low": 0.2, "high": 0.6}, "ideal": 10},
                    "rules": {"weight": 0.5, "values": {"none": 1.0, "partial": 0.5, "full": 0.0}},
                },
                "strategy": strategy,
            },
            "B": {
                "reservation": 0.2,
                "issues": {
                    "price": {"weight": 0.5, "ideal": {"dist": "uniform", "low": 20, "high": 60}},
                    "rules": {"weight": 0.5, "values": {"none": 0.0, "partial": 0.5, "full": 1.0}},
                },
                "strategy": strategy,
            },
            "C": {
                "reservation": 0.2,
                "issues": {
                    "price": {"weight": 0.5, "ideal": 90},
                    "rules": {"weight": 0.5, "values": {"none": 0.0, "partial": 1.0, "full": 0.5}},
                },
                "strategy": strategy,
            },
        },
        issues={"price": PRICE, "rules": RULES},
        calendar=CALENDAR,
        information=information,
        beliefs=list(beliefs),
    )


def _rates(b=1, learn_rate=0.0, obs_sd=0.1, prior_weight=1.0):
    return LearningRates(*(np.full(b, v, dtype=float) for v in (learn_rate, obs_sd, prior_weight)))


def test_moments_of_a_distribution_and_of_a_number():
    mean, var = moments(Uniform(dist="uniform", low=20, high=60))
    assert mean == pytest.approx(40.0, abs=1e-9)
    assert var == pytest.approx(40.0**2 / 12, rel=1e-6)
    assert moments(0.3) == (0.3, 0.0)


def test_initial_beliefs_are_the_prior_means_of_the_others_and_the_truth_of_oneself():
    loaded = _three()
    st = loaded.structure
    inp = inputs(loaded, [{"A.price.weight": 0.6, "B.price.ideal": 55.0}])
    bel = initial_beliefs(st, inp, 2, st.knows(2))
    # C believes A's price weight is the prior mean 0.4 (against rules 0.5): 0.4/0.9 normalised
    assert bel.weight[0, 0, 0] == pytest.approx(0.4 / 0.9)
    # and B's price ideal the prior mean 40 (the truth is 55), with the prior's variance
    assert bel.ideal[0, 1, 0] == pytest.approx(40.0)
    assert bel.ideal_var[0, 1, 0] == pytest.approx(40.0**2 / 12, rel=1e-6)
    # its own profile is the truth
    np.testing.assert_array_equal(bel.weight[0, 2], inp.weight[0, 2])
    # A's price weight is uncertain: C's error on it is |0.4/0.9 - 0.6/1.1|
    err = belief_error(st, inp, bel, 2)[0]
    dw = 2 * abs(0.4 / 0.9 - 0.6 / 1.1)  # price and rules weights of A are both off
    di = abs(40.0 - 55.0) / 100
    assert err == pytest.approx((dw + di) / 8)


def test_complete_information_believes_the_truth():
    loaded = _three(information="complete")
    st = loaded.structure
    assert st.knows(0).all()
    inp = inputs(loaded, [{"B.price.ideal": 55.0}])
    view = believed_inputs(inp, initial_beliefs(st, inp, 0, np.array([True, False, True])), 0)
    assert view.ideal[0, 1, 0] == pytest.approx(40.0)  # B unknown: its prior mean
    assert view.ideal[0, 2, 0] == 90.0  # C known


def test_a_config_belief_narrows_or_biases_the_prior():
    beliefs = [
        {"holder": "C", "about": "B", "param": "price.ideal", "prior": {"dist": "uniform", "low": 50, "high": 60}},
        {"holder": "A", "about": "B", "param": "price.ideal", "shift": -10},
        {"holder": "B", "about": "A", "param": "price.weight", "factor": 2.0},
    ]
    loaded = _three(beliefs=beliefs)
    st = loaded.structure
    inp = inputs(loaded, [{"A.price.weight": 0.25, "B.price.ideal": 45.0}])
    assert initial_beliefs(st, inp, 2, st.knows(2)).ideal[0, 1, 0] == pytest.approx(55.0)
    assert initial_beliefs(st, inp, 2, st.knows(2)).ideal_var[0, 1, 0] == pytest.approx(100 / 12, rel=1e-6)
    assert initial_beliefs(st, inp, 0, st.knows(0)).ideal[0, 1, 0] == pytest.approx(35.0)
    # B believes A's price weight is twice the truth: 0.5 against 0.5 for rules
    assert initial_beliefs(st, inp, 1, st.knows(1)).weight[0, 0, 0] == pytest.approx(0.5)


def test_gaussian_update_of_an_ideal_matches_the_closed_form():
    loaded = _three()
    st = loaded.structure
    inp = inputs(loaded)
    bel = initial_beliefs(st, inp, 0, st.knows(0))
    bel.ideal[0, 1, 0], bel.ideal_var[0, 1, 0] = 40.0, 100.0  # prior N(40, 10^2)
    offers = np.full((1, 3, 2), np.nan)
    offers[0, 1] = [70.0, 2.0]
    # first offer: sigma = 0.1 * 100 = 10, so the posterior is N(55, 50)
    learn(st, inp, bel, offers, 0, _rates(), st.knows(0))
    assert bel.ideal[0, 1, 0] == pytest.approx(55.0)
    assert bel.ideal_var[0, 1, 0] == pytest.approx(50.0)
    # second offer: sigma doubles to 20: precision 1/50 + 1/400, mean (55/50 + 90/400) / that
    offers[0, 1] = [90.0, 2.0]
    learn(st, inp, bel, offers, 0, _rates(), st.knows(0))
    precision = 1 / 50 + 1 / 400
    assert bel.ideal_var[0, 1, 0] == pytest.approx(1 / precision)
    assert bel.ideal[0, 1, 0] == pytest.approx((55 / 50 + 90 / 400) / precision)


def test_frequency_model_of_option_values_by_hand():
    loaded = _three()
    st = loaded.structure
    inp = inputs(loaded)
    bel = initial_beliefs(st, inp, 2, st.knows(2))
    np.testing.assert_allclose(bel.values[0, 0, 1, :3], [1.0, 0.5, 0.0])  # A's values are fixed: known prior
    bel.values[0, 0, 1, :3] = bel.prior_values[0, 0, 1, :3] = [1.0, 0.5, 0.0]
    offers = np.full((1, 3, 2), np.nan)
    seen = []
    for option in (1, 1, 0):
        offers[0, 0] = [10.0, option]
        learn(st, inp, bel, offers, 2, _rates(), st.knows(2))
        seen.append(bel.values[0, 0, 1, :3].copy())
    # (c0 * prior + counts) / (c0 + largest count), c0 = 1
    np.testing.assert_allclose(seen[0], [1 / 2, 1.5 / 2, 0.0])
    np.testing.assert_allclose(seen[1], [1 / 3, 2.5 / 3, 0.0])
    np.testing.assert_allclose(seen[2], [2 / 3, 2.5 / 3, 0.0])
    assert bel.ideal[0, 0, 1] == 1  # the believed best option of A


def test_weights_gain_on_issues_left_untouched_by_hand():
    loaded = _three()
    st = loaded.structure
    inp = inputs(loaded)
    bel = initial_beliefs(st, inp, 2, st.knows(2))
    bel.weight[0, 0] = bel.prior_weight[0, 0] = [0.5, 0.5]
    offers = np.full((1, 3, 2), np.nan)
    rates = _rates(learn_rate=1.0)
    offers[0, 0] = [10.0, 0.0]  # opening
    learn(st, inp, bel, offers, 2, rates, st.knows(2))
    np.testing.assert_allclose(bel.weight[0, 0], [0.5, 0.5])
    offers[0, 0] = [30.0, 0.0]  # moved on price, rules untouched
    learn(st, inp, bel, offers, 2, rates, st.knows(2))
    np.testing.assert_allclose(bel.weight[0, 0], [1 / 3, 2 / 3])  # 0.5 * (1 + 1 * 1) for rules
    offers[0, 0] = [40.0, 1.0]  # moved on both: no evidence, the shares stay
    learn(st, inp, bel, offers, 2, rates, st.knows(2))
    np.testing.assert_allclose(bel.weight[0, 0], [1 / 3, 2 / 3])


def test_learning_from_a_scripted_opponent_brings_the_ideal_error_under_a_bound():
    """A scripted B opens at its true ideal and concedes 3 points of price per offer. C's prior
    is uniform on [20, 60] (mean 40, variance 133.3): 18% of the range off. The first offer, seen
    with sd 5, leaves 25 / 158.3 of that error (2.8%); the later ones, seen with doubling sd,
    keep it under 5% for 8 offers."""
    loaded = _three()
    st = loaded.structure
    truth = 58.0
    inp = inputs(loaded, [{"B.price.ideal": truth}])
    bel = initial_beliefs(st, inp, 2, st.knows(2))
    assert abs(bel.ideal[0, 1, 0] - truth) / 100 > 0.15
    offers = np.full((1, 3, 2), np.nan)
    rates = _rates(obs_sd=0.05)
    for k in range(8):
        offers[0, 1] = [truth + 3.0 * k, 2.0]
        learn(st, inp, bel, offers, 2, rates, st.knows(2))
        err = abs(bel.ideal[0, 1, 0] - truth) / 100
        assert err < (0.03 if k == 0 else 0.05), (k, err)


def test_learners_in_play_know_the_others_better_by_the_second_round():
    loaded = _three(strategy={"name": "learning", "params": {"base": "linear"}})
    res = run_rows(loaded.structure, loaded.space, 5, 0, 400)
    err = res.path["belief_error"]  # (B, rounds, P)
    # B's ideal is uncertain: A and C learn it from its opening offer; A's price weight is
    # uncertain too and stays at the prior (learn_rate 0 by default)
    for p in (0, 2):
        first, second = err[:, 0, p], err[:, 1, p]
        held = ~np.isnan(second)
        assert held.sum() > 300
        assert np.mean(second[held]) < 0.75 * np.mean(first[held])  # measured: 0.62 (A), weights not learned


@settings(max_examples=25, deadline=None)
@given(
    factor=hs.floats(0.2, 5.0),
    shift=hs.floats(-40.0, 40.0),
    seed=hs.integers(0, 10_000),
    learning=hs.booleans(),
)
def test_no_party_accepts_below_its_true_reservation_whatever_it_believes(factor, shift, seed, learning):
    beliefs = [
        {"holder": "A", "about": "B", "param": "price.ideal", "shift": shift},
        {"holder": "C", "about": "A", "param": "price.weight", "factor": factor},
        {"holder": "B", "about": "C", "param": "rules.value.full", "factor": min(factor, 2.0)},
    ]
    strategy = {"name": "learning", "params": {"base": "conceder"}} if learning else {"name": "conceder"}
    loaded = _three(beliefs=beliefs, strategy=strategy)
    st = loaded.structure
    res = run_rows(st, loaded.space, seed, 0, 64)
    inp = inputs(loaded)  # the reservations are fixed, so one row stands for every draw
    deal = res.outcome == 0
    assert (res.utilities[deal] >= inp.res_eff[0][None, :] - 1e-9).all()


def test_computer_parties_never_read_a_persons_profile():
    """With a person in B's seat, A and C believe B's prior even under complete information, and
    still know each other; the record of the round says how far off they are."""
    from negotiation.drivers.human import replay

    loaded = _three(information="complete")
    view = replay(loaded, seed=3, draw=0, people=["B"], actions=[])
    model = view.model
    truth = model.inputs.ideal[0, 1, 0]
    for a in (model.parties[0], model.parties[2]):
        bel = a.kernel.beliefs
        assert bel.ideal[0, 1, 0] == pytest.approx(40.0) != truth  # B: the prior mean
        other = 2 if a.p == 0 else 0
        assert bel.ideal[0, other, 0] == model.inputs.ideal[0, other, 0]  # the other computer: known
    assert model.parties[1].human and model.beliefs_held


def test_private_information_leaves_agreements_further_from_the_frontier(nafta):
    """On the flagship's same draw rows, offers built from beliefs leave more gain on the table
    than offers built from the truth (measured on 20,000 draws: mean gap 0.0023 against 0.0006)."""
    gaps = {}
    for mode in ("complete", "private"):
        loaded = nafta.with_information(mode)
        res = run_rows(loaded.structure, loaded.space, 1, 0, 3000)
        gaps[mode] = np.nanmean(res.pareto_gap)
    assert gaps["private"] > 2 * gaps["complete"] > 0
