"""Executors: results are the same whatever runs them, and a worker's error reaches the caller
as it was raised (a config error stays one line per problem), and workers die with their
parent."""

import os
import signal
import subprocess
import sys
import time

import pytest

from negotiation.errors import ConfigError, ConfigProblem, UserError
from negotiation.experiments import executors
from tests.helpers import CONFIGS

NAFTA = CONFIGS / "nafta_2017.yaml"

PROBLEM = ConfigProblem("scenario.yaml", 4, "profiles.US.reservation", "expected a number, got 'high'")


def square(n):
    return n * n


def fail(n):
    if n == 2:
        raise ConfigError([PROBLEM])
    return n


def fail_plain(n):
    raise UserError("--draws must be at least 1, got 0")


def test_serial_and_local_workers_give_the_same_results():
    serial = dict(executors.run(range(7), square))
    local = dict(executors.run(range(7), square, workers=2))
    assert serial == local == {n: n * n for n in range(7)}


def test_a_config_error_raised_in_a_worker_arrives_whole():
    with pytest.raises(ConfigError) as err:
        dict(executors.run(range(4), fail, workers=2))
    assert err.value.problems == [PROBLEM]
    assert str(err.value) == "scenario.yaml:4: profiles.US.reservation: expected a number, got 'high'"


def test_a_user_error_raised_in_a_worker_keeps_its_line():
    with pytest.raises(UserError, match=r"^--draws must be at least 1, got 0$"):
        dict(executors.run(range(2), fail_plain, workers=2))


def _alive(procs) -> list:
    """The processes of ``procs`` still running (a zombie counts as gone)."""
    import psutil

    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


@pytest.mark.slow
def test_workers_and_resource_tracker_die_with_a_killed_sweep(tmp_path):
    """SIGKILL of `negotiate sweep --workers 2` must not leave its workers (or multiprocessing's
    resource tracker, which lives while a worker holds its pipe) running as orphans."""
    psutil = pytest.importorskip("psutil")
    args = [sys.executable, "-m", "negotiation", "sweep", str(NAFTA), "--draws", "400000", "--seed", "3"]
    args += ["--chunk-rows", "2000", "--workers", "2", "--quiet", "--no-report", "--out", str(tmp_path / "s")]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        parent = psutil.Process(proc.pid)
        deadline = time.monotonic() + 120
        children = []
        while time.monotonic() < deadline:  # until both workers run and a chunk is written
            children = parent.children(recursive=True)
            workers = [c for c in children if "resource_tracker" not in " ".join(c.cmdline())]
            if len(workers) >= 2 and any((tmp_path / "s" / "parts").glob("*.arrow")):
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"the sweep did not start two workers within 120 s: {children}")
        tracker = [c for c in children if "resource_tracker" in " ".join(c.cmdline())]
        assert tracker, "expected multiprocessing's resource tracker among the children"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 20
    while _alive(children) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [(p.pid, " ".join(p.cmdline())[:80]) for p in _alive(children)]
    for p in _alive(children):  # do not leave them behind when the test fails
        p.kill()
    assert left == []
