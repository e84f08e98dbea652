"""Storage faults: a full disk or a read-only data folder gives a clear 503 page, reads go on, nothing is lost.

As root, chmod does not stop writes, so most faults are made by a SQLite connection whose writes
fail with SQLite's own messages; the chmod tests run only as another user.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from negotiation.classroom.app import DB_NAME
from negotiation.classroom.store import Store
from tests.classroom.helpers import act, create_room, dump, join, store, text, turn
from tests.helpers import cli_runner

WRITES = ("INSERT", "UPDATE", "DELETE", "CREATE", "REPLACE", "BEGIN IMMEDIATE", "PRAGMA JOURNAL_MODE")
DISK_FULL, READ_ONLY, DISK_ERROR = "disk full", "read-only data folder", "disk error"  # as the 503 page says them
FAULTS = {
    DISK_FULL: "database or disk is full",
    READ_ONLY: "attempt to write a readonly database",
    DISK_ERROR: "disk I/O error",
}
as_root = pytest.mark.skipif(os.geteuid() == 0, reason="chmod does not stop root from writing")


def failing_writes(monkeypatch, message: str, app=None) -> None:
    """From now on every SQLite write fails with ``message`` (as SQLite says it), reads succeed."""
    real = sqlite3.connect

    class Faulty(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql.lstrip().upper().startswith(WRITES):
                raise sqlite3.OperationalError(message)
            return super().execute(sql, *args)

        def executescript(self, sql):
            raise sqlite3.OperationalError(message)

    monkeypatch.setattr(sqlite3, "connect", lambda *a, **kw: real(*a, **kw, factory=Faulty))
    if app is not None:  # its store's connections are opened again, through the faulty connect
        app.extensions["classroom"]["store"].reconnect()


def started_game(app):
    teacher, secret, code = create_room(app)
    b, tb = join(app, code, "B")
    s, ts = join(app, code, "S")
    r = act(b, tb, offer={"price": "30"})
    assert r.status_code == 303, text(r)
    return teacher, secret, (b, tb), (s, ts)


@pytest.mark.parametrize("reason", [DISK_FULL, READ_ONLY, DISK_ERROR])
def test_a_storage_fault_gives_a_503_page_and_reads_keep_working(app, monkeypatch, reason):
    teacher, secret, (b, tb), (s, ts) = started_game(app)
    before = dump(app)
    fields = turn(s, ts)
    failing_writes(monkeypatch, FAULTS[reason], app)

    r = act(s, ts, decision="no", fields=fields)
    assert r.status_code == 503
    page = text(r)
    assert f"The classroom cannot save: {reason} at {Path(app.config['DATA_DIR'])}" in page
    assert "Nothing was lost" in page
    # Every read page still answers.
    for client, url in ((s, f"/t/{ts}"), (b, f"/t/{tb}"), (teacher, f"/i/{secret}"), (s, f"/t/{ts}/state.json")):
        assert client.get(url).status_code == 200, url
    r = teacher.post("/rooms", {"scenario": "teaching_split", "seed": "1", "draw": "0"})
    assert r.status_code == 503 and "cannot save" in text(r)

    monkeypatch.undo()
    store(app).reconnect()
    assert dump(app) == before  # nothing was lost, nothing half-written
    r = act(s, ts, decision="no", fields=fields)  # the same form, once there is room again
    assert r.status_code == 303, text(r)
    assert len(dump(app)["actions"]) == len(before["actions"]) + 1


def test_an_app_opens_a_data_folder_it_cannot_write(tmp_path, monkeypatch):
    from negotiation.classroom import create_app

    first = create_app(tmp_path / "data", mc_draws=300)
    teacher, secret, _ = create_room(first)
    failing_writes(monkeypatch, FAULTS[READ_ONLY])
    again = create_app(tmp_path / "data", mc_draws=300)  # a restart on a read-only folder
    assert again.config["ADMIN_KEY"] == first.config["ADMIN_KEY"]
    assert again.test_client().get(f"/i/{secret}").status_code == 200
    assert again.test_client().get(f"/admin/{again.config['ADMIN_KEY']}").status_code == 200


def test_the_data_folder_and_the_database_are_private(tmp_path):
    data = tmp_path / "data"
    st = Store(data / DB_NAME)
    holder = sqlite3.connect(data / DB_NAME)  # keeps -wal and -shm while another connection writes
    holder.execute("SELECT COUNT(*) FROM rooms").fetchall()
    st.create_room("t", "x.yaml", "x", 1, 0, [], 60.0)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.iterdir()}
    holder.close()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert modes == {DB_NAME: 0o600, f"{DB_NAME}-wal": 0o600, f"{DB_NAME}-shm": 0o600}


def test_serve_exits_with_one_line_when_the_disk_is_full(tmp_path, monkeypatch):
    import waitress

    from negotiation.cli import cli

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    monkeypatch.setattr(waitress, "create_server", lambda *a, **kw: pytest.fail("the server started"))
    result = cli_runner().invoke(cli, ["serve", "--port", "0", "--data", str(tmp_path / "data")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    data = tmp_path / "data"
    assert lines == [f"error: {data / DB_NAME}: the classroom cannot save: disk full at {data}"]


def test_check_writable_names_a_read_only_file(tmp_path, monkeypatch):
    from negotiation.classroom.store import Unsaved, check_writable

    Store(tmp_path / DB_NAME)
    failing_writes(monkeypatch, FAULTS[READ_ONLY])
    with pytest.raises(Unsaved) as info:
        check_writable(tmp_path / DB_NAME)
    assert info.value.reason == READ_ONLY


@as_root
def test_a_read_only_data_folder_serves_reads_and_refuses_writes(app, tmp_path):
    teacher, secret, (b, tb), (s, ts) = started_game(app)
    before = dump(app)
    data = Path(app.config["DATA_DIR"])
    os.chmod(data / DB_NAME, 0o400)
    os.chmod(data, 0o500)
    try:
        assert s.get(f"/t/{ts}").status_code == 200
        assert teacher.get(f"/i/{secret}").status_code == 200
        r = act(s, ts, decision="no")
        assert r.status_code == 503 and READ_ONLY in text(r)
    finally:
        os.chmod(data, 0o700)
        os.chmod(data / DB_NAME, 0o600)
    assert dump(app) == before


@as_root
def test_serve_exits_with_one_line_on_a_read_only_data_folder(tmp_path):
    from negotiation.cli import cli

    data = tmp_path / "data"
    Store(data / DB_NAME)
    os.chmod(data, 0o500)
    try:
        result = cli_runner().invoke(cli, ["serve", "--port", "0", "--data", str(data)])
    finally:
        os.chmod(data, 0o700)
    assert result.exit_code == 2 and READ_ONLY in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_serve_exits_with_one_line_when_the_database_stays_locked(tmp_path, monkeypatch):
    import waitress

    from negotiation.classroom import app as app_module
    from negotiation.cli import cli

    def locked(path):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(app_module, "check_writable", locked)
    monkeypatch.setattr(waitress, "create_server", lambda *a, **kw: pytest.fail("the server started"))
    result = cli_runner().invoke(cli, ["serve", "--port", "0", "--data", str(tmp_path / "data")])
    assert result.exit_code == 2
    data = tmp_path / "data"
    assert result.stderr.strip().splitlines() == [
        f"error: {data / DB_NAME}: cannot open the classroom data (database is locked)"
    ]
