"""End to end on ``negotiate run``: the narration, the run folder (manifest, resolved config,
summary, per-round trace), ``--json``, ``--out``, determinism, and ``python -m negotiation``.

The teaching case (configs/teaching_split.yaml) is worked out by hand below and checked to 1e-9.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import negotiation
from negotiation.cli.commands import cli
from negotiation.scenario.loader import load_scenario
from tests.helpers import CONFIGS, cli_runner

SPLIT = CONFIGS / "teaching_split.yaml"
NAFTA = CONFIGS / "nafta_2017.yaml"
HEX64 = re.compile(r"[0-9a-f]{64}")

# ---------------------------------------------------------------------------------------------
# teaching_split.yaml by hand.
#
# One issue, price in [0, 100]; both weights 1, so each party's utility is linear in the price:
#     u_B(x) = 1 - x/100   (ideal 0),      u_S(x) = x/100   (ideal 100).
# Both have reservation 0.2 and play time_dependent with beta = 1, k = 0 (polynomial), so
#     alpha(t) = t/T,   target(t) = 0.2 + (1 - alpha) * (1 - 0.2) = 0.2 + 0.8 * (1 - t/90),
# with t the days since the first round (2024-01-01) and T = 90 the days to the deadline
# 2024-03-31 (January 31 days + February 29 days, 2024 being a leap year, + 30 = 90).
# Rounds are every 10 days, so round k is held on day t = 10 (k - 1):
#     k:        1      2      3      4      5      6      7
#     t:        0     10     20     30     40     50     60   (round 7 is 2024-03-01)
#     target: 1.0  0.9111 0.8222 0.7333 0.6444 0.5556 0.4667
# Every party proposes the offer that gives it exactly its target (one issue: no trade-offs):
# B proposes x = 100 (1 - target), S proposes x = 100 target. The other accepts when its own
# utility of the offer reaches its target (and its reservation). Both targets are equal, so B's
# offer gives S 1 - target and S accepts iff 1 - target >= target, i.e. target <= 0.5:
#     round 6: target 5/9 = 0.5556 > 0.5, both offers rejected (each gives the other 4/9);
#     round 7: target 7/15 = 0.4667 <= 0.5: a deal.
# Proposers take turns starting with party (k - 1) mod 2, so B proposes first in odd rounds:
# in round 7 B opens with x = 100 (1 - 7/15) = 160/3 = 53.333..., which S accepts (its utility
# 8/15 = 0.5333 >= 7/15). Outcome: deal in round 7 on 2024-03-01, price 160/3,
# utilities B 7/15 = 0.46667, S 8/15 = 0.53333. (The walk-away value 0.2 is never reached.)
T_DAYS = 90.0
SPLIT_DATES = ["2024-01-01", "2024-01-11", "2024-01-21", "2024-01-31", "2024-02-10", "2024-02-20", "2024-03-01"]
DEAL_ROUND = 7
DEAL_PRICE = 160.0 / 3.0
U_B = 7.0 / 15.0
U_S = 8.0 / 15.0


def split_target(k: int) -> float:
    """Both parties' target in round k (1-based)."""
    return 0.2 + 0.8 * (1.0 - 10.0 * (k - 1) / T_DAYS)


def test_hand_computation_is_consistent():
    # The derivation's numbers, checked against each other before they are checked against the code.
    assert split_target(1) == pytest.approx(1.0, abs=1e-12)
    assert split_target(6) == pytest.approx(5 / 9, abs=1e-12) and split_target(6) > 0.5
    assert split_target(7) == pytest.approx(U_B, abs=1e-12) and split_target(7) <= 0.5
    b_offer = 100 * (1 - U_B)  # B's round-7 offer
    assert b_offer == pytest.approx(DEAL_PRICE, abs=1e-12)
    assert (dt.date.fromisoformat(SPLIT_DATES[-1]) - dt.date(2024, 1, 1)).days == 60
    assert (dt.date(2024, 3, 31) - dt.date(2024, 1, 1)).days == T_DAYS


