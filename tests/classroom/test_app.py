"""The classroom web app through the WSGI test client: rooms, teams, play, debrief, restart, bad input."""

from __future__ import annotations

import html
import io
import json
import re
import sqlite3
import threading

import pytest

flask = pytest.importorskip("flask", reason="the classroom needs flask")

from negotiation.classroom import create_app  # noqa: E402
from negotiation.classroom.app import CSRF_COOKIE, MAX_YAML_BYTES  # noqa: E402
from negotiation.classroom.join import NO_ENTRY  # noqa: E402
from negotiation.classroom.montecarlo import distribution, percentile  # noqa: E402
from negotiation.classroom.play import load  # noqa: E402
from tests.classroom.helpers import (  # noqa: E402
    CONFIGS,
    MC_DRAWS,
    Client,
    act,
    create_room,
    dump,
    instructor,
    join,
    play_split,
    store,
    text,
    turn,
    wait_mc,
)

# The whole game -------------------------------------------------------------------------------


def test_two_teams_play_to_a_deal_and_the_debrief_shows_it(app):
    teacher, secret, code = create_room(app)
    teams = {"B": join(app, code, "B", "Buyers"), "S": join(app, code, "S", "Sellers")}
    page = text(teacher.get(f"/i/{secret}"))
    assert "Buyers" in page and "Sellers" in page
    b_client, b_token = teams["B"]
    page = text(b_client.get(f"/t/{b_token}"))
    assert "Your turn: make an offer" in page and "Your confidential brief" in page
    assert "Round</dt><dd>1" in page and "2024-03-31" in page  # calendar: round and deadline

    assert play_split(app, teams) == 10
    page = text(b_client.get(f"/t/{b_token}"))
    assert "The negotiation is over" in page and "Price 40.0 $k" in page
    # the history shows each round's offers with the team's own utility
    assert "Round 2" in page and "worth 0.65 to you" in page and "rejected by S" in page

    wait_mc(app, secret)
    r = b_client.get(f"/t/{b_token}/debrief")
    assert r.status_code == 200
    page = text(r)
    assert 'id="outcome">deal' in page
    assert "40.0 $k" in page
    assert "0.600" in page and "0.400" in page  # utilities: B 0.6, S 0.4
    assert page.count('<svg viewBox="0 0 560 250" class="chart"') == 2
    # the computer-played split lands at 50: the class's buyer did better than every draw
    assert re.search(r"<td class=\"num\">100</td>", page) and re.search(r"<td class=\"num\">0</td>", page)
    assert "100.0%" in page and "this class" in page
    assert teacher.get(f"/i/{secret}/debrief").status_code == 200

    data = json.loads(text(teacher.get(f"/i/{secret}/export.json")))
    assert data["summary"]["outcome"] == "deal" and data["summary"]["agreement"] == {"price": 40.0}
    assert len(data["actions"]) == 10 and data["actions"][0]["terms"] == {"price": 30.0}
    assert data["room"]["config_yaml"].startswith("# A two-party")
    assert {s["team"] for s in data["seats"]} == {"Buyers", "Sellers"}
    assert "token" not in json.dumps(data["seats"])
    csv = text(teacher.get(f"/i/{secret}/rounds.csv")).splitlines()
    assert csv[0].startswith("room,title,played_by,round,date")
    assert len(csv) == 1 + 6 and "Buyers" in csv[1]
    csv = text(teacher.get(f"/i/{secret}/actions.csv")).splitlines()
    assert csv[0] == "room,title,seq,round,party,team,kind,proposer,decision,offer_price,time"
    assert len(csv) == 1 + 10 and ",1,B,Buyers,offer,,,30.0," in csv[1] and ",S,Sellers,respond,B,no,," in csv[2]


