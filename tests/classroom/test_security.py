"""Attacks on the classroom's access control, each reproduced through the WSGI test client.

Room creation without the privilege or in bulk; guessing join codes; reading a join code back from
the refresh version; a forged Host header; cross-site and cross-seat forms; joining a finished game.
"""

from __future__ import annotations

import re
import sqlite3
import threading

import pytest

pytest.importorskip("flask", reason="the classroom needs flask")

from negotiation.classroom import create_app  # noqa: E402
from negotiation.classroom.access import INSTRUCTOR_COOKIE as INSTRUCTOR  # noqa: E402
from negotiation.classroom.app import CSRF_COOKIE  # noqa: E402
from negotiation.classroom.store import CODE_ALPHABET  # noqa: E402
from tests.classroom.helpers import (  # noqa: E402
    MC_DRAWS,
    Client,
    create_room,
    dump,
    instructor,
    join,
    play_split,
    store,
    text,
    turn,
)

SPLIT = {"scenario": "teaching_split"}


class Clock:
    """A clock the rate limits read in tests: it moves only when told."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def still(tmp_path):
    """An app whose rate limits read a clock that stands still until a test moves it, and the clock."""
    from negotiation.classroom.limits import Limits

    clock = Clock()
    return create_app(tmp_path / "still", mc_draws=MC_DRAWS, limits=Limits.default(clock)), clock


def from_address(app, address: str) -> Client:
    """A browser at another IP address."""
    c = Client.__new__(Client)
    c.app, c.c = app, app.test_client()
    c.c.environ_base["REMOTE_ADDR"] = address
    c.c.get("/")
    return c


# 1. Creating rooms needs the privilege, and is rate-limited ------------------------------------


def test_an_anonymous_browser_cannot_create_a_room(app):
    c = Client(app)
    r = c.post("/rooms", SPLIT)
    assert r.status_code == 403
    assert "Creating a room needs the admin key printed by negotiate serve. Nothing was created." in text(r)
    assert 'name="passphrase"' in text(c.get("/"))  # the front page asks for it
    assert c.post("/rooms", dict(SPLIT, passphrase="")).status_code == 403  # no passphrase set: empty is no key
    assert c.get("/instructor/" + "x" * 32).status_code == 404
    assert dump(app)["rooms"] == []


def test_the_instructor_link_lets_a_browser_create_rooms(app):
    c = Client(app)
    r = c.get(f"/instructor/{app.config['ADMIN_KEY']}")
    assert r.status_code == 303 and r.headers["Location"].endswith("/#create")
    assert "This browser may create rooms." in text(c.get("/")) and 'name="passphrase"' not in text(c.get("/"))
    assert c.post("/rooms", SPLIT).status_code == 303
    typed = Client(app)  # or the admin key typed in the form
    assert typed.post("/rooms", dict(SPLIT, passphrase=app.config["ADMIN_KEY"])).status_code == 303
    assert len(store(app).rooms()) == 2


def test_the_instructor_passphrase_lets_a_browser_create_rooms(tmp_path):
    app = create_app(tmp_path / "data", mc_draws=MC_DRAWS, instructor_passphrase="blue heron at dawn")
    c = Client(app)
    assert "Instructor passphrase (or the admin key)" in text(c.get("/"))
    r = c.post("/rooms", dict(SPLIT, passphrase="blue heron"))
    assert r.status_code == 403 and "needs the instructor passphrase or the admin key" in text(r)
    assert c.post("/rooms", dict(SPLIT, passphrase="blue heron at dawn")).status_code == 303
    assert c.post("/rooms", SPLIT).status_code == 303  # the browser now holds the instructor cookie
    # a cookie made under another passphrase is worth nothing after a restart with a new one
    again = create_app(tmp_path / "data", mc_draws=MC_DRAWS, instructor_passphrase="a new term begins")
    c.app, old = again, c.c.get_cookie(INSTRUCTOR)
    c.c = again.test_client()
    c.c.get("/")
    c.c.set_cookie(INSTRUCTOR, old.value)
    assert c.post("/rooms", SPLIT).status_code == 403
    assert len(store(again).rooms()) == 2


def test_room_creation_is_rate_limited_per_client(still):
    """One client created 526 rooms in 15 s: now 20 tries at once, then one every 3 s, refused or not."""
    app, clock = still
    teacher, other = instructor(app), from_address(app, "10.0.0.7")
    for _ in range(19):
        assert teacher.post("/rooms", {"scenario": "nope"}).status_code == 400
    assert teacher.post("/rooms", SPLIT).status_code == 303
    r = teacher.post("/rooms", SPLIT)
    assert r.status_code == 429 and "Too many rooms created (or tried) from your address" in text(r)
    assert int(r.headers["Retry-After"]) == 3  # one try comes back every 3 s
    assert len(store(app).rooms()) == 1
    # another address is not held back (it needs the privilege, though)
    assert other.post("/rooms", dict(SPLIT, passphrase=app.config["ADMIN_KEY"])).status_code == 303
    clock.now += 3  # one try has come back
    assert teacher.post("/rooms", SPLIT).status_code == 303
    assert teacher.post("/rooms", SPLIT).status_code == 429


def test_a_guessed_passphrase_costs_a_try_of_the_limit(tmp_path):
    from negotiation.classroom.limits import Limits

    clock = Clock()
    limits = Limits.default(clock)
    app = create_app(tmp_path / "d", mc_draws=MC_DRAWS, instructor_passphrase="blue heron at dawn", limits=limits)
    c = Client(app)
    for guess in range(20):
        assert c.post("/rooms", dict(SPLIT, passphrase=f"guess {guess}")).status_code == 403
    assert c.post("/rooms", dict(SPLIT, passphrase="blue heron at dawn")).status_code == 429
    clock.now += 3  # a try has come back
    assert c.post("/rooms", dict(SPLIT, passphrase="blue heron at dawn")).status_code == 303
    assert c.post("/rooms", SPLIT).status_code == 429


def test_token_buckets_refill_and_forget():
    from negotiation.classroom.limits import Buckets, client_key

    clock = Clock()
    b = Buckets(3, 30.0, clock=clock)  # one token every 10 s
    assert [b.take("a") for _ in range(4)] == [True, True, True, False]
    assert b.ready("b") and not b.ready("a") and b.wait("a") == 10
    clock.now += 9.5
    assert not b.take("a") and b.wait("a") == 1
    clock.now += 0.5
    assert b.take("a") and not b.take("a")
    clock.now += 1000
    assert [b.take("a") for _ in range(4)] == [True, True, True, False]  # never more than the capacity
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert client_key("::ffff:10.0.0.1") == "10.0.0.1" and client_key("10.0.0.1") != client_key("10.0.0.2")


def test_token_buckets_shared_by_threads_give_out_exactly_their_capacity():
    from negotiation.classroom.limits import Buckets

    b = Buckets(50, 60.0, clock=Clock())  # the clock stands still: no refill
    start, taken = threading.Barrier(8), []

    def spend():
        start.wait()
        taken.extend(b.take("class") for _ in range(100))

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert taken.count(True) == 50 and len(taken) == 800


# 2. Join codes: long, one answer for every failure, rate-limited --------------------------------


def _no_entry(r) -> tuple[int, str]:
    """A join refusal with the echoed code taken out."""
    return r.status_code, re.sub(r'name="code"[^>]*value="[^"]*"', "", text(r))


def test_every_failed_join_code_gets_the_same_answer(app):
    c = Client(app)
    unknown = "ZZZZZ-ZZZZZ"
    _, set_up, setup_code = create_room(app, open_room=False)
    _, expired, expired_code = create_room(app)
    store(app).expire_code(store(app).room_by_secret(expired).id, at=0)
    teacher, closed, closed_code = create_room(app)
    assert teacher.post(f"/i/{closed}/code", {"do": "close"}).status_code == 303
    _, _, full_code = create_room(app, teams=["B"])
    join(app, full_code, "B")
    before = dump(app)
    answers = {
        name: _no_entry(c.post("/join", {"code": code}))
        for name, code in [
            ("unknown", unknown),
            ("setup", setup_code),
            ("expired", expired_code),
            ("closed", closed_code),
            ("full", full_code),
        ]
    }
    answers["full, with a party"] = _no_entry(c.post("/join", {"code": full_code, "party": "B"}))
    assert len(set(answers.values())) == 1, answers
    status, page = answers["unknown"]
    assert status == 404 and "This code does not let a team join now" in page
    assert dump(app) == before


def test_join_codes_are_ten_characters_shown_in_two_groups(app):
    teacher, secret, code = create_room(app)
    assert len(code) == 10 and set(code) <= set(CODE_ALPHABET)
    shown = f"{code[:5]}-{code[5:]}"
    assert f'id="join-code">{shown}<' in text(teacher.get(f"/i/{secret}"))
    for typed in (shown, shown.lower(), f" {code[:5]} {code[5:]} ".lower(), code):
        r = Client(app).post("/join", {"code": typed})
        assert r.status_code == 200 and 'value="B"' in text(r), typed


def test_join_code_guesses_are_rate_limited_per_client(still):
    app, clock = still
    _, _, code = create_room(app)
    guesser = Client(app)
    for n in range(20):
        assert guesser.post("/join", {"code": f"ABCDE{n:05d}"}).status_code == 404
    r = guesser.post("/join", {"code": code})  # even the right code: the client has run out of tries
    assert r.status_code == 429 and "Too many tries" in text(r) and int(r.headers["Retry-After"]) == 3
    assert guesser.post("/join", {"code": code, "party": "B"}).status_code == 429
    assert dump(app)["seats"] == []
    # a student at another address is not held back; right codes cost the client nothing
    student = from_address(app, "10.0.0.8")
    for _ in range(25):
        assert student.post("/join", {"code": code}).status_code == 200
    assert student.post("/join", {"code": code, "party": "B"}).status_code == 303
    clock.now += 3  # one try has come back to the guesser
    assert guesser.post("/join", {"code": code}).status_code == 200
    assert guesser.post("/join", {"code": code}).status_code == 200  # a right code costs no try


def test_joins_are_rate_limited_per_room(still):
    app, clock = still
    _, _, code = create_room(app)
    for n in range(60):  # from 60 addresses: the per-client limit does not apply
        assert from_address(app, f"10.1.0.{n}").post("/join", {"code": code}).status_code == 200
    r = from_address(app, "10.2.0.1").post("/join", {"code": code, "party": "B"})
    assert r.status_code == 429 and r.headers["Retry-After"] == "1" and dump(app)["seats"] == []
    clock.now += 1  # one form a second comes back
    assert from_address(app, "10.2.0.1").post("/join", {"code": code, "party": "B"}).status_code == 303


# 3. The refresh version reveals nothing of the join code -----------------------------------------


def test_the_refresh_version_does_not_depend_on_the_join_code(app):
    t1, s1, code1 = create_room(app)
    t2, s2, code2 = create_room(app)
    for secret in (s1, s2):  # the same state: no seat, no action, the same expiry time
        store(app).expire_code(store(app).room_by_secret(secret).id, at=12345.0)
    app.extensions["classroom"]["runner"].wait(1, 60)
    app.extensions["classroom"]["runner"].wait(2, 60)
    v1 = t1.get(f"/i/{s1}/state.json").get_json()["version"]
    v2 = t2.get(f"/i/{s2}/state.json").get_json()["version"]
    assert code1 != code2 and v1 == v2
    # a new code still changes the version, so the instructor's page reloads to show it
    assert t1.post(f"/i/{s1}/code", {"do": "new"}).status_code == 303
    assert t1.get(f"/i/{s1}/state.json").get_json()["version"] != v1


def test_the_refresh_version_is_keyed_by_the_servers_secret(tmp_path):
    first = create_app(tmp_path / "a", mc_draws=MC_DRAWS)
    second = create_app(tmp_path / "b", mc_draws=MC_DRAWS)
    versions = []
    for app in (first, second):
        teacher, secret, _ = create_room(app)
        store(app).expire_code(1, at=12345.0)
        with sqlite3.connect(store(app).path) as db:  # even the same join code
            db.execute("UPDATE rooms SET join_code = 'ABCDEFGHJK'")
        app.extensions["classroom"]["runner"].wait(1, 60)
        versions.append(teacher.get(f"/i/{secret}/state.json").get_json()["version"])
    assert versions[0] != versions[1]  # the same state, two servers: unpredictable without the key


# 4. The Host header ------------------------------------------------------------------------------


def test_a_forged_host_header_is_refused(app):
    teacher, secret, _ = create_room(app)
    r = teacher.get(f"/i/{secret}", headers={"Host": "evil.example"})
    assert r.status_code == 400 and "evil.example/join" not in text(r)
    assert "does not answer to the address &#39;evil.example&#39;" in text(r)
    assert teacher.get("/join", headers={"Host": "evil.example:80"}).status_code == 400
    page = text(teacher.get(f"/i/{secret}", headers={"Host": "127.0.0.1:8000"}))
    assert "<code>http://127.0.0.1:8000/join</code>" in page


def test_links_use_the_public_url_and_the_allowed_hosts(tmp_path):
    app = create_app(
        tmp_path / "d", mc_draws=MC_DRAWS, public_url="https://Class.Example.org/", allowed_hosts=["10.0.0.5"]
    )
    teacher, secret, _ = create_room(app)
    for host in ("class.example.org", "10.0.0.5:8000", "localhost"):
        page = text(teacher.get(f"/i/{secret}", headers={"Host": host}))
        assert "<code>https://class.example.org/join</code>" in page, host
    assert teacher.get(f"/i/{secret}", headers={"Host": "example.org"}).status_code == 400
    # behind HTTPS the cookies are sent over HTTPS only
    assert teacher.c.get_cookie(CSRF_COOKIE).secure and teacher.c.get_cookie(INSTRUCTOR).secure


# 5. CSRF: forms bound to the seat, and only from this site ---------------------------------------


def test_a_cross_site_post_is_refused(app):
    _, _, code = create_room(app)
    b, tb = join(app, code, "B")
    join(app, code, "S")
    offer = _offer(turn(b, tb), "30")
    before = dump(app)
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"}, {"Referer": "http://evil.example/x"}):
        r = b.post(f"/t/{tb}/act", offer, headers=headers)
        assert r.status_code == 403 and "sent from another site" in text(r), headers
    assert dump(app) == before
    r = b.post(f"/t/{tb}/act", offer, headers={"Origin": "http://localhost", "Referer": f"http://localhost/t/{tb}"})
    assert r.status_code == 303 and store(app).count_actions(1) == 1


def _offer(fields: dict, price: str) -> dict:
    """The form of an offer of ``price`` from a team page's hidden ``fields`` (without its CSRF token)."""
    return {**{k: fields[k] for k in ("seq", "party", "kind", "round")}, "issue:price": price, "do": "send"}


