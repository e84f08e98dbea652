"""The classroom web app: an instructor opens a room on a scenario, teams join with a code and play.

``create_app`` builds the Flask app over one SQLite file and registers one blueprint per concern:

- ``home`` (``home.py``): the front page and creating a room;
- ``instructor`` (``instructor.py``): ``/i/<secret>``, the instructor's page of one room;
- ``classes`` (``classes.py``): ``/c/<secret>``, the instructor's dashboard of a class of rooms;
- ``join`` (``join.py``): ``/join``, a team takes a party with the room's code;
- ``team`` (``team.py``): ``/t/<token>``, one team's seat and its decisions;
- ``debrief`` (``debrief.py``): the debrief of an ended game, for the instructor and for a team;
- ``downloads`` (``downloads.py``): transcripts of a room, or of every room, as JSON and CSV;
- ``admin`` (``admin.py``): ``/admin/<key>``, every room;
- ``explore`` (``explore.py``): ``/explore``, the researcher's what-if explorer (no room needed).

Who may see what is decided by secrets in URLs and CSRF tokens bound to them (``access.py``), never
by what a form claims; creating a room needs the instructor passphrase or the admin key; only the
allowed host names are answered (``hosts.py``); rooms created and join codes tried are rate-limited
(``limits.py``). The game is always ``negotiation.drivers.human.replay`` of the stored actions,
so a restart loses nothing.
"""

from __future__ import annotations

import math
import os
import secrets
import socket
import sqlite3
import sys
from pathlib import Path

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from negotiation.errors import UserError

from . import admin, classes, debrief, downloads, explore, home, instructor, join, team
from .access import CSRF_COOKIE, Refused, check_csrf, csrf_for, csrf_token, security_headers
from .home import MAX_YAML_BYTES
from .hosts import LOCAL_HOSTS, check_allowed_host, check_host, host_name, lan_address, parse_public_url, public_host
from .limits import Limits
from .montecarlo import Runner
from .replays import ReplayCache
from .store import Store, Unsaved, check_writable, shown_code

__all__ = ["CSRF_COOKIE", "DB_NAME", "MAX_YAML_BYTES", "create_app", "fmt", "serve"]

MAX_REQUEST_BYTES = 400_000  # any request (an uploaded scenario plus the form)
CODE_TTL = 24 * 3600.0  # a join code's life, seconds
MC_DRAWS = 2000
EXPLORE_TIMEOUT = 60.0  # seconds one computation of /explore may take
EXPLORE_WORKERS = 2  # processes sharing an /explore computation under `negotiate serve` (at most the cores)
DB_NAME = "classroom.sqlite3"
WAITRESS = {  # a class of 60 teams polling every few seconds, and idle or half-open sockets
    "connection_limit": 500,  # open connections at once (waitress: 100); past it, new ones wait
    "channel_timeout": 30,  # seconds an idle connection is kept (waitress: 120)
    "cleanup_interval": 10,  # seconds between closing idle connections (waitress: 30)
    "asyncore_use_poll": True,  # poll(), not select(): no limit of 1024 file descriptors
}
BLUEPRINTS = (home.bp, instructor.bp, join.bp, team.bp, debrief.bp, downloads.bp, admin.bp, explore.bp, classes.bp)


def create_app(
    data_dir: Path,
    mc_draws: int = MC_DRAWS,
    code_ttl: float = CODE_TTL,
    explore_timeout: float = EXPLORE_TIMEOUT,
    explore_workers: int = 1,
    *,
    instructor_passphrase: str | None = None,
    public_url: str | None = None,
    allowed_hosts: list[str] | None = None,
    limits: Limits | None = None,
) -> Flask:
    """The WSGI app over the SQLite file in ``data_dir`` (made if missing).

    ``mc_draws`` is the size of each room's Monte Carlo comparison; ``code_ttl`` a join code's
    life in seconds; ``explore_timeout`` the seconds one computation of ``/explore`` may take,
    ``explore_workers`` the processes that share its chunks (1: in the request's thread).
    ``instructor_passphrase`` lets whoever types it create rooms (without it, only holders of the
    admin key may). ``public_url`` (``scheme://host[:port]``) is the base of every link shown;
    the app answers only to its host, ``allowed_hosts`` and this machine's local names.
    ``limits`` are the rate limits (``limits.Limits.default()`` unless given).
    The store, the runner, the explorer, the limits and the rooms' replays are in ``app.extensions["classroom"]``.
    """
    data_dir = Path(data_dir)
    store = Store(data_dir / DB_NAME)
    runner = Runner(store, mc_draws)
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES, TEMPLATES_AUTO_RELOAD=False)
    explorer = explore.Explorer(data_dir / "explore", timeout=explore_timeout, workers=explore_workers)
    app.extensions["classroom"] = {
        "store": store,
        "runner": runner,
        "explorer": explorer,
        "limits": limits or Limits.default(),
        "replays": ReplayCache(store),
    }
    app.config["ADMIN_KEY"] = store.meta("admin_key", lambda: secrets.token_urlsafe(24))
    app.secret_key = store.meta("secret_key", lambda: secrets.token_urlsafe(32))  # HMACs of tokens and versions
    app.config["INSTRUCTOR_PASSPHRASE"] = instructor_passphrase or None
    app.config["PUBLIC_URL"] = parse_public_url(public_url) if public_url else None
    extra = [check_allowed_host(h) for h in allowed_hosts or []]
    app.config["ALLOWED_HOSTS"] = allowed_host_names(app.config["PUBLIC_URL"], extra)
    app.config["DATA_DIR"] = str(data_dir)
    app.config["CODE_TTL"] = code_ttl
    for room in store.rooms():  # finish what a restart interrupted
        runner.ensure(room.id)

    app.before_request(check_host)
    app.before_request(check_csrf)
    app.after_request(security_headers)
    app.add_template_filter(shown_code, "code")
    app.context_processor(lambda: {"csrf_token": csrf_token(), "csrf_for": csrf_for, "fmt": fmt})
    app.register_error_handler(Refused, _refused)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Unsaved, _unsaved)
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    return app


