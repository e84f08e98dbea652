"""Which host names the classroom answers to, and the public address every shown link is built on.

A request whose ``Host`` header is not one of ``app.config["ALLOWED_HOSTS"]`` is refused (400)
before anything else, so a forged ``Host`` cannot put another site's address into a page. Links
shown to people (the join page on the instructor's page) use ``app.config["PUBLIC_URL"]`` when
set, else the address of the (allowed) request.
"""

from __future__ import annotations

import re
import socket
from urllib.parse import urlsplit

from flask import abort, current_app, request

from negotiation.errors import UserError

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
HOST_NAME = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?)+$|^\[[0-9a-f:.]+\]$")


def host_name(host: str) -> str:
    """A ``Host`` header (``name[:port]``, ``[v6][:port]``) without its port, in lower case."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.partition(":")[0]


def check_allowed_host(text: str) -> str:
    """An ``--allowed-host`` value in its stored form; UserError when it is not a host name or address."""
    name = text.strip().lower()
    if ":" in name and not name.startswith("["):
        name = f"[{name}]" if name.count(":") > 1 else name.partition(":")[0]  # a bare IPv6, or name:port
    if not HOST_NAME.match(name) or len(name) > 253:
        raise UserError(f"--allowed-host: expected a host name or IP address, got {text!r}")
    return name


def parse_public_url(text: str) -> str:
    """An ``--public-url`` value as ``scheme://host[:port]``; UserError unless it is an http(s) address."""
    parts = urlsplit(text.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username
    ):
        raise UserError(
            f"--public-url: expected an address like https://class.example.org or http://10.0.0.5:8000, got {text!r}"
        )
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise UserError(f"--public-url: bad port in {text!r}") from None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def public_host(public_url: str) -> str:
    """The host name of a public URL, as it is allowed."""
    return host_name(urlsplit(public_url).netloc)


def lan_address() -> str | None:
    """This machine's address on its network (the one others reach it at), or None when offline.

    Connecting a UDP socket sends nothing; it only picks the interface a packet would leave by.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere
            return s.getsockname()[0]
        except OSError:
            return None


def check_host() -> None:
    """Before every request: refuse (400) a ``Host`` header that is not one of the allowed names."""
    allowed = current_app.config.get("ALLOWED_HOSTS")
    host = request.environ.get("HTTP_HOST") or request.environ.get("SERVER_NAME", "")
    if allowed is not None and host_name(host) not in allowed:
        abort(
            400,
            f"This server does not answer to the address {host[:80]!r}. Use the address your instructor gave; "
            "the instructor can allow more names with `negotiate serve --allowed-host NAME` or `--public-url URL`.",
        )


def public_base() -> str:
    """The address links are built on: the public URL if one was set, else this (allowed) request's."""
    return current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")


def own_origins() -> set[str]:
    """The origins a form of this site is posted from: this request's and the public URL's."""
    return {request.host_url.rstrip("/").lower(), public_base().lower()}
