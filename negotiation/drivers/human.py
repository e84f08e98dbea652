"""Games with people in some seats, for the classroom and `negotiate play`.

A game is a pure function of (scenario, seed, draw, the people's actions so far): every request
replays it from the start in the Mesa driver, with a ``HumanParty`` deciding for each person's
party from the recorded actions. When a person's decision is needed and not yet recorded, the
replay stops with ``NeedInput``, which says who must act and on what. So a game survives a
restart with nothing but its action log, and two clients can never see different states.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from negotiation.drivers.model import NegotiationModel, day_text
from negotiation.errors import UserError
from negotiation.kernel.codes import DEAL, bilateral_code
from negotiation.kernel.rules import gives_notice_at_close
from negotiation.kernel.utility import delay_cost, utility
from negotiation.scenario import units
from negotiation.scenario.loader import Loaded

KINDS = ("offer", "respond", "bilateral", "extend", "join")
MEDIATOR = "mediator"  # the proposer of the single negotiating text, as actions name it


@dataclass(frozen=True)
class Action:
    """One decision of a person: in ``round`` (0-based), ``party`` did ``kind``.

    offer: value = positions per issue (natural units; option names for discrete issues): a
    proposal, an amendment of the single text, or the terms on which to join a bilateral deal;
    respond / bilateral: proposer = whose offer (``mediator`` for the single text; the party
    asking to join, in an accession round), value = True (accept) or False;
    extend: value = True (vote to extend) or False;
    join: value = True (join the signed bilateral deal as it stands) or False.
    """

    round: int
    party: str
    kind: str
    value: object
    proposer: str | None = None

    def key(self) -> tuple:
        return (self.round, self.party, self.kind, self.proposer)


class NeedInput(Exception):
    """Raised inside a replay when a person must act."""

    def __init__(self, round: int, party: str, kind: str, proposer: str | None = None, offer=None, outcome=None):
        super().__init__(f"{party} must {kind} in round {round + 1}")
        self.round, self.party, self.kind = round, party, kind
        self.proposer, self.offer, self.outcome = proposer, offer, outcome


class HumanParty:
    """A decider for a person's party: reads the person's recorded actions."""

    def __init__(self, model, p: int, actions: dict):
        self.model, self.p = model, p
        self.name = model.structure.parties[p]
        self.actions = actions
        self.last_offer_u = float(model.inputs.u_max[0, p])

    def _get(self, state, kind, proposer=None, **ctx):
        key = (state.round, self.name, kind, proposer)
        if key not in self.actions:
            raise NeedInput(state.round, self.name, kind, proposer, **ctx)
        return self.actions[key]

    def target(self, state):
        return np.array([self.last_offer_u])

    def offer(self, state):
        # on a single text (once the mediator drafted it) the person's offer amends the text
        text = state.text[0] if not np.isnan(state.text[0, 0]) else None
        ctx = {"offer": text.copy(), "outcome": DEAL} if text is not None else {}
        x = np.asarray(self._get(state, "offer", **ctx).value, dtype=float)[None, :]
        self.last_offer_u = float(utility(self.model.structure, self.model.inputs, self.p, x, 0)[0])
        return x

    def accepts(self, state, x, outcome, u=None, proposer=None):
        who = MEDIATOR if proposer is None else self.model.structure.parties[proposer]
        kind = "respond" if outcome == DEAL else "bilateral"
        return np.array([bool(self._get(state, kind, who, offer=x[0].copy(), outcome=outcome).value)])

    def withdraws(self, state, u):
        return np.array([False])

    def closes_with_notice(self, state, u):
        """When talks close, a person's party follows the scenario's rule like a computer's."""
        inp, p = self.model.inputs, self.p
        return gives_notice_at_close(
            inp.p_withdraw[:, p], inp.res_eff[:, p], inp.u_sq[:, p], inp.p_notice_close[:, p], u
        )

    # Accession: left out of a bilateral deal, the person asks to join (with amendments where
    # the pair allows them, else yes or no); as a signatory, admits the party left out or not.
    def accession_offer(self, state, x):
        self.last_offer_u = float(utility(self.model.structure, self.model.inputs, self.p, x, 0)[0])
        return np.asarray(self._get(state, "offer", offer=x[0].copy(), outcome=DEAL).value, dtype=float)[None, :]

    def joins(self, state, x, u):
        return np.array([bool(self._get(state, "join", offer=x[0].copy(), outcome=DEAL).value)])

    def admits(self, state, x, signed, proposer):
        who = self.model.structure.parties[proposer]
        return np.array([bool(self._get(state, "respond", who, offer=x[0].copy(), outcome=DEAL).value)])

    def votes_extend(self, state, u):
        return np.array([bool(self._get(state, "extend").value)])


