"""The classroom's state in one SQLite file: rooms, seats, the people's actions, Monte Carlo results.

A game's state is never stored: it is always ``negotiation.drivers.human.replay`` of the stored actions.
Each call opens its own connection, so the store may be shared by the server's threads.
``UNIQUE(room, seq)`` on actions makes a second submission racing the first fail cleanly.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rooms (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    config_name TEXT NOT NULL,
    config_text TEXT NOT NULL,
    seed INTEGER NOT NULL,
    draw INTEGER NOT NULL,
    people TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('setup', 'open')),
    join_code TEXT NOT NULL UNIQUE,
    code_expires REAL NOT NULL,
    secret TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS seats (
    room INTEGER NOT NULL REFERENCES rooms(id),
    party TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    team TEXT NOT NULL,
    joined TEXT NOT NULL,
    PRIMARY KEY (room, party)
);
CREATE TABLE IF NOT EXISTS actions (
    room INTEGER NOT NULL REFERENCES rooms(id),
    seq INTEGER NOT NULL,
    round INTEGER NOT NULL,
    party TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    proposer TEXT,
    time TEXT NOT NULL,
    UNIQUE (room, seq)
);
CREATE TABLE IF NOT EXISTS montecarlo (
    room INTEGER PRIMARY KEY REFERENCES rooms(id),
    draws INTEGER NOT NULL,
    result TEXT,
    error TEXT,
    finished TEXT
);
"""

