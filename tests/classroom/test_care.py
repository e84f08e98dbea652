"""Care in the classroom pages: the defaults of a new room, a notice shown once, a confirmation
before accepting less than the walk-away, and no bilateral class for two parties."""

from __future__ import annotations

import re

from negotiation.classroom import play
from tests.classroom.helpers import Client, act, create_room, dump, join, play_split, store, text, turn, wait_mc


def _checked(page: str) -> dict[str, bool]:
    """The "played by a team" checkboxes of an instructor page in setup: party -> ticked."""
    boxes = re.findall(r'<input type="checkbox" name="team" value="(\w+)"( checked)?>', page)
    return {party: bool(ticked) for party, ticked in boxes}


def test_a_new_room_ticks_only_the_first_party(app):
    teacher = Client(app, instructor=True)
    r = teacher.post("/rooms", {"scenario": "teaching_trade"})
    secret = re.search(r"/i/([^/?]+)", r.headers["Location"]).group(1)
    assert store(app).room_by_secret(secret).people == ("A",)
    assert _checked(text(teacher.get(f"/i/{secret}"))) == {"A": True, "B": False, "C": False}


def test_the_room_created_notice_shows_once_and_not_from_a_bookmark(app):
    teacher = Client(app, instructor=True)
    r = teacher.post("/rooms", {"scenario": "teaching_split"})
    assert r.status_code == 303
    location = r.headers["Location"]
    assert "?" not in location and "created" not in location  # a bookmark of it is a plain room link
    assert "Room created." in text(teacher.get(location))
    assert "Room created." not in text(teacher.get(location))  # reloaded: gone
    assert "Room created." not in text(teacher.get(location + "?created=1"))  # an old bookmark
    other = Client(app)  # another browser with the link never sees it
    assert "Room created." not in text(other.get(location))


def _split_to_offer(app, price_from_s: int):
    """A split-the-price room where B (buyer) must answer S's offer of ``price_from_s``."""
    _, _, code = create_room(app, "teaching_split", teams=["B", "S"])
    b, tb = join(app, code, "B")
    s, ts = join(app, code, "S")
    assert act(b, tb, offer={"price": "30"}).status_code == 303
    assert act(s, ts, decision="no").status_code == 303
    assert act(s, ts, offer={"price": str(price_from_s)}).status_code == 303
    return (b, tb), (s, ts)


def test_accepting_below_the_walk_away_asks_to_confirm(app):
    # B's value of a price p is 1 - p/100 (ideal 0, range 0-100, linear); its walk-away is 0.2.
    # S asks 90: worth 0.10 to B, 0.10 below walking away.
    (b, tb), _ = _split_to_offer(app, 90)
    fields = turn(b, tb)
    page = text(b.get(f"/t/{tb}"))
    assert 'id="below-note"' in page
    assert 'value="yes" class="secondary">Accept<' in page and 'value="no" class="primary">Reject<' in page
    before = dump(app)
    r = act(b, tb, decision="yes", fields=fields)
    assert r.status_code == 200
    page = text(r)
    assert 'id="confirm-worth">0.10<' in page and 'id="confirm-alternative">0.20<' in page
    assert "walking away" in page and 'name="confirm" value="1"' in page
    assert dump(app) == before  # nothing recorded
    r = act(b, tb, decision="yes", fields=fields, confirm="1")
    assert r.status_code == 303
    done = store(app).actions(store(app).rooms()[0].id)[-1]
    assert (done.party, done.kind, done.value) == ("B", "respond", True)
    assert "The negotiation is over" in text(b.get(f"/t/{tb}"))


def test_accepting_above_the_walk_away_needs_no_confirmation(app):
    # S asks 70: worth 0.30 to B, above its walk-away of 0.2.
    (b, tb), _ = _split_to_offer(app, 70)
    page = text(b.get(f"/t/{tb}"))
    assert 'id="below-note"' not in page
    assert 'value="yes" class="primary">Accept<' in page
    assert act(b, tb, decision="yes").status_code == 303


def test_rejecting_below_the_walk_away_needs_no_confirmation(app):
    (b, tb), _ = _split_to_offer(app, 90)
    assert act(b, tb, decision="no").status_code == 303


def test_two_parties_have_no_bilateral_class(app):
    split = play.load(*reversed(play.bundled_text("teaching_split")))
    trade = play.load(*reversed(play.bundled_text("teaching_trade")))
    assert play.outcome_classes(split) == ["deal", "termination", "stalemate"]
    assert play.outcome_classes(trade) == [
        "deal",
        "bilateral_A_B",
        "bilateral_A_C",
        "bilateral_B_C",
        "termination",
        "stalemate",
    ]
    teacher, secret, code = create_room(app, "teaching_split", teams=["B", "S"])
    teams = {"B": join(app, code, "B"), "S": join(app, code, "S")}
    play_split(app, teams)
    wait_mc(app, secret)
    page = text(teacher.get(f"/i/{secret}/debrief"))
    assert "bilateral" not in page.lower()
    # the computer always agrees in this case: deal shown, termination and stalemate never occur
    assert "2 other outcome classes never occurred" in page


def test_the_recorded_notice_shows_once_and_not_from_a_bookmark(app):
    _, _, code = create_room(app, "teaching_split", teams=["B", "S"])
    b, tb = join(app, code, "B")
    r = act(b, tb, offer={"price": "30"})
    assert r.status_code == 303 and r.headers["Location"] == f"/t/{tb}"
    assert "Recorded: your offer." in text(b.get(r.headers["Location"]))
    assert "Recorded: your offer." not in text(b.get(r.headers["Location"]))  # reloaded: gone
    assert "Recorded: your offer." not in text(b.get(f"/t/{tb}?sent=offer"))  # an old bookmark
