"""A tournament's standings: each strategy's mean utility and deal rate with 95% intervals, and
a pairwise table (the mean utility of a strategy against each other one), from the per-row
results of every assignment.

Every assignment is played on the same draw rows 0..n-1 (common random numbers), so the games of
one row are not independent of one another, but rows are. Each statistic is therefore first
worked out per row and then averaged over the n rows:

- a strategy's *score* in row r is the mean final utility over every (assignment, party) slot
  where a party plays it; its mean utility is the mean score over rows, with a t interval
  ``mean +- t(0.975, n-1) sd / sqrt(n)`` (sd of the row scores);
- its *deal share* in row r is the share of the assignments it takes part in whose game ends in
  a full deal (every party signs); its deal rate is the mean over rows, with a Wilson interval on
  n rows (a score in [0, 1] with mean p has variance at most p (1 - p), so the interval is
  conservative when a row's games agree more than chance);
- the pairwise cell (A, B) is the mean utility of a party playing A in the assignments where
  every other party plays B (the diagonal: everybody plays A), per row and then over rows, with
  a t interval.
"""

from __future__ import annotations

import math

import numpy as np

from negotiation.experiments.statistics import wilson


class Standings:
    """Accumulates the per-row statistics chunk by chunk; ``result()`` gives the standings.

    ``plan`` is the list of assignments (party -> strategy) in the tournament's order, ``names``
    the strategies, ``parties`` the parties and ``deal`` the outcome code of a full deal."""

    def __init__(self, plan: list[dict[str, str]], names: list[str], parties: list[str], deal: int):
        self.names, self.parties, self.deal = names, parties, deal
        n_s = len(names)
        # weights: strategy s gets utility U[k, r, p] / (its slots) for every slot (k, p) it plays
        self.slot = np.zeros((n_s, len(plan), len(parties)))
        self.game = np.zeros((n_s, len(plan)))
        self.pair = np.zeros((n_s, n_s, len(plan), len(parties)))
        for k, a in enumerate(plan):
            for p, party in enumerate(parties):
                s = names.index(a[party])
                self.slot[s, k, p] = 1.0
                others = {a[q] for q in parties if q != party}
                if len(others) == 1:
                    self.pair[s, names.index(others.pop()), k, p] = 1.0
                elif not others:  # a one-party scenario: the strategy against itself
                    self.pair[s, s, k, p] = 1.0
            for s in {names.index(a[party]) for party in parties}:
                self.game[s, k] = 1.0
        self.slots = self.slot.sum(axis=(1, 2))
        self.games = self.game.sum(axis=1)
        self.pair_slots = self.pair.sum(axis=(2, 3))
        self.chunks: dict[int, tuple] = {}  # first row -> (rows, sums); combined in row order

    def add(self, start: int, utilities: np.ndarray, outcome: np.ndarray) -> None:
        """One chunk of rows starting at ``start``: ``utilities[k, r, p]`` and ``outcome[k, r]``
        for every assignment k of the plan."""
        u = np.asarray(utilities, dtype=float)
        dealt = (np.asarray(outcome) == self.deal).astype(float)
        score = np.einsum("skp,krp->sr", self.slot, u) / self.slots[:, None]
        share = np.einsum("sk,kr->sr", self.game, dealt) / self.games[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            pair = np.einsum("stkp,krp->str", self.pair, u) / self.pair_slots[:, :, None]
        self.chunks[start] = (u.shape[1], _moments(score), share.sum(axis=1), _moments(pair))

    def result(self) -> dict:
        """``{"standings": [...], "pairwise": {...}}``: the strategies ranked by mean utility (ties:
        deal rate, then name), and the pairwise cells by row strategy then column strategy."""
        parts = [self.chunks[k] for k in sorted(self.chunks)]
        n = sum(c[0] for c in parts)
        score = _combine([(c[0], *c[1]) for c in parts])
        pair = _combine([(c[0], *c[3]) for c in parts])
        deals = sum(c[2] for c in parts)
        rows = []
        for s, name in enumerate(self.names):
            mean, ci = t_interval(score[0][s], score[1][s], n)
            rate = deals[s] / n if n else 0.0
            lo, hi = wilson(rate * n, n)
            rows.append(
                {
                    "strategy": name,
                    "mean_utility": round(mean, 12),
                    "mean_utility_ci95": ci,
                    "deal_rate": round(rate, 12),
                    "deal_rate_ci95": [round(lo, 12), round(hi, 12)],
                    "slots": int(self.slots[s]),
                    "games": int(self.games[s]),
                    "n_draws": n,
                }
            )
        rows.sort(key=lambda r: (-r["mean_utility"], -r["deal_rate"], r["strategy"]))
        for rank, r in enumerate(rows, 1):
            r["rank"] = rank
        cells = {}
        for s, a in enumerate(self.names):
            cells[a] = {}
            for t, b in enumerate(self.names):
                if not self.pair_slots[s, t]:
                    cells[a][b] = None
                    continue
                mean, ci = t_interval(pair[0][s, t], pair[1][s, t], n)
                cells[a][b] = {"mean_utility": round(mean, 12), "ci95": ci, "slots": int(self.pair_slots[s, t])}
        return {"standings": rows, "pairwise": cells}


def _moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sum of squared deviations over the last axis (rows)."""
    mean = x.mean(axis=-1)
    return mean, ((x - mean[..., None]) ** 2).sum(axis=-1)


def _combine(parts: list[tuple]) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sum of squared deviations of chunks ``(n, mean, m2)`` taken together (Chan, Golub
    and LeVeque's pairwise update), in the order given: stable when the spread is near 0."""
    n, mean, m2 = parts[0]
    for nb, mb, m2b in parts[1:]:
        total = n + nb
        delta = mb - mean
        mean = mean + delta * nb / total
        m2 = m2 + m2b + delta**2 * n * nb / total
        n = total
    return mean, m2


def t_interval(mean: float, m2: float, n: int) -> tuple[float, list[float] | None]:
    """The mean of n values and its 95% t interval ``mean +- t(0.975, n-1) sd / sqrt(n)``, from
    their mean and sum of squared deviations ``m2`` (None for fewer than two values)."""
    from scipy.stats import t

    if n == 0:
        return float("nan"), None
    mean = float(mean)
    if n < 2:
        return mean, None
    half = float(t.ppf(0.975, n - 1)) * math.sqrt(max(0.0, float(m2)) / (n - 1) / n)
    return mean, [round(mean - half, 12), round(mean + half, 12)]
