"""Uncertain parameters: distribution specs and their inverse CDFs.

Every sampled value is a transform of one uniform number in [0, 1), so a draw row of
uniforms fixes a negotiation completely (see ``draws.py``).
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy.special import ndtr, ndtri


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    def support(self) -> tuple[float, float]:
        """Smallest and largest value this distribution can produce."""
        return (self.low, self.high)  # type: ignore[attr-defined]


class _Ranged(_Dist):
    """A distribution on [low, high]."""

    low: float
    high: float

    @model_validator(mode="after")
    def _order(self):
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self


class Uniform(_Ranged):
    """Uniform on [low, high]."""

    dist: Literal["uniform"]

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + u * (self.high - self.low)


class Triangular(_Dist):
    """Triangular on [low, high] with its peak at mode."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _order(self):
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"expected low <= mode <= high, got {self.low}, {self.mode}, {self.high}")
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        a, c, b = self.low, self.mode, self.high
        if b == a:
            return np.full_like(u, a)
        fc = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.where(u < fc, left, right)


class Normal(_Ranged):
    """Normal(mean, sd) truncated to [low, high]."""

    dist: Literal["normal"]
    mean: float
    sd: float = Field(gt=0)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        lo = ndtr((self.low - self.mean) / self.sd)
        hi = ndtr((self.high - self.mean) / self.sd)
        x = self.mean + self.sd * ndtri(lo + u * (hi - lo))
        return np.clip(x, self.low, self.high)


class Choice(_Dist):
    """One of a list of values, with optional probabilities (equal by default)."""

    dist: Literal["choice"]
    options: list[float] = Field(min_length=1, max_length=1000)
    p: list[float] | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _probs(self):
        if self.p is not None:
            if len(self.p) != len(self.options):
                raise ValueError(f"p has {len(self.p)} entries for {len(self.options)} options")
            if any(x < 0 for x in self.p) or abs(sum(self.p) - 1.0) > 1e-9:
                raise ValueError("p must be non-negative and sum to 1")
        return self

    def support(self) -> tuple[float, float]:
        return (min(self.options), max(self.options))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        k = len(self.options)
        p = np.full(k, 1.0 / k) if self.p is None else np.asarray(self.p, dtype=float)
        edges = np.cumsum(p)[:-1]
        idx = np.searchsorted(edges, u, side="right")
        return np.asarray(self.options, dtype=float)[idx]


Dist = Annotated[Uniform | Triangular | Normal | Choice, Field(discriminator="dist")]
DIST_TAGS = ("uniform", "triangular", "normal", "choice")


class Resample:
    """One parameter's column of stored rows (a posterior sample, ``posterior:`` in a config).

    ``ppf(u)`` picks row ``floor(u * n)``; the parameters of one ``posterior:`` section share one
    uniform column of the draw table, so each draw takes every value from the same row: the rows
    are resampled jointly, and the same seed picks the same rows. Not written at a slot in YAML.
    """

    dist = "posterior"

    def __init__(self, values, source: str = ""):
        self.values = np.asarray(values, dtype=float)
        self.source = source

    def ppf(self, u: np.ndarray) -> np.ndarray:
        n = len(self.values)
        return self.values[np.minimum((np.asarray(u) * n).astype(np.int64), n - 1)]

    def support(self) -> tuple[float, float]:
        return (float(self.values.min()), float(self.values.max()))

    def describe(self) -> str:
        return f"posterior: {len(self.values)} stored rows, resampled jointly"
