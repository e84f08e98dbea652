"""Outcome-space analysis of a scenario: the Pareto frontier, the Nash bargaining point, the
Kalai-Smorodinsky point and each party's best agreement above everyone's reservation.

Agreements are enumerated: every combination of options of the discrete issues and a grid over
each continuous issue (so that the whole stays under ``max_points``). The frontier is exact for
discrete spaces; for continuous issues it is the frontier of the grid, whose step (reported as
the tolerance, in natural units) bounds how far a grid point is from the true optimum on that
issue. Utilities are those of a full deal at the scenario's base values (uncertain parameters
at the middle of their range); the disagreement point is each party's effective reservation.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from negotiation.analysis.outcome_space import nash_point, pareto_mask
from negotiation.kernel.draws import build_inputs
from negotiation.kernel.utility import issue_utility
from negotiation.scenario import units


def grid_size(st, max_points: int) -> int:
    """Grid points per continuous issue so that the whole space stays under ``max_points``."""
    discrete = math.prod(int(st.n_options[i]) for i in st.disc) if st.disc else 1
    if not st.cont:
        return 0
    return max(2, int((max_points / discrete) ** (1 / len(st.cont))))


def enumerate_agreements(loaded, max_points: int = 200_000):
    """All agreements considered (N, I) positions, the grid size, and each party's utility (N, P)."""
    st, space = loaded.structure, loaded.space
    g = grid_size(st, max_points)
    axes = []
    for i in range(st.n_issues):
        if i in st.options:
            axes.append(np.arange(st.n_options[i], dtype=float))
        else:
            axes.append(np.linspace(st.lo[i], st.hi[i], g))
    x = np.array(list(itertools.product(*axes)), dtype=float)
    inp = build_inputs(st, space, np.repeat(space.base()[None, :], x.shape[0], axis=0))
    deal = st.outcome_index("deal")
    u = np.column_stack([issue_utility(st, inp, p, x) + inp.stake[:, p, deal] for p in range(st.n_parties)])
    return x, u, g, inp.res_eff[0]


def kalai_smorodinsky(u: np.ndarray, d: np.ndarray) -> int | None:
    """Index of the individually rational agreement maximising the smallest share of each party's
    possible gain: min_p (u_p - d_p) / (best_p - d_p), best_p over the rational agreements."""
    rational = np.all(u >= d, axis=1)
    if not rational.any():
        return None
    best = u[rational].max(axis=0)
    span = np.where(best > d, best - d, 1.0)
    share = np.where(rational[:, None], (u - d) / span, -np.inf).min(axis=1)
    return int(np.argmax(share))


def analyze(loaded, max_points: int = 200_000) -> dict:
    """The analysis as a plain dict (positions in display units, named in ``units``)."""
    st = loaded.structure
    x, u, g, d = enumerate_agreements(loaded, max_points)
    rational = np.all(u >= d, axis=1)
    front = pareto_mask(u[rational]) if rational.any() else np.zeros(0, dtype=bool)
    idx = np.flatnonzero(rational)

    def point(k):
        if k is None:
            return None
        return {
            "agreement": _natural(loaded, x[k]),
            "utilities": {p: round(float(u[k, j]), 9) for j, p in enumerate(st.parties)},
        }

    cfg = loaded.scenario.issues
    out = {
        "units": units.units(st, cfg),
        "agreements": int(x.shape[0]),
        "individually_rational": int(rational.sum()),
        "pareto_size": int(front.sum()),
        "tolerance": {
            st.issues[i]: round(float((st.hi[i] - st.lo[i]) / (g - 1) * units.scale_of(st, cfg, i)), 9) for i in st.cont
        },
        "disagreement": {p: round(float(d[j]), 9) for j, p in enumerate(st.parties)},
        "nash": point(nash_point(u, d)),
        "kalai_smorodinsky": point(kalai_smorodinsky(u, d)),
        "best_for": {
            p: point(int(idx[np.argmax(u[rational, j])]) if rational.any() else None) for j, p in enumerate(st.parties)
        },
        "pareto": [point(int(k)) for k in idx[front]][:200],
    }
    return out


def _natural(loaded, x) -> dict:
    st, cfg = loaded.structure, loaded.scenario.issues
    return {issue: units.position(st, cfg, i, float(x[i]), 9) for i, issue in enumerate(st.issues)}