# ---------------------------------------------------------------------------------------------
# Helpers


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Run:
    stdout: str
    stderr: str
    folder: Path
    window: tuple[dt.datetime, dt.datetime]  # the test's clock just before and after the run

    @property
    def summary(self) -> dict:
        return json.loads((self.folder / "summary.json").read_text(encoding="utf-8"))

    @property
    def manifest(self) -> dict:
        return json.loads((self.folder / "manifest.json").read_text(encoding="utf-8"))

    def records(self) -> list[dict]:
        text = (self.folder / "rounds.jsonl").read_text(encoding="utf-8")
        assert text.endswith("\n")
        return [json.loads(line) for line in text.splitlines()]

    def trace(self) -> list[dict]:
        with open(self.folder / "rounds.csv", newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))


def folder_from(text: str) -> Path:
    """The path of the (single) 'run folder: PATH' line in ``text``."""
    found = re.findall(r"^run folder: (.+)$", text, flags=re.M)
    assert len(found) == 1, text
    return Path(found[0])


def negotiate_run(config: Path, *args: str) -> Run:
    before = now()
    result = cli_runner().invoke(cli, ["run", str(config), *args])
    after = now()
    assert result.exit_code == 0, (result.output, result.exception)
    assert result.exception is None
    as_json = "--json" in args
    folder = folder_from(result.stderr if as_json else result.stdout)
    assert folder.is_dir()
    return Run(result.stdout, result.stderr, folder, (before, after))


@pytest.fixture(scope="module")
def split_run(tmp_path_factory) -> Run:
    # With the report (the default), so that its lines are checked too.
    runs = tmp_path_factory.mktemp("split_runs")
    run = negotiate_run(SPLIT, "--seed", "1", "--runs-dir", str(runs))
    assert run.folder.parent == runs
    return run


@pytest.fixture(scope="module")
def nafta_run(tmp_path_factory) -> Run:
    runs = tmp_path_factory.mktemp("nafta_runs")
    run = negotiate_run(NAFTA, "--seed", "1", "--runs-dir", str(runs), "--no-report")
    assert run.folder.parent == runs
    return run


def narration_rounds(stdout: str) -> list[list[str]]:
    """The narration split into rounds: each a list of lines starting with its 'Round' line."""
    blocks: list[list[str]] = []
    for line in stdout.splitlines():
        if line.startswith("Round "):
            blocks.append([line])
        elif line.startswith("Outcome:"):
            break
        elif blocks:
            blocks[-1].append(line)
    return blocks


def check_narration(run: Run, parties: list[str]) -> None:
    """Every round played is narrated in order with its date and proposers; the outcome closes it."""
    records = run.records()
    lines = run.stdout.splitlines()
    assert lines[0].endswith(f"seed 1, draw 0; parties {', '.join(parties)}")
    blocks = narration_rounds(run.stdout)
    assert len(blocks) == len(records)
    for block, rec in zip(blocks, records, strict=True):
        assert block[0].startswith(f"Round {rec['round']}  {rec['date']}  (deadline {rec['deadline']})")
        proposers = [ln.split()[0] for ln in block if " proposes " in ln]
        assert proposers == [o["proposer"] for o in rec["offers"]]
        # Turns rotate: party (round - 1) mod P opens the round.
        assert proposers[0] == parties[(rec["round"] - 1) % len(parties)]
    assert [rec["round"] for rec in records] == list(range(1, len(records) + 1))
    # The narration ends with the outcome: after "Outcome:" only its agreement and utility lines,
    # then the report and run-folder lines.
    out = [i for i, ln in enumerate(lines) if ln.startswith("Outcome: ")]
    assert len(out) == 1
    s = run.summary
    assert lines[out[0]] == f"Outcome: {s['outcome']} after {s['rounds']} rounds, on {s['date']}"
    tail = lines[out[0] + 1 :]
    assert all(ln.startswith(("  agreement: ", "  utilities: ", "report: ", "run folder: ")) for ln in tail), tail
    assert tail[-1] == f"run folder: {run.folder}"
    assert sum(ln.startswith("  utilities: ") for ln in tail) == 1


