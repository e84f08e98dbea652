"""The NegMAS twin: one scenario (``twin.yaml``) played by this project and by NegMAS from the same
draws.

Row i of a seed's draw table holds negotiation i's weights, option values and reservations; this
project plays the row as it plays any other, and ``negmas_session`` builds NegMAS's session from
the same numbers (the weights as the kernel normalised them): an SAO mechanism of 100 steps of one
offer each, with NegMAS's Boulware, Linear and Conceder time-based negotiators where the twin's
parties play ``boulware``, ``linear`` and ``conceder``. NegMAS (``pip install -e '.[bench]'``) is
imported only by the functions that need it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from negotiation.kernel.draws import draw_rows
from negotiation.scenario.loader import Loaded, load_scenario

TWIN = Path(__file__).with_name("twin.yaml")
NEGMAS_STEPS = 100  # offers in one NegMAS session; the twin's 34 rounds hold 3 offers each
NEGMAS_NEGOTIATORS = {
    "boulware": "BoulwareTBNegotiator",
    "linear": "LinearTBNegotiator",
    "conceder": "ConcederTBNegotiator",
}


@dataclass(frozen=True)
class Instance:
    """One negotiation's preferences, as drawn: per party (P) and issue (I)."""

    weight: np.ndarray  # (P, I) normalised to sum 1 per party
    values: np.ndarray  # (P, I, K) option values
    reservation: np.ndarray  # (P,)


def load_twin() -> Loaded:
    """The twin scenario."""
    return load_scenario(TWIN)


def instances(loaded: Loaded, seed: int, count: int) -> list[Instance]:
    """The preferences of rows 0 .. count-1 of ``seed``: what this project plays on those rows."""
    inp, _, _ = draw_rows(loaded.structure, loaded.space, seed, 0, count)
    return [Instance(inp.weight[b], inp.values[b], inp.reservation[b]) for b in range(count)]


def negmas_session(loaded: Loaded, inst: Instance):
    """NegMAS's SAO session of one instance, ready to ``run()``."""
    from negmas import SAOMechanism, make_issue, sao
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.preferences.value_fun import TableFun

    st = loaded.structure
    options = [st.options[i] for i in range(len(st.issues))]
    issues = [make_issue(opts, name=name) for opts, name in zip(options, st.issues, strict=True)]
    session = SAOMechanism(issues=issues, n_steps=NEGMAS_STEPS, one_offer_per_step=True)
    for p, party in enumerate(st.parties):
        values = [
            TableFun({o: float(v) for o, v in zip(opts, inst.values[p, i], strict=False)})
            for i, opts in enumerate(options)
        ]
        ufun = LinearAdditiveUtilityFunction(
            values=values,
            weights=[float(w) for w in inst.weight[p]],
            outcome_space=session.outcome_space,
            reserved_value=float(inst.reservation[p]),
        )
        negotiator = getattr(sao, NEGMAS_NEGOTIATORS[st.strategies[p]])
        session.add(negotiator(name=party), preferences=ufun)
    return session
