"""The front page (join a room, or create one) and creating a room from a bundled or uploaded scenario.

Creating a room needs the instructor privilege (``access.may_create``) and is rate-limited per
client (``limits.Limits.create``); ``/instructor/<admin key>`` gives a browser the privilege.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from negotiation.errors import ConfigError, UserError
from negotiation.scenario.cost import over_budget

from . import classes, play, room_history
from .access import Refused, check_admin, client, grant_instructor, is_instructor, limits, may_create, runner, store
from .flash import redirect_with_notice

MAX_YAML_BYTES = 200_000  # an uploaded scenario
DEFAULT_SCENARIO = "teaching_split"
ROOM_BUDGET_SECONDS = 30.0  # estimated computing for one game and its Monte Carlo (scenario/cost.py)

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """The front page: the join form and the form that creates a room."""
    return render_template("index.html", **_index_context(DEFAULT_SCENARIO))


@bp.get("/instructor/<key>")
def instructor(key):
    """The link ``negotiate serve`` prints: this browser may create rooms from now on; on to the front page."""
    check_admin(key)
    grant_instructor()
    return redirect(url_for("home.index") + "#create", 303)


@bp.post("/rooms")
def create_room():
    """Create a room on the chosen scenario, seed and draw, on to its instructor page; or, with
    ``rooms`` above 1, a class of that many rooms, on to its dashboard ("created" shown once).

    Needs the instructor privilege; each client has the tries of ``Limits.create`` (``limits.CREATE``).
    """
    bucket, who = limits().create, client()
    if not bucket.take(who):
        wait = max(bucket.wait(who), 1)
        msg = f"Too many rooms created (or tried) from your address: wait {wait} seconds. Nothing was created."
        page, status = _index_error(msg, [], 429)
        return page, status, {"Retry-After": str(wait)}
    if not may_create(request.form.get("passphrase", "")):
        what = "the instructor passphrase or " if current_app.config.get("INSTRUCTOR_PASSPHRASE") else ""
        return _index_error(
            f"Creating a room needs {what}the admin key printed by negotiate serve. Nothing was created.", [], 403
        )
    try:
        name, text = scenario_from_form()
        loaded = play.load(text, name)
    except ConfigError as exc:
        return _index_error("The scenario has problems; nothing was created:", [str(p) for p in exc.problems])
    except Refused as exc:
        return _index_error(exc.message, exc.lines, exc.status)
    if too_heavy := over_budget(loaded, runner().draws, ROOM_BUDGET_SECONDS):
        return _index_error(too_heavy, [])
    try:
        seed = _int_field("seed", 1, 0, 2**32 - 1)
        draw = _int_field("draw", 0, 0, 10**9)
        n_rooms = _int_field("rooms", 1, 1, classes.MAX_ROOMS)
        history = room_history.history_from_form(loaded)
    except Refused as exc:
        return _index_error(exc.message, exc.lines, exc.status)
    title = (request.form.get("title") or "").strip()[:100] or loaded.scenario.name or name
    try:  # the first round must replay: a scenario that cannot be played is refused here
        play.replay(loaded, seed, draw, list(loaded.structure.parties), [])
    except UserError as exc:
        return _index_error(f"This scenario cannot be played: {exc}", [])
    # Only the first party is ticked "played by a team" until the instructor chooses: a room then
    # waits for one team, never for seats no team takes, and the computer plays the rest.
    people = loaded.structure.parties[:1]
    if n_rooms > 1:  # a class: its rooms play the same draw; on to its dashboard
        group = classes.create(title, name, text, seed, draw, people, n_rooms, history)
        return redirect_with_notice(url_for("classes.page", secret=group.secret), "class_created")
    room = store().create_room(title, name, text, seed, draw, people, current_app.config["CODE_TTL"])
    if history is not None:
        store().set_history(room.id, history)
    runner().ensure(room.id)
    return redirect_with_notice(url_for("instructor.page", secret=room.secret), "room_created")


def _index_context(default: str | None) -> dict:
    return {
        "scenarios": play.bundled(),
        "default": default,
        "instructor": is_instructor(),
        "passphrase_set": bool(current_app.config.get("INSTRUCTOR_PASSPHRASE")),
    }


def _index_error(message: str, lines: list[str], status: int = 400):
    ctx = _index_context(request.form.get("scenario"))
    return render_template("index.html", error=message, error_lines=lines, **ctx), status


def scenario_from_form(nothing: str = "Nothing was created.") -> tuple[str, str]:
    """(file name, YAML text) of the uploaded file, else of the chosen bundled scenario; Refused
    otherwise, with a message that ends with ``nothing`` (what the refusal left undone)."""
    upload = request.files.get("upload")
    if upload is not None and upload.filename:
        raw = upload.read(MAX_YAML_BYTES + 1)
        if len(raw) > MAX_YAML_BYTES:
            raise Refused(f"The uploaded file is too large: at most {MAX_YAML_BYTES // 1000} kB. {nothing}")
        name = Path(upload.filename.replace("\\", "/")).name[:80] or "upload.yaml"
        name = re.sub(r"[^A-Za-z0-9._ -]", "_", name)
        name = name if name.strip(". ") else "upload.yaml"  # "..", "." or blanks name no file
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(f"{name}: not UTF-8 text. {nothing}") from None
        if not text.strip():
            raise Refused(f"{name}: the file is empty. {nothing}")
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
