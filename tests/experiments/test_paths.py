"""Paths of negotiations in the sweep outputs: the ``path``, ``signed_date`` and chapter columns of
``outcomes.parquet`` on hand-worked draws, and the ``paths`` and ``chapters`` blocks of
``summary.json`` (overall, per point, equal to the outcome odds without accession, the same bytes
for any worker count)."""

import datetime as dt
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from negotiation.drivers.batch import run_rows
from negotiation.experiments.statistics import wilson
from negotiation.experiments.sweep import simulate_table
from negotiation.kernel.codes import path_names
from negotiation.scenario.loader import load_scenario_text
from tests.helpers import CONFIGS, chapters, joiners

D = dt.date
JOIN = "bilateral_A_B>deal"
COALITION = ["path", "signed_date"]  # the columns every sweep has for coalitions
CHAPTER = ["chapters_closed", "reopened", "chapter.x", "chapter.y"]  # and under closing: chapters


def _rows(text: str, draws: int = 4, seed: int = 0) -> pa.Table:
    loaded = load_scenario_text(text)
    return simulate_table(loaded, [{}], seed, draws)


def test_joined_refused_and_closed_paths_by_hand():
    # joiners(): A and B sign x = 1 on 2024-01-01; C joins at its first accession round, 30 days on
    joined = _rows(joiners("-0.5"))
    assert joined.schema.field("path").type == pa.string()
    assert joined.schema.field("signed_date").type == pa.date32()
    assert joined.select(["outcome", "rounds", "end_date", *COALITION]).to_pylist()[0] == {
        "outcome": "deal",
        "rounds": 2,
        "end_date": D(2024, 1, 31),
        "path": JOIN,
        "signed_date": D(2024, 1, 1),
    }
    assert joined.column("round_dates").to_pylist()[0] == [D(2024, 1, 1), D(2024, 1, 31)]
    assert not set(CHAPTER) & set(joined.column_names)  # package closing: no chapter columns
    # staying out is worth 0.1 > 0: C never joins; six accession rounds, then the bilateral deal
    # stands, dated its signing
    refused = _rows(joiners("-0.1")).select(["outcome", "rounds", "end_date", *COALITION]).to_pylist()[0]
    assert refused == {
        "outcome": "bilateral_A_B",
        "rounds": 7,
        "end_date": D(2024, 1, 1),
        "path": "bilateral_A_B",
        "signed_date": D(2024, 1, 1),
    }
    # no accession for the pair: the bilateral deal ends the talks, nothing is signed before the end
    closed = _rows(joiners("-0.5", accession=False)).select(["outcome", "rounds", "end_date", *COALITION])
    assert closed.to_pylist()[0] == {
        "outcome": "bilateral_A_B",
        "rounds": 1,
        "end_date": D(2024, 1, 1),
        "path": "bilateral_A_B",
        "signed_date": None,
    }


def test_c_joins_exactly_when_staying_out_is_worth_less_than_the_text():
    # the stake drawn per draw: C joins iff 0.2 + stake <= 0 (the signed text is worth 0 to C)
    table = _rows(joiners("{dist: uniform, low: -0.6, high: 0.0}"), draws=400, seed=3)
    stake = table.column("param.stakes.c_out.value").to_numpy()
    path = np.array(table.column("path").to_pylist())
    assert set(path) == {JOIN, "bilateral_A_B"}
    assert ((path == JOIN) == (stake <= -0.2)).all()
    assert set(table.column("signed_date").to_pylist()) == {D(2024, 1, 1)}
    end = np.array(table.column("end_date").to_pylist())
    assert (end == np.where(path == JOIN, D(2024, 1, 31), D(2024, 1, 1))).all()
    outcome = np.array(table.column("outcome").to_pylist())
    assert ((outcome == "deal") == (path == JOIN)).all()


def test_chapter_columns_by_hand():
    # chapters(): both want y = 0.5, so the first text's y chapter closes on 2024-01-01; x closes
    # with the deal on the whole text
    table = _rows(chapters())
    assert [table.schema.field(c).type for c in CHAPTER] == [pa.int8(), pa.int16(), pa.date32(), pa.date32()]
    assert table.select(["outcome", "end_date", "path", "signed_date", *CHAPTER]).to_pylist()[0] == {
        "outcome": "deal",
        "end_date": D(2024, 2, 1),
        "path": "deal",
        "signed_date": None,
        "chapters_closed": 2,
        "reopened": 0,
        "chapter.x": D(2024, 2, 1),
        "chapter.y": D(2024, 1, 1),
    }
    # B wants y = 0: the text (y = 0.25) is worse to each than its own position, so no chapter
    # closes before the deal on 2024-03-01 closes both
    apart = _rows(chapters(0.0)).select(CHAPTER).to_pylist()[0]
    assert apart == {"chapters_closed": 2, "reopened": 0, "chapter.x": D(2024, 3, 1), "chapter.y": D(2024, 3, 1)}


def test_chapter_columns_follow_the_batch_driver():
    text = (CONFIGS / "teaching_trade.yaml").read_text() + "protocol: single_text\nclosing: chapters\n"
    loaded = load_scenario_text(text)
    st = loaded.structure
    table = simulate_table(loaded, [{}], 5, 600)
    direct = run_rows(st, loaded.space, 5, 0, 600)
    day = direct.path["chapter_day"]
    assert table.column("chapters_closed").to_numpy().tolist() == (day >= 0).sum(axis=1).tolist()
    assert table.column("reopened").to_numpy().tolist() == direct.path["reopened"].tolist()
    for i, issue in enumerate(st.issues):
        got = [d.toordinal() if d else -1 for d in table.column(f"chapter.{issue}").to_pylist()]
        assert got == day[:, i].tolist()
    assert (day >= 0)[direct.outcome == 0].all()  # a deal closes every chapter still open
    early = ((day >= 0) & (day < direct.end_day[:, None])).any(axis=1)
    assert 0 < early.sum() < 600  # some draws close a chapter before the end, some none


