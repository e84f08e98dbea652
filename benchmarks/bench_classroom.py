"""Load benchmark of the classroom server (a benchmark, not a test): a class on this machine.

    python benchmarks/bench_classroom.py                 # 12 rooms, 36 teams, 12 instructors, 60 s
    python benchmarks/bench_classroom.py --quick          # 2 rooms, 6 teams, 2 instructors, 6 s
    python benchmarks/bench_classroom.py --json out.json  # the figures as JSON too

Starts ``negotiate serve`` on a free port of 127.0.0.1 over a fresh data folder, opens ``--rooms``
rooms of a three-party scenario, has a team join every party, and waits for every room's debrief
Monte Carlo (computed in the background when a room is made). Then, for ``--seconds``, each
team polls its room's ``state.json`` every ``--poll`` seconds (with jitter), loads its page when
the room changed, and when it is its turn thinks a moment and sends a decision (the page's offer,
or yes/no); each instructor polls the room's ``state.json`` and loads the instructor page when it
changed. Client and server share the machine. Prints requests per second, the p50/p95 latency by
kind of request, and the errors (anything but 200, or 303 after a form).

Halfway through, it kills the server with SIGKILL in the middle of the games, starts it again on
the same port and folder, and times from the kill to the next accepted decision (the requests in
flight at the kill or sent before that decision are counted apart, not as errors); last, it
checks that every decision a team saw accepted is in the database (nothing lost).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "teaching_trade"  # three parties: three teams a room
CSRF_COOKIE = "nsim_csrf"
PASSPHRASE = "bench class passphrase"  # the instructors' passphrase of the benchmark's server
FORM_TOKEN = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>.*?name="csrf" value="([^"]*)"', re.S)


class Server:
    """``negotiate serve`` in a subprocess on 127.0.0.1 (``port`` 0: any free port)."""

    def __init__(self, data: Path, port: int = 0):
        self.data = data
        cmd = [sys.executable, "-m", "negotiation", "serve", "--port", str(port), "--data", str(data)]
        cmd += ["--instructor-passphrase", PASSPHRASE]
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=dict(os.environ)
        )
        lines = []
        for line in self.proc.stderr:
            lines.append(line)
            if line.startswith("Data:"):
                break
        else:
            raise SystemExit(f"the server did not start: {''.join(lines)}")
        self.port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", lines[0]).group(1))
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()  # keep its pipe drained

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@dataclass
class Log:
    """Every request's (kind, status or error, seconds, time sent), and the decisions accepted."""

    requests: list = field(default_factory=list)
    accepted: list = field(default_factory=list)  # (room secret, party, seq)
    accepted_at: list = field(default_factory=list)  # when each was accepted (perf_counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind, status, seconds, at):
        with self.lock:
            self.requests.append((kind, status, seconds, at))


class Browser:
    """One keep-alive connection with its CSRF cookie, as a team's or instructor's browser; a form
    sends the CSRF token of the last page that held a form posting to its address."""

    def __init__(self, port: int, log: Log):
        self.port, self.log, self.conn, self.cookie = port, log, None, ""
        self.tokens: dict[str, str] = {}  # form action -> its CSRF token

    def request(self, kind: str, method: str, path: str, form: dict | None = None):
        """(status, headers, body) or None when the server could not be reached (logged either way)."""
        body = None
        headers = {"Cookie": f"{CSRF_COOKIE}={self.cookie}"} if self.cookie else {}
        if form is not None:
            csrf = form.get("csrf") or self.tokens.get(path, "")
            body = urllib.parse.urlencode({**form, "csrf": csrf}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        t0 = time.perf_counter()
        for retry in (False, True):  # as a browser does: once more on a new connection when a kept one was closed
            reused = self.conn is not None
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read().decode()
                break
            except (OSError, http.client.HTTPException) as exc:
                self.conn = None
                if (
                    reused
                    and not retry
                    and isinstance(exc, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError))
                ):
                    continue
                self.log.add(kind, type(exc).__name__, time.perf_counter() - t0, t0)
                return None
        self.log.add(kind, resp.status, time.perf_counter() - t0, t0)
        cookie = re.search(rf"{CSRF_COOKIE}=([^;]+)", resp.getheader("Set-Cookie") or "")
        if cookie:
            self.cookie = cookie.group(1)
        self.tokens.update(FORM_TOKEN.findall(data))
        return resp.status, resp, data


