"""The debrief's Monte Carlo: the same scenario and seed played by the computer alone, many draws.

A room's distribution is computed once, in the background, when the room is created (and again
after a restart if it was not finished); the result is stored with the room. One thread works
through the rooms in round robin, a time slice each (``FairQueue``), so a costly scenario does not
hold up every other room's debrief, and each room has a budget of draws and of seconds.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterator

import numpy as np

from negotiation.drivers.batch import run_rows

from .play import room_loaded
from .store import Room, Store, Unsaved

log = logging.getLogger(__name__)
CHUNK = 5000  # most draw rows played in one call
PROBE = 50  # draw rows of a room's first call, to time its scenario
SLICE_SECONDS = 0.25  # a room's turn of work before the next room's
CALL_SECONDS = 0.05  # one call's draws, sized so: the pages' threads wait at most about this for the GIL
BUDGET_SECONDS = 120.0  # a room's whole Monte Carlo; past it, the draws so far are kept
UNSAVED_RETRY = 60.0  # seconds before a result that could not be saved is computed again


class Tally:
    """A room's Monte Carlo so far: outcome counts and each party's final utilities, chunk by chunk."""

    def __init__(self, loaded, seed: int):
        self.loaded, self.seed, self.draws = loaded, seed, 0
        st = loaded.structure
        self.counts = np.zeros(len(st.outcomes), dtype=np.int64)
        self.utils: list[list[float]] = [[] for _ in st.parties]

    def add(self, n: int) -> None:
        """Play the next ``n`` draw rows (``self.draws`` .. ``self.draws + n - 1``)."""
        st = self.loaded.structure
        res = run_rows(st, self.loaded.space, self.seed, self.draws, n)
        self.counts += np.bincount(res.outcome, minlength=len(st.outcomes))
        for p in range(st.n_parties):
            u = res.utilities[:, p]
            self.utils[p].extend(float(round(v, 9)) for v in u[np.isfinite(u)])
        self.draws += n

    def result(self) -> dict:
        """The distribution as stored with the room."""
        st = self.loaded.structure
        return {
            "draws": self.draws,
            "seed": self.seed,
            "outcomes": {name: int(c) for name, c in zip(st.outcomes, self.counts, strict=True)},
            "utilities": {p: sorted(self.utils[k]) for k, p in enumerate(st.parties)},
        }


def distribution(loaded, seed: int, draws: int) -> dict:
    """Outcome counts and each party's sorted final utilities over draw rows 0 .. draws-1 of ``seed``."""
    tally = Tally(loaded, seed)
    for start in range(0, draws, CHUNK):
        tally.add(min(CHUNK, draws - start))
    return tally.result()


def percentile(values: list[float], x: float) -> float:
    """Mid-rank percentile of ``x`` among sorted ``values``: the share below it plus half the ties."""
    if not values:
        return float("nan")
    lo = bisect.bisect_left(values, x - 1e-9)
    hi = bisect.bisect_right(values, x + 1e-9)
    return 100.0 * (lo + 0.5 * (hi - lo)) / len(values)


