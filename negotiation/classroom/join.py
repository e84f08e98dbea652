"""Teams joining a room (``/join``): the room's code, then a free party and a team name; on to the team's page.

A code that lets no one join now (unknown, mistyped, expired, closed, of a room not yet open, of a
finished game, or of a full room) always gets the same answer (``NO_ENTRY``, 404), so a guesser
learns nothing about which codes exist. Such failures are rate-limited per client, and the forms
sent with a room's right code per room (``limits.py``); over a limit the answer is 429.
"""

from __future__ import annotations

import re

from flask import Blueprint, redirect, render_template, request, url_for

from . import play
from .access import client, limits, store
from .replays import replayed
from .store import CODE_LENGTH, Conflict, Room, clean_code

bp = Blueprint("join", __name__, url_prefix="/join")

NO_ENTRY = (
    "This code does not let a team join now. Check it with your instructor: it may be mistyped, expired or "
    "closed, the room may not be open yet, its game may be over, or every party may be taken."
)


def _code(raw: str) -> str:
    return clean_code(raw[: 4 * CODE_LENGTH])[: CODE_LENGTH + 2]


@bp.get("")
def form():
    """The join form (``?code=`` fills it in)."""
    return render_template("join.html", code=_code(request.args.get("code", "")))


@bp.post("")
def submit():
    """With a code only: the free parties to choose from; with a party too: take the seat."""
    who = client()
    if not limits().join_failures.ready(who):
        return _too_many(limits().join_failures.wait(who))
    code = _code(request.form.get("code", ""))
    room = store().room_by_code(code) if code else None
    choices = _choices(room) if room is not None else []
    if not choices:
        limits().join_failures.take(who)
        return render_template("join.html", code=code, error=NO_ENTRY), 404
    if not limits().join_room.take(room.id):
        return _too_many(limits().join_room.wait(room.id))
    party = request.form.get("party")
    if party is None:
        return render_template("join.html", code=code, room=room, choices=choices)
    team = re.sub(r"\s+", " ", request.form.get("team", "")).strip()[:60]
    if party not in {c["party"] for c in choices}:
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


def _choices(room: Room) -> list[dict]:
    """The parties a team may take in ``room`` now: none unless its code is valid and its game goes on."""
    if not room.code_valid():
        return []
    seats = store().seats(room.id)
    free = [p for p in room.people if p not in seats]
    if not free or replayed(room)[1].done:
        return []
    loaded = play.room_loaded(room)
    return [{"party": p, "name": play.party_name(loaded, p)} for p in free]


def _too_many(wait: int):
    message = f"Too many tries from your network or for this room. Wait {max(wait, 1)} seconds and try again."
    page = render_template("join.html", code="", error=message)
    return page, 429, {"Retry-After": str(max(wait, 1))}
