"""Run folders: ``runs/<run-id>/`` with manifest, resolved config, summary and trace.

Files are written to a temporary name and renamed, so a reader never sees half a file. One
writer at a time: a writer holds the folder's lock file (``FolderLock``) for the whole write,
and a second one is refused with one line naming the first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import socket
import sys
import time
from pathlib import Path

from negotiation import __version__
from negotiation.errors import UserError


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(tmp, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def json_text(obj) -> str:
    """Canonical JSON text (sorted keys, two-space indent, trailing newline)."""
    return json.dumps(obj, indent=2, sort_keys=True, allow_nan=False) + "\n"


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def command_line(default: str = "") -> str:
    """The command this process runs, as a person would type it (``negotiate sweep ...``)."""
    return " ".join(["negotiate"] + sys.argv[1:]) if sys.argv else default


LOCK = ".lock"  # a run folder's lock file, there while a writer holds it


class FolderLock:
    """An exclusive ``flock`` on ``<folder>/.lock``, which records the holder (pid, host,
    command, start time) as JSON. ``take`` refuses, with one line naming the holder, when
    another process holds it; the kernel lets go if the holder dies, and ``release`` removes
    the file. (On a network file system, flock is only as good as the server's locking.)"""

    def __init__(self, path: Path, fd: int):
        self.path, self.fd = path, fd

    @classmethod
    def take(cls, folder: Path, command: str) -> FolderLock:
        """Lock ``folder`` for this process, or raise a UserError naming who holds it."""
        path = Path(folder) / LOCK
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(fd)
                os.close(fd)
                raise UserError(
                    f"{folder}: another writer is at work in this run folder ({holder}); "
                    "nothing was changed: wait for it to end"
                ) from None
            except BaseException:
                os.close(fd)
                raise
            try:
                current = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False
            if current:
                break
            os.close(fd)  # the last holder removed this file while we opened it: take a new one
        info = {"pid": os.getpid(), "host": socket.gethostname(), "command": command, "since": now()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json_text(info).encode(), 0)
        return cls(path, fd)

    def release(self) -> None:
        """Remove the lock file and let go (removed first, so no one takes the old file)."""
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        os.close(self.fd)
        self.fd = None


def _holder(fd: int, wait: float = 1.0) -> str:
    """Who holds the lock open at ``fd``: pid, host, command and since when (read again for up
    to ``wait`` seconds while the holder, which has just taken it, has not yet written them)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            info = json.loads(os.pread(fd, 4096, 0))
            return f"pid {info['pid']} on {info['host']}, `{info['command']}`, since {info['since']}"
        except (ValueError, KeyError, TypeError):
            if time.monotonic() > deadline:
                return "a process that has not said who it is"
            time.sleep(0.05)


class RunFolder:
    """A run folder being written, locked against other writers (``FolderLock``) until
    ``close``; its manifest says ``running`` until then."""

    def __init__(self, path: Path, manifest: dict, lock: FolderLock | None = None):
        self.path = path
        self.manifest = manifest
        self.lock = lock

    @classmethod
    def open(cls, path: str | Path, kind: str | None = None) -> RunFolder:
        """An existing run folder (of ``kind``), locked for writing, with its manifest as read
        under the lock; a UserError if it is not one, or if another writer holds it."""
        path = Path(path)
        read_manifest(path, kind)  # is it a run folder at all? (before a lock file is made in it)
        try:
            lock = FolderLock.take(path, command_line())
        except OSError as exc:
            raise UserError(f"{path}: cannot lock the run folder: {exc.strerror}") from None
        try:
            return cls(path, read_manifest(path, kind), lock)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def create(cls, root: str | Path, name: str, command: str, loaded, seed: int, out: str | None = None):
        """Make a new folder under ``root`` (or exactly ``out``) and write manifest and config."""
        started = now()
        if out:
            path = Path(out)
        else:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            path = Path(root) / f"{stamp}-{name}-{command}-s{seed}"
            n = 1
            while path.exists():
                n += 1
                path = Path(root) / f"{stamp}-{name}-{command}-s{seed}-{n}"
        folder = None
        try:
            path.mkdir(parents=True, exist_ok=bool(out))
            if out and any(path.iterdir()):
                raise UserError(f"{path}: the output folder is not empty; choose another")
            folder = cls(path, {}, FolderLock.take(path, command_line(command)))
            folder.manifest = {
                "command": command_line(command),
                "kind": command,
                "config": loaded.source,
                "config_hash": loaded.config_hash(),
                "seed": seed,
                "version": __version__,
                "started": started,
                "finished": None,
                "status": "running",
            }
            folder.write_manifest()
            write_atomic(path / "config.yaml", loaded.resolved_yaml())
        except OSError as exc:
            if folder is not None:
                folder.release()
            raise UserError(f"{path}: cannot write the run folder: {exc.strerror}") from None
        return folder

    def write_manifest(self) -> None:
        write_atomic(self.path / "manifest.json", json_text(self.manifest))

    def write(self, name: str, data: str | bytes) -> None:
        try:
            write_atomic(self.path / name, data)
        except OSError as exc:
            raise UserError(f"{self.path / name}: cannot write: {exc.strerror}") from None

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        """Mark the run complete, or failed (partial when interrupted) if the block raised."""
        if kind is None:
            self.close("complete")
        else:
            self.close("partial" if issubclass(kind, KeyboardInterrupt) else "failed")

    def close(self, status: str = "complete") -> None:
        """Write the manifest's final ``status`` and let go of the folder."""
        self.manifest["status"] = status
        self.manifest["finished"] = now()
        with contextlib.suppress(OSError):  # a full disk must not hide the original error
            self.write_manifest()
        self.release()

    def release(self) -> None:
        """Let another writer have the folder (``close`` does this)."""
        if self.lock is not None:
            self.lock.release()


def given_name(folder: str | Path, kind: str, seed: int) -> str:
    """The name a run folder was made with (``RunFolder.create``): its folder name without the
    leading time stamp and the trailing ``-<kind>-s<seed>`` (``20261204-031200-nafta-sweep-s4``
    gives ``nafta``); a folder named with ``--out`` keeps its name. For the names of folders
    made from another, such as a replay of a sweep's draw, which take a stamp of their own."""
    name = re.sub(r"^\d{8}-\d{6}-", "", Path(folder).name)
    return re.sub(rf"-{re.escape(kind)}-s{seed}(-\d+)?$", "", name) or kind


def read_manifest(folder: Path, kind: str | None = None) -> dict:
    """The manifest of a run folder; a UserError if the folder is not one (of ``kind``)."""
    path = Path(folder) / "manifest.json"
    if not Path(folder).is_dir():
        raise UserError(f"{folder}: no such run folder")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{folder}: not a run folder (no manifest.json)") from None
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: unreadable manifest ({exc})") from None
    if kind and manifest.get("kind") != kind:
        raise UserError(f"{folder}: a {manifest.get('kind')!r} run folder, expected a {kind} run folder")
    return manifest
