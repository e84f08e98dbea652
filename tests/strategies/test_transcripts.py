"""Behaviour as transcripts against scripted opponents: given these offers, the strategy makes
these offers and accepts at round k. Scenario: a buyer (ideal price 0) and a seller (ideal 100),
linear values, reservations 0.2, rounds every 10 days from 2024-01-01, deadline day 90."""

from pathlib import Path

import numpy as np
import pytest
import yaml
from negotiation.strategies import party_strategies

from negotiation.kernel.draws import draw_rows
from negotiation.kernel.protocol import KernelParty, State, play_round
from negotiation.scenario.loader import load_scenario_text

ROOT = Path(__file__).resolve().parents[2]
SPLIT = yaml.safe_load((ROOT / "configs" / "teaching_split.yaml").read_text())


class Scripted:
    """The seller: offers the given prices round by round and rejects everything."""

    def __init__(self, prices):
        self.prices = prices

    def target(self, state):
        return np.array([1.0])

    def offer(self, state):
        return np.array([[float(self.prices[min(state.round, len(self.prices) - 1)])]])

    def accepts(self, state, x, outcome, u=None, proposer=None):
        return np.array([False])

    def withdraws(self, state, u):
        return np.array([False])

    def votes_extend(self, state, u):
        return np.array([False])


def transcript(strategy, params, prices):
    data = yaml.safe_load(yaml.safe_dump(SPLIT))
    data["profiles"]["B"]["strategy"] = {"name": strategy, "params": params}
    loaded = load_scenario_text(yaml.safe_dump(data))
    st = loaded.structure
    inp, draws, _ = draw_rows(st, loaded.space, 0, 0, 1)
    state = State.start(st, inp)
    buyer = KernelParty(st, inp, 0, party_strategies(st)[0], draws)
    targets, offers = [], []
    while not state.done[0]:
        play_round(st, inp, draws, state, [buyer, Scripted(prices)])
        targets.append(float(state.target[0, 0]))
        offers.append(float(state.offers[0, 0, 0]))
    return targets, offers, state


def linear(t):
    return 0.2 + 0.8 * (1 - t / 90)


def test_linear_concedes_on_time_and_accepts_when_the_offer_meets_its_target():
    # The seller always asks 60 (worth 0.4 to the buyer). The buyer's target 0.2 + 0.8(1 - t/90)
    # reaches 0.4 at t = 67.5 days: the round of day 70 (round 8), where the seller proposes first
    # (round 8 starts with party 7 mod 2 = 1) and the buyer accepts.
    targets, offers, state = transcript("linear", {}, [60])
    assert targets == pytest.approx([linear(10 * k) for k in range(8)])
    # the buyer offers its target: price 100 (1 - target); in round 8 it makes no offer
    assert offers[:7] == pytest.approx([100 * (1 - linear(10 * k)) for k in range(7)])
    assert np.isnan(offers[7])
    assert state.outcome[0] == 0 and state.rounds[0] == 8 and state.agreement[0, 0] == pytest.approx(60)


@pytest.mark.parametrize(
    "name,beta,t,want",
    [
        ("boulware", 0.5, 30, 0.2 + 0.8 * (1 - (30 / 90) ** 2)),  # alpha = (t/T)^(1/beta)
        ("conceder", 2.0, 30, 0.2 + 0.8 * (1 - (30 / 90) ** 0.5)),
    ],
)
def test_boulware_and_conceder_targets(name, beta, t, want):
    targets, _, _ = transcript(name, {"beta": beta}, [100])
    assert targets[t // 10] == pytest.approx(want)


def test_hardliner_holds_its_floor_until_the_final_round():
    # floor 0.5: it holds 0.2 + 0.5 * 0.8 = 0.6 (offers price 40) until the last round before the
    # deadline (day 90, round 10), then drops to its reservation 0.2 and accepts the seller's 75
    # (worth 0.25), which the seller offers first in round 10.
    targets, offers, state = transcript("hardliner", {"floor": 0.5}, [75])
    assert targets == pytest.approx([0.6] * 9 + [0.2])
    assert offers[:9] == pytest.approx([40.0] * 9)
    assert state.outcome[0] == 0 and state.rounds[0] == 10 and state.agreement[0, 0] == pytest.approx(75)


def test_absolute_tit_for_tat_concedes_what_the_seller_conceded():
    # Opening: 1 - 0.05 * 0.8 = 0.96, held until two rounds of the seller's offers are seen.
    # Seller: 100, 90, 85, 85 -> the buyer's utility 0, 0.1, 0.15, 0.15: in round 3 the buyer
    # concedes 0.1 (to 0.86), in round 4 0.05 (to 0.81), in round 5 nothing.
    targets, _, _ = transcript("tit_for_tat_absolute", {}, [100, 90, 85, 85, 85, 85, 85, 85, 85, 85])
    assert targets[:5] == pytest.approx([0.96, 0.96, 0.86, 0.81, 0.81])


def test_relative_tit_for_tat_concedes_the_share_the_seller_conceded():
    # The seller's distance from the buyer's ideal (in the buyer's utility): 1, 0.8, 0.6: it gave
    # up 20% then 25% of it. The buyer's room above its reservation (0.96 - 0.2 = 0.76) shrinks
    # by the same ratios: 0.2 + 0.76 * 0.8 = 0.808, then 0.2 + 0.608 * 0.75 = 0.656.
    targets, _, _ = transcript("tit_for_tat_relative", {}, [100, 80, 60, 60, 60])
    assert targets[:4] == pytest.approx([0.96, 0.96, 0.808, 0.656])


def test_two_level_stays_in_its_win_set():
    # ratify 0.6 on a linear issue: the buyer never offers a price worth less than 0.6 to it
    # (price 40), even when its time-dependent target falls below that, and it rejects 55.
    targets, offers, state = transcript("two_level", {"ratify": 0.6}, [55])
    made = [o for o in offers if o == o]
    assert max(made) == pytest.approx(40.0)
    assert targets[-1] < 0.6
    assert state.outcome[0] != 0


def test_logroll_gives_up_its_least_salient_issue_first():
    # A weighs price 0.8 and speed 0.2; B weighs price 0.9 and speed 0.1. Per unit of A's utility,
    # conceding price gains B 0.9/0.8 = 1.125 and speed 0.1/0.2 = 0.5, so the default walk gives
    # up price first; logrolling gives up speed (A's least salient issue) first, whole.
    from tests.kernel_cases import inputs_of, two_party

    loaded = two_party(wa1=0.8, wa2=0.2, wb1=0.9, wb2=0.1)
    st = loaded.structure
    inp = inputs_of(loaded)
    party = KernelParty(st, inp, 0, party_strategies(st)[0])
    target = np.array([0.85])  # A gives up 0.15
    # default: price moves 0.15 / 0.8 * 100 = 18.75; speed stays at A's ideal 10
    assert party.default_offer(target)[0].tolist() == pytest.approx([18.75, 10.0])
    # logroll: speed first (worth 0.2 to A): 0.15 of it moves speed 10 -> 2.5; price stays at 0
    assert party.default_offer(target, priority="salience")[0].tolist() == pytest.approx([0.0, 2.5])
