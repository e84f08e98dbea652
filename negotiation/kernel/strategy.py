"""The interface a strategy implements, owned by the kernel that calls it.

A strategy declares its ``name``, its ``traits`` and its ``params``; the protocol asks it for a
``target`` utility each round, an ``offer`` for that target and whether to ``accept`` an offer.
Strategies live in ``negotiation.strategies`` (the repository's ``agents/`` folder) and import
this module; the kernel never imports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class ParamSpec:
    """A strategy parameter: its default and the range (or names) it may take."""

    default: float | str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    doc: str = ""

    @property
    def numeric(self) -> bool:
        return self.choices is None


@dataclass(frozen=True)
class Traits:
    """What a strategy declares about itself; the engine and the contract tests read these."""

    concession: str
    uses_deadline: bool
    models_opponents: bool
    stochastic: bool
    learns: bool = False  # updates its beliefs of the others from their offers (``observe``)


@dataclass(frozen=True)
class Situation:
    """What a party knows when it decides, as arrays over the batch (leading axis B)."""

    t: np.ndarray  # days since the first round
    T: np.ndarray  # days from the first round to the effective deadline
    u_max: np.ndarray  # the party's best possible utility (its ideal, all sign)
    u_res: np.ndarray  # its effective reservation utility
    prev_target: np.ndarray  # its target last round (u_max before the first)
    round: int = 0  # 0-based number of this round
    final: np.ndarray | None = None  # whether this is the last round before the effective deadline
    received: np.ndarray | None = None  # (B, P) its utility of each party's offer last round (NaN: none)
    received_prev: np.ndarray | None = None  # (B, P) the same, the round before
    noise: np.ndarray | None = None  # (B,) this round's noise uniform for the party (stochastic strategies)
    me: int = 0  # the party's index
    extra: dict = field(default_factory=dict)


class Strategy:
    """Base of every strategy: acceptance by target; subclasses give ``target``."""

    name: str = ""
    summary: str = ""
    traits: Traits
    params: dict[str, ParamSpec] = {}
    wraps: bool = False  # True for a strategy that wraps another (its ``base`` parameter)

    def __init__(self, base: Strategy | None = None):
        self.base = base

    def observe(self, party, state, prm: dict) -> None:
        """Read the offers of the last round (``state.offers``) at the start of a round; a
        learning strategy updates its beliefs here (``party.learn``). By default nothing."""

    def target(self, sit: Situation, prm: dict) -> np.ndarray:
        """The utility the party aims for this round, shape (B,)."""
        raise NotImplementedError

    def offer(self, party, state, target: np.ndarray, prm: dict) -> np.ndarray:
        """The offer (B, I) for this round's target; by default the kernel's concession walk
        (concede first where it costs least and gains the others most)."""
        return party.default_offer(target)

    def accept(
        self,
        sit: Situation,
        target: np.ndarray,
        u_offer: np.ndarray,
        prm: dict,
        x: np.ndarray | None = None,
        party=None,
    ) -> np.ndarray:
        """Accept an offer worth ``u_offer`` if it meets the target and the reservation."""
        return (u_offer >= target) & (u_offer >= sit.u_res)
