"""The instructor's class (``/c/<secret>``): several rooms on one scenario, seed and draw, run
together. The page shows every room's state, outcome and each party's utility against its walk-away,
the class's outcome frequencies beside the computer-only Monte Carlo, and exports the class as
one JSON or CSV file. Its data is in ``class_results.py``.

A class is made from the front page (more than one room) and every room in it plays the same draw
of the same scenario: the rooms' results differ only by what the teams did, and the Monte Carlo
(computed once, ``Store.montecarlo_twin``) is the same comparison for all of them.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, url_for

from . import class_results, play, room_history
from .access import TOKEN, Refused, runner, store, version
from .downloads import attachment
from .export import csv_text, room_transcript
from .flash import take_notice
from .store import ClassGroup, Conflict, Room

MAX_ROOMS = 40  # rooms in one class

bp = Blueprint("classes", __name__, url_prefix="/c/<secret>")


def create(title: str, config_name: str, config_text: str, seed: int, draw: int, people, n: int, history=None):
    """A class of ``n`` rooms on one scenario, seed and draw ("<title> · room k"), teams playing
    ``people`` in each, each with the ``history`` (YAML text) if one is given; their Monte Carlo
    is started."""
    group = store().create_class(title)
    for _ in range(n):
        _add_room(group, config_name, config_text, seed, draw, people, history)
    return group


def _add_room(group: ClassGroup, config_name, config_text, seed: int, draw: int, people, history) -> Room:
    k = len(store().class_rooms(group.id)) + 1
    ttl = current_app.config["CODE_TTL"]
    room = store().create_room(f"{group.title} · room {k}", config_name, config_text, seed, draw, people, ttl)
    store().add_to_class(group.id, room.id)
    if history is not None:
        store().set_history(room.id, history)
    runner().ensure(room.id)
    return room


def class_for_secret(secret: str) -> ClassGroup:
    """The class whose secret this is; 404 otherwise."""
    group = store().class_by_secret(secret) if TOKEN.match(secret) else None
    if group is None:
        abort(404, "No class has this link.")
    return group


@bp.get("")
def page(secret):
    """The class dashboard: every room, the outcome frequencies beside the computer's, the exports."""
    group = class_for_secret(secret)
    view = class_results.class_view(store(), group)
    return render_template("class.html", **_context(view), created=take_notice() == "class_created")


def _context(view: dict, error: str | None = None) -> dict:
    setup = [r for r in view["rooms"] if r.status == "setup"]
    ticked = setup[0].people if setup else ()
    parties = view["loaded"].structure.parties if view["loaded"] else []
    return {
        **view,
        "setup_rooms": len(setup),
        "choices": [{"party": p, "name": play.party_name(view["loaded"], p), "ticked": p in ticked} for p in parties],
        "max_rooms": MAX_ROOMS,
        "version": _version(view["rooms"]),
        "error": error,
        "mc_draws": runner().draws,
        "facts": room_history.facts(store(), view["rooms"][0]) if view["rooms"] else None,
    }


def _version(rooms: list[Room]) -> str:
    """A short hash of what the dashboard shows: every room's version."""
    return hashlib.sha256("|".join(version(r) for r in rooms).encode()).hexdigest()[:16]


@bp.post("/teams")
def set_teams(secret):
    """Choose the parties teams play in every room still being set up; with ``open=1``, open them."""
    group = class_for_secret(secret)
    view = class_results.class_view(store(), group)
    parties = view["loaded"].structure.parties if view["loaded"] else []
    chosen = request.form.getlist("team")
    unknown = [p for p in chosen if p not in parties]
    if unknown:
        raise Refused(f"Unknown party {unknown[0][:40]!r}; parties are {', '.join(parties)}.")
    if not chosen:
        msg = "Choose at least one party for the teams to play. Nothing was changed."
        return render_template("class.html", **_context(view, msg)), 400
    people = [p for p in parties if p in chosen]
    for room in view["rooms"]:
        if room.status != "setup":
            continue
        try:
            store().set_people(room.id, people)
        except Conflict:  # opened from its own page meanwhile: leave it as it is
            continue
        if request.form.get("open") == "1":
            store().open_room(room.id, current_app.config["CODE_TTL"])
    return redirect(url_for("classes.page", secret=secret), 303)


@bp.post("/rooms")
def add_room(secret):
    """One more room in the class: the same scenario, seed, draw and history, the teams of its last room."""
    group = class_for_secret(secret)
    rooms = store().class_rooms(group.id)
    if not rooms:
        raise Refused("This class has no room to copy.", 409)
    if len(rooms) >= MAX_ROOMS:
        raise Refused(f"A class has at most {MAX_ROOMS} rooms. Nothing was created.", 409)
    last = rooms[-1]
    _add_room(group, last.config_name, last.config_text, last.seed, last.draw, last.people, store().history(last.id))
    return redirect(url_for("classes.page", secret=secret), 303)


@bp.get("/state.json")
def state(secret):
    """The class's version, which the page polls to reload when a room changes."""
    group = class_for_secret(secret)
    return jsonify(version=_version(store().class_rooms(group.id)))


@bp.get("/export.json")
def export_json(secret):
    """The whole class as one JSON file: dashboard rows, outcome frequencies, every transcript."""
    group = class_for_secret(secret)
    view = class_results.class_view(store(), group)
    transcripts = [room_transcript(store(), r) for r in view["rooms"]]
    return attachment(jsonify(class_results.export(view, transcripts)), f"class-{group.id}.json")


@bp.get("/results.csv")
def export_csv(secret):
    """The whole class as CSV: one row per room and party."""
    group = class_for_secret(secret)
    view = class_results.class_view(store(), group)
    resp = Response(csv_text(class_results.csv_rows(view)), mimetype="text/csv")
    return attachment(resp, f"class-{group.id}-results.csv")
