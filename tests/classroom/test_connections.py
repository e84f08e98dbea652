"""`negotiate serve` under a class's connections: idle and half-open sockets do not lock anyone out."""

from __future__ import annotations

import socket
import stat
import urllib.parse
import urllib.request

import pytest

from negotiation.classroom.app import DB_NAME
from tests.classroom.test_serve_cli import start, stop

pytest.importorskip("waitress", reason="the classroom needs waitress")

IDLE = 150  # more than waitress's default limit of 100 connections


def test_a_page_answers_while_150_idle_connections_are_open(tmp_path):
    proc, base, _ = start(tmp_path / "data")
    where = urllib.parse.urlsplit(base)
    idle: list[socket.socket] = []
    try:
        for k in range(IDLE):
            sock = socket.create_connection((where.hostname, where.port), timeout=10)
            if k % 2:  # half-open: a request begun and never finished
                sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
            idle.append(sock)
        home = urllib.request.urlopen(base + "/", timeout=15).read().decode()
        join = urllib.request.urlopen(base + "/join", timeout=15).status
    finally:
        for sock in idle:
            sock.close()
        code, err = stop(proc)
    assert "Create a room" in home and join == 200
    assert code == 0 and "Traceback" not in err


def test_serve_makes_a_private_data_folder(tmp_path):
    proc, base, _ = start(tmp_path / "data")
    try:
        assert urllib.request.urlopen(base + "/", timeout=15).status == 200
    finally:
        stop(proc)
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "data" / DB_NAME).stat().st_mode) == 0o600
