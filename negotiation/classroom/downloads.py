"""Transcripts to download: one room's (the instructor's secret) or every room's (the admin key),
as full JSON, the round-by-round trace as CSV, and the teams' decisions as CSV (``export.py``).
Every room's downloads are streamed, one room at a time."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, stream_with_context

from .access import check_admin, room_for_secret, store
from .export import (
    action_fields,
    action_rows,
    csv_text,
    room_transcript,
    rooms_csv,
    rooms_json,
    trace_fields,
    trace_rows,
)

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


def _stream(lines, mimetype: str, filename: str) -> Response:
    return attachment(Response(stream_with_context(lines), mimetype=mimetype), filename)


@bp.get("/admin/<key>/export.json")
def all_json(key):
    """Every room's full transcript (streamed)."""
    check_admin(key)
    lines = rooms_json(store(), store().rooms(), lambda obj: current_app.json.dumps(obj, separators=(",", ":")))
    return _stream(lines, "application/json", "rooms.json")


@bp.get("/admin/<key>/rounds.csv")
def all_rounds(key):
    """Every room's trace, one after the other (streamed)."""
    check_admin(key)
    return _stream(rooms_csv(store(), store().rooms(), trace_rows, trace_fields), "text/csv", "rooms-rounds.csv")


@bp.get("/admin/<key>/actions.csv")
def all_actions(key):
    """Every room's team decisions, one after the other (streamed)."""
    check_admin(key)
    rooms = [r for r in store().rooms() if store().count_actions(r.id)]
    return _stream(rooms_csv(store(), rooms, action_rows, action_fields), "text/csv", "rooms-actions.csv")
