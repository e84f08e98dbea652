"""Determinism checked directly: a small golden run kept in tests/data/ and compared byte for
byte, and the same run replayed from the same seed."""

import json
import re

import pytest

from tests.helpers import CONFIGS, DATA

GOLDEN = DATA / "nafta_seed1_summary.json"


@pytest.fixture
def summary_bytes(tmp_path, configs, negotiate):
    """``summary_bytes(name, *args)``: run the flagship into tmp_path/name; its summary.json."""

    def run(name, *args, config=configs / "nafta_2017.yaml"):
        out = tmp_path / name
        result = negotiate("run", config, "--out", out, *args)
        assert result.exit_code == 0, result.output
        return (out / "summary.json").read_bytes()

    return run


# The lines of the flagship's coalition-structure judgements (step 10): accession windows, the US's
# choice at the close, and the protocol (stated at its defaults).
COALITION_KEYS = re.compile(r"\s*(accession|p_notice_at_close|protocol|closing):")


def test_flagship_seed_1_matches_the_golden_summary(summary_bytes, tmp_path):
    # tests/data/nafta_seed1_summary.json was written by `negotiate run configs/nafta_2017.yaml
    # --seed 1` before private information and coalition structure existed (the flagship then had
    # complete information, no accession and notice whenever talks closed); with those judgements
    # taken out and under `--information complete` the model must reproduce it byte for byte. A
    # change to the model that moves this run must update it deliberately.
    text = (CONFIGS / "nafta_2017.yaml").read_text(encoding="utf-8").splitlines()
    before = [line for line in text if not COALITION_KEYS.match(line)]
    assert len(text) - len(before) == 5
    old = tmp_path / "nafta_2017.yaml"
    old.write_text("\n".join(before) + "\n", encoding="utf-8")
    assert summary_bytes("a", "--seed", "1", "--information", "complete", config=old) == GOLDEN.read_bytes()


def test_same_seed_same_bytes_other_seed_other_run(summary_bytes):
    first = summary_bytes("a", "--seed", "5")
    again = summary_bytes("b", "--seed", "5")
    other = summary_bytes("c", "--seed", "6")
    assert first == again
    assert json.loads(first) != json.loads(other)
