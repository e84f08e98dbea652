"""Tournaments, the strategies listing, and the BDM forecast on the published EC data."""

import json
from pathlib import Path

import negotiation.strategies as agents
import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from negotiation.analysis.forecast import (
    expected_utility,
    forecast,
    median_voter,
    risk_exponents,
    weighted_mean,
    win_probability,
)
from negotiation.cli.commands import cli
from negotiation.drivers.batch import run_rows
from negotiation.experiments.tournament import assigned_config
from negotiation.scenario.loader import load_scenario, load_scenario_text

ROOT = Path(__file__).resolve().parent.parent
TRADE = ROOT / "configs" / "teaching_trade.yaml"

# European Community emissions case: capability / position (years) / salience
EC = {
    "NL": (0.08, 4, 0.8),
    "BE": (0.08, 7, 0.4),
    "LU": (0.03, 4, 0.2),
    "DE": (0.16, 4, 0.8),
    "FR": (0.16, 10, 0.6),
    "IT": (0.16, 10, 0.6),
    "UK": (0.16, 10, 0.9),
    "IE": (0.05, 7, 0.1),
    "DK": (0.05, 4, 1.0),
    "GR": (0.08, 7, 0.7),
}
C = np.array([v[0] for v in EC.values()])
X = np.array([v[1] for v in EC.values()], dtype=float)
S = np.array([v[2] for v in EC.values()])


def test_tournament_table_matches_direct_runs(tmp_path):
    out = tmp_path / "t"
    result = CliRunner().invoke(
        cli,
        [
            "tournament",
            str(TRADE),
            "--strategies",
            "boulware,conceder",
            "--draws",
            "300",
            "--out",
            str(out),
            "--quiet",
            "--no-report",
        ],
    )
    assert result.exit_code == 0, result.output
    table = pq.read_table(out / "tournament.parquet").to_pylist()
    assert len(table) == 8 and (out / "tournament.csv").exists()
    loaded = load_scenario(TRADE)
    st = loaded.structure
    for row in (table[0], table[5], table[7]):
        assignment = {p: row[f"strategy.{p}"] for p in st.parties}
        direct = load_scenario_text(assigned_config(loaded, assignment))
        res = run_rows(direct.structure, direct.space, 0, 0, 300)
        assert sum(row[f"p.{o}"] for o in st.outcomes) == pytest.approx(1.0)
        for k, o in enumerate(st.outcomes):
            assert row[f"p.{o}"] == pytest.approx((res.outcome == k).mean())
        for j, p in enumerate(st.parties):
            assert row[f"mean_u.{p}"] == pytest.approx(res.utilities[:, j].mean())


def test_tournament_and_strategy_errors(tmp_path):
    runner = CliRunner()
    bad = runner.invoke(cli, ["tournament", str(TRADE), "--strategies", "boulware,nosuch"])
    assert bad.exit_code == 2 and bad.stderr.startswith("error: unknown strategy 'nosuch'; known strategies: ")
    listing = runner.invoke(cli, ["strategies"])
    assert all(name in listing.output for name in agents.REGISTRY)
    text = TRADE.read_text().replace(
        "strategy: {name: time_dependent, params: {beta: 0.5}}", "strategy: {name: hardliner, params: {floor: 1.5}}"
    )
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(text)
    res = runner.invoke(cli, ["validate", str(cfg)])
    assert res.exit_code == 2
    assert "profiles.A.strategy.params.floor: A's hardliner parameter floor must lie in [0, 1], got 1.5" in res.stderr


def test_ec_round_zero_by_hand():
    # weights c*s: .064 .032 .006 .128 .096 .096 .144 .005 .05 .056 (sum .677);
    # sum c*s*x = .256 + .224 + .024 + .512 + .96 + .96 + 1.44 + .035 + .2 + .392 = 5.003 -> 7.39
    assert weighted_mean(X, C, S) == pytest.approx(5.003 / 0.677, abs=1e-9)
    assert round(weighted_mean(X, C, S), 2) == 7.39
    # 7 vs 4: the camp at 4 (.248) prefers 4 by 3 years, the camps at 7 (.093) and 10 (.336)
    # prefer 7 by 3: margin 3 (.093 + .336 - .248) = .543 > 0. 7 vs 10: 3 (.248 + .093 - .336) = .015 > 0.
    assert median_voter(X, C, S) == 7.0
    first = forecast(X, C, S, rounds=3)[0]
    assert (first.median, round(first.mean, 2)) == (7.0, 7.39)


def test_ec_forecast_from_the_config():
    res = CliRunner().invoke(
        cli, ["forecast", str(ROOT / "configs" / "bdm_ec_emissions.yaml"), "--rounds", "4", "--json"]
    )
    assert res.exit_code == 0, res.output
    rounds = json.loads(res.stdout)["years"]
    assert len(rounds) == 5 and rounds[0]["forecast"] == 7.0 and round(rounds[0]["mean"], 2) == 7.39
    assert rounds[0]["positions"] == dict(zip(EC, X.tolist(), strict=True))


def test_win_probability_by_hand():
    # three actors at 0, 1, 3 with weight 1 each; contest 0 vs 3: actor at 0 votes 3 for 0,
    # actor at 1 votes |1-3| - |1-0| = 1 for 0, actor at 3 votes 3 for 3: P = 4 / 7
    p = win_probability(np.array([0.0, 1.0, 3.0]), np.ones(3), np.ones(3))
    assert p[0, 2] == pytest.approx(4 / 7) and p[2, 0] == pytest.approx(3 / 7)
    assert np.allclose(p + p.T, 1 - np.eye(3))


def test_expected_utility_two_actors_by_hand():
    # positions 0 and 1 (d = 1), r = 1: Us = 2 - 4 (0.5 - 0.5) = 2, Uf = 2 - 4 (1) = -2, Usq = 0.
    # Saliences 1 and 0.25, capabilities 1: votes for 0 are 1 * 1, for 1 are 0.25 * 1, so
    # P_01 = 1 / 1.25 = 0.8. EU_01 = s_1 (0.8 * 2 + 0.2 * -2) + (1 - s_1) 2 = 0.25 * 1.2 + 1.5 = 1.8;
    # EU_10 = s_0 (0.2 * 2 + 0.8 * -2) + 0 = -1.2.
    eu = expected_utility(np.array([0.0, 1.0]), np.ones(2), np.array([1.0, 0.25]), 0.0, np.ones(2), 1.0)
    assert eu[0, 1] == pytest.approx(1.8) and eu[1, 0] == pytest.approx(-1.2)
    r = risk_exponents(expected_utility(X, C, S, 7.0, np.ones(10), 6.0))
    assert np.all((r >= 0.5 - 1e-12) & (r <= 2 + 1e-12))


def test_forecast_bad_input():
    runner = CliRunner()
    cfg = str(ROOT / "configs" / "bdm_ec_emissions.yaml")
    assert runner.invoke(cli, ["forecast", cfg, "--rounds", "-1"]).exit_code == 2
    bad = runner.invoke(cli, ["forecast", cfg, "--issue", "nosuch"])
    assert bad.exit_code == 2 and "unknown issue 'nosuch'" in bad.stderr
