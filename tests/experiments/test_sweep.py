"""`negotiate sweep` and `replay`: results, byte-identity across workers, outcomes.parquet and
the counts made while chunks arrive in any order, resume after SIGKILL, a Dask cluster on
loopback, and bad input."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from negotiation.drivers.batch import run_rows
from negotiation.errors import UserError
from negotiation.experiments import sweep as sweeper
from negotiation.experiments.designs import expand, grid_points, lhs_points, spec_from_cli
from negotiation.experiments.discovery import spread_rows
from negotiation.experiments.statistics import wilson
from negotiation.experiments.sweep import Join, plan_chunks, run_sweep
from negotiation.scenario.loader import load_scenario
from tests.helpers import CONFIGS

NAFTA = CONFIGS / "nafta_2017.yaml"
TRADE = CONFIGS / "teaching_trade.yaml"


@pytest.fixture
def one_error(negotiate):
    """``one_error(*args)``: the command line, which must fail with exit 2 and one error line; the line."""

    def run(*args) -> str:
        result = negotiate(*args)
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), lines
        assert "Traceback" not in result.output
        return lines[0]

    return run


def test_wilson_by_hand():
    # p = 0.5, n = 10, z = 1.96: centre (0.5 + 0.19208)/1.38415 = 0.5; half = 1.96*sqrt(0.025 + 0.00960)/1.38415
    lo, hi = wilson(5, 10)
    z = 1.959963984540054
    half = z * np.sqrt(0.25 / 10 + z * z / 400) / (1 + z * z / 10)
    assert (lo, hi) == pytest.approx((0.5 - half, 0.5 + half))
    lo, hi = wilson(0, 10)
    assert lo == 0 and hi == pytest.approx(z * z / 10 / (1 + z * z / 10))


def test_grid_and_lhs_expansion():
    space = load_scenario(NAFTA).space
    pts = grid_points(space, {"US.reservation": [0.5, 0.6], "calendar.max_extensions": [0, 1, 2]})
    assert (
        pts[:4]
        == [
            {"US.reservation": 0.5, "calendar.max_extensions": 0},
            {"US.reservation": 0.5, "calendar.max_extensions": 1},
            {"US.reservation": 0.5, "calendar.max_extensions": 2},
            {"US.reservation": 0.6, "calendar.max_extensions": 0},
        ]
        and len(pts) == 6
    )
    spec = spec_from_cli((), 8, ("US.reservation=0.4:0.8", "CA.reservation=0.3:0.5"), 100)
    a = lhs_points(space, spec.lhs, 1)
    assert a == lhs_points(space, spec.lhs, 1) and a != lhs_points(space, spec.lhs, 2)
    strata = sorted(int((p["US.reservation"] - 0.4) / 0.4 * 8) for p in a)
    assert strata == list(range(8))  # one point per stratum
    assert expand(space, None, 0) == [{}]
    for bad, words in (
        ({"US.reservaton": [0.5]}, "did you mean US.reservation"),
        ({"US.reservation": [1.5]}, "outside its allowed range"),
        ({"calendar.max_extensions": [1.5]}, "whole number"),
    ):
        with pytest.raises(UserError, match=words):
            grid_points(space, bad)


def test_chunks_cover_every_draw_once():
    chunks = plan_chunks(3, 700, 500)
    covered = np.concatenate([np.arange(c.start, c.start + c.count) for c in chunks])
    assert covered.tolist() == list(range(2100))


def test_sweep_outputs_agree_with_the_batch_driver(tmp_path, ok):
    out = tmp_path / "s"
    ok("sweep", TRADE, "--draws", 1500, "--seed", 4, "--chunk-rows", 400, "--out", out, "--quiet")
    table = pq.read_table(out / "outcomes.parquet")
    summary = json.loads((out / "summary.json").read_text())
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and not (out / "parts").exists()
    assert table.column("draw").to_pylist() == list(range(1500))
    loaded = load_scenario(TRADE)
    direct = run_rows(loaded.structure, loaded.space, 4, 0, 1500)
    names = np.array(loaded.structure.outcomes)[direct.outcome]
    assert table.column("outcome").to_pylist() == names.tolist()
    assert table.column("rounds").to_numpy().tolist() == direct.rounds.tolist()
    # the Pareto gap follows the utilities (every agreement here is on the frontier)
    columns = table.column_names
    assert columns.index("pareto_gap") == columns.index(f"u.{loaded.structure.parties[-1]}") + 1
    np.testing.assert_array_equal(table.column("pareto_gap").to_numpy(), direct.pareto_gap)
    for name, block in summary["outcomes"].items():
        n = int((names == name).sum())
        assert block["n"] == n and block["p"] == pytest.approx(n / 1500)
        assert block["ci95"] == pytest.approx(list(wilson(n, 1500)))
    assert set(summary["outcomes"]) == set(loaded.structure.outcomes)


# Two parties, one round each side: deals, termination (A's notice) and stalemate (the talks close).
MIXED = """
name: mixed
parties: {A: {name: A}, B: {name: B}}
issues:
  x: {range: [0, 1], status_quo: 0.2}
  y: {options: [low, mid, high], status_quo: mid}
