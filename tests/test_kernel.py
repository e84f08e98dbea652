"""Kernel rules with hand-computed expectations."""

import numpy as np
import pytest

from negotiation.kernel.concession import faratin_alpha, target_from_alpha
from negotiation.kernel.offers import construct_offer
from negotiation.kernel.rules import NO_NOTICE, bilateral_open, extension_vote, next_round_day, withdrawal_notice
from negotiation.kernel.utility import continuous_value, discrete_value, issue_utility, utility
from tests.kernel_cases import inputs_of, two_party

# --- concession ------------------------------------------------------------------------------


def test_faratin_polynomial_by_hand():
    # alpha = k + (1 - k)(t/T)^(1/beta)
    assert faratin_alpha(0, 100, 1.0, 0.1) == pytest.approx(0.1)
    assert faratin_alpha(50, 100, 1.0, 0.0) == pytest.approx(0.5)
    assert faratin_alpha(50, 100, 0.5, 0.0) == pytest.approx(0.25)  # Boulware: 0.5^2
    assert faratin_alpha(25, 100, 2.0, 0.0) == pytest.approx(0.5)  # Conceder: 0.25^0.5
    assert faratin_alpha(150, 100, 2.0, 0.0) == pytest.approx(1.0)  # past the deadline: clamped


def test_faratin_exponential_by_hand():
    # alpha = exp((1 - t/T)^beta ln k)
    assert faratin_alpha(0, 100, 1.0, 0.1, "exponential") == pytest.approx(0.1)
    assert faratin_alpha(50, 100, 1.0, 0.1, "exponential") == pytest.approx(np.exp(0.5 * np.log(0.1)))
    assert faratin_alpha(100, 100, 3.0, 0.1, "exponential") == pytest.approx(1.0)


def test_target_between_reservation_and_best_and_never_rising():
    # u_res + (1 - alpha)(u_max - u_res) = 0.2 + 0.75 * 0.8 = 0.8
    assert target_from_alpha(0.25, 1.0, 0.2) == pytest.approx(0.8)
    assert target_from_alpha(0.25, 1.0, 0.2, prev_target=0.7) == pytest.approx(0.7)
    assert target_from_alpha(0.5, 0.6, 0.9) == pytest.approx(0.6)  # reservation above best: holds best


# --- utility ---------------------------------------------------------------------------------


def test_continuous_value_shapes_by_hand():
    # range [0, 100], ideal 20: the far end is 80 away; x = 60 is d = 0.5
    assert continuous_value(60.0, 20.0, 0.0, 100.0, 0) == pytest.approx(0.5)
    assert continuous_value(60.0, 20.0, 0.0, 100.0, 1) == pytest.approx(0.75)
    assert continuous_value(60.0, 20.0, 0.0, 100.0, 2) == pytest.approx(0.25)
    assert continuous_value(100.0, 20.0, 0.0, 100.0, 0) == pytest.approx(0.0)
    assert continuous_value(0.0, 20.0, 0.0, 100.0, 0) == pytest.approx(0.75)


def test_discrete_value_is_a_lookup():
    values = np.array([[0.0, 0.6, 1.0], [1.0, 0.3, 0.0]])
    assert discrete_value(np.array([1.0, 2.0]), values).tolist() == [0.6, 0.0]


def test_issue_utility_and_stakes():
    loaded = two_party(wa1=0.75, wa2=0.25)
    st, inp = loaded.structure, inputs_of(loaded)
    x = np.array([[40.0, 5.0]])
    # A: 0.75 * (1 - 40/100) + 0.25 * (1 - 5/10) = 0.45 + 0.125 = 0.575
    assert issue_utility(st, inp, 0, x)[0] == pytest.approx(0.575)
    inp.stake[:, 0, st.outcome_index("termination")] = -0.1
    assert utility(st, inp, 0, x, st.outcome_index("termination"))[0] == pytest.approx(0.475)
    assert utility(st, inp, 0, x, st.outcome_index("deal"))[0] == pytest.approx(0.575)


# --- offers ----------------------------------------------------------------------------------


def test_one_issue_offer_gives_the_proposer_its_target():
    loaded = two_party(wa1=1.0, wa2=0.0, wb1=1.0, wb2=0.0)
    st, inp = loaded.structure, inputs_of(loaded)
    x = construct_offer(st, inp, 0, np.array([0.7]))
    # A's value of price p is 1 - p/100: target 0.7 -> price 30. Nobody weighs speed, so moving it
    # gains B nothing and it stays at A's ideal 10.
    assert x[0].tolist() == pytest.approx([30.0, 10.0])


def test_two_issue_logrolling_by_hand():
    # A weighs price 0.8, speed 0.2; B weighs price 0.2, speed 0.8. Per unit of A's utility given
    # up, speed gains B 0.8/0.2 = 4 and price 0.2/0.8 = 0.25: A gives up speed first.
    loaded = two_party(wa1=0.8, wa2=0.2, wb1=0.2, wb2=0.8)
    st, inp = loaded.structure, inputs_of(loaded)
    # Target 0.9: A gives up 0.1 of utility. All of speed would cost 0.2, so speed moves half way:
    # 10 -> 5; price stays at A's ideal 0.
    assert construct_offer(st, inp, 0, np.array([0.9]))[0].tolist() == pytest.approx([0.0, 5.0])
    # Target 0.6: speed fully conceded (cost 0.2), then 0.2 more from price (0.8 per 100):
    # price 25.
    assert construct_offer(st, inp, 0, np.array([0.6]))[0].tolist() == pytest.approx([25.0, 0.0])


def test_target_at_best_gives_the_ideal():
    loaded = two_party()
    st, inp = loaded.structure, inputs_of(loaded)
    assert construct_offer(st, inp, 1, np.array([1.0]))[0].tolist() == pytest.approx([100.0, 0.0])


# --- rules -----------------------------------------------------------------------------------


def test_withdrawal_notice_needs_a_bad_round_and_the_hazard():
    best = np.array([0.3, 0.3, 0.6])
    got = withdrawal_notice(best, np.array([0.5, 0.5, 0.5]), np.array([0.2, 0.2, 0.2]), np.array([0.1, 0.3, 0.1]))
    assert got.tolist() == [True, False, False]


def test_extension_vote_and_bilateral_open_are_draw_comparisons():
    assert extension_vote(np.array([0.9, 0.9]), np.array([0.5, 0.95])).tolist() == [True, False]
    assert bilateral_open(np.array([[0.1, 0.7]]), np.array([[0.5, 0.5]])).tolist() == [[True, False]]


def test_next_round_day_planned_then_gap():
    planned = np.array([10, 20, 40])
    day = np.array([20, 20])
    assert next_round_day(day, 2, planned, np.array([False, True]), np.array([30, 30])).tolist() == [40, 50]
    assert next_round_day(np.array([40]), 3, planned, np.array([False]), np.array([30]))[0] == NO_NOTICE
