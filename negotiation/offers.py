"""Offer construction: concede first where it costs the proposer least and gains the others most.

The proposer starts at its own ideal and walks each issue towards the others' best compromise
on that issue, in small pieces. Pieces are taken in order of (others' gain) / (own cost) until
the proposer's utility would fall below its target; the last continuous piece is taken in part.
With linear value functions this is a fractional knapsack and the offer maximises the others'
summed utility subject to the proposer's target, so no other offer is better for everyone.
"""

from __future__ import annotations

import numpy as np

from negotiation.inputs import Inputs
from negotiation.structure import Structure
from negotiation.utility import continuous_value, discrete_value, issue_utility

SUBPIECES = 2  # each continuous segment between breakpoints is split in this many pieces
EPS = 1e-12


def _compromise_continuous(st, inp, p, i, others):
    """The others' ideal that the others value most in sum (a weighted median when linear)."""
    cand = inp.ideal[:, others, i]  # (B, P-1)
    score = np.zeros(cand.shape)
    for c in range(len(others)):
        for q in others:
            score[:, c] += inp.weight[:, q, i] * continuous_value(
                cand[:, c], inp.ideal[:, q, i], st.lo[i], st.hi[i], int(st.shape[q, i])
            )
    best = np.argmax(score, axis=1)
    return np.take_along_axis(cand, best[:, None], axis=1)[:, 0]


def _pieces(st: Structure, inp: Inputs, p: int, others: list[int]):
    """All pieces of all issues: (start, end, issue index, discrete) lists of (B,) arrays."""
    starts, ends, issue_of, discrete = [], [], [], []
    for i in range(st.n_issues):
        a = inp.ideal[:, p, i]
        if i in st.options:
            k = int(st.n_options[i])
            total = np.zeros((a.shape[0], k))
            for q in others:
                total += inp.weight[:, q, i, None] * inp.values[:, q, i, :k]
            c = np.argmax(total, axis=1).astype(float)
            step = np.sign(c - a)
            n = np.abs(c - a)
            for s in range(k - 1):
                start = a + s * step
                valid = s < n
                starts.append(np.where(valid, start, a))
                ends.append(np.where(valid, start + step, a))
                issue_of.append(i)
                discrete.append(True)
        else:
            c = _compromise_continuous(st, inp, p, i, others)
            span = c - a
            safe = np.where(span != 0, span, 1.0)
            ts = [np.zeros_like(a), np.ones_like(a)]
            for q in others:
                ts.append(np.where(span != 0, np.clip((inp.ideal[:, q, i] - a) / safe, 0.0, 1.0), 1.0))
            ts = np.sort(np.stack(ts, axis=1), axis=1)
            for seg in range(ts.shape[1] - 1):
                t0, t1 = ts[:, seg], ts[:, seg + 1]
                for sub in range(SUBPIECES):
                    u0 = t0 + (t1 - t0) * (sub / SUBPIECES)
                    u1 = t0 + (t1 - t0) * ((sub + 1) / SUBPIECES)
                    starts.append(a + u0 * span)
                    ends.append(a + u1 * span)
                    issue_of.append(i)
                    discrete.append(False)
    return starts, ends, np.array(issue_of), np.array(discrete)


def _value(st, inp, q, i, x):
    if i in st.options:
        return discrete_value(x, inp.values[:, q, i, :])
    return continuous_value(x, inp.ideal[:, q, i], st.lo[i], st.hi[i], int(st.shape[q, i]))


def construct_offer(st: Structure, inp: Inputs, p: int, target: np.ndarray) -> np.ndarray:
    """Party ``p``'s offer (B, I) for target utility ``target`` (B,) under a full deal."""
    P = st.n_parties
    others = [q for q in range(P) if q != p]
    b = inp.batch
    rows = np.arange(b)
    x = inp.ideal[:, p, :].copy()
    deal = st.outcome_index("deal")
    remaining = np.maximum(issue_utility(st, inp, p, x) - (target - inp.stake[:, p, deal]), 0.0)

    starts, ends, issue_of, discrete = _pieces(st, inp, p, others)
    m = len(starts)
    start = np.stack(starts, axis=1)
    end = np.stack(ends, axis=1)
    cost = np.zeros((b, m))
    gain = np.zeros((b, m))
    for j in range(m):
        i = int(issue_of[j])
        cost[:, j] = inp.weight[:, p, i] * (_value(st, inp, p, i, start[:, j]) - _value(st, inp, p, i, end[:, j]))
        for q in others:
            gain[:, j] += inp.weight[:, q, i] * (_value(st, inp, q, i, end[:, j]) - _value(st, inp, q, i, start[:, j]))
    cost = np.maximum(cost, 0.0)
    ratio = np.where(cost > EPS, gain / np.where(cost > EPS, cost, 1.0), gain / EPS)
    ratio = np.where(gain > EPS, ratio, -np.inf)
    empty = start == end  # zero-length pieces are no-ops and must not stop an issue
    ratio = np.where(empty, np.inf, ratio)
    # Within an issue, pieces must be taken in path order: make the ratio non-increasing.
    for i in range(st.n_issues):
        cols = np.flatnonzero(issue_of == i)
        ratio[:, cols] = np.minimum.accumulate(ratio[:, cols], axis=1)
    order = np.argsort(-ratio, axis=1, kind="stable")

    blocked = np.zeros((b, st.n_issues), dtype=bool)
    for k in range(m):
        j = order[:, k]
        iss = issue_of[j]
        g = gain[rows, j]
        c = cost[rows, j]
        s = start[rows, j]
        e = end[rows, j]
        ok = ~blocked[rows, iss] & (g > EPS) & ~empty[rows, j]
        full = ok & (c <= remaining)
        part = ok & ~full & ~discrete[j] & (remaining > 0)
        frac = np.where(part, remaining / np.where(c > 0, c, 1.0), 0.0)
        cur = x[rows, iss]
        x[rows, iss] = np.where(full, e, np.where(part, s + frac * (e - s), cur))
        remaining = np.where(full, remaining - c, np.where(part, 0.0, remaining))
        blocked[rows, iss] |= ~full & ~empty[rows, j]
    return x