def check_folder(run: Run, config: Path, seed: int) -> None:
    """The run folder's files and their contracts."""
    m = run.manifest
    assert m["status"] == "complete"
    assert m["kind"] == "run"
    assert m["seed"] == seed
    assert m["draw"] == 0
    assert m["version"] == negotiation.__version__
    assert HEX64.fullmatch(m["config_hash"])
    assert m["config_hash"] == load_scenario(config).config_hash()
    started = dt.datetime.fromisoformat(m["started"])
    finished = dt.datetime.fromisoformat(m["finished"])
    assert started.tzinfo is not None and finished.tzinfo is not None
    # the times of this run, written to the second (not a bound on how long the run took)
    before, after = run.window
    assert before.replace(microsecond=0) <= started <= finished <= after
    # config.yaml is the resolved scenario: it loads back to the same hash.
    assert load_scenario(run.folder / "config.yaml").config_hash() == m["config_hash"]

    loaded = load_scenario(config)
    st = loaded.structure
    s = run.summary
    assert {"outcome", "rounds", "date", "agreement", "utilities", "reservations"} <= set(s)
    assert s["outcome"] in st.outcomes
    assert set(s["utilities"]) == set(st.parties)
    assert s["seed"] == seed and s["draw"] == 0
    # summary.json is canonical JSON text.
    assert (run.folder / "summary.json").read_text(encoding="utf-8") == json.dumps(s, indent=2, sort_keys=True) + "\n"

    records = run.records()
    # A deal is made in a round that is played: one record per round, summary["rounds"] of them.
    assert s["outcome"] == "deal"
    assert len(records) == s["rounds"]
    assert records[-1]["date"] == s["date"]
    assert records[-1]["events"][-1] == {"kind": "outcome", "outcome": "deal", "date": s["date"]}

    rows = run.trace()
    # rounds.csv: one row per round and party, in party order within a round.
    assert len(rows) == s["rounds"] * len(st.parties)
    assert [(int(r["round"]), r["party"]) for r in rows] == [
        (k, p) for k in range(1, s["rounds"] + 1) for p in st.parties
    ]
    header = list(rows[0])
    assert header[:7] == ["round", "date", "deadline", "extensions", "notice", "party", "target"]
    assert [f"offer_{i}" for i in st.issues] == [h for h in header if h.startswith("offer_")]
    assert [f"u_{p}" for p in st.parties] == [h for h in header if h.startswith("u_")]
    for r in rows:
        rec = records[int(r["round"]) - 1]
        assert r["date"] == rec["date"]
        assert float(r["target"]) == pytest.approx(rec["targets"][r["party"]], abs=1e-9)


# ---------------------------------------------------------------------------------------------
# teaching_split.yaml


def test_split_narration(split_run):
    check_narration(split_run, ["B", "S"])
    blocks = narration_rounds(split_run.stdout)
    assert [b[0].split()[2] for b in blocks] == SPLIT_DATES
    for k, block in enumerate(blocks, start=1):
        assert block[0].startswith(f"Round {k}  {SPLIT_DATES[k - 1]}  (deadline 2024-03-31)")
        assert f"targets: B {split_target(k):.2f}  S {split_target(k):.2f}" in block[0]
    last = blocks[-1]
    assert last[1] == "  B proposes price 53.3 $k"
    assert last[2] == "      utilities: B 0.47  S 0.53;  S accepts"
    assert last[3] == "  = deal on 2024-03-01"
    for block in blocks[:-1]:
        assert sum(ln.endswith("rejects") for ln in block) == 2
    lines = split_run.stdout.splitlines()
    i = lines.index("Outcome: deal after 7 rounds, on 2024-03-01")
    assert lines[i + 1 : i + 3] == [
        "  agreement: price 53.3 $k",
        "  utilities: B 0.467 (walk-away 0.200)  S 0.533 (walk-away 0.200)",
    ]
    assert lines[i + 3] == f"report: {split_run.folder / 'report.html'}"
    assert split_run.stderr == ""


