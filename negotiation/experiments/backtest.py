"""Backtests: at each cut date, forecast the history's later facts from the facts known then,
and score the forecasts with proper scores against the unconditional forecast.

At a cut, the facts dated on or before it are known (``History.until``; facts given by round
are known at every cut) and the facts dated after it are the events to forecast. For a later
fact ``e`` and the known facts ``K``, over the draws of one simulation::

    forecast given the facts  f = #(draws agreeing with K and with e) / #(draws agreeing with K)
    unconditional forecast    u = #(draws agreeing with e) / #(draws)

Every fact of a history happened (a history states what is true), so each outcome is 1 and the
scores are ``Brier = (f - 1)^2`` and ``log = -ln f``, with ``f`` clipped to ``[1e-6, 1]`` so that
an event the draws never show scores ``-ln 1e-6 = 13.8`` rather than infinity. Lower is better
for both; the skill of a cut is ``1 - mean Brier given the facts / mean Brier unconditional``
(above 0 when conditioning helped). To score an event that did not happen, state its negation
(``agreement: none``). When no draw agrees with the facts known at a cut, its forecasts are
undefined (None) and the cut is reported, not dropped.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from negotiation.errors import UserError
from negotiation.experiments.history import History
from negotiation.scenario.loader import Loaded

CLIP = 1e-6  # forecasts are clipped to [CLIP, 1] for the log score


@dataclass(frozen=True)
class Forecast:
    """One later fact forecast at one cut, with its scores (outcome 1: the fact happened).
    ``given`` and its scores are None when no draw agrees with the facts known at the cut."""

    cut: dt.date
    fact: str
    matched: int  # draws agreeing with the facts known at the cut
    given: float | None  # share of those draws that also agree with the fact
    prior: float  # share of all draws that agree with the fact
    brier_given: float | None
    brier_prior: float
    log_given: float | None
    log_prior: float


@dataclass(frozen=True)
class Cut:
    """The means of one cut's forecasts (None when undefined) and the skill of conditioning."""

    cut: dt.date
    known: int  # facts known at the cut
    later: int  # facts forecast
    matched: int
    brier_given: float | None
    brier_prior: float | None
    log_given: float | None
    log_prior: float | None
    skill: float | None  # 1 - brier_given / brier_prior


@dataclass
class Backtest:
    """A backtest: one ``Forecast`` per cut and later fact, one ``Cut`` of means per cut."""

    source: str
    draws: int
    seed: int | None
    forecasts: list[Forecast] = field(default_factory=list)
    cuts: list[Cut] = field(default_factory=list)

    def frame(self):
        """The forecasts as a pandas DataFrame, one row per cut and later fact."""
        import pandas as pd

        return pd.DataFrame([vars(f) for f in self.forecasts], columns=list(Forecast.__dataclass_fields__))

    def to_dict(self) -> dict:
        """Plain data for JSON (dates as ISO text)."""

        def plain(obj) -> dict:
            return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in vars(obj).items()}

        return {
            "history": self.source,
            "draws": self.draws,
            "seed": self.seed,
            "clip": CLIP,
            "forecasts": [plain(f) for f in self.forecasts],
            "cuts": [plain(c) for c in self.cuts],
        }


def brier(f: float) -> float:
    """Brier score of forecast ``f`` for an event that happened: ``(f - 1)^2``."""
    return (f - 1.0) ** 2


def log_score(f: float) -> float:
    """Log score of forecast ``f`` for an event that happened: ``-ln max(f, CLIP)``."""
    return 0.0 - math.log(min(max(f, CLIP), 1.0))  # 0.0 - 0.0 is 0.0, not -0.0


def parse_cuts(at, loaded: Loaded) -> list[dt.date]:
    """Cut dates from ``2017-10-01,2017-11-01`` text or a list of dates or ISO strings; each
    must be a valid date on or after the first round (UserError, one line, otherwise)."""
    items = [s.strip() for s in at.split(",")] if isinstance(at, str) else list(at)
    if not items or any(s == "" for s in items):
        raise UserError(f"--at: expected dates YYYY-MM-DD[,YYYY-MM-DD...], got {at!r}")
    first = dt.date.fromordinal(loaded.structure.start_day)
    cuts = []
    for item in items:
        if isinstance(item, dt.datetime):
            item = item.date()
        if not isinstance(item, dt.date):
            try:
                item = dt.date.fromisoformat(str(item))
            except ValueError:
                raise UserError(f"--at: {item!r} is not a date (YYYY-MM-DD)") from None
        if item < first:
            raise UserError(f"--at: {item} is before the first round ({first})")
        cuts.append(item)
    return sorted(set(cuts))


def score(history: History, table, cuts: list[dt.date], seed: int | None = None) -> Backtest:
    """Backtest ``history`` at each cut on the draws of ``table`` (the columns of
    ``outcomes.parquet``); see the module's docstring for the forecasts and scores."""
    masks = history.fact_masks(table)
    n = len(masks[0])  # a history has at least one fact
    out = Backtest(history.source, n, seed)
    for cut in cuts:
        day = cut.toordinal()
        later = [k for k, f in enumerate(history.facts) if f.day is not None and f.day > day]
        if not later:
            last = max((f.day for f in history.facts if f.day is not None), default=None)
            hint = f" (the last is dated {dt.date.fromordinal(last)})" if last else ""
            raise UserError(f"--at {cut}: no fact of {history.source} is dated after it{hint}")
        known = np.ones(n, dtype=bool)
        for k, f in enumerate(history.facts):
            if f.day is None or f.day <= day:
                known &= masks[k]
        matched = int(known.sum())
        rows = []
        for k in later:
            prior = float(masks[k].mean()) if n else 0.0
            given = float((known & masks[k]).sum() / matched) if matched else None
            rows.append(
                Forecast(
                    cut,
                    history.facts[k].text,
                    matched,
                    given,
                    prior,
                    None if given is None else brier(given),
                    brier(prior),
                    None if given is None else log_score(given),
                    log_score(prior),
                )
            )
        out.forecasts.extend(rows)
        out.cuts.append(_means(cut, len(history.facts) - len(later), matched, rows))
    return out


def _means(cut: dt.date, known: int, matched: int, rows: list[Forecast]) -> Cut:
    def mean(name: str) -> float | None:
        values = [getattr(r, name) for r in rows]
        return None if any(v is None for v in values) else float(np.mean(values))

    bg, bp = mean("brier_given"), mean("brier_prior")
    skill = None if bg is None or not bp else 1.0 - bg / bp
    return Cut(cut, known, len(rows), matched, bg, bp, mean("log_given"), mean("log_prior"), skill)


def backtest(
    loaded: Loaded, history: History, cuts: list[dt.date], draws: int, seed: int, workers: int = 1, quiet: bool = True
) -> Backtest:
    """Simulate ``draws`` draws of the scenario at its base values once, then score the history's
    later facts at each cut (``score``)."""
    from negotiation.experiments.sweep import simulate_table

    table = simulate_table(loaded, [{}], seed, draws, workers, quiet=quiet)
    return score(history, table, cuts, seed)
