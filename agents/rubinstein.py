"""Rubinstein (1982) alternating offers: the subgame-perfect strategy for splitting a surplus."""

from __future__ import annotations

import numpy as np
from negotiation.strategies.registry import register

from negotiation.kernel.strategy import ParamSpec, Situation, Strategy, Traits


def spe_share(own: float, other: float):
    """The proposer's subgame-perfect share (1 - d_other) / (1 - d_own d_other)."""
    return (1.0 - np.asarray(other)) / (1.0 - np.asarray(own) * np.asarray(other))


@register
class Rubinstein(Strategy):
    """With discount factors ``discount`` (its own) and ``other_discount`` (the other side's),
    it always demands its subgame-perfect share x* = (1 - d_o) / (1 - d d_o) of a linear split
    and accepts any offer worth at least what it would get by proposing next round, discounted:
    d (1 - d_o) / (1 - d d_o). Two such players agree at once on the first proposer's x*."""

    name = "rubinstein"
    summary = "Rubinstein's subgame-perfect split for two parties with discount factors"
    traits = Traits(
        concession="none (subgame-perfect demand)", uses_deadline=False, models_opponents=True, stochastic=False
    )
    params = {
        "discount": ParamSpec(0.9, low=0.0, high=0.999, doc="its own discount factor per round"),
        "other_discount": ParamSpec(0.9, low=0.0, high=0.999, doc="the other party's discount factor"),
    }

    def _demand(self, sit: Situation, prm: dict):
        share = spe_share(prm["discount"], prm["other_discount"])
        return np.clip(share * sit.u_max, np.minimum(sit.u_res, sit.u_max), sit.u_max)

    def target(self, sit: Situation, prm: dict):
        return self._demand(sit, prm)

    def accept(self, sit, target, u_offer, prm, x=None, party=None):
        threshold = prm["discount"] * self._demand(sit, prm)
        return (u_offer >= threshold - 1e-12) & (u_offer >= sit.u_res)
