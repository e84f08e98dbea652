"""Every room's exports are streamed a room at a time, with the same content as when built whole;
the admin page lists rooms a page at a time."""

from __future__ import annotations

import csv
import io
import json

import pytest
from flask import jsonify

from negotiation.classroom import admin, downloads, export
from negotiation.classroom.export import action_rows, room_transcript, trace_rows
from tests.classroom.helpers import Client, act, create_room, join, play_split, store, text


def whole_csv(rows: list[dict]) -> str:
    """The CSV as the export built it before streaming: every row in memory, the union of keys as header."""
    buf = io.StringIO()
    fields: list[str] = []
    for row in rows:
        fields += [k for k in row if k not in fields]
    writer = csv.DictWriter(buf, fieldnames=fields or export.TRACE_LEAD, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: export._cell(v) for k, v in row.items()})
    return buf.getvalue()


@pytest.fixture
def small_class(app):
    """Four rooms: two split games (one ended, one under way), a trade game begun, a room being set up."""
    _, _, code = create_room(app)
    play_split(app, {"B": join(app, code, "B"), "S": join(app, code, "S")})
    _, _, code = create_room(app, seed="3")
    play_split(app, {"B": join(app, code, "B"), "S": join(app, code, "S")}, stop_after=3)
    _, _, code = create_room(app, "teaching_trade", teams=["A", "B"])
    a, ta = join(app, code, "A", "=Team A")
    assert act(a, ta, offer={"tariff": "8", "disputes": "arbitration"}).status_code == 303
    create_room(app, open_room=False)
    for room in store(app).rooms():  # the Monte Carlo results are in the transcripts
        app.extensions["classroom"]["runner"].wait(room.id, 60)
    return app


def filled(csv_text: str) -> list[dict]:
    """A CSV's rows without their empty cells."""
    return [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(io.StringIO(csv_text))]


@pytest.mark.parametrize("name", ["export.json", "actions.csv", "rounds.csv"])
def test_every_rooms_export_is_what_it_was_built_whole(small_class, name):
    app = small_class
    st, rooms = store(app), store(app).rooms()
    with app.app_context():
        whole = {
            "export.json": jsonify(rooms=[room_transcript(st, r) for r in rooms]).get_data(as_text=True),
            "actions.csv": whole_csv([row for r in rooms for row in action_rows(st, r)]),
            "rounds.csv": whole_csv([row for r in rooms for row in trace_rows(st, r)]),
        }[name]
    r = Client(app).get(f"/admin/{app.config['ADMIN_KEY']}/{name}")
    assert r.status_code == 200 and r.is_streamed
    assert r.headers["Content-Disposition"].startswith('attachment; filename="rooms')
    streamed = text(r)
    if name == "rounds.csv":
        # The trade room has no round yet: its scenario's columns are in the header all the same.
        header, old_header = streamed.split("\n", 1)[0], whole.split("\n", 1)[0]
        assert header == old_header + ",offer_tariff,offer_disputes,u_A,u_C"
        assert filled(streamed) == filled(whole) and len(filled(whole)) == 6  # the ended room's 3 rounds
    else:
        assert streamed == whole


def test_a_one_scenario_class_has_the_same_rounds_csv_as_built_whole(app):
    for seed in ("1", "2"):
        _, _, code = create_room(app, seed=seed)
        play_split(app, {"B": join(app, code, "B"), "S": join(app, code, "S")})
    st = store(app)
    with app.app_context():
        whole = whole_csv([row for r in st.rooms() for row in trace_rows(st, r)])
    assert text(Client(app).get(f"/admin/{app.config['ADMIN_KEY']}/rounds.csv")) == whole


def test_the_json_export_makes_one_room_at_a_time(small_class, monkeypatch):
    app = small_class
    made = []
    real = room_transcript

    def counted(st, room):
        made.append(room.id)
        return real(st, room)

    monkeypatch.setattr(downloads, "room_transcript", counted, raising=False)
    monkeypatch.setattr(export, "room_transcript", counted)
    r = Client(app).get(f"/admin/{app.config['ADMIN_KEY']}/export.json", buffered=False)
    chunks = iter(r.response)
    first = b"".join(next(chunks) for _ in range(2))
    assert made == [1]  # the first room is sent before the second is made
    rest = first + b"".join(chunks)
    r.close()
    assert made == [1, 2, 3, 4]
    assert [room["room"]["id"] for room in json.loads(rest)["rooms"]] == [1, 2, 3, 4]


def test_the_admin_page_lists_rooms_a_page_at_a_time(small_class, monkeypatch):
    app = small_class
    monkeypatch.setattr(admin, "PAGE_ROOMS", 3, raising=False)
    c, key = Client(app), app.config["ADMIN_KEY"]
    first = text(c.get(f"/admin/{key}"))
    assert first.count("instructor page") == 3 and "Rooms 1–3 of 4" in first
    assert f'href="/admin/{key}?page=2">next</a>' in first
    second = text(c.get(f"/admin/{key}?page=2"))
    assert second.count("instructor page") == 1 and "Rooms 4–4 of 4" in second and "previous" in second
    assert store(app).rooms()[3].secret in second
    assert text(c.get(f"/admin/{key}?page=99")) == second  # past the end: the last page
    assert text(c.get(f"/admin/{key}?page=x")) == first
