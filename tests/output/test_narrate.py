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
