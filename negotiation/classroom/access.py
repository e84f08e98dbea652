"""Who may see and change what: the CSRF double submit, the response headers, and the secrets in URLs.

Every blueprint reaches the room store through here, and every room, seat or admin page is found
by the secret in its URL (never by what a form claims):

- ``/i/<secret>``: a room's instructor secret (``room_for_secret``);
- ``/t/<token>``: one team's seat token (``seat_for_token``);
- ``/admin/<key>``: the admin key made on the first start (``check_admin``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from flask import Response, abort, current_app, g, request

from .montecarlo import Runner
from .store import Room, Seat, Store

CSRF_COOKIE = "nsim_csrf"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")  # the shape of every secret, token and CSRF value
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class Refused(Exception):
    """A request refused with a message for the page; nothing was changed."""

    def __init__(self, message: str, status: int = 400, lines: list[str] | None = None):
        super().__init__(message)
        self.message, self.status, self.lines = message, status, lines or []


# The app's store and background runner


def store() -> Store:
    """The room store of the app handling this request."""
    return current_app.extensions["classroom"]["store"]


def runner() -> Runner:
    """The Monte Carlo runner of the app handling this request."""
    return current_app.extensions["classroom"]["runner"]


# CSRF double submit and headers (registered on the app by ``create_app``)


def check_csrf() -> None:
    """Before every request: keep (or make) the CSRF token; refuse a POST whose form token is not the cookie's."""
    token = request.cookies.get(CSRF_COOKIE, "")
    g.new_csrf = not TOKEN.match(token)
    g.csrf = secrets.token_urlsafe(24) if g.new_csrf else token
    if request.method == "POST":
        sent = request.form.get("csrf", "")
        if g.new_csrf or not hmac.compare_digest(sent.encode(), token.encode()):
            raise Refused("This form has expired or did not come from this site. Reload the page and try again.", 403)


def security_headers(resp: Response) -> Response:
    """After every request: set a new CSRF cookie if one was made, and the security and cache headers."""
    if g.get("new_csrf"):
        resp.set_cookie(CSRF_COOKIE, g.csrf, httponly=True, samesite="Strict", path="/")
    resp.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    resp.headers["Referrer-Policy"] = "no-referrer"  # the secrets are in URLs
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["X-Frame-Options"] = "DENY"
    if not request.path.startswith("/static/"):
        resp.headers["Cache-Control"] = "no-store"
    return resp


def csrf_token() -> str:
    """The CSRF token the page's forms must send back."""
    return g.get("csrf", "")


# Secrets in URLs


def room_for_secret(secret: str) -> Room:
    """The room whose instructor secret this is; 404 otherwise."""
    room = store().room_by_secret(secret) if TOKEN.match(secret) else None
    if room is None:
        abort(404, "No room has this instructor link.")
    return room


def seat_for_token(token: str) -> tuple[Seat, Room]:
    """The team seat holding this token and its room; 404 otherwise (a freed seat's token is dead)."""
    seat = store().seat(token) if TOKEN.match(token) else None
    if seat is None:
        abort(404, "This team link is not valid (the instructor may have freed the seat). Join again with the code.")
    return seat, store().room(seat.room)


def check_admin(key: str) -> None:
    """404 unless ``key`` is the app's admin key (compared in constant time)."""
    if not hmac.compare_digest(key.encode(), current_app.config["ADMIN_KEY"].encode()):
        abort(404, "No such page.")


def version(room: Room) -> str:
    """A short hash of what a room's pages show; the pages poll it and reload when it changes."""
    st = store()
    mc = st.montecarlo(room.id)
    mc_state = "none" if mc is None else ("ok" if mc["result"] else "error")
    key = (
        f"{st.count_actions(room.id)}|{len(st.seats(room.id))}|{room.status}|{room.join_code}|"
        f"{room.code_valid()}|{mc_state}"
    )
    return hashlib.sha256(key.encode()).hexdigest()[:16]
