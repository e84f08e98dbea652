"""Background work: a fair queue over rooms, so a light room's debrief is not stuck behind a heavy one."""

from __future__ import annotations

import threading
import time

import pytest

from negotiation.classroom import montecarlo
from tests.classroom.helpers import MC_DRAWS, create_room, join, play_split, store, text, wait_mc

HEAVY_SEED, LIGHT_SEED = "7", "1"


@pytest.fixture
def slow_heavy_room(monkeypatch):
    """``run_rows`` as it is, but 2 ms a draw for the heavy room's seed, whose first call waits for ``go``."""
    real = montecarlo.run_rows
    go, started = threading.Event(), threading.Event()

    def run_rows(st, space, seed, start, n):
        if seed == int(HEAVY_SEED):
            started.set()
            assert go.wait(30)
            time.sleep(0.002 * n)
        return real(st, space, seed, start, n)

    monkeypatch.setattr(montecarlo, "run_rows", run_rows)
    monkeypatch.setattr(montecarlo, "SLICE_SECONDS", 0.05, raising=False)
    return go, started


def test_a_light_room_finishes_while_a_heavy_one_runs(app, monkeypatch, slow_heavy_room):
    go, started = slow_heavy_room
    saved = []
    real_save = store(app).save_montecarlo
    monkeypatch.setattr(store(app), "save_montecarlo", lambda room, *a: (saved.append(room), real_save(room, *a)))
    heavy = store(app).room_by_secret(create_room(app, seed=HEAVY_SEED, open_room=False)[1]).id
    assert started.wait(30)  # the heavy room's first slice is under way
    light = store(app).room_by_secret(create_room(app, seed=LIGHT_SEED, open_room=False)[1]).id
    go.set()
    runner = app.extensions["classroom"]["runner"]
    runner.wait(heavy, 60)
    runner.wait(light, 60)
    assert saved == [light, heavy]
    assert store(app).montecarlo(heavy)["result"]["draws"] == MC_DRAWS
    assert store(app).montecarlo(light)["result"]["draws"] == MC_DRAWS


def test_a_room_over_its_budget_keeps_the_draws_it_made(tmp_path, monkeypatch):
    from negotiation.classroom import create_app

    monkeypatch.setattr(montecarlo, "BUDGET_SECONDS", 0.0, raising=False)  # one first slice only
    monkeypatch.setattr(montecarlo, "PROBE", 40, raising=False)
    monkeypatch.setattr(montecarlo, "SLICE_SECONDS", 0.0, raising=False)
    app = create_app(tmp_path / "data", mc_draws=300)
    teacher, secret, code = create_room(app)
    teams = {"B": join(app, code, "B"), "S": join(app, code, "S")}
    play_split(app, teams)
    wait_mc(app, secret)
    room = store(app).room_by_secret(secret)
    assert store(app).montecarlo(room.id)["result"]["draws"] == 40
    page = text(teacher.get(f"/i/{secret}/debrief"))
    assert "among 40 negotiations" in page


def test_the_fair_queue_gives_each_job_a_turn_in_round_robin():
    from negotiation.classroom.montecarlo import FairQueue

    queue, turns, finished = FairQueue(), [], []
    go = threading.Event()

    def job(name, steps):
        def run():
            for i in range(steps):
                if name == "heavy" and i == 0:
                    assert go.wait(30)
                turns.append(name)
                yield
            finished.append(name)

        return run

    queue.add("heavy", job("heavy", 6))
    queue.add("light", job("light", 2))
    assert not queue.add("light", job("light", 2))  # already queued
    go.set()
    assert queue.wait("heavy", 30) and queue.wait("light", 30)
    assert finished == ["light", "heavy"]
    assert turns == ["heavy", "light", "heavy", "light", "heavy", "heavy", "heavy", "heavy"]
