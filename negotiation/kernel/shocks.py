"""Shocks: outside events that change a negotiation's numbers from the first round on or after
their date.

Shock s fires in a draw when its uniform (the draw table's shock block) is below its
probability; it then applies at the first round held whose day is on or after its day (date
plus delay). Its changes, in config order, add an amount to (or set) a party's reservation,
p_extend, p_withdraw, issue weight (as written in the config, then normalised again) or numeric
strategy parameter, or a stake's value; the result is clipped to the quantity's bounds. The
numbers derived from them follow: a reservation or stake change moves the effective
reservation, and a stake change moves the best utility (under ``deal``) and the old treaty's
utility (under ``stalemate``) when the stake counts under those outcomes; a weight change moves
the party's best utility and the old treaty's utility, and makes every party's offer plan (which
reads every party's weights) be worked out again. A party whose effective reservation a shock
lifts above its last target starts again from it (targets otherwise never rise), so it does not
offer or sign below what walking away is now worth.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from negotiation.kernel.codes import DEAL
from negotiation.kernel.inputs import Inputs
from negotiation.kernel.structure import ShockChange, Structure
from negotiation.kernel.utility import issue_utility

if TYPE_CHECKING:
    from negotiation.kernel.state import Draws, State


def apply_shocks(st: Structure, inp: Inputs, draws: Draws, state: State, live: np.ndarray) -> np.ndarray:
    """Apply, to the rows ``live`` (B,), every shock that fires, is due (its day <= this round's
    day) and has not applied yet; record its day in ``state.shock_day``. Returns (B, n_shocks):
    which shocks applied now. Arrays of ``inp`` are replaced, never written in place (some are
    views of the slot values)."""
    now = live[:, None] & (state.shock_day < 0) & (draws.shock < inp.shock_prob) & (inp.shock_day <= state.day[:, None])
    if not now.any():
        return now
    state.shock_day = np.where(now, state.day[:, None], state.shock_day)
    for c, ch in enumerate(st.shock_changes):
        rows = now[:, ch.shock]
        if rows.any():
            _change(st, inp, ch, rows, inp.shock_amount[:, c])
    hit = now.any(axis=1)[:, None]
    state.target = np.where(hit, np.maximum(state.target, inp.res_eff), state.target)
    return now


def _updated(old: np.ndarray, rows: np.ndarray, amount: np.ndarray, ch: ShockChange) -> np.ndarray:
    new = np.clip(old + amount if ch.mode == "add" else amount, ch.lo, ch.hi)
    return np.where(rows, new, old)


def _column(arr: np.ndarray, j: int, values: np.ndarray) -> np.ndarray:
    out = arr.copy()
    out[:, j] = values
    return out


def _change(st: Structure, inp: Inputs, ch: ShockChange, rows: np.ndarray, amount: np.ndarray) -> None:
    j = ch.index
    if ch.kind == "strategy":
        inp.strategy[j][ch.param] = _updated(np.asarray(inp.strategy[j][ch.param], float), rows, amount, ch)
    elif ch.kind in ("p_extend", "p_withdraw"):
        old = getattr(inp, ch.kind)
        setattr(inp, ch.kind, _column(old, j, _updated(old[:, j], rows, amount, ch)))
    elif ch.kind == "reservation":
        new = _updated(inp.reservation[:, j], rows, amount, ch)
        delta = new - inp.reservation[:, j]
        inp.reservation = _column(inp.reservation, j, new)
        inp.res_eff = _column(inp.res_eff, j, inp.res_eff[:, j] + delta)
    elif ch.kind == "stake":
        new = _updated(inp.stake_value[:, j], rows, amount, ch)
        delta = new - inp.stake_value[:, j]
        inp.stake_value = _column(inp.stake_value, j, new)
        p, when = int(st.stake_affects[j]), st.stake_when[j]
        stake = inp.stake.copy()
        stake[:, p, :] += delta[:, None] * when[None, :]
        inp.stake = stake
        inp.res_eff = _column(inp.res_eff, p, inp.res_eff[:, p] + delta * when[st.termination])
        inp.u_max = _column(inp.u_max, p, inp.u_max[:, p] + delta * when[DEAL])
        inp.u_sq = _column(inp.u_sq, p, inp.u_sq[:, p] + delta * when[st.stalemate])
    elif ch.kind == "weight":
        raw = inp.raw_weight.copy()
        if inp.share is None:
            i = st.issues.index(ch.param)
            raw[:, j, i] = _updated(raw[:, j, i], rows, amount, ch)
        else:  # a per-pair issue's terms share the party's new weight as they shared the old one
            cols = st.issue_columns(ch.param)
            share = inp.share[:, j, cols]
            new = _updated(raw[:, j, cols].sum(axis=1), rows, amount, ch)
            raw[:, j, cols] = np.where(rows[:, None], new[:, None] * share, raw[:, j, cols])
        total = raw[:, j, :].sum(axis=1, keepdims=True)
        weight = inp.weight.copy()
        # a party whose weights would all be 0 keeps its old weights
        weight[:, j, :] = np.where(
            rows[:, None] & (total > 0), raw[:, j, :] / np.where(total > 0, total, 1.0), weight[:, j, :]
        )
        inp.raw_weight, inp.weight = raw, weight
        # what the party's best agreement and the old treaty are worth move with its weights
        sq = np.broadcast_to(st.status_quo, (inp.batch, st.n_issues))
        best = issue_utility(st, inp, j, inp.ideal[:, j, :]) + inp.stake[:, j, DEAL]
        old = issue_utility(st, inp, j, sq) + inp.stake[:, j, st.stalemate]
        inp.u_max = _column(inp.u_max, j, np.where(rows, best, inp.u_max[:, j]))
        inp.u_sq = _column(inp.u_sq, j, np.where(rows, old, inp.u_sq[:, j]))
        inp.revision += 1  # every party's offer plan reads every party's weights
    else:  # pragma: no cover - checks.py admits no other kind
        raise ValueError(f"unknown shock target kind {ch.kind!r}")
