"""The draw table: every random number of a negotiation, fixed before any work is done.

Row ``i`` of seed ``s`` holds the uniforms of negotiation ``i``: its sampled parameters, whether
each bilateral path is open, and the uniforms of every withdrawal hazard, extension vote and
strategy noise it could meet. Rows are consecutive blocks of one Philox stream keyed by ``SeedSequence(s)``, so
row ``i`` is the same whatever the number of draws, the chunk or the worker that makes it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from negotiation.inputs import Inputs, build_inputs
from negotiation.params import ParamSpace
from negotiation.protocol import Draws
from negotiation.structure import Structure


@dataclass(frozen=True)
class DrawLayout:
    """Which columns of a draw row hold what."""

    n_params: int
    n_pairs: int
    max_rounds: int
    max_votes: int
    n_parties: int

    @property
    def width(self) -> int:
        used = self.n_params + self.n_pairs + (2 * self.max_rounds + self.max_votes) * self.n_parties
        return -(-used // 4) * 4  # a multiple of 4: Philox makes four 64-bit words per counter step

    @classmethod
    def of(cls, st: Structure, space: ParamSpace) -> DrawLayout:
        return cls(space.n_columns, len(st.pairs), st.max_rounds, st.max_votes, st.n_parties)


def philox_key(seed: int) -> np.ndarray:
    """The Philox key of a root seed, from ``numpy.random.SeedSequence``."""
    return np.random.SeedSequence(seed).generate_state(2, dtype=np.uint64)


def uniforms(seed: int, start: int, count: int, width: int) -> np.ndarray:
    """Rows ``start .. start+count-1`` of the uniform table of ``seed`` (shape (count, width))."""
    if width % 4:
        raise ValueError("width must be a multiple of 4")
    bg = np.random.Philox(key=philox_key(seed))
    bg.advance(start * (width // 4))
    return np.random.Generator(bg).random((count, width))


def split(layout: DrawLayout, u: np.ndarray) -> tuple[np.ndarray, Draws]:
    """Split uniform rows into parameter uniforms and in-run draws."""
    b = u.shape[0]
    a = layout.n_params
    params = u[:, :a]
    opened = u[:, a : a + layout.n_pairs]
    a += layout.n_pairs
    w = layout.max_rounds * layout.n_parties
    withdraw = u[:, a : a + w].reshape(b, layout.max_rounds, layout.n_parties)
    a += w
    vote = u[:, a : a + layout.max_votes * layout.n_parties].reshape(b, layout.max_votes, layout.n_parties)
    a += layout.max_votes * layout.n_parties
    noise = u[:, a : a + w].reshape(b, layout.max_rounds, layout.n_parties)
    return params, Draws(withdraw=withdraw, vote=vote, open=opened, noise=noise)


def draw_values(st: Structure, space: ParamSpace, seed: int, start: int, count: int) -> tuple[np.ndarray, Draws]:
    """Slot values and in-run draws for rows ``start .. start+count-1`` of ``seed``."""
    layout = DrawLayout.of(st, space)
    pu, draws = split(layout, uniforms(seed, start, count, layout.width))
    return space.sample(pu), draws


def draw_rows(st: Structure, space: ParamSpace, seed: int, start: int, count: int) -> tuple[Inputs, Draws, np.ndarray]:
    """Inputs, in-run draws and slot values for rows ``start .. start+count-1`` of ``seed``."""
    values, draws = draw_values(st, space, seed, start, count)
    return build_inputs(st, space, values), draws, values


def stack_draws(parts: list[Draws]) -> Draws:
    """Draws of several row ranges, one after the other."""
    if len(parts) == 1:
        return parts[0]
    return Draws(*(np.concatenate([getattr(d, f) for d in parts]) for f in ("withdraw", "vote", "open", "noise")))