def test_a_computer_party_acts_through_the_engine(app):
    """Three-way trade: teams play A and B, the computer plays C; A and B sign a bilateral deal."""
    teacher, secret, code = create_room(app, "teaching_trade", teams=["A", "B"])
    a, b = join(app, code, "A"), join(app, code, "B")
    page = text(a[0].get(f"/t/{a[1]}"))
    assert "computer" in page  # C is played by the computer
    assert act(*a, offer={"tariff": "8", "disputes": "arbitration"}).status_code == 303
    assert act(*b, decision="yes").status_code == 303  # C (computer) rejects: a bilateral is offered
    page = text(a[0].get(f"/t/{a[1]}"))
    assert "a bilateral deal with B?" in page and "leaving C out" in page
    assert act(*a, decision="yes").status_code == 303
    assert act(*b, decision="yes").status_code == 303
    page = text(b[0].get(f"/t/{b[1]}"))
    assert "bilateral deal A–B" in page
    wait_mc(app, secret)
    page = text(teacher.get(f"/i/{secret}/debrief"))
    assert "bilateral deal A–B" in page and "computer" in page


def test_terms_by_pair_have_a_field_each_labelled_with_the_pair(app):
    """Hub-and-spoke: market access and dispute settlement are agreed pair by pair."""
    teacher, secret, code = create_room(app, "teaching_pairs", teams=["A"])
    a = join(app, code, "A")
    page = text(a[0].get(f"/t/{a[1]}"))
    for issue in ("access.A_B", "access.A_C", "access.B_C", "disputes.A_B", "disputes.A_C"):
        assert f'name="issue:{issue}"' in page
    assert "Market access (public contracts open) (A–B)" in page and "Dispute settlement (A–C)" in page
    offer = {"tariff": "8", "access.A_B": "30", "access.A_C": "25", "access.B_C": "70"}
    r = act(*a, offer={**offer, "disputes.A_B": "arbitration"})
    assert r.status_code == 400 and "no value for Dispute settlement (A–C)" in text(r)
    r = act(*a, offer={**offer, "disputes.A_B": "arbitration", "disputes.A_C": "none"})
    assert r.status_code == 303
    page = text(teacher.get(f"/i/{secret}"))
    assert "Market access (public contracts open) (A–C) 25.0%" in page
    assert "Dispute settlement (A–B) arbitration" in page
    data = json.loads(text(teacher.get(f"/i/{secret}/export.json")))
    assert data["actions"][0]["terms"]["access.A_C"] == 25.0
    csv = text(teacher.get(f"/i/{secret}/actions.csv")).splitlines()
    assert "offer_access.A_B" in csv[0] and "offer_disputes.A_C" in csv[0]


def test_extension_vote_and_computer_offers(app):
    """Teams reject everything until the deadline: the computer's offers show, then the extension vote."""
    teacher, secret, code = create_room(app, "teaching_trade", teams=["A", "B"])
    teams = {"A": join(app, code, "A"), "B": join(app, code, "B")}
    votes = 0
    for _ in range(200):
        moved = False
        for _party, (client, token) in teams.items():
            fields = turn(client, token)
            if fields is None:
                continue
            moved = True
            if fields["kind"] == "offer":
                r = act(client, token, offer={"tariff": "20", "disputes": "none"}, fields=fields)
            elif fields["kind"] == "extend":
                votes += 1
                assert "extend the talks?" in text(client.get(f"/t/{token}"))
                r = act(client, token, decision="no", fields=fields)
            else:
                r = act(client, token, decision="no", fields=fields)
            assert r.status_code == 303, text(r)
        if not moved:
            break
    assert votes >= 1
    page = text(teacher.get(f"/i/{secret}"))
    assert "The negotiation is over" in page and "extension vote fails" in page
    assert "C</span> proposed" in page  # the computer's offers are in the history


