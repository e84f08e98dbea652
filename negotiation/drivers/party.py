"""``PartyAgent``: one Mesa agent per party, deciding through the same kernel as the batch driver."""

from __future__ import annotations

import mesa
import numpy as np

from negotiation.kernel.protocol import KernelParty


class PartyAgent(mesa.Agent):
    """A party at the table. Its decisions are ``KernelParty``'s with a batch of one; it keeps
    what it did this round for the model's DataCollector."""

    def __init__(self, model, p: int, decider=None):
        super().__init__(model)
        self.p = p
        self.party = model.structure.parties[p]
        # A computer party decides through the kernel; a person's party through `decider`
        # (negotiation.drivers.human.HumanParty), with the same methods.
        # Of a person's party a computer party knows only what the person offers, whatever
        # the information mode.
        st = model.structure
        known = st.knows(p) & ~np.isin(np.arange(st.n_parties), list(model.people))
        self.kernel = decider or KernelParty(st, model.inputs, p, model.strategies[p], model.draws, known)
        self.human = decider is not None

    # Decisions (called by negotiation.kernel.protocol.play_round)
    def observe(self, state):
        observe = getattr(self.kernel, "observe", None)
        if observe is not None:
            observe(state)

    def target(self, state):
        return self.kernel.target(state)

    def offer(self, state):
        return self.kernel.offer(state)

    def accepts(self, state, x, outcome, u=None, proposer=None):
        return self.kernel.accepts(state, x, outcome, u, proposer=proposer)

    def withdraws(self, state, u):
        return self.kernel.withdraws(state, u)

    def votes_extend(self, state, u):
        return self.kernel.votes_extend(state, u)

    def closes_with_notice(self, state, u):
        return self.kernel.closes_with_notice(state, u)

    def accession_offer(self, state, x):
        return self.kernel.accession_offer(state, x)

    def joins(self, state, x, u):
        return self.kernel.joins(state, x, u)

    def admits(self, state, x, signed, proposer):
        return self.kernel.admits(state, x, signed, proposer)

    # What the DataCollector records each round
    @property
    def belief_error(self) -> float:
        """Mean absolute error of the party's beliefs this round (NaN: a person's party, or
        complete information)."""
        err = getattr(self.kernel, "belief_error", None)
        return float("nan") if err is None else float(err[0])

    @property
    def current_target(self) -> float:
        return float(self.model.state.target[0, self.p])

    @property
    def offered(self) -> bool:
        return bool(not np.isnan(self.model.state.offers[0, self.p, 0]))

    def offer_position(self, i: int) -> float:
        return float(self.model.state.offers[0, self.p, i])

    def offer_utility(self, q: int) -> float:
        """Utility to party ``q`` of this party's offer this round, under a full deal."""
        return self.model.offer_utility(self.p, q)

    def accepted_by(self) -> str:
        acc = self.model.state.accepted[0, self.p]
        return " ".join(self.model.structure.parties[q] for q in np.flatnonzero(acc) if q != self.p)
