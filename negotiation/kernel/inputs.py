"""Kernel inputs: the per-negotiation parameter arrays (batch axis first); ``kernel.draws``
builds them from a matrix of slot values (one row per negotiation) and the scenario's structure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
    stake_value: np.ndarray  # (B, S) each linked stake's value (already summed into ``stake``)
    # Shocks (``kernel.shocks``): per shock its probability and the first day it may apply; per
    # change (Structure.shock_changes) the amount added or the value set.
    shock_prob: np.ndarray  # (B, n_shocks)
    shock_day: np.ndarray  # (B, n_shocks) int ordinal day
    shock_amount: np.ndarray  # (B, n_changes)
    # Coalition structure (``kernel.protocol``): the chance each party gives notice when talks
    # close (else they lapse), its cost of delay per month, and the gap between accession rounds.
    p_notice_close: np.ndarray | None = None  # (B, P)
    delay_cost: np.ndarray | None = None  # (B, P) utility per month
    accession_gap: np.ndarray | None = None  # (B, n_pairs) int days
    raw_weight: np.ndarray | None = None  # (B, P, I) the weights as drawn, before normalising
    # (B, P, I) terms by pair: each party's share of its config issue's weight on each kernel issue
    # (``kernel.draws.pair_shares``); None when no issue is per-pair (every share is 1)
    share: np.ndarray | None = None
    revision: int = 0  # counts the times a shock changed weights (offer plans made before are stale)

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
                out[name] = v[sel] if isinstance(v, np.ndarray) else v
        return Inputs(**out)
