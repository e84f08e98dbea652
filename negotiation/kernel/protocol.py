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
from negotiation.kernel.jit import njit
from negotiation.kernel.offers import construct_offer, plan_offers
from negotiation.kernel.rules import (
    bilateral_open,
    extension_vote,
    gives_notice_at_close,
    months_after,
    next_round_day,
    withdrawal_notice,
)
from negotiation.kernel.shocks import apply_shocks
from negotiation.kernel.state import Draws, State
from negotiation.kernel.strategy import Situation, Strategy
from negotiation.kernel.structure import Structure
from negotiation.kernel.utility import (
    deal_utility_on,
    delay_cost,
    issue_utility,
    issue_value,
    outcome_utilities,
    row_issue_utility,
    utility,
)


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
        self.lag = 0.0  # (B,) its cost of delay at this round's day (``kernel.utility.delay_cost``)

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
        # In an accession window its end is the deadline (a notice given before the signing no
        # longer bears on the party left out); the next round comes a gap later.
        joining = state.signed >= 0
        effective = np.where(joining, state.deadline, np.minimum(state.deadline, state.notice_day))
        nxt = next_round_day(state.day, state.round + 1, st.planned_days, state.n_ext > 0, inp.gap)
        if joining.any():
            gap = np.take_along_axis(inp.accession_gap, np.maximum(state.signed, 0)[:, None], axis=1)[:, 0]
            nxt = np.where(joining, state.day + gap, nxt)
        # The cost of delay: an agreement made today is worth this much less than at the start.
        self.lag = delay_cost(st, inp, p, state.day)
        r = min(state.round, self.draws.noise.shape[1] - 1) if self.draws is not None else 0
        self._sit = Situation(
            t=(state.day - st.start_day).astype(float),
            T=(effective - st.start_day).astype(float),
            u_max=inp.u_max[:, p] - self.lag,
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
        """The concession walk's offer for ``target`` (a utility net of the cost of delay)."""
        return construct_offer(self.st, self.inp, self.p, target + self.lag, self.plan(priority))

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
            u = utility(self.st, self.inp, self.p, x, outcome) - self.lag
        return self.strategy.accept(self.situation(state), state.target[:, self.p], u, self.prm, x, self)

    def withdraws(self, state: State, u: np.ndarray) -> np.ndarray:
        p = self.p
        return withdrawal_notice(state.best_received[:, p], self.inp.res_eff[:, p], self.inp.p_withdraw[:, p], u)

    def votes_extend(self, state: State, u: np.ndarray) -> np.ndarray:
        return extension_vote(self.inp.p_extend[:, self.p], u)

    def closes_with_notice(self, state: State, u: np.ndarray) -> np.ndarray:
        """When talks close without a deal: whether the party gives notice rather than let the
        talks lapse under the old treaty (``kernel.rules.gives_notice_at_close``)."""
        inp, p = self.inp, self.p
        return gives_notice_at_close(
            inp.p_withdraw[:, p], inp.res_eff[:, p], inp.u_sq[:, p], inp.p_notice_close[:, p], u
        )

    # Accession: the party left out of a bilateral deal, and the deal's signatories.
    def accession_offer(self, state: State, x: np.ndarray) -> np.ndarray:
        """The terms on which the party left out asks to join agreement ``x`` (amendments): every
        term it cares about moved the same share of the way toward its ideal, the least share that
        meets its target (net of the cost of delay) and what staying out is worth."""
        st, inp, p = self.st, self.inp, self.p
        need = np.maximum(state.target[:, p], self.outside(state))
        return _join_terms(
            np.asarray(x, dtype=np.float64),
            (state.signed >= 0) & ~state.done,  # rows in an accession window (the rest keep x)
            need,
            np.broadcast_to(np.asarray(self.lag, dtype=np.float64), need.shape),
            inp.weight[:, p, :] > 0,
            p,
            inp.stake[:, p, DEAL],
            inp.weight,
            inp.ideal,
            inp.values,
            st.lo,
            st.hi,
            st.shape,
            st.discrete,
        )

    def outside(self, state: State) -> np.ndarray:
        """What staying out of the signed bilateral deal is worth to the party (reservation plus stakes)."""
        bil = bilateral_code(np.maximum(state.signed, 0))
        return self.inp.reservation[:, self.p] + np.take_along_axis(self.inp.stake[:, self.p, :], bil[:, None], 1)[:, 0]

    def joins(self, state: State, x: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Whether the party left out joins on terms ``x`` (worth ``u`` to it, net of delay):
        when they are worth at least staying out."""
        return u >= self.outside(state)

    def admits(self, state: State, x: np.ndarray, signed: np.ndarray, proposer: int) -> np.ndarray:
        """Whether a signatory accepts the trilateral version ``x`` of the bilateral text
        ``signed``: when it is worth at least the bilateral deal with its stakes."""
        st, inp, p = self.st, self.inp, self.p
        bil = bilateral_code(np.maximum(state.signed, 0))
        u_bil = issue_utility(st, inp, p, signed) + np.take_along_axis(inp.stake[:, p, :], bil[:, None], 1)[:, 0]
        return utility(st, inp, p, x, DEAL) >= u_bil


SHARE_STEPS = 30  # bisection steps on an accession share (fixed: the same answer in every driver)


@njit
def _shifted(x, share, cares, ideal_p, disc, out):
    """``x`` (I,) with every term the party cares about moved ``share`` of the way to its ideal
    (discrete terms to the nearest option), into ``out``."""
    for i in range(x.shape[0]):
        y = x[i] + share * ((ideal_p[i] - x[i]) if cares[i] else 0.0)
        out[i] = np.rint(y) if disc[i] else y


@njit
def _join_terms(x, rows, need, lag, cares, p, stake_deal, weight, ideal, values, lo, hi, shape, disc):
    """Per row of ``rows``, the terms ``KernelParty.accession_offer`` asks: the least share
    (bisection) whose shifted terms are worth ``need`` (their deal utility less ``lag``), else the
    share above it. Other rows keep ``x``."""
    b, n = x.shape
    out = x.copy()
    y = np.empty(n)
    for r in range(b):
        if not rows[r]:
            continue
        lo_s, hi_s = 0.0, 1.0
        for _ in range(SHARE_STEPS):
            mid = (lo_s + hi_s) / 2
            _shifted(x[r], mid, cares[r], ideal[r, p], disc, y)
            worth = row_issue_utility(y, r, p, weight, ideal, values, lo, hi, shape, disc) + stake_deal[r] - lag[r]
            if worth >= need[r]:
                hi_s = mid
            else:
                lo_s = mid
        _shifted(x[r], lo_s, cares[r], ideal[r, p], disc, y)
        worth = row_issue_utility(y, r, p, weight, ideal, values, lo, hi, shape, disc) + stake_deal[r] - lag[r]
        _shifted(x[r], lo_s if worth >= need[r] else hi_s, cares[r], ideal[r, p], disc, out[r])
    return out


def _finish(state: State, mask, outcome, end_day, rounds, agreement=None) -> None:
    state.done |= mask
    state.outcome = np.where(mask, outcome, state.outcome)
    state.end_day = np.where(mask, end_day, state.end_day)
    state.rounds = np.where(mask, rounds, state.rounds)
    if agreement is not None:
        state.agreement = np.where(mask[:, None], agreement, state.agreement)


def _sign(st: Structure, inp: Inputs, state: State, mask, n: int, x, r: int) -> None:
    """Pair ``n`` signs bilateral deal ``x`` on this round's day. Without accession for the pair
    the talks end; with it the party left out enters its accession window: a round every gap
    until the window closes (if the first would fall after it, the talks end now)."""
    bil = bilateral_code(n)
    if not st.accession[n]:
        _finish(state, mask, bil, state.day, r + 1, x)
        return
    end = months_after(state.day, st.accession_months[n])
    first = state.day + inp.accession_gap[:, n]
    state.signed = np.where(mask, n, state.signed)
    state.signed_day = np.where(mask, state.day, state.signed_day)
    state.outcome = np.where(mask, bil, state.outcome)
    state.agreement = np.where(mask[:, None], x, state.agreement)
    state.rounds = np.where(mask, r + 1, state.rounds)
    state.end_day = np.where(mask, state.day, state.end_day)
    state.deadline = np.where(mask, end, state.deadline)
    state.day = np.where(mask, first, state.day)
    _finish(state, mask & (first > end), bil, state.signed_day, r + 1)


def _accession_round(st: Structure, inp: Inputs, state: State, deciders, rows, r: int) -> None:
    """A round of an accession window: the party left out asks to join (on the signed text, or
    with amendments where the pair allows them); it joins when it wants to and both signatories
    admit it. Otherwise the next round comes a gap later, or the window closes and the bilateral
    deal stands (dated its signing)."""
    ev = state.events
    for n in np.flatnonzero(st.accession):
        sel = rows & (state.signed == n)
        if not sel.any():
            continue
        a, c = st.pairs[n]
        q = st.left_out(n)
        signed = state.agreement
        x = deciders[q].accession_offer(state, signed) if st.accession_amend[n] else signed
        u = deal_utility_on(st, inp, q, x, state.day)
        state.offers[:, q, :] = np.where(sel[:, None], x, state.offers[:, q, :])
        for p in range(st.n_parties):
            state.received[:, q, p] = np.where(sel, utility(st, inp, p, x, DEAL), state.received[:, q, p])
        wants = deciders[q].joins(state, x, u)
        yes_a = deciders[a].admits(state, x, signed, q)
        yes_c = deciders[c].admits(state, x, signed, q)
        state.accepted[:, q, q] |= sel & wants
        state.accepted[:, q, a] |= sel & yes_a
        state.accepted[:, q, c] |= sel & yes_c
        joined = sel & wants & yes_a & yes_c
        _finish(state, joined, DEAL, state.day, r + 1, x)
        ev["joined"] |= joined
        ev["accession"] |= sel
        wait = sel & ~joined
        nxt = state.day + inp.accession_gap[:, n]
        _finish(state, wait & (nxt > state.deadline), bilateral_code(n), state.signed_day, r + 1)
        state.day = np.where(wait & ~state.done, nxt, state.day)


def _pairs_sign(st, inp, state, deciders, pending, acc, x, is_open, by_weight, r, proposer) -> None:
    """Pairs (heaviest ties first) whose two members accepted ``x`` and whose path is open sign it
    as a bilateral deal if both accept it as one."""
    for n in by_weight:
        a, c = st.pairs[n]
        cand = pending & acc[:, a] & acc[:, c] & is_open[:, n]
        if not cand.any():
            continue
        bil = bilateral_code(n)
        both = (
            cand
            & deciders[a].accepts(state, x, bil, proposer=proposer)
            & deciders[c].accepts(state, x, bil, proposer=proposer)
        )
        _sign(st, inp, state, both, n, x, r)
        pending &= ~both


def _round_robin(st: Structure, inp: Inputs, draws: Draws, state: State, deciders, talks) -> None:
    """Each party in turn (starting one further each round) proposes a whole package; the others
    accept or not. All accept: a deal; two accept and their path is open: a bilateral deal."""
    r, P, b = state.round, st.n_parties, state.day.shape[0]
    is_open = bilateral_open(draws.open, inp.p_open)
    by_weight = sorted(range(len(st.pairs)), key=lambda n: -st.pair_weight[n])
    for j in range(P):
        p = (r + j) % P
        live = talks & ~state.done & (state.signed < 0)
        if not live.any():
            break
        x = deciders[p].offer(state)
        # (only the rows in talks: a row in its accession window keeps that round's record)
        state.offers[:, p, :] = np.where(live[:, None], x, state.offers[:, p, :])
        acc = np.zeros((b, P), dtype=bool)
        acc[:, p] = True
        for q in range(P):
            if q == p:
                continue
            u = deal_utility_on(st, inp, q, x, state.day)
            state.received[:, p, q] = np.where(live, u, state.received[:, p, q])
            acc[:, q] = deciders[q].accepts(state, x, DEAL, u, proposer=p)
            np.maximum(state.best_received[:, q], np.where(live, u, -np.inf), out=state.best_received[:, q])
        state.accepted[:, p, :] = np.where(live[:, None], acc, state.accepted[:, p, :])
        everyone = live & acc.all(axis=1)
        _finish(state, everyone, DEAL, state.day, r + 1, x)
        _pairs_sign(st, inp, state, deciders, live & ~everyone, acc, x, is_open, by_weight, r, p)


def draft_text(st: Structure, positions: np.ndarray) -> np.ndarray:
    """The mediator's first text (B, I) from the parties' positions (B, P, I): on each issue the
    mean position, on a discrete issue the median option (the lower middle one for an even count)."""
    text = positions.mean(axis=1)
    if st.disc:
        srt = np.sort(positions[:, :, st.disc], axis=1)
        text[:, st.disc] = srt[:, (st.n_parties - 1) // 2, :]
    return text


def revise_text(st: Structure, inp: Inputs, text, amendments, amending, open_terms, step: float):
    """The mediator's revision (after Raiffa's single negotiating text): for each amending party
    (``amending`` (B, P)) a candidate moves the open terms ``step`` (then half, then a quarter of
    it) of the way toward its amendment (a discrete term at least one option); the mediator takes
    the candidate that raises the lowest gain over the parties' reservations most, if any raises
    it, else keeps the text."""
    P = st.n_parties
    disc = np.zeros(st.n_issues, dtype=bool)
    disc[st.disc] = True

    def low_gain(x):
        return np.min([utility(st, inp, q, x, DEAL) - inp.res_eff[:, q] for q in range(P)], axis=0)

    best, best_x = low_gain(text), text.copy()
    for p in range(P):
        d = np.where(open_terms, amendments[:, p, :] - text, 0.0)
        d = np.where(np.isnan(d), 0.0, d)
        for k in (1.0, 0.5, 0.25):
            s = step * k
            move = np.where(disc, np.sign(d) * np.ceil(np.abs(d) * s - 1e-9), d * s)
            y = text + move
            g = low_gain(y)
            better = amending[:, p] & (g > best + 1e-12)
            best = np.where(better, g, best)
            best_x = np.where(better[:, None], y, best_x)
    return best_x


def _single_text_round(st: Structure, inp: Inputs, draws: Draws, state: State, deciders, talks) -> None:
    """One round on the mediator's single negotiating text. Before the first text every party
    states its position (its offer) and the mediator drafts the text. Each party accepts the text
    or not; all accept: a deal; two accept and their path is open: a bilateral deal. The others
    propose amendments (their own offers); under chapter closing a chapter (issue) closes when
    every party accepts its term (the text is worth at least its own proposal there to each) and
    reopens when a party's proposal there beats the text by more than the reopening cost, which
    it pays. The mediator then revises the open terms (``revise_text``)."""
    r, P, b, I = state.round, st.n_parties, state.day.shape[0], st.n_issues
    ev = state.events
    live = talks & ~state.done
    if not live.any():  # no talks on the text this round (e.g. the party left out just joined):
        return  # ask no party anything (a person's seat would be asked to judge a finished game)
    positions = np.full((b, P, I), np.nan)
    first = live & np.isnan(state.text[:, 0])
    if first.any():
        for p in range(P):
            positions[:, p, :] = deciders[p].offer(state)
        state.text = np.where(first[:, None], draft_text(st, positions), state.text)
    text = state.text.copy()
    ev["judged"] = np.where(live[:, None], text, np.nan)  # the text this round judged (for the record)
    acc = np.zeros((b, P), dtype=bool)
    for q in range(P):
        u = deal_utility_on(st, inp, q, text, state.day)
        acc[:, q] = deciders[q].accepts(state, text, DEAL, u, proposer=None)
        np.maximum(state.best_received[:, q], np.where(live, u, -np.inf), out=state.best_received[:, q])
    state.text_accepted = np.where(live[:, None], acc, state.text_accepted)
    everyone = live & acc.all(axis=1)
    _finish(state, everyone, DEAL, state.day, r + 1, text)
    if st.closing == "chapters":  # a deal on the text closes every chapter still open, that day
        last = everyone[:, None] & ~state.closed
        state.closed |= last
        state.chapter_day = np.where(last, state.day[:, None], state.chapter_day)
        ev["closed_chapters"] = ev["closed_chapters"] | last
    is_open = bilateral_open(draws.open, inp.p_open)
    by_weight = sorted(range(len(st.pairs)), key=lambda n: -st.pair_weight[n])
    _pairs_sign(st, inp, state, deciders, live & ~everyone, acc, text, is_open, by_weight, r, None)
    pending = live & ~state.done & (state.signed < 0)
    if not pending.any():
        return
    # Amendments: a party that accepted the text proposes it unchanged.
    amend = np.repeat(text[:, None, :], P, axis=1)
    for p in range(P):
        asks = pending & ~acc[:, p]
        if asks.any():
            x = np.where(first[:, None], positions[:, p, :], np.nan)
            if (asks & ~first).any():
                x = np.where(first[:, None], x, deciders[p].offer(state))
            amend[:, p, :] = np.where(asks[:, None], x, text)
        state.offers[:, p, :] = np.where(pending[:, None], amend[:, p, :], state.offers[:, p, :])
        for q in range(P):
            u = deal_utility_on(st, inp, q, amend[:, p, :], state.day)
            state.received[:, p, q] = np.where(pending, u, state.received[:, p, q])
    if st.closing == "chapters":
        _chapters(st, inp, state, amend, pending)
    amending = pending[:, None] & ~acc
    revised = revise_text(st, inp, text, amend, amending, ~state.closed, st.mediator_step)
    state.text = np.where(pending[:, None], revised, state.text)
    ev["text"] = pending


def _chapters(st: Structure, inp: Inputs, state: State, amend, pending) -> None:
    """Close and reopen chapters on the current text (see ``_single_text_round``)."""
    ev = state.events
    b, P, I = pending.shape[0], st.n_parties, st.n_issues
    text = state.text
    ok = np.ones((b, I), dtype=bool)
    reopen = np.zeros((b, I), dtype=bool)
    for p in range(P):
        for i in range(I):
            w = inp.weight[:, p, i]
            v_text = issue_value(st, inp, p, i, text[:, i])
            v_own = issue_value(st, inp, p, i, amend[:, p, i])
            ok[:, i] &= (w <= 0) | (v_text >= v_own - 1e-12)
            wants = pending & state.closed[:, i] & (w * (v_own - v_text) > st.reopen_cost)
            state.penalty[:, p] += np.where(wants, st.reopen_cost, 0.0)
            reopen[:, i] |= wants
    state.closed &= ~reopen
    state.chapter_day = np.where(reopen, -1, state.chapter_day)
    state.reopened = state.reopened + reopen.sum(axis=1)
    close = pending[:, None] & ~state.closed & ok & ~reopen
    state.closed |= close
    state.chapter_day = np.where(close, state.day[:, None], state.chapter_day)
    ev["closed_chapters"] = close | ev.get("closed_chapters", False)
    ev["reopened_chapters"] = reopen


def agreement_days(st: Structure, state: State) -> np.ndarray:
    """(B, P) the day each party's agreement took effect: the end day, but for the signatories of
    a bilateral deal the party left out joined later, the day they signed."""
    days = np.repeat(state.end_day[:, None], st.n_parties, axis=1)
    joined = (state.signed >= 0) & (state.outcome == DEAL)
    for n, (a, c) in enumerate(st.pairs):
        rows = joined & (state.signed == n)
        days[rows, a] = state.signed_day[rows]
        days[rows, c] = state.signed_day[rows]
    return days


def final_utilities(st: Structure, inp: Inputs, state: State) -> np.ndarray:
    """Each party's utility (B, P) at the end (``kernel.utility.outcome_utilities``), with the cost
    of delay and of reopening chapters."""
    return outcome_utilities(
        st, inp, state.outcome, state.agreement, joined=agreement_days(st, state), penalty=state.penalty
    )


def play_round(st: Structure, inp: Inputs, draws: Draws, state: State, deciders) -> None:
    """Play round ``state.round`` for every unfinished negotiation, updating ``state``."""
    r = state.round
    P, I = st.n_parties, st.n_issues
    b = state.day.shape[0]
    termination = st.termination
    ev = {
        "termination": np.zeros(b, bool),
        "notice": np.full(b, -1),
        "vote": np.zeros(b, bool),
        "extended": np.zeros(b, bool),
        "closed": np.zeros(b, bool),
        "lapsed": np.zeros(b, bool),
        "shocks": np.zeros((b, st.n_shocks), bool),
        "accession": np.zeros(b, bool),
        "joined": np.zeros(b, bool),
        "text": np.zeros(b, bool),
        "closed_chapters": np.zeros((b, I), bool),
        "reopened_chapters": np.zeros((b, I), bool),
    }
    state.events = ev

    # A withdrawal notice whose delay has run out ends the talks before the round (not an
    # accession window: the bilateral deal already stands).
    act = ~state.done
    joining = act & (state.signed >= 0)
    due = act & ~joining & (state.day >= state.notice_day)
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
    state.text_accepted[:] = False

    if joining.any():
        _accession_round(st, inp, state, deciders, joining, r)
    talks = act & ~joining
    if st.protocol == "single_text":
        _single_text_round(st, inp, draws, state, deciders, talks)
    else:
        _round_robin(st, inp, draws, state, deciders, talks)

    # Withdrawal notices, then the calendar: an extension vote at the deadline.
    act = talks & ~state.done & (state.signed < 0)
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
    close = act & ((at_deadline & ~yes) | (nxt > st.horizon_day) | (r + 1 >= st.talk_rounds))
    # When talks close, each party that may withdraw and values walking away above the old
    # treaty decides whether to give notice now or let the talks lapse (``p_notice_at_close``);
    # with a notice pending the talks end in termination, else in stalemate.
    for p in range(P):
        decide = getattr(deciders[p], "closes_with_notice", None)
        if decide is not None:
            gives = decide(state, draws.close[:, p])
        else:  # a decider that does not say: the scenario's rule
            gives = gives_notice_at_close(
                inp.p_withdraw[:, p], inp.res_eff[:, p], inp.u_sq[:, p], inp.p_notice_close[:, p], draws.close[:, p]
            )
        quits = close & (state.notice_by < 0) & gives
        state.notice_day = np.where(quits, state.day + st.notice_days, state.notice_day)
        state.notice_by = np.where(quits, p, state.notice_by)
        ev["notice"] = np.where(quits, p, ev["notice"])
    noticed = state.notice_by >= 0
    _finish(state, close & noticed, termination, state.notice_day, r + 1)
    _finish(state, close & ~noticed, st.stalemate, state.day, r + 1)
    ev["closed"] = close
    ev["lapsed"] = close & ~noticed
    state.day = np.where(act & ~close, nxt, state.day)
    state.round = r + 1
