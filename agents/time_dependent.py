"""Time-dependent concession (Faratin, Sierra and Jennings 1998): Boulware, Linear, Conceder."""

from __future__ import annotations

from negotiation.strategies.registry import register

from negotiation.kernel.concession import faratin_alpha, target_from_alpha
from negotiation.kernel.strategy import ParamSpec, Situation, Strategy, Traits

CURVE = ParamSpec("polynomial", choices=("polynomial", "exponential"), doc="the family of alpha(t)")
K = ParamSpec(0.0, low=0.0, high=1.0, doc="share of the range conceded at once")


@register
class TimeDependent(Strategy):
    """Concede from the ideal towards the reservation utility as the deadline nears.

    ``beta`` < 1 is Boulware (holds firm, concedes late), 1 linear, > 1 Conceder.
    The target never rises again, so an extension pauses concession rather than reversing it.
    """

    name = "time_dependent"
    summary = "Faratin time-dependent concession, any beta (polynomial or exponential)"
    traits = Traits(concession="time-dependent", uses_deadline=True, models_opponents=False, stochastic=False)
    params = {
        "curve": CURVE,
        "beta": ParamSpec(1.0, low=0.01, high=100.0, doc="concession exponent: <1 Boulware, >1 Conceder"),
        "k": K,
    }

    def target(self, sit: Situation, prm: dict):
        alpha = faratin_alpha(sit.t, sit.T, prm.get("beta", 1.0), prm["k"], prm.get("curve", "polynomial"))
        return target_from_alpha(alpha, sit.u_max, sit.u_res, sit.prev_target)


@register
class Boulware(TimeDependent):
    """Holds near its ideal and concedes late (beta below 1)."""

    name = "boulware"
    summary = "Faratin Boulware: holds firm, concedes near the deadline (beta < 1)"
    params = {"curve": CURVE, "beta": ParamSpec(0.2, low=0.01, high=1.0, doc="concession exponent (< 1)"), "k": K}


@register
class Linear(TimeDependent):
    """Concedes at a steady pace (polynomial, beta = 1)."""

    name = "linear"
    summary = "Faratin linear: concedes at a steady pace (beta = 1)"
    params = {"k": K}


@register
class Conceder(TimeDependent):
    """Concedes early and fast (beta above 1)."""

    name = "conceder"
    summary = "Faratin Conceder: concedes early (beta > 1)"
    params = {"curve": CURVE, "beta": ParamSpec(5.0, low=1.0, high=100.0, doc="concession exponent (> 1)"), "k": K}