profiles:
  A:
    reservation: {dist: uniform, low: 0.3, high: 0.7}
    p_withdraw: 0.3
    issues: {x: {weight: 3, ideal: 0}, y: {weight: 1, ideal: low}}
  B:
    reservation: 0.5
    issues: {x: {weight: 3, ideal: 1, shape: concave}, y: {weight: 1, ideal: high}}
calendar: {rounds: [2024-01-01, 2024-01-05], deadline: 2024-01-05, withdrawal_notice_days: 0, horizon: 2024-01-06}
"""


def test_pareto_gap_is_null_exactly_without_an_agreement(tmp_path, ok):
    config = tmp_path / "mixed.yaml"
    config.write_text(MIXED)
    ok("sweep", config, "--draws", 400, "--seed", 4, "--out", tmp_path / "s", "--quiet", "--no-report")
    table = pq.read_table(tmp_path / "s" / "outcomes.parquet")
    outcome = np.array(table.column("outcome").to_pylist())
    assert set(outcome) == {"deal", "termination", "stalemate"}
    none = np.isin(outcome, ["termination", "stalemate"])
    gap = table.column("pareto_gap")
    assert gap.type == pa.float64()
    assert gap.is_null().to_numpy(zero_copy_only=False).tolist() == none.tolist()
    assert (gap.to_numpy(zero_copy_only=False)[~none] >= 0).all()


def test_workers_give_identical_bytes_and_grid_points_replay(tmp_path, ok):
    args = ["sweep", NAFTA, "--draws", 2000, "--seed", 9, "--grid", "US.reservation=0.6,0.9", "--quiet"]
    ok(*args, "--out", tmp_path / "w1")
    ok(*args, "--out", tmp_path / "w2", "--workers", 2, "--chunk-rows", 700)
    for name in ("outcomes.parquet", "summary.json"):
        assert (tmp_path / "w1" / name).read_bytes() == (tmp_path / "w2" / name).read_bytes()
    summary = json.loads((tmp_path / "w1" / "summary.json").read_text())
    assert [p["params"] for p in summary["points"]] == [{"US.reservation": 0.6}, {"US.reservation": 0.9}]
    table = pq.read_table(tmp_path / "w1" / "outcomes.parquet").to_pylist()
    for draw in (5, 2000 + 17, 3999):
        result = ok("replay", tmp_path / "w1", "--draw", draw, "--runs-dir", tmp_path / "replays", "--json")
        got = json.loads(result.stdout)
        row = table[draw]
        assert (got["outcome"], got["rounds"]) == (row["outcome"], row["rounds"])
        assert f"matches outcomes.parquet draw {draw}" in result.stderr


def test_terms_by_pair_have_a_column_each_and_replay(tmp_path, ok):
    out = tmp_path / "s"
    ok("sweep", CONFIGS / "teaching_pairs.yaml", "--draws", 300, "--seed", 2, "--out", out, "--quiet")
    table = pq.read_table(out / "outcomes.parquet")
    terms = [c for c in table.column_names if c.startswith("x.")]
    assert terms == ["x.tariff", "x.access.A_B", "x.access.A_C", "x.access.B_C", "x.disputes.A_B", "x.disputes.A_C"]
    units = {c: table.schema.field(c).metadata[b"unit"].decode() for c in terms}
    assert units["x.access.B_C"] == "%" and units["x.disputes.A_C"] == "option"
    rows = table.to_pylist()
    deal = next(i for i, r in enumerate(rows) if r["outcome"] == "deal")
    assert rows[deal]["x.disputes.A_B"] in ("panel", "arbitration", "none") and rows[deal]["x.access.A_B"] is not None
    result = ok("replay", out, "--draw", deal, "--runs-dir", tmp_path / "replays", "--json")
    assert f"matches outcomes.parquet draw {deal}" in result.stderr
    got = json.loads(result.stdout)  # the run's summary: terms and units by kernel issue
    assert got["units"]["access.A_C"] == "%" and got["agreement"]["access.A_C"] == rows[deal]["x.access.A_C"]
    assert (out / "report.html").exists()


def test_a_replay_folder_names_the_sweep_once_with_one_timestamp(tmp_path, ok):
    """runs/<stamp>-<the sweep's name>-d<draw>-replay-s<seed>: not the sweep folder's own stamp
    and kind again (runs/<stamp>-<stamp>-nafta_2017-sweep-s4-d3-replay-s4)."""
    runs = tmp_path / "runs"
    ok("sweep", NAFTA, "--draws", 20, "--seed", 4, "--runs-dir", runs, "--quiet", "--no-report")
    (sweep_dir,) = runs.iterdir()
    assert re.fullmatch(r"\d{8}-\d{6}-nafta_2017-sweep-s4", sweep_dir.name), sweep_dir.name
    ok("replay", sweep_dir, "--draw", 3, "--runs-dir", tmp_path / "replays", "--no-report")
    (replayed,) = (tmp_path / "replays").iterdir()
    assert re.fullmatch(r"\d{8}-\d{6}-nafta_2017-d3-replay-s4", replayed.name), replayed.name
    ok("sweep", NAFTA, "--draws", 20, "--seed", 4, "--out", tmp_path / "tariffs", "--quiet", "--no-report")
    ok("replay", tmp_path / "tariffs", "--draw", 7, "--runs-dir", tmp_path / "more", "--no-report")
    (replayed,) = (tmp_path / "more").iterdir()
    assert re.fullmatch(r"\d{8}-\d{6}-tariffs-d7-replay-s4", replayed.name), replayed.name


@pytest.fixture(scope="module")
def private_parts(tmp_path_factory):
    """``private_parts(rows)``: a run folder whose parts/ hold every chunk, of ``rows`` draws, of a
    small sweep of the chapters scenario under private information (two points of 700 draws, so
    a chunk may span both); the folder, the scenario's structure and the chunks."""
    loaded = load_scenario(CONFIGS / "teaching_chapters.yaml").with_information("private")
    points = [{"A.delay_cost": 0.005}, {"A.delay_cost": 0.05}]
    made = {}

    def make(rows: int):
        if rows not in made:
            folder = tmp_path_factory.mktemp(f"parts{rows}")
            run_sweep(folder, loaded.resolved_yaml(), points, 4, 700, rows, quiet=True)
            made[rows] = folder, loaded.structure, plan_chunks(len(points), 700, rows)
        return made[rows]

    return make


