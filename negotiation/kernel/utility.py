"""Utilities: per-issue value functions, weighted sums, and linked stakes by outcome class.

A party's utility for an agreement ``x`` under outcome class ``c`` is
``sum_j w_j v_j(x_j) + stake(c)``; see docs/model.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from negotiation.kernel.codes import DEAL, Shape, bilateral_code
from negotiation.kernel.jit import njit, vectorize

if TYPE_CHECKING:
    from negotiation.kernel.inputs import Inputs
    from negotiation.kernel.structure import Structure


LINEAR, CONCAVE = int(Shape.LINEAR), int(Shape.CONCAVE)


@njit
def value_at(x, ideal, lo, hi, shape):
    """Value in [0, 1] of position ``x`` for a party with ``ideal`` on a range [lo, hi].

    d = |x - ideal| / (distance from ideal to the farther end); linear 1 - d,
    concave 1 - d^2 (tolerant near the ideal), convex (1 - d)^2 (sharp near the ideal).
    """
    far = max(ideal - lo, hi - ideal)
    d = abs(x - ideal) / far
    if d < 0.0:
        d = 0.0
    elif d > 1.0:
        d = 1.0
    if shape == LINEAR:
        return 1.0 - d
    if shape == CONCAVE:
        return 1.0 - d * d
    return (1.0 - d) * (1.0 - d)


@vectorize()
def continuous_value(x, ideal, lo, hi, shape):
    """``value_at`` over arrays that broadcast as numpy's do (``shape``: ``Shape`` codes)."""
    return value_at(x, ideal, lo, hi, shape)


@njit
def option_value(x, values):
    """Value of option index ``x`` (a float, rounded to the nearest option) from one party's
    option values ``values`` (K,); the first option's value off the table."""
    o = np.rint(x)
    if o >= 1 and o < values.shape[0]:
        return values[int(o)]
    return values[0]


@njit
def _option_values(x, values):
    b = max(x.shape[0], values.shape[0])  # a batch of one broadcasts, as in numpy
    out = np.empty(b)
    for r in range(b):
        out[r] = option_value(x[r if x.shape[0] > 1 else 0], values[r if values.shape[0] > 1 else 0])
    return out


def discrete_value(x, values):
    """Value of option index ``x`` (B,) from a (B, K) table of option values."""
    return _option_values(np.atleast_1d(np.asarray(x, dtype=np.float64)), np.atleast_2d(values))


def issue_value(st: Structure, inp: Inputs, p: int, i: int, x):
    """Value to party ``p`` of position ``x`` (B,) on issue ``i``."""
    if i in st.options:
        return discrete_value(x, inp.values[:, p, i, :])
    return continuous_value(x, inp.ideal[:, p, i], st.lo[i], st.hi[i], int(st.shape[p, i]))


@njit
def value_of(x, r, q, i, ideal, values, lo, hi, shape, disc):
    """Party ``q``'s value of position ``x`` on issue ``i`` in row ``r`` of a batch (``ideal``:
    (B, P, I), ``values``: (B, P, I, K), ``shape``: (P, I) codes, ``disc``: (I,) discrete)."""
    if disc[i]:
        return option_value(x, values[r, q, i])
    return value_at(x, ideal[r, q, i], lo[i], hi[i], shape[q, i])


@njit
def row_issue_utility(x, r, p, weight, ideal, values, lo, hi, shape, disc):
    """Party ``p``'s weighted issue utility of agreement ``x`` (I,) in row ``r`` of a batch
    (``weight``: (B, P, I)), summed in issue order from 0."""
    total = 0.0
    for i in range(x.shape[0]):
        total = total + weight[r, p, i] * value_of(x[i], r, p, i, ideal, values, lo, hi, shape, disc)
    return total


@njit
def _issue_utility(x, weight, ideal, values, p, lo, hi, shape, disc):
    b = max(x.shape[0], weight.shape[0])  # a batch of one broadcasts, as in numpy
    out = np.empty(b)
    for r in range(b):
        xr = x[r if x.shape[0] > 1 else 0]
        out[r] = row_issue_utility(xr, r if weight.shape[0] > 1 else 0, p, weight, ideal, values, lo, hi, shape, disc)
    return out


def issue_utility(st: Structure, inp: Inputs, p: int, x):
    """Weighted issue utility in [0, 1] of agreements ``x`` (B, I) for party ``p``."""
    x = np.ascontiguousarray(np.atleast_2d(x), dtype=np.float64)  # one compiled version: C order, writable
    return _issue_utility(x, inp.weight, inp.ideal, inp.values, p, st.lo, st.hi, st.shape, st.discrete)


DAYS_PER_MONTH = 365.25 / 12


def utility(st: Structure, inp: Inputs, p: int, x, outcome: int):
    """Utility of agreement ``x`` (B, I) for party ``p`` under outcome class index ``outcome``."""
    return issue_utility(st, inp, p, x) + inp.stake[:, p, outcome]


def delay_cost(st: Structure, inp: Inputs, p: int, day):
    """What party ``p`` loses (B,) by an agreement taking effect on ``day`` rather than at the
    first round: its cost of delay per month times the months of talks (0 without one)."""
    if inp.delay_cost is None:
        return 0.0
    return inp.delay_cost[:, p] * ((np.asarray(day) - st.start_day) / DAYS_PER_MONTH)


def deal_utility_on(st: Structure, inp: Inputs, p: int, x, day):
    """Party ``p``'s utility (B,) of a deal of all on ``x`` made on ``day``: net of its cost of delay."""
    return utility(st, inp, p, x, DEAL) - delay_cost(st, inp, p, day)


def outcome_utilities(st: Structure, inp: Inputs, outcome, agreement, joined=None, penalty=None):
    """Each party's utility (B, P) at the end: for agreement members the agreement with stakes,
    less the cost of delay to the day it took effect for them (``joined``, (B, P) ordinal days;
    None: no cost), for a party left out of a bilateral or after termination its reservation
    plus stakes, and under stalemate the status quo plus stakes; less any ``penalty`` (B, P)
    (the cost of reopening closed chapters)."""
    b = outcome.shape[0]
    out = np.zeros((b, st.n_parties))
    sq = np.broadcast_to(st.status_quo, (b, st.n_issues))
    stalemate, termination = st.stalemate, st.termination
    member = np.zeros((b, st.n_parties), dtype=bool)
    member[outcome == DEAL] = True
    for n, (a, c) in enumerate(st.pairs):
        rows = outcome == bilateral_code(n)
        member[rows, a] = True
        member[rows, c] = True
    rows = np.arange(b)
    for p in range(st.n_parties):
        stake = inp.stake[rows, p, outcome]
        x = np.where((outcome == stalemate)[:, None], sq, agreement)
        x = np.where(np.isnan(x), sq, x)
        u_issue = issue_utility(st, inp, p, x)
        fallback = inp.reservation[:, p]
        out[:, p] = np.where(member[:, p] | (outcome == stalemate), u_issue, fallback) + stake
        out[:, p] = np.where((outcome == termination), fallback + stake, out[:, p])
        if joined is not None:
            out[:, p] -= np.where(member[:, p], delay_cost(st, inp, p, joined[:, p]), 0.0)
        if penalty is not None:
            out[:, p] -= penalty[:, p]
    return out