def test_split_run_folder(split_run):
    check_folder(split_run, SPLIT, 1)
    assert sorted(p.name for p in split_run.folder.iterdir()) == [
        "config.yaml",
        "manifest.json",
        "plots",
        "report.html",
        "rounds.csv",
        "rounds.jsonl",
        "summary.json",
    ]
    assert split_run.manifest["config"] == str(SPLIT)
    assert re.fullmatch(r"\d{8}-\d{6}-teaching_split-run-s1", split_run.folder.name)


def test_split_outcome_by_hand(split_run):
    s = split_run.summary
    assert s["outcome"] == "deal"
    assert s["rounds"] == DEAL_ROUND
    assert s["date"] == "2024-03-01"
    assert set(s["agreement"]) == {"price"}
    assert s["agreement"]["price"] == pytest.approx(DEAL_PRICE, abs=1e-9)
    assert s["utilities"]["B"] == pytest.approx(U_B, abs=1e-9)
    assert s["utilities"]["S"] == pytest.approx(U_S, abs=1e-9)
    assert s["reservations"] == {"B": 0.2, "S": 0.2}


def test_split_rounds_by_hand(split_run):
    records = split_run.records()
    assert [r["date"] for r in records] == SPLIT_DATES
    for k, rec in enumerate(records, start=1):
        target = split_target(k)
        assert rec["deadline"] == "2024-03-31"
        assert rec["targets"]["B"] == pytest.approx(target, abs=1e-9)
        assert rec["targets"]["S"] == pytest.approx(target, abs=1e-9)
        order = ["B", "S"] if k % 2 else ["S", "B"]
        if k == DEAL_ROUND:
            order = ["B"]  # S never proposes: it accepted B's opening offer
        assert [o["proposer"] for o in rec["offers"]] == order
        for off in rec["offers"]:
            x = off["terms"]["price"]  # display units: the split's price scale is 1
            want = 100 * (1 - target) if off["proposer"] == "B" else 100 * target
            assert x == pytest.approx(want, abs=1e-9)
            assert off["utilities"]["B"] == pytest.approx(1 - x / 100, abs=1e-9)
            assert off["utilities"]["S"] == pytest.approx(x / 100, abs=1e-9)
            assert off["accepted_by"] == (["S"] if k == DEAL_ROUND else [])
        assert rec["events"] == (
            [{"date": "2024-03-01", "kind": "outcome", "outcome": "deal"}] if k == DEAL_ROUND else []
        )
    rows = split_run.trace()
    last_b, last_s = rows[-2], rows[-1]
    assert (last_b["party"], last_b["offered"], last_b["accepted_by"]) == ("B", "True", "S")
    assert float(last_b["offer_price"]) == pytest.approx(DEAL_PRICE, abs=1e-9)
    assert float(last_b["u_B"]) == pytest.approx(U_B, abs=1e-9)
    assert float(last_b["u_S"]) == pytest.approx(U_S, abs=1e-9)
    assert (last_s["party"], last_s["offered"], last_s["offer_price"]) == ("S", "False", "")


# ---------------------------------------------------------------------------------------------
# nafta_2017.yaml


def test_nafta_narration(nafta_run):
    check_narration(nafta_run, ["US", "CA", "MX"])
    blocks = narration_rounds(nafta_run.stdout)
    # The first rounds are the calendar's planned dates.
    assert [b[0].split()[2] for b in blocks[:3]] == ["2017-08-16", "2017-09-01", "2017-09-23"]
    assert blocks[0][0].startswith("Round 1  2017-08-16")
    assert "Round 1 " in nafta_run.stdout
    for p in ("US", "CA", "MX"):
        assert f"  {p} proposes auto_rvc " in nafta_run.stdout
    assert nafta_run.stderr == ""


