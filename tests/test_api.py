"""The public API: ``import negotiation`` and a few calls reach every result the commands give."""

import json
import math
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import negotiation as ng
from negotiation.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def test_the_public_names_are_curated_and_each_resolves():
    assert "load" in ng.__all__ and "simulate" in ng.__all__ and "odds" in ng.__all__
    for name in ng.__all__:
        assert getattr(ng, name) is not None, name
    with pytest.raises(AttributeError):
        ng.chunk_table  # internal names are not part of the API  # noqa: B018


def test_load_by_bundled_name_or_path_and_one_line_errors(tmp_path):
    by_name = ng.load("teaching_split")
    by_path = ng.load(ROOT / "configs" / "teaching_split.yaml")
    assert by_name.config_hash() == by_path.config_hash()
    assert ng.load(by_name) is by_name
    assert set(ng.scenarios()) == {
        "bdm_ec_emissions",
        "nafta_2017",
        "teaching_chapters",
        "teaching_pairs",
        "teaching_shock",
        "teaching_split",
        "teaching_trade",
    }
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nparties: {A: {name: a}}\nissues: {}\nprofiles: {}\ncalendar: {}\nbogus: 1\n")
    with pytest.raises(ng.ConfigError) as err:
        ng.load(bad)
    lines = str(err.value).splitlines()
    assert any(line.startswith(f"{bad}:6: bogus: unknown key") for line in lines)
    with pytest.raises(ng.UserError, match="no such file|bundled"):
        ng.load("no_such_scenario")


def test_simulate_returns_the_rows_and_columns_of_outcomes_parquet(tmp_path):
    frame = ng.simulate("teaching_trade", draws=300, seed=5)
    res = CliRunner().invoke(
        cli, ["sweep", "teaching_trade", "--draws", "300", "--seed", "5", "--out", str(tmp_path / "s"), "--no-report"]
    )
    assert res.exit_code == 0, res.output
    parquet = pq.read_table(tmp_path / "s" / "outcomes.parquet").to_pandas()
    assert list(frame.columns) == list(parquet.columns)
    pd.testing.assert_frame_equal(frame, parquet)
    assert frame.attrs["outcomes"][0] == "deal" and frame.attrs["seed"] == 5


def test_odds_are_shares_with_wilson_intervals_by_hand():
    # 3 deals in 4 draws: p = .75; Wilson 95% (z = 1.96): centre (.75 + z^2/8) / (1 + z^2/4) = .6275,
    # half-width z sqrt(.75 * .25 / 4 + z^2 / 64) / (1 + z^2/4) = .3269 -> [.3006, .9544]
    frame = pd.DataFrame({"point": [0, 0, 0, 0], "outcome": ["deal", "deal", "termination", "deal"]})
    frame.attrs["outcomes"] = ["deal", "termination", "stalemate"]
    table = ng.odds(frame).set_index("outcome")
    assert list(table.index) == ["deal", "termination", "stalemate"]
    assert table.loc["deal", "p"] == 0.75 and table.loc["deal", "n"] == 3 and table.loc["deal", "draws"] == 4
    assert table.loc["deal", "ci95_low"] == pytest.approx(0.3006, abs=1e-4)
    assert table.loc["deal", "ci95_high"] == pytest.approx(0.9544, abs=1e-4)
    assert table.loc["stalemate", "p"] == 0.0 and table.loc["stalemate", "ci95_low"] == 0.0


def test_odds_per_point_of_a_grid_name_the_points_values():
    frame = ng.simulate("teaching_split", draws=200, seed=1, grid={"B.reservation": [0.1, 0.4]})
    table = ng.odds(frame)
    assert set(table["point"]) == {0, 1}
    assert set(table["B.reservation"]) == {0.1, 0.4}
    for _, part in table.groupby("point"):
        assert part["p"].sum() == pytest.approx(1.0) and set(part["draws"]) == {200}


def test_run_gives_summary_trace_and_events_as_the_command_writes_them(tmp_path):
    one = ng.run("nafta_2017", seed=1)
    assert one.folder is None  # nothing written unless asked
    res = CliRunner().invoke(cli, ["run", "nafta_2017", "--seed", "1", "--out", str(tmp_path / "r"), "--no-report"])
    assert res.exit_code == 0, res.output
    assert one.summary == json.loads((tmp_path / "r" / "summary.json").read_text())
    rounds = one.summary["rounds"]
    assert len(one.trace) == rounds * 3 and list(one.trace["party"][:3]) == ["US", "CA", "MX"]
    assert one.events[-1]["kind"] == "outcome" and one.events[-1]["round"] == rounds
    # display units: 62.5 is the status quo of "% regional content"
    assert 50 <= one.summary["agreement"]["auto_rvc"] <= 95
    assert [json.loads(line) for line in (tmp_path / "r" / "rounds.jsonl").read_text().splitlines()] == one.records


def test_tournament_analyze_forecast_and_report_return_objects(tmp_path):
    t = ng.tournament("teaching_split", ["boulware", "conceder"], draws=50, seed=2)
    assert len(t.table) == 4 and t.folder is None
    assert set(t.table["strategy.B"]) == {"boulware", "conceder"}
    a = ng.analyze("teaching_split", max_points=101)
    assert a["units"] == {"price": "$k"} and a["nash"] is not None
    f = ng.forecast("teaching_trade", rounds=1, issues=["disputes"])
    assert f["disputes"][0]["positions"] == {"A": "none", "B": "panel", "C": "panel"}
    s = ng.sweep("teaching_split", draws=100, seed=3, out=tmp_path / "sw", report=True)
    assert s.summary["n_draws"] == 100 and len(s.frame()) == 100
    assert (tmp_path / "sw" / "report.html").exists()
    assert ng.report(tmp_path / "sw") == tmp_path / "sw" / "report.html"


def test_replay_of_a_sweep_draw_matches_its_row(tmp_path):
    s = ng.sweep("nafta_2017", draws=40, seed=4, out=tmp_path / "sw")
    for draw in (0, 17, 39):
        result, same = ng.replay(s.folder, draw)
        assert same, draw
        row = s.frame().iloc[draw]
        x = row["x.auto_rvc"]
        got = result.summary["agreement"].get("auto_rvc")
        assert (got is None and math.isnan(x)) or got == pytest.approx(x)
