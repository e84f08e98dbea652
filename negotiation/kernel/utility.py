"""Utilities: per-issue value functions, weighted sums, and linked stakes by outcome class.

A party's utility for an agreement ``x`` under outcome class ``c`` is
``sum_j w_j v_j(x_j) + stake(c)``; see docs/model.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from negotiation.kernel.codes import DEAL, Shape, bilateral_code

if TYPE_CHECKING:
    from negotiation.kernel.inputs import Inputs
    from negotiation.kernel.structure import Structure


def continuous_value(x, ideal, lo, hi, shape):
    """Value in [0, 1] of position ``x`` for a party with ``ideal`` on a range [lo, hi].

    d = |x - ideal| / (distance from ideal to the farther end); linear 1 - d,
    concave 1 - d^2 (tolerant near the ideal), convex (1 - d)^2 (sharp near the ideal).
    """
    far = np.maximum(ideal - lo, hi - ideal)
    d = np.clip(np.abs(x - ideal) / far, 0.0, 1.0)
    if np.ndim(shape) == 0:
        if shape == Shape.LINEAR:
            return 1.0 - d
        return (1.0 - d * d) if shape == Shape.CONCAVE else (1.0 - d) * (1.0 - d)
    return np.where(
        shape == Shape.LINEAR, 1.0 - d, np.where(shape == Shape.CONCAVE, 1.0 - d * d, (1.0 - d) * (1.0 - d))
    )


def discrete_value(x, values):
    """Value of option index ``x`` (B,) from a (B, K) table of option values."""
    idx = np.rint(x)
    k = values.shape[1]
    if k > 8:
        return np.take_along_axis(values, idx.astype(np.int64)[:, None], axis=1)[:, 0]
    out = values[:, 0]
    for o in range(1, k):  # a chain of selections is faster than fancy indexing for few options
        out = np.where(idx == o, values[:, o], out)
    return out


def issue_value(st: Structure, inp: Inputs, p: int, i: int, x):
    """Value to party ``p`` of position ``x`` (B,) on issue ``i``."""
    if i in st.options:
        return discrete_value(x, inp.values[:, p, i, :])
    return continuous_value(x, inp.ideal[:, p, i], st.lo[i], st.hi[i], int(st.shape[p, i]))


def issue_utility(st: Structure, inp: Inputs, p: int, x):
    """Weighted issue utility in [0, 1] of agreements ``x`` (B, I) for party ``p``."""
    total = np.zeros(x.shape[0])
    for i in range(st.n_issues):
        total = total + inp.weight[:, p, i] * issue_value(st, inp, p, i, x[:, i])
    return total


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
