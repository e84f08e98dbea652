"""Hostile or heavy uploaded scenarios: refused with a clear 400 page when a room is created (no
500, nothing stored)."""

from __future__ import annotations

import io

from negotiation.classroom.home import ROOM_BUDGET_SECONDS
from tests.classroom.helpers import CONFIGS, MC_DRAWS, Client, dump, text
from tests.helpers import synthetic
from tests.scenario.test_hostile_yaml import alias_bomb


def _upload(app, body: bytes, name: str):
    before = dump(app)
    teacher = Client(app, instructor=True)
    r = teacher.post("/rooms", {"upload": (io.BytesIO(body), name)}, content_type="multipart/form-data")
    assert dump(app) == before  # nothing was created
    return r


def test_an_alias_bomb_is_refused(app):
    # Before the bound, this file of some 300 bytes ran the worker out of memory (MemoryError): a 500.
    r = _upload(app, alias_bomb().encode(), "bomb.yaml")
    assert r.status_code == 400
    page = text(r)
    assert "The scenario has problems; nothing was created" in page
    assert "bomb.yaml:6: f[0]: aliases write out more than 100,000 nodes" in page


def test_an_integer_too_long_is_refused(app):
    body = (CONFIGS / "teaching_split.yaml").read_text().replace("status_quo: 50", "status_quo: " + "9" * 5000)
    r = _upload(app, body.encode(), "big.yaml")
    assert r.status_code == 400
    assert "big.yaml:14: issues.price.status_quo: integer too long (5,000 digits; at most 18)" in text(r)


def test_a_scenario_over_the_room_budget_is_refused(app):
    # 20 parties, 20 issues, 60 rounds (75 at most): 13,800,000 units a game; a game and the test
    # app's 300-draw Monte Carlo, ~35 s, are over the budget of 30 s. (Valid on the command line.)
    assert (MC_DRAWS, ROOM_BUDGET_SECONDS) == (300, 30.0)
    r = _upload(app, synthetic(20, 20, 60).encode(), "heavy.yaml")
    assert r.status_code == 400
    assert (
        "This scenario is too heavy for a classroom room: one game and its 300-draw Monte Carlo are "
        "estimated at ~35 s of computing, above the budget of 30 s" in text(r)
    )
