"""The Bueno de Mesquita expected-utility forecast, as reformulated by Scholz, Calbert and
Smith (2011, "Unravelling Bueno De Mesquita's group decision model", J. Theoretical Politics
23(4)), one issue at a time.

Each actor i has a position x_i, a salience s_i in [0, 1] and a capability c_i. A round:

1. the forecast is the median-voter (Condorcet) position mu among the actors' positions, the one
   that beats every other in pairwise votes  v(j, k) = sum_i c_i s_i (|x_i - x_k| - |x_i - x_j|);
   the capability-and-salience weighted mean is reported beside it;
2. with risk exponents r_i (1 at first), the basic utilities of i towards j, d = range of positions:
   Us = 2 - 4 (0.5 - 0.5 |x_i - x_j| / d)^r,  Uf = 2 - 4 (0.5 + 0.5 |x_i - x_j| / d)^r,
   Ub = 2 - 4 (0.5 - 0.25 (|x_i - mu| + |x_i - x_j|) / d)^r,
   Uw = 2 - 4 (0.5 + 0.25 (|x_i - mu| + |x_i - x_j|) / d)^r,  Usq = 2 - 4 (0.5)^r;
3. i's chance of prevailing over j: the votes cast for i over all votes cast in the i-j contest,
   P_ij = sum_k max(0, w_k) / sum_k |w_k|,  w_k = c_k s_k (|x_k - x_j| - |x_k - x_i|);
4. i's expected utility of challenging j:
   EU_ij = s_j (P_ij Us + (1 - P_ij) Uf) + (1 - s_j) Us - (Q Usq + (1 - Q)(T Ub + (1 - T) Uw)),
   with Q = T = 1 by default;
5. risk: the security of k is sum_{j != k} EU_jk; R_i = (2 sec_i - max sec - min sec) / (max sec -
   min sec), r_i = (1 - R_i / 3) / (1 + R_i / 3); steps 2 to 4 are recomputed with these r_i;
6. offers: i challenges j when EU_ij > 0. Each actor j takes, of the challenges it received, the
   one with the largest EU (ties: the nearest position) and responds from its own EU_ji:
   EU_ji > 0 and EU_ji < EU_ij: conflict lost, j moves to x_i;  EU_ji < 0 and |EU_ji| < EU_ij:
   compromise, j moves |EU_ji / EU_ij| of the way to x_i;  EU_ji < 0 and |EU_ji| >= EU_ij: j
   capitulates to x_i. All moves happen together at the end of the round.

Readings where the publication is ambiguous (see docs/strategies.md): the median voter mu is the
Condorcet winner among actor positions (not the weighted mean); P_ij counts only the votes cast
for i in its numerator; the status-quo term is subtracted as a whole (the bracket's sign);
d is the range of the actors' initial positions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ForecastRound:
    """The state of one issue at the start of a round."""

    round: int
    positions: np.ndarray
    median: float
    mean: float


def weighted_mean(x, c, s) -> float:
    """The capability-times-salience weighted mean position."""
    w = np.asarray(c) * np.asarray(s)
    return float(np.sum(w * x) / np.sum(w))


def pairwise_votes(x, c, s) -> np.ndarray:
    """v[j, k] = sum_i c_i s_i (|x_i - x_k| - |x_i - x_j|): the weighted vote for x_j over x_k."""
    x = np.asarray(x, dtype=float)
    w = np.asarray(c) * np.asarray(s)
    d = np.abs(x[:, None] - x[None, :])  # d[i, j] = |x_i - x_j|
    return np.einsum("i,ik->k", w, d)[None, :] - np.einsum("i,ij->j", w, d)[:, None]


def median_voter(x, c, s) -> float:
    """The position among the actors' that beats every other in pairwise votes (the Condorcet
    winner); if none does, the one with the largest total margin."""
    x = np.asarray(x, dtype=float)
    v = pairwise_votes(x, c, s)
    distinct = np.abs(x[:, None] - x[None, :]) > 0
    wins = np.where(distinct, v > 0, True).all(axis=1)
    if wins.any():
        return float(x[np.flatnonzero(wins)[0]])
    return float(x[np.argmax(v.sum(axis=1))])


def _utilities(x, mu, r, d):
    dist = np.abs(x[:, None] - x[None, :]) / d
    dmu = np.abs(x - mu)[:, None] / d
    rr = r[:, None]
    us = 2 - 4 * (0.5 - 0.5 * dist) ** rr
    uf = 2 - 4 * (0.5 + 0.5 * dist) ** rr
    ub = 2 - 4 * np.clip(0.5 - 0.25 * (dmu + dist), 0, None) ** rr
    uw = 2 - 4 * (0.5 + 0.25 * (dmu + dist)) ** rr
    usq = np.broadcast_to((2 - 4 * 0.5**r)[:, None], us.shape)
    return us, uf, ub, uw, usq


def win_probability(x, c, s) -> np.ndarray:
    """P[i, j]: the share of the votes in the i-j contest cast for i (0 on the diagonal)."""
    x = np.asarray(x, dtype=float)
    w = (np.asarray(c) * np.asarray(s))[:, None, None]
    d = np.abs(x[:, None] - x[None, :])  # d[k, i]
    votes = w * (d[:, None, :] - d[:, :, None])  # votes[k, i, j] = w_k (|x_k - x_j| - |x_k - x_i|)
    total = np.abs(votes).sum(axis=0)
    return np.where(total > 0, np.clip(votes, 0, None).sum(axis=0) / np.where(total > 0, total, 1), 0.0)


def expected_utility(x, c, s, mu, r, d, q=1.0, t=1.0) -> np.ndarray:
    """EU[i, j]: i's expected utility of challenging j (0 on the diagonal)."""
    us, uf, ub, uw, usq = _utilities(x, mu, r, d)
    p = win_probability(x, c, s)
    sj = np.asarray(s)[None, :]
    eu = sj * (p * us + (1 - p) * uf) + (1 - sj) * us - (q * usq + (1 - q) * (t * ub + (1 - t) * uw))
    np.fill_diagonal(eu, 0.0)
    return eu


