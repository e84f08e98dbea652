"""Offer construction: concede first where it costs the proposer least and gains the others most.

The proposer starts at its own ideal and walks each issue towards the others' best compromise
on that issue, in small pieces. Pieces are taken in order of (others' gain) / (own cost) until
the proposer's utility would fall below its target; the last continuous piece is taken in part,
a discrete step (a whole option) is taken whole or not at all. With linear value functions and
one other party this is a fractional knapsack: the offer maximises the other's utility subject
to the proposer's target, so no offer is better for both.

The pieces and their order depend only on the profiles, not on the target, so they are worked
out once per negotiation and proposer (``plan_offers``); each round only walks the plan with
that round's budget (``offer_from_plan``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from negotiation.kernel.codes import DEAL
from negotiation.kernel.jit import njit
from negotiation.kernel.utility import CONCAVE, LINEAR, continuous_value, issue_utility, option_value

if TYPE_CHECKING:
    from negotiation.kernel.inputs import Inputs
    from negotiation.kernel.structure import Structure

SUBPIECES = 2  # each continuous segment between breakpoints is split in this many pieces
EPS = 1e-12


@dataclass
class OfferPlan:
    """A proposer's pieces for a batch, sorted by priority (piece axis first, then batch)."""

    ideal: np.ndarray  # (B, I) the proposer's ideal
    u_ideal: np.ndarray  # (B,) its issue utility there
    cost: np.ndarray  # (M, B) utility the proposer gives up per piece
    delta: np.ndarray  # (M, B) the piece's move (end - start) in position units
    issue: np.ndarray  # (M, B) issue index of each piece
    divisible: np.ndarray  # (M, B) continuous pieces may be taken in part
    live: np.ndarray  # (M, B) pieces that may be taken at all
    # For taking a continuous piece in part exactly (the proposer's value is not linear in the
    # position when its shape is concave or convex): where each piece starts, and the proposer's
    # value there.
    start: np.ndarray
    v0: np.ndarray
    weight: np.ndarray  # (B, I) the proposer's weights
    reach: np.ndarray  # (B, I) distance from its ideal to the farther end of each range
    shape: np.ndarray  # (I,) its value-function shape codes
    strict: bool = False  # walk in order and stop at the first piece that does not fit whole

    def rows(self, sel) -> OfferPlan:
        """The plan of a subset of the batch."""
        per_row = ("ideal", "u_ideal", "weight", "reach")
        out = {k: getattr(self, k)[sel] for k in per_row}
        fixed = ("shape", "strict")
        out.update({k: getattr(self, k)[:, sel] for k in self.__dataclass_fields__ if k not in per_row + fixed})
        return OfferPlan(shape=self.shape, strict=self.strict, **out)


def _values(st: Structure, inp: Inputs, q: int, i: int, x: np.ndarray) -> np.ndarray:
    """Party q's value of positions x (B, n) on issue i."""
    if i in st.options:
        return _option_table(x, inp.values[:, q, i, :])
    return continuous_value(x, inp.ideal[:, q, i, None], st.lo[i], st.hi[i], int(st.shape[q, i]))


@njit
def _option_table(x, values):
    """Values (B, n) of option positions ``x`` (B, n) from each row's option values (B, K)."""
    b, n = x.shape
    out = np.empty((b, n))
    for r in range(b):
        for j in range(n):
            out[r, j] = option_value(x[r, j], values[r])
    return out