@dataclass
class GameView:
    """Where a replayed game stands."""

    model: NegotiationModel
    pending: NeedInput | None
    done: bool
    summary: dict | None = None
    table: list = field(default_factory=list)  # offers made so far in the current round


def replay(loaded: Loaded, seed: int, draw: int, people: list[str], actions: list[Action]) -> GameView:
    """Replay a game with ``people`` in their parties' seats, up to the next person's decision."""
    st = loaded.structure
    for p in people:
        if p not in st.parties:
            raise UserError(f"unknown party {p!r}; parties are {', '.join(st.parties)}")
    recorded = {a.key(): a for a in actions}
    seats = {st.parties.index(p): (lambda model, i: HumanParty(model, i, recorded)) for p in people}
    model = NegotiationModel(loaded, seed=seed, draw=draw, people=seats)
    pending = None
    try:
        while model.running:
            model.step()
    except NeedInput as need:
        pending = need
    done = pending is None
    table = []
    if pending is not None:
        s = model.state
        for j in range(st.n_parties):
            p = (s.round + j) % st.n_parties
            if not np.isnan(s.offers[0, p, 0]):
                table.append({"proposer": st.parties[p], "position": s.offers[0, p].tolist()})
    return GameView(model, pending, done, model.summary() if done else None, table)


def parse_offer(loaded: Loaded, values: dict) -> list[float]:
    """Positions (option index for discrete issues) from ``{issue: value}`` in natural units;
    a UserError for a missing issue, a non-number, NaN or a value out of range."""
    st, issues = loaded.structure, loaded.scenario.issues
    unknown = [k for k in values if k not in st.issues]
    if unknown:
        raise UserError(f"unknown issue {unknown[0]!r}; issues are {', '.join(st.issues)}")
    out = []
    for i, issue in enumerate(st.issues):
        if issue not in values:
            raise UserError(f"no value for {issue}")
        raw = values[issue]
        if i in st.options:
            if raw not in st.options[i]:
                raise UserError(f"{issue}: expected one of {', '.join(st.options[i])}, got {raw!r}")
            out.append(float(st.options[i].index(raw)))
            continue
        try:
            v = units.from_display(st, issues, i, float(raw))
        except (TypeError, ValueError):
            raise UserError(f"{issue}: expected a number, got {raw!r}") from None
        lo, hi = st.lo[i], st.hi[i]
        if not math.isfinite(v) or not lo - 1e-9 <= v <= hi + 1e-9:
            low, high = units.to_display(st, issues, i, lo), units.to_display(st, issues, i, hi)
            raise UserError(f"{issue}: expected a number from {low:g} to {high:g}, got {raw}")
        out.append(min(max(v, lo), hi))
    return out


def check_action(view: GameView, action: Action) -> None:
    """Refuse an action that is not the pending decision (out of turn, another party, wrong kind)."""
    need = view.pending
    if need is None:
        raise UserError("the negotiation is over")
    if action.party != need.party:
        raise UserError(f"it is {need.party}'s turn, not {action.party}'s")
    if action.kind != need.kind or action.round != need.round or action.proposer != need.proposer:
        raise UserError(f"expected {need.party} to {need.kind} in round {need.round + 1}, not to {action.kind}")


# Where a replayed game stands on the single text, its chapters and an accession window (read by
# `negotiate play` and the classroom alike).


