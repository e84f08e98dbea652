"""Coalition structure in the kernel, by hand: accession to a bilateral deal (joins when the
trilateral terms are worth the bilateral deal to both signatories and staying out to the party
left out; refused otherwise; the window closes), stalemate as a choice at the close of talks,
and the cost of delay."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from negotiation.strategies import party_strategies

from negotiation.drivers.model import NegotiationModel
from negotiation.kernel.codes import DEAL, bilateral_code, path_names, path_of
from negotiation.kernel.draws import draw_rows
from negotiation.kernel.protocol import KernelParty, _sign, final_utilities, play_round
from negotiation.kernel.rules import gives_notice_at_close, months_after
from negotiation.kernel.state import State
from negotiation.kernel.utility import DAYS_PER_MONTH, delay_cost
from tests.helpers import scenario

START = dt.date(2024, 1, 1)


def three(c_out=-0.25, a_deal=0.1, b_deal=0.0, amendments=False, months=2, c_res=0.3, **extra):
    """A, B and C on one linear issue x in [0, 1] (A's ideal 0, B's 0.2, C's 1; reservations
    0.3, C's ``c_res``). Stakes: C loses ``c_out`` when left out of an A-B deal; A gains ``a_deal`` and B
    ``b_deal`` from a deal of all three. Only A-B may sign a bilateral deal, and C may join it."""
    prof = {
        p: {"reservation": res, "issues": {"x": {"weight": 1, "ideal": ideal}}, "strategy": {"name": "linear"}}
        for p, ideal, res in (("A", 0.0, 0.3), ("B", 0.2, 0.3), ("C", 1.0, c_res))
    }
    stakes = {"c_out": {"holder": "A", "affects": "C", "value": c_out, "when": ["bilateral_A_B"]}}
    if a_deal:
        stakes["a_deal"] = {"holder": "C", "affects": "A", "value": a_deal, "when": ["deal"]}
    if b_deal:
        stakes["b_deal"] = {"holder": "C", "affects": "B", "value": b_deal, "when": ["deal"]}
    acc = {"gap_days": 30, "window_months": months, "amendments": amendments}
    return scenario(
        prof,
        {"x": {"range": [0, 1], "status_quo": 0.5}},
        stakes=stakes,
        coalitions=[{"pair": ["A", "B"], "p_open": 1.0, "accession": acc}],
        **extra,
    )


def signed_state(loaded, x=0.1, c_target=None):
    """The state just after A and B signed x = ``x`` in round 1 (2024-01-01), with the deciders."""
    st = loaded.structure
    inp, draws, _ = draw_rows(st, loaded.space, 0, 0, 1)
    state = State.start(st, inp)
    deciders = [KernelParty(st, inp, p, s, draws) for p, s in enumerate(party_strategies(st))]
    _sign(st, inp, state, np.array([True]), 0, np.array([[x]]), 0)
    state.round = 1
    if c_target is not None:
        deciders[2].target = lambda state: np.array([c_target])
    return st, inp, draws, state, deciders


def play_out(st, inp, draws, state, deciders):
    rounds = 0
    while not state.done.all():
        play_round(st, inp, draws, state, deciders)
        rounds += 1
    return rounds


def test_signing_opens_the_window_two_months_on():
    st, inp, draws, state, _ = signed_state(three())
    assert not state.done[0]
    assert state.outcome[0] == bilateral_code(0)
    assert state.signed[0] == 0 and state.signed_day[0] == START.toordinal()
    assert state.deadline[0] == dt.date(2024, 3, 1).toordinal()  # the window's end
    assert state.day[0] == START.toordinal() + 30  # the first accession round


def test_the_party_left_out_joins_the_signed_text():
    # C: x = 0.1 is worth 0.1 to it, staying out 0.3 - 0.25 = 0.05: it joins. A gains 0.1 from a
    # deal of all three, B is indifferent (the same terms, no stakes): both admit it.
    st, inp, draws, state, deciders = signed_state(three())
    assert play_out(st, inp, draws, state, deciders) == 1
    assert state.outcome[0] == DEAL
    assert state.end_day[0] == START.toordinal() + 30 and state.rounds[0] == 2
    assert state.agreement[0, 0] == pytest.approx(0.1)
    assert path_of(st.outcomes, state.outcome, state.signed)[0] == "bilateral_A_B>deal"


def test_refused_when_a_signatory_loses_by_it_and_the_window_closes():
    # B loses 0.05 from a deal of all three on the same terms: it refuses every round; rounds on
    # Jan 31 and Mar 1 (the window's last day), none on Mar 31: the bilateral deal stands, dated
    # its signing.
    st, inp, draws, state, deciders = signed_state(three(b_deal=-0.05))
    assert play_out(st, inp, draws, state, deciders) == 2
    assert state.outcome[0] == bilateral_code(0)
    assert state.end_day[0] == START.toordinal() and state.rounds[0] == 3
    assert list(state.round_day[0, 1:3]) == [START.toordinal() + 30, dt.date(2024, 3, 1).toordinal()]
    assert path_of(st.outcomes, state.outcome, state.signed)[0] == "bilateral_A_B"


def test_the_party_left_out_stays_out_when_the_text_is_worth_less_than_staying_out():
    # C's loss from being left out is only 0.05: staying out is worth 0.25 > 0.1.
    st, inp, draws, state, deciders = signed_state(three(c_out=-0.05))
    play_out(st, inp, draws, state, deciders)
    assert state.outcome[0] == bilateral_code(0)


def test_amendments_move_the_text_the_least_share_that_meets_the_target():
    # C asks for 0.15 (target 0.15: 0.1 + 0.9 s >= 0.15 gives s = 1/18). A admits x' <= 0.2 (its
    # 0.1 gain from a deal of all three), B |x' - 0.2| <= 0.1: both admit 0.15.
    st, inp, draws, state, deciders = signed_state(three(amendments=True), c_target=0.15)
    state.target[:, 2] = 0.15
    x = deciders[2].accession_offer(state, state.agreement)
    assert x[0, 0] == pytest.approx(0.15, abs=1e-8)
    play_out(st, inp, draws, state, deciders)
    assert state.outcome[0] == DEAL and state.agreement[0, 0] == pytest.approx(0.15, abs=1e-8)


def test_amendments_a_signatory_will_not_admit_are_refused():
    # Asking for 0.25 costs A more than its 0.1 gain from a deal of all three.
    st, inp, draws, state, deciders = signed_state(three(amendments=True), c_target=0.25)
    assert deciders[0].admits(state, np.array([[0.25]]), state.agreement, 2)[0] == np.False_
    assert deciders[0].admits(state, np.array([[0.2]]), state.agreement, 2)[0] == np.True_
    play_out(st, inp, draws, state, deciders)
    assert state.outcome[0] == bilateral_code(0)


def test_a_whole_game_signs_then_joins_in_the_mesa_driver():
    # Ten rounds ten days apart. C will not settle in the talks (its reservation 0.95), so A and
    # B, close together, sign; left out C loses 0.9 (staying out is worth 0.05) and joins.
    cal = {"rounds": [START + dt.timedelta(days=10 * k) for k in range(10)], "deadline": dt.date(2024, 4, 30)}
    cal["horizon"] = dt.date(2024, 12, 31)
    model = NegotiationModel(three(c_out=-0.9, c_res=0.95, calendar=cal), seed=0, draw=0)
    model.run()
    path = model.path()
    assert path["path"] == "bilateral_A_B>deal"
    kinds = [e["kind"] for rec in model.history for e in rec["events"]]
    assert kinds.count("signed") == 1
    assert path["signed_date"].isoformat() < model.summary()["date"]


def test_path_names_list_the_joins_a_scenario_allows():
    st = three().structure
    assert path_names(st.outcomes, list(st.accession)) == [
        "deal",
        "bilateral_A_B",
        "bilateral_A_C",
        "bilateral_B_C",
        "termination",
        "stalemate",
        "bilateral_A_B>deal",
    ]


def test_months_after_clips_to_the_month_end():
    days = np.array([dt.date(2024, 1, 31).toordinal(), dt.date(2024, 3, 15).toordinal()])
    assert list(months_after(days, 1)) == [dt.date(2024, 2, 29).toordinal(), dt.date(2024, 4, 15).toordinal()]


# Stalemate as a choice ------------------------------------------------------------------------


def test_notice_at_close_rule_by_hand():
    p_w, res, sq = np.array([0.1, 0.1, 0.0, 0.1]), np.array([0.6, 0.4, 0.6, 0.6]), np.array([0.5] * 4)
    p_notice, u = np.array([0.7, 0.7, 0.7, 0.7]), np.array([0.5, 0.5, 0.5, 0.9])
    # gives notice only when it may withdraw, prefers walking away to the old treaty, and u < p
    assert list(gives_notice_at_close(p_w, res, sq, p_notice, u)) == [True, False, False, False]


def closing(p_notice):
    """Two rounds, no zone of agreement (both reservations 0.9); A may withdraw and prefers
    walking away (0.9) to the old treaty (0.5)."""
    prof = {
        p: {
            "reservation": 0.9,
            "issues": {"x": {"weight": 1, "ideal": ideal}},
            "strategy": {"name": "linear"},
            "p_withdraw": 0.0001 if p == "A" else 0.0,
            "p_notice_at_close": p_notice,
        }
        for p, ideal in (("A", 0.0), ("B", 1.0))
    }
    cal = {"rounds": [START, dt.date(2024, 1, 15)], "deadline": dt.date(2024, 1, 31), "horizon": dt.date(2024, 12, 31)}
    return scenario(prof, {"x": {"range": [0, 1], "status_quo": 0.5}}, calendar=cal)


@pytest.mark.parametrize("p_notice, share", [(1.0, 1.0), (0.0, 0.0)])
def test_close_gives_notice_or_lapses(p_notice, share):
    from negotiation.drivers.batch import run_rows

    loaded = closing(p_notice)
    st = loaded.structure
    res = run_rows(st, loaded.space, 3, 0, 400)
    term = (res.outcome == st.termination).mean()
    assert term == share
    assert ((res.outcome == st.stalemate).mean()) == 1 - share


def test_close_with_a_chance_uses_the_closing_uniforms():
    from negotiation.drivers.batch import run_rows

    loaded = closing(0.3)
    st = loaded.structure
    inp, draws, _ = draw_rows(st, loaded.space, 3, 0, 2000)
    res = run_rows(st, loaded.space, 3, 0, 2000)
    # withdrawal hazards of 1e-4 a round almost never fire: the close decides, u < 0.3
    hazard = res.path["notice_by"] >= 0
    by_close = draws.close[:, 0] < 0.3
    early = res.path["notice_day"] - st.notice_days < dt.date(2024, 1, 15).toordinal()
    assert np.array_equal(hazard & ~early, by_close & ~early)
    assert abs(by_close.mean() - 0.3) < 0.03


# Cost of delay --------------------------------------------------------------------------------


def test_delay_cost_by_hand_and_in_final_utilities():
    loaded = three(**{})
    st = loaded.structure
    inp, draws, _ = draw_rows(st, loaded.space, 0, 0, 1)
    inp.delay_cost = np.array([[0.01, 0.0, 0.02]])
    three_months = st.start_day + 3 * DAYS_PER_MONTH
    assert delay_cost(st, inp, 0, np.array([three_months]))[0] == pytest.approx(0.03)
    state = State.start(st, inp)
    state.outcome[:] = DEAL
    state.agreement[:] = 0.1
    state.end_day[:] = round(three_months)
    base = final_utilities(st, inp, State.start(st, inp))  # no cost where nothing is agreed
    u = final_utilities(st, inp, state)
    months = (round(three_months) - st.start_day) / DAYS_PER_MONTH
    assert u[0, 0] == pytest.approx(0.9 + 0.1 - 0.01 * months)  # A: 1 - 0.1, its 0.1 stake, less delay
    assert u[0, 2] == pytest.approx(0.1 - 0.02 * months)
    assert np.isfinite(base).all()


def test_a_signatory_pays_delay_to_the_signing_day_on_a_joined_path():
    st, inp, draws, state, deciders = signed_state(three())
    inp.delay_cost = np.array([[0.01, 0.01, 0.01]])
    play_out(st, inp, draws, state, deciders)
    assert state.outcome[0] == DEAL
    u = final_utilities(st, inp, state)
    joined = 30 / DAYS_PER_MONTH
    assert u[0, 0] == pytest.approx(1 - 0.1 + 0.1)  # signed on the first day: no delay
    assert u[0, 2] == pytest.approx(0.1 - 0.01 * joined)  # C joined 30 days later
