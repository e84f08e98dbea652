"""The draw table: every random number of a negotiation, fixed before any work is done.

Row ``i`` of seed ``s`` holds the uniforms of negotiation ``i``: its sampled parameters, whether
each bilateral path is open, and the uniforms of every withdrawal hazard, extension vote and
strategy noise it could meet. Rows are consecutive blocks of one Philox stream keyed by ``SeedSequence(s)``, so
row ``i`` is the same whatever the number of draws, the chunk or the worker that makes it.

Every row also has a closing block (its own Philox stream, the root's spawned child 1): one
uniform per party, whether it gives notice when talks close (``p_notice_at_close``).

A scenario with shocks has a second block in each row, after the first: the uniforms of the
shocks' uncertain slots (date offset, probability, amounts), then one per shock (does it fire).
It comes from its own Philox stream (``SeedSequence(s)`` spawned child 0's key), so adding,
removing or changing shocks leaves the first block, and so every other draw, as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from negotiation.kernel.codes import DEAL
from negotiation.kernel.inputs import Inputs
from negotiation.kernel.state import Draws
from negotiation.kernel.structure import Structure
from negotiation.kernel.utility import issue_utility


class SlotSpace(Protocol):
    """What the draw table needs of a scenario's named parameters (``scenario.params.SlotSpace``):
    how many uniform columns they take, each slot's column, and uniforms -> values."""

    n_columns: int
    n_shock_columns: int  # the last columns: the shocks' uncertain slots (from the shock block)
    index: Mapping[str, int]

    def sample(self, u: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class DrawLayout:
    """Which columns of a draw row hold what."""

    n_params: int  # uncertain slots other than the shocks'
    n_pairs: int
    max_rounds: int
    max_votes: int
    n_parties: int
    n_shock_params: int = 0  # the shocks' uncertain slots
    n_shocks: int = 0

    @property
    def width(self) -> int:
        """Columns of the first block."""
        used = self.n_params + self.n_pairs + (2 * self.max_rounds + self.max_votes) * self.n_parties
        return -(-used // 4) * 4  # a multiple of 4: Philox makes four 64-bit words per counter step

    @property
    def shock_width(self) -> int:
        """Columns of the shock block (0 without shocks)."""
        return -(-(self.n_shock_params + self.n_shocks) // 4) * 4

    @classmethod
    def of(cls, st: Structure, space: SlotSpace) -> DrawLayout:
        tail = space.n_shock_columns
        return cls(space.n_columns - tail, len(st.pairs), st.max_rounds, st.max_votes, st.n_parties, tail, st.n_shocks)


def philox_key(seed: int, block: int = 0) -> np.ndarray:
    """The Philox key of a root seed, from ``numpy.random.SeedSequence`` (``block`` k > 0: its
    k-th spawned child; 1 is the shock block, 2 the closing block)."""
    ss = np.random.SeedSequence(seed)
    if block:
        ss = ss.spawn(block)[block - 1]
    return ss.generate_state(2, dtype=np.uint64)


def uniforms(seed: int, start: int, count: int, width: int, block: int = 0) -> np.ndarray:
    """Rows ``start .. start+count-1`` of the uniform table of ``seed`` (shape (count, width))."""
    if width % 4:
        raise ValueError("width must be a multiple of 4")
    bg = np.random.Philox(key=philox_key(seed, block))
    bg.advance(start * (width // 4))
    return np.random.Generator(bg).random((count, width))


def split(layout: DrawLayout, u: np.ndarray, shock_u: np.ndarray | None = None) -> tuple[np.ndarray, Draws]:
    """Split uniform rows (and the shock block's, if any) into parameter uniforms and in-run draws."""
    b = u.shape[0]
    a = layout.n_params
    params = u[:, :a]
    shock = np.zeros((b, 0))
    if layout.shock_width:
        params = np.concatenate([params, shock_u[:, : layout.n_shock_params]], axis=1)
        shock = shock_u[:, layout.n_shock_params : layout.n_shock_params + layout.n_shocks]
    opened = u[:, a : a + layout.n_pairs]
    a += layout.n_pairs
    w = layout.max_rounds * layout.n_parties
    withdraw = u[:, a : a + w].reshape(b, layout.max_rounds, layout.n_parties)
    a += w
    vote = u[:, a : a + layout.max_votes * layout.n_parties].reshape(b, layout.max_votes, layout.n_parties)
    a += layout.max_votes * layout.n_parties
    noise = u[:, a : a + w].reshape(b, layout.max_rounds, layout.n_parties)
    return params, Draws(withdraw=withdraw, vote=vote, open=opened, noise=noise, shock=shock)


def draw_values(st: Structure, space: SlotSpace, seed: int, start: int, count: int) -> tuple[np.ndarray, Draws]:
    """Slot values and in-run draws for rows ``start .. start+count-1`` of ``seed``."""
    layout = DrawLayout.of(st, space)
    shock_u = uniforms(seed, start, count, layout.shock_width, block=1) if layout.shock_width else None
    pu, draws = split(layout, uniforms(seed, start, count, layout.width), shock_u)
    draws.close = uniforms(seed, start, count, -(-st.n_parties // 4) * 4, block=2)[:, : st.n_parties]
    return space.sample(pu), draws


def draw_rows(st: Structure, space: SlotSpace, seed: int, start: int, count: int) -> tuple[Inputs, Draws, np.ndarray]:
    """Inputs, in-run draws and slot values for rows ``start .. start+count-1`` of ``seed``."""
    values, draws = draw_values(st, space, seed, start, count)
    return build_inputs(st, space, values), draws, values


def stack_draws(parts: list[Draws]) -> Draws:
    """Draws of several row ranges, one after the other."""
    if len(parts) == 1:
        return parts[0]
    return Draws(
        *(
            np.concatenate([getattr(d, f) for d in parts])
            for f in ("withdraw", "vote", "open", "noise", "shock", "close")
        )
    )


def _per_shock(st: Structure, m: np.ndarray, col: Mapping[str, int], field: str) -> np.ndarray:
    if not st.shock_ids:
        return np.zeros((m.shape[0], 0))
    return np.stack([m[:, col[f"shocks.{sid}.{field}"]] for sid in st.shock_ids], axis=1)


def pair_shares(st: Structure, m: np.ndarray, col: Mapping[str, int]) -> np.ndarray:
    """(B, P, I) each party's share of its config issue's weight on each kernel issue: 1 on a
    common issue; on the terms of a per-pair issue its pair weights (slots
    ``<party>.<issue>.pairs.<other>``) normalised over the pairs it is in (equal shares if they
    are all 0), and 0 on the term of a pair it is not in."""
    share = np.ones((m.shape[0], st.n_parties, st.n_issues))
    for k in dict.fromkeys(c for c, pair in zip(st.issue_config, st.issue_pair, strict=True) if pair is not None):
        cols = st.issue_columns(k)
        for pi, p in enumerate(st.parties):
            share[:, pi, cols] = 0.0
            mine = [i for i in cols if pi in st.issue_pair[i]]
            if not mine:
                continue
            other = [st.parties[a if b == pi else b] for a, b in (st.issue_pair[i] for i in mine)]
            raw = np.stack([m[:, col[f"{p}.{k}.pairs.{q}"]] for q in other], axis=1)
            total = raw.sum(axis=1, keepdims=True)
            share[:, pi, mine] = np.where(total > 0, raw / np.where(total > 0, total, 1.0), 1.0 / len(mine))
    return share


def build_inputs(st: Structure, space: SlotSpace, m: np.ndarray) -> Inputs:
    """Arrange a (B, n_slots) matrix of slot values into kernel inputs."""
    b = m.shape[0]
    P, I = st.n_parties, st.n_issues
    col = space.index
    K = int(st.n_options.max()) if st.disc else 1
    ideal = np.zeros((b, P, I))
    weight = np.zeros((b, P, I))
    values = np.zeros((b, P, I, K))
    for pi, p in enumerate(st.parties):
        for i, k in enumerate(st.issue_config):  # a per-pair issue's terms read its slots
            weight[:, pi, i] = m[:, col[f"{p}.{k}.weight"]]
            if i in st.options:
                for o, name in enumerate(st.options[i]):
                    values[:, pi, i, o] = m[:, col[f"{p}.{k}.value.{name}"]]
                ideal[:, pi, i] = np.argmax(values[:, pi, i, : st.n_options[i]], axis=1)
            else:
                ideal[:, pi, i] = m[:, col[f"{p}.{k}.ideal"]]
    share = pair_shares(st, m, col) if st.per_pair else None
    raw_weight = weight if share is None else weight * share
    weight = raw_weight / raw_weight.sum(axis=2, keepdims=True)

    def per_party(field):
        return np.stack([m[:, col[f"{p}.{field}"]] for p in st.parties], axis=1)

    stake = np.zeros((b, P, len(st.outcomes)))
    for s, sid in enumerate(st.stake_ids):
        v = m[:, col[f"stakes.{sid}.value"]]
        stake[:, st.stake_affects[s], :] += v[:, None] * st.stake_when[s][None, :]
    p_open = (
        np.stack([m[:, col[f"coalitions.{st.parties[a]}-{st.parties[b_]}.p_open"]] for a, b_ in st.pairs], axis=1)
        if st.pairs
        else np.zeros((b, 0))
    )
    strategy = []
    for pi, p in enumerate(st.parties):
        d = dict(st.strategy_strings[pi])
        for name in st.strategy_slots[pi]:
            d[name] = m[:, col[f"{p}.strategy.{name}"]]
        strategy.append(d)
    reservation = per_party("reservation")
    term, deal = st.termination, DEAL
    inp = Inputs(
        ideal=ideal,
        weight=weight,
        values=values,
        reservation=reservation,
        p_extend=per_party("p_extend"),
        p_withdraw=per_party("p_withdraw"),
        p_open=p_open,
        stake=stake,
        max_ext=m[:, col["calendar.max_extensions"]].astype(np.int64),
        gap=m[:, col["calendar.extension_gap_days"]].astype(np.int64),
        strategy=strategy,
        res_eff=reservation + stake[:, :, term],
        u_max=np.zeros((b, P)),
        u_sq=np.zeros((b, P)),
        stake_value=np.stack([m[:, col[f"stakes.{sid}.value"]] for sid in st.stake_ids], axis=1)
        if st.stake_ids
        else np.zeros((b, 0)),
        shock_prob=_per_shock(st, m, col, "probability"),
        shock_day=np.asarray(st.shock_base_day, dtype=np.int64)[None, :]
        + _per_shock(st, m, col, "delay_days").astype(np.int64),
        shock_amount=np.stack([m[:, col[c.amount]] for c in st.shock_changes], axis=1)
        if st.shock_changes
        else np.zeros((b, 0)),
        p_notice_close=per_party("p_notice_at_close"),
        delay_cost=per_party("delay_cost"),
        accession_gap=np.stack(
            [m[:, col[f"coalitions.{st.parties[a]}-{st.parties[b_]}.accession.gap_days"]] for a, b_ in st.pairs], axis=1
        ).astype(np.int64)
        if st.pairs
        else np.zeros((b, 0), dtype=np.int64),
        raw_weight=raw_weight,
        share=share,
    )
    sq = np.broadcast_to(st.status_quo, (b, I))
    stalemate = st.stalemate
    for pi in range(P):
        inp.u_max[:, pi] = issue_utility(st, inp, pi, ideal[:, pi, :]) + stake[:, pi, deal]
        inp.u_sq[:, pi] = issue_utility(st, inp, pi, sq) + stake[:, pi, stalemate]
    return inp