def issue_pieces(st: Structure, inp: Inputs, p: int, others: list[int], i: int):
    """Start and end positions (B, n) of the pieces of issue i, in path order."""
    a = inp.ideal[:, p, i]
    if i in st.options:
        k = int(st.n_options[i])
        total = np.zeros((a.shape[0], k))
        for q in others:
            total += inp.weight[:, q, i, None] * inp.values[:, q, i, :k]
        c = np.argmax(total, axis=1).astype(float)
        step = np.sign(c - a)
        s = np.arange(k - 1, dtype=float)[None, :]
        valid = s < np.abs(c - a)[:, None]
        start = np.where(valid, a[:, None] + s * step[:, None], a[:, None])
        return start, np.where(valid, start + step[:, None], a[:, None])
    # The compromise: the others' ideal that the others value most in sum (for linear values,
    # a weighted median of their ideals).
    cand = inp.ideal[:, others, i]
    score = sum(inp.weight[:, q, i, None] * _values(st, inp, q, i, cand) for q in others)
    c = np.take_along_axis(cand, np.argmax(score, axis=1)[:, None], axis=1)[:, 0]
    span = c - a
    safe = np.where(span != 0, span, 1.0)
    ts = [np.zeros_like(a), np.ones_like(a)]
    ts += [np.where(span != 0, np.clip((inp.ideal[:, q, i] - a) / safe, 0.0, 1.0), 1.0) for q in others]
    ts = np.sort(np.stack(ts, axis=1), axis=1)
    t0, t1 = ts[:, :-1], ts[:, 1:]
    u0 = np.concatenate([t0 + (t1 - t0) * (s / SUBPIECES) for s in range(SUBPIECES)], axis=1)
    u1 = np.concatenate([t0 + (t1 - t0) * ((s + 1) / SUBPIECES) for s in range(SUBPIECES)], axis=1)
    # interleave so pieces run in path order: segment by segment, sub-piece by sub-piece
    n_seg = t0.shape[1]
    idx = np.array([s * n_seg + g for g in range(n_seg) for s in range(SUBPIECES)])
    u0, u1 = u0[:, idx], u1[:, idx]
    return a[:, None] + u0 * span[:, None], a[:, None] + u1 * span[:, None]


def plan_offers(st: Structure, inp: Inputs, p: int, priority: str = "ratio") -> OfferPlan:
    """Work out party p's concession pieces and their order, for every negotiation of a batch.

    ``priority="ratio"`` orders pieces by the others' gain per unit of own cost; ``"salience"``
    settles the proposer's least salient issues first (within an issue, pieces keep path order).
    """
    others = [q for q in range(st.n_parties) if q != p]
    starts, ends, costs, gains, issue_of, divisible, v0s = [], [], [], [], [], [], []
    for i in range(st.n_issues):
        start, end = issue_pieces(st, inp, p, others, i)
        v_start = _values(st, inp, p, i, start)
        v0s.append(v_start)
        cost = inp.weight[:, p, i, None] * (v_start - _values(st, inp, p, i, end))
        gain = sum(
            inp.weight[:, q, i, None] * (_values(st, inp, q, i, end) - _values(st, inp, q, i, start)) for q in others
        )
        starts.append(start)
        ends.append(end)
        costs.append(np.maximum(cost, 0.0))
        gains.append(gain)
        issue_of += [i] * start.shape[1]
        divisible += [i not in st.options] * start.shape[1]
    start = np.concatenate(starts, axis=1)
    end = np.concatenate(ends, axis=1)
    cost = np.concatenate(costs, axis=1)
    gain = np.concatenate(gains, axis=1)
    issue_of = np.array(issue_of)
    ratio = np.where(cost > EPS, gain / np.where(cost > EPS, cost, 1.0), gain / EPS)
    ratio = np.where(gain > EPS, ratio, -np.inf)
    empty = start == end  # zero-length pieces are no-ops and must not stop an issue
    ratio = np.where(empty, np.inf, ratio)
    # Within an issue, pieces must be taken in path order: make the ratio non-increasing, so a
    # piece the others do not gain from ends that issue's walk.
    for i in range(st.n_issues):
        cols = np.flatnonzero(issue_of == i)
        ratio[:, cols] = np.minimum.accumulate(ratio[:, cols], axis=1)
    live = (ratio > -np.inf) & ~empty
    # Pieces that can never be taken go last, and are dropped where no negotiation needs them.
    key = np.where(live, ratio, -np.inf)
    if priority == "salience":
        key = np.where(live, -inp.weight[:, p, :][:, issue_of], -np.inf)
    order = np.argsort(-key, axis=1, kind="stable")
    order = order[:, : max(int(live.sum(axis=1).max(initial=0)), 1)]

    def sort(a):
        return _gather_t(a, order)

    x0 = inp.ideal[:, p, :].copy()
    cost = sort(cost)
    return OfferPlan(
        ideal=x0,
        u_ideal=issue_utility(st, inp, p, x0),
        cost=cost,
        delta=sort(end - start),
        issue=np.ascontiguousarray(issue_of[order].T),
        divisible=np.ascontiguousarray(np.array(divisible)[order].T),
        live=sort(live),
        start=sort(start),
        v0=sort(np.concatenate(v0s, axis=1)),
        weight=inp.weight[:, p, :],
        reach=np.maximum(x0 - st.lo, st.hi - x0),
        shape=st.shape[p].copy(),
        strict=priority == "salience",
    )


