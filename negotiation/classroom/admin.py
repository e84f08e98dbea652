"""The admin page (``/admin/<key>``): every room, a page of ``PAGE_ROOMS`` at a time, with links to
its instructor page and the downloads."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from .access import check_admin, store

bp = Blueprint("admin", __name__, url_prefix="/admin/<key>")

PAGE_ROOMS = 50  # rooms listed on one page


@bp.get("")
def rooms(key):
    """One page of rooms (``?page=N``, from 1): scenario, status, teams joined, decisions recorded."""
    check_admin(key)
    total = store().count_rooms()
    pages = max(1, -(-total // PAGE_ROOMS))
    arg = request.args.get("page", "1")
    page = min(max(int(arg), 1), pages) if arg.isdigit() and len(arg) < 7 else 1
    first = (page - 1) * PAGE_ROOMS
    rows = [
        {"room": room, "seats": seats, "actions": actions}
        for room, seats, actions in store().room_page(first, PAGE_ROOMS)
    ]
    return render_template(
        "admin.html", rows=rows, key=key, page=page, pages=pages, total=total, first=first + 1, last=first + len(rows)
    )