def test_nafta_run_folder(nafta_run):
    check_folder(nafta_run, NAFTA, 1)
    assert sorted(p.name for p in nafta_run.folder.iterdir()) == [
        "config.yaml",
        "manifest.json",
        "rounds.csv",
        "rounds.jsonl",
        "summary.json",
    ]
    s = nafta_run.summary
    assert set(s["agreement"]) == {"auto_rvc", "dairy", "dispute_panels", "procurement", "sunset"}
    assert s["agreement"]["dispute_panels"] in ("keep", "opt_in", "eliminate")
    assert s["agreement"]["sunset"] in ("none", "review", "expiry_5y")
    # display units: the range 0.50-0.95 shown as % regional content (scale 100)
    assert 50 <= s["agreement"]["auto_rvc"] <= 95
    assert s["units"]["auto_rvc"] == "% regional content" and s["units"]["sunset"] == "option"
    # Each party signed: its utility is at least its walk-away value.
    for p in ("US", "CA", "MX"):
        assert s["utilities"][p] >= s["reservations"][p] - 1e-12


def test_same_seed_same_bytes_other_seed_differs(tmp_path, nafta_run):
    again = negotiate_run(NAFTA, "--seed", "1", "--runs-dir", str(tmp_path / "a"), "--no-report")
    assert (again.folder / "summary.json").read_bytes() == (nafta_run.folder / "summary.json").read_bytes()
    assert (again.folder / "rounds.jsonl").read_bytes() == (nafta_run.folder / "rounds.jsonl").read_bytes()
    assert (again.folder / "rounds.csv").read_bytes() == (nafta_run.folder / "rounds.csv").read_bytes()
    other = negotiate_run(NAFTA, "--seed", "2", "--runs-dir", str(tmp_path / "b"), "--no-report")
    assert other.manifest["seed"] == 2 and other.summary["seed"] == 2
    # Another seed draws other uncertain parameters: other walk-away values and another result.
    assert other.summary["reservations"] != nafta_run.summary["reservations"]
    assert other.summary["utilities"] != nafta_run.summary["utilities"]
    # Same config: same hash, whatever the seed.
    assert other.manifest["config_hash"] == nafta_run.manifest["config_hash"]


def test_split_same_seed_same_bytes(tmp_path, split_run):
    again = negotiate_run(SPLIT, "--seed", "1", "--runs-dir", str(tmp_path), "--no-report")
    assert (again.folder / "summary.json").read_bytes() == (split_run.folder / "summary.json").read_bytes()
    assert again.stdout.splitlines()[:-1] == [
        ln for ln in split_run.stdout.splitlines()[:-1] if not ln.startswith("report: ")
    ]


# ---------------------------------------------------------------------------------------------
# --json


@pytest.mark.parametrize("config,fixture", [(SPLIT, "split_run"), (NAFTA, "nafta_run")], ids=["split", "nafta"])
def test_json_prints_only_the_summary(tmp_path, request, config, fixture):
    # With the report on: its line must go to stderr too.
    run = negotiate_run(config, "--seed", "1", "--runs-dir", str(tmp_path), "--json")
    summary = json.loads(run.stdout)
    assert run.stdout.count("\n") == 1 and run.stdout.endswith("}\n")
    assert summary == run.summary
    assert summary == request.getfixturevalue(fixture).summary
    err = run.stderr.splitlines()
    assert err == [f"report: {run.folder / 'report.html'}", f"run folder: {run.folder}"]
    assert (run.folder / "report.html").is_file()
    assert run.manifest["status"] == "complete"


# ---------------------------------------------------------------------------------------------
# --out


def test_out_writes_exactly_there(tmp_path, runs_dir, split_run):
    out = tmp_path / "deep" / "er" / "my_run"
    run = negotiate_run(SPLIT, "--seed", "1", "--out", str(out), "--runs-dir", str(runs_dir), "--no-report")
    assert run.folder == out
    assert not runs_dir.exists()
    assert sorted(p.name for p in out.iterdir()) == [
        "config.yaml",
        "manifest.json",
        "rounds.csv",
        "rounds.jsonl",
        "summary.json",
    ]
    assert (out / "summary.json").read_bytes() == (split_run.folder / "summary.json").read_bytes()
    assert run.manifest["status"] == "complete"


