"""The instructor's class: rooms made together on one scenario, seed and draw, and the dashboard
that shows them (states, outcomes, utilities against walk-aways, the Monte Carlo beside the class,
one export)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from negotiation.classroom import classes, montecarlo
from negotiation.classroom.store import shown_code
from tests.classroom.helpers import Client, dump, join, play_split, store, text


def _make_class(app, n=3, scenario="teaching_split", title="Monday"):
    teacher = Client(app, instructor=True)
    r = teacher.post("/rooms", {"scenario": scenario, "rooms": str(n), "title": title})
    assert r.status_code == 303, text(r)
    secret = re.fullmatch(r"/c/([A-Za-z0-9_-]+)", r.headers["Location"]).group(1)
    return teacher, secret


def _rooms(app, secret):
    return store(app).class_rooms(store(app).class_by_secret(secret).id)


def _wait_all(app, secret):
    for room in _rooms(app, secret):
        app.extensions["classroom"]["runner"].ensure(room.id)
        app.extensions["classroom"]["runner"].wait(room.id, 60)


def _states(page: str) -> list[str]:
    return re.findall(r'data-state="(\w+)"', page)


def test_more_than_one_room_makes_a_class(app):
    teacher, secret = _make_class(app, 3)
    rooms = _rooms(app, secret)
    assert [r.title for r in rooms] == ["Monday · room 1", "Monday · room 2", "Monday · room 3"]
    assert {(r.config_name, r.seed, r.draw, r.people, r.status) for r in rooms} == {
        ("teaching_split.yaml", 1, 0, ("B",), "setup")
    }
    assert len({r.join_code for r in rooms}) == 3 and len({r.secret for r in rooms}) == 3
    page = text(teacher.get(f"/c/{secret}"))
    assert "Class created." in page and _states(page) == ["setup"] * 3
    assert "Class created." not in text(teacher.get(f"/c/{secret}"))  # shown once
    # each room's instructor page links back to the class
    assert f'href="/c/{secret}"' in text(teacher.get(f"/i/{rooms[0].secret}"))


def test_one_room_makes_no_class(app):
    r = Client(app, instructor=True).post("/rooms", {"scenario": "teaching_split", "rooms": "1"})
    assert r.headers["Location"].startswith("/i/")
    assert store(app).class_of(store(app).rooms()[0].id) is None


@pytest.mark.parametrize("rooms", ["0", "41", "x", "-2"])
def test_a_bad_number_of_rooms_creates_nothing(app, rooms):
    before = dump(app)
    r = Client(app, instructor=True).post("/rooms", {"scenario": "teaching_split", "rooms": rooms})
    assert r.status_code == 400 and "rooms: expected a whole number from 1 to 40" in text(r)
    assert dump(app) == before


def test_the_class_sets_up_and_opens_every_room(app):
    teacher, secret = _make_class(app, 2, "teaching_trade")
    r = teacher.post(f"/c/{secret}/teams", {"team": ["C", "A"], "open": "1"})
    assert r.status_code == 303
    assert [(r.people, r.status) for r in _rooms(app, secret)] == [(("A", "C"), "open")] * 2
    page = text(teacher.get(f"/c/{secret}"))
    assert _states(page) == ["joining", "joining"] and 'id="class-setup"' not in page
    for room in _rooms(app, secret):
        assert f'<code class="code">{shown_code(room.join_code)}</code>' in page
    # refusals change nothing
    before = dump(app)
    assert teacher.post(f"/c/{secret}/teams", {"team": []}).status_code == 400
    assert teacher.post(f"/c/{secret}/teams", {"team": ["Z"]}).status_code == 400
    assert teacher.post(f"/c/{secret}/teams", {"team": ["A"]}, csrf=False).status_code == 403
    assert dump(app) == before


def test_the_dashboard_shows_each_room_its_outcome_and_surplus(app):
    teacher, secret = _make_class(app, 3)
    teacher.post(f"/c/{secret}/teams", {"team": ["B", "S"], "open": "1"})
    r1, r2, r3 = _rooms(app, secret)
    # room 1 plays to a deal: B offers 30, 35, 40 and S 70, 65; the first yes comes in round 3,
    # to B's 40: B's value of price p is 1 - p/100, S's p/100, and both walk-aways are 0.2.
    play_split(app, {"B": join(app, r1.join_code, "B"), "S": join(app, r1.join_code, "S")})
    join(app, r2.join_code, "B")  # room 2: one team of two
    join(app, r3.join_code, "B")  # room 3: both teams, nothing played yet
    join(app, r3.join_code, "S")
    _wait_all(app, secret)
    page = text(teacher.get(f"/c/{secret}"))
    assert _states(page) == ["finished", "joining", "playing"]
    row1 = page[page.index(f'data-room="{r1.id}"') : page.index(f'data-room="{r2.id}"')]
    assert "deal (everyone signs)" in row1 and "Price 40.0 $k" in row1
    assert "<strong>0.60</strong> / 0.20" in row1 and "+0.40" in row1  # B: 1 - 40/100 = 0.60
    assert "<strong>0.40</strong> / 0.20" in row1 and "+0.20" in row1  # S: 40/100 = 0.40
    assert shown_code(r1.join_code) not in row1 and "closed" in row1  # a finished room's code is not offered
    row2 = page[page.index(f'data-room="{r2.id}"') : page.index(f'data-room="{r3.id}"')]
    assert "1 of 2 teams joined" in row2 and shown_code(r2.join_code) in row2
    # the class beside the computer: the only finished room made a deal; the computer-played
    # draws of this case always end in a deal (no uncertainty, linear concession)
    outcomes = page[page.index('id="class-outcomes"') : page.index('id="class-parties"')]
    deal = re.search(r'data-outcome="deal">(.*?)</tr>', outcomes, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)', deal)[:3] == ["1", "100%", "300"]
    assert "bilateral" not in outcomes
    assert re.findall(r'data-outcome="(\w+)"', outcomes) == ["deal", "termination", "stalemate"]


def test_the_class_exports_as_one_json_and_one_csv(app):
    teacher, secret = _make_class(app, 2)
    teacher.post(f"/c/{secret}/teams", {"team": ["B", "S"], "open": "1"})
    r1, r2 = _rooms(app, secret)
    play_split(app, {"B": join(app, r1.join_code, "B", "Red"), "S": join(app, r1.join_code, "S", "Blue")})
    _wait_all(app, secret)
    r = teacher.get(f"/c/{secret}/export.json")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    doc = json.loads(r.data)
    assert doc["class"]["title"] == "Monday" and doc["class"]["rooms"] == 2 and doc["finished"] == 1
    assert [room["state"] for room in doc["rooms"]] == ["finished", "joining"]
    assert doc["rooms"][0]["outcome"] == "deal" and doc["rooms"][0]["agreement"] == {"Price": "40.0 $k"}
    b = doc["rooms"][0]["parties"][0]
    assert (b["party"], b["played_by"], b["utility"], b["walk_away"]) == ("B", "Red", pytest.approx(0.6), 0.2)
    assert {o["outcome"]: (o["rooms"], o["draws"]) for o in doc["outcomes"]} == {
        "deal": (1, 300),
        "termination": (0, 0),
        "stalemate": (0, 0),
    }
    assert [t["room"]["id"] for t in doc["transcripts"]] == [r1.id, r2.id]
    r = teacher.get(f"/c/{secret}/results.csv")
    rows = list(csv.DictReader(io.StringIO(text(r))))
    assert [(row["room"], row["party"], row["state"]) for row in rows] == [
        (str(r1.id), "B", "finished"),
        (str(r1.id), "S", "finished"),
        (str(r2.id), "B", "joining"),
        (str(r2.id), "S", "joining"),
    ]
    assert rows[1]["played_by"] == "Blue" and float(rows[1]["utility"]) == pytest.approx(0.4)
    assert rows[1]["above_walk_away"] == "yes" and rows[1]["agreed Price"] == "40.0 $k"
    assert rows[2]["utility"] == "" and rows[2]["walk_away"] == "0.2"


def test_adding_a_room_copies_the_class(app):
    teacher, secret = _make_class(app, 2)
    teacher.post(f"/c/{secret}/teams", {"team": ["B", "S"], "open": "0"})
    assert teacher.post(f"/c/{secret}/rooms").status_code == 303
    rooms = _rooms(app, secret)
    assert [r.title for r in rooms][-1] == "Monday · room 3"
    assert (rooms[-1].people, rooms[-1].seed, rooms[-1].config_text) == (("B", "S"), 1, rooms[0].config_text)


def test_a_class_has_at_most_max_rooms(app, monkeypatch):
    monkeypatch.setattr(classes, "MAX_ROOMS", 2)
    teacher, secret = _make_class(app, 2)
    before = dump(app)
    r = teacher.post(f"/c/{secret}/rooms")
    assert r.status_code == 409 and "at most 2 rooms" in text(r)
    assert dump(app) == before


def test_a_wrong_class_link_is_not_found(app):
    _make_class(app, 2)
    c = Client(app, instructor=True)
    for url in ("/c/" + "x" * 32, "/c/short", "/c/" + "x" * 32 + "/export.json", "/c/" + "x" * 32 + "/results.csv"):
        assert c.get(url).status_code == 404


def test_the_rooms_of_a_class_share_one_monte_carlo(app, monkeypatch):
    calls = []
    real = montecarlo.Tally

    class Counted(real):
        def __init__(self, loaded, seed):
            calls.append(seed)
            super().__init__(loaded, seed)

    monkeypatch.setattr(montecarlo, "Tally", Counted)
    _, secret = _make_class(app, 3)
    _wait_all(app, secret)
    results = [store(app).montecarlo(r.id)["result"] for r in _rooms(app, secret)]
    assert calls == [1]  # seed 1: computed once for the three rooms
    assert results[0] == results[1] == results[2] and results[0]["outcomes"]["deal"] == 300
