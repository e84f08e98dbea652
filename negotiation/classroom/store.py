"""The classroom's state in one SQLite file: rooms, seats, the people's actions, Monte Carlo results.

A game's state is never stored: it is always ``negotiation.drivers.human.replay`` of the stored actions.
Each server thread keeps one connection of its own, so the store may be shared by the server's threads.
``UNIQUE(room, seq)`` on actions makes a second submission racing the first fail cleanly.

A storage fault (the disk is full, the data folder or the file is read-only) raises ``Unsaved``,
which the app shows as a 503 page; nothing already stored is lost, and reads go on working where
SQLite can still read the file (a read-only folder is read as an immutable file). The data folder
is made 0700 and the file 0600 (SQLite gives its -wal and -shm files the file's mode).
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import secrets
import sqlite3
import threading
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
CODE_LENGTH = 10  # 32**10 = 2**50 codes; shown as ABCDE-FGHJK
CODE_GROUP = 5


class Conflict(Exception):
    """A write lost a race (a seat or an action sequence number already taken)."""


DISK_FULL = "disk full"
READ_ONLY = "read-only data folder"
DISK_ERROR = "disk error"
FULL_TEXTS = ("database or disk is full", "disk is full")
READ_ONLY_TEXTS = ("readonly database", "read-only", "unable to open database file")


class Unsaved(Exception):
    """The classroom cannot save (``reason``: disk full, read-only data folder, disk error); nothing was lost."""

    def __init__(self, path: Path, reason: str):
        self.path, self.reason = Path(path), reason
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"the classroom cannot save: {self.reason} at {self.path.parent}; nothing was lost"


def storage_fault(exc: BaseException) -> str | None:
    """``DISK_FULL``, ``READ_ONLY`` or ``DISK_ERROR`` when ``exc`` is a fault of the storage, else None
    (a bug, a lock)."""
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if any(t in text for t in FULL_TEXTS):
            return DISK_FULL
        if any(t in text for t in READ_ONLY_TEXTS):
            return READ_ONLY
        if "disk i/o error" in text:
            return DISK_ERROR
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return DISK_FULL
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return READ_ONLY
        if exc.errno == errno.EIO:
            return DISK_ERROR
    return None


def make_private(path: Path) -> None:
    """Make the data folder (0700) and an empty database file (0600) when they are missing."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def check_writable(path: Path) -> None:
    """Raise ``Unsaved`` unless a write to the database file at ``path`` (and its folder) succeeds now."""
    probe = path.parent / f".{path.name}.probe-{os.getpid()}"
    try:
        make_private(path)
        probe.write_bytes(b"x")
        probe.unlink()
        db = sqlite3.connect(path, timeout=30)
        try:
            db.execute("BEGIN IMMEDIATE")  # takes the write lock: fails on a read-only file
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.rollback()
        finally:
            db.close()
    except (OSError, sqlite3.OperationalError) as exc:
        reason = storage_fault(exc)
        if reason is None:
            raise
        raise Unsaved(path, reason) from None


def now_text() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def clean_code(text: str) -> str:
    """A join code as typed (any case, spaces or dashes) in its stored form."""
    return "".join(ch for ch in str(text).upper() if ch.isalnum())


def shown_code(code: str) -> str:
    """A stored join code as people read it: in dash-separated groups of five (ABCDE-FGHJK)."""
    if len(code) <= CODE_GROUP + 1:  # a short code of an older version
        return code
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


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
    d = dict(row)  # a sqlite3.Row or a dict
    d["people"] = tuple(json.loads(d["people"]))
    return Room(**d)