def _join(folder, st, chunks, order, in_hand=False):
    """Join the parts in ``folder`` arriving in ``order`` (``in_hand``: each with its table, as in
    a serial or Dask sweep); the file's bytes, the counts and the rows kept for the conditions."""
    with Join(folder, st, chunks, 2, sample_rows=100) as join:
        for chunk in order:
            join.add(chunk, sweeper._read_part(folder / "parts" / chunk.name) if in_hand else None)
        tally, errors, sample = join.counts()
        join.close()
    return (folder / "outcomes.parquet").read_bytes(), tally, errors, sample


def test_chunks_joined_in_any_order_give_the_same_file(private_parts, monkeypatch):
    folder, st, chunks = private_parts(300)
    monkeypatch.setattr(sweeper, "ROW_GROUP", 500)  # 1,400 rows: groups of 500, 500 and 400
    shuffled = [chunks[k] for k in np.random.default_rng(1).permutation(len(chunks))]
    first = _join(folder, st, chunks, chunks)
    assert [pq.ParquetFile(folder / "outcomes.parquet").metadata.row_group(k).num_rows for k in range(3)] == [
        500,
        500,
        400,
    ]
    for order, in_hand in ((chunks[::-1], False), (shuffled, True)):
        again = _join(folder, st, chunks, order, in_hand)
        assert again[0] == first[0]
        assert np.array_equal(again[1].outcome, first[1].outcome) and again[2].means() == first[2].means()
        assert again[3].equals(first[3])
    other, _, smaller = private_parts(170)  # chunks of another size: the same file
    assert _join(other, st, smaller, smaller[::-1])[0] == first[0]


