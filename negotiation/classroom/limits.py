"""Rate limits of the classroom: token buckets kept in memory, one per client (or room), thread-safe.

A bucket holds at most ``capacity`` tokens and refills at ``capacity`` per ``period`` seconds; a
request spends one. The limits the app applies (``Limits``):

- ``create``: rooms created (or tried) per client, 20 at once, then 20 a minute (a dozen rooms
  made one by one fit);
- ``join_failures``: join codes that open nothing, per client, 20 a minute;
- ``join_room``: join forms sent with a room's right code, per room, 60 a minute.

A client is its IP address (an IPv6 address by its /64 network, which one user usually holds).
Behind a reverse proxy every client has the proxy's address, so the limits apply to all together.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from dataclasses import dataclass

MAX_KEYS = 10_000  # buckets kept; beyond this the full ones (and then the oldest) are forgotten


class Buckets:
    """Token buckets by key: ``capacity`` tokens each, refilled at ``capacity`` per ``period`` seconds.

    ``clock`` gives seconds (monotonic); tests pass their own.
    """

    def __init__(self, capacity: int, period: float, clock=time.monotonic):
        self.capacity, self.period, self.clock = capacity, period, clock
        self.rate = capacity / period
        self._tokens: dict[object, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def _level(self, key, now: float) -> float:
        tokens, at = self._tokens.get(key, (self.capacity, now))
        return min(self.capacity, tokens + (now - at) * self.rate)

    def ready(self, key) -> bool:
        """Whether ``key`` has a token to spend now (nothing is spent)."""
        with self._lock:
            return self._level(key, self.clock()) >= 1

    def take(self, key) -> bool:
        """Spend one of ``key``'s tokens; False (and nothing spent) when it has none."""
        with self._lock:
            now = self.clock()
            level = self._level(key, now)
            if level < 1:
                return False
            self._tokens[key] = (level - 1, now)
            if len(self._tokens) > MAX_KEYS:
                self._forget(now)
            return True

    def wait(self, key) -> int:
        """Whole seconds until ``key`` has a token again (0 if it has one)."""
        with self._lock:
            missing = 1 - self._level(key, self.clock())
        return max(0, math.ceil(missing * self.period / self.capacity))

    def _forget(self, now: float) -> None:
        for key in [k for k in self._tokens if self._level(k, now) >= self.capacity]:
            del self._tokens[key]
        for key in sorted(self._tokens, key=lambda k: self._tokens[k][1])[: len(self._tokens) - MAX_KEYS]:
            del self._tokens[key]


CREATE = (20, 60.0)  # rooms created (or tried) per client: tokens, seconds to refill them all
JOIN_FAILURES = (20, 60.0)  # join codes that open nothing, per client
JOIN_ROOM = (60, 60.0)  # join forms sent with a room's right code, per room


@dataclass
class Limits:
    """The rate limits of one app (see the module's docstring)."""

    create: Buckets
    join_failures: Buckets
    join_room: Buckets

    @classmethod
    def default(cls, clock=time.monotonic) -> Limits:
        """The limits of the module's docstring, on ``clock``."""
        return cls(*(Buckets(n, period, clock) for n, period in (CREATE, JOIN_FAILURES, JOIN_ROOM)))


def client_key(address: str | None) -> str:
    """The key a client's requests are counted under: its IPv4 address, or its IPv6 /64 network."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return str(address)
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