def test_restart_mid_game_loses_nothing(tmp_path):
    first = create_app(tmp_path / "data", mc_draws=MC_DRAWS)
    teacher, secret, code = create_room(first)
    teams = {"B": join(first, code, "B"), "S": join(first, code, "S")}
    play_split(first, teams, stop_after=5)
    teams["B"][0].get(f"/t/{teams['B'][1]}")  # shows the one-time "Recorded" notice of B's last decision
    before = text(teams["B"][0].get(f"/t/{teams['B'][1]}"))

    second = create_app(tmp_path / "data", mc_draws=MC_DRAWS)  # a new process on the same folder
    for client, _ in teams.values():  # the same browsers (cookies) talk to the new server
        cookie = client.csrf
        client.app, client.c = second, second.test_client()
        client.c.set_cookie(CSRF_COOKIE, cookie)
    after = text(teams["B"][0].get(f"/t/{teams['B'][1]}"))
    strip = re.compile(r'name="csrf" value="[^"]*"|data-version="[^"]*"')
    assert strip.sub("", after) == strip.sub("", before)
    assert "Round 1</strong>" in after and "Round</dt><dd>2" in after and store(second).count_actions(1) == 5
    play_split(second, teams, b_prices=(35, 40), s_prices=(65,))
    assert "The negotiation is over" in text(teams["S"][0].get(f"/t/{teams['S'][1]}"))
    assert json.loads(text(Client(second).get(f"/i/{secret}/export.json")))["summary"]["outcome"] == "deal"


# Bad input: refused with a message, nothing changed ------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("150", "expected a number from 0 to 100, got 150"),
        ("-1", "expected a number from 0 to 100"),
        ("abc", "expected a number, got &#39;abc&#39;"),
        ("nan", "expected a number, got &#39;nan&#39;"),
        ("NaN", "expected a number"),
        ("inf", "expected a number"),
        ("1e999", "expected a number from 0 to 100"),
        ("", "no value for Price"),
        ("1_000", "expected a number"),
        ("0x10", "expected a number"),
    ],
)
def test_bad_offers_are_refused(app, value, message):
    _, _, code = create_room(app)
    client, token = join(app, code, "B")
    join(app, code, "S")
    before = dump(app)
    r = act(client, token, offer={"price": value})
    assert r.status_code == 400
    page = text(r)
    assert message in page and "Nothing was recorded" in page
    assert dump(app) == before


def test_bad_option_and_missing_issue(app):
    _, _, code = create_room(app, "teaching_trade", teams=["A", "B"])
    client, token = join(app, code, "A")
    before = dump(app)
    r = act(client, token, offer={"tariff": "8", "disputes": "war"})
    assert r.status_code == 400 and "expected one of panel, arbitration, none" in text(r)
    r = act(client, token, offer={"tariff": "8"})
    assert r.status_code == 400 and "no value for Dispute settlement" in text(r)
    r = act(client, token, offer={"tariff": "8", "disputes": "panel"}, kind="bogus")
    assert r.status_code == 400 and "not a decision the game knows" in text(r)
    r = act(client, token, offer={"tariff": "8", "disputes": "panel"}, round="x")
    assert r.status_code == 400
    assert dump(app) == before


def test_answers_other_than_yes_or_no_are_refused(app):
    _, _, code = create_room(app)
    b, s = join(app, code, "B"), join(app, code, "S")
    assert act(*b, offer={"price": "30"}).status_code == 303
    before = dump(app)
    r = act(*s, decision="maybe")
    assert r.status_code == 400 and "Answer with one of the buttons" in text(r)
    assert dump(app) == before


def test_acting_out_of_turn_or_for_another_party_is_refused(app):
    _, _, code = create_room(app)
    b, s = join(app, code, "B"), join(app, code, "S")
    fields_b = turn(*b)
    assert turn(*s) is None
    before = dump(app)
    # S copies B's form (B's turn to offer) but sends it with its own token: refused, it plays S
    r = act(*s, offer={"price": "60"}, fields=fields_b)
    assert r.status_code == 403 and "Your team plays S" in text(r)
    # S claims its own party and acts out of turn
    r = act(*s, offer={"price": "60"}, fields=dict(fields_b, party="S"))
    assert r.status_code == 409 and "it is B&#39;s turn, not S&#39;s" in text(r)
    # B answers when it must offer (wrong kind), and for a round that is not the current one
    r = act(*b, decision="yes", fields=dict(fields_b, kind="respond", proposer="S"))
    assert r.status_code == 409 and "expected B to offer in round 1" in text(r)
    r = act(*b, offer={"price": "30"}, fields=dict(fields_b, round="3"))
    assert r.status_code == 409
    assert dump(app) == before
    # a finished game takes no more decisions
    play_split(app, {"B": b, "S": s})
    before = dump(app)
    r = act(*b, offer={"price": "30"}, fields=dict(fields_b, seq=str(store(app).count_actions(1))))
    assert r.status_code == 409 and "the negotiation is over" in text(r)
    assert dump(app) == before


