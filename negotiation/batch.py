"""The batch driver: many negotiations at once as arrays, calling the same round as the Mesa driver."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from negotiation.draws import draw_rows
from negotiation.inputs import Inputs
from negotiation.protocol import Draws, KernelParty, State, play_round
from negotiation.structure import Structure
from negotiation.utility import outcome_utilities


@dataclass
class BatchResult:
    """Per-draw results of a batch (arrays with the batch axis first)."""

    outcome: np.ndarray
    rounds: np.ndarray
    end_day: np.ndarray
    agreement: np.ndarray
    utilities: np.ndarray
    values: np.ndarray | None = None


def run_inputs(st: Structure, inp: Inputs, draws: Draws) -> BatchResult:
    """Play every negotiation of a batch to its end."""
    state = State.start(st, inp)
    deciders = [KernelParty(st, inp, p) for p in range(st.n_parties)]
    while not state.done.all():
        play_round(st, inp, draws, state, deciders)
    u = outcome_utilities(st, inp, state.outcome, state.agreement)
    return BatchResult(state.outcome, state.rounds, state.end_day, state.agreement, u)


def run_rows(st: Structure, space, seed: int, start: int, count: int) -> BatchResult:
    """Play draw rows ``start .. start+count-1`` of ``seed``."""
    inp, draws, values = draw_rows(st, space, seed, start, count)
    res = run_inputs(st, inp, draws)
    res.values = values
    return res
