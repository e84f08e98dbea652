"""The classroom on a mediator's single text closed by chapters, and in an accession window: what
the team, instructor and debrief pages show, and the decisions a team makes there (accept or
amend the text, join a signed bilateral deal, ask for amendments, admit the party left out)."""

from __future__ import annotations

import html
import io
import json
import re

import pytest

pytest.importorskip("flask", reason="the classroom needs flask")

from tests.classroom.helpers import Inputs, act, create_room, instructor, join, store, text, turn, wait_mc  # noqa: E402
from tests.helpers import DATA  # noqa: E402

ACCESSION = (DATA / "accession_three.yaml").read_text(encoding="utf-8")


def page_of(client, url) -> str:
    """A page with its tags stripped and whitespace collapsed, to read as a person would."""
    raw = text(client.get(url))
    raw = re.sub(r"<script.*?</script>", " ", raw, flags=re.S)
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())
    return re.sub(r" ([,.;:)])", r"\1", words)


def selected(raw: str, issue: str) -> str:
    """The option selected in an issue's drop-down of the offer form."""
    block = re.search(rf'name="issue:{issue}".*?</select>', raw, re.S).group(0)
    return re.search(r'<option value="([^"]*)" selected', block).group(1)


def upload_room(app, yaml_text: str, teams: list[str]):
    """A room on an uploaded scenario (seed 0, draw 0), open, with ``teams`` played by teams."""
    teacher = instructor(app)
    body = {"upload": (io.BytesIO(yaml_text.encode()), "accession.yaml"), "seed": "0", "draw": "0"}
    r = teacher.post("/rooms", body, content_type="multipart/form-data")
    assert r.status_code == 303, text(r)
    secret = re.search(r"/i/([^/?]+)", r.headers["Location"]).group(1)
    assert teacher.post(f"/i/{secret}/teams", {"team": teams, "open": "1"}).status_code == 303
    return teacher, secret, store(app).room_by_secret(secret).join_code


# The single negotiating text, closed by chapters ----------------------------------------------


def test_a_team_amends_the_mediators_text_and_reopens_a_closed_chapter(app):
    """B on the teaching case (seed 0, as in the terminal's test): states its position, rejects
    the text and sends it back unchanged until the review chapter closes, then asks for review_5y
    there, reopening it, and accepts the next text."""
    teacher, secret, code = create_room(app, "teaching_chapters", teams=["B"], seed="0")
    b, token = join(app, code, "B")
    url = f"/t/{token}"

    page = page_of(b, url)
    assert "Your turn: your opening position" in page
    assert "The mediator drafts the first text from every party's opening position." in page
    assert "Every month of talks costs you 0.005" in page  # B's cost of delay, in its brief
    opening = {"tariff": "10", "disputes": "panel", "quota": "30", "review": "review_5y"}
    assert act(b, token, offer=opening).status_code == 303

    page = page_of(b, url)
    assert "Your turn: the mediator's text" in page
    assert (
        "Common external tariff 9.4% Dispute settlement panel Farm import quota 43.3kt Review clause review_5y" in page
    )
    assert "Accept the text" in page and "Reject and propose amendments" in page
    assert "No chapters closed." in page

    reopened = False
    for _ in range(40):
        fields = turn(b, token)
        if fields is None:
            break
        raw = text(b.get(url))
        page = page_of(b, url)
        if fields["kind"] == "respond":
            assert fields["proposer"] == "mediator"
            r = act(b, token, decision="yes" if reopened else "no", fields=fields)
        elif fields["kind"] == "offer":
            assert "Your turn: propose amendments to the text" in page
            # the form starts from the text: every field holds the text's term
            values = Inputs(raw).values
            assert values["issue:tariff"] and values["issue:quota"]
            if "chapter closed 2025-05-15" in page and not reopened:
                # review closed in round 5: the text card and the form's field both say so
                assert "Review clause expiry_5y closed 2025-05-15" in page and "1 chapter closed." in page
                inst = page_of(teacher, f"/i/{secret}")  # the instructor sees the same, every utility
                assert "B (Beta) is to propose amendments to the mediator's text." in inst
                assert "Review clause expiry_5y closed 2025-05-15" in inst and "Utilities: A 0.75 · B 0.81" in inst
                assert selected(raw, "review") == "expiry_5y"
                form = {k[len("issue:") :]: v for k, v in values.items() if k.startswith("issue:")}
                form.update({"disputes": selected(raw, "disputes"), "review": "review_5y"})
                r = act(b, token, offer=form, fields=fields)
                reopened = True
            else:  # send the text back as it stands
                form = {k[len("issue:") :]: v for k, v in values.items() if k.startswith("issue:")}
                form.update({"disputes": selected(raw, "disputes"), "review": selected(raw, "review")})
                r = act(b, token, offer=form, fields=fields)
        else:
            r = act(b, token, decision="yes", fields=fields)  # extend the talks
        assert r.status_code == 303, text(r)
    assert reopened

    page = page_of(b, url)
    assert "The negotiation is over" in page and "deal (everyone signs)" in page
    # the history: each round's text and who accepted it, amendments, chapter events
    assert "Text The mediator's text Common external tariff 9.4%" in page
    assert "B asked to amend it to" in page
    assert "Chapter “Review clause” closes (provisionally)." in page
    assert "Chapter “Review clause” is reopened." in page
    assert "The last text" in page and "4 chapters closed." in page  # the deal closes the rest

    inst = page_of(teacher, f"/i/{secret}")
    assert "The last text" in inst
    assert "Chapter “Review clause” is reopened." in inst

    # Sent back unchanged, the text is the amendment exactly (the form's four decimals are not
    # taken for it); the reopening amendment changes the review term only.
    data = json.loads(text(teacher.get(f"/i/{secret}/export.json")))
    texts = {rec["round"]: rec["text"]["position"] for rec in data["rounds"] if "text" in rec}
    amendments = [a for a in data["actions"] if a["kind"] == "offer" and a["round"] > 1]
    assert len(amendments) == 5
    for a in amendments[:-1]:
        assert a["value"] == texts[a["round"]]
    assert amendments[-1]["value"][:3] == texts[amendments[-1]["round"]][:3]
    assert amendments[-1]["terms"]["review"] == "review_5y"
    assert data["rounds"][0]["text"]["terms"]["disputes"] == "panel"  # the text in display units too

    wait_mc(app, secret)
    debrief = page_of(teacher, f"/i/{secret}/debrief")
    assert "The last text" in debrief and "Text The mediator's text" in debrief


