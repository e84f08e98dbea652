"""The contract of ``negotiate sweep --given HISTORY [--min-matched M]``: prior and given blocks
whose matched draws are exactly the rows that agree with every fact (checked here with plain
pandas, apart from ``history.py``), one-line errors with file, line and key path, and
``--min-matched`` doubling the draws deterministically."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from negotiation.cli.commands import cli

ROOT = Path(__file__).resolve().parents[2]
NAFTA = str(ROOT / "configs" / "nafta_2017.yaml")
HISTORY = ROOT / "tests" / "data" / "history_nafta_2017-11-30.yaml"
D = dt.date


def sweep(*args):
    return CliRunner().invoke(cli, ["sweep", NAFTA, "--quiet", "--no-report", *map(str, args)])


def _agrees_with_the_seed_history(row) -> bool:
    """The four facts of tests/data/history_nafta_2017-11-30.yaml, written out by hand."""
    passed = any(p and d <= D(2017, 10, 17) for d, p in zip(row["vote_dates"], row["vote_passed"], strict=True))
    agreed = row["outcome"] == "deal" or row["outcome"].startswith("bilateral_")
    no_agreement = not (agreed and row["end_date"] <= D(2017, 11, 30))
    no_notice = row["notice_date"] is None or row["notice_date"] > D(2017, 11, 30)
    rounds = sum(d <= D(2017, 11, 30) for d in row["round_dates"])
    return passed and no_agreement and no_notice and rounds >= 5


@pytest.mark.slow
def test_done_when_prior_and_given_blocks_and_every_matched_row_agrees(tmp_path):
    out = tmp_path / "run"
    result = sweep("--draws", 100_000, "--seed", 1, "--given", HISTORY, "--json", "--out", out)
    assert result.exit_code == 0, result.output
    s = json.loads(result.stdout)
    prior, given = s["prior"], s["given"]
    for block in (prior["outcomes"], given["outcomes"]):
        assert sum(o["p"] for o in block.values()) == pytest.approx(1.0)
        for o in block.values():
            lo, hi = o["ci95"]
            assert 0 <= lo <= o["p"] <= hi <= 1
    assert prior["n_draws"] == s["n_draws"] == 100_000
    assert sum(o["n"] for o in prior["outcomes"].values()) == 100_000
    assert sum(o["n"] for o in given["outcomes"].values()) == given["matched"]
    assert 0 < given["matched"] < 100_000 and given["share"] == pytest.approx(given["matched"] / 100_000)
    assert given["facts"] == [
        "{extension: passed, by: 2017-10-17}",
        "{agreement: none, by: 2017-11-30}",
        "{notice: none, by: 2017-11-30}",
        "{rounds_held: 5, by: 2017-11-30}",
    ]
    cols = ["outcome", "end_date", "vote_dates", "vote_passed", "notice_date", "round_dates"]
    rows = pq.read_table(out / "outcomes.parquet", columns=cols).to_pylist()
    kept = [r for r in rows if _agrees_with_the_seed_history(r)]
    # The matched draws are exactly these rows: as many, with the same outcome counts.
    assert len(kept) == given["matched"]
    for name, o in given["outcomes"].items():
        assert o["n"] == sum(r["outcome"] == name for r in kept), name
    agreed = sorted(r["end_date"] for r in kept if r["outcome"] == "deal" or r["outcome"].startswith("bilateral_"))
    assert given["agreement_date"]["q50"] == agreed[(len(agreed) + 1) // 2 - 1].isoformat()


def _history(tmp_path, *facts: str) -> Path:
    path = tmp_path / "h.yaml"
    path.write_text("as_of: 2017-11-30\nfacts:\n" + "".join(f"  - {f}\n" for f in facts))
    return path


def _one_error(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.stderr.splitlines() if ln]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    return lines[0][len("error: ") :]


@pytest.mark.parametrize(
    "fact, where, words",
    [
        ("{deadline: passed, by: 2017-10-17}", "facts[0]", "a fact names exactly one of"),
        ("{notice: FR, by: 2017-11-30}", "facts[0].notice", "expected one of none, any, US, CA, MX"),
        ("{agreement: bilateral_US_XX, by: 2017-11-30}", "facts[0].agreement", "expected one of"),
        ("{agreement: none, by: 2017-01-01}", "facts[0].by", "is before the first round (2017-08-16)"),
        ("{accession: US, by: 2017-11-30}", "facts[0].accession", "expected one of none, any, CA, MX"),
        ("{chapters_closed: 1, by: 2017-11-30}", "facts[0].chapters_closed", "needs closing: chapters"),
        ("{chapter: dairy, by: 2017-11-30}", "facts[0].chapter", "needs closing: chapters"),
    ],
)
def test_bad_facts_are_one_line_with_file_line_and_key_path(tmp_path, fact, where, words):
    path = _history(tmp_path, "{notice: none, by: 2017-10-01}", fact)
    where = where.replace("facts[0]", "facts[1]")
    message = _one_error(sweep("--draws", 50, "--given", path, "--out", tmp_path / "run"))
    assert message.startswith(f"{path}:4: {where}: "), message
    assert words in message
    assert not (tmp_path / "run").exists()


def test_contradicting_facts_are_one_line(tmp_path):
    path = _history(tmp_path, "{agreement: deal, by: 2017-10-01}", "{agreement: none, by: 2017-11-01}")
    message = _one_error(sweep("--draws", 50, "--given", path, "--out", tmp_path / "run"))
    assert message.startswith(
        f"{path}:4: facts[1]: {{agreement: none, by: 2017-11-01}} contradicts {{agreement: deal, by: 2017-10-01}} "
        f"({path}:3: facts[0]): "
    ), message


def test_no_matched_draw_names_the_most_restrictive_fact(tmp_path):
    # Seven rounds cannot be held by 2017-09-30 (rounds 1-3 fell on 08-16, 09-01, 09-23).
    path = _history(tmp_path, "{notice: none, by: 2017-11-30}", "{rounds_held: 7, by: 2017-09-30}")
    message = _one_error(sweep("--draws", 200, "--seed", 1, "--given", path, "--out", tmp_path / "run"))
    assert message.startswith("no draw of 200 agrees with every fact")
    assert f"the most restrictive, {{rounds_held: 7, by: 2017-09-30}} ({path}:4: facts[1]), alone matches 0" in message


def test_min_matched_needs_a_history(tmp_path):
    message = _one_error(sweep("--draws", 50, "--min-matched", 10, "--out", tmp_path / "run"))
    assert message == "--min-matched needs a history (--given)"
    assert not (tmp_path / "run").exists()


def test_min_matched_doubles_the_draws_deterministically(tmp_path):
    path = _history(tmp_path, "{notice: any, by: 2017-11-30}")  # about 7% of draws
    folders = [tmp_path / "a", tmp_path / "b"]
    for out in folders:
        result = sweep("--draws", 500, "--seed", 3, "--given", path, "--min-matched", 200, "--out", out, "--json")
        assert result.exit_code == 0, result.output
        s = json.loads(result.stdout)
        assert s["given"]["matched"] >= 200
        ratio = s["draws_per_point"] // 500
        assert s["draws_per_point"] == 500 * ratio and ratio > 1 and ratio & (ratio - 1) == 0
        assert s["n_draws"] == s["draws_per_point"]
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["draws_per_point"] == s["draws_per_point"]
    a, b = (f.joinpath("outcomes.parquet").read_bytes() for f in folders)
    assert a == b