def test_out_accepts_an_existing_empty_folder(tmp_path, runs_dir):
    out = tmp_path / "empty"
    out.mkdir()
    run = negotiate_run(SPLIT, "--out", str(out), "--runs-dir", str(runs_dir), "--no-report")
    assert run.folder == out
    assert (out / "summary.json").is_file()


def test_out_refuses_a_non_empty_folder(tmp_path, runs_dir, negotiate):
    out = tmp_path / "used"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    result = negotiate("run", SPLIT, "--out", out, "--runs-dir", runs_dir, "--no-report")
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"error: {out}: the output folder is not empty; choose another"]
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_out_refuses_a_previous_run_folder(tmp_path, runs_dir, negotiate):
    out = tmp_path / "r"
    negotiate_run(SPLIT, "--out", str(out), "--runs-dir", str(runs_dir), "--no-report")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    result = negotiate("run", NAFTA, "--out", out, "--runs-dir", runs_dir, "--no-report")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {out}: the output folder is not empty; choose another"]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_out_naming_a_file_is_one_error_line(tmp_path, runs_dir, negotiate):
    out = tmp_path / "a_file"
    out.write_text("x", encoding="utf-8")
    result = negotiate("run", SPLIT, "--out", out, "--runs-dir", runs_dir, "--no-report")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines


def test_negative_seed_is_one_error_line(runs_dir, negotiate):
    result = negotiate("run", SPLIT, "--seed", "-1", "--runs-dir", runs_dir)
    assert result.exit_code == 2
    assert not runs_dir.exists()
    assert result.stderr.splitlines() == ["error: --seed must be 0 or more, got -1"]


# ---------------------------------------------------------------------------------------------
# python -m negotiation, in a real process


def test_python_dash_m_negotiation_run(tmp_path, runs_dir, split_run):
    args = ["run", str(SPLIT), "--seed", "1", "--runs-dir", str(runs_dir), "--no-report"]
    before = now()
    proc = subprocess.run(
        [sys.executable, "-m", "negotiation", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    after = now()
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    folder = folder_from(proc.stdout)
    assert folder.parent == runs_dir
    run = Run(proc.stdout, proc.stderr, folder, (before, after))
    check_narration(run, ["B", "S"])
    check_folder(run, SPLIT, 1)
    assert "Round 7  2024-03-01" in proc.stdout
    assert "Outcome: deal after 7 rounds, on 2024-03-01" in proc.stdout
    # The same run as through the CliRunner, byte for byte, and the command as typed.
    assert (folder / "summary.json").read_bytes() == (split_run.folder / "summary.json").read_bytes()
    assert run.manifest["command"] == "negotiate " + " ".join(args)


def test_python_dash_m_negotiation_json_streams(tmp_path, runs_dir, nafta_run):
    # Real stdout and stderr: only the JSON on stdout, the folder on stderr.
    proc = subprocess.run(
        [sys.executable, "-m", "negotiation", "run", str(NAFTA), "--seed", "1", "--json", "--no-report"]
        + ["--runs-dir", str(runs_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == nafta_run.summary
    folder = folder_from(proc.stderr)
    assert proc.stderr.splitlines() == [f"run folder: {folder}"]
    assert json.loads((folder / "summary.json").read_text(encoding="utf-8")) == json.loads(proc.stdout)


def test_python_dash_m_bad_config_exit_2(tmp_path, runs_dir):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SPLIT.read_text(encoding="utf-8").replace("reservation: 0.2", "reservation: high", 1))
    proc = subprocess.run(
        [sys.executable, "-m", "negotiation", "run", str(bad), "--runs-dir", str(runs_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == f"error: {bad}:17: profiles.B.reservation: expected a valid number, got 'high'\n"
    assert not runs_dir.exists()
