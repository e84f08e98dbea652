"""The single negotiating text, by hand: the mediator's draft, its revisions on a two-issue case,
chapters closing and reopening at a cost; and whole games in both drivers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from negotiation.drivers.batch import run_rows
from negotiation.drivers.model import NegotiationModel
from negotiation.kernel.draws import draw_rows
from negotiation.kernel.protocol import _chapters, draft_text, revise_text
from negotiation.kernel.state import State
from tests.helpers import scenario

START = dt.date(2024, 1, 1)


def two_issues(**extra):
    """A wants p = q = 0, B wants p = q = 1; equal weights, linear values, reservations 0."""
    prof = {
        name: {
            "reservation": 0.0,
            "issues": {"p": {"weight": 1, "ideal": ideal}, "q": {"weight": 1, "ideal": ideal}},
            "strategy": {"name": "linear"},
        }
        for name, ideal in (("A", 0.0), ("B", 1.0))
    }
    issues = {k: {"range": [0, 1], "status_quo": 0.5} for k in ("p", "q")}
    cal = {"rounds": [START + dt.timedelta(days=7 * k) for k in range(8)], "deadline": dt.date(2024, 2, 26)}
    cal["horizon"] = dt.date(2024, 12, 31)
    return scenario(prof, issues, calendar=cal, protocol="single_text", **extra)


def setup(loaded):
    st = loaded.structure
    inp, draws, _ = draw_rows(st, loaded.space, 0, 0, 1)
    return st, inp, State.start(st, inp)


def test_draft_is_the_mean_and_the_median_option():
    three = scenario(
        {
            p: {
                "reservation": 0.1,
                "issues": {"x": {"weight": 1, "ideal": 0.5}, "o": {"weight": 1, "ideal": "b"}},
            }
            for p in ("A", "B", "C")
        },
        {"x": {"range": [0, 1], "status_quo": 0.5}, "o": {"options": ["a", "b", "c"], "status_quo": "a"}},
    )
    positions = np.array([[[0.2, 0.0], [0.5, 2.0], [0.8, 1.0]]])
    assert draft_text(three.structure, positions).tolist() == [[0.5, 1.0]]


def test_revision_moves_toward_the_amendment_that_raises_the_lowest_gain_most():
    # Text (0.2, 0.2): A gets 0.8, B 0.2. B asks for p = 1 only: half way gives (0.6, 0.2), A 0.6
    # and B 0.4 (lowest 0.4); a quarter (0.4, 0.2) only 0.3. A's amendment (0, 0) lowers B's.
    st, inp, _ = setup(two_issues())
    text = np.array([[0.2, 0.2]])
    amend = np.array([[[0.0, 0.0], [1.0, 0.2]]])
    amending = np.array([[True, True]])
    out = revise_text(st, inp, text, amend, amending, np.array([[True, True]]), 0.5)
    assert out == pytest.approx(np.array([[0.6, 0.2]]))
    # the issue B amends is closed: nothing raises the lowest gain, the text stays
    out = revise_text(st, inp, text, amend, amending, np.array([[False, True]]), 0.5)
    assert out.tolist() == [[0.2, 0.2]]
    # a full step would overshoot (1, 0.2): A 0.4, B 0.6, lowest 0.4; a half (0.6, 0.2) ties at
    # 0.4 and the first found (the full step) is kept
    out = revise_text(st, inp, text, amend, amending, np.array([[True, True]]), 1.0)
    assert out == pytest.approx(np.array([[1.0, 0.2]]))


def test_a_chapter_closes_when_every_party_accepts_its_term():
    # Text (0.5, 0.2). On p both ask for 0.5: it closes. On q A asks 0 (worth more to it than 0.2).
    loaded = two_issues(closing="chapters")
    st, inp, state = setup(loaded)
    state.text[:] = [[0.5, 0.2]]
    amend = np.array([[[0.5, 0.0], [0.5, 1.0]]])
    _chapters(st, inp, state, amend, np.array([True]))
    assert state.closed.tolist() == [[True, False]]
    assert state.chapter_day.tolist() == [[START.toordinal(), -1]]
    assert state.penalty.tolist() == [[0.0, 0.0]]


@pytest.mark.parametrize("cost, reopened", [(0.05, True), (0.3, False)])
def test_reopening_a_closed_chapter_costs_the_party(cost, reopened):
    # p is closed at 0.5; A now asks 0 there: worth 0.5 * (1 - 0.5) = 0.25 more to it (weights
    # normalised to 0.5). It reopens when that beats the cost, and pays the cost.
    loaded = two_issues(closing="chapters", chapters={"reopen_cost": cost})
    st, inp, state = setup(loaded)
    state.text[:] = [[0.5, 0.2]]
    state.closed[:] = [[True, False]]
    state.chapter_day[:] = [[START.toordinal(), -1]]
    amend = np.array([[[0.0, 0.0], [0.5, 1.0]]])
    _chapters(st, inp, state, amend, np.array([True]))
    assert state.closed[0, 0] == (not reopened)
    assert state.penalty[0, 0] == (cost if reopened else 0.0)
    assert state.reopened[0] == int(reopened)


def test_a_two_party_single_text_game_reaches_the_middle():
    # Symmetric parties conceding linearly: the mediator's text is the midpoint from the start
    # and both accept it once their targets fall to 0.5.
    model = NegotiationModel(two_issues(), seed=0, draw=0)
    model.run()
    summary = model.summary()
    assert summary["outcome"] == "deal"
    assert summary["agreement"] == {"p": pytest.approx(0.5), "q": pytest.approx(0.5)}
    assert model.history[0]["text"]["position"] == pytest.approx([0.5, 0.5])


def test_chapters_game_records_closings_in_both_drivers():
    loaded = two_issues(closing="chapters")
    res = run_rows(loaded.structure, loaded.space, 0, 0, 1)
    model = NegotiationModel(loaded, seed=0, draw=0)
    model.run()
    assert model.summary()["outcome"] == "deal"
    assert res.path["chapter_day"][0].tolist() == [
        -1 if model.path()[f"chapter.{k}"] is None else model.path()[f"chapter.{k}"].toordinal() for k in ("p", "q")
    ]
