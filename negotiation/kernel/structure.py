"""The static structure of a scenario as the kernel reads it: ids, issue kinds and ranges, outcome
classes, the coalition graph and the calendar as ordinal days. ``negotiation.scenario.checks``
builds it from a validated scenario.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from negotiation.kernel.beliefs import BeliefPrior
from negotiation.kernel.rules import add_months  # noqa: F401 (where the calendar code has long found it)

MAX_EXTENSIONS = 20
MAX_ROUNDS = 2000


@dataclass(frozen=True)
class ShockChange:
    """One change a shock makes (``kernel.shocks``): the quantity (``kind``: ``reservation``,
    ``p_extend``, ``p_withdraw`` or ``strategy`` of party ``index``, or ``stake`` number
    ``index``), added to or set (``mode``), the result clipped to [lo, hi]; the amount is slot
    ``amount`` (``shocks.<id>.<k>.add`` or ``.set``)."""

    shock: int  # index into Structure.shock_ids
    kind: str
    index: int
    param: str  # the strategy parameter's name (kind "strategy"), else ""
    mode: str  # "add" or "set"
    lo: float
    hi: float
    amount: str


@dataclass
class Structure:
    """What does not vary between negotiations of one scenario."""

    parties: list[str]
    issues: list[str]
    cont: list[int]  # indices of continuous issues
    disc: list[int]  # indices of discrete issues
    lo: np.ndarray  # (I,) range low (0 for discrete)
    hi: np.ndarray  # (I,) range high (n_options - 1 for discrete)
    n_options: np.ndarray  # (I,) options per discrete issue (0 for continuous)
    options: dict[int, list[str]]
    # Terms by pair: a config issue with ``scope: per_pair`` is one kernel issue per pair holding a
    # term (``codes.pair_issue_name``: ``procurement.US_CA``); every array above and below is per
    # kernel issue. Per kernel issue: the config issue it comes from, and its pair (party indices
    # in party order; None for a common issue).
    issue_config: list[str]
    issue_pair: list[tuple[int, int] | None]
    status_quo: np.ndarray  # (I,) status quo position
    shape: np.ndarray  # (P, I) shape codes for continuous issues
    outcomes: list[str]
    pairs: list[tuple[int, int]]
    pair_weight: np.ndarray  # (n_pairs,)
    graph: nx.Graph  # coalition graph: parties, and the pairs that may sign a bilateral deal
    stake_ids: list[str]
    stake_affects: np.ndarray  # (S,) party index
    stake_when: np.ndarray  # (S, n_outcomes) bool
    strategies: list[str | None]  # per party: the strategy's registered name
    strategy_strings: list[dict]  # per party: non-numeric strategy params
    strategy_slots: list[list[str]]  # per party: names of numeric strategy params (slots)
    start_day: int
    planned_days: np.ndarray  # (n_planned,) ordinal days
    deadline_days: np.ndarray  # (MAX_EXTENSIONS + 1,) deadline after k extensions
    horizon_day: int
    notice_days: int
    withdrawal_earliest_round: int
    first_vote_round: int  # 0 when no early vote
    max_rounds: int  # rounds of talks and of an accession window after them
    max_votes: int
    # Shocks (outside events): ids in config order, the date each is anchored to (ordinal day;
    # its per-draw delay and probability are slots), and the changes they make in order.
    shock_ids: list[str] = field(default_factory=list)
    shock_base_day: list[int] = field(default_factory=list)
    shock_changes: list[ShockChange] = field(default_factory=list)
    # Private information (``kernel.beliefs``): ``complete`` (every party knows every profile) or
    # ``private`` (each builds its offers from its beliefs of the others, starting at ``beliefs``).
    information: str = "complete"
    beliefs: BeliefPrior | None = None
    # Coalition structure (``kernel.protocol``): per pair, whether the party left out of its
    # bilateral deal may join it (accession), in a window of so many months, with amendments or not.
    accession: np.ndarray | None = None  # (n_pairs,) bool
    accession_months: np.ndarray | None = None  # (n_pairs,) int
    accession_amend: np.ndarray | None = None  # (n_pairs,) bool
    protocol: str = "round_robin"  # or "single_text"
    closing: str = "package"  # or "chapters"
    mediator_step: float = 0.5
    reopen_cost: float = 0.05
    talk_rounds: int = 0  # rounds the calendar allows before any accession window (0: max_rounds)

    def __post_init__(self):
        n = len(self.pairs)
        if self.accession is None:
            self.accession = np.zeros(n, dtype=bool)
        if self.accession_months is None:
            self.accession_months = np.zeros(n, dtype=np.int64)
        if self.accession_amend is None:
            self.accession_amend = np.zeros(n, dtype=bool)
        if not self.talk_rounds:
            self.talk_rounds = self.max_rounds

    @functools.cached_property
    def discrete(self) -> np.ndarray:
        """(I,) whether each issue is discrete (options) rather than a continuous range."""
        out = np.zeros(self.n_issues, dtype=bool)
        out[list(self.disc)] = True
        return out

    @property
    def n_parties(self) -> int:
        return len(self.parties)

    @property
    def n_shocks(self) -> int:
        return len(self.shock_ids)

    @property
    def n_issues(self) -> int:
        return len(self.issues)

    def issue_columns(self, issue: str) -> list[int]:
        """The kernel issues of config issue ``issue``: itself, or one per pair when per-pair."""
        return [i for i, c in enumerate(self.issue_config) if c == issue]

    @property
    def per_pair(self) -> bool:
        """Whether some issue holds terms by pair."""
        return any(pair is not None for pair in self.issue_pair)

    def outcome_index(self, name: str) -> int:
        return self.outcomes.index(name)

    @property
    def termination(self) -> int:
        """The outcome code of termination."""
        return len(self.outcomes) - 2

    @property
    def stalemate(self) -> int:
        """The outcome code of stalemate."""
        return len(self.outcomes) - 1

    def left_out(self, pair: int) -> int:
        """The party not in pair number ``pair`` (three-party scenarios)."""
        a, b = self.pairs[pair]
        return next(q for q in range(self.n_parties) if q not in (a, b))

    def knows(self, p: int) -> np.ndarray:
        """(P,) the parties whose true profile party ``p`` knows: all of them under complete
        information, only itself under private information."""
        if self.information == "complete":
            return np.ones(self.n_parties, dtype=bool)
        return np.arange(self.n_parties) == p

    def agreed(self, outcome: np.ndarray) -> np.ndarray:
        """Whether outcome codes are agreements (a deal or a bilateral deal)."""
        return np.asarray(outcome) < self.termination
