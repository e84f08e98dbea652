"""``negotiate tournament`` and ``negotiate strategies``, checked against direct batch runs.

Teaching trade case: three parties (A, B, C), so two strategies give 2**3 = 8 assignments.
"""

from __future__ import annotations

import csv
import itertools
import json
import math

import negotiation.strategies as agents
import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml

from negotiation.drivers.batch import run_rows
from negotiation.experiments.tournament import assigned_config, assignments
from negotiation.scenario.loader import load_scenario, load_scenario_text
from tests.helpers import CONFIGS

TRADE = CONFIGS / "teaching_trade.yaml"
NAFTA = CONFIGS / "nafta_2017.yaml"
DRAWS = 300
Z = 1.959963984540054  # the 97.5% normal quantile


def wilson(k: int, n: int) -> tuple[float, float]:
    """The Wilson score interval, written out here independently of negotiation.experiments.results."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@pytest.fixture(scope="module")
def tournament_dir(tmp_path_factory, negotiate):
    out = tmp_path_factory.mktemp("tournament") / "t"
    result = negotiate(
        "tournament", TRADE, "--strategies", "boulware,conceder", "--draws", DRAWS, "--out", out, "--quiet"
    )
    assert result.exit_code == 0, result.output + (result.stderr or "")
    return out


@pytest.fixture(scope="module")
def trade():
    return load_scenario(TRADE)


def test_tournament_writes_eight_rows_in_csv_and_parquet(tournament_dir, trade):
    st = trade.structure
    assert st.parties == ["A", "B", "C"]
    table = pq.read_table(tournament_dir / "tournament.parquet").to_pylist()
    with open(tournament_dir / "tournament.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(table) == 8 == len(rows) == 2**3
    # every assignment of the two strategies to the three parties, once each
    got = sorted(tuple(r[f"strategy.{p}"] for p in st.parties) for r in table)
    assert got == sorted(itertools.product(["boulware", "conceder"], repeat=3))
    # the CSV holds the same figures as the parquet file
    for prow, crow in zip(table, rows, strict=True):
        assert set(crow) == set(prow)
        for key, value in prow.items():
            if isinstance(value, str):
                assert crow[key] == value
            else:
                assert float(crow[key]) == pytest.approx(value, abs=1e-12), key
    for r in table:
        assert r["n_draws"] == DRAWS
        assert sum(r[f"p.{o}"] for o in st.outcomes) == pytest.approx(1.0, abs=1e-9)
        for o in st.outcomes:
            assert 0.0 <= r[f"ci95_low.{o}"] <= r[f"p.{o}"] <= r[f"ci95_high.{o}"] <= 1.0


def test_each_row_equals_a_direct_run_of_its_assignment(tournament_dir, trade):
    st = trade.structure
    table = pq.read_table(tournament_dir / "tournament.parquet").to_pylist()
    distinct = set()
    for r in table:
        assignment = {p: r[f"strategy.{p}"] for p in st.parties}
        direct = load_scenario_text(assigned_config(trade, assignment))
        for p, name in assignment.items():
            assert direct.scenario.profiles[p].strategy.name == name
        res = run_rows(direct.structure, direct.space, 0, 0, DRAWS)
        counts = np.bincount(res.outcome, minlength=len(st.outcomes))
        for k, o in enumerate(st.outcomes):
            assert r[f"p.{o}"] == pytest.approx(counts[k] / DRAWS, abs=1e-12), (assignment, o)
            lo, hi = wilson(int(counts[k]), DRAWS)
            assert r[f"ci95_low.{o}"] == pytest.approx(lo, abs=1e-11)
            assert r[f"ci95_high.{o}"] == pytest.approx(hi, abs=1e-11)
        for j, p in enumerate(st.parties):
            assert r[f"mean_u.{p}"] == pytest.approx(res.utilities[:, j].mean(), abs=1e-11), (assignment, p)
        distinct.add(tuple(np.round(counts / DRAWS, 6)) + tuple(np.round(res.utilities.mean(axis=0), 6)))
    # the assignments do make a difference (else the comparison above proves little)
    assert len(distinct) >= 4


def test_summary_json_matches_the_table(tournament_dir, trade):
    st = trade.structure
    summary = json.loads((tournament_dir / "summary.json").read_text())
    table = pq.read_table(tournament_dir / "tournament.parquet").to_pylist()
    assert summary["n_draws"] == 8 * DRAWS and summary["seed"] == 0
    assert summary["strategies"] == ["boulware", "conceder"]
    assert len(summary["assignments"]) == 8
    for entry, r in zip(summary["assignments"], table, strict=True):
        assert entry["assignment"] == {p: r[f"strategy.{p}"] for p in st.parties}
        assert entry["n_draws"] == DRAWS
        assert sum(v["n"] for v in entry["outcomes"].values()) == DRAWS
        for o in st.outcomes:
            assert entry["outcomes"][o]["p"] == r[f"p.{o}"]
            assert entry["outcomes"][o]["n"] == round(r[f"p.{o}"] * DRAWS)
        assert entry["mean_utility"] == {p: r[f"mean_u.{p}"] for p in st.parties}
    manifest = json.loads((tournament_dir / "manifest.json").read_text())
    assert manifest["status"] == "complete"


def test_assigned_config_keeps_configured_params_only_for_the_same_strategy(trade):
    # teaching_trade: A plays time_dependent with beta 0.5, C with beta 2 exponential k 0.05.
    text = assigned_config(trade, {"A": "time_dependent", "B": "hardliner", "C": "boulware"})
    data = yaml.safe_load(text)
    assert data["profiles"]["A"]["strategy"] == {"name": "time_dependent", "params": {"beta": 0.5}}
    assert data["profiles"]["B"]["strategy"] == {"name": "hardliner", "params": {}}
    assert data["profiles"]["C"]["strategy"] == {"name": "boulware", "params": {}}
    loaded = load_scenario_text(text)
    # the defaults apply where the config gave another strategy: hardliner floor 0.8, boulware beta 0.2
    space = loaded.space
    assert space["A.strategy.beta"].value == 0.5
    assert space["B.strategy.floor"].value == 0.8
    assert space["C.strategy.beta"].value == 0.2
    assert "C.strategy.k" in space.index and space["C.strategy.k"].value == 0.0
    assert assignments(["A", "B"], ["x", "y", "z"]) == [
        {"A": a, "B": b} for a, b in itertools.product(["x", "y", "z"], repeat=2)
    ]


def test_unknown_strategy_exits_2_with_one_line_listing_the_known_names(tmp_path, negotiate):
    out = tmp_path / "t"
    res = negotiate("tournament", TRADE, "--strategies", "boulware,nosuch", "--draws", 10, "--out", out)
    assert res.exit_code == 2
    lines = res.stderr.splitlines()
    assert lines == ["error: unknown strategy 'nosuch'; known strategies: " + ", ".join(sorted(agents.REGISTRY))]
    assert res.stdout == ""
    assert not out.exists()


@pytest.mark.parametrize("names", ["boulware,boulware", " , ", "linear,"])
def test_bad_strategy_lists(tmp_path, negotiate, names):
    res = negotiate("tournament", TRADE, "--strategies", names, "--out", tmp_path / "t")
    if names == "linear,":  # a trailing comma is harmless: one strategy, 1 ** 3 assignments
        assert res.exit_code == 0, res.stderr
        assert len(pq.read_table(tmp_path / "t" / "tournament.parquet")) == 1
    else:
        assert res.exit_code == 2
        assert len(res.stderr.splitlines()) == 1 and res.stderr.startswith("error: --strategies ")


def test_strategies_lists_every_registered_name(negotiate):
    res = negotiate("strategies")
    assert res.exit_code == 0
    lines = res.output.splitlines()
    heads = [line.split()[0] for line in lines if line and not line[0].isspace()]
    assert heads == sorted(agents.REGISTRY)
    for name, cls in agents.REGISTRY.items():
        at = next(k for k, line in enumerate(lines) if line.split()[0] == name)
        assert cls.summary in lines[at]
        assert cls.traits.concession in lines[at + 1]
        assert lines[at + 2].split()[0] == "params:"
        for pname in cls.params:
            assert f"{pname}=" in lines[at + 2], (name, pname)
    boulware = next(line for line in lines if line.strip().startswith("params:") and "beta=0.2 [0.01, 1]" in line)
    assert "k=0 [0, 1]" in boulware


def _bad_nafta(tmp_path, party, strategy):
    data = yaml.safe_load(NAFTA.read_text())
    data["profiles"][party]["strategy"] = strategy
    path = tmp_path / f"bad_{party}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.parametrize(
    ("party", "strategy", "message"),
    [
        (
            "US",
            {"name": "time_dependent", "params": {"beta": -1}},
            "profiles.US.strategy.params.beta: US's time_dependent parameter beta must lie in [0.01, 100], got -1",
        ),
        (
            "CA",
            {"name": "hardliner", "params": {"floor": 1.5}},
            "profiles.CA.strategy.params.floor: CA's hardliner parameter floor must lie in [0, 1], got 1.5",
        ),
        (
            "MX",
            {"name": "noisy", "params": {"base": "boulware", "noise": 0.7}},
            "profiles.MX.strategy.params.noise: MX's noisy parameter noise must lie in [0, 0.5], got 0.7",
        ),
    ],
)
@pytest.mark.parametrize("command", ["validate", "tournament"])
def test_strategy_parameter_out_of_range_exits_2_naming_party_and_path(
    tmp_path, negotiate, party, strategy, message, command
):
    path = _bad_nafta(tmp_path, party, strategy)
    args = [command, path]
    if command == "tournament":
        args += ["--strategies", "linear", "--draws", "5", "--out", tmp_path / "t", "--quiet"]
    res = negotiate(*args)
    assert res.exit_code == 2
    lines = res.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {path}:")
    assert lines[0].endswith(message)
    assert not (tmp_path / "t").exists()


def test_strategy_parameter_out_of_range_in_the_teaching_trade(tmp_path, negotiate):
    text = TRADE.read_text().replace(
        "strategy: {name: time_dependent, params: {beta: 0.5}}", "strategy: {name: hardliner, params: {floor: 1.5}}"
    )
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(text)
    res = negotiate("validate", cfg)
    assert res.exit_code == 2
    assert "profiles.A.strategy.params.floor: A's hardliner parameter floor must lie in [0, 1], got 1.5" in res.stderr


def test_chunked_parallel_tournament_equals_the_serial_one(trade):
    # Rows 0..49 in chunks of 20, 20 and 10 on two worker processes: the same counts and means
    # as one chunk in this process (common random numbers: row i is row i wherever it is played).
    from negotiation.experiments.tournament import run_tournament

    parallel = run_tournament(trade, ["linear", "hardliner"], 50, 4, rows=20, workers=2)
    serial = run_tournament(trade, ["linear", "hardliner"], 50, 4)
    assert parallel == serial
    assert len(serial) == 8 and all(r["n_draws"] == 50 for r in serial)


def test_standings_equal_the_per_row_means_of_direct_runs(tournament_dir, trade):
    # Per row r, a strategy's score is the mean utility over its 12 slots (8 assignments x 3
    # parties hold 24 slots, 12 per strategy); its mean utility is the mean score over the 300 rows.
    from scipy.stats import t

    st = trade.structure
    summary = json.loads((tournament_dir / "summary.json").read_text())
    plan = assignments(st.parties, ["boulware", "conceder"])
    runs = [
        run_rows(*(lambda d: (d.structure, d.space))(load_scenario_text(assigned_config(trade, a))), 0, 0, DRAWS)
        for a in plan
    ]
    deal = st.outcomes.index("deal")
    got = {r["strategy"]: r for r in summary["standings"]}
    assert [r["rank"] for r in summary["standings"]] == [1, 2]
    assert summary["standings"][0]["mean_utility"] >= summary["standings"][1]["mean_utility"]
    for name in ("boulware", "conceder"):
        score = np.mean(
            [runs[k].utilities[:, j] for k, a in enumerate(plan) for j, p in enumerate(st.parties) if a[p] == name],
            axis=0,
        )
        games = [k for k, a in enumerate(plan) if name in a.values()]
        share = np.mean([runs[k].outcome == deal for k in games], axis=0)
        half = t.ppf(0.975, DRAWS - 1) * score.std(ddof=1) / math.sqrt(DRAWS)
        r = got[name]
        assert (r["slots"], r["games"], r["n_draws"]) == (12, 7, DRAWS)
        assert r["mean_utility"] == pytest.approx(score.mean(), abs=1e-11)
        assert r["mean_utility_ci95"] == pytest.approx([score.mean() - half, score.mean() + half], abs=1e-10)
        assert r["deal_rate"] == pytest.approx(share.mean(), abs=1e-11)
        lo, hi = wilson(share.mean() * DRAWS, DRAWS)
        assert r["deal_rate_ci95"] == pytest.approx([lo, hi], abs=1e-10)
    # pairwise: boulware against conceder is the slots where one party plays boulware and both
    # others conceder: (b, c, c), (c, b, c), (c, c, b), each with one slot
    cell = summary["pairwise"]["boulware"]["conceder"]
    slots = [
        (k, j)
        for k, a in enumerate(plan)
        for j, p in enumerate(st.parties)
        if a[p] == "boulware" and all(a[q] == "conceder" for q in st.parties if q != p)
    ]
    assert len(slots) == 3 == cell["slots"]
    row = np.mean([runs[k].utilities[:, j] for k, j in slots], axis=0)
    assert cell["mean_utility"] == pytest.approx(row.mean(), abs=1e-11)
    # the two strategies differ (else the comparison proves little)
    assert abs(got["boulware"]["mean_utility"] - got["conceder"]["mean_utility"]) > 0.01


def test_chunked_parallel_standings_equal_the_serial_ones(trade):
    from negotiation.experiments.tournament import play_tournament

    parallel = play_tournament(trade, ["linear", "hardliner"], 50, 4, rows=20, workers=2)[1]
    serial = play_tournament(trade, ["linear", "hardliner"], 50, 4)[1]
    assert parallel == serial
    assert [r["n_draws"] for r in serial["standings"]] == [50, 50]


def test_cli_prints_the_standings(tmp_path, negotiate):
    out = tmp_path / "t"
    res = negotiate("tournament", TRADE, "--strategies", "boulware,conceder", "--draws", 40, "--out", out, "--quiet")
    assert res.exit_code == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text())
    lines = res.stdout.splitlines()
    at = lines.index("standings (mean utility, 95% t interval; deal rate, 95% Wilson interval):")
    for k, r in enumerate(summary["standings"]):
        u, d = r["mean_utility_ci95"], r["deal_rate_ci95"]
        assert lines[at + 1 + k] == (
            f"   {k + 1}. {r['strategy']:<8}  utility {r['mean_utility']:.3f} [{u[0]:.3f}, {u[1]:.3f}]"
            f"  deal rate {r['deal_rate']:.3f} [{d[0]:.3f}, {d[1]:.3f}]"
        )
