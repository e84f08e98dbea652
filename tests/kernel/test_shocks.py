"""Shocks: dated outside events that change a party's reservation, a stake, a hazard or a strategy
parameter from the first round on or after their date (``kernel/shocks.py``), in both drivers,
recorded in the path (``shock.<id>``), validated like every other key."""

from __future__ import annotations

import datetime as dt
import inspect
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
import yaml
from click.testing import CliRunner

from negotiation.cli.commands import cli
from negotiation.drivers.batch import run_rows
from negotiation.drivers.model import NegotiationModel
from negotiation.experiments.results import path_columns
from negotiation.output.narrate import event_sentence
from negotiation.scenario.loader import load_scenario, load_scenario_text

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "configs"


def _yaml(name: str) -> dict:
    return yaml.safe_load((CONFIGS / name).read_text(encoding="utf-8"))


def _load(data: dict):
    return load_scenario_text(yaml.safe_dump(data, sort_keys=False), "shock.yaml")


def _split(shocks: dict | None = None):
    """teaching_split with the seller's reservation at 0.4 (so B at 0.7 leaves no deal)."""
    data = _yaml("teaching_split.yaml")
    data["profiles"]["S"]["reservation"] = 0.4
    if shocks:
        data["shocks"] = shocks
    return _load(data)


RAISE_B = {
    "strike": {
        "label": "A strike at the buyer's plant",
        "date": dt.date(2024, 2, 15),
        "changes": [{"target": "B.reservation", "add": 0.5}],
    }
}


def _play(loaded, seed=0, draw=0, space=None):
    m = NegotiationModel(loaded, seed=seed, draw=draw, space=space)
    m.run()
    return m


# --- a case worked by hand ---------------------------------------------------------------------


def test_a_shock_that_lifts_a_reservation_above_any_deal_ends_the_talks_without_one():
    # Both concede linearly in time over the 90 days from 1 Jan to the 31 Mar deadline, rounds
    # every 10 days. Without the shock, targets 1 - (1 - R) t/90: B's 1 - 0.8 t/90, S's
    # 1 - 0.6 t/90 (R_S = 0.4); they cross below 1 (U_B + U_S = 1 on price) in round 8 (t = 70:
    # B 0.378, S 0.533): S's offer, worth 0.467 to B (its round-7 target), is accepted: a deal.
    before = _play(_split())
    assert before.summary()["outcome"] == "deal" and before.summary()["rounds"] == 8
    assert before.path().get("shock.strike") is None and "shock.strike" not in before.path()

    # The strike falls on 15 Feb; the first round on or after it is round 6 (20 Feb). B's
    # reservation is then 0.2 + 0.5 = 0.7, above its round-5 target 1 - 0.8 * 40/90 = 0.644, so
    # its target starts again from 0.7 and stays there. S needs 0.4 at least: 0.7 + 0.4 > 1, so no
    # price is acceptable to both; the talks close after round 10 (31 Mar, the deadline) with no
    # extension and no withdrawal hazard: stalemate, the old price 50 worth 0.5 to each.
    m = _play(_split(RAISE_B))
    s = m.summary()
    assert (s["outcome"], s["rounds"], s["date"]) == ("stalemate", 10, "2024-03-31")
    assert s["utilities"] == {"B": 0.5, "S": 0.5}
    assert s["reservations"]["B"] == pytest.approx(0.7)
    assert m.path()["shock.strike"] == dt.date(2024, 2, 20)
    targets_b = [rec["targets"]["B"] for rec in m.history]
    assert targets_b[4] == pytest.approx(1 - 0.8 * 40 / 90)
    assert targets_b[5:] == pytest.approx([0.7] * 5)
    events = [(rec["round"], ev) for rec in m.history for ev in rec["events"] if ev["kind"] == "shock"]
    assert events == [(6, {"kind": "shock", "id": "strike", "label": "A strike at the buyer's plant"})]
    assert event_sentence(events[0][1]) == "A strike at the buyer's plant (shock strike) takes effect"

    # The batch driver plays the same.
    res = run_rows(m.structure, m.space, 0, 0, 1)
    assert (m.structure.outcomes[res.outcome[0]], res.rounds[0]) == ("stalemate", 10)
    assert res.path["shock_day"][0, 0] == dt.date(2024, 2, 20).toordinal()