def test_counts_made_while_joining_equal_those_of_the_finished_file(private_parts):
    folder, st, chunks = private_parts(300)
    _, tally, errors, sample = _join(folder, st, chunks, chunks)
    df = pq.read_table(folder / "outcomes.parquet").to_pandas()
    for column, names, counted in (("outcome", st.outcomes, tally.outcome), ("path", tally.paths, tally.path)):
        expected = df.groupby(["point", column]).size().unstack(fill_value=0).reindex(columns=names, fill_value=0)
        assert counted.tolist() == expected.to_numpy().tolist()
    assert tally.outcome.sum() == len(df) == 1400
    assert tally.closed.tolist() == [int(df[f"chapter.{issue}"].notna().sum()) for issue in st.issues]
    assert tally.reopened == int(df["reopened"].sum())
    for party, means in errors.means().items():
        errs = df[f"belief_error.{party}"].map(list)
        rows = pd.DataFrame(
            {"round": errs.map(lambda e: list(range(len(e)))).explode(), "error": errs.explode()}
        ).dropna()
        expected = rows.astype(float).groupby("round")["error"].mean()
        assert len(means) == len(expected) and means == pytest.approx(expected.tolist(), abs=1e-6)
    # the rows kept for the conditions are those read back from the file, every 14th of 1,400
    assert sample.num_rows == 100
    assert sample.equals(spread_rows(folder / "outcomes.parquet", sample.column_names, 100))


def test_a_join_left_on_an_error_leaves_no_file(private_parts):
    folder, st, chunks = private_parts(300)
    (folder / "outcomes.parquet").unlink(missing_ok=True)
    with pytest.raises(KeyboardInterrupt), Join(folder, st, chunks, 2) as join:
        join.add(chunks[0])
        raise KeyboardInterrupt
    assert not (folder / ".outcomes.parquet.tmp").exists() and not (folder / "outcomes.parquet").exists()
    with pytest.raises(RuntimeError, match=f"{chunks[1].name} is missing"), Join(folder, st, chunks, 2) as join:
        join.add(chunks[0])
        join.add(chunks[2])
        join.close()


