"""The work a scenario asks for: units by hand, the bound on one negotiation's work, the estimate
``negotiate validate`` prints and the classroom's budget."""

from __future__ import annotations

import pytest

from negotiation.errors import ConfigError
from negotiation.scenario.cost import (
    MAX_UNITS_PER_DRAW,
    SECONDS_PER_PARTY_ISSUE_ROUND,
    SECONDS_PER_UNIT,
    estimate,
    over_budget,
    units_per_draw,
)
from negotiation.scenario.loader import load_scenario, load_scenario_text
from tests.helpers import synthetic


def test_units_by_hand(nafta):
    # teaching_split: 15 rounds at most, 2 parties, one continuous issue of 2 * 2 = 4 pieces:
    # 15 * 2 * 2 * (4 + 1) = 300.
    assert load_scenario("teaching_split").structure.max_rounds == 15
    assert units_per_draw(load_scenario("teaching_split").structure) == 300
    # nafta_2017: 32 rounds at most, 3 parties; three continuous issues of 2 * 3 = 6 pieces and two
    # of three options (2 pieces each): 22 pieces, 5 issues: 32 * 3 * 3 * (22 + 5) = 7,776.
    assert (nafta.structure.max_rounds, units_per_draw(nafta.structure)) == (32, 7776)


def test_estimate_in_seconds(nafta):
    cost = estimate(nafta, 2000)
    assert (cost.units_per_draw, cost.draws) == (7776, 2000)
    assert cost.seconds == pytest.approx(7776 * 2000 * SECONDS_PER_UNIT)
    # one game round by round: its units, and 32 rounds of 3 parties x 5 issues of the Mesa driver
    assert cost.game_seconds == pytest.approx(7776 * SECONDS_PER_UNIT + 32 * 3 * 5 * SECONDS_PER_PARTY_ISSUE_ROUND)


def test_validate_prints_the_estimate(ok):
    lines = ok("validate", "teaching_split").stdout.splitlines()
    # 300 units * 1,000 draws * 7.8 ns = 0.00234 s; one game: 300 * 7.8 ns + 15 rounds * 2 parties
    # * 1 issue * 0.1 ms = 0.0030 s
    assert lines == [
        "ok",
        "cost: ~300 units per draw, ~0.0023 s for 1,000 draws on one core, ~0.003 s for one game played round by round",
    ]


def test_a_heavy_scenario_is_refused_on_one_line(tmp_path, negotiate):
    # 20 parties, 100 issues, 1,000 weekly rounds (a 250 kB file): accepted before, and a single
    # `negotiate run` of it did not end in 300 s. Up to 1,235 rounds (the horizon, 400 days past
    # the deadline, holds 235 more after extensions); 50 continuous issues of 40 pieces and 50 of
    # 4: 2,200 pieces; 1,235 * 20 * 20 * (2,200 + 100) = 1,136,200,000 units.
    heavy = tmp_path / "heavy.yaml"
    heavy.write_text(synthetic(20, 100, 1000), encoding="utf-8")
    for command in (["validate", heavy], ["run", heavy, "--out", tmp_path / "run"]):
        result = negotiate(*command)
        assert result.exit_code == 2, result.output
        (line,) = result.stderr.splitlines()
        assert line.startswith(
            f"error: {heavy}: too much work for one negotiation: 20 parties, 100 issues, up to 1235 rounds "
            f"are ~1,136,200,000 units (at most {MAX_UNITS_PER_DRAW:,};"
        ), line
        assert line.endswith("use fewer parties, issues, options or rounds")
    assert not (tmp_path / "run").exists()


def test_a_large_scenario_within_the_bounds_loads():
    # 20 parties, 20 issues, 60 rounds (75 at most): 75 * 400 * (10 * 40 + 10 * 4 + 20) = 13,800,000
    loaded = load_scenario_text(synthetic(20, 20, 60))
    assert units_per_draw(loaded.structure) == 13_800_000 < MAX_UNITS_PER_DRAW


def test_a_long_game_round_by_round_is_refused():
    # Few units but many parties and issues each round of the Mesa driver: 5 parties and 100
    # issues (50 continuous of 10 pieces, 50 binary of 1), up to 1,235 rounds: 1,235 * 25 * (550 +
    # 100) = 20,068,750 units, under the bound, but 1,235 * 5 * 100 * 0.1 ms = 62 s round by round.
    with pytest.raises(ConfigError) as info:
        load_scenario_text(synthetic(5, 100, 1000, options=2))
    (problem,) = info.value.problems
    assert "are ~20,068,750 units (at most 50,000,000;" in problem.message
    assert "and ~1 min played round by round (at most 1 min)" in problem.message


def test_classroom_budget(nafta):
    assert over_budget(nafta, 2000, 30.0) is None
    heavy = load_scenario_text(synthetic(20, 20, 60))
    # 13,800,000 units * (300 + 1) * 7.8 ns + 75 * 20 * 20 * 0.1 ms = 35.4 s > 30 s
    message = over_budget(heavy, 300, 30.0)
    assert message.startswith(
        "This scenario is too heavy for a classroom room: one game and its 300-draw Monte Carlo are "
        "estimated at ~35 s of computing, above the budget of 30 s"
    )
