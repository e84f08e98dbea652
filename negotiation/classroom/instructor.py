"""The instructor's page of one room (``/i/<secret>``): who plays what, the join code, seats, every brief.

Its debrief is in ``debrief.py`` and its downloads in ``downloads.py``.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from . import play, room_history
from .access import Refused, room_for_secret, store, version
from .flash import take_notice
from .hosts import public_base
from .replays import replayed
from .store import Conflict, Room

bp = Blueprint("instructor", __name__, url_prefix="/i/<secret>")


@bp.get("")
def page(secret):
    """The room as the instructor sees it: setup or seats, the state of the game, every party's brief."""
    room = room_for_secret(secret)
    return render_template("instructor.html", **_context(room, created=take_notice() == "room_created"))


def _context(room: Room, error: str | None = None, created: bool = False) -> dict:
    loaded = play.room_loaded(room)
    stored, view = replayed(room)
    seats = store().seats(room.id)
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
        "text": play.text_card(loaded, view, None),
        "accession": play.accession_card(loaded, view, None),
        "history": play.history(loaded, view, None),
        "briefs": [play.brief(loaded, view, p) for p in loaded.structure.parties],
        "n_actions": len(stored),
        "join_url": public_base() + url_for("join.form"),
        "code_valid": room.code_valid() and not view.done,  # a finished game takes no more teams
        "mc": store().montecarlo(room.id),
        "created": created,
        "group": store().class_of(room.id),
        "facts": room_history.facts(store(), room),
        "version": version(room),
        "error": error,
        "summary_lines": play.summary_lines(loaded, view) if view.done else [],
    }


@bp.post("/teams")
def set_teams(secret):
    """Choose the parties teams play (the computer plays the rest); with ``open=1``, open the room."""
    room = room_for_secret(secret)
    loaded = play.room_loaded(room)
    chosen = request.form.getlist("team")
    unknown = [p for p in chosen if p not in loaded.structure.parties]
    if unknown:
        raise Refused(f"Unknown party {unknown[0][:40]!r}; parties are {', '.join(loaded.structure.parties)}.")
    if not chosen:
        ctx = _context(room, "Choose at least one party for the teams to play. Nothing was changed.")
        return render_template("instructor.html", **ctx), 400
    people = [p for p in loaded.structure.parties if p in chosen]
    try:
        store().set_people(room.id, people)
    except Conflict as exc:
        return render_template("instructor.html", **_context(room, f"{exc}. Nothing was changed.")), 409
    if request.form.get("open") == "1":
        store().open_room(room.id, current_app.config["CODE_TTL"])
    return redirect(url_for("instructor.page", secret=secret), 303)


@bp.post("/code")
def join_code(secret):
    """A new join code (``do=new``) or no more joining (``do=close``), for an open room."""
    room = room_for_secret(secret)
    what = request.form.get("do")
    if room.status != "open":
        raise Refused("Open the room first.", 409)
    if what == "new":
        store().new_join_code(room.id, current_app.config["CODE_TTL"])
    elif what == "close":
        store().expire_code(room.id)
    else:
        raise Refused("Unknown request.")
    return redirect(url_for("instructor.page", secret=secret), 303)


@bp.post("/free")
def free_seat(secret):
    """Free a team's seat: its token stops working and another team may join as that party."""
    room = room_for_secret(secret)
    party = request.form.get("party", "")
    if party not in store().seats(room.id):
        raise Refused("No team holds that party.")
    store().free_seat(room.id, party)
    return redirect(url_for("instructor.page", secret=secret), 303)


@bp.get("/state.json")
def state(secret):
    """The room's version, which the page polls to reload when something changes."""
    return jsonify(version=version(room_for_secret(secret)))
