"""Strategy behaviour as transcripts against a scripted opponent, round by round.

The buyer B plays the strategy under test (a ``KernelParty``); the seller S is a
``ScriptedParty`` that makes given offers and rejects (or accepts from round k). Rounds are
played one at a time with ``negotiation.kernel.protocol.play_round``.

Scenario (teaching_split style): one issue, price in [0, 100], buyer ideal 0, seller ideal 100,
reservation 0.2, rounds every 10 days from 2024-01-01 (days 0, 10, ..., 90), deadline day 90,
no extensions and no withdrawal. The buyer's utility of price p is 1 - p/100 (linear), so
u_max = 1, u_res = 0.2, the range is 0.8, and an offer at target u is the price 100 (1 - u).
Round k is at t = 10k days, T = 90, so t/T = k/9. In round k the proposers go in the order
(k + j) mod 2: the buyer first in even rounds, the seller first in odd ones.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pytest
import yaml
from negotiation.strategies import party_strategies

from negotiation.kernel.draws import draw_rows
from negotiation.kernel.protocol import KernelParty, play_round
from negotiation.kernel.state import State
from negotiation.kernel.utility import issue_value
from negotiation.scenario.loader import load_scenario_text
from tests.helpers import inputs, two_party

CALENDAR = """
calendar:
  rounds: [2024-01-01, 2024-01-11, 2024-01-21, 2024-01-31, 2024-02-10, 2024-02-20, 2024-03-01,
           2024-03-11, 2024-03-21, 2024-03-31]
  deadline: 2024-03-31
  horizon: 2024-12-31
"""

ONE_ISSUE = (
    """
name: split a price
parties: {B: {name: Buyer}, S: {name: Seller}}
issues:
  price: {range: [0, 100], status_quo: 50}
profiles:
  B:
    reservation: 0.2
    issues: {price: {weight: 1, ideal: 0, shape: linear}}
    strategy: {name: linear}
  S:
    reservation: 0.2
    issues: {price: {weight: 1, ideal: 100}}
    strategy: {name: linear}
"""
    + CALENDAR
)

# Two linear issues: the buyer wants price 0 and speed 10, the seller price 100 and speed 0.
TWO_ISSUES = (
    """
name: price and speed
parties: {B: {name: Buyer}, S: {name: Seller}}
issues:
  price: {range: [0, 100], status_quo: 50}
  speed: {range: [0, 10], status_quo: 5}
profiles:
  B:
    reservation: 0.2
    issues:
      price: {weight: 0.5, ideal: 0}
      speed: {weight: 0.5, ideal: 10}
    strategy: {name: linear}
  S:
    reservation: 0.2
    issues:
      price: {weight: 0.9, ideal: 100}
      speed: {weight: 0.1, ideal: 0}
    strategy: {name: linear}