CLASS_SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    secret TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS room_histories (
    room INTEGER PRIMARY KEY REFERENCES rooms(id),
    text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS class_rooms (
    class INTEGER NOT NULL REFERENCES classes(id),
    room INTEGER NOT NULL UNIQUE REFERENCES rooms(id),
    PRIMARY KEY (class, room)
);
"""

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 6


class Conflict(Exception):
    """A write lost a race (a seat or an action sequence number already taken)."""


def now_text() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def clean_code(text: str) -> str:
    """A join code as typed (any case, spaces or dashes) in its stored form."""
    return "".join(ch for ch in str(text).upper() if ch.isalnum())


@dataclass(frozen=True)
class Room:
    id: int
    title: str
    config_name: str
    config_text: str
    seed: int
    draw: int
    people: tuple[str, ...]
    status: str
    join_code: str
    code_expires: float
    secret: str
    created: str

    def code_valid(self, at: float | None = None) -> bool:
        return self.status == "open" and (time.time() if at is None else at) < self.code_expires


@dataclass(frozen=True)
class Seat:
    room: int
    party: str
    token: str
    team: str
    joined: str


@dataclass(frozen=True)
class StoredAction:
    seq: int
    round: int
    party: str
    kind: str
    value: object
    proposer: str | None
    time: str


@dataclass(frozen=True)
class ClassGroup:
    """Rooms an instructor runs together on one scenario, seed and draw (``/c/<secret>``)."""

    id: int
    title: str
    secret: str
    created: str


def _room(row) -> Room:
    d = dict(row)
    d["people"] = tuple(json.loads(d["people"]))
    return Room(**d)


class Store:
    """The SQLite file ``path``; created with its tables if missing."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            db.executescript(CLASS_SCHEMA)

    @contextmanager
    def _connect(self):
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys=ON")
        try:
            with db:  # one transaction: commit on success, roll back on error
                yield db
        finally:
            db.close()

    # meta
    def meta(self, key: str, make) -> str:
        """The stored value of ``key``, or ``make()`` stored now (first caller wins)."""
        with self._connect() as db:
            db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, make()))
            return db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()["value"]

    # rooms
    def create_room(self, title, config_name, config_text, seed, draw, people, code_ttl: float) -> Room:
        for _ in range(20):
            try:
                with self._connect() as db:
                    cur = db.execute(
                        "INSERT INTO rooms (title, config_name, config_text, seed, draw, people, status, join_code,"
                        " code_expires, secret, created) VALUES (?, ?, ?, ?, ?, ?, 'setup', ?, ?, ?, ?)",
                        (
                            title,
                            config_name,
                            config_text,
                            int(seed),
                            int(draw),
                            json.dumps(list(people)),
                            new_code(),
                            time.time() + code_ttl,
                            secrets.token_urlsafe(24),
                            now_text(),
                        ),
                    )
                    room_id = cur.lastrowid
                return self.room(room_id)
            except sqlite3.IntegrityError:  # a join code already in use: draw another
                continue
        raise RuntimeError("could not draw a free join code")

    def room(self, room_id: int) -> Room | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM rooms WHERE id = ?", (room_id,)).fetchone()
        return _room(row) if row else None

    def room_by_secret(self, secret: str) -> Room | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM rooms WHERE secret = ?", (secret,)).fetchone()
        return _room(row) if row else None

    def room_by_code(self, code: str) -> Room | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM rooms WHERE join_code = ?", (clean_code(code),)).fetchone()
        return _room(row) if row else None

    def rooms(self) -> list[Room]:
        with self._connect() as db:
            return [_room(r) for r in db.execute("SELECT * FROM rooms ORDER BY id")]

    def set_people(self, room_id: int, people) -> None:
        """Which parties teams play; only while the room is being set up."""
        with self._connect() as db:
            cur = db.execute(
                "UPDATE rooms SET people = ? WHERE id = ? AND status = 'setup'", (json.dumps(list(people)), room_id)
            )
            if cur.rowcount != 1:
                raise Conflict("the room is already open; its teams are fixed")

    def open_room(self, room_id: int, code_ttl: float) -> None:
        with self._connect() as db:
            db.execute(
                "UPDATE rooms SET status = 'open', code_expires = ? WHERE id = ?", (time.time() + code_ttl, room_id)
            )

    def new_join_code(self, room_id: int, code_ttl: float) -> None:
        for _ in range(20):
            try:
                with self._connect() as db:
                    db.execute(
                        "UPDATE rooms SET join_code = ?, code_expires = ? WHERE id = ?",
                        (new_code(), time.time() + code_ttl, room_id),
                    )
                return
            except sqlite3.IntegrityError:
                continue
        raise RuntimeError("could not draw a free join code")

    def expire_code(self, room_id: int, at: float | None = None) -> None:
        with self._connect() as db:
            db.execute("UPDATE rooms SET code_expires = ? WHERE id = ?", (time.time() if at is None else at, room_id))

    # seats
    def take_seat(self, room_id: int, party: str, team: str) -> Seat:
        token = secrets.token_urlsafe(24)
        try:
            with self._connect() as db:
                db.execute(
                    "INSERT INTO seats (room, party, token, team, joined) VALUES (?, ?, ?, ?, ?)",
                    (room_id, party, token, team, now_text()),
                )
        except sqlite3.IntegrityError:
            raise Conflict(f"another team has just taken {party}") from None
        return self.seat(token)

    def seat(self, token: str) -> Seat | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM seats WHERE token = ?", (token,)).fetchone()
        return Seat(**dict(row)) if row else None

    def seats(self, room_id: int) -> dict[str, Seat]:
        with self._connect() as db:
            rows = db.execute("SELECT * FROM seats WHERE room = ? ORDER BY joined", (room_id,)).fetchall()
        return {r["party"]: Seat(**dict(r)) for r in rows}

    def free_seat(self, room_id: int, party: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM seats WHERE room = ? AND party = ?", (room_id, party))

    # actions
    def actions(self, room_id: int) -> list[StoredAction]:
        with self._connect() as db:
            rows = db.execute("SELECT * FROM actions WHERE room = ? ORDER BY seq", (room_id,)).fetchall()
        return [
            StoredAction(r["seq"], r["round"], r["party"], r["kind"], json.loads(r["value"]), r["proposer"], r["time"])
            for r in rows
        ]

    def add_action(self, room_id: int, seq: int, round: int, party: str, kind: str, value, proposer) -> None:
        """Record action number ``seq``; Conflict when that number is taken (a racing submission won)."""
        try:
            with self._connect() as db:
                db.execute(
                    "INSERT INTO actions (room, seq, round, party, kind, value, proposer, time)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (room_id, seq, round, party, kind, json.dumps(value), proposer, now_text()),
                )
        except sqlite3.IntegrityError:
            raise Conflict("another submission was recorded first") from None

    def count_actions(self, room_id: int) -> int:
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) AS n FROM actions WHERE room = ?", (room_id,)).fetchone()["n"]

    # Monte Carlo
    def montecarlo(self, room_id: int) -> dict | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM montecarlo WHERE room = ?", (room_id,)).fetchone()
        if row is None:
            return None
        out = dict(row)
        out["result"] = json.loads(out["result"]) if out["result"] else None
        return out

    def save_montecarlo(self, room_id: int, draws: int, result: dict | None, error: str | None) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO montecarlo (room, draws, result, error, finished) VALUES (?, ?, ?, ?, ?)",
                (room_id, draws, json.dumps(result) if result is not None else None, error, now_text()),
            )

    def montecarlo_twin(self, room_id: int, draws: int) -> dict | None:
        """A stored Monte Carlo result of ``draws`` draws of another room with the same scenario
        text and seed (the same distribution: the rooms of a class share it), or None."""
        with self._connect() as db:
            row = db.execute(
                "SELECT m.result FROM montecarlo m JOIN rooms r ON r.id = m.room JOIN rooms me ON me.id = ?"
                " WHERE m.result IS NOT NULL AND m.draws = ? AND r.id != me.id AND r.seed = me.seed"
                " AND r.config_text = me.config_text LIMIT 1",
                (room_id, draws),
            ).fetchone()
        return json.loads(row["result"]) if row else None

    # classes
    def create_class(self, title: str) -> ClassGroup:
        """A new, empty class with a fresh secret."""
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO classes (title, secret, created) VALUES (?, ?, ?)",
                (title, secrets.token_urlsafe(24), now_text()),
            )
            class_id = cur.lastrowid
        return self.class_group(class_id)

    def class_group(self, class_id: int) -> ClassGroup | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM classes WHERE id = ?", (class_id,)).fetchone()
        return ClassGroup(**dict(row)) if row else None

    def class_by_secret(self, secret: str) -> ClassGroup | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM classes WHERE secret = ?", (secret,)).fetchone()
        return ClassGroup(**dict(row)) if row else None

    def add_to_class(self, class_id: int, room_id: int) -> None:
        """Put a room in a class (a room belongs to one class at most)."""
        with self._connect() as db:
            db.execute("INSERT INTO class_rooms (class, room) VALUES (?, ?)", (class_id, room_id))

    def class_rooms(self, class_id: int) -> list[Room]:
        """The class's rooms, in the order they were made."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT rooms.* FROM rooms JOIN class_rooms ON class_rooms.room = rooms.id"
                " WHERE class_rooms.class = ? ORDER BY rooms.id",
                (class_id,),
            ).fetchall()
        return [_room(r) for r in rows]

    def class_of(self, room_id: int) -> ClassGroup | None:
        """The class a room belongs to, or None."""
        with self._connect() as db:
            row = db.execute(
                "SELECT classes.* FROM classes JOIN class_rooms ON class_rooms.class = classes.id"
                " WHERE class_rooms.room = ?",
                (room_id,),
            ).fetchone()
        return ClassGroup(**dict(row)) if row else None

    # a room's history (dated facts the debrief conditions the Monte Carlo on)
    def set_history(self, room_id: int, text: str) -> None:
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO room_histories (room, text) VALUES (?, ?)", (room_id, text))

    def history(self, room_id: int) -> str | None:
        """The room's history (YAML text), or None."""
        with self._connect() as db:
            row = db.execute("SELECT text FROM room_histories WHERE room = ?", (room_id,)).fetchone()
        return row["text"] if row else None