def _sweep(ok, config, out, *args):
    ok("sweep", config, "--out", out, "--quiet", "--no-report", *args)
    return json.loads((out / "summary.json").read_text()), pq.read_table(out / "outcomes.parquet")


def test_path_odds_per_point_and_the_same_bytes_for_two_workers(tmp_path, ok):
    config = tmp_path / "joiners.yaml"
    config.write_text(joiners())
    args = ("--draws", 300, "--seed", 2, "--grid", "stakes.c_out.value=-0.5,-0.1")
    s, table = _sweep(ok, config, tmp_path / "one", *args)
    st = load_scenario_text(joiners()).structure
    names = path_names(st.outcomes, st.accession.tolist())
    assert list(s["paths"]) == sorted(names)  # every possible path, zero or not (JSON keys sorted)
    # point 0 (stake -0.5): C joins in every draw; point 1 (stake -0.1): never
    first, second = s["points"]
    assert first["paths"][JOIN]["n"] == 300 and first["paths"]["bilateral_A_B"]["n"] == 0
    assert second["paths"][JOIN]["n"] == 0 and second["paths"]["bilateral_A_B"]["n"] == 300
    assert first["outcomes"]["deal"]["n"] == 300 and second["outcomes"]["bilateral_A_B"]["n"] == 300
    assert s["paths"][JOIN] == {"p": 0.5, "ci95": pytest.approx(list(wilson(300, 600))), "n": 300}
    assert sum(v["p"] for v in s["paths"].values()) == pytest.approx(1.0)
    for pt in s["points"]:
        assert sum(v["n"] for v in pt["paths"].values()) == pt["n_draws"] == 300
    counted = {n: table.column("path").to_pylist().count(n) for n in names}
    assert {n: v["n"] for n, v in s["paths"].items()} == counted
    assert "chapters" not in s
    # two workers, another chunk size: the same bytes
    _sweep(ok, config, tmp_path / "two", *args, "--workers", 2, "--chunk-rows", 170)
    for name in ("outcomes.parquet", "summary.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_path_odds_equal_outcome_odds_without_accession(tmp_path, ok):
    s, _ = _sweep(ok, CONFIGS / "teaching_trade.yaml", tmp_path / "s", "--draws", 500, "--seed", 1)
    assert s["paths"] == s["outcomes"]
    assert all(pt["paths"] == pt["outcomes"] for pt in s["points"])


def test_chapters_block(tmp_path, ok):
    config = tmp_path / "chapters.yaml"
    config.write_text(chapters())
    # every draw of both points ends in a deal on the whole text, which closes every chapter; at
    # point 0 (B wants y = 0.5) the y chapter closed first, on the first day
    s, table = _sweep(ok, config, tmp_path / "s", "--draws", 50, "--grid", "B.y.ideal=0.5,0.0")
    assert s["chapters"] == {
        "closed": {
            "x": {"p": 1.0, "ci95": pytest.approx(list(wilson(100, 100))), "n": 100},
            "y": {"p": 1.0, "ci95": pytest.approx(list(wilson(100, 100))), "n": 100},
        },
        "mean_closed": 2.0,
        "mean_reopened": 0.0,
    }
    assert table.column("chapters_closed").to_pylist() == [2] * 100
    y = table.column("chapter.y").to_pylist()
    assert y[:50] == [D(2024, 1, 1)] * 50 and all(d > D(2024, 1, 1) for d in y[50:])


def test_the_cli_prints_path_odds_only_when_a_join_is_possible(tmp_path, ok):
    config = tmp_path / "joiners.yaml"
    config.write_text(joiners("{dist: uniform, low: -0.6, high: 0.0}"))
    out = ok("sweep", config, "--draws", 400, "--seed", 3, "--out", tmp_path / "s", "--no-report", "--quiet").stdout
    s = json.loads((tmp_path / "s" / "summary.json").read_text())
    lines = out.splitlines()
    head = next(k for k, line in enumerate(lines) if line.startswith("path "))
    shown = {line.split()[0]: line.split()[1] for line in lines[head + 1 : head + 3]}
    # the paths some draw took and every joined path; the paths no draw took are not listed
    assert shown == {n: f"{s['paths'][n]['p']:.4f}" for n in ("bilateral_A_B", JOIN)}
    plain = ok("sweep", CONFIGS / "teaching_trade.yaml", "--draws", 50, "--out", tmp_path / "t", "--no-report")
    assert not any(line.startswith("path ") for line in plain.stdout.splitlines())


def test_a_history_of_the_signing_and_the_accession_selects_the_joined_draws(tmp_path, ok):
    config = tmp_path / "joiners.yaml"
    config.write_text(joiners("{dist: uniform, low: -0.6, high: 0.0}"))
    history = tmp_path / "h.yaml"
    history.write_text(
        "facts:\n  - {agreement: bilateral_A_B, by: 2024-01-01}\n  - {agreement: deal, by: 2024-01-31}\n"
        "  - {accession: C, by: 2024-01-31}\n"
    )
    args = ("--draws", 400, "--seed", 3, "--given", history)
    s, table = _sweep(ok, config, tmp_path / "s", *args)
    joined = table.column("path").to_pylist().count(JOIN)
    assert 0 < joined < 400 and s["given"]["matched"] == joined
    assert s["given"]["outcomes"]["deal"]["n"] == joined
