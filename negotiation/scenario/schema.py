"""The scenario schema: typed, validated, unknown keys refused.

A number anywhere in a profile, stake, coalition or the calendar may instead be a
distribution (``{dist: uniform, low: 0.2, high: 0.4}``): that makes it an uncertain
parameter, sampled once per negotiation.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_serializer, model_validator

from negotiation.scenario.distributions import Dist

# Bounds on every count a scenario may ask for (the work of a run is bounded as a whole in
# ``negotiation.scenario.cost``); docs/model.md lists them.
MAX_PARTIES = 20
MAX_ISSUES = 100
MAX_OPTIONS = 50  # options of a discrete issue
MAX_ROUND_DATES = 1000  # listed round dates (extensions and accession add rounds: at most 2,000 in all)
MAX_DRAWS = 1_000_000  # Monte Carlo draws per sweep point
MAX_GRID_POINTS = 10_000  # points of a sweep grid (the product of its lists' lengths)
MAX_DESIGN_SAMPLES = 100_000  # samples of a Latin-hypercube or Sobol design
MAX_MAGNITUDE = 1e12  # of an issue's range, status quo and display scale (in natural units)
MAX_WEIGHT = 1e6  # of an issue weight or pair weight (weights are relative: normalised per party)
MAX_LISTED = 1000  # entries of any other list or mapping (stakes, coalitions, beliefs, sources, ...)

Num = Annotated[float | Dist, Field(union_mode="left_to_right")]
PartyId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9]*$", max_length=16)]
IssueId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
ShockId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=40)]


def _without(data: dict, **defaults) -> dict:
    """``data`` without the keys that hold the given defaults (keys added after the first release
    are left out of a dump where they keep the earlier model)."""
    return {k: v for k, v in data.items() if k not in defaults or v != defaults[k]}


class Strict(BaseModel):
    """Base for schema types: unknown keys refused, no type coercion, no NaN or infinity."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class Party(Strict):
    """A negotiating party."""

    name: str
    negotiators: list[str] = Field(default=[], max_length=MAX_LISTED)
    stance: str = ""


class Issue(Strict):
    """An issue: continuous (``range`` in natural units) or discrete (``options``)."""

    label: str = ""
    unit: str = ""
    range: Annotated[list[float], Field(min_length=2, max_length=2)] | None = None
    options: list[str] | None = None
    status_quo: float | str
    scale: float = Field(default=1.0, gt=0, le=MAX_MAGNITUDE)  # display factor, e.g. 100 to show 0.625 as 62.5
    # ``per_pair``: one term per pair of parties (``pairs``, default every pair), not one for all.
    scope: Literal["common", "per_pair"] = "common"
    pairs: list[Annotated[list[str], Field(min_length=2, max_length=2)]] | None = Field(default=None, max_length=190)

    @model_validator(mode="after")
    def _kind(self):
        if self.pairs is not None and self.scope != "per_pair":
            raise ValueError("pairs is for an issue with scope: per_pair")
        if (self.range is None) == (self.options is None):
            raise ValueError("give exactly one of 'range' (continuous) or 'options' (discrete)")
        if self.range is not None:
            lo, hi = self.range
            if max(abs(lo), abs(hi)) > MAX_MAGNITUDE:
                raise ValueError(f"range values must lie in [{-MAX_MAGNITUDE:g}, {MAX_MAGNITUDE:g}]")
            if not lo < hi:
                raise ValueError(f"range low ({lo}) must be below high ({hi})")
            if isinstance(self.status_quo, str):
                raise ValueError("status_quo of a continuous issue must be a number")
            if not lo <= self.status_quo <= hi:
                raise ValueError(f"status_quo {self.status_quo} is outside range [{lo}, {hi}]")
        else:
            n = len(self.options)
            if n < 2 or len(set(self.options)) != n or n > MAX_OPTIONS:
                raise ValueError(f"options must list from 2 to {MAX_OPTIONS} distinct names")
            if self.status_quo not in self.options:
                raise ValueError(f"status_quo {self.status_quo!r} is not one of {self.options}")
        return self

    @property
    def discrete(self) -> bool:
        return self.options is not None

    @model_serializer(mode="wrap")
    def _dump(self, handler):
        # an issue with one term for all dumps (and so hashes) as it did before terms by pair
        return _without(handler(self), scope="common", pairs=None)


