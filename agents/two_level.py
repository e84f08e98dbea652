"""Two-level game (Putnam 1988): a negotiator whose deal must be ratified at home."""

from __future__ import annotations

import numpy as np
from negotiation.strategies.registry import register
from negotiation.strategies.time_dependent import CURVE, K

from negotiation.kernel.codes import Shape
from negotiation.kernel.concession import faratin_alpha, target_from_alpha
from negotiation.kernel.strategy import ParamSpec, Situation, Strategy, Traits
from negotiation.kernel.utility import issue_value


def winset_bound(shape: int, ratify):
    """Largest normalised distance d from the ideal whose value is at least ``ratify``
    (value 1 - d, 1 - d^2 or (1 - d)^2 for the linear, concave and convex shapes)."""
    ratify = np.asarray(ratify, dtype=float)
    if shape == Shape.LINEAR:
        return 1.0 - ratify
    if shape == Shape.CONCAVE:
        return np.sqrt(1.0 - ratify)
    return 1.0 - np.sqrt(ratify)


@register
class TwoLevel(Strategy):
    """Concedes on time, but only inside its domestic win-set: on every issue the agreement must
    be worth at least ``ratify`` of that issue's value to it (what its legislature would ratify).
    Its offers stay in the win-set and it rejects any agreement outside it."""

    name = "two_level"
    summary = "Putnam two-level game: a per-issue win-set bounds its offers and acceptance"
    traits = Traits(
        concession="time-dependent, ratification-bounded", uses_deadline=True, models_opponents=False, stochastic=False
    )
    params = {
        "curve": CURVE,
        "beta": ParamSpec(1.0, low=0.01, high=100.0, doc="concession exponent"),
        "k": K,
        "ratify": ParamSpec(0.3, low=0.0, high=1.0, doc="least value per issue the home side ratifies"),
    }

    def target(self, sit: Situation, prm: dict):
        alpha = faratin_alpha(sit.t, sit.T, prm["beta"], prm["k"], prm["curve"])
        return target_from_alpha(alpha, sit.u_max, sit.u_res, sit.prev_target)

    def in_winset(self, party, x: np.ndarray, prm: dict) -> np.ndarray:
        ok = np.ones(x.shape[0], dtype=bool)
        for i in range(party.st.n_issues):
            ok &= issue_value(party.st, party.inp, party.p, i, x[:, i]) >= prm["ratify"] - 1e-12
        return ok

    def offer(self, party, state, target, prm):
        st, inp, p = party.st, party.inp, party.p
        x = party.default_offer(target).copy()
        ideal = inp.ideal[:, p, :]
        for i in range(st.n_issues):
            if i in st.options:
                keep = issue_value(st, inp, p, i, x[:, i]) >= prm["ratify"] - 1e-12
                x[:, i] = np.where(keep, x[:, i], ideal[:, i])
            else:
                far = np.maximum(ideal[:, i] - st.lo[i], st.hi[i] - ideal[:, i])
                reach = far * winset_bound(int(st.shape[p, i]), prm["ratify"])
                x[:, i] = np.clip(x[:, i], ideal[:, i] - reach, ideal[:, i] + reach)
        return x

    def accept(self, sit, target, u_offer, prm, x=None, party=None):
        ok = (u_offer >= target) & (u_offer >= sit.u_res)
        return ok if x is None else ok & self.in_winset(party, x, prm)
