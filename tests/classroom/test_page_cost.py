"""What a page costs: a room's game is replayed once per action, not once per request, and each
server thread keeps its SQLite connection."""

from __future__ import annotations

import sqlite3

import pytest

from negotiation.classroom import play
from tests.classroom.helpers import act, create_room, join, store, text


@pytest.fixture
def replays(monkeypatch):
    """The rooms replayed so far (one entry per call of ``play.replay_room``)."""
    calls = []
    real = play.replay_room

    def counted(room, stored):
        calls.append((room.id, len(stored)))
        return real(room, stored)

    monkeypatch.setattr(play, "replay_room", counted)
    return calls


def views(teacher, secret, teams, n=4):
    for _ in range(n):
        for client, token in teams:
            assert client.get(f"/t/{token}").status_code == 200
            assert client.get(f"/t/{token}/state.json").status_code == 200
        assert teacher.get(f"/i/{secret}").status_code == 200


def test_pages_replay_a_room_once_until_its_next_action(app, replays):
    teacher, secret, code = create_room(app)
    replays.clear()
    b, tb = join(app, code, "B")
    s, ts = join(app, code, "S")
    room = store(app).room_by_secret(secret).id

    views(teacher, secret, [(b, tb), (s, ts)])
    assert replays == [(room, 0)]  # the joins and every page: one replay

    r = act(b, tb, offer={"price": "30"})  # reads B's page (cached), records, redirects
    assert r.status_code == 303, text(r)
    views(teacher, secret, [(b, tb), (s, ts)])
    assert replays == [(room, 0), (room, 1)]


def test_each_room_has_its_own_replay_and_old_rooms_are_dropped(app, replays):
    from negotiation.classroom.replays import ReplayCache

    rooms = [store(app).room_by_secret(create_room(app)[1]) for _ in range(3)]
    cache = ReplayCache(store(app), rooms=2)
    replays.clear()
    for room in rooms + rooms[-1:]:
        stored, view = cache.room(room)
        assert stored == [] and view.pending is not None
    assert replays == [(r.id, 0) for r in rooms]  # the last room's second view was kept
    cache.room(rooms[0])  # dropped for the two rooms after it: replayed again
    assert replays[-1] == (rooms[0].id, 0) and len(replays) == 4


def test_a_thread_keeps_its_connection_between_requests(app, monkeypatch):
    teacher, secret, code = create_room(app)
    b, tb = join(app, code, "B")
    views(teacher, secret, [(b, tb)], n=1)  # this thread's connection is open
    opened = []
    real = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **kw: opened.append(a) or real(*a, **kw))
    views(teacher, secret, [(b, tb)])
    assert act(b, tb, offer={"price": "30"}).status_code == 303
    assert opened == []
