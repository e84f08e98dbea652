"""The debrief's Monte Carlo: the same scenario and seed played by the computer alone, many draws.

A room's distribution is computed once, in a background thread, when the room is created (and
again after a restart if it was not finished); the result is stored with the room.
"""

from __future__ import annotations

import bisect
import logging
import threading

import numpy as np

from negotiation.drivers.batch import run_rows

from .play import room_loaded
from .store import Store

log = logging.getLogger(__name__)
CHUNK = 5000


def distribution(loaded, seed: int, draws: int) -> dict:
    """Outcome counts and each party's sorted final utilities over draw rows 0 .. draws-1 of ``seed``."""
    st = loaded.structure
    counts = np.zeros(len(st.outcomes), dtype=np.int64)
    utils = [[] for _ in st.parties]
    for start in range(0, draws, CHUNK):
        res = run_rows(st, loaded.space, seed, start, min(CHUNK, draws - start))
        counts += np.bincount(res.outcome, minlength=len(st.outcomes))
        for p in range(st.n_parties):
            u = res.utilities[:, p]
            utils[p].extend(float(round(v, 9)) for v in u[np.isfinite(u)])
    return {
        "draws": draws,
        "seed": seed,
        "outcomes": {name: int(c) for name, c in zip(st.outcomes, counts, strict=True)},
        "utilities": {p: sorted(utils[k]) for k, p in enumerate(st.parties)},
    }


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


class Runner:
    """Starts at most one background computation per room, one at a time."""

    def __init__(self, store: Store, draws: int):
        self.store, self.draws = store, draws
        self._lock = threading.Lock()
        self._busy: dict[int, threading.Thread] = {}
        self._one_at_a_time = threading.Semaphore(1)

    def ensure(self, room_id: int) -> None:
        """Start the room's computation unless it is stored or under way."""
        done = self.store.montecarlo(room_id)
        if done is not None and (done["result"] is not None or done["error"]):
            return
        with self._lock:
            thread = self._busy.get(room_id)
            if thread is not None and thread.is_alive():
                return
            thread = threading.Thread(target=self._run, args=(room_id,), name=f"montecarlo-{room_id}", daemon=True)
            self._busy[room_id] = thread
            thread.start()

    def wait(self, room_id: int, timeout: float | None = None) -> None:
        """Wait for the room's computation, if one is under way (at most ``timeout`` seconds)."""
        thread = self._busy.get(room_id)
        if thread is not None:
            thread.join(timeout)

    def _run(self, room_id: int) -> None:
        with self._one_at_a_time:
            room = self.store.room(room_id)
            if room is None:
                return
            twin = self.store.montecarlo_twin(room_id, self.draws)
            if twin is not None:  # another room of the same scenario and seed (a class) has it
                self.store.save_montecarlo(room_id, self.draws, twin, None)
                return
            try:
                result = distribution(room_loaded(room), room.seed, self.draws)
            except Exception as exc:  # the debrief says so instead of waiting for ever
                log.exception("Monte Carlo of room %s failed", room_id)
                self.store.save_montecarlo(room_id, self.draws, None, f"{type(exc).__name__}: {exc}")
                return
            self.store.save_montecarlo(room_id, self.draws, result, None)
