"""Private information: what each party believes of the others' profiles, and how it learns.

Each party ``p`` holds, for a batch of negotiations, a point belief about every other party's
profile: issue weights, ideals (continuous issues) and option values (discrete issues). It starts
from ``BeliefPrior`` (the scenario's prior for the other's uncertain parameters, what an outsider
knows, or a belief the config narrows or biases per pair) and, for a party whose strategy learns,
is updated from the offers it receives (``learn``):

- ideals on continuous issues: a Gaussian (conjugate) update, each offer read as the proposer's
  ideal seen with noise whose spread doubles with each offer seen (later offers have conceded more);
- option values on discrete issues: a frequency model, each offered option counted; the value of
  option ``o`` is ``(c0 * prior_o + n_o) / (c0 + max_o' n_o')``;
- weights: the frequency rule of HardHeaded, bounded: an issue the proposer leaves where it was
  while it moves on others is taken to matter more to it; the believed weight is the prior's
  times ``1 + learn_rate * s`` (``s``: the share of such offers that left the issue), normalised.

Offers are built from ``believed_inputs`` (the truth for the proposer itself, beliefs for the
others); acceptance always uses the party's own true utility. See docs/model.md section 4a.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from negotiation.kernel.inputs import Inputs
from negotiation.kernel.jit import njit
from negotiation.kernel.offers import issue_pieces

UNCHANGED = 0.01  # an issue moved less than this share of its range counts as left where it was
# Offers are planned from a copy of the beliefs (``Beliefs.view_*``) that follows them once they
# have moved by more than this (a share of the range for ideals; weights and values as they
# are), so that an offer plan is not worked out again for changes too small to matter.
MATERIAL = 0.01


@dataclass(frozen=True)
class BeliefPrior:
    """Every party's belief of every other's profile before the talks (holder, about axes first).

    ``*_mean`` is the belief where it does not depend on the truth; where ``*_rel`` is set the
    belief is ``*_mult * truth + *_add`` instead (a misperception of the true value).
    ``ideal_var`` is the variance of the belief about each continuous ideal (0: known for sure).
    """

    weight_mean: np.ndarray  # (P, P, I) weights as the config writes them (normalised when used)
    weight_rel: np.ndarray
    weight_mult: np.ndarray
    weight_add: np.ndarray
    ideal_mean: np.ndarray  # (P, P, I) continuous ideals (discrete issues: unused)
    ideal_var: np.ndarray
    ideal_rel: np.ndarray
    ideal_mult: np.ndarray
    ideal_add: np.ndarray
    values_mean: np.ndarray  # (P, P, I, K) option values of discrete issues
    values_rel: np.ndarray
    values_mult: np.ndarray
    values_add: np.ndarray

    @classmethod
    def empty(cls, n_parties: int, n_issues: int, n_options: int) -> BeliefPrior:
        """A prior with nothing believed yet (means 0, nothing relative to the truth)."""
        P, I, K = n_parties, n_issues, n_options
        z3, z4 = np.zeros((P, P, I)), np.zeros((P, P, I, K))
        f3, f4 = np.zeros((P, P, I), dtype=bool), np.zeros((P, P, I, K), dtype=bool)
        return cls(
            z3.copy(), f3.copy(), np.ones((P, P, I)), z3.copy(),
            z3.copy(), z3.copy(), f3.copy(), np.ones((P, P, I)), z3.copy(),
            z4.copy(), f4.copy(), np.ones((P, P, I, K)), z4.copy(),
        )  # fmt: skip


@dataclass
class Beliefs:
    """One party's beliefs of every party's profile, for a batch (axes: batch, about, ...).

    Its own entries hold the truth and are never updated.
    """

    weight: np.ndarray  # (B, P, I) believed weights, normalised per party
    ideal: np.ndarray  # (B, P, I) believed ideals (discrete issues: the best believed option)
    ideal_var: np.ndarray  # (B, P, I) variance of the belief about each continuous ideal
    values: np.ndarray  # (B, P, I, K) believed option values
    prior_weight: np.ndarray  # (B, P, I) the weights believed before any offer
    prior_values: np.ndarray  # (B, P, I, K) the option values believed before any offer
    room: np.ndarray  # (B, P, I) whether each party has room to concede on each issue, as believed
    stays: np.ndarray  # (B, P, I) offers in which each issue was left as it was (see ``learn``)
    moves: np.ndarray  # (B, P) offers that moved on some issues and left others
    counts: np.ndarray  # (B, P, I, K) offers of each option seen
    first: np.ndarray  # (B, P, I) the first offer seen from each party (NaN: none yet)
    seen: np.ndarray  # (B, P) offers seen from each party
    view_weight: np.ndarray | None = None  # what offers are planned from (see MATERIAL)
    view_ideal: np.ndarray | None = None
    view_values: np.ndarray | None = None
    revision: int = 0  # counts the changes of the view (offer plans made from older ones are stale)

    def __post_init__(self):
        if self.view_weight is None:
            self.view_weight, self.view_ideal, self.view_values = (
                self.weight.copy(),
                self.ideal.copy(),
                self.values.copy(),
            )

    def rows(self, sel) -> Beliefs:
        """The beliefs of a subset of the batch."""
        out = {k: getattr(self, k)[sel] for k in self.__dataclass_fields__ if k != "revision"}
        return Beliefs(revision=self.revision, **out)


def _span(st) -> np.ndarray:
    """(I,) each issue's range (the option count less one when discrete), 1 where it is empty."""
    return np.where(st.hi > st.lo, st.hi - st.lo, 1.0)


