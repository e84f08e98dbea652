"""The names the kernel's arrays encode as integers: value shapes and outcome classes.

Every module, template and script reads them from here (or from what a page is given), never as
bare numbers. Outcome classes are numbered per scenario: ``deal`` is 0, the bilateral pairs
follow in party order (1 .. n_pairs), then ``termination`` and ``stalemate``.
"""

from __future__ import annotations

import itertools
from enum import IntEnum, StrEnum


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