def _refused(exc: Refused):
    return render_template("message.html", title="Refused", message=exc.message, lines=exc.lines), exc.status


def _too_large(exc: RequestEntityTooLarge):
    msg = f"The upload is too large: a scenario may have at most {MAX_YAML_BYTES // 1000} kB. Nothing was changed."
    return render_template("message.html", title="Too large", message=msg, lines=[]), 413


def _unsaved(exc: Unsaved):
    msg = (
        f"The classroom cannot save: {exc.reason} at {exc.path.parent}. Nothing was lost: everything recorded "
        "before is kept, and this request changed nothing. Tell the instructor; try again once there is room."
    )
    return render_template("message.html", title="Cannot save", message=msg, lines=[]), 503


def _http_error(exc: HTTPException):
    return render_template("message.html", title=exc.name, message=exc.description, lines=[]), exc.code


def fmt(v, digits: int = 2) -> str:
    """A utility for the pages: fixed decimals, a dash for none."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    return f"{v:.{digits}f}"


def allowed_host_names(public_url: str | None, extra: list[str]) -> frozenset[str]:
    """The host names the app answers to: this machine's local names, the public URL's host and ``extra``."""
    names = set(LOCAL_HOSTS) | {host_name(h) for h in extra}
    if public_url:
        names.add(public_host(public_url))
    return frozenset(names)


def serve(
    host: str,
    port: int,
    data_dir: Path,
    threads: int = 8,
    *,
    public_url: str | None = None,
    allowed_hosts: list[str] | None = None,
    instructor_passphrase: str | None = None,
) -> None:
    """Run the classroom server (waitress, ``WAITRESS`` settings) until interrupted; prints the addresses to use.

    Links use ``public_url`` if given, else the address the server listens on (this machine's
    network address when it listens on every network). Raises UserError when the address cannot
    be used (a port in use, a host not on this machine) or an option is malformed.
    """
    import waitress

    public_url = parse_public_url(public_url) if public_url else None
    extra = [check_allowed_host(h) for h in allowed_hosts or []]
    try:
        check_writable(Path(data_dir) / DB_NAME)
    except Unsaved as exc:
        raise UserError(f"{Path(data_dir) / DB_NAME}: {exc.message.replace('; nothing was lost', '')}") from None
    except (OSError, sqlite3.Error) as exc:
        raise UserError(f"{Path(data_dir) / DB_NAME}: cannot open the classroom data ({exc})") from None
    try:
        app = create_app(
            Path(data_dir),
            explore_workers=min(EXPLORE_WORKERS, os.cpu_count() or 1),
            instructor_passphrase=instructor_passphrase,
            public_url=public_url,
            allowed_hosts=extra,
        )
    except (OSError, sqlite3.Error, Unsaved) as exc:
        raise UserError(f"{Path(data_dir) / DB_NAME}: cannot open the classroom data ({exc})") from None
    try:
        server = waitress.create_server(
            app, host=host, port=port, threads=threads, ident="negotiation-classroom", **WAITRESS
        )
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    listening = f"{host}:{server.effective_port}"
    if public_url is None:
        everywhere = host in ("0.0.0.0", "::", "")
        shown = (lan_address() or "127.0.0.1") if everywhere else host
        shown = f"[{shown}]" if ":" in shown else shown
        public_url = f"http://{shown}:{server.effective_port}"
        extra += [shown] + ([socket.gethostname().lower()] if everywhere else [])
        app.config.update(PUBLIC_URL=public_url, ALLOWED_HOSTS=allowed_host_names(public_url, extra))
    base, key = public_url, app.config["ADMIN_KEY"]
    print(f"Negotiation classroom: {base}/  (teams join at {base}/join)", file=sys.stderr)
    print(f"Listening on {listening}; answering to {', '.join(sorted(app.config['ALLOWED_HOSTS']))}", file=sys.stderr)
    print(f"Admin page with every room (keep it private): {base}/admin/{key}", file=sys.stderr)
    print(f"Create rooms from this browser (keep it private): {base}/instructor/{key}", file=sys.stderr)
    if instructor_passphrase:
        print("Instructors may also create rooms from the front page with the instructor passphrase.", file=sys.stderr)
    print(f"Data: {Path(data_dir).resolve() / DB_NAME}   (Ctrl-C stops the server; nothing is lost)", file=sys.stderr)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        app.extensions["classroom"]["explorer"].close()
        print("stopped", file=sys.stderr)
