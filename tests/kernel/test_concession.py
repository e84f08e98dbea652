"""Faratin time-dependent concession curves and the target they give, at hand-computed points."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from negotiation.kernel.concession import faratin_alpha, target_from_alpha

# --- polynomial: alpha = k + (1 - k) (min(t, T) / T) ** (1 / beta) ---------------------------


def test_polynomial_starts_at_k_and_ends_at_one():
    assert faratin_alpha(0, 10, 1.0, 0.2) == pytest.approx(0.2)
    assert faratin_alpha(10, 10, 1.0, 0.2) == pytest.approx(1.0)
    assert faratin_alpha(0, 10, 0.3, 0.0) == pytest.approx(0.0)
    assert faratin_alpha(10, 10, 7.0, 0.0) == pytest.approx(1.0)
    assert faratin_alpha(0, 100, 1.0, 0.1) == pytest.approx(0.1)


def test_polynomial_clamps_beyond_the_deadline_and_before_the_start():
    # t = 15 > T = 10: min(t, T) / T = 1 -> alpha 1
    assert faratin_alpha(15, 10, 0.5, 0.1) == pytest.approx(1.0)
    assert faratin_alpha(1e9, 10, 2.0, 0.0) == pytest.approx(1.0)
    assert faratin_alpha(150, 100, 2.0, 0.0) == pytest.approx(1.0)
    # t < 0 is clipped to the start: alpha = k
    assert faratin_alpha(-5, 10, 1.0, 0.3) == pytest.approx(0.3)


def test_polynomial_beta_one_is_linear():
    # 0.2 + 0.8 * 0.3 = 0.44
    assert faratin_alpha(3, 10, 1.0, 0.2) == pytest.approx(0.44)
    # k = 0: alpha = t / T
    assert faratin_alpha(7, 10, 1.0, 0.0) == pytest.approx(0.7)
    assert faratin_alpha(50, 100, 1.0, 0.0) == pytest.approx(0.5)


def test_polynomial_boulware_and_conceder_by_hand():
    # beta 0.5 (Boulware): 0.5 ** 2 = 0.25, below the linear 0.5
    assert faratin_alpha(5, 10, 0.5, 0.0) == pytest.approx(0.25)
    assert faratin_alpha(50, 100, 0.5, 0.0) == pytest.approx(0.25)
    # with k = 0.2: 0.2 + 0.8 * 0.25 = 0.4
    assert faratin_alpha(5, 10, 0.5, 0.2) == pytest.approx(0.4)
    # beta 2 (Conceder): 0.5 ** 0.5 = 0.70711, above the linear 0.5
    assert faratin_alpha(5, 10, 2.0, 0.0) == pytest.approx(math.sqrt(0.5))
    # beta 2, a quarter of the way: 0.25 ** 0.5 = 0.5
    assert faratin_alpha(25, 100, 2.0, 0.0) == pytest.approx(0.5)
    # beta 0.25, a quarter of the way: 0.25 ** 4 = 0.00390625
    assert faratin_alpha(25, 100, 0.25, 0.0) == pytest.approx(0.00390625)


def test_polynomial_zero_horizon_means_everything_is_conceded():
    # T <= 0: the deadline is now, alpha = 1
    assert faratin_alpha(0, 0, 0.5, 0.1) == pytest.approx(1.0)
    assert faratin_alpha(3, -4, 2.0, 0.0) == pytest.approx(1.0)


def test_polynomial_is_elementwise_over_arrays():
    t = np.array([0.0, 5.0, 10.0, 20.0])
    T = np.array([10.0, 10.0, 10.0, 10.0])
    beta = np.array([1.0, 0.5, 2.0, 1.0])
    k = np.array([0.1, 0.0, 0.0, 0.0])
    # [k, 0.5^2, 1^0.5, clamped]
    np.testing.assert_allclose(faratin_alpha(t, T, beta, k), [0.1, 0.25, 1.0, 1.0])


# --- exponential: alpha = exp((1 - min(t, T) / T) ** beta * ln k) -------------------------------


def test_exponential_by_hand():
    assert faratin_alpha(0, 10, 1.0, 0.1, "exponential") == pytest.approx(0.1)
    assert faratin_alpha(0, 100, 1.0, 0.1, "exponential") == pytest.approx(0.1)
    assert faratin_alpha(10, 10, 1.0, 0.1, "exponential") == pytest.approx(1.0)
    assert faratin_alpha(30, 10, 3.0, 0.1, "exponential") == pytest.approx(1.0)  # clamped
    assert faratin_alpha(100, 100, 3.0, 0.1, "exponential") == pytest.approx(1.0)
    # half way, beta 1: exp(0.5 ln 0.1) = 0.1 ** 0.5 = 0.316228
    assert faratin_alpha(5, 10, 1.0, 0.1, "exponential") == pytest.approx(0.1**0.5)
    assert faratin_alpha(50, 100, 1.0, 0.1, "exponential") == pytest.approx(np.exp(0.5 * np.log(0.1)))
    # beta 2: 0.1 ** (0.5 ** 2) = 0.1 ** 0.25 = 0.562341 (concedes more: Conceder)
    assert faratin_alpha(5, 10, 2.0, 0.1, "exponential") == pytest.approx(0.1**0.25)
    # beta 0.5: 0.1 ** (0.5 ** 0.5) = 10 ** -0.707107 = 0.199526 * 0.983768 = 0.196288 (Boulware)
    assert faratin_alpha(5, 10, 0.5, 0.1, "exponential") == pytest.approx(0.196288, abs=1e-6)


def test_exponential_floors_k():
    # k = 0 is floored at 1e-6: alpha(0) = exp(ln 1e-6) = 1e-6, and half way exp(0.5 ln 1e-6) = 1e-3
    assert faratin_alpha(0, 10, 1.0, 0.0, "exponential") == pytest.approx(1e-6)
    assert faratin_alpha(5, 10, 1.0, 0.0, "exponential") == pytest.approx(1e-3)


@settings(max_examples=60, deadline=None, database=None)
@given(
    t1=hs.floats(0, 100),
    t2=hs.floats(0, 100),
    T=hs.floats(1, 100),
    beta=hs.floats(0.05, 20),
    k=hs.floats(0, 1),
    curve=hs.sampled_from(["polynomial", "exponential"]),
)
def test_alpha_is_in_k_to_one_and_never_decreases(t1, t2, T, beta, k, curve):
    lo, hi = sorted((t1, t2))
    a_lo = float(faratin_alpha(lo, T, beta, k, curve))
    a_hi = float(faratin_alpha(hi, T, beta, k, curve))
    kk = k if curve == "polynomial" else max(k, 1e-6)
    assert kk - 1e-12 <= a_lo <= a_hi + 1e-12
    assert a_hi <= 1.0 + 1e-12


@settings(max_examples=60, deadline=None, database=None)
@given(t=hs.floats(0.01, 9.99), beta=hs.floats(0.05, 0.95), k=hs.floats(0, 0.9))
def test_polynomial_boulware_below_linear_below_conceder(t, beta, k):
    linear = float(faratin_alpha(t, 10, 1.0, k))
    assert float(faratin_alpha(t, 10, beta, k)) < linear
    assert float(faratin_alpha(t, 10, 1.0 / beta, k)) > linear


# --- target = u_res + (1 - alpha)(u_max - u_res), never above the last target --------------------


def test_target_by_hand():
    # 0.2 + (1 - 0.25) * (1 - 0.2) = 0.2 + 0.6 = 0.8
    assert target_from_alpha(0.25, 1.0, 0.2) == pytest.approx(0.8)
    assert target_from_alpha(0.0, 1.0, 0.2) == pytest.approx(1.0)  # alpha 0: the best utility
    assert target_from_alpha(1.0, 1.0, 0.2) == pytest.approx(0.2)  # alpha 1: the reservation
    # a negative effective reservation (stakes): -0.1 + 0.5 * 1.1 = 0.45
    assert target_from_alpha(0.5, 1.0, -0.1) == pytest.approx(0.45)


def test_target_never_rises_above_the_last_one():
    # computed 0.8, but last round's target was 0.7: stays 0.7
    assert target_from_alpha(0.25, 1.0, 0.2, prev_target=0.7) == pytest.approx(0.7)
    # computed 0.8 is below the last target 0.9: 0.8
    assert target_from_alpha(0.25, 1.0, 0.2, prev_target=0.9) == pytest.approx(0.8)
    got = target_from_alpha(np.array([0.0, 0.5, 1.0]), 1.0, 0.2, prev_target=np.array([0.95, 0.5, 0.5]))
    # computed [1.0, 0.6, 0.2] -> capped by [0.95, 0.5, 0.5]
    np.testing.assert_allclose(got, [0.95, 0.5, 0.2])


def test_reservation_above_best_holds_at_best():
    # u_res 0.9 > u_max 0.6: span 0, the party holds its best utility whatever alpha
    for alpha in (0.0, 0.5, 1.0):
        assert target_from_alpha(alpha, 0.6, 0.9) == pytest.approx(0.6)
    # ... still never above the last target
    assert target_from_alpha(1.0, 0.6, 0.9, prev_target=0.5) == pytest.approx(0.5)