class IssuePreference(Strict):
    """A party's preference on one issue."""

    weight: Num
    ideal: Num | str | None = None
    shape: Literal["linear", "concave", "convex"] = "linear"
    values: dict[str, Num] | None = Field(default=None, max_length=MAX_OPTIONS)
    salience: float | None = Field(default=None, ge=0, le=1)  # for the BDM forecast; default: the weight
    # A per-pair issue: the split of the weight over the party's pairs, by the other party of each
    # (numbers or distributions, normalised over the pairs; default equal shares).
    pair_weights: dict[str, Num] | None = Field(default=None, max_length=MAX_PARTIES)

    @model_serializer(mode="wrap")
    def _dump(self, handler):
        return _without(handler(self), pair_weights=None)


class StrategySpec(Strict):
    """Which strategy a party plays, with its parameters (numbers, distributions or names)."""

    name: str = "time_dependent"
    params: dict[str, Num | str] = Field(default={}, max_length=50)


class Profile(Strict):
    """A party's private profile: preferences, reservation utility, strategy and rule odds."""

    reservation: Num
    issues: dict[str, IssuePreference] = Field(max_length=MAX_ISSUES)
    strategy: StrategySpec = StrategySpec()
    p_extend: Num = 1.0
    p_withdraw: Num = 0.0
    # When talks close without a deal: the chance the party gives notice (if it may withdraw and
    # values walking away above the old treaty) rather than let the talks lapse (stalemate).
    p_notice_at_close: Num = 1.0
    delay_cost: Num = 0.0  # utility lost per month of talks before an agreement takes effect
    capability: float | None = Field(default=None, ge=0)  # for the BDM forecast; default: equal


class Stake(Strict):
    """A linked stake: ``holder`` controls it; ``affects`` gains ``value`` under outcomes ``when``."""

    label: str = ""
    holder: str
    affects: str
    value: Num
    when: list[str] = Field(min_length=1, max_length=50)
    source: str = ""


class Accession(Strict):
    """After the pair signs a bilateral deal, the party left out may negotiate to join it: a round
    every ``gap_days`` until ``window_months`` after the signing. With ``amendments`` it may ask
    for changes the signatories must accept; without, it joins the text as signed or not at all."""

    gap_days: Num = 30
    window_months: int = Field(default=6, ge=1, le=120)
    amendments: bool = False


class Coalition(Strict):
    """A pair that may sign a bilateral deal, with the chance the path is open and its tie weight;
    ``accession`` (if given) lets the party left out join the deal later."""

    pair: Annotated[list[str], Field(min_length=2, max_length=2)]
    p_open: Num = 1.0
    weight: float = Field(default=1.0, ge=0)
    accession: Accession | None = None


class Calendar(Strict):
    """Rounds, deadline, extension and withdrawal rules, horizon."""

    rounds: list[dt.date] = Field(min_length=1, max_length=MAX_ROUND_DATES)
    deadline: dt.date
    first_vote_round: int | None = None  # a round number from 1 to len(rounds) (scenario/checks.py)
    max_extensions: Num = 0
    extension_months: int = Field(default=3, ge=1, le=60)
    extension_gap_days: Num = 30
    withdrawal_notice_days: int = Field(default=183, ge=0, le=3650)
    withdrawal_earliest_round: int = Field(default=1, ge=1, le=2000)
    horizon: dt.date


class ShockChange(Strict):
    """What a shock changes: a named parameter slot (``target``, e.g. ``US.reservation``), by
    ``add`` (an amount added) or to ``set`` (a new value); either may be a distribution."""

    target: str
    add: Num | None = None
    set: Num | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.add is None) == (self.set is None):
            raise ValueError("give exactly one of 'add' or 'set'")
        return self


class Shock(Strict):
    """An outside event: from the first round on or after ``date`` + ``delay_days``, with
    ``probability`` (per negotiation), its ``changes`` take effect."""

    label: str = ""
    date: dt.date
    delay_days: Num = 0
    probability: Num = 1.0
    changes: list[ShockChange] = Field(min_length=1, max_length=50)


class LatinHypercube(Strict):
    """A Latin-hypercube sample of ``samples`` points over the given [low, high] ranges."""

    samples: int = Field(ge=1, le=MAX_DESIGN_SAMPLES)
    ranges: dict[str, Annotated[list[float], Field(min_length=2, max_length=2)]] = Field(
        min_length=1, max_length=MAX_LISTED
    )


