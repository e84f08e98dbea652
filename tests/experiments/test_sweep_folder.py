"""A sweep's run folder: one writer at a time (a second `--resume` is refused with one line
naming the first, and touches nothing), and a manifest that says complete exactly when the
result is complete, however the writer was stopped."""

import fcntl
import json
import os
import socket

import pytest

from negotiation.experiments import sweep as sweeper
from negotiation.runfolder import LOCK, RunFolder
from negotiation.scenario.loader import load_scenario
from tests.helpers import CONFIGS

NAFTA = CONFIGS / "nafta_2017.yaml"
ARGS = ("--draws", 400, "--seed", 4, "--chunk-rows", 100, "--quiet", "--no-report")


def contents(folder) -> dict:
    """Every file under ``folder`` with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def status(folder) -> str:
    return json.loads((folder / "manifest.json").read_text())["status"]


@pytest.fixture
def interrupted(tmp_path, monkeypatch):
    """A sweep folder interrupted (KeyboardInterrupt) once two of its four chunks were joined."""
    real_add, seen = sweeper.Join.add, []

    def add(self, chunk, table=None):
        if len(seen) == 2:
            raise KeyboardInterrupt
        seen.append(chunk)
        real_add(self, chunk, table)

    monkeypatch.setattr(sweeper.Join, "add", add)
    folder = tmp_path / "sweep"
    with pytest.raises(KeyboardInterrupt):
        sweeper.sweep(load_scenario(NAFTA), draws=400, seed=4, chunk_rows_wanted=100, out=folder)
    monkeypatch.undo()
    return folder


def test_an_interrupted_sweep_is_partial_and_resumes_to_complete(interrupted, ok):
    assert status(interrupted) == "partial"
    assert len(list((interrupted / "parts").glob("*.arrow"))) >= 2
    assert not (interrupted / "summary.json").exists()
    assert not (interrupted / LOCK).exists()  # let go when the writer stopped
    ok("sweep", NAFTA, "--resume", interrupted, "--quiet", "--no-report")
    assert status(interrupted) == "complete"
    assert json.loads((interrupted / "summary.json").read_text())["n_draws"] == 400
    assert not (interrupted / "parts").exists() and not (interrupted / LOCK).exists()


def test_a_second_writer_is_refused_while_the_first_holds_the_folder(interrupted, negotiate):
    """Another process's lock, held by hand as `negotiate sweep --resume` would hold it."""
    before = contents(interrupted)
    holder = {"pid": 4242, "host": "lab-7", "command": "negotiate sweep x --resume y", "since": "2026-12-04T03:00:00"}
    fd = os.open(interrupted / LOCK, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, json.dumps(holder).encode())
        result = negotiate("sweep", NAFTA, "--resume", interrupted, "--quiet", "--no-report")
        after = contents(interrupted)
    finally:
        os.close(fd)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"error: {interrupted}: another writer is at work in this run folder (pid 4242 on lab-7, "
        "`negotiate sweep x --resume y`, since 2026-12-04T03:00:00); nothing was changed: wait for it to end"
    ]
    after.pop(LOCK)
    assert after == before


def test_the_lock_names_this_process_and_refuses_a_resume(interrupted, negotiate):
    folder = RunFolder.open(interrupted, "sweep")
    try:
        info = json.loads((interrupted / LOCK).read_text())
        result = negotiate("sweep", NAFTA, "--resume", interrupted, "--quiet", "--no-report")
    finally:
        folder.release()
    assert (info["pid"], info["host"]) == (os.getpid(), socket.gethostname())
    assert info["command"].startswith("negotiate") and info["since"].startswith("20")
    assert result.exit_code == 2
    assert f"pid {os.getpid()} on {socket.gethostname()}" in result.stderr
    assert status(interrupted) == "partial" and not (interrupted / LOCK).exists()


def test_stopped_after_the_result_is_complete_the_manifest_says_complete(tmp_path, monkeypatch, ok):
    """Interrupted while the part files are removed, after outcomes.parquet and summary.json are
    in place: the result is complete, so is the manifest; a resume tidies the leftover parts."""
    real_remove = sweeper.remove_parts

    def remove_one_then_stop(folder):
        next((folder / "parts").glob("*.arrow")).unlink()
        raise KeyboardInterrupt

    monkeypatch.setattr(sweeper, "remove_parts", remove_one_then_stop)
    folder = tmp_path / "sweep"
    with pytest.raises(KeyboardInterrupt):
        sweeper.sweep(load_scenario(NAFTA), draws=400, seed=4, chunk_rows_wanted=100, out=folder)
    monkeypatch.setattr(sweeper, "remove_parts", real_remove)
    assert status(folder) == "complete"
    result = {n: (folder / n).read_bytes() for n in ("outcomes.parquet", "summary.json")}
    ok("sweep", NAFTA, "--resume", folder, "--quiet", "--no-report")
    assert status(folder) == "complete" and not (folder / "parts").exists()
    assert {n: (folder / n).read_bytes() for n in result} == result


def test_a_resume_over_a_complete_result_sets_the_manifest_right_without_rerunning(tmp_path, monkeypatch, ok):
    """Killed between the summary and the manifest (the manifest still says running): the
    resume finds the result complete, says so in the manifest, and runs no chunk again."""
    folder = tmp_path / "sweep"
    ok("sweep", NAFTA, *ARGS, "--out", folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps(dict(manifest, status="running", finished=None)))
    result = {n: (folder / n).read_bytes() for n in ("outcomes.parquet", "summary.json")}

    def no_rerun(*args, **kwargs):
        raise AssertionError("a chunk was run again over a complete result")

    monkeypatch.setattr(sweeper, "run_sweep", no_rerun)
    out = ok("sweep", NAFTA, "--resume", folder, "--quiet", "--no-report")
    assert status(folder) == "complete"
    assert {n: (folder / n).read_bytes() for n in result} == result
    assert out.stdout.splitlines()[0].split() == ["outcome", "p", "95%", "interval", "n"]
    assert out.stdout.splitlines()[-1] == f"run folder: {folder}"


def test_a_refused_resume_lets_go_of_the_folder(interrupted):
    """An error before any work (here another seed) leaves no lock behind, in this process too."""
    from negotiation.errors import UserError

    with pytest.raises(UserError, match="seed differs"):
        sweeper.sweep(load_scenario(NAFTA), seed=99, resume=interrupted)
    assert not (interrupted / LOCK).exists()
    RunFolder.open(interrupted, "sweep").release()  # free to take
    assert status(interrupted) == "partial"
