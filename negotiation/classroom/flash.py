"""One-time notices after a redirect ("Room created", "Recorded: your offer"), kept in a short-lived
cookie rather than in the URL, so a bookmarked or reloaded page does not show them again.

The cookie is scoped to the page it is for (its path) and cleared by the first response that reads it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import after_this_request, redirect, request

FLASH_COOKIE = "nsim_flash"
NOTICES = (  # the only values a page reads
    "room_created",
    "class_created",
    *(f"sent_{kind}" for kind in ("offer", "respond", "bilateral", "extend", "join")),  # a team's decision
)
FLASH_TTL = 300  # seconds: long enough to follow the redirect


def redirect_with_notice(location: str, notice: str):
    """A 303 redirect to ``location`` whose page shows ``notice`` once."""
    if notice not in NOTICES:
        raise ValueError(f"unknown notice {notice!r}")
    resp = redirect(location, 303)
    path = urlsplit(location).path or "/"
    resp.set_cookie(FLASH_COOKIE, notice, max_age=FLASH_TTL, path=path, httponly=True, samesite="Strict")
    return resp


def take_notice() -> str | None:
    """The notice waiting for this page (one of ``NOTICES``), cleared by this response; None if none."""
    notice = request.cookies.get(FLASH_COOKIE)
    if notice is None:
        return None
    path = request.path

    @after_this_request
    def _clear(resp):
        resp.delete_cookie(FLASH_COOKIE, path=path, httponly=True, samesite="Strict")
        return resp

    return notice if notice in NOTICES else None
