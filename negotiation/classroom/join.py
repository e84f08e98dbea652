"""Teams joining a room (``/join``): the room's code, then a free party and a team name; on to the team's page."""

from __future__ import annotations

import re

from flask import Blueprint, redirect, render_template, request, url_for

from . import play
from .access import store
from .store import Conflict, clean_code

bp = Blueprint("join", __name__, url_prefix="/join")


@bp.get("")
def form():
    """The join form (``?code=`` fills it in)."""
    return render_template("join.html", code=clean_code(request.args.get("code", ""))[:12])


@bp.post("")
def submit():
    """With a code only: the free parties to choose from; with a party too: take the seat."""
    code = clean_code(request.form.get("code", ""))[:12]
    room = store().room_by_code(code) if code else None
    if room is None:
        return _error(code, f"No room has the join code {code!r}. Check it with your instructor.", 404)
    if room.status != "open":
        return _error(code, "This room is not open yet. Wait for your instructor to open it.", 409)
    if not room.code_valid():
        return _error(code, "This join code has expired. Ask your instructor for a new one.", 410)
    loaded = play.room_loaded(room)
    seats = store().seats(room.id)
    free = [p for p in room.people if p not in seats]
    choices = [{"party": p, "name": play.party_name(loaded, p)} for p in free]
    party = request.form.get("party")
    if not free:
        return _error(code, "Every team party of this room is taken. Ask your instructor.", 409)
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
        seat = store().take_seat(room.id, party, team or f"Team {party}")
    except Conflict as exc:
        choices = [c for c in choices if c["party"] != party]
        return render_template("join.html", code=code, room=room, choices=choices, error=f"{exc}."), 409
    return redirect(url_for("team.page", token=seat.token), 303)


def _error(code: str, message: str, status: int):
    return render_template("join.html", code=code, error=message), status
