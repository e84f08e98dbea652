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

Who may see what is decided by secrets in URLs and a CSRF double submit (``access.py``), never by
what a form claims. The game is always ``negotiation.drivers.human.replay`` of the stored actions,
so a restart loses nothing.
"""

from __future__ import annotations

import math
import os
import secrets
import sqlite3
import sys
from pathlib import Path

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from negotiation.errors import UserError

from . import admin, classes, debrief, downloads, explore, home, instructor, join, team
from .access import CSRF_COOKIE, Refused, check_csrf, csrf_token, security_headers
from .home import MAX_YAML_BYTES
from .montecarlo import Runner
from .store import Store

__all__ = ["CSRF_COOKIE", "DB_NAME", "MAX_YAML_BYTES", "create_app", "fmt", "serve"]

MAX_REQUEST_BYTES = 400_000  # any request (an uploaded scenario plus the form)
CODE_TTL = 24 * 3600.0  # a join code's life, seconds
MC_DRAWS = 2000
EXPLORE_TIMEOUT = 60.0  # seconds one computation of /explore may take
EXPLORE_WORKERS = 2  # processes sharing an /explore computation under `negotiate serve` (at most the cores)
DB_NAME = "classroom.sqlite3"
BLUEPRINTS = (home.bp, instructor.bp, join.bp, team.bp, debrief.bp, downloads.bp, admin.bp, explore.bp, classes.bp)


def create_app(
    data_dir: Path,
    mc_draws: int = MC_DRAWS,
    code_ttl: float = CODE_TTL,
    explore_timeout: float = EXPLORE_TIMEOUT,
    explore_workers: int = 1,
) -> Flask:
    """The WSGI app over the SQLite file in ``data_dir`` (made if missing).

    ``mc_draws`` is the size of each room's Monte Carlo comparison; ``code_ttl`` a join code's
    life in seconds; ``explore_timeout`` the seconds one computation of ``/explore`` may take,
    ``explore_workers`` the processes that share its chunks (1: in the request's thread).
    The store, the runner and the explorer are in ``app.extensions["classroom"]``.
    """
    data_dir = Path(data_dir)
    store = Store(data_dir / DB_NAME)
    runner = Runner(store, mc_draws)
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES, TEMPLATES_AUTO_RELOAD=False)
    explorer = explore.Explorer(data_dir / "explore", timeout=explore_timeout, workers=explore_workers)
    app.extensions["classroom"] = {"store": store, "runner": runner, "explorer": explorer}
    app.config["ADMIN_KEY"] = store.meta("admin_key", lambda: secrets.token_urlsafe(24))
    app.config["DATA_DIR"] = str(data_dir)
    app.config["CODE_TTL"] = code_ttl
    for room in store.rooms():  # finish what a restart interrupted
        runner.ensure(room.id)

    app.before_request(check_csrf)
    app.after_request(security_headers)
    app.context_processor(lambda: {"csrf_token": csrf_token(), "fmt": fmt})
    app.register_error_handler(Refused, _refused)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(HTTPException, _http_error)
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    return app


def _refused(exc: Refused):
    return render_template("message.html", title="Refused", message=exc.message, lines=exc.lines), exc.status


def _too_large(exc: RequestEntityTooLarge):
    msg = f"The upload is too large: a scenario may have at most {MAX_YAML_BYTES // 1000} kB. Nothing was changed."
    return render_template("message.html", title="Too large", message=msg, lines=[]), 413


def _http_error(exc: HTTPException):
    return render_template("message.html", title=exc.name, message=exc.description, lines=[]), exc.code


def fmt(v, digits: int = 2) -> str:
    """A utility for the pages: fixed decimals, a dash for none."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    return f"{v:.{digits}f}"


def serve(host: str, port: int, data_dir: Path, threads: int = 8) -> None:
    """Run the classroom server (waitress) until interrupted; prints the addresses to use.

    Raises UserError when the address cannot be used (a port in use, a host not on this machine).
    """
    import waitress

    try:
        app = create_app(Path(data_dir), explore_workers=min(EXPLORE_WORKERS, os.cpu_count() or 1))
    except (OSError, sqlite3.Error) as exc:
        raise UserError(f"{Path(data_dir) / DB_NAME}: cannot open the classroom data ({exc})") from None
    try:
        server = waitress.create_server(app, host=host, port=port, threads=threads, ident="negotiation-classroom")
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    shown = "localhost" if host in ("0.0.0.0", "::", "") else host
    base = f"http://{shown}:{server.effective_port}"
    print(f"Negotiation classroom: {base}/  (teams join at {base}/join)", file=sys.stderr)
    print(f"Admin page with every room (keep it private): {base}/admin/{app.config['ADMIN_KEY']}", file=sys.stderr)
    print(f"Data: {Path(data_dir).resolve() / DB_NAME}   (Ctrl-C stops the server; nothing is lost)", file=sys.stderr)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        app.extensions["classroom"]["explorer"].close()
        print("stopped", file=sys.stderr)
