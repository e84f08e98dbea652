"""`negotiate serve`: the classroom server as a user starts it, stops it and restarts it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("waitress", reason="the classroom needs waitress")

ROOT = Path(__file__).resolve().parents[2]


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(data: Path, *extra: str, env: dict | None = None) -> tuple[subprocess.Popen, str, list[str]]:
    """Start the server on a free port; return it, the address it listens at and the lines it printed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "negotiation", "serve", "--port", "0", "--data", str(data), *extra],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        # as from a terminal: a test run started in the background (`make test &`) would hand the
        # server an ignored SIGINT, and Python then installs no KeyboardInterrupt for Ctrl-C
        preexec_fn=_default_sigint,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if line.startswith("Data:"):
            port = re.search(r"^Listening on 127\.0\.0\.1:(\d+);", lines[1]).group(1)
            return proc, f"http://127.0.0.1:{port}", lines
    proc.kill()
    raise AssertionError(f"the server did not start: {lines}")


def stop(proc: subprocess.Popen) -> tuple[int, str]:
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.returncode, err


def test_serve_prints_its_addresses_serves_and_stops_on_ctrl_c(tmp_path):
    proc, base, lines = start(tmp_path / "data")
    try:
        home = urllib.request.urlopen(base + "/", timeout=10).read().decode()
        admin = re.search(r"(http://\S+/admin/\S+)", lines[2]).group(1)
        rooms = urllib.request.urlopen(admin, timeout=10).read().decode()
        link = re.search(r"(http://\S+/instructor/\S+)", lines[3]).group(1)
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        created = browser.open(link, timeout=10).read().decode()  # on to the front page, now allowed to create
    finally:
        code, err = stop(proc)
    assert "Create a room" in home and "Join a negotiation" in home and 'name="passphrase"' in home
    assert "All rooms" in rooms and "No rooms yet." in rooms
    assert "This browser may create rooms." in created and 'name="passphrase"' not in created
    assert lines[0] == f"Negotiation classroom: {base}/  (teams join at {base}/join)"
    assert lines[1].endswith("; answering to 127.0.0.1, [::1], localhost")
    assert lines[-1].startswith(f"Data: {tmp_path / 'data' / 'classroom.sqlite3'}")
    assert code == 0 and "stopped" in err and "Traceback" not in err
    # The admin key is kept: a restart prints the same admin page.
    proc, _, again = start(tmp_path / "data")
    stop(proc)
    assert again[2].rsplit("/", 1)[1] == lines[2].rsplit("/", 1)[1]


def test_serve_answers_only_to_its_names_and_links_to_the_public_url(tmp_path):
    env = {"NEGOTIATE_INSTRUCTOR_PASSPHRASE": "blue heron at dawn"}
    proc, base, lines = start(tmp_path / "data", "--public-url", "https://Class.Example.org", env=env)
    try:

        def get(host):
            req = urllib.request.Request(base + "/", headers={"Host": host})
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    return r.status, r.read().decode()
            except urllib.error.HTTPError as exc:
                return exc.code, exc.read().decode()

        public, forged = get("class.example.org"), get("evil.example")
    finally:
        stop(proc)
    assert (
        lines[0] == "Negotiation classroom: https://class.example.org/  (teams join at https://class.example.org/join)"
    )
    assert lines[1].endswith("; answering to 127.0.0.1, [::1], class.example.org, localhost")
    assert re.fullmatch(
        r"Create rooms from this browser \(keep it private\): https://class\.example\.org/instructor/\S+", lines[3]
    )
    assert lines[4] == "Instructors may also create rooms from the front page with the instructor passphrase."
    assert public[0] == 200 and "Instructor passphrase (or the admin key)" in public[1]
    assert forged[0] == 400 and "does not answer to the address" in forged[1]


def test_a_port_in_use_is_one_error_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run(
            [sys.executable, "-m", "negotiation", "serve", "--port", str(port), "--data", str(tmp_path / "d")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [f"error: cannot listen on 127.0.0.1:{port} (Address already in use)"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "error: --port must be from 0 to 65535, got 70000"),
        (["--port", "x"], "error: Invalid value for '--port': 'x' is not a valid integer."),
        (["--threads", "0"], "error: --threads must be from 1 to 256, got 0"),
        (
            ["--public-url", "ftp://class.example.org"],
            "error: --public-url: expected an address like https://class.example.org or http://10.0.0.5:8000,"
            " got 'ftp://class.example.org'",
        ),
        (["--allowed-host", "evil host"], "error: --allowed-host: expected a host name or IP address, got 'evil host'"),
        (["--instructor-passphrase", "short"], "error: --instructor-passphrase must have at least 8 characters"),
    ],
)
def test_bad_options_are_one_error_line(tmp_path, args, message):
    out = subprocess.run(
        [sys.executable, "-m", "negotiation", "serve", "--data", str(tmp_path / "d"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [message]