def test_a_second_submission_of_the_same_form_is_refused(app):
    _, _, code = create_room(app)
    b, _ = join(app, code, "B"), join(app, code, "S")
    fields = turn(*b)
    assert act(*b, offer={"price": "30"}, fields=fields).status_code == 303
    before = dump(app)
    r = act(*b, offer={"price": "25"}, fields=fields)
    assert r.status_code == 409 and "moved on since this page was loaded" in text(r)
    assert dump(app) == before and store(app).actions(1)[0].value == [30.0]


def test_racing_submissions_record_exactly_one(app):
    _, _, code = create_room(app)
    b, _ = join(app, code, "B"), join(app, code, "S")
    fields = turn(*b)
    start = threading.Barrier(4)
    results = []

    def send(price):
        client = Client(app)
        client.c.set_cookie(CSRF_COOKIE, b[0].csrf)
        start.wait()
        results.append(act(client, b[1], offer={"price": str(price)}, fields=fields).status_code)

    threads = [threading.Thread(target=send, args=(p,)) for p in (20, 25, 30, 35)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [303, 409, 409, 409]
    assert store(app).count_actions(1) == 1


def test_the_store_refuses_a_taken_sequence_number(app):
    from negotiation.classroom.store import Conflict

    _, _, code = create_room(app)
    st = store(app)
    st.add_action(1, 0, 0, "B", "offer", [30.0], None)
    with pytest.raises(Conflict):
        st.add_action(1, 0, 0, "B", "offer", [40.0], None)
    assert [a.value for a in st.actions(1)] == [[30.0]]


def test_wrong_expired_and_closed_join_codes(app):
    teacher, secret, code = create_room(app, teams=["B"])
    c = Client(app)
    before = dump(app)
    r = c.post("/join", {"code": "ZZZZZZ"})
    assert r.status_code == 404 and NO_ENTRY in html.unescape(text(r))
    r = c.post("/join", {"code": ""})
    assert r.status_code == 404
    r = c.post("/join", {"code": code, "party": "S"})  # S is played by the computer
    assert r.status_code == 400 and "not a party teams play" in text(r)
    r = c.post("/join", {"code": code, "party": "Q"})
    assert r.status_code == 400
    assert dump(app) == before

    room = store(app).room_by_secret(secret)
    store(app).expire_code(room.id, at=0)  # the code's time ran out
    r = c.post("/join", {"code": code, "party": "B"})
    assert r.status_code == 404 and NO_ENTRY in html.unescape(text(r))
    assert dump(app)["seats"] == []
    # a new code opens the room again; the old one is dead
    assert teacher.post(f"/i/{secret}/code", {"do": "new"}).status_code == 303
    new = store(app).room_by_secret(secret).join_code
    assert new != code and c.post("/join", {"code": code}).status_code == 404
    assert c.post("/join", {"code": new}).status_code == 200
    # the instructor closes joining
    assert teacher.post(f"/i/{secret}/code", {"do": "close"}).status_code == 303
    r = c.post("/join", {"code": new})
    assert r.status_code == 404 and NO_ENTRY in html.unescape(text(r))


def test_a_room_being_set_up_and_a_full_room_take_no_one(app):
    _, secret, code = create_room(app, open_room=False)
    c = Client(app)
    r = c.post("/join", {"code": code})
    assert r.status_code == 404 and NO_ENTRY in html.unescape(text(r))
    _, _, code2 = create_room(app, teams=["B"])
    join(app, code2, "B")
    before = dump(app)
    r = c.post("/join", {"code": code2})
    assert r.status_code == 404 and NO_ENTRY in html.unescape(text(r))
    r = c.post("/join", {"code": code2, "party": "B"})
    assert r.status_code == 404
    assert dump(app) == before


def test_two_teams_racing_for_one_party(app):
    _, _, code = create_room(app)
    first, second = Client(app), Client(app)
    assert first.post("/join", {"code": code, "party": "B", "team": "one"}).status_code == 303
    r = second.post("/join", {"code": code, "party": "B", "team": "two"})
    assert r.status_code == 400 and "already taken" in text(r)
    from negotiation.classroom.store import Conflict

    with pytest.raises(Conflict):
        store(app).take_seat(1, "B", "three")
    assert [s.team for s in store(app).seats(1).values()] == ["one"]


UPLOADS = [
    ("bad.yaml", b"parties: [unclosed\n", "bad.yaml:2: invalid YAML: expected &#39;,&#39; or &#39;]&#39;"),
    ("tags.yaml", b"name: !!python/object:os.system {}\n", "could not determine a constructor for the tag"),
    ("apply.yaml", b"name: !!python/object/apply:os.system [echo hi]\n", "could not determine a constructor"),
    ("latin.yaml", "name: caf\u00e9\n".encode("latin-1"), "not UTF-8 text"),
    ("empty.yaml", b"  \n", "the file is empty"),
    ("list.yaml", b"- 1\n- 2\n", "expected a mapping at the top"),
    ("dup.yaml", b"name: a\nname: b\n", "dup.yaml:2: name: duplicate key"),
]


@pytest.mark.parametrize(("name", "body", "message"), UPLOADS)
def test_bad_uploads_are_refused(app, name, body, message):
    c = instructor(app)
    before = dump(app)
    r = c.post("/rooms", {"upload": (io.BytesIO(body), name)}, content_type="multipart/form-data")
    assert r.status_code == 400
    assert message in text(r)
    assert dump(app) == before


def test_an_invalid_scenario_lists_each_problem_with_its_line(app):
    text_ = (CONFIGS / "teaching_split.yaml").read_text().replace("reservation: 0.2", "reservation: 1.7", 1)
    text_ = text_.replace("range: [0, 100]", "range: [100, 0]")
    c = instructor(app)
    r = c.post("/rooms", {"upload": (io.BytesIO(text_.encode()), "mine.yaml")}, content_type="multipart/form-data")
    assert r.status_code == 400
    page = text(r)
    assert "The scenario has problems" in page
    assert re.search(r"<code>mine\.yaml:\d+: issues\.price: range low \(100\.0\) must be below high", page)
    assert dump(app)["rooms"] == []


def test_huge_uploads_are_refused(app):
    c = instructor(app)
    big = b"# " + b"x" * (MAX_YAML_BYTES + 10) + b"\n"
    r = c.post("/rooms", {"upload": (io.BytesIO(big), "big.yaml")}, content_type="multipart/form-data")
    assert r.status_code == 400 and "too large" in text(r)
    bigger = b"# " + b"x" * 2_000_000
    r = c.post("/rooms", {"upload": (io.BytesIO(bigger), "bigger.yaml")}, content_type="multipart/form-data")
    assert r.status_code == 413 and "too large" in text(r)
    assert dump(app)["rooms"] == []


def test_an_uploaded_scenario_makes_a_room(app):
    body = (CONFIGS / "teaching_split.yaml").read_bytes().replace(b"Buyer and seller", b"Uploaded <b>case</b>")
    c = instructor(app)
    r = c.post("/rooms", {"upload": (io.BytesIO(body), "../../etc/my case.yaml")}, content_type="multipart/form-data")
    assert r.status_code == 303
    page = text(c.get(r.headers["Location"]))
    assert "Uploaded &lt;b&gt;case&lt;/b&gt;" in page and "<b>case</b>" not in page
    assert store(app).rooms()[0].config_name == "my case.yaml"


def test_bad_room_settings_are_refused(app):
    c = instructor(app)
    for data, message in [
        ({"scenario": "nope"}, "Choose one of the scenarios"),
        ({"scenario": "../configs/teaching_split"}, "Choose one of the scenarios"),
        ({"scenario": "teaching_split", "seed": "-1"}, "seed: expected a whole number"),
        ({"scenario": "teaching_split", "draw": "1.5"}, "draw: expected a whole number"),
    ]:
        r = c.post("/rooms", data)
        assert r.status_code == 400 and message in text(r), data
    assert dump(app)["rooms"] == []


def test_forms_without_the_csrf_token_are_refused(app):
    teacher, secret, code = create_room(app, open_room=False)
    c = Client(app)
    before = dump(app)
    for url, data in [
        ("/rooms", {"scenario": "teaching_split"}),
        (f"/i/{secret}/teams", {"team": ["B"], "open": "1"}),
        ("/join", {"code": code}),
    ]:
        assert c.post(url, data, csrf=False).status_code == 403
        r = c.post(url, dict(data, csrf="x" * 32))
        assert r.status_code == 403 and "did not come from this site" in text(r)
    fresh = app.test_client()  # no cookie at all: a cross-site post
    assert fresh.post("/rooms", data={"scenario": "teaching_split", "csrf": teacher.csrf}).status_code == 403
    assert dump(app) == before
    cookie = teacher.c.get_cookie(CSRF_COOKIE)
    assert cookie.http_only and cookie.same_site == "Strict"


# Who sees what -------------------------------------------------------------------------------


def test_a_team_sees_only_its_own_brief(app):
    teacher, secret, code = create_room(app, "teaching_trade", teams=["A", "B", "C"])
    (a, ta), (b, tb), _ = join(app, code, "A"), join(app, code, "B"), join(app, code, "C")
    page_b = text(b.get(f"/t/{tb}"))
    assert re.findall(r'class="brief" data-party="(\w+)"', page_b) == ["B"]
    assert "arbitration 0.70" in page_b  # B's own option values
    assert "ideal <strong>2.0%" not in page_b and "ideal <strong>15.0%" not in page_b  # C's and A's ideals
    assert "0.35" not in page_b  # C's walk-away
    # the instructor sees all three
    page = text(teacher.get(f"/i/{secret}"))
    assert re.findall(r'class="brief" data-party="(\w+)"', page) == ["A", "B", "C"]
    # another team's page, state and debrief need that team's token; the instructor's pages need the secret
    assert a.get(f"/t/{tb}").status_code == 200  # the token is the key: whoever holds it is that team
    for url in [f"/t/{tb[:-1]}", f"/t/{tb}x", "/t/B", f"/i/{tb}", f"/i/{secret[:-2]}", "/i/x/export.json"]:
        r = a.get(url)
        assert r.status_code == 404, url
        assert "arbitration 0.70" not in text(r)
    # no team sees other parties' utilities, even after some offers
    assert act(a, ta, offer={"tariff": "15", "disputes": "none"}).status_code == 303
    page_b = text(b.get(f"/t/{tb}"))
    assert "worth 0.38 to you" in page_b and "utilities A" not in page_b
    state = json.loads(text(b.get(f"/t/{tb}/state.json")))
    assert list(state) == ["version"]
    # the debrief (which reveals everyone's numbers) waits for the end
    r = b.get(f"/t/{tb}/debrief")
    assert r.status_code == 409 and "opens when the negotiation is over" in text(r)


def test_only_the_instructor_changes_a_room(app):
    teacher, secret, code = create_room(app)
    b, tb = join(app, code, "B")
    before = dump(app)
    # a team's token is not an instructor secret
    assert b.post(f"/i/{tb}/code", {"do": "close"}).status_code == 404
    assert b.post(f"/i/{tb}/free", {"party": "B"}).status_code == 404
    # teams are fixed once the room is open
    r = teacher.post(f"/i/{secret}/teams", {"team": ["S"]})
    assert r.status_code == 409 and "already open" in text(r)
    r = teacher.post(f"/i/{secret}/free", {"party": "S"})
    assert r.status_code == 400
    assert dump(app) == before
    # freeing a seat cancels the team's token
    assert teacher.post(f"/i/{secret}/free", {"party": "B"}).status_code == 303
    assert b.get(f"/t/{tb}").status_code == 404
    join(app, code, "B", "New team")


def test_setting_up_the_teams(app):
    teacher, secret, _ = create_room(app, "teaching_trade", teams=["A"], open_room=False)
    room = store(app).room_by_secret(secret)
    assert room.people == ("A",) and room.status == "setup"
    r = teacher.post(f"/i/{secret}/teams", {"team": []})
    assert r.status_code == 400 and "at least one party" in text(r)
    r = teacher.post(f"/i/{secret}/teams", {"team": ["A", "Z"]})
    assert r.status_code == 400 and "Unknown party" in text(r)
    assert store(app).room_by_secret(secret).people == ("A",)
    assert teacher.post(f"/i/{secret}/teams", {"team": ["C", "A"], "open": "1"}).status_code == 303
    room = store(app).room_by_secret(secret)
    assert room.people == ("A", "C") and room.status == "open"


def test_admin_page_lists_and_exports_every_room(app):
    create_room(app)
    _, secret2, code2 = create_room(app, "teaching_trade", teams=["A", "B"])
    c = Client(app)
    assert c.get("/admin/nope").status_code == 404
    key = app.config["ADMIN_KEY"]
    page = text(c.get(f"/admin/{key}"))
    assert page.count("instructor page") == 2 and secret2 in page
    data = json.loads(text(c.get(f"/admin/{key}/export.json")))
    assert [r["room"]["config_name"] for r in data["rooms"]] == ["teaching_split.yaml", "teaching_trade.yaml"]
    a, ta = join(app, code2, "A", "=HYPERLINK(1)")
    act(a, ta, offer={"tariff": "8", "disputes": "arbitration"})
    b, tb = join(app, code2, "B")
    act(b, tb, decision="no")
    csv = text(c.get(f"/admin/{key}/actions.csv"))
    assert csv.startswith("room,title,seq") and "'=HYPERLINK(1)" in csv and csv.count("\n") == 3
    assert text(c.get(f"/admin/{key}/rounds.csv")).startswith("room,title,played_by")


def test_pages_use_nothing_from_outside(app):
    teacher, secret, code = create_room(app)
    b, tb = join(app, code, "B")
    pages = [Client(app).get("/"), Client(app).get("/join"), teacher.get(f"/i/{secret}"), b.get(f"/t/{tb}")]
    for r in pages:
        page = text(r)
        assert not re.search(r"(src|href|action)=\"(https?:)?//", page), page
        assert "<script>" not in page  # only the app's own script file, and JSON data blocks
        assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert r.headers["Referrer-Policy"] == "same-origin"
    for name in ("style.css", "app.js"):
        body = text(Client(app).get(f"/static/{name}"))
        assert "http" not in body and "@import" not in body and "@font-face" not in body and "url(" not in body


# The Monte Carlo comparison ------------------------------------------------------------------


def test_distribution_and_percentiles():
    loaded = load((CONFIGS / "teaching_trade.yaml").read_text(), "teaching_trade.yaml")
    d = distribution(loaded, 1, 250)
    assert sum(d["outcomes"].values()) == 250 and set(d["outcomes"]) == set(loaded.structure.outcomes)
    assert all(len(v) == 250 and v == sorted(v) for v in d["utilities"].values())
    values = [0.1, 0.2, 0.2, 0.3]
    assert percentile(values, 0.0) == 0 and percentile(values, 1.0) == 100
    assert percentile(values, 0.2) == 50.0 and percentile(values, 0.25) == 75.0


def test_the_monte_carlo_is_finished_after_a_restart(tmp_path):
    first = create_app(tmp_path / "data", mc_draws=MC_DRAWS)
    create_room(first)
    first.extensions["classroom"]["runner"].wait(1, 60)
    st = store(first)
    with sqlite3.connect(st.path) as db:
        db.execute("DELETE FROM montecarlo")  # as if the server stopped before it was done
    second = create_app(tmp_path / "data", mc_draws=MC_DRAWS)
    second.extensions["classroom"]["runner"].wait(1, 60)
    assert store(second).montecarlo(1)["result"]["draws"] == MC_DRAWS
