"""Any strategy that learns the others' profiles from their offers (private information).

The opponent model is the kernel's (``negotiation.kernel.beliefs.learn``): a Gaussian update of
each other party's ideal on continuous issues (after Hindriks and Tykhonov's Bayesian opponent
model, with one hypothesis per ideal), a frequency model of option values on discrete issues and
of issue weights (after HardHeaded, van Krimpen, Looije and Hajizadeh). The offers are built from
what it believes; without private information there is nothing to learn and it plays as its base.
"""

from __future__ import annotations

import numpy as np
from negotiation.strategies.registry import register

from negotiation.kernel.beliefs import LearningRates
from negotiation.kernel.strategy import ParamSpec, Situation, Strategy, Traits


@register
class Learning(Strategy):
    """Play ``base``, and before each round update the beliefs of the others from the offers of
    the last one. The other parameters are the base strategy's."""

    name = "learning"
    summary = "any strategy (param base) that learns the others' weights, ideals and option values"
    traits = Traits(concession="as its base", uses_deadline=True, models_opponents=True, stochastic=False, learns=True)
    wraps = True
    params = {
        "base": ParamSpec("time_dependent", choices=(), doc="the strategy that learns"),
        "learn_rate": ParamSpec(0.0, low=0.0, high=10.0, doc="weight gained by an issue the proposer left as it was"),
        "obs_sd": ParamSpec(
            0.05, low=0.001, high=1.0, doc="spread of a first offer about the proposer's ideal, share of the range"
        ),
        "prior_weight": ParamSpec(1.0, low=0.0, high=100.0, doc="pseudo-counts of the prior option values"),
    }

    def observe(self, party, state, prm: dict) -> None:
        b = state.day.shape[0]
        rates = LearningRates(
            *(np.broadcast_to(np.asarray(prm[k], dtype=float), (b,)) for k in self.params if k != "base")
        )
        party.learn(state, rates)

    def target(self, sit: Situation, prm: dict):
        return self.base.target(sit, prm)

    def offer(self, party, state, target, prm):
        return self.base.offer(party, state, target, prm)

    def accept(self, sit, target, u_offer, prm, x=None, party=None):
        return self.base.accept(sit, target, u_offer, prm, x, party)