@pytest.mark.slow
def test_sigkill_then_resume_equals_an_uninterrupted_sweep(tmp_path):
    args = [
        sys.executable,
        "-m",
        "negotiation",
        "sweep",
        str(NAFTA),
        "--draws",
        "60000",
        "--seed",
        "5",
        "--chunk-rows",
        "1000",
        "--quiet",
    ]
    subprocess.run([*args, "--out", str(tmp_path / "whole")], check=True, capture_output=True)
    killed = tmp_path / "killed"
    proc = subprocess.Popen([*args, "--out", str(killed)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(list((killed / "parts").glob("*.arrow"))) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert json.loads((killed / "manifest.json").read_text())["status"] == "running"
    assert not (killed / "outcomes.parquet").exists()
    subprocess.run([*args[:5], "--resume", str(killed), "--quiet"], check=True, capture_output=True)
    for name in ("outcomes.parquet", "summary.json"):
        assert (killed / name).read_bytes() == (tmp_path / "whole" / name).read_bytes()
    assert not list(killed.rglob("*.tmp"))


@pytest.mark.slow
def test_dask_cluster_on_loopback_gives_identical_bytes(tmp_path, ok):
    distributed = pytest.importorskip("dask.distributed", reason="the dask extra is not installed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        args = ["sweep", NAFTA, "--draws", 6000, "--seed", 2, "--chunk-rows", 1000, "--quiet"]
        ok(*args, "--scheduler", cluster.scheduler_address, "--out", tmp_path / "dask")
    ok(*args, "--out", tmp_path / "serial")
    assert (tmp_path / "dask" / "outcomes.parquet").read_bytes() == (
        tmp_path / "serial" / "outcomes.parquet"
    ).read_bytes()


def test_bad_sweep_input(tmp_path, ok, one_error):
    assert one_error("sweep", NAFTA, "--draws", 0) == "error: --draws must be at least 1, got 0"
    assert one_error("sweep", NAFTA, "--draws", -5) == "error: --draws must be at least 1, got -5"
    big = one_error("sweep", NAFTA, "--draws", 10**30)  # was accepted, and never ended
    assert big == f"error: --draws must be at most 1,000,000 (a sweep point's bound), got {10**30:,}"
    assert "did you mean US.reservation" in one_error("sweep", NAFTA, "--grid", "US.reservaton=0.5")
    assert "range low 0.9 is above high 0.1" in one_error(
        "sweep", NAFTA, "--lhs", 3, "--range", "US.reservation=0.9:0.1"
    )
    done = tmp_path / "done"
    ok("sweep", NAFTA, "--draws", 200, "--seed", 1, "--out", done, "--quiet")
    assert "config hash differs" in one_error("sweep", TRADE, "--resume", done)
    assert "seed differs" in one_error("sweep", NAFTA, "--resume", done, "--seed", 2)
    assert "already complete" in one_error("sweep", NAFTA, "--resume", done)
    assert "not a run folder" in one_error("sweep", NAFTA, "--resume", tmp_path)
    assert "--draw must be from 0 to 199" in one_error("replay", done, "--draw", 200)
    assert "not a run folder" in one_error("replay", tmp_path, "--draw", 0)
    nowhere = tmp_path / "nowhere"
    # An unreachable scheduler must give up (the client waits 8 s) rather than hang. In a child
    # process, so that a hang fails the test at the generous 120 s timeout instead of stalling
    # the suite; no bound on how fast it gives up, which depends on the machine.
    proc = subprocess.run(
        [sys.executable, "-m", "negotiation", "sweep", str(NAFTA), "--scheduler", "tcp://127.0.0.1:9"]
        + ["--runs-dir", str(nowhere)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("error: cannot reach the Dask scheduler"), line
    assert proc.stdout == ""
    assert not nowhere.exists()  # nothing written
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert "cannot write the run folder" in one_error("sweep", NAFTA, "--out", blocker / "sub")
    # nothing already written is lost
    assert (done / "outcomes.parquet").exists() and json.loads((done / "manifest.json").read_text())["status"] == (
        "complete"
    )
