"""The rules of the talks as array functions, on hand-made arrays."""

import numpy as np

from negotiation.kernel.rules import NO_NOTICE, bilateral_open, extension_vote, next_round_day, withdrawal_notice


def test_withdrawal_notice_needs_a_bad_round_and_the_hazard():
    best = np.array([0.3, 0.3, 0.6, 0.5, -np.inf, 0.1])
    res_eff = np.array([0.5, 0.5, 0.5, 0.5, 0.2, 0.5])
    p_withdraw = np.array([0.2, 0.2, 0.2, 0.9, 0.5, 0.0])
    u = np.array([0.1, 0.3, 0.1, 0.1, 0.49, 0.0])
    got = withdrawal_notice(best, res_eff, p_withdraw, u)
    # row 0: 0.3 < 0.5 and 0.1 < 0.2 -> notice
    # row 1: the hazard does not fire (0.3 >= 0.2)
    # row 2: this round offered 0.6 >= 0.5: no reason to leave
    # row 3: best received equals the reservation: not strictly below, no notice
    # row 4: nothing received (-inf) counts as below; 0.49 < 0.5 fires
    # row 5: p_withdraw 0 never fires, even with u = 0
    assert got.tolist() == [True, False, False, False, True, False]


def test_withdrawal_certain_with_p_one():
    u = np.array([0.0, 0.5, 0.999999])
    got = withdrawal_notice(np.full(3, 0.1), np.full(3, 0.2), np.ones(3), u)
    assert got.tolist() == [True, True, True]


def test_withdrawal_broadcasts_over_parties():
    best = np.array([[0.1, 0.9], [0.1, 0.1]])
    res = np.array([[0.5, 0.5], [0.5, 0.05]])
    got = withdrawal_notice(best, res, np.array([[1.0, 1.0], [0.0, 1.0]]), np.zeros((2, 2)))
    # (0,0) yes; (0,1) best 0.9 >= 0.5; (1,0) p 0; (1,1) best 0.1 >= 0.05
    assert got.tolist() == [[True, False], [False, False]]


def test_extension_vote_compares_the_uniform():
    p = np.array([0.9, 0.9, 0.9, 1.0, 0.0, 0.0])
    u = np.array([0.5, 0.9, 0.95, 0.999, 0.0, 0.3])
    # strictly below p_extend: 0.9 < 0.9 is a no; p 1 always yes; p 0 never (not even u = 0)
    assert extension_vote(p, u).tolist() == [True, False, False, True, False, False]


def test_bilateral_open_is_drawn_per_pair():
    u = np.array([[0.1, 0.7, 0.0], [0.5, 0.2, 0.99]])
    p = np.array([[0.5, 0.5, 0.0], [0.5, 1.0, 1.0]])
    assert bilateral_open(u, p).tolist() == [[True, False, False], [False, True, True]]


def test_next_round_day_follows_the_plan_then_the_gap():
    planned = np.array([10, 20, 40])
    day = np.array([20, 20, 20])
    extended = np.array([False, True, False])
    gap = np.array([30, 30, 7])
    # round 2 just played (day 20): the next planned date is planned[2] = 40; extended: 20 + 30
    assert next_round_day(day, 2, planned, extended, gap).tolist() == [40, 50, 40]
    # round 1 just played: planned[1] = 20
    assert next_round_day(np.array([10]), 1, planned, np.array([False]), np.array([5])).tolist() == [20]


def test_next_round_day_after_the_last_planned_round():
    planned = np.array([10, 20, 40])
    # round 3 was the last planned: no next round unless extended (then day + gap)
    got = next_round_day(np.array([40, 40]), 3, planned, np.array([False, True]), np.array([9, 9]))
    assert got.tolist() == [NO_NOTICE, 49]
    # the "no round" day is past any real calendar day
    assert NO_NOTICE > 10**15
    # far beyond the plan still gives no round
    assert next_round_day(np.array([40]), 7, planned, np.array([False]), np.array([9])).tolist() == [NO_NOTICE]
