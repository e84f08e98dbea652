"""The batch driver: many negotiations at once as arrays, calling the same round as the Mesa driver."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from negotiation.kernel.draws import draw_rows
from negotiation.kernel.efficiency import pareto_gap
from negotiation.kernel.inputs import Inputs
from negotiation.kernel.protocol import KernelParty, final_utilities, play_round
from negotiation.kernel.state import Draws, State
from negotiation.kernel.structure import Structure
from negotiation.strategies import party_strategies


@dataclass
class BatchResult:
    """Per-draw results of a batch (arrays with the batch axis first)."""

    outcome: np.ndarray
    rounds: np.ndarray
    end_day: np.ndarray
    agreement: np.ndarray
    utilities: np.ndarray
    path: dict | None = None  # the path of each draw: n_ext, votes, notice, round days (see PATH)
    values: np.ndarray | None = None
    pareto_gap: np.ndarray | None = None  # (B,) gain every member could still have had; NaN: no agreement


# What a draw's path records (State fields): extensions won, votes held, notice, round days,
# the day each shock applied, each party's belief error by round (private information), the
# bilateral deal signed before an accession window and its day, the day each chapter closed and
# the chapters reopened.
PATH = (
    "n_ext",
    "votes",
    "vote_day",
    "vote_yes",
    "notice_day",
    "notice_by",
    "round_day",
    "shock_day",
    "belief_error",
    "signed",
    "signed_day",
    "chapter_day",
    "reopened",
)


COMPACT_BELOW = 0.5  # drop finished negotiations once fewer than this share are still running (copying them
# costs about as much as playing on past them: 0.5 measured ~7% faster than 0.75 on the flagship)


BLOCK_ROWS = 4096  # negotiations played at once: a block's arrays stay in the processor's caches


def run_inputs(st: Structure, inp: Inputs, draws: Draws) -> BatchResult:
    """Play every negotiation of a batch to its end, ``BLOCK_ROWS`` at a time.

    Rows never interact, so the blocks change no result; they only keep the arrays small (about
    twice as fast on the flagship as 20,000 rows at once).
    """
    if inp.batch <= BLOCK_ROWS:
        return _run_block(st, inp, draws)
    parts = []
    for start in range(0, inp.batch, BLOCK_ROWS):
        rows = np.arange(start, min(start + BLOCK_ROWS, inp.batch))
        parts.append(_run_block(st, inp.rows(rows), draws.rows(rows)))
    return BatchResult(
        *(
            np.concatenate([getattr(r, name) for r in parts])
            for name in ("outcome", "rounds", "end_day", "agreement", "utilities")
        ),
        path={name: np.concatenate([r.path[name] for r in parts]) for name in PATH},
        pareto_gap=np.concatenate([r.pareto_gap for r in parts]),
    )


def _run_block(st: Structure, inp: Inputs, draws: Draws) -> BatchResult:
    """Play every negotiation of a batch to its end.

    Rounds run in lockstep over the batch; finished negotiations are set aside now and then so
    later rounds work only on those still running. Rows never interact, so this changes no result.
    Utilities and Pareto gaps are worked out as rows finish, from the inputs as shocks left them.
    """
    state = State.start(st, inp)
    out = State.start(st, inp)
    u = np.zeros((inp.batch, st.n_parties))
    gap = np.full(inp.batch, np.nan)
    where = np.arange(inp.batch)  # row of `out` of each row still in play
    deciders = [KernelParty(st, inp, p, s, draws) for p, s in enumerate(party_strategies(st))]
    while where.size:
        play_round(st, inp, draws, state, deciders)
        if state.done.all() or state.done.mean() > 1 - COMPACT_BELOW:
            fin = state.done
            for name in ("outcome", "rounds", "end_day", "agreement", *PATH):
                getattr(out, name)[where[fin]] = getattr(state, name)[fin]
            u[where[fin]] = final_utilities(st, inp, state)[fin]
            gap[where[fin]] = pareto_gap(st, inp, state.outcome, state.agreement)[fin]  # rows in play: -1, skipped
            keep = np.flatnonzero(~fin)
            where = where[keep]
            if where.size:
                inp, draws, state = inp.rows(keep), draws.rows(keep), state.rows(keep)
                deciders = [d.rows(inp, draws, keep) for d in deciders]
    path = {name: getattr(out, name) for name in PATH}
    return BatchResult(out.outcome, out.rounds, out.end_day, out.agreement, u, path, pareto_gap=gap)


def run_rows(st: Structure, space, seed: int, start: int, count: int) -> BatchResult:
    """Play draw rows ``start .. start+count-1`` of ``seed``."""
    inp, draws, values = draw_rows(st, space, seed, start, count)
    res = run_inputs(st, inp, draws)
    res.values = values
    return res
