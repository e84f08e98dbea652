"""The rules of the talks as array functions: withdrawal, extension vote, calendar, bilateral.

Each takes arrays with the batch axis first and the uniforms it needs from the draw rows;
none draws random numbers itself.
"""

from __future__ import annotations

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