def test_a_form_token_of_one_seat_does_not_work_for_another(app):
    _, _, code = create_room(app)
    b, tb = join(app, code, "B")
    s, ts = join(app, code, "S")
    offer = _offer(turn(b, tb), "99")
    token_of_s = s.token(f"/t/{ts}/act")  # what S's page carries in its forms
    before = dump(app)
    # the S team's browser, its own cookie and the token of its own page, sent to B's seat
    assert s.post(f"/t/{tb}/act", dict(offer, csrf=token_of_s)).status_code == 403
    # a cookie planted in the victim's browser, and a form carrying its value
    planted = app.test_client()
    planted.set_cookie(CSRF_COOKIE, "A" * 32)
    assert planted.post(f"/t/{tb}/act", data=dict(offer, csrf="A" * 32)).status_code == 403
    assert dump(app) == before
    assert b.post(f"/t/{tb}/act", offer).status_code == 303  # B's own form goes through


def test_a_form_posting_to_another_secret_carries_that_secrets_token(app):
    """A page of one secret (here the admin page) with a form for a room: ``csrf(action)`` binds it to the room."""
    from flask import render_template_string

    teacher, secret, _ = create_room(app, open_room=False)
    macro = '{% from "_macros.html" import csrf with context %}'
    with app.test_request_context(
        f"/admin/{app.config['ADMIN_KEY']}", headers={"Cookie": f"{CSRF_COOKIE}={teacher.csrf}"}
    ):
        app.preprocess_request()
        for_room = render_template_string(macro + '{{ csrf(url_for("instructor.set_teams", secret=s)) }}', s=secret)
        for_page = render_template_string(macro + "{{ csrf() }}")
    data = {"team": ["B"], "open": "1"}
    token = re.compile(r'value="([^"]+)"')
    assert teacher.post(f"/i/{secret}/teams", dict(data, csrf=token.search(for_page).group(1))).status_code == 403
    assert teacher.post(f"/i/{secret}/teams", dict(data, csrf=token.search(for_room).group(1))).status_code == 303


# 6. A finished game takes no more teams -----------------------------------------------------------


def test_the_join_code_of_a_finished_game_stops_working(app):
    teacher, secret, code = create_room(app)
    teams = {"B": join(app, code, "B"), "S": join(app, code, "S")}
    play_split(app, teams)
    assert "The negotiation is over" in text(teacher.get(f"/i/{secret}"))
    assert teacher.post(f"/i/{secret}/free", {"party": "B"}).status_code == 303  # a party is free again
    c = Client(app)
    unknown = _no_entry(c.post("/join", {"code": "ZZZZZZZZZZ"}))
    assert _no_entry(c.post("/join", {"code": code})) == unknown
    assert _no_entry(c.post("/join", {"code": code, "party": "B"})) == unknown
    assert "B" not in store(app).seats(1)
    assert "this room takes no more teams" in text(teacher.get(f"/i/{secret}"))  # as the instructor sees it


def test_browsers_send_this_site_its_own_origin(app):
    """With ``no-referrer`` Chromium sends ``Origin: null`` on every POST, which the origin check must refuse."""
    for r in (Client(app).get("/"), Client(app).get("/join")):
        assert r.headers["Referrer-Policy"] == "same-origin"
        assert '<meta name="referrer" content="same-origin">' in text(r)
