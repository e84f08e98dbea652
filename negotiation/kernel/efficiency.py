"""Efficiency of agreements: how far each lies from the Pareto frontier of the parties that signed it.

``pareto_gap`` is the largest utility gain every member of an agreement (all parties for a
``deal``, the pair for a ``bilateral_*``) could still have had at once, measured with the true
inputs. Linked stakes are the same for every agreement of one outcome class, so only the issue
utilities ``u_p(x) = sum_i w_pi v_pi(x_i)`` count.

Method: the weighted-sum Pareto points. For each weight vector lambda over the m members on the
simplex grid of step 1/``STEPS`` (66 vectors for 3 members, 11 for 2), the agreement y(lambda)
maximising ``sum_p lambda_p u_p(y)`` is found issue by issue (the weighted sum is separable):

- a discrete issue: the best of its options;
- a continuous issue: the best of the members' ideals, and, when a member's value is concave or
  convex there, of ``GRID`` (9) positions evenly spaced between the outermost ideals. Outside
  them every member loses by moving further, so no optimum lies there; with linear values the
  weighted sum is piecewise linear with kinks at the ideals, so an ideal (a weighted median) is
  optimal and y(lambda) is exact. Where the sum is smooth (concave values) the nearest position
  misses its top by at most ``sum_p lambda_p w_p (h / R)^2`` (spacing h, range R): under
  1/100 of utility, and under 1/400 when the ideals span at most half the range, as in NAFTA.
  (On 17,000 NAFTA agreements 9 positions give the gaps of 399 to 1e-5 in the mean, as 21
  positions across the whole range would; single gaps move by up to 0.02 either way.)

then ``gap = max_lambda min_p (u_p(y(lambda)) - u_p(x))``, floored at 0. Every y(lambda) is an
agreement the members could have signed, so the gap is a lower bound of the exact max-min gain
``max_y min_p (u_p(y) - u_p(x))``, exact when the best such y is one of the weighted-sum points
of the grid. It is 0 for an agreement no weighted-sum point improves for every member (below
``ON_FRONTIER``: on the frontier), and NaN for rows without an agreement (termination,
stalemate). Work and memory: the candidates' values for ``ROWS`` rows at a time, scored in blocks
of at most ``CELLS`` (candidates x weight vectors x rows), a small matrix product per candidate.
"""

from __future__ import annotations

import itertools
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from negotiation.kernel.codes import DEAL, Shape, bilateral_code
from negotiation.kernel.utility import continuous_value, issue_utility

if TYPE_CHECKING:
    from negotiation.kernel.inputs import Inputs
    from negotiation.kernel.structure import Structure

STEPS = 10  # weight vectors on the simplex in steps of 1/STEPS
GRID = 9  # positions tried between the outermost ideals on a continuous issue with a non-linear value
ON_FRONTIER = 1e-9  # a gap below this counts as an agreement on the frontier
ROWS = 8192  # rows whose candidates' values are held at once (m x candidates x ROWS floats)
CELLS = 1 << 19  # candidates x weight vectors x rows scored at once (4 MiB of float64; BLAS stays on one thread)


@cache
def simplex_weights(m: int, steps: int = STEPS) -> np.ndarray:
    """Every weight vector over ``m`` members whose entries are multiples of 1/``steps``
    summing to 1, as an (L, m) array, L = C(steps + m - 1, m - 1) (stars and bars)."""
    bars = list(itertools.combinations(range(steps + m - 1), m - 1))  # where the m - 1 bars stand
    edges = np.hstack([np.full((len(bars), 1), -1), np.array(bars, dtype=int).reshape(len(bars), m - 1)])
    edges = np.hstack([edges, np.full((len(bars), 1), steps + m - 1)])
    grid = (np.diff(edges, axis=1) - 1) / steps
    grid.flags.writeable = False
    return grid


def agreement_members(st: Structure) -> list[tuple[int, list[int]]]:
    """Each outcome class with an agreement and the parties that sign it: (code, members)."""
    every = list(range(st.n_parties))
    return [(DEAL, every)] + [(bilateral_code(n), [a, c]) for n, (a, c) in enumerate(st.pairs)]


def _nonlinear(st: Structure, members: list[int], i: int) -> bool:
    return any(st.shape[p, i] != Shape.LINEAR for p in members)


