"""Sequencing (logrolling): settle the low-salience issues first, hold the salient ones."""

from __future__ import annotations

from negotiation.strategies.registry import register
from negotiation.strategies.time_dependent import CURVE, K, TimeDependent

from negotiation.kernel.strategy import ParamSpec, Traits


@register
class Logroll(TimeDependent):
    """Concede on time like ``time_dependent``, but spend each round's concession on its least
    salient issues first, giving them up whole before touching the issues it cares most about,
    so it trades low-salience issues for the others' concessions on high-salience ones."""

    name = "logroll"
    summary = "sequencing: gives up low-salience issues first to hold high-salience ones"
    traits = Traits(concession="time-dependent, by issue", uses_deadline=True, models_opponents=False, stochastic=False)
    params = {"curve": CURVE, "beta": ParamSpec(1.0, low=0.01, high=100.0, doc="concession exponent"), "k": K}

    def offer(self, party, state, target, prm):
        return party.default_offer(target, priority="salience")