class SobolDesign(Strict):
    """Saltelli points for Sobol indices: ``samples`` * (D + 2) points over the ranges (default:
    every uncertain parameter over its support)."""

    samples: int = Field(default=64, ge=2, le=MAX_DESIGN_SAMPLES)
    ranges: dict[str, Annotated[list[float], Field(min_length=2, max_length=2)]] | None = Field(
        default=None, max_length=MAX_LISTED
    )


class SweepSpec(Strict):
    """Sweep points: a grid over named parameters, a Latin-hypercube sample, or a Sobol design."""

    draws: int = Field(default=1000, ge=1, le=MAX_DRAWS)
    grid: dict[str, Annotated[list[float], Field(min_length=1, max_length=MAX_GRID_POINTS)]] | None = Field(
        default=None, max_length=20
    )
    lhs: LatinHypercube | None = None
    sobol: SobolDesign | None = None

    @model_validator(mode="after")
    def _one(self):
        if sum(x is not None for x in (self.grid, self.lhs, self.sobol)) > 1:
            raise ValueError("give one of grid, lhs or sobol")
        if self.grid and math.prod(len(v) for v in self.grid.values()) > MAX_GRID_POINTS:
            raise ValueError(f"the grid has more than {MAX_GRID_POINTS:,} points (the product of its lists' lengths)")
        return self


MAX_POSTERIOR_ROWS = 5000


class Posterior(Strict):
    """A joint sample of some uncertain parameters (``negotiate calibrate`` writes it): each draw
    takes every listed parameter's value from one stored row, picked by one uniform of the draw
    table (see ``distributions.Resample``). The parameters' own distributions stay in the
    config as their priors; removing this section restores them."""

    source: str = ""
    names: list[str] = Field(min_length=1, max_length=MAX_LISTED)
    rows: list[list[float]] = Field(min_length=1, max_length=MAX_POSTERIOR_ROWS)


class Belief(Strict):
    """What one party believes of one parameter of another party's profile (private information).

    ``param`` is ``<issue>.weight``, ``<issue>.ideal`` (a continuous issue) or
    ``<issue>.value.<option>`` (a discrete issue); give exactly one of ``prior`` (the holder's own
    prior in place of the scenario's: a number, or a distribution whose mean and spread it holds),
    ``factor`` (it believes ``factor`` times the true value) or ``shift`` (the true value plus
    ``shift``, in the units the profile uses).
    """

    holder: str
    about: str
    param: str
    prior: Num | None = None
    factor: float | None = Field(default=None, gt=0, le=100)
    shift: float | None = Field(default=None, ge=-1e6, le=1e6)
    source: str = ""


class Mediator(Strict):
    """The mediator of the single-text protocol: each round it moves the open terms of the text
    ``step`` of the way toward the amendment that raises the lowest gain most."""

    step: float = Field(default=0.5, gt=0, le=1)


class Chapters(Strict):
    """Closing chapter by chapter: reopening a closed chapter costs the party ``reopen_cost``
    (utility, taken off its final utility)."""

    reopen_cost: float = Field(default=0.05, ge=0, le=1)


class Scenario(Strict):
    """A whole scenario: who negotiates what, how they value it, and the rules of the talks."""

    name: str
    description: str = ""
    sources: list[str] = Field(default=[], max_length=MAX_LISTED)
    parties: dict[PartyId, Party] = Field(min_length=2, max_length=MAX_PARTIES)
    issues: dict[IssueId, Issue] = Field(min_length=1, max_length=MAX_ISSUES)
    profiles: dict[str, Profile] = Field(max_length=MAX_PARTIES)
    stakes: dict[str, Stake] = Field(default={}, max_length=MAX_LISTED)
    coalitions: list[Coalition] = Field(default=[], max_length=190)
    calendar: Calendar
    shocks: dict[ShockId, Shock] = Field(default={}, max_length=100)
    sweep: SweepSpec | None = None
    posterior: Posterior | None = None
    information: Literal["complete", "private"] = "complete"
    beliefs: list[Belief] = Field(default=[], max_length=MAX_LISTED)
    # How offers are made: ``round_robin`` (each party in turn proposes a whole package) or
    # ``single_text`` (a mediator's one negotiating text, amended round by round); and how they
    # close: as one ``package`` or ``chapters`` (issue by issue, on the single text).
    protocol: Literal["round_robin", "single_text"] = "round_robin"
    closing: Literal["package", "chapters"] = "package"
    mediator: Mediator | None = None
    chapters: Chapters | None = None
