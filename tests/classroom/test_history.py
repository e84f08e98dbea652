"""A room given a history (dated facts of the real talks): the instructor page lists the facts and
the debrief shows what they change in the computer-played odds."""

from __future__ import annotations

import re

from negotiation.classroom.play import bundled_text, load
from negotiation.classroom.room_history import changed
from negotiation.experiments import whatif
from negotiation.experiments.history import check_history
from negotiation.scenario.yamlio import parse_yaml
from tests.classroom.helpers import MC_DRAWS, Client, act, dump, join, store, text, turn, wait_mc

# In teaching_chapters (seed 1), an extension vote passes in 54 of the first 300 draws: the talks
# ran past the deadline (2025-06-30), so a deal by the text is much rarer among them.
HISTORY = "facts:\n  - {extension: passed, by: 2025-07-30}\n"


def _offer(page: str) -> dict:
    """The offer form's values as the page fills them (text inputs and selected options)."""
    values = dict(re.findall(r'name="issue:([\w.]+)" value="([^"]*)"', page))
    for issue, body in re.findall(r'<select[^>]*name="issue:([\w.]+)"[^>]*>(.*?)</select>', page, re.S):
        values[issue] = re.search(r'<option value="([^"]*)" selected>', body).group(1)
    return values


def _play_to_the_end(client, token) -> None:
    """Team A sends the form as it starts and says yes to everything (confirming)."""
    for _ in range(60):
        fields = turn(client, token)
        if fields is None:
            break
        if fields["kind"] == "offer":
            r = act(client, token, offer=_offer(text(client.get(f"/t/{token}"))), fields=fields)
        else:
            r = act(client, token, decision="yes", fields=fields, confirm="1")
        assert r.status_code == 303, text(r)
    assert "The negotiation is over" in text(client.get(f"/t/{token}"))


def test_a_room_with_a_history_shows_what_it_changed(app):
    teacher = Client(app, instructor=True)
    r = teacher.post("/rooms", {"scenario": "teaching_chapters", "history": HISTORY})
    assert r.status_code == 303, text(r)
    secret = r.headers["Location"].rsplit("/", 1)[1]
    room = store(app).room_by_secret(secret)
    assert store(app).history(room.id) == HISTORY
    page = text(teacher.get(f"/i/{secret}"))
    assert "<code>{extension: passed, by: 2025-07-30}</code>" in page
    teacher.post(f"/i/{secret}/teams", {"team": ["A"], "open": "1"})
    a, token = join(app, store(app).room_by_secret(secret).join_code, "A")
    _play_to_the_end(a, token)
    wait_mc(app, secret)
    page = text(teacher.get(f"/i/{secret}/debrief"))
    section = page[page.index('id="history-changed"') :]
    section = section[: section.index("</section>")]
    assert "<strong>54</strong> of 300 computer-played draws (18.0%) agree with every fact" in section
    cells = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">([^<]+)</td><td class=\"num\">([^<]+)</td>", section)
    # deal 255 of 300 (85.0%) without, 10 of 54 (18.5%) given; termination 25 and stalemate 18 of 300
    # all agree (46.3%, 33.3%); the bilateral deal A-B 2 of 300 (0.7%), 1 of 54 (1.9%)
    assert cells[:4] == [
        ("deal (everyone signs)", "85.0%", "18.5%"),
        ("bilateral deal A–B", "0.7%", "1.9%"),
        ("termination (a withdrawal took effect)", "8.3%", "46.3%"),
        ("stalemate (the status quo stays)", "6.0%", "33.3%"),
    ]
    assert "-66.5 pts" in section and "--given history.yaml" in section


def test_the_change_is_the_sweeps(app):
    """The debrief's numbers are those of ``whatif.view`` (the ``negotiate sweep --given`` summary)."""
    name, yaml_text = bundled_text("teaching_chapters")
    loaded = load(yaml_text, name)
    data, lines = parse_yaml(HISTORY, "history.yaml")
    view = whatif.view(loaded, {}, 1, MC_DRAWS, check_history(data, lines, "history.yaml", loaded))
    room = store(app).create_room("t", name, yaml_text, 1, 0, ["A"], 60)
    store(app).set_history(room.id, HISTORY)
    got = changed(store(app), room, MC_DRAWS)
    assert got["matched"] == view["given"]["matched"] == 54
    deal = got["rows"][0]
    assert (deal["prior"], deal["given"]) == (view["outcomes"]["deal"]["p"], view["given"]["outcomes"]["deal"]["p"])
    assert changed(store(app), store(app).create_room("u", name, yaml_text, 1, 0, ["A"], 60), MC_DRAWS) is None


def test_a_bad_history_creates_nothing(app):
    before = dump(app)
    teacher = Client(app, instructor=True)
    r = teacher.post("/rooms", {"scenario": "teaching_chapters", "history": "facts:\n  - {rounds_held: 7}\n"})
    assert r.status_code == 400
    assert "The history has problems. Nothing was created." in text(r)
    assert "history.yaml:2: facts[0]: give when the fact is known: either by: DATE or round: N" in text(r)
    assert dump(app) == before


def test_a_history_no_draw_agrees_with_says_so(app):
    name, yaml_text = bundled_text("teaching_chapters")
    room = store(app).create_room("t", name, yaml_text, 1, 0, ["A"], 60)
    store(app).set_history(room.id, "facts:\n  - {notice: any, by: 2025-06-30}\n")
    got = changed(store(app), room, MC_DRAWS)
    assert got["error"].startswith("no draw of 300 agrees with every fact of history.yaml")


def test_a_class_gives_its_history_to_every_room(app):
    teacher = Client(app, instructor=True)
    r = teacher.post("/rooms", {"scenario": "teaching_chapters", "rooms": "2", "history": HISTORY})
    secret = r.headers["Location"].rsplit("/", 1)[1]
    assert teacher.post(f"/c/{secret}/rooms").status_code == 303  # a room added later too
    rooms = store(app).class_rooms(store(app).class_by_secret(secret).id)
    assert [store(app).history(room.id) for room in rooms] == [HISTORY] * 3
    assert "<code>{extension: passed, by: 2025-07-30}</code>" in text(teacher.get(f"/c/{secret}"))