@njit
def _gather_t(a, order):
    """``take_along_axis(a, order, axis=1).T`` (M, B), contiguous: each row's pieces in order."""
    b, m = order.shape
    out = np.empty((m, b), dtype=a.dtype)
    for r in range(b):
        for k in range(m):
            out[k, r] = a[r, order[r, k]]
    return out


def offer_from_plan(plan: OfferPlan, budget: np.ndarray) -> np.ndarray:
    """Walk the plan, giving up at most ``budget`` (B,) of issue utility; return offers (B, I)."""
    return _walk(
        plan.cost,
        plan.delta,
        plan.issue,
        plan.divisible,
        plan.live,
        plan.start,
        plan.v0,
        plan.ideal,
        plan.weight,
        plan.reach,
        plan.shape,
        plan.strict,
        np.asarray(budget, dtype=np.float64),
    )


@njit
def _walk(cost, delta, issue, divisible, live, start, v0, ideal, weight, reach, shape, strict, budget):
    """``offer_from_plan`` for each negotiation: take pieces in order while the budget lasts; an
    issue whose piece does not fit whole is blocked from then on (``strict``: every later issue
    too); the first continuous piece that does not fit is taken in part, exactly: where the
    proposer's value has fallen by what was left of the budget."""
    m, b = cost.shape
    n_issues = ideal.shape[1]
    out = np.empty((b, n_issues))
    moved = np.empty(n_issues)
    blocked = np.empty(n_issues, dtype=np.bool_)
    for r in range(b):
        moved[:] = 0.0
        blocked[:] = False
        remaining = max(budget[r], 0.0)
        stopped = False
        for k in range(m):
            i = issue[k, r]
            if not live[k, r] or blocked[i] or stopped:
                if live[k, r]:
                    blocked[i] = True
                moved[i] = moved[i] + 0.0
                continue
            c = cost[k, r]
            if c <= remaining:
                moved[i] = moved[i] + delta[k, r] * 1.0
                remaining = remaining - c
                continue
            blocked[i] = True
            if strict:
                stopped = True
            if divisible[k, r] and remaining > 0:
                # at most one piece per negotiation is taken in part: the budget is spent on it
                w = weight[r, i]
                v = v0[k, r] - remaining / (w if w > 0 else 1.0)
                v = min(max(v, 0.0), 1.0)
                if shape[i] == LINEAR:
                    d = 1.0 - v
                elif shape[i] == CONCAVE:
                    d = np.sqrt(1.0 - v)
                else:
                    d = 1.0 - np.sqrt(v)
                dk = delta[k, r]
                step = ideal[r, i] + np.sign(dk) * d * reach[r, i] - start[k, r]
                moved[i] = moved[i] + min(max(step, min(dk, 0.0)), max(dk, 0.0))
                remaining = 0.0
            else:
                moved[i] = moved[i] + 0.0
        for i in range(n_issues):
            out[r, i] = ideal[r, i] + moved[i]
    return out


def construct_offer(st: Structure, inp: Inputs, p: int, target: np.ndarray, plan: OfferPlan | None = None):
    """Party ``p``'s offer (B, I) for target utility ``target`` (B,) under a full deal."""
    plan = plan or plan_offers(st, inp, p)
    deal = DEAL
    budget = plan.u_ideal - (target - inp.stake[:, p, deal])
    return offer_from_plan(plan, budget)
