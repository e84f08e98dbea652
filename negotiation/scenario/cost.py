"""What a scenario costs to play: a rough count of the kernel's work per negotiation, and seconds.

Each round every party proposes once (``P`` proposals). A proposal walks the proposer's concession
pieces (``M`` in all: a step per option but one on a discrete issue, ``2 P`` pieces on a
continuous one, ``kernel.offers``), each valued by every party, and is then judged by every party
on every issue (``I`` kernel issues; a per-pair issue is one per pair). So a round is about
``P * P * (M + I)`` units of work, and a negotiation that runs to the end of its calendar
(``max_rounds``, extensions and accession windows included) ``max_rounds`` times that.

Seconds are units times ``SECONDS_PER_UNIT``, measured on the flagship: ``nafta_2017`` has 7,776
units per draw (32 rounds at most, 3 parties, 22 pieces, 5 issues) and the batch driver played
2,000 of its draws in 0.12 s of CPU (0.061 ms a draw; ``run_rows`` after a warm-up, December 2026,
on the 2-core development machine), 7.8 ns a unit. Synthetic scenarios run to their deadline
(3 to 20 parties, 5 to 100 issues, 10 to 40 rounds; batches of 4 to 500 draws) took 6.6 to 13 ns
a unit of the rounds they played, so the figure is right within a factor of two; small batches of
long talks cost more a unit (100 draws of 200 rounds: 34 ns), the per-round work of a batch
spread over few draws. The estimate counts every round the calendar allows: an upper bound where
talks end early, as the flagship's do (8 rounds on average). One negotiation played round by round (``negotiate
run``, the classroom: the Mesa driver) also pays Python's work per party and issue each round,
``SECONDS_PER_PARTY_ISSUE_ROUND``: synthetic games of 3 x 5, 6 x 5, 10 x 10 and 20 x 20 parties x
issues took 0.07 to 0.1 ms per party, issue and round (``api.run``, same machine).
"""

from __future__ import annotations

from dataclasses import dataclass

from negotiation.kernel.offers import _piece_count

SECONDS_PER_UNIT = 7.8e-9  # the batch driver, per unit of work (see above)
SECONDS_PER_PARTY_ISSUE_ROUND = 1e-4  # the Mesa driver's own work, per party and issue each round
MAX_UNITS_PER_DRAW = 50_000_000  # ~0.4 s a draw: a 1,000-draw sweep in some 7 minutes of one core
MAX_GAME_SECONDS = 60.0  # one negotiation played round by round (``negotiate run``)


@dataclass(frozen=True)
class Cost:
    """The estimated work of ``draws`` negotiations of one scenario (each run to its last round)."""

    units_per_draw: int
    draws: int
    seconds: float  # the draws in the batch driver, on one core
    game_seconds: float  # one negotiation played round by round (``negotiate run``, a classroom room)

    def line(self) -> str:
        """One line for ``negotiate validate``."""
        return (
            f"cost: ~{self.units_per_draw:,} units per draw, ~{_secs(self.seconds)} for {self.draws:,} draws "
            f"on one core, ~{_secs(self.game_seconds)} for one game played round by round"
        )


def _secs(s: float) -> str:
    return f"{s:.2g} s" if s < 60 else f"{s / 60:.2g} min" if s < 3600 else f"{s / 3600:.2g} h"


def units_per_draw(structure) -> int:
    """Kernel work units of one negotiation that runs to its last round: ``max_rounds * P * P *
    (M + I)``, with ``M`` the concession pieces of one proposer over all issues."""
    p, n_issues = structure.n_parties, len(structure.issues)
    count = getattr(_piece_count, "py_func", _piece_count)  # the kernel's count as plain Python: nothing to compile
    pieces = sum(count(bool(d), int(n), p - 1) for d, n in zip(structure.discrete, structure.n_options, strict=True))
    return int(structure.max_rounds) * p * p * (pieces + n_issues)


def estimate(cfg, draws: int) -> Cost:
    """The estimated cost of ``draws`` negotiations of ``cfg`` (a ``Loaded`` scenario or its
    ``Structure``): units per draw, seconds for the draws in the batch driver, seconds for one
    game played round by round. Rough (a factor of two either way), and an upper bound on
    scenarios whose talks usually end before their calendar does."""
    st = getattr(cfg, "structure", cfg)
    units = units_per_draw(st)
    return Cost(
        units_per_draw=units,
        draws=draws,
        seconds=units * draws * SECONDS_PER_UNIT,
        game_seconds=units * SECONDS_PER_UNIT
        + st.max_rounds * st.n_parties * len(st.issues) * SECONDS_PER_PARTY_ISSUE_ROUND,
    )


def too_much_work(structure) -> str | None:
    """Why a scenario asks for more work per negotiation than the bounds allow (more than
    ``MAX_UNITS_PER_DRAW`` units, or more than ``MAX_GAME_SECONDS`` for one game played round by
    round), or None."""
    cost = estimate(structure, 1)
    if cost.units_per_draw <= MAX_UNITS_PER_DRAW and cost.game_seconds <= MAX_GAME_SECONDS:
        return None
    p, n_issues = structure.n_parties, len(structure.issues)
    return (
        f"too much work for one negotiation: {p} parties, {n_issues} issues, up to {structure.max_rounds} "
        f"rounds are ~{cost.units_per_draw:,} units (at most {MAX_UNITS_PER_DRAW:,}; units = rounds x "
        f"parties^2 x (concession pieces + issues)) and ~{_secs(cost.game_seconds)} played round by round "
        f"(at most {_secs(MAX_GAME_SECONDS)}): use fewer parties, issues, options or rounds"
    )


def over_budget(cfg, draws: int, budget_seconds: float) -> str | None:
    """Why one game of ``cfg`` and its ``draws``-draw Monte Carlo are estimated to take more than
    ``budget_seconds`` (the classroom's budget for a room), or None."""
    cost = estimate(cfg, draws)
    total = cost.seconds + cost.game_seconds
    if total <= budget_seconds:
        return None
    return (
        f"This scenario is too heavy for a classroom room: one game and its {draws:,}-draw Monte Carlo "
        f"are estimated at ~{_secs(total)} of computing, above the budget of {_secs(budget_seconds)} "
        f"(~{cost.units_per_draw:,} units per game). Use fewer parties, issues, options or rounds."
    )