# Accession -------------------------------------------------------------------------------------


def hold_out(offer):
    """C rejects every offer and proposes ``offer``; it joins when it may."""

    def decide(fields, raw):
        if fields["kind"] == "offer":
            return {"offer": offer}
        return {"decision": "yes" if fields["kind"] == "join" else "no"}

    return decide


def test_left_out_a_team_joins_the_signed_deal(app):
    # A and B sign on 2024-02-20; joining is worth 0.9 * (1 - 16/20) = 0.18 to C, staying out
    # 0.95 - 0.9 = 0.05 (as in the terminal's test).
    teacher, secret, code = upload_room(app, ACCESSION, ["C"])
    c, token = join(app, code, "C")
    url = f"/t/{token}"
    page = page_of(c, url)
    assert "If A and B sign without you, staying out is worth 0.05 to you; you may ask to join their deal" in page

    talks = hold_out({"tariff": "18", "review": "review_5y"})
    for _ in range(40):
        fields = turn(c, token)
        if fields["kind"] == "join":
            break
        assert act(c, token, fields=fields, **talks(fields, "")).status_code == 303
    assert fields["kind"] == "join" and fields["round"] == "6"
    page = page_of(c, url)
    assert "Your turn: join the bilateral deal A–B?" in page
    assert (
        "A and B signed a bilateral deal on 2024-02-20 without you. You may join it until 2024-04-20 on its terms"
        in page
    )
    assert "Worth to you if you join now: 0.18" in page and "(staying out: 0.05)" in page
    assert "Join" in page and "Stay out" in page
    # the accession card, for the team and the instructor
    assert "Bilateral deal A–B signed" in page
    assert "C may ask to join it until 2024-04-20, on the signed terms" in page
    assert "Staying out is worth 0.05 to you." in page
    inst = page_of(teacher, f"/i/{secret}")
    assert "C (Gamma) is to decide whether to join the bilateral deal A–B." in inst
    assert "C may ask to join it until 2024-04-20" in inst
    assert "Bilateral deal A–B signed on 2024-02-20: C may join it until 2024-04-20." in inst

    r = act(c, token, decision="yes", fields=fields)
    assert r.status_code == 303 and r.headers["Location"] == f"/t/{token}"
    page = page_of(c, r.headers["Location"])
    assert "Recorded: your answer." in page
    assert "The negotiation is over" in page and "C joined it on 2024-03-21: a deal of all." in page
    assert "accession round" in page and "C asked to join on Tariff 4.0%; Review clause none" in page
    assert "admitted by A, B" in page
    data = json.loads(text(teacher.get(f"/i/{secret}/export.json")))
    assert data["summary"]["outcome"] == "deal" and data["actions"][-1]["kind"] == "join"
    assert [a["value"] for a in data["actions"] if a["kind"] == "join"] == [True]


