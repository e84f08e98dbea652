"""Time-dependent concession (Faratin, Sierra and Jennings 1998): Boulware to Conceder."""

from __future__ import annotations

from agents.registry import ParamSpec, Situation, Strategy, Traits, register
from negotiation.concession import faratin_alpha, target_from_alpha


@register
class TimeDependent(Strategy):
    """Concede from the ideal towards the reservation utility as the deadline nears.

    ``beta`` < 1 is Boulware (holds firm, concedes late), 1 linear, > 1 Conceder.
    The target never rises again, so an extension pauses concession rather than reversing it.
    """

    name = "time_dependent"
    summary = "Faratin time-dependent concession (polynomial or exponential; Boulware..Conceder)"
    traits = Traits(concession="time-dependent", uses_deadline=True, models_opponents=False, stochastic=False)
    params = {
        "curve": ParamSpec("polynomial", choices=("polynomial", "exponential"), doc="the family of alpha(t)"),
        "beta": ParamSpec(1.0, low=0.01, high=100.0, doc="concession exponent: <1 Boulware, >1 Conceder"),
        "k": ParamSpec(0.0, low=0.0, high=1.0, doc="share of the range conceded at once"),
    }

    def target(self, sit: Situation, prm: dict):
        alpha = faratin_alpha(sit.t, sit.T, prm["beta"], prm["k"], prm["curve"])
        return target_from_alpha(alpha, sit.u_max, sit.u_res, sit.prev_target)
