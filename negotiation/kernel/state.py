"""Where a batch of negotiations stands (``State``) and the in-run uniforms it draws on
(``Draws``): the arrays ``protocol.play_round`` reads and updates, batch axis first."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from negotiation.kernel.inputs import Inputs
from negotiation.kernel.rules import NO_NOTICE
from negotiation.kernel.structure import Structure


@dataclass
class Draws:
    """The in-run uniforms of a batch: withdrawal hazards, extension votes, open pairs."""

    withdraw: np.ndarray  # (B, max_rounds, P)
    vote: np.ndarray  # (B, max_votes, P)
    open: np.ndarray  # (B, n_pairs)
    noise: np.ndarray  # (B, max_rounds, P) for stochastic strategies
    shock: np.ndarray | None = None  # (B, n_shocks) does each shock fire (u < probability)
    close: np.ndarray | None = None  # (B, P) does the party give notice when talks close (u < p)

    def __post_init__(self):
        if self.shock is None:
            self.shock = np.zeros((self.withdraw.shape[0], 0))
        if self.close is None:
            self.close = np.zeros((self.withdraw.shape[0], self.withdraw.shape[2]))

    def rows(self, sel) -> Draws:
        return Draws(
            self.withdraw[sel], self.vote[sel], self.open[sel], self.noise[sel], self.shock[sel], self.close[sel]
        )


@dataclass
class State:
    """Where each negotiation of a batch stands."""

    round: int
    day: np.ndarray
    deadline: np.ndarray
    n_ext: np.ndarray
    votes: np.ndarray
    notice_day: np.ndarray
    notice_by: np.ndarray
    target: np.ndarray  # (B, P)
    best_received: np.ndarray  # (B, P)
    done: np.ndarray
    outcome: np.ndarray
    rounds: np.ndarray
    end_day: np.ndarray
    agreement: np.ndarray  # (B, I)
    offers: np.ndarray  # (B, P, I) this round's offers (NaN: none made)
    accepted: np.ndarray  # (B, P, P) accepted[b, proposer, responder]
    received: np.ndarray  # (B, P, P) received[b, proposer, q]: q's utility of the proposer's offer last round
    received_prev: np.ndarray  # (B, P, P) the same, the round before that
    # The path, for histories: the day of each round held and of each extension vote, and the
    # vote's result (-1 / False where none was held).
    round_day: np.ndarray  # (B, max_rounds)
    vote_day: np.ndarray  # (B, max_votes)
    vote_yes: np.ndarray  # (B, max_votes)
    shock_day: np.ndarray  # (B, n_shocks) the day each shock applied (-1: it did not)
    # Under private information, each party's belief error in each round (NaN: no round held);
    # shape (B, 0, P) under complete information.
    belief_error: np.ndarray
    # Coalition structure: the pair whose bilateral deal is signed (-1: none) and its day; while
    # ``signed >= 0`` and not done, the party left out is in its accession window (``deadline``
    # is the window's end).
    signed: np.ndarray  # (B,)
    signed_day: np.ndarray  # (B,)
    # The single negotiating text (NaN before the mediator drafts it), who accepted it this round,
    # the chapters (issues) closed and the day each last closed (-1: open), reopenings, and what
    # each party paid to reopen chapters.
    text: np.ndarray  # (B, I)
    text_accepted: np.ndarray  # (B, P)
    closed: np.ndarray  # (B, I)
    chapter_day: np.ndarray  # (B, I)
    reopened: np.ndarray  # (B,)
    penalty: np.ndarray  # (B, P)
    events: dict = field(default_factory=dict)

    def rows(self, sel) -> State:
        """The state of a subset of the batch."""
        out = {}
        for name in self.__dataclass_fields__:
            v = getattr(self, name)
            out[name] = v[sel] if isinstance(v, np.ndarray) else v
        out["events"] = {}
        return State(**out)

    @classmethod
    def start(cls, st: Structure, inp: Inputs) -> State:
        b, P, I = inp.batch, st.n_parties, st.n_issues
        return cls(
            round=0,
            day=np.full(b, st.planned_days[0], dtype=np.int64),
            deadline=np.full(b, st.deadline_days[0], dtype=np.int64),
            n_ext=np.zeros(b, dtype=np.int64),
            votes=np.zeros(b, dtype=np.int64),
            notice_day=np.full(b, NO_NOTICE, dtype=np.int64),
            notice_by=np.full(b, -1, dtype=np.int64),
            target=inp.u_max.copy(),
            best_received=np.full((b, P), -np.inf),
            done=np.zeros(b, dtype=bool),
            outcome=np.full(b, -1, dtype=np.int64),
            rounds=np.zeros(b, dtype=np.int64),
            end_day=np.zeros(b, dtype=np.int64),
            agreement=np.full((b, I), np.nan),
            offers=np.full((b, P, I), np.nan),
            accepted=np.zeros((b, P, P), dtype=bool),
            received=np.full((b, P, P), np.nan),
            received_prev=np.full((b, P, P), np.nan),
            round_day=np.full((b, st.max_rounds), -1, dtype=np.int64),
            vote_day=np.full((b, st.max_votes), -1, dtype=np.int64),
            vote_yes=np.zeros((b, st.max_votes), dtype=bool),
            shock_day=np.full((b, st.n_shocks), -1, dtype=np.int64),
            belief_error=np.full((b, st.max_rounds if st.information == "private" else 0, P), np.nan),
            signed=np.full(b, -1, dtype=np.int64),
            signed_day=np.full(b, -1, dtype=np.int64),
            text=np.full((b, I), np.nan),
            text_accepted=np.zeros((b, P), dtype=bool),
            closed=np.zeros((b, I), dtype=bool),
            chapter_day=np.full((b, I), -1, dtype=np.int64),
            reopened=np.zeros(b, dtype=np.int64),
            penalty=np.zeros((b, P)),
        )