def test_left_out_a_team_asks_for_amendments(app):
    # A admits a tariff t when 0.8 (1 - t/20) + 0.3 >= 0.84, B when 0.8 (1 - (t - 4)/16) + 0.1
    # >= 0.8: both admit 5.5%.
    teacher, secret, code = upload_room(app, ACCESSION.replace("amendments: false", "amendments: true"), ["C"])
    c, token = join(app, code, "C")
    url = f"/t/{token}"
    talks = hold_out({"tariff": "18", "review": "review_5y"})
    for _ in range(40):
        raw = text(c.get(url))
        if "Your turn: the terms on which you ask to join" in raw:
            break
        fields = turn(c, token)
        assert act(c, token, fields=fields, **talks(fields, raw)).status_code == 303
    page = page_of(c, url)
    assert "The form starts from its signed terms" in page and "Ask to join on these terms" in page
    # the form holds the signed text: tariff 4%, no review clause
    assert Inputs(raw).values["issue:tariff"] == "4" and selected(raw, "review") == "none"
    assert act(c, token, offer={"tariff": "5.5", "review": "none"}).status_code == 303
    page = page_of(c, url)
    assert "Your turn: join the bilateral deal A–B?" in page and "on the terms you asked for" in page
    assert "Tariff 5.5%" in page
    assert act(c, token, decision="yes").status_code == 303
    data = json.loads(text(teacher.get(f"/i/{secret}/export.json")))
    assert data["summary"]["outcome"] == "deal" and data["summary"]["agreement"]["tariff"] == pytest.approx(5.5)
    page = page_of(c, url)
    assert "C joined it on 2024-03-21" in page and "The terms it joined on:" in page


def test_a_signatory_team_admits_the_party_left_out(app):
    # A proposes a 2% tariff and no review clause, accepts only B's offers and signs with B; C
    # (computer) asks to join on the signed terms, worth 0.8 * 0.9 + 0.2 = 0.92 to A as the
    # bilateral deal and 1.02 as a deal of all (its 0.1 stake).
    teacher, secret, code = upload_room(app, ACCESSION, ["A"])
    a, token = join(app, code, "A")
    url = f"/t/{token}"
    for _ in range(60):
        fields = turn(a, token)
        if fields["kind"] == "respond" and fields["proposer"] == "C" and "admit C" in page_of(a, url):
            break
        if fields["kind"] == "offer":
            r = act(a, token, offer={"tariff": "2", "review": "none"}, fields=fields)
        elif fields["kind"] == "respond":
            r = act(a, token, decision="yes" if fields["proposer"] == "B" else "no", fields=fields)
        else:
            r = act(a, token, decision="yes", fields=fields)  # sign the bilateral deal
        assert r.status_code == 303, text(r)
    page = page_of(a, url)
    assert "Your turn: admit C to your deal with B?" in page
    assert (
        "C was left out of the bilateral deal A–B you signed on 2024-03-01 and asks to join it on the terms you signed"
        in page
    )
    assert "Worth to you as a deal of all: 1.02 (your bilateral deal: 0.92)" in page
    assert "The bilateral deal is worth 0.92 to you." in page  # the accession card
    assert "Admit C" in page and "Refuse" in page
    inst = page_of(teacher, f"/i/{secret}")
    assert "A (Alpha) is to admit C to the bilateral deal A–B or not." in inst
    assert "C asks to join on Tariff 2.0%; Review clause none" in inst  # on the table this round
    assert act(a, token, decision="yes").status_code == 303
    page = page_of(a, url)
    assert "The negotiation is over" in page and "C joined it on 2024-03-31: a deal of all." in page
