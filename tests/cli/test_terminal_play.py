"""`negotiate play CONFIG --as PARTY`: one person against the computer parties, in a terminal.

The command is driven with piped input, as a scripted class exercise or a test would drive it.
"""

from __future__ import annotations

import json

import pytest

from negotiation.cli.terminal import play
from tests.helpers import CONFIGS

SPLIT = CONFIGS / "teaching_split.yaml"


@pytest.fixture
def run_play(negotiate):
    """``run_play(folder, args, lines)``: ``negotiate play`` fed ``lines``, with its runs in
    folder/runs; the result and that runs folder."""

    def run(folder, args, lines):
        runs = folder / "runs"
        result = negotiate("play", *args, "--runs-dir", runs, "--no-report", input="\n".join(lines) + "\n")
        return result, runs

    return run


def test_a_scripted_game_to_a_deal_with_bad_lines_refused_on_the_way(tmp_path, run_play):
    lines = [
        "price=abc",  # not a number
        "price=150",  # out of range
        "price=nan",
        "foo=3",  # no such issue
        "",  # sending with a value missing
        "price=30",
        "",  # send: B offers 30 (worth 0.70 to B)
        "maybe",  # not y or n
        "n",  # reject S's opening offer of 100
        "y",  # accept S's round-2 offer
    ]
    result, runs = run_play(tmp_path, [SPLIT, "--as", "B"], lines)
    out = result.output
    assert result.exit_code == 0, out
    assert "Your confidential brief" in out and "walking away is worth 0.20" in out
    assert "price: expected a number, got 'abc'" in out
    assert "price: expected a number from 0 to 100, got 150" in out
    assert "price: expected a number from 0 to 100, got nan" in out
    assert "not understood: 'foo=3'" in out
    assert "still missing: price" in out
    assert "you offer price 30.0 $k (worth 0.70 to you)" in out
    assert "please answer y or n" in out
    # S concedes linearly from 1 to its reservation 0.2 over the 90 days to the deadline: on day 10
    # its target is 1 - 0.8 * 10/90 = 0.91111, the price it asks for (in $k).
    assert "S proposes price 91.1 $k" in out
    [folder] = runs.iterdir()
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["outcome"] == "deal" and summary["rounds"] == 2 and summary["date"] == "2024-01-11"
    assert summary["agreement"]["price"] == pytest.approx(100 * (1 - 0.8 * 10 / 90), abs=1e-9)
    assert summary["utilities"]["B"] == pytest.approx(0.8 * 10 / 90, abs=1e-9)
    actions = [json.loads(line) for line in (folder / "actions.jsonl").read_text().splitlines()]
    assert [(a["round"], a["kind"], a["value"]) for a in actions] == [
        (0, "offer", [30.0]),
        (0, "respond", False),
        (1, "respond", True),
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["person"] == "B"


def test_the_same_lines_give_the_same_game(tmp_path, run_play):
    lines = ["price=20", "", "n", "y"]
    first, runs1 = run_play(tmp_path / "a", [SPLIT, "--as", "B", "--seed", "3"], lines)
    second, runs2 = run_play(tmp_path / "b", [SPLIT, "--as", "B", "--seed", "3"], lines)
    assert first.exit_code == second.exit_code == 0
    [f1], [f2] = runs1.iterdir(), runs2.iterdir()
    assert (f1 / "summary.json").read_bytes() == (f2 / "summary.json").read_bytes()


def test_terms_by_pair_are_given_one_pair_at_a_time_or_all_at_once(tmp_path, run_play):
    lines = [
        "n",  # reject A's opening offer
        "access=60",  # every pair's term of market access
        "access.A_B=50 tariff=5 disputes=panel",  # then A-B's own; both dispute terms
        "access.C_A=1",  # not a term: pairs are named in party order
        "",
    ]
    result, _ = run_play(tmp_path, ["teaching_pairs", "--as", "B"], lines)
    out = result.output
    assert "access.A_B       weight 0.40; your ideal 80.0%" in out
    assert "[Market access (public contracts open) (A–C)]" in out  # B's weight on it is 0
    assert "terms by pair: access.A_B=... is the term of A and B; access=... sets every pair's term" in out
    assert "not understood: 'access.C_A=1'" in out
    assert "A proposes tariff 12.0%, access (A–B 10.0%, A–C 10.0%, B–C 70.0%), disputes (A–B none, A–C none)" in out
    assert (
        "you offer tariff 5.0%, access (A–B 50.0%, A–C 60.0%, B–C 60.0%), disputes (A–B panel, A–C panel)"
        " (worth 0.92 to you)" in out
    )


def test_input_that_ends_early_saves_nothing(tmp_path, run_play):
    result, runs = run_play(tmp_path, [SPLIT, "--as", "B"], ["price=30", ""])
    assert result.exit_code == 2
    assert "error: the input ended before the negotiation did; nothing was saved" in result.output
    assert not runs.exists() or not any(runs.iterdir())


def test_an_unknown_party_is_one_error_line(tmp_path, run_play):
    result, _ = run_play(tmp_path, [SPLIT, "--as", "Q"], [])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == "error: unknown party 'Q'; parties are B, S"


def test_nafta_as_canada_with_option_issues(nafta):
    """Canada rejects every offer, votes to extend and proposes the same terms; option issues take names."""
    loaded = nafta
    prompts, said = [], []
    mine = ["auto_rvc=62.5", "dairy=0", "dispute_panels=keep", "procurement=1", "sunset=none", ""]
    queue: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        assert len(prompts) < 2000, "the game does not end"
        if "accept?" in prompt:
            return "n"
        if "extend?" in prompt:
            return "y"
        if not queue:
            queue.extend(mine)
        return queue.pop(0)

    view, actions = play(loaded, 1, 0, "CA", ask, said.append)
    assert view.done
    offers = [a for a in actions if a.kind == "offer"]
    assert offers, "Canada never had a turn to propose"
    st = loaded.structure
    for a in offers:
        assert a.party == "CA"
        for issue, name in (("dispute_panels", "keep"), ("sunset", "none")):
            i = st.issues.index(issue)
            assert st.options[i][int(a.value[i])] == name
        assert a.value[st.issues.index("auto_rvc")] == pytest.approx(0.625)  # 62.5% as the model holds it
    # Canada was asked to accept offers and to extend (else the two checks below hold for nothing)
    answers = [a.value for a in actions if a.kind == "respond"]
    votes = [a.value for a in actions if a.kind == "extend"]
    assert answers and all(v is False for v in answers)
    assert votes and all(v is True for v in votes)
    assert any("the deadline has come" in line for line in said)
    # Canada accepted nothing, so no trilateral deal can have been signed.
    assert view.summary["outcome"] != "deal"
