"""Run folders: ``runs/<run-id>/`` with manifest, resolved config, summary and trace.

Files are written to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
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


class RunFolder:
    """A run folder being written; its manifest says ``running`` until ``close``."""

    def __init__(self, path: Path, manifest: dict):
        self.path = path
        self.manifest = manifest

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
        try:
            path.mkdir(parents=True, exist_ok=bool(out))
            if out and any(path.iterdir()):
                raise UserError(f"{path}: the output folder is not empty; choose another")
            manifest = {
                "command": " ".join(["negotiate"] + sys.argv[1:]) if sys.argv else command,
                "kind": command,
                "config": loaded.source,
                "config_hash": loaded.config_hash(),
                "seed": seed,
                "version": __version__,
                "started": started,
                "finished": None,
                "status": "running",
            }
            folder = cls(path, manifest)
            folder.write_manifest()
            write_atomic(path / "config.yaml", loaded.resolved_yaml())
        except OSError as exc:
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
        self.manifest["status"] = status
        self.manifest["finished"] = now()
        with contextlib.suppress(OSError):  # a full disk must not hide the original error
            self.write_manifest()


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