@dataclass(frozen=True)
class Accession:
    """A bilateral deal signed while the party left out may join it (``accession`` on the pair)."""

    pair: int
    outcome: str  # the bilateral outcome's name, e.g. "bilateral_A_B"
    signatories: tuple[str, str]
    left_out: str
    signed: str  # ISO date of the signing
    window_end: str  # the last day the party left out may join
    amendments: bool  # may it ask for changes (which both signatories must accept)?
    agreement: list[float]  # the signed text (model positions; the joined terms once it joined)
    joined: bool  # the game ended with the party left out joining
    over: bool  # the window has closed (joined or not)


def accession(view: GameView) -> Accession | None:
    """The signed bilateral deal whose window is open or was (None: no such signing)."""
    st, s = view.model.structure, view.model.state
    n = int(s.signed[0])
    if n < 0:
        return None
    a, b = st.pairs[n]
    return Accession(
        pair=n,
        outcome=st.outcomes[bilateral_code(n)],
        signatories=(st.parties[a], st.parties[b]),
        left_out=st.parties[st.left_out(n)],
        signed=day_text(s.signed_day[0]),
        window_end=day_text(s.deadline[0]),
        amendments=bool(st.accession_amend[n]),
        agreement=s.agreement[0].tolist(),
        joined=bool(s.done[0] and s.outcome[0] == DEAL),
        over=bool(s.done[0]),
    )


def closed_chapters(view: GameView) -> dict[int, str]:
    """The chapters (issue indices) closed now, with the ISO day each last closed."""
    day = view.model.state.chapter_day[0]
    return {int(i): day_text(day[i]) for i in np.flatnonzero(day >= 0)}


def current_text(view: GameView) -> np.ndarray | None:
    """The mediator's single negotiating text now (model positions), None before the first draft."""
    text = view.model.state.text[0]
    return None if np.isnan(text[0]) else text.copy()


def delay_now(view: GameView, p: int) -> float:
    """What party ``p``'s cost of delay takes from an agreement signed on the current round's day."""
    m = view.model
    if m.inputs.delay_cost is None:
        return 0.0
    return float(delay_cost(m.structure, m.inputs, p, m.state.day[:1])[0])


def staying_out(view: GameView, p: int, pair: int) -> float:
    """What staying out of pair ``pair``'s bilateral deal is worth to party ``p``: its
    reservation plus its stakes in that deal (what joining must beat)."""
    inp = view.model.inputs
    return float(inp.reservation[0, p] + inp.stake[0, p, bilateral_code(pair)])


def bilateral_worth(view: GameView, p: int, pair: int, signed) -> float:
    """What the bilateral deal ``signed`` (model positions) is worth to its signatory ``p``, stakes
    included: what admitting the party left out must beat."""
    x = np.asarray(signed, dtype=float)[None, :]
    return float(utility(view.model.structure, view.model.inputs, p, x, bilateral_code(pair))[0])


def text_values(loaded: Loaded, position) -> dict[str, str]:
    """A position as ``{issue: text}`` for a form or a prompt to start from: option names for
    discrete issues, numbers in display units (four decimals at most)."""
    st, cfg = loaded.structure, loaded.scenario.issues
    out = {}
    for i, issue in enumerate(st.issues):
        v = units.position(st, cfg, i, float(position[i]))
        if i not in st.options:
            v = f"{v:.4f}".rstrip("0").rstrip(".")
            v = "0" if v in ("-0", "") else v
        out[issue] = v
    return out


def keep_unchanged(loaded: Loaded, given: dict, start: dict, positions: list[float], text) -> list[float]:
    """``positions`` read from ``given`` (``{issue: text}``), with every term left as it was
    started from (``start``, ``text_values`` of ``text``) set exactly to ``text``: an amendment
    that changes one term leaves the others as the text has them, not rounded."""
    out = list(positions)
    for i, issue in enumerate(loaded.structure.issues):
        if str(given.get(issue, "")).strip() == start[issue]:
            out[i] = float(text[i])
    return out
