"""`negotiate play` on a mediator's single text closed by chapters, and in an accession window
(left out of a bilateral deal and joining it; a signatory admitting the party left out)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from negotiation.cli.terminal import play
from negotiation.kernel.utility import delay_cost, utility
from negotiation.scenario.loader import load_scenario, load_scenario_text
from tests.helpers import CONFIGS, DATA

ACCESSION = DATA / "accession_three.yaml"


def scripted(answer):
    """``ask`` and ``say`` for ``play``: ``answer(prompt, said)`` gives each line; ``said`` collects
    what the game printed."""
    said: list[str] = []
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        assert len(asked) < 500, "the game does not end"
        return answer(prompt, said)

    return ask, said.append, said


def test_a_single_text_game_amends_the_text_and_reopens_a_closed_chapter():
    """B on the teaching case: rejects the mediator's text and sends it back unchanged until the
    review chapter closes (round 5), then asks for review_5y there, which reopens it; then accepts."""
    loaded = load_scenario(CONFIGS / "teaching_chapters.yaml")
    st = loaded.structure
    lines = ["tariff=10 disputes=panel quota=30 review=review_5y", ""]  # the opening position

    def answer(prompt, said):
        if "offer>" in prompt:
            if not lines:
                reopen = any("closed chapters: review" in s for s in said[-4:])
                lines.extend(["review=review_5y", ""] if reopen else [""])
            return lines.pop(0)
        if "accept the text?" in prompt:
            return "y" if any("chapter review is reopened" in s for s in said) else "n"
        return "y"  # the extension vote

    ask, say, said = scripted(answer)
    view, actions = play(loaded, 0, 0, "B", ask, say)
    out = "\n".join(said)
    assert "every month of talks costs you" in out  # the brief states B's cost of delay
    assert "if you and A sign without C, it may ask to join your deal within 4 months" in out
    assert "Round 1 (2025-01-15): state your opening position" in out
    assert (
        "Round 1 (2025-01-15): the mediator's text: tariff 9.4%, disputes panel, quota 43.3kt, review review_5y" in out
    )
    assert "Round 2 (2025-02-15): you are amending the mediator's text." in out
    assert "no chapter is closed yet" in out
    # the review chapter closed in round 5 is shown in round 6, then reopened by B's amendment
    assert "  closed chapters: review (since 2025-05-15); reopening one costs 0.05" in said
    assert "  this reopens chapter review: it costs you 0.05" in said
    assert "  ! chapter review is reopened" in said
    assert view.summary["outcome"] == "deal"

    # A blank amendment line sends the text exactly (not rounded to what the prompt shows); the
    # reopening amendment changes the review term only.
    texts = {rec["round"] - 1: rec["text"]["position"] for rec in view.model.history if "text" in rec}
    amendments = [a for a in actions if a.kind == "offer" and a.round > 0]
    assert len(amendments) == 5
    review = st.issues.index("review")
    for a in amendments[:-1]:
        assert a.value == texts[a.round]
    last = amendments[-1]
    assert [x for i, x in enumerate(last.value) if i != review] == [
        x for i, x in enumerate(texts[last.round]) if i != review
    ]
    assert st.options[review][int(last.value[review])] == "review_5y"
    # B pays the reopening cost: its result is the agreement less its cost of delay and 0.05
    inp, s = view.model.inputs, view.model.state
    b = st.parties.index("B")
    u = utility(st, inp, b, s.agreement, 0)[0] - delay_cost(st, inp, b, s.end_day)[0] - 0.05
    assert view.summary["utilities"]["B"] == pytest.approx(u, abs=1e-9)


def accession_scenario(amendments: bool):
    text = ACCESSION.read_text(encoding="utf-8")
    return load_scenario_text(text.replace("amendments: false", f"amendments: {str(amendments).lower()}"))


def refuse_then(offer: list[str], join: str = "y"):
    """C rejects every offer, proposes ``offer``, and answers ``join`` when it may join."""
    queue: list[str] = []

    def answer(prompt, said):
        if "offer>" in prompt:
            if not queue:
                queue.extend(offer)
            return queue.pop(0)
        if "join" in prompt:
            return join
        return "n"

    return answer


def test_left_out_the_person_joins_the_signed_deal(tmp_path, negotiate):
    # C holds out; A and B sign on 2024-02-20 (tariff 4%, no review). Joining is worth to C
    # 0.9 * (1 - 16/20) + 0.1 * 0 = 0.18; staying out 0.95 - 0.9 = 0.05: it joins.
    ask, say, said = scripted(refuse_then(["tariff=18 review=review_5y", ""]))
    view, actions = play(accession_scenario(False), 0, 0, "C", ask, say)
    out = "\n".join(said)
    assert (
        "if A and B sign without you, staying out is worth 0.05 to you; you may join their deal within 2 months" in out
    )
    assert "Left out of a bilateral deal, you may ask to join it" in out  # the help says how
    assert (
        "Round 7 (2024-03-21): you were left out of the bilateral deal A and B signed on 2024-02-20;"
        " you may join it until 2024-04-20." in said
    )
    assert "  its terms: tariff 4.0%, review none" in said
    assert "  joining is worth 0.18 to you; staying out is worth 0.05" in said
    assert view.summary["outcome"] == "deal" and view.summary["date"] == "2024-03-21"
    assert view.model.path()["path"] == "bilateral_A_B>deal"
    assert [(a.round, a.kind, a.value) for a in actions if a.kind == "join"] == [(6, "join", True)]

    # the same through the command line: the join is recorded in actions.jsonl
    lines = []
    for a in actions:
        if a.kind == "offer":
            lines += ["tariff=18 review=review_5y", ""]
        else:
            lines.append("y" if a.value else "n")
    runs = tmp_path / "runs"
    result = negotiate("play", ACCESSION, "--as", "C", "--runs-dir", runs, "--no-report", input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    [folder] = runs.iterdir()
    recorded = [json.loads(line) for line in (folder / "actions.jsonl").read_text().splitlines()]
    assert recorded[-1]["kind"] == "join" and recorded[-1]["value"] is True
    assert json.loads((folder / "summary.json").read_text())["outcome"] == "deal"


def test_left_out_the_person_stays_out_and_the_bilateral_deal_stands():
    ask, say, said = scripted(refuse_then(["tariff=18 review=review_5y", ""], join="n"))
    view, actions = play(accession_scenario(False), 0, 0, "C", ask, say)
    joins = [a for a in actions if a.kind == "join"]
    # rounds on 2024-03-21 and 2024-04-20 (the window's last day), refused both times
    assert [a.value for a in joins] == [False, False]
    assert view.summary["outcome"] == "bilateral_A_B" and view.summary["date"] == "2024-02-20"
    assert view.summary["utilities"]["C"] == pytest.approx(0.05)


@pytest.mark.parametrize(
    "tariff, joined",
    [
        # A admits t when 0.8 (1 - t/20) + 0.2 + 0.1 >= 0.84 (its bilateral deal): t <= 6.5;
        # B when 0.8 (1 - (t - 4)/16) + 0.1 >= 0.8: t <= 6. Both admit 5.5.
        ("5.5", True),
        ("8", False),  # neither admits it: the window closes with the bilateral deal standing
    ],
)
def test_left_out_the_person_asks_for_amendments(tariff, joined):
    # before the signing C's offers give every term; in the window it changes the tariff only
    talks, window = refuse_then(["tariff=18 review=review_5y", ""]), refuse_then([f"tariff={tariff}", ""])

    def answer(prompt, said):
        return (window if any("signed on" in s for s in said) else talks)(prompt, said)

    ask, say, said = scripted(answer)
    view, actions = play(accession_scenario(True), 0, 0, "C", ask, say)
    assert "Round 7 (2024-03-21): ask for the terms on which you join the bilateral deal A and B." in said
    assert "  The signed text: tariff 4.0%, review none" in said
    assert f"  on the terms you ask (tariff {float(tariff):.1f}%, review none)," in said
    asked = [a for a in actions if a.kind == "offer" and a.round >= 6]
    assert asked and all(a.value == [float(tariff), 0.0] for a in asked)  # the review kept as signed
    if joined:
        assert view.summary["outcome"] == "deal" and view.summary["agreement"]["tariff"] == pytest.approx(5.5)
    else:
        assert view.summary["outcome"] == "bilateral_A_B"
        assert view.summary["agreement"]["tariff"] == pytest.approx(4.0)
        assert any("C joins; A refuses, B refuses" in s for s in said)


def test_a_signatory_admits_the_party_left_out():
    # A asks for a 2% tariff and no review clause every round and accepts only B's offers; B
    # accepts A's offer on 2024-03-01 and the two sign. C asks to join on the signed terms, worth
    # to A 0.8 * (1 - 2/20) + 0.2 = 0.92 as the bilateral deal and 0.1 more as a deal of all.
    queue: list[str] = []

    def answer(prompt, said):
        if "offer>" in prompt:
            if not queue:
                queue.extend(["tariff=2 review=none", ""])
            return queue.pop(0)
        if "accept?" in prompt:
            return "y" if "B proposes" in said[-2] else "n"
        return "y"  # sign the bilateral deal, admit C

    ask, say, said = scripted(answer)
    view, actions = play(accession_scenario(False), 0, 0, "A", ask, say)
    assert (
        "Round 8 (2024-03-31): C asks to join your bilateral deal with B (signed 2024-03-01) on the terms"
        " you signed: tariff 2.0%, review none" in said
    )
    assert "  worth 1.02 to you as a deal of all; your bilateral deal is worth 0.92 to you" in said
    # A rejected C's offers in rounds 1-6 (in round 7 they signed before C's turn) and admits it in round 8
    answers = [(a.round, a.value) for a in actions if a.kind == "respond" and a.proposer == "C"]
    assert answers == [(r, False) for r in range(6)] + [(7, True)]
    assert view.summary["outcome"] == "deal" and view.model.path()["path"] == "bilateral_A_B>deal"
    assert view.summary["utilities"]["A"] == pytest.approx(1.02)
    assert np.isclose(view.summary["agreement"]["tariff"], 2.0)
