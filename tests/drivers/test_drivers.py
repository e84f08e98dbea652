"""The Mesa driver and the batch driver agree exactly on the same draw rows."""

from pathlib import Path

import numpy as np
import pytest

from negotiation.drivers.batch import run_rows
from negotiation.drivers.model import NegotiationModel
from negotiation.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def _compare(loaded, seed, count, space=None, chunk=1000):
    space = space or loaded.space
    parts = [run_rows(loaded.structure, space, seed, s, min(chunk, count - s)) for s in range(0, count, chunk)]
    outcome = np.concatenate([p.outcome for p in parts])
    rounds = np.concatenate([p.rounds for p in parts])
    agreement = np.concatenate([p.agreement for p in parts])
    utilities = np.concatenate([p.utilities for p in parts])
    for i in range(count):
        m = NegotiationModel(loaded, seed=seed, draw=i, space=space)
        m.run()
        s = m.state
        assert s.outcome[0] == outcome[i], i
        assert s.rounds[0] == rounds[i], i
        np.testing.assert_allclose(s.agreement[0], agreement[i], rtol=0, atol=1e-9, equal_nan=True)
        summary = m.summary()
        got = np.array([summary["utilities"][p] for p in loaded.structure.parties])
        np.testing.assert_allclose(got, utilities[i], rtol=0, atol=1e-9)
    return outcome


@pytest.mark.slow
def test_flagship_2000_draws_agree():
    loaded = load_scenario(ROOT / "configs" / "nafta_2017.yaml")
    outcome = _compare(loaded, 11, 2000)
    # the draws cover the outcome classes the scenario produces
    names = {loaded.structure.outcomes[k] for k in np.unique(outcome)}
    assert {"deal", "termination", "bilateral_US_MX"} <= names


def test_teaching_trade_and_a_sweep_point_agree():
    trade = load_scenario(ROOT / "configs" / "teaching_trade.yaml")
    _compare(trade, 4, 300)
    nafta = load_scenario(ROOT / "configs" / "nafta_2017.yaml")
    _compare(nafta, 3, 150, space=nafta.space.with_values({"US.reservation": 0.9, "calendar.max_extensions": 0}))


def test_mesa_seeding_works_with_this_mesa():
    import mesa

    loaded = load_scenario(ROOT / "configs" / "teaching_split.yaml")
    m = NegotiationModel(loaded, seed=3)
    assert isinstance(m, mesa.Model) and len(m.agents) == 2
    m.run()
    assert m.steps == m.summary()["rounds"]
