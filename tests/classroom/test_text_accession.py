"""The single text with chapters and an accession window in the pages: a team seated as a
signatory of a bilateral deal, when the computer party left out joins, sees the deal of all."""

from __future__ import annotations

from negotiation.classroom.class_results import room_row
from negotiation.classroom.play import bundled_text, load
from negotiation.drivers.human import Action, replay
from tests.classroom.helpers import Client, act, join, store, text, turn

# teaching_chapters, seed 1, draw 0, A played by a team: A states its position, accepts the first
# two texts and signs the bilateral deal A-B with B; C (computer) asks to join, A admits it.
A_ACTIONS = [
    Action(0, "A", "offer", [15.0, 2.0, 80.0, 2.0], None),
    Action(0, "A", "respond", True, "mediator"),
    Action(1, "A", "respond", True, "mediator"),
    Action(1, "A", "bilateral", True, "mediator"),
    Action(2, "A", "respond", True, "C"),
]


def test_the_party_left_out_joining_ends_the_round_on_the_text():
    loaded = load(*reversed(bundled_text("teaching_chapters")))
    view = replay(loaded, 1, 0, ["A"], A_ACTIONS)
    # before the fix the engine went on to ask A to judge the mediator's text of a finished game
    assert view.pending is None and view.done
    assert view.summary["outcome"] == "deal" and view.summary["date"] == "2025-03-17"


def test_a_team_sees_the_deal_of_all_after_the_accession(app):
    teacher = Client(app, instructor=True)
    r = teacher.post("/rooms", {"scenario": "teaching_chapters"})
    secret = r.headers["Location"].rsplit("/", 1)[1]
    teacher.post(f"/i/{secret}/teams", {"team": ["A"], "open": "1"})
    a, token = join(app, store(app).room_by_secret(secret).join_code, "A")
    for step in A_ACTIONS:
        fields = turn(a, token)
        assert (fields["kind"], fields["round"]) == (step.kind, str(step.round))
        if step.kind == "offer":
            r = act(
                a,
                token,
                offer={"tariff": "15", "disputes": "none", "quota": "80", "review": "expiry_5y"},
                fields=fields,
            )
        else:
            r = act(a, token, decision="yes", fields=fields, confirm="1")
        assert r.status_code == 303, text(r)
    page = a.get(f"/t/{token}")
    assert page.status_code == 200
    assert "The negotiation is over" in text(page) and "C joined it on 2025-03-17: a deal of all." in text(page)
    assert teacher.get(f"/i/{secret}/debrief").status_code == 200
    # the class dashboard's row of the room says what the outcome does not
    with app.test_request_context():
        row = room_row(store(app), store(app).room_by_secret(secret))
    assert row["state"] == "finished" and row["outcome"] == "deal"
    assert row["path"] == ["A–B signed on 2025-02-15; C joined on 2025-03-17", "1 of 4 chapters closed"]
