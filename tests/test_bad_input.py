"""Bad input: one clear line per problem (file, line, key path, what was expected), exit 2,
never a traceback; nothing written for a config that does not load."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from negotiation.cli.commands import cli

ROOT = Path(__file__).resolve().parent.parent
SPLIT = (ROOT / "configs" / "teaching_split.yaml").read_text()
NAFTA = (ROOT / "configs" / "nafta_2017.yaml").read_text()


def variant(tmp_path, base: str, old: str, new: str, name="bad.yaml") -> Path:
    assert old in base, old
    path = tmp_path / name
    path.write_text(base.replace(old, new, 1))
    return path


def errors(path, *extra, command="validate"):
    result = CliRunner().invoke(cli, [command, str(path), *extra])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.stderr.splitlines() if ln]
    assert lines and all(ln.startswith("error: ") for ln in lines)
    return lines


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


CASES = [
    # (base, old, new, expected key path, expected words, line of this fragment in the new text)
    (SPLIT, "  B: {name: Buyer}", "  B: {name: Buyer, colour: red}", "parties.B.colour", "unknown key", "colour"),
    (SPLIT, "reservation: 0.2", "reservation: high", "profiles.B.reservation", "expected a valid number", "high"),
    (SPLIT, "reservation: 0.2", "reservation: .nan", "profiles.B.reservation", "finite number", ".nan"),
    (
        SPLIT,
        "price: {weight: 1, ideal: 0}",
        "price: {weight: -1, ideal: 0}",
        "profiles.B.issues.price.weight",
        "must be at least 0, got -1",
        "weight: -1",
    ),
    (
        SPLIT,
        "price: {weight: 1, ideal: 0}",
        "price: {weight: 1, ideal: 150}",
        "profiles.B.issues.price.ideal",
        "must lie in [0, 100], got 150",
        "ideal: 150",
    ),
    (
        SPLIT,
        "reservation: 0.2",
        "reservation: {dist: uniform, low: 0.5, high: 0.1}",
        "profiles.B.reservation",
        "low (0.5) must not exceed high (0.1)",
        "dist: uniform",
    ),
    (
        SPLIT,
        "reservation: 0.2",
        "reservation: {dist: normal, mean: 0.3, sd: 0.1, low: 0.5, high: 0.1}",
        "profiles.B.reservation",
        "low (0.5) must not exceed high (0.1)",
        "dist: normal",
    ),
    (
        SPLIT,
        "reservation: 0.2",
        "reservation: {dist: triangular, low: 0.1, mode: 0.9, high: 0.5}",
        "profiles.B.reservation",
        "low <= mode <= high",
        "dist: triangular",
    ),
    (
        SPLIT,
        "reservation: 0.2",
        "reservation: {dist: beta, low: 0.1, high: 0.5}",
        "profiles.B.reservation",
        "unknown distribution",
        "dist: beta",
    ),
    (
        SPLIT,
        "name: time_dependent, params: {beta: 1.0}",
        "name: tit4tat, params: {beta: 1.0}",
        "profiles.B.strategy.name",
        "known strategies: boulware",
        "tit4tat",
    ),
    (
        SPLIT,
        "name: time_dependent, params: {beta: 1.0}",
        "name: time_dependent, params: {beta: -1.0}",
        "profiles.B.strategy.params.beta",
        "B's time_dependent parameter beta must lie in [0.01, 100], got -1",
        "beta: -1",
    ),
    (
        SPLIT,
        "  deadline: 2024-03-31",
        "  deadline: 2024-03-01",
        "calendar.deadline",
        "before the last planned round",
        "deadline: 2024-03-01",
    ),
    (
        SPLIT,
        "  horizon: 2024-12-31",
        "  horizon: 2024-02-01",
        "calendar.horizon",
        "before the deadline",
        "horizon: 2024-02-01",
    ),
    (NAFTA, "    holder: MX\n", "    holder: XX\n", "stakes.mx_cooperation.holder", "unknown party 'XX'", "holder: XX"),
    (
        NAFTA,
        "    affects: CA\n",
        "    affects: QC\n",
        "stakes.tpp_alternative.affects",
        "unknown party 'QC'",
        "affects: QC",
    ),
    (
        NAFTA,
        "when: [termination, bilateral_US_CA]",
        "when: [termination, bilateral_US_QC]",
        "stakes.mx_cooperation.when[1]",
        "unknown outcome 'bilateral_US_QC'",
        "when: [termination, bilateral_US_QC]",
    ),
    (NAFTA, "  - pair: [US, MX]", "  - pair: [US, QC]", "coalitions[1].pair", "unknown party 'QC'", "pair: [US, QC]"),
    (
        NAFTA,
        "values: {keep: 0.0, opt_in: {dist: uniform, low: 0.4, high: 0.8}, eliminate: 1.0}",
        "values: {keep: 0.0, opt_in: 0.5, abolish: 1.0}",
        "profiles.US.issues.dispute_panels.values.abolish",
        "unknown option 'abolish'",
        "abolish",
    ),
]


@pytest.mark.parametrize("base,old,new,path,words,at", CASES, ids=[c[3] + ":" + c[4][:20] for c in CASES])
def test_each_bad_value_is_one_line_with_file_line_and_path(tmp_path, base, old, new, path, words, at):
    bad = variant(tmp_path, base, old, new)
    lines = errors(bad)
    want = f"error: {bad}:{line_of(bad.read_text(), at)}: {path}: "
    hit = [ln for ln in lines if ln.startswith(want)]
    assert hit, (want, lines)
    assert words in hit[0]


def test_missing_file(tmp_path):
    assert errors(tmp_path / "nope.yaml") == [f"error: {tmp_path / 'nope.yaml'}: no such file"]


def test_bad_yaml_syntax_names_the_line(tmp_path):
    bad = variant(tmp_path, SPLIT, "  B: {name: Buyer}", "  B: {name: Buyer")
    (line,) = errors(bad)
    assert line.startswith(f"error: {bad}:8: invalid YAML")


def test_duplicate_key_names_its_line(tmp_path):
    bad = variant(tmp_path, SPLIT, "  B: {name: Buyer}", "  B: {name: Buyer}\n  B: {name: Other}")
    assert errors(bad) == [f"error: {bad}:8: parties.B: duplicate key"]


def test_empty_file_and_non_mapping_and_binary(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert errors(empty) == [f"error: {empty}:1: the file is empty; expected a mapping"]
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("just text\n")
    assert errors(scalar) == [f"error: {scalar}:1: expected a mapping at the top, got str"]
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"name: x\n\xff\xfe\n")
    assert errors(binary) == [f"error: {binary}:2: not UTF-8 text"]


def test_all_weights_zero(tmp_path):
    bad = variant(tmp_path, SPLIT, "price: {weight: 1, ideal: 0}", "price: {weight: 0, ideal: 0}")
    (line,) = errors(bad)
    assert line == (
        f"error: {bad}:{line_of(bad.read_text(), 'issues:' + chr(10) + '      price: {weight: 0')}: "
        "profiles.B.issues: weights must sum to a positive number; they are (or can all be) 0"
    )


def test_unknown_and_missing_profiles(tmp_path):
    bad = variant(tmp_path, SPLIT, "  S:\n    reservation: 0.2", "  X:\n    reservation: 0.2")
    lines = errors(bad)
    assert any(": profiles.X: profile for unknown party 'X'" in ln for ln in lines)
    assert any(": profiles: no profile for party 'S'" in ln for ln in lines)


def test_several_problems_are_all_reported_and_run_writes_nothing(tmp_path):
    text = SPLIT.replace("reservation: 0.2", "reservation: -3", 1).replace("ideal: 100", "ideal: 200", 1)
    bad = tmp_path / "two.yaml"
    bad.write_text(text)
    lines = errors(bad)
    assert len(lines) == 2
    runs = tmp_path / "runs"
    errors(bad, "--runs-dir", str(runs), command="run")
    assert not runs.exists()


@pytest.mark.parametrize(
    "name", ["nafta_2017.yaml", "teaching_split.yaml", "teaching_trade.yaml", "bdm_ec_emissions.yaml"]
)
def test_bundled_configs_validate(name):
    result = CliRunner().invoke(cli, ["validate", str(ROOT / "configs" / name)])
    assert result.exit_code == 0 and result.output == "ok\n"
