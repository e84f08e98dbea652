"""The hard-liner: holds a floor until the final round before the deadline."""

from __future__ import annotations

import numpy as np
from negotiation.strategies.registry import register

from negotiation.kernel.strategy import ParamSpec, Situation, Strategy, Traits


@register
class HardLiner(Strategy):
    """Never concedes below ``floor`` (a share of the way from reservation to ideal) until the
    last round before the effective deadline, when it drops to its reservation utility."""

    name = "hardliner"
    summary = "holds a floor until the final round, then falls to its reservation"
    traits = Traits(concession="hard-line", uses_deadline=True, models_opponents=False, stochastic=False)
    params = {"floor": ParamSpec(0.8, low=0.0, high=1.0, doc="share of the range it holds until the final round")}

    def target(self, sit: Situation, prm: dict):
        span = np.maximum(sit.u_max - sit.u_res, 0.0)
        held = np.minimum(sit.u_max, sit.u_res + prm["floor"] * span)
        return np.minimum(np.where(sit.final, np.minimum(sit.u_res, sit.u_max), held), sit.prev_target)