class Store:
    """The SQLite file ``path``; created with its tables if missing.

    Each thread keeps one connection (opened at its first use, so no schema is read again per
    request); a connection that met an error other than a lost race is closed and opened anew.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        self._generation = 0
        try:
            make_private(self.path)
            with self._connect() as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(SCHEMA)
                db.executescript(CLASS_SCHEMA)
        except (OSError, Unsaved) as exc:
            # a data folder that cannot be written: serve what it holds, refuse every change
            if isinstance(exc, OSError) and storage_fault(exc) is None:
                raise
            if not self.path.is_file():
                raise
            self.count_actions(0)  # its tables can be read, or this raises

    def reconnect(self) -> None:
        """Open every thread's connection anew at its next use (after the data folder changed under the server)."""
        self._generation += 1

    def _open(self, immutable: bool) -> tuple[sqlite3.Connection, bool]:
        """A connection and whether it is this thread's kept one (else the caller closes it)."""
        kept = getattr(self._local, "db", None)
        if not immutable and kept is not None and kept[0] == self._generation and not kept[1].in_transaction:
            return kept[1], True
        if immutable:  # read a file in a read-only folder, where SQLite cannot make its -shm file
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?immutable=1", uri=True, timeout=30)
        else:
            db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys=ON")
        if immutable or (kept is not None and kept[1].in_transaction):  # a connection in use: not kept
            return db, False
        if kept is not None:
            kept[1].close()
        self._local.db = (self._generation, db)
        return db, True

    def _forget(self, db: sqlite3.Connection) -> None:
        kept = getattr(self._local, "db", None)
        if kept is not None and kept[1] is db:
            self._local.db = None
        db.close()

    @contextmanager
    def _connect(self, immutable: bool = False):
        """A connection in one transaction (commit on success, roll back on error); ``Unsaved`` on a storage fault."""
        db, kept = None, False
        try:
            db, kept = self._open(immutable)
            with db:
                yield db
        except sqlite3.IntegrityError:
            raise
        except (sqlite3.Error, OSError) as exc:
            if db is not None:
                self._forget(db)
                db = None
            reason = storage_fault(exc)
            if reason is None:
                raise
            raise Unsaved(self.path, reason) from exc
        finally:
            if db is not None and not kept:
                db.close()

    def _rows(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        """The rows of one query; when the folder is read-only, read from the file as immutable."""
        try:
            with self._connect() as db:
                return db.execute(sql, args).fetchall()
        except Unsaved as exc:
            if exc.reason != READ_ONLY or os.access(self.path.parent, os.W_OK):
                raise
        with self._connect(immutable=True) as db:
            return db.execute(sql, args).fetchall()

    # meta
    def meta(self, key: str, make) -> str:
        """The stored value of ``key``, or ``make()`` stored now (first caller wins)."""
        rows = self._rows("SELECT value FROM meta WHERE key = ?", (key,))
        if rows:
            return rows[0]["value"]
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
        rows = self._rows("SELECT * FROM rooms WHERE id = ?", (room_id,))
        return _room(rows[0]) if rows else None

    def room_by_secret(self, secret: str) -> Room | None:
        rows = self._rows("SELECT * FROM rooms WHERE secret = ?", (secret,))
        return _room(rows[0]) if rows else None

    def room_by_code(self, code: str) -> Room | None:
        rows = self._rows("SELECT * FROM rooms WHERE join_code = ?", (clean_code(code),))
        return _room(rows[0]) if rows else None

    def rooms(self) -> list[Room]:
        return [_room(r) for r in self._rows("SELECT * FROM rooms ORDER BY id")]

    def count_rooms(self) -> int:
        return self._rows("SELECT COUNT(*) AS n FROM rooms")[0]["n"]

    def room_page(self, offset: int, limit: int) -> list[tuple[Room, int, int]]:
        """Rooms ``offset`` .. ``offset + limit - 1`` by id, each with its seats taken and actions recorded."""
        rows = self._rows(
            "SELECT rooms.*, (SELECT COUNT(*) FROM seats WHERE seats.room = rooms.id) AS n_seats,"
            " (SELECT COUNT(*) FROM actions WHERE actions.room = rooms.id) AS n_actions"
            " FROM rooms ORDER BY id LIMIT ? OFFSET ?",
            (limit, offset),
        )
        out = []
        for r in rows:
            d = dict(r)
            seats, actions = d.pop("n_seats"), d.pop("n_actions")
            out.append((_room(d), seats, actions))
        return out

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
        rows = self._rows("SELECT * FROM seats WHERE token = ?", (token,))
        return Seat(**dict(rows[0])) if rows else None

    def seats(self, room_id: int) -> dict[str, Seat]:
        rows = self._rows("SELECT * FROM seats WHERE room = ? ORDER BY joined", (room_id,))
        return {r["party"]: Seat(**dict(r)) for r in rows}

    def free_seat(self, room_id: int, party: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM seats WHERE room = ? AND party = ?", (room_id, party))

    # actions
    def actions(self, room_id: int) -> list[StoredAction]:
        rows = self._rows("SELECT * FROM actions WHERE room = ? ORDER BY seq", (room_id,))
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
        return self._rows("SELECT COUNT(*) AS n FROM actions WHERE room = ?", (room_id,))[0]["n"]

    # Monte Carlo
    def montecarlo(self, room_id: int) -> dict | None:
        rows = self._rows("SELECT * FROM montecarlo WHERE room = ?", (room_id,))
        if not rows:
            return None
        out = dict(rows[0])
        out["result"] = json.loads(out["result"]) if out["result"] else None
        return out

    def montecarlo_state(self, room_id: int) -> str:
        """Whether the room's Monte Carlo is stored: "none", "ok" or "error" (without reading the result)."""
        rows = self._rows("SELECT result IS NOT NULL AS ok FROM montecarlo WHERE room = ?", (room_id,))
        return "none" if not rows else ("ok" if rows[0]["ok"] else "error")

    def save_montecarlo(self, room_id: int, draws: int, result: dict | None, error: str | None) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO montecarlo (room, draws, result, error, finished) VALUES (?, ?, ?, ?, ?)",
                (room_id, draws, json.dumps(result) if result is not None else None, error, now_text()),
            )

    def montecarlo_twin(self, room_id: int, draws: int) -> dict | None:
        """A stored Monte Carlo result of ``draws`` draws of another room with the same scenario
        text and seed (the same distribution: the rooms of a class share it), or None."""
        rows = self._rows(
            "SELECT m.result FROM montecarlo m JOIN rooms r ON r.id = m.room JOIN rooms me ON me.id = ?"
            " WHERE m.result IS NOT NULL AND m.draws = ? AND r.id != me.id AND r.seed = me.seed"
            " AND r.config_text = me.config_text LIMIT 1",
            (room_id, draws),
        )
        return json.loads(rows[0]["result"]) if rows else None

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
        rows = self._rows("SELECT * FROM classes WHERE id = ?", (class_id,))
        return ClassGroup(**dict(rows[0])) if rows else None

    def class_by_secret(self, secret: str) -> ClassGroup | None:
        rows = self._rows("SELECT * FROM classes WHERE secret = ?", (secret,))
        return ClassGroup(**dict(rows[0])) if rows else None

    def add_to_class(self, class_id: int, room_id: int) -> None:
        """Put a room in a class (a room belongs to one class at most)."""
        with self._connect() as db:
            db.execute("INSERT INTO class_rooms (class, room) VALUES (?, ?)", (class_id, room_id))

    def class_rooms(self, class_id: int) -> list[Room]:
        """The class's rooms, in the order they were made."""
        rows = self._rows(
            "SELECT rooms.* FROM rooms JOIN class_rooms ON class_rooms.room = rooms.id"
            " WHERE class_rooms.class = ? ORDER BY rooms.id",
            (class_id,),
        )
        return [_room(r) for r in rows]

    def class_of(self, room_id: int) -> ClassGroup | None:
        """The class a room belongs to, or None."""
        rows = self._rows(
            "SELECT classes.* FROM classes JOIN class_rooms ON class_rooms.class = classes.id"
            " WHERE class_rooms.room = ?",
            (room_id,),
        )
        return ClassGroup(**dict(rows[0])) if rows else None

    # a room's history (dated facts the debrief conditions the Monte Carlo on)
    def set_history(self, room_id: int, text: str) -> None:
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO room_histories (room, text) VALUES (?, ?)", (room_id, text))

    def history(self, room_id: int) -> str | None:
        """The room's history (YAML text), or None."""
        rows = self._rows("SELECT text FROM room_histories WHERE room = ?", (room_id,))
        return rows[0]["text"] if rows else None
