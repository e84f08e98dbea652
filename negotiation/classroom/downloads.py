"""Transcripts to download: one room's (the instructor's secret) or every room's (the admin key),
as full JSON, the round-by-round trace as CSV, and the teams' decisions as CSV (``export.py``)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from .access import check_admin, room_for_secret, store
from .export import action_rows, csv_text, room_transcript, trace_rows

bp = Blueprint("downloads", __name__)


def attachment(resp: Response, filename: str) -> Response:
    """``resp`` as a file download named ``filename``."""
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def _csv(rows: list[dict], filename: str) -> Response:
    return attachment(Response(csv_text(rows), mimetype="text/csv"), filename)


# One room


@bp.get("/i/<secret>/export.json")
def room_json(secret):
    """The room's full transcript: scenario, seats, every action and round, the outcome."""
    room = room_for_secret(secret)
    return attachment(jsonify(room_transcript(store(), room)), f"room-{room.id}.json")


@bp.get("/i/<secret>/rounds.csv")
def room_rounds(secret):
    """The room's trace: one row per round and party."""
    room = room_for_secret(secret)
    return _csv(trace_rows(store(), room), f"room-{room.id}-rounds.csv")


@bp.get("/i/<secret>/actions.csv")
def room_actions(secret):
    """The room's team decisions: one row each."""
    room = room_for_secret(secret)
    return _csv(action_rows(store(), room), f"room-{room.id}-actions.csv")


# Every room


@bp.get("/admin/<key>/export.json")
def all_json(key):
    """Every room's full transcript."""
    check_admin(key)
    return attachment(jsonify(rooms=[room_transcript(store(), r) for r in store().rooms()]), "rooms.json")


@bp.get("/admin/<key>/rounds.csv")
def all_rounds(key):
    """Every room's trace, one after the other."""
    check_admin(key)
    return _csv([row for r in store().rooms() for row in trace_rows(store(), r)], "rooms-rounds.csv")


@bp.get("/admin/<key>/actions.csv")
def all_actions(key):
    """Every room's team decisions, one after the other."""
    check_admin(key)
    return _csv([row for r in store().rooms() for row in action_rows(store(), r)], "rooms-actions.csv")