"""
    + CALENDAR
)

DEAL, TERMINATION, STALEMATE = 0, 2, 3  # outcome classes: deal, bilateral_B_S, termination, stalemate


class ScriptedParty:
    """A decider that offers ``offers[k]`` in round k (the last one thereafter), never votes to
    extend, rejects every offer, or accepts every offer from round ``accept_from`` on, and gives
    notice of withdrawal in round ``notice_round`` (if any; its profile needs p_withdraw > 0).
    It records the offers it was asked to accept."""

    def __init__(self, offers, accept_from: int | None = None, notice_round: int | None = None):
        self.offers = [np.atleast_1d(np.asarray(o, dtype=float)) for o in offers]
        self.accept_from = accept_from
        self.notice_round = notice_round  # the round in which it gives notice of withdrawal
        self.asked: list[tuple[int, list[float]]] = []

    def target(self, state):
        return np.ones(state.day.shape[0])

    def offer(self, state):
        x = self.offers[min(state.round, len(self.offers) - 1)]
        return np.tile(x, (state.day.shape[0], 1))

    def accepts(self, state, x, outcome, u=None, proposer=None):
        self.asked.append((state.round, x[0].tolist()))
        yes = self.accept_from is not None and state.round >= self.accept_from
        return np.full(state.day.shape[0], yes)

    def withdraws(self, state, u):
        return np.full(state.day.shape[0], state.round == self.notice_round)

    def votes_extend(self, state, u):
        return np.zeros(state.day.shape[0], dtype=bool)


@dataclass
class Transcript:
    targets: list[float]  # the buyer's target per round
    offers: list[list[float] | None]  # the buyer's offer per round (None: it made none)
    accepted: list[bool]  # whether the buyer accepted the seller's offer that round
    outcome: int
    rounds: int
    agreement: list[float]
    seller: ScriptedParty
    loaded: object
    inputs: object


def transcript(
    strategy, params, script, accept_from=None, text=ONE_ISSUE, shape="linear", noise=None, notice=None
) -> Transcript:
    """Play the buyer's ``strategy`` against the scripted seller to the end. ``notice``:
    (round, days): the seller gives notice in that round, effective that many days later."""
    data = yaml.safe_load(text)
    data["profiles"]["B"]["strategy"] = {"name": strategy, "params": params}
    if notice is not None:
        data["profiles"]["S"]["p_withdraw"] = 1.0
        data["calendar"]["withdrawal_notice_days"] = notice[1]
    if "shape" in data["profiles"]["B"]["issues"]["price"]:
        data["profiles"]["B"]["issues"]["price"]["shape"] = shape
    loaded = load_scenario_text(yaml.safe_dump(data, sort_keys=False))
    st = loaded.structure
    inp, draws, _ = draw_rows(st, loaded.space, 0, 0, 1)
    if noise is not None:
        draws = dataclasses.replace(draws, noise=np.full_like(draws.noise, noise))
    state = State.start(st, inp)
    buyer = KernelParty(st, inp, 0, party_strategies(st)[0], draws)
    seller = ScriptedParty(script, accept_from, notice[0] if notice else None)
    targets, offers, accepted = [], [], []
    while not state.done[0]:
        assert state.round < 20, "the talks should close at the deadline"
        play_round(st, inp, draws, state, [buyer, seller])
        if state.events["termination"][0]:
            break  # a notice took effect before this round: no round was held
        targets.append(float(state.target[0, 0]))
        x = state.offers[0, 0]
        offers.append(None if np.isnan(x).all() else x.tolist())
        accepted.append(bool(state.accepted[0, 1, 0]))
    return Transcript(
        targets,
        offers,
        accepted,
        int(state.outcome[0]),
        int(state.rounds[0]),
        state.agreement[0].tolist(),
        seller,
        loaded,
        inp,
    )


def prices(tr: Transcript) -> list[float | None]:
    return [None if o is None else o[0] for o in tr.offers]


# --- time-dependent family -----------------------------------------------------------------


def test_linear_transcript_round_by_round():
    # target_k = 0.2 + 0.8 (1 - k/9); offer price_k = 100 (1 - target_k) = 80 k / 9.
    # The seller asks 100 - 5k, worth 0.05k to the buyer. 0.05k >= target_k first at k = 8
    # (0.40 >= 0.2889; at k = 7: 0.35 < 0.3778). Round 8 is even: the buyer offers 71.11 first
    # (rejected), then accepts the seller's 60.
    tr = transcript("linear", {}, [100 - 5 * k for k in range(10)])
    assert tr.targets == pytest.approx([0.2 + 0.8 * (1 - k / 9) for k in range(9)], abs=1e-12)
    assert tr.targets[:3] == pytest.approx([1.0, 0.9111111111, 0.8222222222])
    assert prices(tr) == pytest.approx([80 * k / 9 for k in range(9)], abs=1e-9)
    assert prices(tr)[:4] == pytest.approx([0.0, 8.8888889, 17.7777778, 26.6666667])
    assert tr.accepted == [False] * 8 + [True]
    assert (tr.outcome, tr.rounds, tr.agreement) == (DEAL, 9, [60.0])
    # the seller was asked about exactly the buyer's offers, once per round
    assert tr.seller.asked == [(k, [pytest.approx(80 * k / 9)]) for k in range(9)]


def test_linear_accepts_a_fixed_ask_once_its_target_falls_to_it():
    # The seller always asks 60 (worth 0.4 to the buyer). The target 0.2 + 0.8 (1 - k/9) reaches
    # 0.4 at k = 6.75: round 7 (day 70), where the seller proposes first (odd round) and the
    # buyer accepts before making an offer of its own.
    tr = transcript("linear", {}, [60])
    assert tr.targets == pytest.approx([0.2 + 0.8 * (1 - k / 9) for k in range(8)])
    assert prices(tr) == pytest.approx([80 * k / 9 for k in range(7)] + [None])
    assert (tr.outcome, tr.rounds, tr.agreement) == (DEAL, 8, [60.0])


F = [k / 9 for k in range(10)]  # t/T in rounds 0..9


@pytest.mark.parametrize(
    ("name", "params", "want"),
    [
        # polynomial alpha = k + (1 - k)(t/T)^(1/beta); target = 0.2 + 0.8 (1 - alpha)
        ("linear", {}, [0.2 + 0.8 * (1 - f) for f in F]),
        ("linear", {"k": 0.25}, [0.2 + 0.8 * (1 - (0.25 + 0.75 * f)) for f in F]),
        ("boulware", {"beta": 0.5}, [0.2 + 0.8 * (1 - f**2) for f in F]),
        ("conceder", {"beta": 2.0}, [0.2 + 0.8 * (1 - f**0.5) for f in F]),
        ("time_dependent", {"beta": 0.5}, [0.2 + 0.8 * (1 - f**2) for f in F]),
        # exponential alpha = exp((1 - t/T)^beta ln k)
        (
            "time_dependent",
            {"curve": "exponential", "beta": 0.5, "k": 0.1},
            [0.2 + 0.8 * (1 - math.exp((1 - f) ** 0.5 * math.log(0.1))) for f in F],
        ),
        ("logroll", {"beta": 2.0}, [0.2 + 0.8 * (1 - f**0.5) for f in F]),
        ("two_level", {"beta": 0.5, "ratify": 0.0}, [0.2 + 0.8 * (1 - f**2) for f in F]),
    ],
)
def test_time_dependent_targets_every_round(name, params, want):
    tr = transcript(name, params, [100])
    assert tr.targets == pytest.approx(want, abs=1e-12)
    assert (tr.outcome, tr.rounds) == (STALEMATE, 10)
    # on one linear issue every offer is the target's price
    assert prices(tr) == pytest.approx([100 * (1 - u) for u in want], abs=1e-9)


@pytest.mark.parametrize(
    ("name", "beta", "t", "want"),
    [
        ("boulware", 0.5, 30, 0.9111111111),  # 0.2 + 0.8 (1 - (30/90)^2) = 0.2 + 0.8 * 8/9
        ("boulware", 0.5, 60, 0.6444444444),  # 0.2 + 0.8 (1 - 4/9)
        ("conceder", 2.0, 30, 0.5381197846),  # 0.2 + 0.8 (1 - sqrt(1/3)) = 0.2 + 0.8 * 0.4226497
        ("conceder", 2.0, 60, 0.3468027353),  # 0.2 + 0.8 (1 - sqrt(2/3)) = 0.2 + 0.8 * 0.1835034
        ("time_dependent", 0.5, 30, 0.9111111111),
    ],
)
def test_boulware_and_conceder_targets_at_given_times(name, beta, t, want):
    tr = transcript(name, {"beta": beta}, [100])
    assert tr.targets[t // 10] == pytest.approx(want, abs=1e-9)


def test_time_dependent_target_never_rises_when_the_deadline_is_far():
    # k = 0.5 (polynomial): alpha(0) = 0.5, so the opening target is 0.2 + 0.8 * 0.5 = 0.6.
    tr = transcript("linear", {"k": 0.5}, [100])
    assert tr.targets[0] == pytest.approx(0.6)
    assert all(b <= a for a, b in zip(tr.targets, tr.targets[1:], strict=False))
    assert tr.targets[-1] == pytest.approx(0.2)


# --- hard-liner ---------------------------------------------------------------------------


def test_hardliner_holds_its_floor_then_drops_in_the_final_round():
    # floor 0.5: it holds 0.2 + 0.5 * 0.8 = 0.6 (price 40) in rounds 0..8; round 9 (day 90) is
    # the last before the deadline: target 0.2, offer price 80. The seller's 100 is never taken.
    tr = transcript("hardliner", {"floor": 0.5}, [100])
    assert tr.targets == pytest.approx([0.6] * 9 + [0.2])
    assert prices(tr) == pytest.approx([40.0] * 9 + [80.0])
    assert (tr.outcome, tr.rounds) == (STALEMATE, 10)


def test_hardliner_takes_a_fixed_ask_in_the_final_round():
    # floor 0.5: 0.6 (price 40) until round 9, then 0.2; the seller's 75 (worth 0.25) is taken
    # there, before the buyer's own offer (the seller proposes first in odd rounds).
    tr = transcript("hardliner", {"floor": 0.5}, [75])
    assert tr.targets == pytest.approx([0.6] * 9 + [0.2])
    assert prices(tr) == pytest.approx([40.0] * 9 + [None])
    assert (tr.outcome, tr.rounds, tr.agreement) == (DEAL, 10, [75.0])


def test_hardliner_default_floor_and_acceptance_in_the_final_round():
    # floor 0.8 (default): holds 0.2 + 0.64 = 0.84 (price 16). The seller asks 79 (worth 0.21):
    # rejected while the target is 0.84, accepted in round 9 (target 0.2), where the seller
    # proposes first, so the buyer makes no offer that round.
    tr = transcript("hardliner", {}, [79])
    assert tr.targets == pytest.approx([0.84] * 9 + [0.2])
    assert prices(tr) == pytest.approx([16.0] * 9 + [None])
    assert tr.accepted == [False] * 9 + [True]
    assert (tr.outcome, tr.rounds, tr.agreement) == (DEAL, 10, [79.0])


def test_scripted_seller_accepting_from_a_round_takes_the_hardliners_offer():
    # The seller accepts from round 5 on. Round 5 is odd: the seller proposes 100 first (worth 0
    # to the buyer: rejected), then the buyer offers 40 and the seller accepts.
    tr = transcript("hardliner", {"floor": 0.5}, [100], accept_from=5)
    assert (tr.outcome, tr.rounds) == (DEAL, 6)
    assert tr.agreement == pytest.approx([40.0])
    assert tr.accepted == [False] * 6
    assert [k for k, _ in tr.seller.asked] == [0, 1, 2, 3, 4, 5]


def test_a_withdrawal_notice_brings_the_effective_deadline_forward():
    # The seller gives notice in round 2 (day 20), effective 25 days later: day 45. From round 3
    # the buyer's T is 45 days. linear: t = 30: 0.2 + 0.8 (1 - 30/45) = 0.46667; t = 40:
    # 0.2 + 0.8 * 5/45 = 0.28889. The seller's 79 (0.21) is never enough; no round is held on
    # day 50, past the notice: the talks end in termination on day 45, after 5 rounds.
    tr = transcript("linear", {}, [79], notice=(2, 25))
    assert tr.targets == pytest.approx([1.0, 0.2 + 0.8 * 8 / 9, 0.2 + 0.8 * 7 / 9, 0.2 + 0.8 / 3, 0.2 + 0.8 / 9])
    assert (tr.outcome, tr.rounds) == (TERMINATION, 5)
    # hardliner: round 4 (day 40) is the last before day 45 (the next would be day 50): it drops
    # to 0.2 there, offers 80 first (rejected), then accepts the seller's 79.
    tr = transcript("hardliner", {"floor": 0.5}, [79], notice=(2, 25))
    assert tr.targets == pytest.approx([0.6] * 4 + [0.2])
    assert prices(tr) == pytest.approx([40.0] * 4 + [80.0])
    assert (tr.outcome, tr.rounds, tr.agreement) == (DEAL, 5, [79.0])


def test_hardliner_drops_in_the_last_round_held_before_a_notice_on_a_round_day():
    # As above with the notice effective 30 days after day 20: day 50, a planned round day. No
    # round is held on day 50, so round 4 (day 40) is again the last round before the effective
    # deadline: the hard-liner should drop to 0.2 there and take the seller's 79 (0.21 >= 0.2).
    # It holds 0.6 instead, and the talks end in termination on day 50.
    tr = transcript("hardliner", {"floor": 0.5}, [79], notice=(2, 30))
    assert tr.rounds == 5  # round 4 is indeed the last round held
    assert tr.targets == pytest.approx([0.6] * 4 + [0.2])
    assert (tr.outcome, tr.agreement) == (DEAL, [79.0])


# --- tit-for-tat ---------------------------------------------------------------------------

SELLER_ABS = [100, 90, 85, 85, 70, 70, 70, 70, 70, 70]  # worth 0, .1, .15, .15, .3, .3, ... to the buyer


@pytest.mark.parametrize(
    ("params", "targets", "end"),
    [
        # opening 1 - 0.05 * 0.8 = 0.96, held in round 1 (only one round of the seller's offers
        # seen); then the seller's gains 0.1, 0.05, 0, 0.15, 0, ... come off, one round late.
        ({}, [0.96, 0.96, 0.86, 0.81, 0.81, 0.66, 0.66, 0.66, 0.66, 0.66], (STALEMATE, 10, [math.nan])),
        # initial 0.25: opening 1 - 0.25 * 0.8 = 0.8
        ({"initial": 0.25}, [0.8, 0.8, 0.7, 0.65, 0.65, 0.5, 0.5, 0.5, 0.5, 0.5], (STALEMATE, 10, [math.nan])),
        # reciprocity 2: twice the seller's gains: 0.8 - 0.2 = 0.6, - 0.1 = 0.5, - 0, - 0.3 = 0.2;
        # in round 5 (the seller first) its 70, worth 0.3 >= 0.2, is accepted.
        ({"initial": 0.25, "reciprocity": 2.0}, [0.8, 0.8, 0.6, 0.5, 0.5, 0.2], (DEAL, 6, [70.0])),
    ],
)
def test_absolute_tit_for_tat_transcript(params, targets, end):
    tr = transcript("tit_for_tat_absolute", params, SELLER_ABS)
    assert tr.targets == pytest.approx(targets, abs=1e-12)
    n = len(targets)
    offers = [100 * (1 - u) for u in targets]
    if end[0] == DEAL:
        offers[-1] = None  # accepted the seller's offer before making its own
    assert prices(tr) == pytest.approx(offers, abs=1e-9)
    assert (tr.outcome, tr.rounds) == end[:2]
    assert tr.agreement == pytest.approx(end[2], nan_ok=True)
    # after the opening, the target drops by reciprocity x the seller's last gain
    gains = [0.1, 0.05, 0.0, 0.15, 0.0, 0.0, 0.0, 0.0][: n - 2]
    drops = [a - b for a, b in zip(tr.targets[1:], tr.targets[2:], strict=False)]
    rec = params.get("reciprocity", 1.0)
    assert drops == pytest.approx([min(rec * g, t - 0.2) for g, t in zip(gains, tr.targets[1:], strict=False)])


def test_relative_tit_for_tat_transcript():
    # The seller asks 100, 80, 60, 60, 40: its distance from the buyer's ideal, in the buyer's
    # utility, is 1, 0.8, 0.6, 0.6, 0.4, shrinking by 0.8, 0.75, 1, 2/3. The buyer's room above
    # its reservation shrinks by the same ratios, one round late: opening 0.8 (room 0.6),
    # 0.2 + 0.6 * 0.8 = 0.68, 0.2 + 0.48 * 0.75 = 0.56, 0.56. In round 4 (the buyer first) it
    # offers 44, rejected; the seller's 40 is worth 0.6 >= 0.56 and is accepted.
    tr = transcript("tit_for_tat_relative", {"initial": 0.25}, [100, 80, 60, 60, 40])
    assert tr.targets == pytest.approx([0.8, 0.8, 0.68, 0.56, 0.56], abs=1e-12)
    assert prices(tr) == pytest.approx([20.0, 20.0, 32.0, 44.0, 44.0], abs=1e-9)
    assert tr.accepted == [False] * 4 + [True]
    assert (tr.outcome, tr.rounds, tr.agreement) == (DEAL, 5, [40.0])


def test_relative_tit_for_tat_with_the_default_opening():
    # The seller's distance from the buyer's ideal (in the buyer's utility): 1, 0.8, 0.6: it gave
    # up 20% then 25% of it. The buyer's room above its reservation (0.96 - 0.2 = 0.76) shrinks
    # by the same ratios: 0.2 + 0.76 * 0.8 = 0.808, then 0.2 + 0.608 * 0.75 = 0.656.
    tr = transcript("tit_for_tat_relative", {}, [100, 80, 60, 60, 60])
    assert tr.targets[:4] == pytest.approx([0.96, 0.96, 0.808, 0.656])


def test_tit_for_tat_holds_when_the_other_does_not_move():
    # The seller never moves: after the opening, nothing to reciprocate.
    for name in ("tit_for_tat_absolute", "tit_for_tat_relative"):
        tr = transcript(name, {"initial": 0.5}, [100])
        assert tr.targets == pytest.approx([0.6] * 10), name  # 1 - 0.5 * 0.8


# --- acceptance at the first round the offer meets the target -------------------------------


@pytest.mark.parametrize(
    ("name", "params", "round_"),
    [
        # seller asks 100 - 5k (worth 0.05k); first k with 0.05k >= target_k:
        ("linear", {}, 8),  # k = 7: 0.35 < 0.3778; k = 8: 0.40 >= 0.2889
        ("boulware", {"beta": 0.5}, 8),  # k = 7: 0.35 < 0.5160; k = 8: 0.40 >= 0.3679
        ("conceder", {"beta": 2.0}, 7),  # k = 6: 0.30 < 0.3468; k = 7: 0.35 >= 0.2945
        ("hardliner", {"floor": 0.5}, 9),  # 0.6 until k = 9 (0.45 >= 0.2)
        ("linear", {"k": 0.5}, 7),  # 0.2 + 0.4 (1 - k/9): k = 6: 0.30 < 0.3333; k = 7: 0.35 >= 0.2889
    ],
)
def test_accepts_at_the_first_round_the_offer_reaches_its_target(name, params, round_):
    tr = transcript(name, params, [100 - 5 * k for k in range(10)])
    u = [0.05 * k for k in range(10)]
    first = next(k for k, t in enumerate(tr.targets) if u[k] >= t)
    assert first == round_
    assert tr.accepted == [False] * first + [True]
    assert (tr.outcome, tr.rounds, tr.agreement) == (DEAL, first + 1, [100 - 5 * first])


def test_rubinstein_demands_its_share_and_accepts_the_discounted_share():
    # discounts 0.9 and 0.9: x* = (1 - 0.9) / (1 - 0.81) = 10/19 = 0.526316 (offer price 47.37);
    # it accepts what is worth at least 0.9 x* = 9/19 = 0.473684: the seller's 60, 55, 53
    # (0.40, 0.45, 0.47) are rejected, 52 (0.48) in round 3 (the seller first) is accepted.
    tr = transcript("rubinstein", {}, [60, 55, 53, 52])
    assert tr.targets == pytest.approx([10 / 19] * 4)
    assert prices(tr) == pytest.approx([900 / 19] * 3 + [None])
    assert (tr.outcome, tr.rounds, tr.agreement) == (DEAL, 4, [52.0])


# --- noisy -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("u", "want"),
    [
        # jitter = noise * range * (2u - 1) = 0.1 * 0.8 * (2u - 1): u = 0 gives -0.08, kept above
        # the reservation 0.2; u = 1 gives +0.08, kept at or below the last target; u = 0.5 none.
        (0.0, [max(0.2 + 0.8 * (1 - f) - 0.08, 0.2) for f in F]),
        (1.0, [1.0] + [0.2 + 0.8 * (1 - f) + 0.08 for f in F[1:]]),
        (0.5, [0.2 + 0.8 * (1 - f) for f in F]),
    ],
)
def test_noisy_moves_its_base_target_by_the_noise_uniform(u, want):
    tr = transcript("noisy", {"base": "linear", "noise": 0.1}, [100], noise=u)
    assert tr.targets == pytest.approx(want, abs=1e-12)
    assert prices(tr) == pytest.approx([100 * (1 - t) for t in want], abs=1e-9)


# --- two-level game ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "reach"),
    [
        ("linear", 40.0),  # value 1 - d >= 0.6: d <= 0.4, so price <= 0.4 * 100
        ("concave", 100 * math.sqrt(0.4)),  # 1 - d^2 >= 0.6: d <= sqrt(0.4) = 0.63246
        ("convex", 100 * (1 - math.sqrt(0.6))),  # (1 - d)^2 >= 0.6: d <= 1 - sqrt(0.6) = 0.22540
    ],
)
def test_two_level_offers_never_leave_the_win_set(shape, reach):
    tr = transcript("two_level", {"ratify": 0.6}, [100], shape=shape)
    # unclipped, the offer is the target's price: d = 1 - u, sqrt(1 - u) or 1 - sqrt(u)
    d = {"linear": lambda u: 1 - u, "concave": lambda u: math.sqrt(1 - u), "convex": lambda u: 1 - math.sqrt(u)}
    lin = [0.2 + 0.8 * (1 - f) for f in F]
    assert tr.targets == pytest.approx(lin, abs=1e-12)
    assert prices(tr) == pytest.approx([min(100 * d[shape](u), reach) for u in lin], abs=1e-9)
    assert max(prices(tr)) == pytest.approx(reach)
    for p in prices(tr):
        assert p <= reach + 1e-9


def test_two_level_rejects_an_offer_outside_the_win_set_that_linear_takes():
    # The seller asks 55, worth 0.45 to the buyer, below ratify 0.6 on the price issue.
    # linear accepts once its target falls to 0.3778 <= 0.45 (round 7, the seller first).
    linear = transcript("linear", {}, [55])
    assert (linear.outcome, linear.rounds, linear.agreement) == (DEAL, 8, [55.0])
    two = transcript("two_level", {"ratify": 0.6}, [55])
    assert two.targets == pytest.approx(linear.targets + [0.2 + 0.8 / 9, 0.2], abs=1e-12)
    assert (two.outcome, two.rounds) == (STALEMATE, 10)
    assert not any(two.accepted)
    # its offers stop at the win set's edge, price 40, although its target falls below 0.6
    assert max(p for p in prices(two) if p is not None) == pytest.approx(40.0)


def test_two_level_two_issues_rejects_a_good_offer_below_ratify_on_one_issue():
    # Buyer weights 0.5 / 0.5. The seller offers price 0 (value 1) and speed 5 (value 0.5):
    # worth 0.75 overall, above the buyer's target from round 3 (0.7333) on, but 0.5 < 0.6 on
    # speed. linear takes it in round 3 (the seller first); two_level never does.
    linear = transcript("linear", {}, [[0, 5]], text=TWO_ISSUES)
    assert (linear.outcome, linear.rounds, linear.agreement) == (DEAL, 4, [0.0, 5.0])
    two = transcript("two_level", {"ratify": 0.6}, [[0, 5]], text=TWO_ISSUES)
    assert (two.outcome, two.rounds) == (STALEMATE, 10)
    assert not any(two.accepted)
    # ... but it accepts an offer on the win-set's edge (price 40 and speed 6: 0.6 on each,
    # 0.6 overall) once its target is at most 0.6: round 5 (0.5556; round 4: 0.6444).
    edge = transcript("two_level", {"ratify": 0.6}, [[40, 6]], text=TWO_ISSUES)
    assert (edge.outcome, edge.rounds, edge.agreement) == (DEAL, 6, [40.0, 6.0])


def test_two_level_two_issue_offers_by_hand():
    # The default walk gives up price first (the seller gains 0.9 per 0.5 of the buyer's
    # utility there, 0.1 on speed). Conceded c_k = 0.8 k / 9: price 100 min(c / 0.5, 1), then
    # speed 10 - 10 (c - 0.5) / 0.5; the win-set clips price to 40 and speed to at least 6.
    tr = transcript("two_level", {"ratify": 0.6}, [[100, 0]], text=TWO_ISSUES)
    want = []
    for k in range(10):
        c = 0.8 * k / 9
        price = min(100 * min(c / 0.5, 1.0), 40.0)
        speed = max(10 - 10 * max(c - 0.5, 0.0) / 0.5, 6.0)
        want.append([price, speed])
    assert np.allclose(tr.offers, want, atol=1e-9)
    assert want[6] == pytest.approx([40.0, 10 - 10 * (4.8 / 9 - 0.5) / 0.5])  # 9.333
    st, inp = tr.loaded.structure, tr.inputs
    for x in tr.offers:
        for i in range(2):
            assert issue_value(st, inp, 0, i, np.array([x[i]]))[0] >= 0.6 - 1e-12


# --- logrolling ----------------------------------------------------------------------------


def test_logroll_concedes_its_low_weight_issue_first():
    # Buyer weights price 0.8, speed 0.2 (seller 0.9 / 0.1). Linear targets, conceded
    # c_k = 0.8 k / 9. logroll spends c on speed first: speed 10 - 10 c / 0.2 while c <= 0.2
    # (rounds 1, 2: 5.556, 1.111; price still 0), then price 100 (c - 0.2) / 0.8 (round 3:
    # 8.333, ..., round 9: 75). The default walk (linear) gives up price first: 100 c / 0.8.
    text = TWO_ISSUES.replace("price: {weight: 0.5", "price: {weight: 0.8").replace(
        "speed: {weight: 0.5", "speed: {weight: 0.2"
    )
    log = transcript("logroll", {}, [[100, 0]], text=text)
    lin = transcript("linear", {}, [[100, 0]], text=text)
    assert log.targets == pytest.approx(lin.targets, abs=1e-12)
    want_log, want_lin = [], []
    for k in range(10):
        c = 0.8 * k / 9
        want_log.append([100 * max(c - 0.2, 0.0) / 0.8, 10 - 10 * min(c, 0.2) / 0.2])
        want_lin.append([100 * c / 0.8, 10.0])
    assert np.allclose(log.offers, want_log, atol=1e-9)
    assert np.allclose(lin.offers, want_lin, atol=1e-9)
    # its first concessions are all on speed: price stays at the ideal until speed is given up
    assert [o[0] for o in log.offers[:3]] == [0.0, 0.0, 0.0]
    assert log.offers[1][1] == pytest.approx(10 - 10 * (0.8 / 9) / 0.2)  # 5.556
    # both offers are worth the target to the buyer: 0.8 (1 - p/100) + 0.2 (speed/10)
    for o, t in zip(log.offers, log.targets, strict=True):
        assert 0.8 * (1 - o[0] / 100) + 0.2 * o[1] / 10 == pytest.approx(t, abs=1e-9)


PRICE_AND_DISPUTES = (
    """