def test_results_are_clipped_to_the_quantity_bounds_and_a_date_before_the_first_round_applies_at_it():
    shocks = {
        "boom": {
            "date": dt.date(2023, 6, 1),
            "changes": [{"target": "B.reservation", "add": 5.0}, {"target": "S.strategy.beta", "set": 0.5}],
        }
    }
    m = _play(_split(shocks))
    assert m.inputs.reservation[0].tolist() == [1.0, 0.4]
    assert m.inputs.strategy[1]["beta"][0] == 0.5
    assert m.path()["shock.boom"] == dt.date(2024, 1, 1)
    assert event_sentence(m.history[0]["events"][0]) == "shock boom takes effect"


# --- probability, randomness and records --------------------------------------------------------


def _trade_with(shock: dict):
    data = _yaml("teaching_trade.yaml")
    data["shocks"] = {"tariff": shock}
    return _load(data)


def _same_runs(a, b):
    for name in ("outcome", "rounds", "end_day"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(a.agreement, b.agreement)
    np.testing.assert_array_equal(a.utilities, b.utilities)
    for name in a.path:
        if name != "shock_day":
            np.testing.assert_array_equal(a.path[name], b.path[name])


def test_probability_zero_changes_nothing_but_the_shock_column():
    plain = load_scenario(CONFIGS / "teaching_trade.yaml")
    # an uncertain amount and delay take columns in the shock block only, so every other draw
    # of the scenario stays as it was
    never = _trade_with(
        {
            "date": dt.date(2025, 3, 1),
            "delay_days": {"dist": "uniform", "low": 0, "high": 30},
            "probability": 0.0,
            "changes": [{"target": "A.reservation", "add": {"dist": "uniform", "low": -0.2, "high": 0.0}}],
        }
    )
    a = run_rows(plain.structure, plain.space, 9, 0, 400)
    b = run_rows(never.structure, never.space, 9, 0, 400)
    _same_runs(a, b)
    assert (b.path["shock_day"] == -1).all()
    col = path_columns(never.structure, b.path)["shock.tariff"]
    assert col.type == pa.date32() and col.null_count == 400


def test_the_fired_share_matches_the_probability():
    # on the first round's date, so every negotiation meets it: it applies exactly when it fires
    loaded = _trade_with(
        {"date": dt.date(2025, 1, 15), "probability": 0.3, "changes": [{"target": "A.p_withdraw", "add": 0.1}]}
    )
    n = 2000
    res = run_rows(loaded.structure, loaded.space, 4, 0, n)
    share = (res.path["shock_day"][:, 0] >= 0).mean()
    assert abs(share - 0.3) < 4 * np.sqrt(0.3 * 0.7 / n)  # 4 standard errors: 0.041
    assert (res.path["shock_day"][:, 0][res.path["shock_day"][:, 0] >= 0] == dt.date(2025, 1, 15).toordinal()).all()
    # a sweep can vary it as a named slot
    none = run_rows(loaded.structure, loaded.space.with_values({"shocks.tariff.probability": 0.0}), 4, 0, n)
    assert (none.path["shock_day"] == -1).all()


EVERY_KIND = {
    "label": "Everything at once",
    "date": dt.date(2025, 2, 1),
    "delay_days": {"dist": "uniform", "low": 0, "high": 120},
    "probability": {"dist": "uniform", "low": 0.3, "high": 0.9},
    "changes": [
        {"target": "A.reservation", "add": {"dist": "uniform", "low": -0.2, "high": 0.1}},
        {"target": "A.p_withdraw", "add": 0.3},
        {"target": "B.p_extend", "set": 0.5},
        {"target": "C.strategy.beta", "add": {"dist": "uniform", "low": -1.5, "high": 1.5}},
        {"target": "stakes.c_market_access.value", "set": -0.45},
        {"target": "B.tariff.weight", "add": {"dist": "uniform", "low": -0.4, "high": 1.0}},
    ],
}


@pytest.mark.parametrize("which", ["teaching_shock", "every_kind"])
def test_the_two_drivers_agree_with_shocks(which):
    loaded = load_scenario(CONFIGS / "teaching_shock.yaml") if which == "teaching_shock" else _trade_with(EVERY_KIND)
    st, n, seed = loaded.structure, 300, 6
    res = run_rows(st, loaded.space, seed, 0, n)
    fired = res.path["shock_day"][:, 0] >= 0
    assert 0.2 < fired.mean() < 0.8  # both branches are exercised
    for i in range(n):
        m = _play(loaded, seed, i)
        s = m.state
        assert (s.outcome[0], s.rounds[0]) == (res.outcome[i], res.rounds[i]), i
        np.testing.assert_allclose(s.agreement[0], res.agreement[i], rtol=0, atol=1e-9, equal_nan=True)
        got = np.array([m.summary()["utilities"][p] for p in st.parties])
        np.testing.assert_allclose(got, res.utilities[i], rtol=0, atol=1e-9)
        day = res.path["shock_day"][i, 0]
        assert m.path()["shock.tariff"] == (dt.date.fromordinal(int(day)) if day >= 0 else None), i


def test_the_sweep_table_has_a_date_column_per_shock(tmp_path):
    result = CliRunner().invoke(
        cli, ["sweep", "teaching_shock", "--draws", "200", "--seed", "3", "--out", str(tmp_path / "s"), "--no-report"]
    )
    assert result.exit_code == 0, result.output
    table = pa.parquet.read_table(tmp_path / "s" / "outcomes.parquet")
    col = table.column("shock.tariff")
    assert col.type == pa.date32()
    days = {d for d in col.to_pylist() if d is not None}
    assert days and all(d >= dt.date(2025, 4, 1) for d in days)
    assert 0 < col.null_count < 200


# --- bad input -----------------------------------------------------------------------------------


def _runner() -> CliRunner:
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:
        return CliRunner(mix_stderr=False)
    return CliRunner()


SHOCK_TEXT = (CONFIGS / "teaching_shock.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        (
            "target: A.reservation,",
            "target: A.reservaton,",
            "shocks.tariff.changes[0].target",
            "unknown target 'A.reservaton'; did you mean A.reservation",
        ),
        ("target: A.reservation,", "target: A.tariff.ideal,", "shocks.tariff.changes[0].target", "cannot be changed"),
        ("probability: 0.5", "probability: 1.5", "shocks.tariff.probability", "must lie in [0, 1], got 1.5"),
        ("probability: 0.5", "probabilty: 0.5", "shocks.tariff.probabilty", "unknown key"),
        ("date: 2025-04-01", "date: 2026-04-01", "shocks.tariff.date", "after the horizon 2025-12-31"),
        ("add: -0.1}", "add: -0.1, set: 0.2}", "shocks.tariff.changes[0]", "exactly one of 'add' or 'set'"),
    ],
)
def test_a_bad_shock_is_one_line_with_file_line_and_key_path(tmp_path, old, new, key, words):
    assert SHOCK_TEXT.count(old) == 1
    text = SHOCK_TEXT.replace(old, new)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    at = text[: text.index(new)].count("\n") + 1
    result = _runner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {path}:{at}: {key}: "), lines[0]
    assert words in lines[0], lines[0]


def test_a_weight_shock_renormalises_the_weights_and_revalues_the_old_treaty():
    # teaching_trade: A weighs tariff 0.7 and disputes 0.3. A shock before the first round sets
    # A's tariff weight to 0: A's weights become (0, 1), so the old treaty is worth A its
    # disputes value alone, and A's offer plan is worked out again from the new weights.
    data = _yaml("teaching_trade.yaml")
    data["shocks"] = {"refocus": {"date": dt.date(2000, 1, 1), "changes": [{"target": "A.tariff.weight", "set": 0.0}]}}
    loaded = _load(data)
    st = loaded.structure
    m = NegotiationModel(loaded, seed=0, draw=0)
    before = m.parties[0].kernel.plan()
    m.step()
    inp, a = m.inputs, st.parties.index("A")
    np.testing.assert_allclose(inp.weight[0, a], [0.0, 1.0])
    assert inp.revision == 1 and m.parties[0].kernel.plan() is not before
    k = st.issues.index("disputes")
    sq = int(st.status_quo[k])
    assert inp.u_sq[0, a] == pytest.approx(inp.values[0, a, k, sq] + inp.stake[0, a, st.stalemate])
    assert m.path()["shock.refocus"] == dt.date.fromordinal(int(st.planned_days[0]))