def _option_ideal(st, values: np.ndarray, ideal: np.ndarray) -> np.ndarray:
    """``ideal`` with each discrete issue's entry set to the best option of ``values``."""
    out = ideal.copy()
    for i in st.disc:
        out[..., i] = np.argmax(values[..., i, : st.n_options[i]], axis=-1)
    return out


def initial_beliefs(st, inp: Inputs, p: int, known: np.ndarray) -> Beliefs:
    """Party ``p``'s beliefs at the start of each negotiation of a batch.

    ``known`` (P,) marks the parties whose true profile ``p`` knows (itself always): complete
    information about them. The others' profiles come from ``st.beliefs`` (a ``BeliefPrior``).
    """
    pr = st.beliefs
    truth_w = inp.raw_weight if inp.raw_weight is not None else inp.weight

    def pick(mean, rel, mult, add, truth):
        return np.where(rel[p], mult[p] * truth + add[p], mean[p])

    w = pick(pr.weight_mean, pr.weight_rel, pr.weight_mult, pr.weight_add, truth_w)
    w = np.maximum(w, 0.0)
    total = w.sum(axis=2, keepdims=True)
    w = np.where(total > 0, w / np.where(total > 0, total, 1.0), 1.0 / st.n_issues)
    ideal = np.clip(pick(pr.ideal_mean, pr.ideal_rel, pr.ideal_mult, pr.ideal_add, inp.ideal), st.lo, st.hi)
    values = np.clip(pick(pr.values_mean, pr.values_rel, pr.values_mult, pr.values_add, inp.values), 0.0, 1.0)
    ideal = _option_ideal(st, values, ideal)
    var = np.broadcast_to(pr.ideal_var[p], ideal.shape).copy()
    k = np.flatnonzero(known)
    w[:, k], ideal[:, k], values[:, k], var[:, k] = inp.weight[:, k], inp.ideal[:, k], inp.values[:, k], 0.0
    b, P, I = ideal.shape
    return Beliefs(
        weight=w,
        ideal=ideal,
        ideal_var=var,
        values=values,
        prior_weight=w.copy(),
        prior_values=values.copy(),
        room=np.ones((b, P, I), dtype=bool),
        stays=np.zeros_like(w),
        moves=np.zeros((b, P)),
        counts=np.zeros_like(values),
        first=np.full((b, P, I), np.nan),
        seen=np.zeros((b, P), dtype=np.int64),
    )


def believed_inputs(inp: Inputs, bel: Beliefs, p: int) -> Inputs:
    """The inputs as party ``p`` sees them: its own profile true, the others' as it believes."""
    w, ideal, values = bel.view_weight.copy(), bel.view_ideal.copy(), bel.view_values.copy()
    w[:, p], ideal[:, p], values[:, p] = inp.weight[:, p], inp.ideal[:, p], inp.values[:, p]
    return replace(inp, weight=w, ideal=ideal, values=values)


def belief_error(st, inp: Inputs, bel: Beliefs, p: int) -> np.ndarray:
    """Mean absolute error (B,) of ``p``'s believed weights and ideals of the others against the
    truth; ideals as a share of the issue's range (of the option count less one when discrete).
    Summed in a fixed order (party, then issue), so a row's figure does not depend on its batch."""
    return _belief_error(bel.weight, inp.weight, bel.ideal, inp.ideal, _span(st), p)


@njit
def _belief_error(bel_w, w, bel_i, ideal, span, p):
    b, n_parties, n_issues = w.shape
    out = np.empty(b)
    for r in range(b):
        dw, di = 0.0, 0.0
        for q in range(n_parties):
            if q == p:
                continue
            for i in range(n_issues):
                dw += abs(bel_w[r, q, i] - w[r, q, i])
                di += abs(bel_i[r, q, i] - ideal[r, q, i]) / span[i]
        out[r] = (dw + di) / (2 * (n_parties - 1) * n_issues)
    return out


@dataclass(frozen=True)
class LearningRates:
    """The opponent model's settings (a learning strategy's parameters, each (B,))."""

    learn_rate: np.ndarray  # weight added to an issue left where it was
    obs_sd: np.ndarray  # spread of the first offer about the proposer's ideal, as a share of the range
    prior_weight: np.ndarray  # pseudo-counts of the prior option values (c0)