def quantile(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (NaN for none)."""
    return float(np.quantile(values, q)) if values else float("nan")


class FairQueue:
    """Background jobs run by one thread, a turn each in round robin, so a small job is not stuck behind a big one.

    A job is an iterator: each ``next`` does one turn of its work (a time slice); it is done when
    exhausted. ``key`` names a job (a room): a key already queued is not queued again.
    """

    def __init__(self, name: str = "background"):
        self.name = name
        self._queue: deque[tuple[Hashable, Iterator]] = deque()
        self._keys: set[Hashable] = set()
        self._cond = threading.Condition()
        self._worker: threading.Thread | None = None

    def add(self, key: Hashable, job: Callable[[], Iterator]) -> bool:
        """Queue ``job()`` (made in the worker) under ``key`` unless that key is queued; True if queued now."""
        with self._cond:
            if key in self._keys:
                return False
            self._keys.add(key)
            self._queue.append((key, _lazy(job)))
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name=self.name, daemon=True)
                self._worker.start()
            return True

    def busy(self, key: Hashable) -> bool:
        """Whether the job under ``key`` is queued or running."""
        with self._cond:
            return key in self._keys

    def wait(self, key: Hashable, timeout: float | None = None) -> bool:
        """Wait until the job under ``key`` is done (at most ``timeout`` seconds); True if it is."""
        with self._cond:
            return self._cond.wait_for(lambda: key not in self._keys, timeout)

    def _work(self) -> None:
        while True:
            with self._cond:
                if not self._queue:
                    self._worker = None
                    return
                key, job = self._queue.popleft()
            try:
                next(job)
                done = False
            except StopIteration:
                done = True
            except Exception:  # a job's own failure ends that job, never the worker
                log.exception("background job %s failed", key)
                done = True
            with self._cond:
                if done:
                    self._keys.discard(key)
                    self._cond.notify_all()
                else:
                    self._queue.append((key, job))


def _lazy(make: Callable[[], Iterator]) -> Iterator:
    yield from make()


class Runner:
    """Each room's Monte Carlo in the background: a fair queue over rooms, and a budget per room.

    A room's draws are played in time slices of ``slice_seconds`` (calls of about ``CALL_SECONDS``
    each, the first one a small probe of ``PROBE`` draws), one room's slice after another's; a
    room stops at ``draws`` draws or after ``budget_seconds`` of work, and then stores what it has
    (fewer draws, said on the debrief).
    """

    def __init__(
        self, store: Store, draws: int, slice_seconds: float | None = None, budget_seconds: float | None = None
    ):
        self.store, self.draws = store, draws
        self.slice_seconds = SLICE_SECONDS if slice_seconds is None else slice_seconds
        self.budget_seconds = BUDGET_SECONDS if budget_seconds is None else budget_seconds
        self.queue = FairQueue("montecarlo")
        self._unsaved: dict[int, float] = {}  # room -> when its result could not be saved
        self._computing: dict[tuple[str, int], int] = {}  # (scenario text hash, seed) -> the room computing it

    def ensure(self, room_id: int) -> None:
        """Queue the room's computation unless it is stored, queued, or could not be saved a moment ago."""
        done = self.store.montecarlo(room_id)
        if done is not None and (done["result"] is not None or done["error"]):
            return
        if time.monotonic() - self._unsaved.get(room_id, -UNSAVED_RETRY) < UNSAVED_RETRY:
            return
        self.queue.add(room_id, lambda: self._job(room_id))

    def wait(self, room_id: int, timeout: float | None = None) -> None:
        """Wait for the room's computation, if one is under way (at most ``timeout`` seconds)."""
        self.queue.wait(room_id, timeout)

    def _job(self, room_id: int) -> Iterator[None]:
        """The room's Monte Carlo, one time slice per step; its result (or its failure) stored at the end."""
        room = self.store.room(room_id)
        if room is None:
            return
        same = (hashlib.sha256(room.config_text.encode()).hexdigest(), room.seed)
        while self._computing.setdefault(same, room_id) != room_id:
            yield  # another room of the same scenario and seed (a class) is computing it: wait a turn
        try:
            yield from self._compute(room)
        finally:
            self._computing.pop(same, None)

    def _compute(self, room: Room) -> Iterator[None]:
        room_id = room.id
        try:
            twin = self.store.montecarlo_twin(room_id, self.draws)
            if twin is not None:  # another room of the same scenario and seed (a class) has it
                self.store.save_montecarlo(room_id, self.draws, twin, None)
                return
        except Unsaved as exc:
            log.error("Monte Carlo of room %s not saved: %s", room_id, exc.message)
            self._unsaved[room_id] = time.monotonic()
            return
        result, error = None, None
        try:
            tally = Tally(room_loaded(room), room.seed)
            spent, n = 0.0, min(PROBE, self.draws)
            while True:
                turn = 0.0
                while tally.draws < self.draws and (turn == 0.0 or turn < self.slice_seconds):
                    t0 = time.perf_counter()
                    tally.add(min(n, self.draws - tally.draws))
                    took = max(time.perf_counter() - t0, 1e-9)
                    turn += took
                    n = max(1, min(CHUNK, int(min(CALL_SECONDS, self.slice_seconds) * n / took)))
                spent += turn
                if tally.draws >= self.draws or spent >= self.budget_seconds:
                    break
                yield  # another room's turn
            if tally.draws < self.draws:
                log.warning("Monte Carlo of room %s stopped at %d draws (%.0f s budget)", room_id, tally.draws, spent)
            result = tally.result()
        except Exception as exc:  # the debrief says so instead of waiting for ever
            log.exception("Monte Carlo of room %s failed", room_id)
            error = f"{type(exc).__name__}: {exc}"
        try:
            self.store.save_montecarlo(room_id, self.draws, result, error)
        except Unsaved as exc:
            log.error("Monte Carlo of room %s not saved: %s", room_id, exc.message)
            self._unsaved[room_id] = time.monotonic()
