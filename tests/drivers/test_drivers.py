"""The Mesa driver and the batch driver agree exactly on the same draw rows."""

import numpy as np
import pyarrow as pa
import pytest

from negotiation.drivers.batch import run_rows
from negotiation.drivers.model import NegotiationModel
from negotiation.experiments.results import coalition_columns, path_columns
from negotiation.kernel.codes import path_of
from negotiation.scenario.loader import load_scenario, load_scenario_text
from tests.helpers import CONFIGS, learning_flagship


def _compare(loaded, seed, count, space=None, chunk=1000):
    space = space or loaded.space
    parts = [run_rows(loaded.structure, space, seed, s, min(chunk, count - s)) for s in range(0, count, chunk)]
    outcome = np.concatenate([p.outcome for p in parts])
    rounds = np.concatenate([p.rounds for p in parts])
    agreement = np.concatenate([p.agreement for p in parts])
    utilities = np.concatenate([p.utilities for p in parts])
    # the path (what histories read), as outcomes.parquet records it
    st = loaded.structure

    def columns(p):
        path = pa.array(path_of(st.outcomes, p.outcome, p.path["signed"]), type=pa.string())
        return pa.table({**path_columns(st, p.path), "path": path, **coalition_columns(st, p.path)})

    paths = pa.concat_tables([columns(p) for p in parts]).to_pylist()
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
        assert m.path() == paths[i], i
        if loaded.structure.information == "private":  # belief errors by round, one list per party
            assert len(paths[i][f"belief_error.{loaded.structure.parties[0]}"]) == rounds[i] > 0
    return outcome, {p["path"] for p in paths}


@pytest.mark.slow
def test_flagship_2000_draws_agree_with_private_information_learning_and_accession():
    loaded = learning_flagship()
    assert loaded.structure.information == "private" and loaded.structure.accession.any()
    outcome, paths = _compare(loaded, 11, 2000)
    # the draws cover the outcome classes and paths the scenario produces
    names = {loaded.structure.outcomes[k] for k in np.unique(outcome)}
    assert {"deal", "termination", "stalemate", "bilateral_US_MX"} <= names
    assert "bilateral_US_MX>deal" in paths


@pytest.mark.slow
def test_flagship_2000_draws_agree_on_a_single_text_closed_by_chapters():
    text = (CONFIGS / "nafta_2017.yaml").read_text(encoding="utf-8")
    text = text.replace("protocol: round_robin\nclosing: package\n", "protocol: single_text\nclosing: chapters\n")
    loaded = load_scenario_text(text)
    assert loaded.structure.closing == "chapters"
    _, paths = _compare(loaded, 12, 2000)
    assert "bilateral_US_MX>deal" in paths


def test_teaching_trade_and_a_sweep_point_agree(configs, nafta):
    trade = load_scenario(configs / "teaching_trade.yaml")
    _compare(trade, 4, 300)
    _, paths = _compare(load_scenario(configs / "teaching_chapters.yaml"), 1, 300)
    assert "deal" in paths
    _compare(nafta, 3, 150, space=nafta.space.with_values({"US.reservation": 0.9, "calendar.max_extensions": 0}))


def test_terms_by_pair_agree_with_complete_and_private_information(configs):
    loaded = load_scenario(configs / "teaching_pairs.yaml")
    assert loaded.structure.per_pair
    outcome, _ = _compare(loaded, 6, 300)
    assert {loaded.structure.outcomes[k] for k in np.unique(outcome)} >= {"deal", "termination"}
    # private information, every party learning the others' weights, ideals and option values
    text = (configs / "teaching_pairs.yaml").read_text(encoding="utf-8")
    old = "strategy: {name: time_dependent, params: {"
    assert text.count(old) == 3
    text = text.replace(old, "strategy: {name: learning, params: {base: time_dependent, ")
    _compare(load_scenario_text(text).with_information("private"), 6, 100)


def test_mesa_seeding_works_with_this_mesa(configs):
    import mesa

    loaded = load_scenario(configs / "teaching_split.yaml")
    m = NegotiationModel(loaded, seed=3)
    assert isinstance(m, mesa.Model) and len(m.agents) == 2
    m.run()
    assert m.steps == m.summary()["rounds"]