def _room(st, inp: Inputs, bel: Beliefs, p: int, q: int) -> np.ndarray:
    """(B, I) whether party ``q`` has room to concede on each issue: its path of concessions
    (``offers.issue_pieces``, worked out from ``p``'s beliefs) leads somewhere."""
    view = believed_inputs(inp, bel, p)
    others = [o for o in range(st.n_parties) if o != q]
    out = np.zeros((inp.batch, st.n_issues), dtype=bool)
    span = _span(st)
    for i in range(st.n_issues):
        start, end = issue_pieces(st, view, q, others, i)
        out[:, i] = np.abs(end - start[:, :1]).max(axis=1) > UNCHANGED * span[i]
    return out


def learn(st, inp: Inputs, bel: Beliefs, offers: np.ndarray, p: int, rates: LearningRates, known: np.ndarray) -> None:
    """Update party ``p``'s beliefs in place from the offers (B, P, I) made in the last round
    (NaN rows: no offer). Parties in ``known`` (and ``p`` itself) are not updated."""
    span = _span(st)
    cont = np.zeros(st.n_issues, dtype=bool)
    cont[st.cont] = True
    changed = False
    for q in range(st.n_parties):
        if q == p or known[q]:
            continue
        y = offers[:, q, :]
        got = ~np.isnan(y[:, 0])
        if not got.any():
            continue
        changed = True
        k = bel.seen[:, q].astype(float)
        # Ideals: Gaussian prior N(m, s2), offer y ~ N(ideal, sigma_k^2), sigma_k = obs_sd*span*2^k
        m, s2 = bel.ideal[:, q, :], bel.ideal_var[:, q, :]
        sig2 = (rates.obs_sd[:, None] * span * 2.0 ** k[:, None]) ** 2
        upd = got[:, None] & (s2 > 0) & cont
        post = 1.0 / (1.0 / np.where(upd, s2, 1.0) + 1.0 / np.where(upd, sig2, 1.0))
        mean = post * (m / np.where(upd, s2, 1.0) + np.where(upd, y, 0.0) / np.where(upd, sig2, 1.0))
        bel.ideal[:, q, :] = np.where(upd, np.clip(mean, st.lo, st.hi), m)
        bel.ideal_var[:, q, :] = np.where(upd, post, s2)
        # Option values: frequency model with the prior as pseudo-counts.
        c0 = rates.prior_weight
        for i in st.disc:
            n = st.n_options[i]
            opt = np.rint(np.where(got, y[:, i], -1.0))
            bel.counts[:, q, i, :n] += opt[:, None] == np.arange(n)[None, :]
            cnt = bel.counts[:, q, i, :n]
            top = cnt.max(axis=1)
            v = (c0[:, None] * bel.prior_values[:, q, i, :n] + cnt) / (c0 + top)[:, None]
            bel.values[:, q, i, :n] = np.where(got[:, None], v, bel.values[:, q, i, :n])
            bel.ideal[:, q, i] = np.where(got, np.argmax(bel.values[:, q, i, :n], axis=1), bel.ideal[:, q, i])
        # Weights: an issue the proposer has not yet moved from its first offer while it has
        # conceded on others is taken to cost it more; the weight is the prior's times
        # 1 + learn_rate * (the share of such offers that left it untouched).
        first = bel.first[:, q, :]
        opening = got & (bel.seen[:, q] == 0)
        bel.first[:, q, :] = np.where(opening[:, None], y, first)
        bel.seen[:, q] += got
        if not rates.learn_rate.any():
            continue
        if opening.any():  # where q's path of concessions leads, as p believes the others' ideals
            bel.room[:, q, :] = np.where(opening[:, None], _room(st, inp, bel, p, q), bel.room[:, q, :])
        stay = (np.abs(y - first) <= UNCHANGED * span) & bel.room[:, q, :]
        moved_some = got & ~opening & (~stay & bel.room[:, q, :]).any(axis=1) & stay.any(axis=1)
        bel.stays[:, q, :] += moved_some[:, None] & stay
        bel.moves[:, q] += moved_some
        share = bel.stays[:, q, :] / np.maximum(bel.moves[:, q], 1.0)[:, None]
        w = bel.prior_weight[:, q, :] * (1.0 + rates.learn_rate[:, None] * share)
        bel.weight[:, q, :] = w / w.sum(axis=1, keepdims=True)
    if changed and _refresh_view(st, bel):
        bel.revision += 1


def _refresh_view(st, bel: Beliefs) -> bool:
    """Bring each entry of the view to the belief where they differ by more than MATERIAL;
    whether any entry changed."""
    span = _span(st)
    any_change = False
    # weights move as a party's whole vector (they sum to 1), option values as an issue's
    for view, now, scale, whole in (
        (bel.view_weight, bel.weight, 1.0, 2),
        (bel.view_ideal, bel.ideal, span, None),
        (bel.view_values, bel.values, 1.0, 3),
    ):
        moved = np.abs(now - view) > MATERIAL * scale
        if whole is not None:
            moved = np.broadcast_to(moved.any(axis=whole, keepdims=True), moved.shape)
        if moved.any():
            np.copyto(view, now, where=moved)
            any_change = True
    if any_change:
        bel.view_ideal[:] = _option_ideal(st, bel.view_values, bel.view_ideal)
    return any_change
