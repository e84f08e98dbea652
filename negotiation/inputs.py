"""Kernel inputs: the per-negotiation parameter arrays (batch axis first), built from a
matrix of slot values (one row per negotiation) and the scenario's structure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from negotiation.params import ParamSpace
    from negotiation.structure import Structure


@dataclass
class Inputs:
    """Every number the kernel reads for a batch of B negotiations."""

    ideal: np.ndarray  # (B, P, I) ideal positions (option index for discrete issues)
    weight: np.ndarray  # (B, P, I) issue weights, normalised to sum 1 per party
    values: np.ndarray  # (B, P, I, K) option values of discrete issues (0 elsewhere)
    reservation: np.ndarray  # (B, P) base reservation utility (the fallback, before stakes)
    p_extend: np.ndarray  # (B, P)
    p_withdraw: np.ndarray  # (B, P)
    p_open: np.ndarray  # (B, n_pairs)
    stake: np.ndarray  # (B, P, n_outcomes) utility added by linked stakes per outcome class
    max_ext: np.ndarray  # (B,) int
    gap: np.ndarray  # (B,) int days between rounds after an extension
    strategy: list[dict]  # per party: name -> (B,) array or string
    res_eff: np.ndarray  # (B, P) effective reservation: base + stakes under termination
    u_max: np.ndarray  # (B, P) utility of the party's own ideal, all signing
    u_sq: np.ndarray  # (B, P) utility of the status quo (the old treaty) under stalemate

    @property
    def batch(self) -> int:
        return self.ideal.shape[0]

    def rows(self, sel) -> Inputs:
        """The inputs of a subset of rows (a slice or an index array)."""
        out = {}
        for name in self.__dataclass_fields__:
            v = getattr(self, name)
            if name == "strategy":
                out[name] = [{k: (a[sel] if isinstance(a, np.ndarray) else a) for k, a in d.items()} for d in v]
            else:
                out[name] = v[sel]
        return Inputs(**out)


def build_inputs(st: Structure, space: ParamSpace, m: np.ndarray) -> Inputs:
    """Arrange a (B, n_slots) matrix of slot values into kernel inputs."""
    from negotiation.utility import issue_utility

    b = m.shape[0]
    P, I = st.n_parties, st.n_issues
    col = space.index
    K = int(st.n_options.max()) if st.disc else 1
    ideal = np.zeros((b, P, I))
    weight = np.zeros((b, P, I))
    values = np.zeros((b, P, I, K))
    for pi, p in enumerate(st.parties):
        for i, k in enumerate(st.issues):
            weight[:, pi, i] = m[:, col[f"{p}.{k}.weight"]]
            if i in st.options:
                for o, name in enumerate(st.options[i]):
                    values[:, pi, i, o] = m[:, col[f"{p}.{k}.value.{name}"]]
                ideal[:, pi, i] = np.argmax(values[:, pi, i, : st.n_options[i]], axis=1)
            else:
                ideal[:, pi, i] = m[:, col[f"{p}.{k}.ideal"]]
    weight = weight / weight.sum(axis=2, keepdims=True)

    def per_party(field):
        return np.stack([m[:, col[f"{p}.{field}"]] for p in st.parties], axis=1)

    stake = np.zeros((b, P, len(st.outcomes)))
    for s, sid in enumerate(st.stake_ids):
        v = m[:, col[f"stakes.{sid}.value"]]
        stake[:, st.stake_affects[s], :] += v[:, None] * st.stake_when[s][None, :]
    p_open = (
        np.stack([m[:, col[f"coalitions.{st.parties[a]}-{st.parties[b_]}.p_open"]] for a, b_ in st.pairs], axis=1)
        if st.pairs
        else np.zeros((b, 0))
    )
    strategy = []
    for pi, p in enumerate(st.parties):
        d = dict(st.strategy_strings[pi])
        for name in st.strategy_slots[pi]:
            d[name] = m[:, col[f"{p}.strategy.{name}"]]
        strategy.append(d)
    reservation = per_party("reservation")
    term = st.outcome_index("termination")
    deal = st.outcome_index("deal")
    inp = Inputs(
        ideal=ideal,
        weight=weight,
        values=values,
        reservation=reservation,
        p_extend=per_party("p_extend"),
        p_withdraw=per_party("p_withdraw"),
        p_open=p_open,
        stake=stake,
        max_ext=m[:, col["calendar.max_extensions"]].astype(np.int64),
        gap=m[:, col["calendar.extension_gap_days"]].astype(np.int64),
        strategy=strategy,
        res_eff=reservation + stake[:, :, term],
        u_max=np.zeros((b, P)),
        u_sq=np.zeros((b, P)),
    )
    sq = np.broadcast_to(st.status_quo, (b, I))
    stalemate = st.outcome_index("stalemate")
    for pi in range(P):
        inp.u_max[:, pi] = issue_utility(st, inp, pi, ideal[:, pi, :]) + stake[:, pi, deal]
        inp.u_sq[:, pi] = issue_utility(st, inp, pi, sq) + stake[:, pi, stalemate]
    return inp