def risk_exponents(eu: np.ndarray) -> np.ndarray:
    """r_i from the security levels sec_k = sum_j EU[j, k] (what the others expect from challenging k)."""
    sec = eu.sum(axis=0)
    lo, hi = sec.min(), sec.max()
    if hi == lo:
        return np.ones_like(sec)
    big_r = (2 * sec - hi - lo) / (hi - lo)
    return (1 - big_r / 3) / (1 + big_r / 3)


def step(x, c, s, d, q=1.0, t=1.0) -> np.ndarray:
    """One round of challenges and responses; returns the new positions."""
    x = np.asarray(x, dtype=float)
    mu = median_voter(x, c, s)
    eu = expected_utility(x, c, s, mu, np.ones_like(x), d, q, t)
    r = risk_exponents(eu)
    eu = expected_utility(x, c, s, mu, r, d, q, t)
    new = x.copy()
    n = len(x)
    for j in range(n):
        senders = [i for i in range(n) if i != j and eu[i, j] > 0 and x[i] != x[j]]
        if not senders:
            continue
        best = max(eu[i, j] for i in senders)
        top = [i for i in senders if eu[i, j] == best]
        i = min(top, key=lambda k: (abs(x[k] - x[j]), k))
        ui, uj = eu[j, i], eu[i, j]
        if 0 < ui < uj or (ui < 0 and abs(ui) >= uj):
            new[j] = x[i]
        elif ui < 0:
            new[j] = x[j] + (x[i] - x[j]) * abs(ui / uj)
    return new


def forecast(x, c, s, rounds: int = 10, q: float = 1.0, t: float = 1.0) -> list[ForecastRound]:
    """Run the model for ``rounds`` rounds from positions ``x``; round 0 is the starting point."""
    x = np.asarray(x, dtype=float)
    c = np.asarray(c, dtype=float)
    s = np.asarray(s, dtype=float)
    d = float(x.max() - x.min()) or 1.0
    out = []
    for k in range(rounds + 1):
        out.append(ForecastRound(k, x.copy(), median_voter(x, c, s), weighted_mean(x, c, s)))
        if k < rounds:
            x = step(x, c, s, d, q, t)
    return out


