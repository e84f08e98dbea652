"""The rules of the talks as array functions: withdrawal, extension vote, calendar, bilateral.

Each takes arrays with the batch axis first and the uniforms it needs from the draw rows;
none draws random numbers itself.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt

import numpy as np

NO_NOTICE = np.iinfo(np.int64).max // 4


def withdrawal_notice(best_received, res_eff, p_withdraw, u):
    """A party gives notice when this round offered it less than walking away is worth and its
    per-round hazard fires (``u < p_withdraw``)."""
    return (best_received < res_eff) & (u < p_withdraw)


def extension_vote(p_extend, u):
    """A party votes to extend with probability ``p_extend`` (``u < p_extend``)."""
    return u < p_extend


def next_round_day(day, round_no, planned_days, extended, gap):
    """Day of the next round: the next planned date, or ``gap`` days on once talks were extended.

    ``round_no`` is the 1-based number of the round just played; after the last planned date
    (and before any extension) there is no next round (returns a day past every deadline).
    """
    n = len(planned_days)
    planned = planned_days[round_no] if round_no < n else NO_NOTICE
    return np.where(extended, day + gap, planned)


def bilateral_open(u_open, p_open):
    """Whether each pair's bilateral path is open in this negotiation (drawn once per run)."""
    return u_open < p_open


def gives_notice_at_close(p_withdraw, res_eff, u_sq, p_notice, u):
    """When talks close without a deal, a party that may withdraw and values walking away above
    the old treaty gives notice with probability ``p_notice`` (``u < p_notice``); otherwise the
    talks lapse and the old treaty stays (stalemate)."""
    return (p_withdraw > 0) & (res_eff > u_sq) & (u < p_notice)


EPOCH = dt.date(1970, 1, 1).toordinal()  # numpy's day 0 as an ordinal day


def months_after(days, months):
    """Ordinal days ``months`` calendar months after ``days`` (clipped to the month's end); an
    array of days, and months per day (``add_months`` over arrays)."""
    days = np.asarray(days, dtype=np.int64)
    when = (days - EPOCH).astype("datetime64[D]")
    month = when.astype("datetime64[M]")
    target = month + np.asarray(months, dtype=np.int64)
    last = (target + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    day_of_month = when - month.astype("datetime64[D]")
    out = np.minimum(target.astype("datetime64[D]") + day_of_month, last)
    return out.astype(np.int64) + EPOCH


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clipped to the month's last day."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, _cal.monthrange(year, month)[1]))
