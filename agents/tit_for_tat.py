"""Tit-for-tat (Faratin et al. 1998, behaviour-dependent tactics), for several opponents.

What the others conceded is read off their offers in the party's own utility: an offer moving
towards the party's ideal is a concession. With several others the party reciprocates their mean.
"""

from __future__ import annotations

import numpy as np
from negotiation.strategies.registry import register

from negotiation.kernel.strategy import ParamSpec, Situation, Strategy, Traits

INITIAL = ParamSpec(0.05, low=0.0, high=1.0, doc="share of its range conceded in the opening round")


def _others(sit: Situation):
    mask = np.ones(sit.received.shape[1], dtype=bool)
    mask[sit.me] = False
    return sit.received[:, mask], sit.received_prev[:, mask]


def _opening(sit: Situation, prm: dict):
    span = np.maximum(sit.u_max - sit.u_res, 0.0)
    return np.minimum(sit.prev_target, sit.u_max - prm["initial"] * span)


@register
class AbsoluteTitForTat(Strategy):
    """Concede as much utility as the others conceded to it last round (times ``reciprocity``)."""

    name = "tit_for_tat_absolute"
    summary = "absolute tit-for-tat: concedes the utility the others conceded last round"
    traits = Traits(concession="behaviour-dependent", uses_deadline=False, models_opponents=False, stochastic=False)
    params = {
        "initial": INITIAL,
        "reciprocity": ParamSpec(1.0, low=0.0, high=5.0, doc="multiplier on their concession"),
    }

    def target(self, sit: Situation, prm: dict):
        now, before = _others(sit)
        seen = ~np.isnan(now) & ~np.isnan(before)
        gained = np.where(seen, np.maximum(now - before, 0.0), 0.0)
        n = seen.sum(axis=1)
        mean = np.where(n > 0, gained.sum(axis=1) / np.maximum(n, 1), 0.0)
        target = np.where(n > 0, sit.prev_target - prm["reciprocity"] * mean, _opening(sit, prm))
        return np.clip(np.minimum(target, sit.prev_target), np.minimum(sit.u_res, sit.u_max), sit.u_max)


@register
class RelativeTitForTat(Strategy):
    """Shrink its remaining room (target minus reservation) by the ratio by which the others
    shrank their distance from its ideal last round."""

    name = "tit_for_tat_relative"
    summary = "relative tit-for-tat: concedes the share of its room the others conceded of theirs"
    traits = Traits(concession="behaviour-dependent", uses_deadline=False, models_opponents=False, stochastic=False)
    params = {"initial": INITIAL}

    def target(self, sit: Situation, prm: dict):
        now, before = _others(sit)
        seen = ~np.isnan(now) & ~np.isnan(before)
        far_now = np.maximum(sit.u_max[:, None] - now, 0.0)
        far_before = np.maximum(sit.u_max[:, None] - before, 0.0)
        ratio = np.where(
            seen & (far_before > 0), np.minimum(far_now / np.where(far_before > 0, far_before, 1.0), 1.0), 1.0
        )
        n = seen.sum(axis=1)
        mean = np.where(n > 0, np.where(seen, ratio, 0.0).sum(axis=1) / np.maximum(n, 1), 1.0)
        floor = np.minimum(sit.u_res, sit.u_max)
        target = np.where(n > 0, floor + (sit.prev_target - floor) * mean, _opening(sit, prm))
        return np.clip(np.minimum(target, sit.prev_target), floor, sit.u_max)
