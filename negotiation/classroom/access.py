"""Who may see and change what: the CSRF tokens, the response headers, the secrets in URLs, who may
create rooms, and the rate limits.

Every blueprint reaches the room store through here, and every room, seat or admin page is found
by the secret in its URL (never by what a form claims):

- ``/i/<secret>``: a room's instructor secret (``room_for_secret``);
- ``/t/<token>``: one team's seat token (``seat_for_token``);
- ``/admin/<key>``: the admin key made on the first start (``check_admin``).

A form's CSRF token is an HMAC, with the app's secret key, of the browser's CSRF cookie and of the
secret in the page's URL (``form_token``): a token of one seat does not work for another, and a
cookie planted by someone else is useless without the key (a page whose form posts to a URL with
another secret binds it with ``csrf(action)`` in ``_macros.html``). A POST whose ``Origin`` (or,
without one, ``Referer``) is another site's is refused too.

Creating a room needs the instructor privilege (``may_create``): the instructor passphrase set when
the server started, or the admin key, typed in the form or once through ``/instructor/<admin key>``;
either gives the browser a cookie, an HMAC of the passphrase, that lets it create more rooms.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from urllib.parse import urlsplit

from flask import Response, abort, current_app, g, request
from werkzeug.exceptions import HTTPException

from .hosts import own_origins
from .limits import Limits, client_key
from .montecarlo import Runner
from .store import Room, Seat, Store

CSRF_COOKIE = "nsim_csrf"
INSTRUCTOR_COOKIE = "nsim_instructor"
SCOPES = ("token", "secret", "key")  # the URL secrets a form's token is bound to
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


def limits() -> Limits:
    """The rate limits of the app handling this request."""
    return current_app.extensions["classroom"]["limits"]


def client() -> str:
    """The key this request's client is counted under by the rate limits."""
    return client_key(request.remote_addr)


def sign(*parts: str) -> str:
    """An HMAC (SHA-256, the app's secret key) of ``parts``, as 32 URL-safe characters."""
    mac = hmac.new(current_app.secret_key.encode(), "|".join(parts).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode()


# CSRF tokens, origins and headers (registered on the app by ``create_app``)


def csrf_scope(view_args: dict | None) -> str:
    """The URL secret a form's token is bound to: a seat token, an instructor secret, the admin key, or none."""
    args = view_args or {}
    return next((f"{name}:{args[name]}" for name in SCOPES if name in args), "")


def form_token(cookie: str, scope: str) -> str:
    """The CSRF token of the forms of a page in ``scope`` for a browser holding CSRF ``cookie``."""
    return sign("csrf", scope, cookie)


def check_csrf() -> None:
    """Before every request: keep (or make) the CSRF cookie; refuse a POST from another site, or whose
    form token is not this cookie's for this URL's secret."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    g.new_csrf = not TOKEN.match(cookie)
    g.csrf = secrets.token_urlsafe(24) if g.new_csrf else cookie
    if request.method != "POST":
        return
    if not _same_origin():
        raise Refused("This form was sent from another site; nothing was changed.", 403)
    sent = request.form.get("csrf", "")
    if g.new_csrf or not hmac.compare_digest(sent.encode(), form_token(cookie, csrf_scope(request.view_args)).encode()):
        raise Refused("This form has expired or did not come from this site. Reload the page and try again.", 403)


def _same_origin() -> bool:
    """False when the POST says it comes from another origin (``Origin``, else ``Referer``); True when it is
    ours or says nothing (browsers send ``Origin`` on every cross-site POST)."""
    origin = request.headers.get("Origin")
    if origin is None and request.referrer:
        parts = urlsplit(request.referrer)
        origin = f"{parts.scheme}://{parts.netloc}"
    return origin is None or origin.rstrip("/").lower() in own_origins()


def security_headers(resp: Response) -> Response:
    """After every request: set a new CSRF cookie if one was made, the instructor cookie if granted, and
    the security and cache headers."""
    secure = (current_app.config.get("PUBLIC_URL") or "").startswith("https://")  # sent over HTTPS only
    if g.get("new_csrf"):
        resp.set_cookie(CSRF_COOKIE, g.csrf, httponly=True, samesite="Strict", path="/", secure=secure)
    if g.get("grant_instructor"):
        resp.set_cookie(
            INSTRUCTOR_COOKIE, _instructor_pass(), httponly=True, samesite="Strict", path="/", secure=secure
        )
    resp.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    resp.headers["Referrer-Policy"] = "same-origin"  # the secrets are in URLs: never sent to another site
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["X-Frame-Options"] = "DENY"
    if not request.path.startswith("/static/"):
        resp.headers["Cache-Control"] = "no-store"
    return resp


def csrf_token() -> str:
    """The CSRF token the page's forms must send back (to a URL with the same secret as the page's)."""
    return form_token(g.csrf, csrf_scope(request.view_args)) if "csrf" in g else ""


def csrf_for(action: str) -> str:
    """The CSRF token of a form posting to ``action``, a URL of this app with another secret than the page's."""
    try:
        _, args = current_app.url_map.bind("", "/").match(action.split("?")[0], method="POST")
    except HTTPException:  # not a URL of this app: no token would do
        return ""
    return form_token(g.csrf, csrf_scope(args)) if "csrf" in g else ""


# Who may create rooms


def _instructor_pass() -> str:
    return sign("instructor", current_app.config.get("INSTRUCTOR_PASSPHRASE") or "")


def is_instructor() -> bool:
    """Whether this browser holds the instructor cookie (of the current passphrase), or is given it now."""
    if g.get("grant_instructor"):
        return True
    held = request.cookies.get(INSTRUCTOR_COOKIE, "")
    return hmac.compare_digest(held.encode(), _instructor_pass().encode())


def may_create(typed: str) -> bool:
    """Whether this request may create a room: the instructor cookie, or ``typed`` is the instructor
    passphrase or the admin key; on a typed success the browser is given the cookie."""
    if is_instructor():
        return True
    passphrase = current_app.config.get("INSTRUCTOR_PASSPHRASE") or ""
    good = hmac.compare_digest(typed.encode(), current_app.config["ADMIN_KEY"].encode())
    good |= bool(passphrase) and hmac.compare_digest(typed.encode(), passphrase.encode())
    g.grant_instructor = good
    return good


def grant_instructor() -> None:
    """Give this browser the instructor cookie with the response."""
    g.grant_instructor = True


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
    """A short keyed hash of what a room's pages show; the pages poll it and reload when it changes.

    It is made from public counts and states only (a new join code shows as its new expiry time),
    with the app's secret key, so nothing secret can be recovered from it.
    """
    st = store()
    mc_state = st.montecarlo_state(room.id)
    return sign(
        "version",
        str(st.count_actions(room.id)),
        str(len(st.seats(room.id))),
        room.status,
        repr(room.code_expires),
        str(room.code_valid()),
        mc_state,
    )[:16]
