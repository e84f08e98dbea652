"""The admin page (``/admin/<key>``): every room, with links to its instructor page and the downloads."""

from __future__ import annotations

from flask import Blueprint, render_template

from .access import check_admin, store

bp = Blueprint("admin", __name__, url_prefix="/admin/<key>")


@bp.get("")
def rooms(key):
    """Every room: scenario, status, teams joined, decisions recorded."""
    check_admin(key)
    rows = [
        {"room": room, "actions": store().count_actions(room.id), "seats": len(store().seats(room.id))}
        for room in store().rooms()
    ]
    return render_template("admin.html", rows=rows, key=key)