def _candidates(st: Structure, inp: Inputs, members: list[int], i: int) -> tuple[np.ndarray, np.ndarray]:
    """The positions tried on issue ``i`` (K, B) and each member's weighted value of them (m, K, B)."""
    if i in st.options:
        n = int(st.n_options[i])
        pos = np.broadcast_to(np.arange(n, dtype=float)[:, None], (n, inp.batch))
        table = inp.weight[:, members, i, None] * inp.values[:, members, i, :n]
        return pos, np.ascontiguousarray(table.transpose(1, 2, 0))
    pos = inp.ideal[:, members, i].T
    if _nonlinear(st, members, i):  # and evenly between the outermost ideals
        first, last = pos.min(axis=0), pos.max(axis=0)
        pos = np.concatenate([pos, first + (last - first) * (np.arange(1, GRID + 1) / (GRID + 1))[:, None]])
    lo, hi = st.lo[i], st.hi[i]
    value = [
        inp.weight[:, p, i] * continuous_value(pos, inp.ideal[:, p, i], lo, hi, int(st.shape[p, i])) for p in members
    ]
    return pos, np.stack(value)


def _best(table: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """For each weight vector and row, the first candidate of highest weighted value (L, B)."""
    score = lam @ table.transpose(1, 0, 2)  # (K, L, B): small products, one per candidate
    top = score.max(axis=0)
    best = np.full(top.shape, len(score) - 1, dtype=np.int32)
    for k in range(len(score) - 2, -1, -1):
        np.copyto(best, k, where=score[k] == top)
    return best


def _at(best: np.ndarray, total: int, start: int = 0) -> np.ndarray:
    """Flat indices into a (K, total) array of candidates ``best`` (L, n) of rows start .. start+n-1."""
    flat = best * total
    flat += np.arange(start, start + best.shape[1], dtype=np.int32)
    return flat


def weighted_sum_points(st: Structure, inp: Inputs, members: list[int], lam) -> np.ndarray:
    """The agreements y(lambda) (B, L, I) maximising ``sum_p lambda_p u_p(y)`` over the members,
    issue by issue over the candidates ``pareto_gap`` tries, for weight vectors ``lam`` (L, m)."""
    lam = np.atleast_2d(np.asarray(lam, dtype=float))
    out = np.empty((inp.batch, lam.shape[0], st.n_issues))
    for i in range(st.n_issues):
        pos, table = _candidates(st, inp, members, i)
        out[:, :, i] = np.ascontiguousarray(pos).ravel().take(_at(_best(table, lam), inp.batch)).T
    return out


def _gap(st: Structure, inp: Inputs, members: list[int], x: np.ndarray) -> np.ndarray:
    """``pareto_gap`` of agreements ``x`` (B, I) that every row's ``members`` signed: the
    candidates' values once, then the weight vectors in blocks of at most ``CELLS`` scores."""
    lam = simplex_weights(len(members))
    tables = [_candidates(st, inp, members, i)[1] for i in range(st.n_issues)]  # (m, K, B) each
    now = np.stack([issue_utility(st, inp, p, x) for p in members])  # (m, B)
    b = inp.batch
    block = max(1, CELLS // (lam.shape[0] * max(t.shape[1] for t in tables)))
    out = np.empty(b)
    for start in range(0, b, block):
        end = min(start + block, b)
        gain = np.zeros((len(members), lam.shape[0], end - start))  # u_p(y(lambda)), issue by issue
        for table in tables:
            at = _at(_best(table[:, :, start:end], lam), b, start)
            for k in range(len(members)):
                gain[k] += table[k].ravel().take(at)
        gain -= now[:, None, start:end]  # summed as issue_utility sums u_p(x): 0 when y is x
        out[start:end] = np.maximum(gain.min(axis=0).max(axis=0), 0.0)
    return out


def pareto_gap(st: Structure, inp: Inputs, outcome, agreement) -> np.ndarray:
    """How far each agreement lies from its members' Pareto frontier (B,): the largest gain in
    issue utility every member could still have had at once, over the weighted-sum Pareto points
    (see the module's docstring); NaN where the outcome is no agreement (termination, stalemate,
    or a row still in play, code -1). Rows are worked ``ROWS`` at a time."""
    outcome = np.asarray(outcome)
    gap = np.full(outcome.shape[0], np.nan)
    for code, members in agreement_members(st):
        rows = np.flatnonzero(outcome == code)
        for start in range(0, rows.size, ROWS):
            r = rows[start : start + ROWS]
            x = np.where(np.isnan(agreement[r]), st.status_quo, agreement[r])  # as outcome_utilities reads it
            gap[r] = _gap(st, inp.rows(r), members, x)
    return gap
