"""One round of talks, shared by both drivers.

``play_round`` runs one round for a batch of negotiations. The parties' decisions come from
``deciders`` (one per party): the batch driver passes ``KernelParty`` objects, the Mesa driver
its ``PartyAgent``s, which call the same kernel functions with a batch of one.
"""

from __future__ import annotations

import numpy as np

from negotiation.kernel.beliefs import Beliefs, LearningRates, belief_error, believed_inputs, initial_beliefs, learn
from negotiation.kernel.codes import DEAL, bilateral_code
from negotiation.kernel.inputs import Inputs
from negotiation.kernel.offers import construct_offer, plan_offers
from negotiation.kernel.rules import bilateral_open, extension_vote, next_round_day, withdrawal_notice
from negotiation.kernel.shocks import apply_shocks
from negotiation.kernel.state import Draws, State
from negotiation.kernel.strategy import Situation, Strategy
from negotiation.kernel.structure import Structure
from negotiation.kernel.utility import utility


class KernelParty:
    """A computer party's decisions for a batch: its strategy plus the kernel rules."""

    def __init__(
        self,
        st: Structure,
        inp: Inputs,
        p: int,
        strategy: Strategy,
        draws: Draws | None = None,
        known: np.ndarray | None = None,
        beliefs: Beliefs | None = None,
    ):
        self.st, self.inp, self.p, self.draws = st, inp, p, draws
        self.strategy = strategy
        self.prm = inp.strategy[p]
        self._plans: dict = {}
        self._revision = None
        self._sit = None
        self._sit_key = None
        # Whose true profile the party knows (``Structure.knows`` unless a driver says otherwise,
        # e.g. never a person's); of the others it holds beliefs (None: it knows everyone), from
        # the start of the talks unless ``beliefs`` are given.
        self.known = st.knows(p) if known is None else np.asarray(known, dtype=bool)
        self.beliefs = beliefs
        if beliefs is None and not self.known.all():
            self.beliefs = initial_beliefs(st, inp, p, self.known)
        self.belief_error: np.ndarray | None = None  # (B,) at the last ``observe``

    def rows(self, inp: Inputs, draws: Draws, sel) -> KernelParty:
        """The same party for a subset of the batch (``inp`` and ``draws`` already cut to it)."""
        beliefs = self.beliefs.rows(sel) if self.beliefs is not None else None
        out = KernelParty(self.st, inp, self.p, self.strategy, draws, self.known, beliefs)
        if self._revision == self._key():
            out._plans = {k: v.rows(sel) for k, v in self._plans.items()}
            out._revision = out._key()
        return out

    def situation(self, state: State) -> Situation:
        """What the party knows now (cached for the round)."""
        key = (state.round, id(state))
        if self._sit is not None and self._sit_key == key:
            return self._sit
        inp, p, st = self.inp, self.p, self.st
        effective = np.minimum(state.deadline, state.notice_day)
        nxt = next_round_day(state.day, state.round + 1, st.planned_days, state.n_ext > 0, inp.gap)
        r = min(state.round, self.draws.noise.shape[1] - 1) if self.draws is not None else 0
        self._sit = Situation(
            t=(state.day - st.start_day).astype(float),
            T=(effective - st.start_day).astype(float),
            u_max=inp.u_max[:, p],
            u_res=inp.res_eff[:, p],
            prev_target=state.target[:, p],
            round=state.round,
            # the last round held: the next would fall after the deadline, or on or after the day a
            # withdrawal notice takes effect (no round is held that day)
            final=(nxt > state.deadline) | (nxt >= state.notice_day),
            received=state.received[:, :, p],
            received_prev=state.received_prev[:, :, p],
            noise=self.draws.noise[:, r, p] if self.draws is not None else None,
            me=p,
        )
        self._sit_key = key
        return self._sit

    def _key(self):
        return (self.inp.revision, self.beliefs.revision if self.beliefs is not None else 0)

    def plan(self, priority: str = "ratio"):
        """The party's concession plan, from its beliefs of the others (worked out once per
        batch, and again after a shock changed weights or the party learned)."""
        if self._revision != self._key():
            self._plans, self._revision = {}, self._key()
        if priority not in self._plans:
            inp = self.inp if self.beliefs is None else believed_inputs(self.inp, self.beliefs, self.p)
            self._plans[priority] = plan_offers(self.st, inp, self.p, priority)
        return self._plans[priority]

    def observe(self, state: State) -> None:
        """Start of a round: the strategy reads the last round's offers (a learner updates its
        beliefs), then the party's belief error is recorded."""
        self.strategy.observe(self, state, self.prm)
        if self.beliefs is None:
            return
        self.belief_error = belief_error(self.st, self.inp, self.beliefs, self.p)
        if state.round < state.belief_error.shape[1]:
            state.belief_error[:, state.round, self.p] = np.where(
                state.done, state.belief_error[:, state.round, self.p], self.belief_error
            )

    def learn(self, state: State, rates: LearningRates) -> None:
        """Update the party's beliefs from the offers of the last round (``kernel.beliefs.learn``)."""
        if self.beliefs is not None and state.round > 0:
            learn(self.st, self.inp, self.beliefs, state.offers, self.p, rates, self.known)

    def default_offer(self, target: np.ndarray, priority: str = "ratio") -> np.ndarray:
        return construct_offer(self.st, self.inp, self.p, target, self.plan(priority))

    def target(self, state: State) -> np.ndarray:
        self._sit = None
        return self.strategy.target(self.situation(state), self.prm)

    def offer(self, state: State) -> np.ndarray:
        return self.strategy.offer(self, state, state.target[:, self.p], self.prm)

    def accepts(
        self, state: State, x: np.ndarray, outcome: int, u: np.ndarray | None = None, proposer: int | None = None
    ) -> np.ndarray:
        """Whether the party accepts ``proposer``'s agreement ``x`` as outcome class ``outcome``
        (u: its utility, if known)."""
        if u is None:
            u = utility(self.st, self.inp, self.p, x, outcome)
        return self.strategy.accept(self.situation(state), state.target[:, self.p], u, self.prm, x, self)

    def withdraws(self, state: State, u: np.ndarray) -> np.ndarray:
        p = self.p
        return withdrawal_notice(state.best_received[:, p], self.inp.res_eff[:, p], self.inp.p_withdraw[:, p], u)

    def votes_extend(self, state: State, u: np.ndarray) -> np.ndarray:
        return extension_vote(self.inp.p_extend[:, self.p], u)


