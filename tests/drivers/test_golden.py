"""Determinism checked directly: a small golden run kept in tests/data/ and compared byte for
byte, and the same run replayed from the same seed."""

import json
from pathlib import Path

from click.testing import CliRunner

from negotiation.cli.commands import cli

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "data" / "nafta_seed1_summary.json"


def _run(tmp_path, name, *args):
    out = tmp_path / name
    result = CliRunner().invoke(cli, ["run", str(ROOT / "configs" / "nafta_2017.yaml"), "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return (out / "summary.json").read_bytes()


def test_flagship_seed_1_matches_the_golden_summary(tmp_path):
    # tests/data/nafta_seed1_summary.json was written by `negotiate run configs/nafta_2017.yaml
    # --seed 1`; a change to the model that moves this run must update it deliberately.
    assert _run(tmp_path, "a", "--seed", "1") == GOLDEN.read_bytes()


def test_same_seed_same_bytes_other_seed_other_run(tmp_path):
    first = _run(tmp_path, "a", "--seed", "5")
    again = _run(tmp_path, "b", "--seed", "5")
    other = _run(tmp_path, "c", "--seed", "6")
    assert first == again
    assert json.loads(first) != json.loads(other)
