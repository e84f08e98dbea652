"""A noisy variant of any strategy: its target jitters by a uniform amount each round."""

from __future__ import annotations

import numpy as np
from negotiation.strategies.registry import register

from negotiation.kernel.strategy import ParamSpec, Situation, Strategy, Traits


@register
class Noisy(Strategy):
    """Play ``base`` but move each round's target by up to ``noise`` times the party's range,
    up or down, using the draw table's noise uniforms; the target stays between reservation and
    ideal and never above the last one. The other parameters are the base strategy's."""

    name = "noisy"
    summary = "any strategy (param base) with a uniform jitter of its target each round"
    traits = Traits(concession="as its base", uses_deadline=True, models_opponents=False, stochastic=True)
    wraps = True
    params = {
        "base": ParamSpec("time_dependent", choices=(), doc="the strategy made noisy"),
        "noise": ParamSpec(0.05, low=0.0, high=0.5, doc="largest jitter, as a share of the range"),
    }

    def target(self, sit: Situation, prm: dict):
        base = self.base.target(sit, prm)
        span = np.maximum(sit.u_max - sit.u_res, 0.0)
        jitter = prm["noise"] * span * (2.0 * sit.noise - 1.0)
        floor = np.minimum(sit.u_res, sit.u_max)
        return np.clip(np.minimum(base + jitter, sit.prev_target), floor, sit.u_max)

    def offer(self, party, state, target, prm):
        return self.base.offer(party, state, target, prm)

    def accept(self, sit, target, u_offer, prm, x=None, party=None):
        return self.base.accept(sit, target, u_offer, prm, x, party)