def scenario_actors(loaded, issue: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions, capabilities and saliences of a scenario's parties on one issue.

    Position: the party's ideal (the middle of its range when uncertain; an option's index for
    a discrete issue). Capability: the profile's ``capability`` (equal shares when none is
    given). Salience: the issue preference's ``salience``, else its normalised weight. ``issue``
    is a kernel issue: the term of one pair of a per-pair issue (``procurement.US_CA``) counts a
    given salience times the party's share of the issue for that pair (0 outside the pair).
    """
    st, scn, space = loaded.structure, loaded.scenario, loaded.space
    from negotiation.kernel.draws import build_inputs

    inp = build_inputs(st, space, space.base()[None, :])
    i = st.issues.index(issue)
    x = inp.ideal[0, :, i].copy()
    caps = [scn.profiles[p].capability for p in st.parties]
    c = np.array([1.0 if v is None else v for v in caps]) if any(v is not None for v in caps) else np.ones(len(caps))
    prefs = [scn.profiles[p].issues[st.issue_config[i]] for p in st.parties]
    share = inp.share[0, :, i] if inp.share is not None else np.ones(len(prefs))
    s = np.array(
        [pref.salience * share[k] if pref.salience is not None else inp.weight[0, k, i] for k, pref in enumerate(prefs)]
    )
    return x, c / c.sum(), s


@dataclass
class Convergence:
    """Whether a forecast's rounds settled, and if not, how they move at the end.

    ``status``: "converged" (no position moved in the last round), "oscillating" (the last
    rounds go back the way they came: a 2-cycle, a turn of the forecast, or a movement that did
    not shrink), "moving" (still moving, by less each round), or "short" (fewer than one round).
    ``low`` and ``high``: the smallest and largest forecast (median voter) over the last three
    rounds; ``movement``: the largest move of a position in the last round (model units)."""

    status: str
    low: float
    high: float
    movement: float

    @property
    def settled(self) -> bool:
        """True when the forecast's last point is a converged position."""
        return self.status == "converged"


def convergence(rounds: list[ForecastRound], tol: float = 1e-9) -> Convergence:
    """Classify the end of a forecast path (the list ``forecast`` returns).

    With X_k the positions at round k and m_k = max |X_k - X_{k-1}| (the largest move in round k),
    n the last round and ``tol`` scaled by the range of the starting positions:
    converged when m_n <= tol; oscillating when n >= 2 and X_n = X_{n-2} (a 2-cycle of
    positions), or the forecast alternates (mu_n = mu_{n-2} != mu_{n-1}) or turns back (its last
    two changes have opposite signs), or m_n >= m_{n-1} (the movement does not shrink); otherwise
    moving (m_n < m_{n-1}, same direction: still converging)."""
    if len(rounds) < 2:
        mu = rounds[0].median if rounds else float("nan")
        return Convergence("short", mu, mu, 0.0)
    x = [np.asarray(r.positions, dtype=float) for r in rounds]
    scale = float(np.ptp(x[0])) or 1.0
    eps = tol * scale
    moves = [float(np.abs(b - a).max()) for a, b in zip(x, x[1:], strict=False)]
    tail = [r.median for r in rounds[-3:]]
    low, high = float(min(tail)), float(max(tail))
    if moves[-1] <= eps:
        last = float(rounds[-1].median)
        return Convergence("converged", last, last, moves[-1])
    if len(rounds) >= 3:
        mu = [r.median for r in rounds[-3:]]
        cycle = float(np.abs(x[-1] - x[-3]).max()) <= eps
        alternates = abs(mu[2] - mu[0]) <= eps and abs(mu[2] - mu[1]) > eps
        turns = (mu[1] - mu[0]) * (mu[2] - mu[1]) < -(eps**2)  # the forecast went back the way it came
        if cycle or alternates or turns or moves[-1] >= moves[-2] - eps:
            return Convergence("oscillating", low, high, moves[-1])
    return Convergence("moving", low, high, moves[-1])


def convergence_text(conv: Convergence, shown) -> str:
    """One line for a person about a forecast that did not settle ("" when it converged or is
    too short to judge); ``shown`` turns a model-unit forecast into display text ("7.0 years")."""
    if conv.status == "oscillating":
        if conv.low == conv.high:
            return (
                f"the forecast stays at {shown(conv.low)} while the actors' positions oscillate; "
                "its point is not a converged position"
            )
        return (
            f"the forecast oscillates between {shown(conv.low)} and {shown(conv.high)}; "
            "its point is not a converged position"
        )
    if conv.status == "moving":
        return (
            f"the forecast is still moving (between {shown(conv.low)} and {shown(conv.high)} over the last rounds); "
            "its point is not a converged position yet: more --rounds may settle it"
        )
    return ""