class Form(HTMLParser):
    """The first form with a ``seq`` field on a team page: its fields (selects at their chosen option)."""

    def __init__(self, html: str):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.your_turn, self._select, self._done = False, None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id") == "your-turn":
            self.your_turn = True
        if self._done or not self.your_turn:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("range", "radio", "checkbox"):
            self.fields.setdefault(a["name"], a.get("value") or "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and ("selected" in a or self._select not in self.fields):
            self.fields[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form" and "seq" in self.fields:
            self._done = True


def setup(port: int, rooms: int, log: Log) -> list[dict]:
    """Open ``rooms`` rooms of the scenario and seat a team on each party: [{secret, teams: {party: token}}]."""
    out = []
    teacher = Browser(port, log)
    teacher.request("setup", "GET", "/")
    for k in range(rooms):
        status, resp, _ = teacher.request(
            "setup", "POST", "/rooms", {"scenario": SCENARIO, "seed": str(k + 1), "passphrase": PASSPHRASE}
        )
        assert status == 303, status
        secret = re.search(r"/i/([^/?]+)", resp.getheader("Location")).group(1)
        page = teacher.request("setup", "GET", f"/i/{secret}")[2]
        parties = re.findall(r'name="team" value="([^"]+)"', page)
        status = teacher.request("setup", "POST", f"/i/{secret}/teams", {"team": parties, "open": "1"})[0]
        assert status == 303, status
        code = re.search(r'id="join-code">([^<]+)<', teacher.request("setup", "GET", f"/i/{secret}")[2]).group(1)
        teams = {}
        for party in parties:
            team = Browser(port, log)
            team.request("setup", "GET", "/")
            team.request("setup", "POST", "/join", {"code": code})
            status, resp, _ = team.request("setup", "POST", "/join", {"code": code, "party": party, "team": party})
            assert status == 303, status
            teams[party] = resp.getheader("Location").rsplit("/", 1)[1]
        out.append({"secret": secret, "teams": teams})
    deadline = time.monotonic() + 180  # the class starts once every room's debrief comparison is ready
    for room in out:
        while "computer-played draws" not in teacher.request("setup", "GET", f"/i/{room['secret']}")[2]:
            if time.monotonic() > deadline:
                print("warning: the rooms' Monte Carlo was not finished after 180 s; starting anyway")
                return out
            time.sleep(0.5)
    return out


def act(browser: Browser, room: dict, token: str, rng: random.Random, log: Log, kind: str = "act") -> bool:
    """Load the team's page and, if it is its turn, send a decision; True when one was accepted."""
    got = browser.request("team page", "GET", f"/t/{token}")
    if got is None:
        return False
    form = Form(got[2])
    if not form.your_turn or "seq" not in form.fields:
        return False
    data = dict(form.fields)  # with the page's CSRF token
    if data.get("kind") == "offer":
        data["do"] = "send"
    else:
        data["decision"] = "yes" if rng.random() < 0.35 else "no"
    yes = data.get("decision") == "yes"
    got = browser.request(f"{kind} (yes)" if yes else kind, "POST", f"/t/{token}/act", data)
    if yes and got is not None and got[0] == 200:  # a yes below the walk-away: a page asks to confirm
        if 'name="confirm"' not in got[2]:
            log.add(kind, "200 without a confirmation", 0.0, time.perf_counter())
            return False
        got = browser.request(kind, "POST", f"/t/{token}/act", {**data, "confirm": "1"})  # accept anyway
    if got is not None and got[0] == 303:
        with log.lock:
            log.accepted.append((room["secret"], data["party"], int(data["seq"])))
            log.accepted_at.append(time.perf_counter())
        return True
    return False


def team_loop(port, room, token, until, poll, think, seed, log, stop):
    """A team: poll state.json, load the page when the room changed, act on its turn after thinking."""
    rng, browser, seen = random.Random(seed), Browser(port, log), None
    time.sleep(rng.uniform(0, poll))  # the teams open their pages over a poll's time, not at one instant
    browser.request("team page", "GET", f"/t/{token}")
    while time.monotonic() < until and not stop.is_set():
        time.sleep(poll * rng.uniform(0.5, 1.5))
        got = browser.request("state.json", "GET", f"/t/{token}/state.json")
        if got is None or got[0] != 200:
            continue
        version = json.loads(got[2])["version"]
        if version != seen:
            seen = version
            time.sleep(think * rng.uniform(0.5, 1.5))
            act(browser, room, token, rng, log)


def instructor_loop(port, room, until, poll, seed, log, stop):
    """An instructor: poll the room's state.json, load the instructor page when it changed."""
    rng, browser, seen = random.Random(seed), Browser(port, log), None
    secret = room["secret"]
    while time.monotonic() < until and not stop.is_set():
        time.sleep(poll * rng.uniform(0.5, 1.5))
        got = browser.request("state.json", "GET", f"/i/{secret}/state.json")
        if got is None or got[0] != 200:
            continue
        version = json.loads(got[2])["version"]
        if version != seen:
            seen = version
            browser.request("instructor page", "GET", f"/i/{secret}")


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def summary(requests: list, seconds: float) -> dict:
    """Requests per second, latency percentiles (ms) overall and by kind, and the errors."""
    ok = {"act": (303,), "recovery act": (303,), "act (yes)": (200, 303), "recovery act (yes)": (200, 303)}
    out = {"seconds": round(seconds, 1), "requests": len(requests), "per_second": round(len(requests) / seconds, 1)}
    errors = [(k, s) for k, s, _, _ in requests if s not in ok.get(k, (200,))]
    out["errors"] = len(errors)
    out["error_kinds"] = sorted({f"{k}: {s}" for k, s in errors})
    lat = [t * 1000 for _, _, t, _ in requests]
    out["p50_ms"], out["p95_ms"] = round(percentile(lat, 50), 1), round(percentile(lat, 95), 1)
    kinds = {}
    for kind in sorted({k for k, *_ in requests}):
        times = [t * 1000 for k, _, t, _ in requests if k == kind]
        kinds[kind] = {
            "n": len(times),
            "p50_ms": round(percentile(times, 50), 1),
            "p95_ms": round(percentile(times, 95), 1),
        }
    out["by_kind"] = kinds
    return out


def run_class(servers: list, rooms: list, seconds: float, poll: float, think: float, log: Log) -> dict:
    """The class for ``seconds`` (a thread per team and per instructor), with the server killed halfway
    (``recovery``); ``servers[-1]`` is the server running at the end."""
    until, stop = time.monotonic() + seconds, threading.Event()
    port = servers[-1].port
    threads = []
    for r, room in enumerate(rooms):
        for p, token in enumerate(room["teams"].values()):
            args = (port, room, token, until, poll, think, 1000 * r + p, log, stop)
            threads.append(threading.Thread(target=team_loop, args=args, daemon=True))
        threads.append(
            threading.Thread(target=instructor_loop, args=(port, room, until, poll, r, log, stop), daemon=True)
        )
    start = len(log.requests)
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds / 2)
    t_kill, server, listening, recovered = recovery(servers[-1], rooms, log)
    servers.append(server)
    for t in threads:
        t.join(seconds + 60)
    # a request in flight at the kill, or sent before the next accepted decision, met the restart
    down = [r for r in log.requests[start:] if r[3] <= t_kill + recovered and r[3] + r[2] >= t_kill]
    gone = {id(r) for r in down}
    out = summary([r for r in log.requests[start:] if id(r) not in gone], time.perf_counter() - t0)
    out["during_restart"] = len(down)
    out["restart_listening_seconds"], out["recovery_seconds"] = round(listening, 2), round(recovered, 2)
    return out


def recovery(server: Server, rooms: list, log: Log) -> tuple[float, Server, float, float]:
    """Kill the server (SIGKILL) mid-game and start it again on its port and folder: the time of the kill,
    the new server, and the seconds from the kill to its listening and to the next decision accepted
    (by a team of the class, or by a probe acting at once for whichever team's turn it is)."""
    port, rng = server.port, random.Random(0)
    t_kill = time.perf_counter()
    server.kill()
    server = Server(server.data, port)
    listening = time.perf_counter() - t_kill
    probe = Browser(port, log)
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        for room in rooms:
            for token in room["teams"].values():
                act(probe, room, token, rng, log, "recovery act")
                with log.lock:
                    after = [t for t in log.accepted_at if t > t_kill]
                if after:
                    return t_kill, server, listening, min(after) - t_kill
        time.sleep(0.02)
    raise SystemExit("no decision was accepted within 60 s of the restart (every game over?)")


def lost(data: Path, accepted: list) -> list:
    """The accepted decisions (room secret, party, seq) not in the database."""
    db = sqlite3.connect(data / "classroom.sqlite3")
    try:
        stored = set(
            db.execute(
                "SELECT rooms.secret, actions.party, actions.seq FROM actions JOIN rooms ON rooms.id = actions.room"
            )
        )
    finally:
        db.close()
    return [a for a in accepted if a not in stored]


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rooms", type=int, default=12)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--poll", type=float, default=2.0, help="seconds between a page's polls (mean)")
    ap.add_argument("--think", type=float, default=2.0, help="seconds a team thinks before a decision (mean)")
    ap.add_argument("--quick", action="store_true", help="2 rooms for 6 s: a smoke test")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)
    if args.quick:
        args.rooms, args.seconds, args.poll, args.think = 2, 6.0, 0.5, 0.3
    with tempfile.TemporaryDirectory(prefix="bench-classroom-") as tmp:
        data, log = Path(tmp) / "data", Log()
        servers = [Server(data)]
        try:
            rooms = setup(servers[0].port, args.rooms, log)
            teams = sum(len(r["teams"]) for r in rooms)
            print(
                f"{args.rooms} rooms, {teams} teams, {args.rooms} instructors; {args.seconds:.0f} s, poll {args.poll} s"
            )
            load = run_class(servers, rooms, args.seconds, args.poll, args.think, log)
            missing = lost(data, log.accepted)
        finally:
            servers[-1].stop()
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "rooms": args.rooms,
        "teams": teams,
        "load": load,
        "decisions_accepted": len(log.accepted),
        "lost": len(missing),
        "cpus": os.cpu_count(),
        "loadavg_1min": round(os.getloadavg()[0], 2),
    }
    kinds = f" {load['error_kinds']}" if load["errors"] else ""
    print(
        f"{load['requests']} requests in {load['seconds']} s: {load['per_second']} req/s, "
        f"p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms, errors {load['errors']}{kinds} "
        f"(and {load['during_restart']} sent while the server was down or restarting)"
    )
    for kind, k in load["by_kind"].items():
        print(f"  {kind:16} {k['n']:6d}  p50 {k['p50_ms']:7.1f} ms  p95 {k['p95_ms']:7.1f} ms")
    accepted = len(log.accepted)
    print(
        f"kill -9 halfway to the next accepted decision: {load['recovery_seconds']:.2f} s "
        f"(listening again after {load['restart_listening_seconds']:.2f} s); "
        f"decisions accepted {accepted}, lost {len(missing)}"
    )
    print(f"load average (1 min) at the end: {result['loadavg_1min']} on {result['cpus']} cores")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
