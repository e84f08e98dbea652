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
from negotiation.kernel.utility import CONCAVE, LINEAR, issue_utility, value_at, value_of

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
        out.update(
            {
                k: np.ascontiguousarray(getattr(self, k)[:, sel])  # C order, as plan_offers makes them
                for k in self.__dataclass_fields__
                if k not in per_row + fixed
            }
        )
        return OfferPlan(shape=self.shape, strict=self.strict, **out)


def issue_pieces(st: Structure, inp: Inputs, p: int, others: list[int], i: int):
    """Start and end positions (B, n) of the pieces of issue i, in path order (``_pieces``)."""
    n = _piece_count(bool(st.discrete[i]), int(st.n_options[i]), len(others))
    start, end = np.empty((inp.batch, n)), np.empty((inp.batch, n))
    args = (inp.weight, inp.ideal, inp.values, st.lo, st.hi, st.shape, st.discrete, st.n_options)
    _issue_pieces(p, i, np.array(others, dtype=np.int64), *args, start, end)
    return start, end


@njit
def _piece_count(discrete, n_options, n_others):
    """Pieces of an issue: a step per option but one (discrete); else each segment between the
    proposer's ideal, the others' ideals (in path order) and the compromise, in ``SUBPIECES``."""
    return n_options - 1 if discrete else SUBPIECES * (n_others + 1)


@njit
def _pieces(r, p, i, others, weight, ideal, values, lo, hi, shape, disc, n_options, start, end):
    """Row r's pieces of issue i for proposer p, into ``start`` and ``end`` (n,), in path order:
    from p's ideal toward the compromise of the others, the position they value most in sum (on
    a discrete issue an option, else one of their ideals: for linear values a weighted median)."""
    a = ideal[r, p, i]
    if disc[i]:
        best, c = 0.0, 0
        for o in range(n_options[i]):
            total = 0.0
            for q in others:
                total = total + weight[r, q, i] * values[r, q, i, o]
            if o == 0 or total > best:
                best, c = total, o
        step = np.sign(c - a)
        dist = abs(c - a)
        for s in range(n_options[i] - 1):
            if s < dist:
                start[s] = a + s * step
                end[s] = start[s] + step
            else:
                start[s] = a
                end[s] = a
        return
    best, c = 0.0, a
    for j in range(others.shape[0]):
        cand = ideal[r, others[j], i]
        score = 0.0
        for q in others:
            score = score + weight[r, q, i] * value_at(cand, ideal[r, q, i], lo[i], hi[i], shape[q, i])
        if j == 0 or score > best:
            best, c = score, cand
    span = c - a
    safe = span if span != 0 else 1.0
    ts = np.empty(others.shape[0] + 2)
    ts[0], ts[1] = 0.0, 1.0
    for j in range(others.shape[0]):
        t = 1.0
        if span != 0:
            t = (ideal[r, others[j], i] - a) / safe
            if t < 0.0:
                t = 0.0
            elif t > 1.0:
                t = 1.0
        ts[2 + j] = t
    ts.sort()
    for g in range(ts.shape[0] - 1):  # segment by segment, sub-piece by sub-piece
        t0, t1 = ts[g], ts[g + 1]
        for s in range(SUBPIECES):
            start[g * SUBPIECES + s] = a + (t0 + (t1 - t0) * (s / SUBPIECES)) * span
            end[g * SUBPIECES + s] = a + (t0 + (t1 - t0) * ((s + 1) / SUBPIECES)) * span


@njit
def _issue_pieces(p, i, others, weight, ideal, values, lo, hi, shape, disc, n_options, start, end):
    for r in range(start.shape[0]):
        _pieces(r, p, i, others, weight, ideal, values, lo, hi, shape, disc, n_options, start[r], end[r])


def plan_offers(st: Structure, inp: Inputs, p: int, priority: str = "ratio") -> OfferPlan:
    """Work out party p's concession pieces and their order, for every negotiation of a batch.

    ``priority="ratio"`` orders pieces by the others' gain per unit of own cost; ``"salience"``
    settles the proposer's least salient issues first (within an issue, pieces keep path order).
    """
    others = np.array([q for q in range(st.n_parties) if q != p], dtype=np.int64)
    args = (inp.weight, inp.ideal, inp.values, st.lo, st.hi, st.shape, st.discrete, st.n_options)
    cost, delta, issue, divisible, live, start, v0 = _plan(p, others, *args, priority == "salience")
    x0 = inp.ideal[:, p, :].copy()
    return OfferPlan(
        ideal=x0,
        u_ideal=issue_utility(st, inp, p, x0),
        cost=cost,
        delta=delta,
        issue=issue,
        divisible=divisible,
        live=live,
        start=start,
        v0=v0,
        weight=inp.weight[:, p, :],
        reach=np.maximum(x0 - st.lo, st.hi - x0),
        shape=st.shape[p].copy(),
        strict=priority == "salience",
    )


