"""Hostile YAML: aliases that expand to a huge document ("billion laughs") and numbers too large to
convert are refused on one line, exit 2, before anything is built from them."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from negotiation.errors import ConfigError
from negotiation.scenario.loader import load_scenario, load_scenario_text
from negotiation.scenario.yamlio import MAX_ALIAS_NODES, MAX_INT_DIGITS
from tests.helpers import CONFIGS, ROOT

SPLIT = (CONFIGS / "teaching_split.yaml").read_text(encoding="utf-8")


def alias_bomb(depth: int = 9, width: int = 9) -> str:
    """``a: &a ["lol", ...]`` (``width`` strings), then each level ``b``, ``c``, ... a list of
    ``width`` aliases of the one before: ``width ** depth`` strings once written out (9 ** 9 =
    387,420,489) from a file of some 300 bytes."""
    names = "abcdefghijklmnopqrstuvwxyz"
    lines = ["a: &a [" + ",".join(['"lol"'] * width) + "]"]
    for k in range(1, depth):
        lines.append(f"{names[k]}: &{names[k]} [" + ",".join([f"*{names[k - 1]}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_one_problem_naming_its_line():
    bomb = alias_bomb(depth=6)  # 531,441 strings written out: small enough to fail in-process
    with pytest.raises(ConfigError) as info:
        load_scenario_text(bomb, "bomb.yaml")
    (problem,) = info.value.problems
    # Nodes written out again through aliases, level by level: b 9 * 10 = 90, c 9 * 91 = 819,
    # d 9 * 820 = 7,380, e 9 * 7,381 = 66,429 (74,718 so far); the first alias of f adds
    # 66,430 more (141,148 > 100,000): line 6, key path f[0].
    assert (problem.file, problem.line, problem.path) == ("bomb.yaml", 6, "f[0]")
    assert f"more than {MAX_ALIAS_NODES:,} nodes" in problem.message


def test_aliases_that_refer_to_themselves_are_refused():
    with pytest.raises(ConfigError) as info:
        load_scenario_text("a: &a [1, *a]\n", "loop.yaml")
    (problem,) = info.value.problems
    assert (problem.line, problem.path) == (1, "a[1]")
    assert "refers to a node that contains it" in problem.message


def test_modest_aliases_still_load():
    # the NegMAS twin shares its distributions through anchors and aliases
    loaded = load_scenario(ROOT / "benchmarks" / "twin.yaml")
    assert loaded.scenario.profiles["C"].issues["i5"].values["e"].high == 1
    # under the bound: four levels write out 74,718 nodes again (see above)
    text = alias_bomb(depth=5) + SPLIT
    with pytest.raises(ConfigError) as info:
        load_scenario_text(text, "x.yaml")
    assert [p.message for p in info.value.problems][0] == "unknown key"  # past the aliases, to the schema


def _limit_memory_and_cpu():
    resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))
    resource.setrlimit(resource.RLIMIT_CPU, (60, 60))


def test_cli_refuses_the_bomb_within_a_memory_and_cpu_limit(tmp_path):
    # Before the bound, validating this file took ~99 s and ~8.9 GB: under 1.5 GB of address space
    # it died of MemoryError with a traceback (exit 1), or was killed at 60 s of CPU.
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb(), encoding="utf-8")
    assert bomb.stat().st_size < 400
    done = subprocess.run(
        [sys.executable, "-m", "negotiation", "validate", str(bomb)],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limit_memory_and_cpu,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"error: {bomb}:6: f[0]: aliases write out more than {MAX_ALIAS_NODES:,} nodes")


def _with(old: str, new: str) -> str:
    assert old in SPLIT
    return SPLIT.replace(old, new, 1)


@pytest.mark.parametrize(
    "number,digits",
    [("9" * 5000, 5000), ("-" + "9" * 5000, 5000), ("0x" + "f" * 5000, 5000), ("1_000_" + "0" * 30, 34)],
)
def test_an_integer_too_long_is_one_line(tmp_path, negotiate, number, digits):
    text = _with("status_quo: 50", f"status_quo: {number}")
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    result = negotiate("validate", path)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"error: {path}:14: issues.price.status_quo: integer too long ({digits:,} digits; at most {MAX_INT_DIGITS})"
    ]


def test_a_key_too_long_an_integer_is_one_line():
    # an explicit key (``? ...``) may be longer than the 1,024 characters of a plain one
    with pytest.raises(ConfigError) as info:
        load_scenario_text("parties:\n  ? " + "9" * 5000 + "\n  : {name: x}\n", "k.yaml")
    (problem,) = info.value.problems
    assert str(problem) == "k.yaml:2: parties: a key is an integer too long (5,000 digits; at most 18)"


def test_an_integer_at_the_bound_reaches_the_schema(tmp_path):
    text = _with("status_quo: 50", f"status_quo: {'9' * MAX_INT_DIGITS}")
    with pytest.raises(ConfigError) as info:
        load_scenario_text(text, "x.yaml")
    (problem,) = info.value.problems
    assert problem.path == "issues.price" and "is outside range [0.0, 100.0]" in problem.message


def test_a_huge_integer_given_as_data_is_shown_by_its_size():
    # The API takes parsed data too: a value too large to print in decimal must not crash the message.
    from negotiation.scenario.loader import validate_data
    from negotiation.scenario.yamlio import parse_yaml

    data, lines = parse_yaml(SPLIT, "x.yaml")
    data["profiles"]["B"]["reservation"] = 16**5000
    with pytest.raises(ConfigError) as info:
        validate_data(data, lines, "x.yaml")
    (problem,) = info.value.problems
    assert problem.path == "profiles.B.reservation"
    assert "an integer of 6,021 digits" in problem.message


@pytest.mark.parametrize("draws", ["9" * 30, "1_000_001"])
def test_sweep_draws_are_bounded(tmp_path, negotiate, draws):
    path = tmp_path / "many.yaml"
    path.write_text(SPLIT + f"sweep: {{draws: {draws}}}\n", encoding="utf-8")
    result = negotiate("validate", path)
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {path}:31: sweep")
    assert (
        ("integer too long" in line)
        if len(draws) > 20
        else line.endswith("sweep.draws: expected less than or equal to 1000000, got 1000001")
    )


def test_bundled_scenarios_in_a_subprocess_are_unaffected():
    done = subprocess.run(
        [sys.executable, "-m", "negotiation", "validate", str(CONFIGS / "nafta_2017.yaml")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(ROOT),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "ok"


@pytest.mark.parametrize(
    "old,new,line,path,message",
    [
        # 1e308 weights overflowed the utility sum: the run ended in termination with no error
        (
            "price: {weight: 1, ideal: 0}",
            "price: {weight: 1.0e+308, ideal: 0}",
            19,
            "profiles.B.issues.price.weight",
            "a weight must lie in [0, 1e+06], got 1e+308",
        ),
        (
            "range: [0, 100]",
            "range: [-1.0e+300, 1.0e+300]",
            10,
            "issues.price",
            "range values must lie in [-1e+12, 1e+12]",
        ),
        ("scale", "", None, "", ""),
    ],
)
def test_weights_and_ranges_are_bounded(old, new, line, path, message):
    if old == "scale":
        text = _with("    status_quo: 50", "    status_quo: 50\n    scale: 1.0e+300")
        line, path, message = 15, "issues.price.scale", "expected less than or equal to 1000000000000, got 1e+300"
    else:
        text = _with(old, new)
    with pytest.raises(ConfigError) as info:
        load_scenario_text(text, "x.yaml")
    assert [(p.line, p.path, p.message) for p in info.value.problems][:1] == [(line, path, message)]