name: price and disputes
parties: {B: {name: Buyer}, S: {name: Seller}}
issues:
  price: {range: [0, 100], status_quo: 50}
  disputes: {options: [panel, arbitration, none], status_quo: panel}
profiles:
  B:
    reservation: 0.2
    issues:
      price: {weight: 0.8, ideal: 0}
      disputes: {weight: 0.2, values: {panel: 1.0, arbitration: 0.5, none: 0.0}}
    strategy: {name: linear}
  S:
    reservation: 0.2
    issues:
      price: {weight: 0.9, ideal: 100}
      disputes: {weight: 0.1, values: {panel: 0.0, arbitration: 0.5, none: 1.0}}
    strategy: {name: linear}
"""
    + CALENDAR
)


def test_logroll_with_a_discrete_low_weight_issue_ends_with_it_given_up():
    # disputes (weight 0.2) costs the buyer 0.1 per option step (panel -> arbitration -> none).
    # From round 3 (conceded 0.2667 >= 0.2) disputes is given up whole ('none', index 2) and the
    # rest is on price: 100 (c - 0.2) / 0.8, e.g. round 3: 8.333, round 9: 75.
    tr = transcript("logroll", {}, [[100, 2]], text=PRICE_AND_DISPUTES)
    for k in range(3, 10):
        c = 0.8 * k / 9
        assert tr.offers[k] == pytest.approx([100 * (c - 0.2) / 0.8, 2.0], abs=1e-9)
    for o, t in zip(tr.offers, tr.targets, strict=True):  # every offer is worth at least the target
        assert 0.8 * (1 - o[0] / 100) + 0.2 * [1.0, 0.5, 0.0][int(o[1])] >= t - 1e-12


def test_logroll_holds_its_salient_issue_until_the_low_weight_discrete_issue_is_given_up():
    # Round 1: conceded 0.0889 < 0.1, the cost of one disputes step. Sequencing as documented
    # leaves price at the ideal 0 until disputes is given up whole (index 2, from round 3).
    tr = transcript("logroll", {}, [[100, 2]], text=PRICE_AND_DISPUTES)
    held = [o[0] for o in tr.offers if o[1] < 2]
    assert held == [0.0] * len(held)
    prices_ = [o[0] for o in tr.offers]
    assert all(b >= a for a, b in zip(prices_, prices_[1:], strict=False))  # never takes back a concession


def test_logroll_gives_up_its_least_salient_issue_first():
    # A weighs price 0.8 and speed 0.2; B weighs price 0.9 and speed 0.1. Per unit of A's utility,
    # conceding price gains B 0.9/0.8 = 1.125 and speed 0.1/0.2 = 0.5, so the default walk gives
    # up price first; logrolling gives up speed (A's least salient issue) first, whole.
    loaded = two_party(wa1=0.8, wa2=0.2, wb1=0.9, wb2=0.1)
    st = loaded.structure
    party = KernelParty(st, inputs(loaded), 0, party_strategies(st)[0])
    target = np.array([0.85])  # A gives up 0.15
    # default: price moves 0.15 / 0.8 * 100 = 18.75; speed stays at A's ideal 10
    assert party.default_offer(target)[0].tolist() == pytest.approx([18.75, 10.0])
    # logroll: speed first (worth 0.2 to A): 0.15 of it moves speed 10 -> 2.5; price stays at 0
    assert party.default_offer(target, priority="salience")[0].tolist() == pytest.approx([0.0, 2.5])


def test_two_rubinstein_players_agree_at_once_on_the_first_proposers_share():
    # Buyer (first proposer) d = 0.8, seller d = 0.6: the buyer demands x* = (1 - 0.6) /
    # (1 - 0.48) = 0.4 / 0.52 = 10/13 (price 100 * 3/13 = 23.08); the seller accepts what is
    # worth at least 0.6 * its own share (1 - 0.8) / 0.52 = 0.6 * 5/13 = 3/13, which is exactly
    # 1 - x*: agreement in round 1 at price 23.08.
    from negotiation.drivers.batch import run_rows

    data = yaml.safe_load(ONE_ISSUE)
    data["profiles"]["B"]["strategy"] = {"name": "rubinstein", "params": {"discount": 0.8, "other_discount": 0.6}}
    data["profiles"]["S"]["strategy"] = {"name": "rubinstein", "params": {"discount": 0.6, "other_discount": 0.8}}
    loaded = load_scenario_text(yaml.safe_dump(data, sort_keys=False))
    res = run_rows(loaded.structure, loaded.space, 0, 0, 1)
    assert (res.outcome[0], res.rounds[0]) == (DEAL, 1)
    assert res.agreement[0, 0] == pytest.approx(300 / 13)
    assert res.utilities[0] == pytest.approx([10 / 13, 3 / 13])
