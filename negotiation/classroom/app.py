"""The classroom web app: an instructor opens a room on a scenario, teams join with a code and play.

Who may see what is decided by secrets in URLs, never by what a form claims:

- ``/i/<secret>``: the instructor of one room (its secret link, shown once at creation and kept
  on the admin page): changes the room, sees every brief, exports the transcript;
- ``/t/<token>``: one team's seat (a token made when the team joins): its own brief, the public
  state, its own decisions;
- ``/admin/<key>``: every room (the key is made on the first start and printed by ``serve``).

Every POST carries a CSRF token that must equal the ``SameSite=Strict`` cookie's (double submit).
The game is always ``negotiation.drivers.human.replay`` of the stored actions, so a restart loses nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import sqlite3
import sys
from pathlib import Path

from flask import Flask, Response, abort, g, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from negotiation.drivers.human import Action, check_action
from negotiation.errors import ConfigError, UserError

from . import play
from .charts import concession_chart, histogram, party_style
from .export import action_rows, csv_text, room_transcript, trace_rows
from .montecarlo import Runner, percentile, quantile
from .store import Conflict, Room, Store, clean_code

MAX_YAML_BYTES = 200_000  # an uploaded scenario
MAX_REQUEST_BYTES = 400_000  # any request (the upload plus the form)
CODE_TTL = 24 * 3600.0  # a join code's life, seconds
MC_DRAWS = 2000
CSRF_COOKIE = "nsim_csrf"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
DB_NAME = "classroom.sqlite3"
DEFAULT_SCENARIO = "teaching_split"


class Refused(Exception):
    """A request refused with a message for the page; nothing was changed."""

    def __init__(self, message: str, status: int = 400, lines: list[str] | None = None):
        super().__init__(message)
        self.message, self.status, self.lines = message, status, lines or []


def create_app(data_dir: Path, mc_draws: int = MC_DRAWS, code_ttl: float = CODE_TTL) -> Flask:
    """The WSGI app over the SQLite file in ``data_dir`` (made if missing)."""
    data_dir = Path(data_dir)
    store = Store(data_dir / DB_NAME)
    runner = Runner(store, mc_draws)
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES, TEMPLATES_AUTO_RELOAD=False)
    app.extensions["classroom"] = {"store": store, "runner": runner}
    app.config["ADMIN_KEY"] = store.meta("admin_key", lambda: secrets.token_urlsafe(24))
    app.config["DATA_DIR"] = str(data_dir)
    for room in store.rooms():  # finish what a restart interrupted
        runner.ensure(room.id)

    # Security: CSRF double submit, headers -------------------------------------------------

    @app.before_request
    def _csrf():
        token = request.cookies.get(CSRF_COOKIE, "")
        g.new_csrf = not TOKEN.match(token)
        g.csrf = secrets.token_urlsafe(24) if g.new_csrf else token
        if request.method == "POST":
            sent = request.form.get("csrf", "")
            if g.new_csrf or not hmac.compare_digest(sent.encode(), token.encode()):
                raise Refused(
                    "This form has expired or did not come from this site. Reload the page and try again.", 403
                )

    @app.after_request
    def _headers(resp: Response):
        if g.get("new_csrf"):
            resp.set_cookie(CSRF_COOKIE, g.csrf, httponly=True, samesite="Strict", path="/")
        resp.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
        )
        resp.headers["Referrer-Policy"] = "no-referrer"  # the secrets are in URLs
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        if not request.path.startswith("/static/"):
            resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.context_processor
    def _globals():
        return {"csrf_token": g.get("csrf", ""), "fmt": fmt}

    @app.errorhandler(Refused)
    def _refused(exc: Refused):
        return render_template("message.html", title="Refused", message=exc.message, lines=exc.lines), exc.status

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc):
        msg = f"The upload is too large: a scenario may have at most {MAX_YAML_BYTES // 1000} kB. Nothing was changed."
        return render_template("message.html", title="Too large", message=msg, lines=[]), 413

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return render_template("message.html", title=exc.name, message=exc.description, lines=[]), exc.code

    # Lookups ---------------------------------------------------------------------------------

    def room_for_secret(secret: str) -> Room:
        room = store.room_by_secret(secret) if TOKEN.match(secret) else None
        if room is None:
            abort(404, "No room has this instructor link.")
        return room

    def seat_for_token(token: str):
        seat = store.seat(token) if TOKEN.match(token) else None
        if seat is None:
            abort(
                404, "This team link is not valid (the instructor may have freed the seat). Join again with the code."
            )
        return seat, store.room(seat.room)

    def check_admin(key: str) -> None:
        if not hmac.compare_digest(key.encode(), app.config["ADMIN_KEY"].encode()):
            abort(404, "No such page.")

    def version(room: Room) -> str:
        mc = store.montecarlo(room.id)
        mc_state = "none" if mc is None else ("ok" if mc["result"] else "error")
        key = (
            f"{store.count_actions(room.id)}|{len(store.seats(room.id))}|{room.status}|{room.join_code}|"
            f"{room.code_valid()}|{mc_state}"
        )
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    # Home, creating rooms ---------------------------------------------------------------------

    @app.get("/")
    def index():
        return render_template("index.html", scenarios=play.bundled(), default=DEFAULT_SCENARIO)

    @app.post("/rooms")
    def create_room():
        try:
            name, text = _scenario_from_form()
            loaded = play.load(text, name)
        except ConfigError as exc:
            return _index_error("The scenario has problems; nothing was created:", [str(p) for p in exc.problems])
        except Refused as exc:
            return _index_error(exc.message, exc.lines, exc.status)
        try:
            seed = _int_field("seed", 1, 0, 2**32 - 1)
            draw = _int_field("draw", 0, 0, 10**9)
        except Refused as exc:
            return _index_error(exc.message, [], exc.status)
        title = (request.form.get("title") or "").strip()[:100] or loaded.scenario.name or name
        try:  # the first round must replay: a scenario that cannot be played is refused here
            play.replay(loaded, seed, draw, list(loaded.structure.parties), [])
        except UserError as exc:
            return _index_error(f"This scenario cannot be played: {exc}", [])
        room = store.create_room(title, name, text, seed, draw, loaded.structure.parties, code_ttl)
        runner.ensure(room.id)
        return redirect(url_for("instructor", secret=room.secret, created=1), 303)

    def _index_error(message: str, lines: list[str], status: int = 400):
        page = render_template(
            "index.html",
            scenarios=play.bundled(),
            default=request.form.get("scenario"),
            error=message,
            error_lines=lines,
        )
        return page, status

    def _scenario_from_form() -> tuple[str, str]:
        upload = request.files.get("upload")
        if upload is not None and upload.filename:
            raw = upload.read(MAX_YAML_BYTES + 1)
            if len(raw) > MAX_YAML_BYTES:
                raise Refused(
                    f"The uploaded file is too large: at most {MAX_YAML_BYTES // 1000} kB. Nothing was created."
                )
            name = Path(upload.filename.replace("\\", "/")).name[:80] or "upload.yaml"
            name = re.sub(r"[^A-Za-z0-9._ -]", "_", name)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise Refused(f"{name}: not UTF-8 text. Nothing was created.") from None
            if not text.strip():
                raise Refused(f"{name}: the file is empty. Nothing was created.")
            return name, text
        stem = request.form.get("scenario", "")
        found = play.bundled_text(stem) if stem else None
        if found is None:
            raise Refused("Choose one of the scenarios or upload a YAML file.")
        return found

    def _int_field(name: str, default: int, lo: int, hi: int) -> int:
        raw = (request.form.get(name) or "").strip()
        if not raw:
            return default
        if not re.fullmatch(r"\d{1,12}", raw) or not lo <= int(raw) <= hi:
            raise Refused(f"{name}: expected a whole number from {lo} to {hi}, got {raw[:40]!r}. Nothing was created.")
        return int(raw)

    # The instructor --------------------------------------------------------------------------

    @app.get("/i/<secret>")
    def instructor(secret):
        room = room_for_secret(secret)
        return render_template("instructor.html", **_instructor_context(room))

    def _instructor_context(room: Room, error: str | None = None) -> dict:
        loaded = play.room_loaded(room)
        stored = store.actions(room.id)
        view = play.replay_room(room, stored)
        seats = store.seats(room.id)
        mc = store.montecarlo(room.id)
        return {
            "room": room,
            "loaded": loaded,
            "scenario": loaded.scenario,
            "parties": loaded.structure.parties,
            "seats": play.seat_summary(loaded, room, seats),
            "view": view,
            "calendar": play.calendar(loaded, view),
            "pending_text": play.pending_text(loaded, view),
            "table": play.table(loaded, view, None),
            "history": play.history(loaded, view, None),
            "briefs": [play.brief(loaded, view, p) for p in loaded.structure.parties],
            "n_actions": len(stored),
            "join_url": request.host_url.rstrip("/") + url_for("join"),
            "code_valid": room.code_valid(),
            "mc": mc,
            "created": request.args.get("created") == "1",
            "version": version(room),
            "error": error,
            "summary_lines": _summary_lines(loaded, view) if view.done else [],
        }

    @app.post("/i/<secret>/teams")
    def set_teams(secret):
        room = room_for_secret(secret)
        loaded = play.room_loaded(room)
        chosen = request.form.getlist("team")
        unknown = [p for p in chosen if p not in loaded.structure.parties]
        if unknown:
            raise Refused(f"Unknown party {unknown[0][:40]!r}; parties are {', '.join(loaded.structure.parties)}.")
        if not chosen:
            ctx = _instructor_context(room, "Choose at least one party for the teams to play. Nothing was changed.")
            return render_template("instructor.html", **ctx), 400
        people = [p for p in loaded.structure.parties if p in chosen]
        try:
            store.set_people(room.id, people)
        except Conflict as exc:
            return render_template("instructor.html", **_instructor_context(room, f"{exc}. Nothing was changed.")), 409
        if request.form.get("open") == "1":
            store.open_room(room.id, code_ttl)
        return redirect(url_for("instructor", secret=secret), 303)

    @app.post("/i/<secret>/code")
    def join_code(secret):
        room = room_for_secret(secret)
        what = request.form.get("do")
        if room.status != "open":
            raise Refused("Open the room first.", 409)
        if what == "new":
            store.new_join_code(room.id, code_ttl)
        elif what == "close":
            store.expire_code(room.id)
        else:
            raise Refused("Unknown request.")
        return redirect(url_for("instructor", secret=secret), 303)

    @app.post("/i/<secret>/free")
    def free_seat(secret):
        room = room_for_secret(secret)
        party = request.form.get("party", "")
        if party not in store.seats(room.id):
            raise Refused("No team holds that party.")
        store.free_seat(room.id, party)
        return redirect(url_for("instructor", secret=secret), 303)

    @app.get("/i/<secret>/state.json")
    def instructor_state(secret):
        return jsonify(version=version(room_for_secret(secret)))

    @app.get("/i/<secret>/debrief")
    def instructor_debrief(secret):
        room = room_for_secret(secret)
        return _debrief(
            room, back=url_for("instructor", secret=secret), poll=url_for("instructor_state", secret=secret)
        )

    @app.get("/i/<secret>/export.json")
    def export_json(secret):
        room = room_for_secret(secret)
        return _download(jsonify(room_transcript(store, room)), f"room-{room.id}.json")

    @app.get("/i/<secret>/rounds.csv")
    def export_csv(secret):
        room = room_for_secret(secret)
        return _download(Response(csv_text(trace_rows(store, room)), mimetype="text/csv"), f"room-{room.id}-rounds.csv")

    @app.get("/i/<secret>/actions.csv")
    def export_actions(secret):
        room = room_for_secret(secret)
        rows = action_rows(store, room)
        return _download(Response(csv_text(rows), mimetype="text/csv"), f"room-{room.id}-actions.csv")

    def _download(resp: Response, filename: str) -> Response:
        resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return resp

    # Admin: every room -----------------------------------------------------------------------

    @app.get("/admin/<key>")
    def admin(key):
        check_admin(key)
        rows = []
        for room in store.rooms():
            rows.append({"room": room, "actions": store.count_actions(room.id), "seats": len(store.seats(room.id))})
        return render_template("admin.html", rows=rows, key=key)

    @app.get("/admin/<key>/export.json")
    def admin_json(key):
        check_admin(key)
        return _download(jsonify(rooms=[room_transcript(store, r) for r in store.rooms()]), "rooms.json")

    @app.get("/admin/<key>/rounds.csv")
    def admin_csv(key):
        check_admin(key)
        rows = [row for r in store.rooms() for row in trace_rows(store, r)]
        return _download(Response(csv_text(rows), mimetype="text/csv"), "rooms-rounds.csv")

    @app.get("/admin/<key>/actions.csv")
    def admin_actions(key):
        check_admin(key)
        rows = [row for r in store.rooms() for row in action_rows(store, r)]
        return _download(Response(csv_text(rows), mimetype="text/csv"), "rooms-actions.csv")

    # Teams joining ---------------------------------------------------------------------------

    @app.get("/join")
    def join():
        return render_template("join.html", code=clean_code(request.args.get("code", ""))[:12])

    @app.post("/join")
    def join_post():
        code = clean_code(request.form.get("code", ""))[:12]
        room = store.room_by_code(code) if code else None
        if room is None:
            return _join_error(code, f"No room has the join code {code!r}. Check it with your instructor.", 404)
        if room.status != "open":
            return _join_error(code, "This room is not open yet. Wait for your instructor to open it.", 409)
        if not room.code_valid():
            return _join_error(code, "This join code has expired. Ask your instructor for a new one.", 410)
        loaded = play.room_loaded(room)
        seats = store.seats(room.id)
        free = [p for p in room.people if p not in seats]
        choices = [{"party": p, "name": play.party_name(loaded, p)} for p in free]
        party = request.form.get("party")
        if not free:
            return _join_error(code, "Every team party of this room is taken. Ask your instructor.", 409)
        if party is None:
            return render_template("join.html", code=code, room=room, choices=choices)
        team = re.sub(r"\s+", " ", request.form.get("team", "")).strip()[:60]
        if party not in free:
            msg = (
                f"{party[:40]!r} is already taken; choose another."
                if party in room.people
                else f"{party[:40]!r} is not a party teams play in this room."
            )
            return render_template("join.html", code=code, room=room, choices=choices, error=msg), 400
        try:
            seat = store.take_seat(room.id, party, team or f"Team {party}")
        except Conflict as exc:
            choices = [c for c in choices if c["party"] != party]
            return render_template("join.html", code=code, room=room, choices=choices, error=f"{exc}."), 409
        return redirect(url_for("team", token=seat.token), 303)

    def _join_error(code: str, message: str, status: int):
        return render_template("join.html", code=code, error=message), status

    # Teams playing ---------------------------------------------------------------------------

    @app.get("/t/<token>")
    def team(token):
        seat, room = seat_for_token(token)
        return render_template("team.html", **_team_context(room, seat))

    def _team_context(room, seat, error=None, given=None, preview=None, sent=None) -> dict:
        loaded = play.room_loaded(room)
        stored = store.actions(room.id)
        view = play.replay_room(room, stored)
        me = seat.party
        todo = play.decision(loaded, view, me)
        if todo is not None and todo["kind"] == "offer" and given is not None:
            todo["fields"] = play.offer_fields(loaded, view, me, given)
        return {
            "room": room,
            "seat": seat,
            "loaded": loaded,
            "me": me,
            "my_name": play.party_name(loaded, me),
            "brief": play.brief(loaded, view, me),
            "view": view,
            "calendar": play.calendar(loaded, view),
            "pending_text": play.pending_text(loaded, view),
            "todo": todo,
            "table": play.table(loaded, view, me),
            "history": play.history(loaded, view, me),
            "seq": len(stored),
            "others": [
                {"party": p, "name": play.party_name(loaded, p), "by": play.played_by(room, store.seats(room.id), p)}
                for p in loaded.structure.parties
                if p != me
            ],
            "error": error,
            "preview": preview,
            "sent": sent or request.args.get("sent"),
            "version": version(room),
            "summary_lines": _summary_lines(loaded, view) if view.done else [],
        }

    @app.post("/t/<token>/act")
    def act(token):
        seat, room = seat_for_token(token)
        loaded = play.room_loaded(room)
        form = request.form
        given = None
        if form.get("kind") == "offer":  # what was typed, to show again if refused
            given = {issue: str(form.get(f"issue:{issue}", ""))[:100] for issue in loaded.structure.issues}
        try:
            if form.get("party", seat.party) != seat.party:
                raise Refused(f"Your team plays {seat.party}; you cannot act for {form.get('party', '')[:40]!r}.", 403)
            stored = store.actions(room.id)
            seq = form.get("seq", "")
            if seq != str(len(stored)):
                raise Refused(
                    "The negotiation has moved on since this page was loaded (another submission came first). "
                    "Nothing was recorded; here is where it stands now.",
                    409,
                )
            view = play.replay_room(room, stored)
            kind = form.get("kind", "")
            rnd = form.get("round", "")
            if kind not in ("offer", "respond", "bilateral", "extend") or not re.fullmatch(r"\d{1,6}", rnd):
                raise Refused("This is not a decision the game knows.")
            proposer = form.get("proposer") or None
            if kind == "offer":
                given, value = play.read_offer(loaded, form)
                if form.get("do") == "preview":
                    u = play.offer_utility(loaded, view, seat.party, value)
                    ctx = _team_context(room, seat, given=given, preview=u)
                    return render_template("team.html", **ctx)
            else:
                answer = form.get("decision", "")
                if answer not in ("yes", "no"):
                    raise Refused("Answer with one of the buttons.")
                value = answer == "yes"
            action = Action(int(rnd), seat.party, kind, value, proposer)
            check_action(view, action)
            store.add_action(room.id, len(stored), action.round, action.party, kind, value, proposer)
        except UserError as exc:
            status = 409 if view_is_elsewhere(str(exc)) else 400
            ctx = _team_context(room, seat, error=f"{exc}. Nothing was recorded.", given=given)
            return render_template("team.html", **ctx), status
        except (Refused, Conflict) as exc:
            message = exc.message if isinstance(exc, Refused) else f"{exc}. Nothing was recorded."
            status = exc.status if isinstance(exc, Refused) else 409
            ctx = _team_context(room, seat, error=message, given=given if status == 400 else None)
            return render_template("team.html", **ctx), status
        return redirect(url_for("team", token=token, sent=kind), 303)

    def view_is_elsewhere(message: str) -> bool:
        return message.startswith(("it is ", "expected ", "the negotiation is over"))

    @app.get("/t/<token>/state.json")
    def team_state(token):
        seat, room = seat_for_token(token)
        return jsonify(version=version(room))

    @app.get("/t/<token>/debrief")
    def team_debrief(token):
        seat, room = seat_for_token(token)
        return _debrief(room, back=url_for("team", token=token), poll=url_for("team_state", token=token), me=seat.party)

    # The debrief -----------------------------------------------------------------------------

    def _debrief(room: Room, back: str, poll: str, me: str | None = None):
        loaded = play.room_loaded(room)
        view = play.replay_room(room, store.actions(room.id))
        if not view.done:
            raise Refused("The debrief opens when the negotiation is over.", 409)
        runner.ensure(room.id)
        st = loaded.structure
        summary = view.summary
        seats = store.seats(room.id)
        mc = store.montecarlo(room.id)
        result = mc["result"] if mc else None
        parties = []
        for k, p in enumerate(st.parties):
            u, res = summary["utilities"][p], summary["reservations"][p]
            entry = {
                "party": p,
                "name": play.party_name(loaded, p),
                "by": play.played_by(room, seats, p),
                "utility": u,
                "reservation": res,
                "surplus": u - res,
                "style": party_style(k),
                "chart": concession_chart(st.parties, view.model.history, p, res, u),
                "me": p == me,
            }
            if result:
                values = result["utilities"][p]
                entry["percentile"] = percentile(values, u)
                entry["median"] = quantile(values, 0.5)
                entry["p10"], entry["p90"] = quantile(values, 0.1), quantile(values, 0.9)
                entry["hist"] = histogram(values, u, res)
            parties.append(entry)
        odds = []
        if result:
            n = result["draws"]
            for name in st.outcomes:
                c = result["outcomes"].get(name, 0)
                if c or name == summary["outcome"]:
                    odds.append(
                        {
                            "label": play.outcome_label(loaded, name),
                            "n": c,
                            "p": c / n,
                            "ours": name == summary["outcome"],
                        }
                    )
        agreement = []
        for i, issue in enumerate(st.issues):
            if issue in summary["agreement"]:
                v = summary["agreement"][issue]
                text = v if isinstance(v, str) else play.position_text(st, loaded.scenario.issues, i, v)
                agreement.append({"label": play.issue_label(loaded, issue), "text": text})
        ctx = {
            "room": room,
            "loaded": loaded,
            "summary": summary,
            "outcome_label": play.outcome_label(loaded, summary["outcome"]),
            "agreement": agreement,
            "parties": parties,
            "odds": odds,
            "mc": mc,
            "mc_draws": runner.draws,
            "hidden_outcomes": len(st.outcomes) - len(odds),
            "back": back,
            "poll": poll,
            "version": version(room),
            "history": play.history(loaded, view, None),
        }
        return render_template("debrief.html", **ctx)

    def _summary_lines(loaded, view) -> list[str]:
        s = view.summary
        lines = [f"Outcome: {play.outcome_label(loaded, s['outcome'])} after {s['rounds']} rounds, on {s['date']}."]
        if s["agreement"]:
            st = loaded.structure
            parts = []
            for i, issue in enumerate(st.issues):
                v = s["agreement"][issue]
                parts.append(
                    f"{play.issue_label(loaded, issue)} "
                    f"{v if isinstance(v, str) else play.position_text(st, loaded.scenario.issues, i, v)}"
                )
            lines.append("Terms: " + "; ".join(parts) + ".")
        return lines

    return app


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
        app = create_app(Path(data_dir))
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
        print("stopped", file=sys.stderr)
