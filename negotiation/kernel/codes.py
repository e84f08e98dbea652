"""The names the kernel's arrays encode as integers: value shapes and outcome classes.

Every module, template and script reads them from here (or from what a page is given), never as
bare numbers. Outcome classes are numbered per scenario: ``deal`` is 0, the bilateral pairs
follow in party order (1 .. n_pairs), then ``termination`` and ``stalemate``.
"""

from __future__ import annotations

import itertools
from enum import IntEnum, StrEnum

import numpy as np


class Shape(IntEnum):
    """How a party's value falls with distance from its ideal on a continuous issue."""

    LINEAR = 0  # 1 - d
    CONCAVE = 1  # 1 - d^2: tolerant near the ideal
    CONVEX = 2  # (1 - d)^2: sharp near the ideal


class OutcomeKind(StrEnum):
    """The four kinds of ending; a scenario has one outcome class per bilateral pair."""

    DEAL = "deal"
    BILATERAL = "bilateral"
    TERMINATION = "termination"
    STALEMATE = "stalemate"


DEAL = 0  # the outcome code of a deal among all parties, in every scenario


def bilateral_code(pair: int) -> int:
    """The outcome code of a bilateral deal of pair number ``pair`` (0-based)."""
    return 1 + pair


def bilateral_name(a: str, b: str) -> str:
    """The outcome class of a bilateral deal between parties ``a`` and ``b`` (in party order)."""
    return f"{OutcomeKind.BILATERAL}_{a}_{b}"


def pair_issue_name(issue: str, a: str, b: str) -> str:
    """The kernel issue holding the term of parties ``a`` and ``b`` (in party order) on a per-pair
    issue (``scope: per_pair``): ``procurement.US_CA``."""
    return f"{issue}.{a}_{b}"


def outcome_names(parties: list[str]) -> tuple[list[str], list[tuple[int, int]]]:
    """Outcome classes in code order: deal, every bilateral pair in party order, termination,
    stalemate; and the pairs as index tuples."""
    pairs = list(itertools.combinations(range(len(parties)), 2))
    names = [str(OutcomeKind.DEAL)] + [bilateral_name(parties[a], parties[b]) for a, b in pairs]
    return names + [str(OutcomeKind.TERMINATION), str(OutcomeKind.STALEMATE)], pairs


def outcome_kind(name: str) -> OutcomeKind:
    """The kind of an outcome class name (``bilateral_US_MX`` -> BILATERAL)."""
    if name.startswith(f"{OutcomeKind.BILATERAL}_"):
        return OutcomeKind.BILATERAL
    return OutcomeKind(name)


PATH_STEP = ">"  # joins the steps of a path: ``bilateral_US_MX>deal``


def path_names(outcomes: list[str], accession: list[bool]) -> list[str]:
    """Every path a negotiation can take: each outcome class, and for each pair whose bilateral
    deal the party left out may join (``accession``, per pair), the bilateral deal then the deal."""
    joins = [f"{outcomes[bilateral_code(n)]}{PATH_STEP}{outcomes[DEAL]}" for n, on in enumerate(accession) if on]
    return list(outcomes) + joins


def path_of(outcomes: list[str], outcome, signed):
    """The path of each negotiation (an object array of names): its outcome class, or
    ``bilateral_A_B>deal`` when the party left out of pair ``signed``'s bilateral deal joined it."""
    outcome, signed = np.asarray(outcome), np.asarray(signed)
    names = np.array(outcomes, dtype=object)[outcome]
    joined = (signed >= 0) & (outcome == DEAL)
    if joined.any():
        first = np.array(outcomes, dtype=object)[bilateral_code(np.maximum(signed, 0))]
        names = np.where(joined, first + PATH_STEP + outcomes[DEAL], names)
    return names
