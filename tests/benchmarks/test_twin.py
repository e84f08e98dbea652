"""The NegMAS twin of ``benchmarks/twin.py``: the scenario validates as described, and NegMAS's
sessions hold the very weights, option values and reservations this project plays."""

import importlib.util

import numpy as np
import pytest

from negotiation.kernel.draws import draw_rows
from negotiation.kernel.utility import issue_utility
from tests.helpers import ROOT

SEED, ROWS = 7, 4


def _load_twin_module():
    spec = importlib.util.spec_from_file_location("twin", ROOT / "benchmarks" / "twin.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


twin = _load_twin_module()


@pytest.fixture(scope="module")
def loaded():
    return twin.load_twin()


def test_twin_is_three_parties_five_issues_of_five_options_34_rounds(loaded):
    st = loaded.structure
    assert st.parties == ["A", "B", "C"]
    assert st.strategies == ["boulware", "linear", "conceder"]
    assert len(st.issues) == 5 and st.disc == list(range(5)) and list(st.n_options) == [5] * 5
    assert len(st.planned_days) == 34 and st.deadline_days[0] == st.planned_days[-1]
    assert not st.graph.edges  # no bilateral deals: as in SAO, all three must accept
    uncertain = [s.name for s in loaded.space.slots if s.uncertain]
    assert len(uncertain) == 3 * (1 + 5 + 5 * 5)  # reservation, weights, option values


def test_instances_are_the_rows_this_project_plays(loaded):
    inp, _, _ = draw_rows(loaded.structure, loaded.space, SEED, 0, ROWS)
    got = twin.instances(loaded, SEED, ROWS)
    for b, inst in enumerate(got):
        assert np.array_equal(inst.weight, inp.weight[b])
        assert np.array_equal(inst.values, inp.values[b])
        assert np.array_equal(inst.reservation, inp.reservation[b])
        assert np.allclose(inst.weight.sum(axis=1), 1.0)
        assert ((inst.reservation >= 0.3) & (inst.reservation <= 0.5)).all()
    assert not np.array_equal(got[0].weight, got[1].weight)  # drawn per negotiation


def test_negmas_session_holds_the_same_preferences(loaded):
    pytest.importorskip("negmas")
    st = loaded.structure
    inp, _, _ = draw_rows(st, loaded.space, SEED, 0, ROWS)
    rng = np.random.default_rng(0)
    for b, inst in enumerate(twin.instances(loaded, SEED, ROWS)):
        session = twin.negmas_session(loaded, inst)
        assert session.n_steps == twin.NEGMAS_STEPS
        assert [type(n).__name__ for n in session.negotiators] == list(twin.NEGMAS_NEGOTIATORS.values())
        x = rng.integers(0, 5, size=(20, 5)).astype(float)  # 20 agreements, option indices
        for p, negotiator in enumerate(session.negotiators):
            ufun = negotiator.ufun
            assert ufun.weights == list(inp.weight[b, p])
            assert ufun.reserved_value == inp.reservation[b, p]
            ours = issue_utility(st, inp.rows(np.full(20, b)), p, x)
            theirs = [ufun(tuple(st.options[i][int(o)] for i, o in enumerate(row))) for row in x]
            assert np.allclose(theirs, ours, rtol=0, atol=1e-12)
