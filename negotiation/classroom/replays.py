"""The replayed game of each room, kept between requests until its next action.

Replaying a room (``play.replay_room``) costs 0.1 to 0.5 s over a few rounds, and every page of a
room needs it. Actions are only ever appended (``UNIQUE(room, seq)``), so a room's stored actions
are fixed by their count: a replay is kept under the room's count and what else the replay reads
(seed, draw, the parties teams play, the scenario), and made again when any of them changes. The
pages only read a ``GameView``; it is shared between threads and must not be changed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import current_app

from negotiation.drivers.human import GameView

from . import play
from .store import Room, Store, StoredAction

ROOMS_KEPT = 128  # rooms whose replay is kept (least recently used dropped first)


class ReplayCache:
    """An LRU of rooms' replays, each valid while its room's action count is unchanged; thread-safe."""

    def __init__(self, store: Store, rooms: int = ROOMS_KEPT):
        self.store, self.rooms = store, rooms
        self._kept: OrderedDict[int, tuple[tuple, list[StoredAction], GameView]] = OrderedDict()
        self._lock = threading.Lock()

    def room(self, room: Room) -> tuple[list[StoredAction], GameView]:
        """The room's stored actions and its game replayed with them (kept until the next action)."""
        key = (self.store.count_actions(room.id), room.seed, room.draw, room.people, room.config_text)
        with self._lock:
            hit = self._kept.get(room.id)
            if hit is not None and hit[0] == key:
                self._kept.move_to_end(room.id)
                return hit[1], hit[2]
        stored = self.store.actions(room.id)
        key = (len(stored), *key[1:])  # an action recorded in between: keep what was replayed
        view = play.replay_room(room, stored)
        with self._lock:
            self._kept[room.id] = (key, stored, view)
            self._kept.move_to_end(room.id)
            while len(self._kept) > self.rooms:
                self._kept.popitem(last=False)
        return stored, view


def replayed(room: Room) -> tuple[list[StoredAction], GameView]:
    """The room's stored actions and replayed game, from the cache of the app handling this request."""
    return current_app.extensions["classroom"]["replays"].room(room)