@njit
def _plan(p, others, weight, ideal, values, lo, hi, shape, disc, n_options, salience):
    """Every row's pieces of every issue (``_pieces``), what each costs the proposer and gains the
    others, and their order: by the others' gain per unit of own cost (made non-increasing along
    each issue's path, so a piece the others do not gain from ends that issue's walk), or by
    salience; pieces that can never be taken last. Returns the plan's (M, B) arrays, M the most
    pieces any row may take (at least 1)."""
    b, n_issues = weight.shape[0], weight.shape[2]
    count = np.empty(n_issues, dtype=np.int64)
    for i in range(n_issues):
        count[i] = _piece_count(disc[i], n_options[i], others.shape[0])
    m0 = count.sum()
    issue_of = np.empty(m0, dtype=np.int64)
    col = 0
    for i in range(n_issues):
        issue_of[col : col + count[i]] = i
        col += count[i]
    start, end = np.empty((b, m0)), np.empty((b, m0))
    cost, v0 = np.empty((b, m0)), np.empty((b, m0))
    live = np.empty((b, m0), dtype=np.bool_)
    order = np.empty((b, m0), dtype=np.int64)
    key = np.empty(m0)
    most = 1
    for r in range(b):
        col = 0
        for i in range(n_issues):
            n = count[i]
            _pieces(
                r, p, i, others, weight, ideal, values, lo, hi, shape, disc, n_options, start[r, col:], end[r, col:]
            )
            for j in range(col, col + n):
                x0, x1 = start[r, j], end[r, j]
                vs = value_of(x0, r, p, i, ideal, values, lo, hi, shape, disc)
                v0[r, j] = vs
                c = weight[r, p, i] * (vs - value_of(x1, r, p, i, ideal, values, lo, hi, shape, disc))
                if not (c >= 0.0 or np.isnan(c)):  # np.maximum(c, 0.0)
                    c = 0.0
                cost[r, j] = c
                gain = 0.0
                for q in others:
                    dv = value_of(x1, r, q, i, ideal, values, lo, hi, shape, disc) - value_of(
                        x0, r, q, i, ideal, values, lo, hi, shape, disc
                    )
                    gain = gain + weight[r, q, i] * dv
                ratio = gain / c if c > EPS else gain / EPS
                if not gain > EPS:
                    ratio = -np.inf
                if x0 == x1:  # a zero-length piece is a no-op and must not stop its issue
                    ratio = np.inf
                if j > col:  # np.minimum.accumulate along the issue's path
                    prev = key[j - 1]
                    if prev <= ratio or np.isnan(prev):
                        ratio = prev
                key[j] = ratio
            col += n
        taken = 0
        for j in range(m0):
            lv = key[j] > -np.inf and start[r, j] != end[r, j]
            live[r, j] = lv
            taken += lv
        for j in range(m0):
            if not live[r, j]:
                key[j] = -np.inf
            elif salience:
                key[j] = -weight[r, p, issue_of[j]]
        order[r] = np.argsort(-key, kind="mergesort")
        most = max(most, taken)
    out_cost, out_delta = np.empty((most, b)), np.empty((most, b))
    out_start, out_v0 = np.empty((most, b)), np.empty((most, b))
    out_issue = np.empty((most, b), dtype=np.int64)
    out_div = np.empty((most, b), dtype=np.bool_)
    out_live = np.empty((most, b), dtype=np.bool_)
    for r in range(b):
        for k in range(most):
            j = order[r, k]
            out_cost[k, r] = cost[r, j]
            out_delta[k, r] = end[r, j] - start[r, j]
            out_start[k, r] = start[r, j]
            out_v0[k, r] = v0[r, j]
            out_issue[k, r] = issue_of[j]
            out_div[k, r] = not disc[issue_of[j]]
            out_live[k, r] = live[r, j]
    return out_cost, out_delta, out_issue, out_div, out_live, out_start, out_v0


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
