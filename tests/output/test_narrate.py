"""The narration's terms: one text per issue, a per-pair issue's terms together by pair."""

from __future__ import annotations

import negotiation as ng
from negotiation.output.narrate import terms_line
from negotiation.scenario.loader import load_scenario
from tests.helpers import CONFIGS


def test_terms_by_pair_read_as_one_issue_with_a_term_per_pair():
    st = load_scenario(CONFIGS / "teaching_pairs.yaml").structure
    texts = ["4.0%", "50.0%", "60.0%", "70.0%", "panel", "none"]
    want = "tariff 4.0%, access (A–B 50.0%, A–C 60.0%, B–C 70.0%), disputes (A–B panel, A–C none)"
    assert terms_line(st, texts) == want
    common = load_scenario(CONFIGS / "teaching_trade.yaml").structure
    assert terms_line(common, ["8.0%", "panel"]) == "tariff 8.0%, disputes panel"


def test_a_run_narrates_terms_by_pair():
    lines: list[str] = []
    res = ng.run("teaching_pairs", seed=1, narrate=lines.append)
    assert res.summary["outcome"] == "deal"
    agreement = next(line for line in lines if line.startswith("  agreement: "))
    a = res.summary["agreement"]
    assert f"access (A–B {a['access.A_B']:.1f}%, A–C {a['access.A_C']:.1f}%, B–C {a['access.B_C']:.1f}%)" in agreement
    assert any(" proposes tariff " in line and "disputes (A–B " in line for line in lines)


def _talks(first_vote: int, p_extend_b: float):
    """Three parties that never agree (one issue, reservations 0.9), planned rounds on 2024-01-01,
    -11 and -21, deadline 2024-01-31, an early extension vote after round ``first_vote`` (B
    votes yes with probability ``p_extend_b``, A and C always)."""
    import datetime as dt

    from tests.helpers import scenario

    profiles = {
        p: {
            "reservation": 0.9,
            "issues": {"price": {"weight": 1, "ideal": ideal}},
            "p_extend": p_extend_b if p == "B" else 1.0,
            "p_withdraw": 0.0,
            "strategy": {"name": "time_dependent", "params": {"beta": 1.0, "k": 0.0}},
        }
        for p, ideal in (("A", 0), ("B", 100), ("C", 50))
    }
    calendar = {
        "rounds": [dt.date(2024, 1, 1), dt.date(2024, 1, 11), dt.date(2024, 1, 21)],
        "deadline": dt.date(2024, 1, 31),
        "max_extensions": 1,
        "extension_months": 1,
        "extension_gap_days": 7,
        "first_vote_round": first_vote,
        "horizon": dt.date(2024, 12, 31),
    }
    return scenario(profiles, {"price": {"range": [0, 100], "status_quo": 50}}, calendar)


def _vote_lines(loaded) -> list[tuple[str, str]]:
    """(the round's date, the vote's line) for each extension vote narrated."""
    lines: list[str] = []
    ng.run(loaded, narrate=lines.append)
    out, date = [], None
    for line in lines:
        if line.startswith("Round "):
            date = line.split()[2]
        elif "extension vote" in line:
            out.append((date, line))
    return out


def test_a_failed_early_vote_says_the_talks_go_on_to_the_planned_rounds():
    # refused after round 2 (Jan 11): the planned Jan 21 is still before the Jan 31 deadline, so
    # the talks go on to it; there the deadline vote (next date past the deadline) fails too and
    # the talks close
    assert _vote_lines(_talks(first_vote=2, p_extend_b=0.0)) == [
        ("2024-01-11", "  ! the extension vote fails: talks go on to the planned rounds"),
        ("2024-01-21", "  ! the extension vote fails: the talks close"),
    ]


def test_a_failed_vote_in_the_last_planned_round_closes_the_talks():
    # first_vote_round 3 is the last planned round: the early vote is also the deadline vote
    assert _vote_lines(_talks(first_vote=3, p_extend_b=0.0)) == [
        ("2024-01-21", "  ! the extension vote fails: the talks close"),
    ]


def test_a_passed_early_vote_names_the_new_deadline():
    assert _vote_lines(_talks(first_vote=2, p_extend_b=1.0)) == [
        ("2024-01-11", "  ! the extension vote passes: new deadline 2024-02-29, rounds every 7 days"),
    ]