def _finish(state: State, mask, outcome: int, end_day, rounds, agreement=None) -> None:
    state.done |= mask
    state.outcome = np.where(mask, outcome, state.outcome)
    state.end_day = np.where(mask, end_day, state.end_day)
    state.rounds = np.where(mask, rounds, state.rounds)
    if agreement is not None:
        state.agreement = np.where(mask[:, None], agreement, state.agreement)


def play_round(st: Structure, inp: Inputs, draws: Draws, state: State, deciders) -> None:
    """Play round ``state.round`` for every unfinished negotiation, updating ``state``."""
    r = state.round
    P = st.n_parties
    b = state.day.shape[0]
    deal, termination, stalemate = DEAL, st.termination, st.stalemate
    ev = {
        "termination": np.zeros(b, bool),
        "notice": np.full(b, -1),
        "vote": np.zeros(b, bool),
        "extended": np.zeros(b, bool),
        "closed": np.zeros(b, bool),
        "shocks": np.zeros((b, st.n_shocks), bool),
    }
    state.events = ev

    # A withdrawal notice whose delay has run out ends the talks before the round.
    act = ~state.done
    due = act & (state.day >= state.notice_day)
    _finish(state, due, termination, state.notice_day, r)
    ev["termination"] = due
    act = act & ~due
    if r < st.max_rounds:
        state.round_day[:, r] = np.where(act, state.day, state.round_day[:, r])
    # Outside events due by this round's day change the inputs before anyone decides.
    if st.n_shocks:
        ev["shocks"] = apply_shocks(st, inp, draws, state, act)

    # Each party reads the last round's offers (learners update their beliefs).
    for p in range(P):
        observe = getattr(deciders[p], "observe", None)
        if observe is not None:
            observe(state)
    # Targets see the offers of the last round (`received`) and the one before (`received_prev`);
    # then this round's offers start a fresh record (finished rows are never read again).
    for p in range(P):
        state.target[:, p] = np.where(act, deciders[p].target(state), state.target[:, p])
    state.received_prev = state.received
    state.received = np.full_like(state.received_prev, np.nan)
    state.best_received[:] = -np.inf
    state.offers[:] = np.nan
    state.accepted[:] = False
    is_open = bilateral_open(draws.open, inp.p_open)
    by_weight = sorted(range(len(st.pairs)), key=lambda n: -st.pair_weight[n])

    for j in range(P):
        p = (r + j) % P
        live = act & ~state.done
        if not live.any():
            break
        x = deciders[p].offer(state)
        state.offers[:, p, :] = np.where(live[:, None], x, np.nan)
        acc = np.zeros((b, P), dtype=bool)
        acc[:, p] = True
        for q in range(P):
            if q == p:
                continue
            u = utility(st, inp, q, x, deal)
            state.received[:, p, q] = u
            acc[:, q] = deciders[q].accepts(state, x, deal, u, proposer=p)
            np.maximum(state.best_received[:, q], np.where(live, u, -np.inf), out=state.best_received[:, q])
        state.accepted[:, p, :] = acc & live[:, None]
        everyone = live & acc.all(axis=1)
        _finish(state, everyone, deal, state.day, r + 1, x)
        pending = live & ~everyone
        for n in by_weight:
            a, c = st.pairs[n]
            cand = pending & acc[:, a] & acc[:, c] & is_open[:, n]
            if not cand.any():
                continue
            bil = bilateral_code(n)
            both = (
                cand & deciders[a].accepts(state, x, bil, proposer=p) & deciders[c].accepts(state, x, bil, proposer=p)
            )
            _finish(state, both, bil, state.day, r + 1, x)
            pending &= ~both

    # Withdrawal notices, then the calendar: an extension vote at the deadline.
    act = act & ~state.done
    if r + 1 >= st.withdrawal_earliest_round:
        for p in range(P):
            cand = act & (state.notice_by < 0) & (inp.p_withdraw[:, p] > 0)
            if cand.any():
                give = cand & deciders[p].withdraws(state, draws.withdraw[:, r, p])
                state.notice_day = np.where(give, state.day + st.notice_days, state.notice_day)
                state.notice_by = np.where(give, p, state.notice_by)
                ev["notice"] = np.where(give, p, ev["notice"])

    extended = state.n_ext > 0
    nxt = next_round_day(state.day, r + 1, st.planned_days, extended, inp.gap)
    at_deadline = nxt > state.deadline
    early = (r + 1 == st.first_vote_round) & (state.n_ext == 0)
    vote = act & (at_deadline | early) & (state.n_ext < inp.max_ext)
    yes = vote.copy()
    if vote.any():
        v = np.minimum(state.votes, draws.vote.shape[1] - 1)
        for p in range(P):
            u = np.take_along_axis(draws.vote[:, :, p], v[:, None], axis=1)[:, 0]
            yes &= deciders[p].votes_extend(state, u)
    if vote.any():
        rows = np.flatnonzero(vote)
        k = np.minimum(state.votes[rows], st.max_votes - 1)
        state.vote_day[rows, k] = state.day[rows]
        state.vote_yes[rows, k] = yes[rows]
    state.votes = state.votes + vote
    ev["vote"] = vote
    ev["extended"] = yes
    state.n_ext = state.n_ext + yes
    state.deadline = np.where(yes, st.deadline_days[np.minimum(state.n_ext, len(st.deadline_days) - 1)], state.deadline)
    nxt = np.where(yes, np.minimum(state.day + inp.gap, state.deadline), nxt)
    close = act & ((at_deadline & ~yes) | (nxt > st.horizon_day) | (r + 1 >= st.max_rounds))
    # When talks close, a party that may withdraw and values walking away above the old
    # treaty gives notice now; with a notice pending the talks end in termination.
    for p in range(P):
        quits = close & (state.notice_by < 0) & (inp.p_withdraw[:, p] > 0) & (inp.res_eff[:, p] > inp.u_sq[:, p])
        state.notice_day = np.where(quits, state.day + st.notice_days, state.notice_day)
        state.notice_by = np.where(quits, p, state.notice_by)
        ev["notice"] = np.where(quits, p, ev["notice"])
    noticed = state.notice_by >= 0
    _finish(state, close & noticed, termination, state.notice_day, r + 1)
    _finish(state, close & ~noticed, stalemate, state.day, r + 1)
    ev["closed"] = close
    state.day = np.where(act & ~close, nxt, state.day)
    state.round = r + 1
