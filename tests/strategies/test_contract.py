"""The contract every registered strategy keeps, checked on the NAFTA scenario.

For each strategy (``noisy`` over Boulware, and once more over each other base), played by all
three parties and, separately, by the US alone and by Canada alone against the configured
strategies of the other two:

- every offer lies in the issue space (Mesa history: continuous positions in range, discrete
  positions whole option indices);
- nobody in an agreement (deal or bilateral) ends below its effective reservation;
- the same seed replays identically, and the Mesa driver agrees with the batch driver;
- a strategy whose traits say it is not stochastic ignores the draw table's noise uniforms,
  and ``noisy`` (noise > 0) does not.
"""

from __future__ import annotations

import dataclasses
import importlib
import numbers
import pkgutil
from functools import cache

import negotiation.strategies as agents
import numpy as np
import pytest
import yaml

from negotiation.drivers.batch import run_inputs, run_rows
from negotiation.drivers.model import NegotiationModel
from negotiation.kernel.draws import draw_rows
from negotiation.scenario.loader import load_scenario_text
from tests.helpers import CONFIGS

NAFTA_TEXT = (CONFIGS / "nafta_2017.yaml").read_text()
NAMES = sorted(agents.REGISTRY)
BASES = sorted(n for n, c in agents.REGISTRY.items() if not c.wraps)
MODULES = sorted(m.name for m in pkgutil.iter_modules(agents.__path__) if m.name != "registry")

SEED = 3
N_ROWS = 300
N_MESA = 20

# (strategy, params): every registered strategy, noisy over boulware, and noisy over every other
# base (with a jitter large enough that it must show in 300 negotiations).
CASES = [(n, {"base": "boulware"} if n == "noisy" else {}) for n in NAMES]
CASES += [("noisy", {"base": b, "noise": 0.2}) for b in BASES if b != "boulware"]
CASE_IDS = [n if n != "noisy" else f"noisy[{p['base']}]" for n, p in CASES]
WHO = {"all": ("US", "CA", "MX"), "US-only": ("US",), "CA-only": ("CA",)}
# Every case by all three and by the US alone; Canada alone plays the registered strategies
# (noisy over boulware only: played by Canada alone, noisy over rubinstein moves no outcome of
# these 300 rows, so the noise check below cannot see its noise).
RUNS = [
    pytest.param(name, params, who, id=f"{case_id}-{who}")
    for (name, params), case_id in zip(CASES, CASE_IDS, strict=True)
    for who in WHO
    if who != "CA-only" or params.get("base", "boulware") == "boulware"
]


@cache
def scenario(name: str, params_items: tuple, who: str):
    data = yaml.safe_load(NAFTA_TEXT)
    for party in WHO[who]:
        data["profiles"][party]["strategy"] = {"name": name, "params": dict(params_items)}
    return load_scenario_text(yaml.safe_dump(data, sort_keys=False), f"nafta-{name}-{who}")


def loaded_case(name, params, who):
    return scenario(name, tuple(sorted(params.items())), who)


def members_of(st, outcome):
    """(B, P): which parties are in the agreement of each row (deal: all; bilateral: the pair)."""
    member = np.zeros((outcome.shape[0], st.n_parties), dtype=bool)
    member[outcome == st.outcome_index("deal")] = True
    for n, (a, c) in enumerate(st.pairs):
        rows = outcome == 1 + n
        member[rows, a] = True
        member[rows, c] = True
    return member


def same_results(r1, r2) -> bool:
    return (
        np.array_equal(r1.outcome, r2.outcome)
        and np.array_equal(r1.rounds, r2.rounds)
        and np.array_equal(r1.end_day, r2.end_day)
        and np.array_equal(r1.agreement, r2.agreement, equal_nan=True)
        and np.array_equal(r1.utilities, r2.utilities)
    )


# --- the registry ------------------------------------------------------------------------------


@pytest.mark.parametrize("module", MODULES)
def test_every_agents_module_registers_a_strategy(module):
    mod = importlib.import_module(f"negotiation.strategies.{module}")
    registered = [n for n, cls in agents.REGISTRY.items() if cls.__module__ == mod.__name__]
    assert registered, f"agents/{module}.py registers no strategy"
    # and every Strategy class it defines is registered under its name
    for value in vars(mod).values():
        if isinstance(value, type) and issubclass(value, agents.Strategy) and value.__module__ == mod.__name__:
            assert agents.REGISTRY.get(value.name) is value, f"{value.__name__} ({module}) is not registered"


def test_registry_holds_only_strategies_from_the_agents_package():
    assert set(MODULES) >= {cls.__module__.removeprefix("negotiation.strategies.") for cls in agents.REGISTRY.values()}
    for name, cls in agents.REGISTRY.items():
        assert cls.name == name and issubclass(cls, agents.Strategy)


@pytest.mark.parametrize("name", NAMES)
def test_traits_summary_and_parameter_defaults(name):
    cls = agents.REGISTRY[name]
    assert isinstance(cls.traits, agents.Traits)
    assert isinstance(cls.traits.concession, str) and cls.traits.concession
    for flag in ("uses_deadline", "models_opponents", "stochastic"):
        assert isinstance(getattr(cls.traits, flag), bool), flag
    assert isinstance(cls.summary, str) and cls.summary.strip()
    for pname, spec in cls.params.items():
        assert isinstance(spec, agents.ParamSpec), pname
        if spec.numeric:
            assert isinstance(spec.default, numbers.Real) and not isinstance(spec.default, bool), pname
            assert spec.low is not None and spec.high is not None and spec.low <= spec.high, pname
            assert spec.low <= spec.default <= spec.high, f"{name}.{pname}: {spec.default} not in range"
        elif spec.choices:
            assert spec.default in spec.choices, f"{name}.{pname}: {spec.default!r} not in {spec.choices}"
        else:
            # empty choices: only a wrapper's ``base``, whose value is any non-wrapping strategy
            assert cls.wraps and pname == "base", f"{name}.{pname} has neither a range nor choices"
            assert spec.default in agents.REGISTRY and not agents.REGISTRY[spec.default].wraps


def test_stochastic_trait_marks_exactly_the_noisy_wrapper():
    assert [n for n in NAMES if agents.REGISTRY[n].traits.stochastic] == ["noisy"]


# --- the contract, per strategy --------------------------------------------------------------


@pytest.mark.parametrize(("name", "params", "who"), RUNS)
def test_no_agreement_below_reservation_and_same_seed_replays(name, params, who):
    loaded = loaded_case(name, params, who)
    st = loaded.structure
    res = run_rows(st, loaded.space, SEED, 0, N_ROWS)
    inp, _, _ = draw_rows(st, loaded.space, SEED, 0, N_ROWS)
    member = members_of(st, res.outcome)
    agreed = member.any(axis=1)
    if name.startswith("tit_for_tat") and who == "all":
        # Three reciprocators deadlock: after the opening concession (held while only one round
        # of offers is seen) nobody has conceded anything, so nobody concedes again.
        assert not agreed.any()
    else:
        assert agreed.any(), "no agreement at all: the check below would be empty"
    short = res.utilities - inp.res_eff
    worst = short[member].min(initial=np.inf)
    assert worst >= -1e-12, f"a member ends {worst:.3g} below its effective reservation"
    # every agreement is one: its position lies in the issue space too
    x = res.agreement[agreed]
    assert np.all((x >= st.lo) & (x <= st.hi))
    for i in st.disc:
        assert np.all(x[:, i] == np.round(x[:, i]))
    # rows without an agreement have none
    assert np.all(np.isnan(res.agreement[~agreed]))
    again = run_rows(st, loaded.space, SEED, 0, N_ROWS)
    assert same_results(res, again)
    assert np.array_equal(res.values, again.values)


@pytest.mark.parametrize(("name", "params", "who"), RUNS)
def test_noise_uniforms_matter_only_to_stochastic_strategies(name, params, who):
    loaded = loaded_case(name, params, who)
    st = loaded.structure
    inp, draws, _ = draw_rows(st, loaded.space, SEED, 0, N_ROWS)
    res = run_inputs(st, inp, draws)
    other = dataclasses.replace(draws, noise=np.random.default_rng(99).random(draws.noise.shape))
    moved = run_inputs(st, inp, other)
    if agents.REGISTRY[name].traits.stochastic:
        changed = (res.outcome != moved.outcome) | (res.rounds != moved.rounds)
        changed |= ~np.all((res.agreement == moved.agreement) | np.isnan(res.agreement) & np.isnan(moved.agreement), 1)
        assert changed.any(), "a stochastic strategy ignored its noise draws"
    else:
        assert same_results(res, moved)


@pytest.mark.parametrize(("name", "params", "who"), RUNS)
def test_offers_stay_in_the_issue_space_and_mesa_matches_batch(name, params, who):
    loaded = loaded_case(name, params, who)
    st = loaded.structure
    batch = run_rows(st, loaded.space, SEED, 0, N_MESA)
    n_offers = 0
    for draw in range(N_MESA):
        model = NegotiationModel(loaded, seed=SEED, draw=draw)
        model.run()
        for record in model.history:
            for off in record["offers"]:
                x = np.array(off["position"])
                n_offers += 1
                assert x.shape == (st.n_issues,)
                for i in range(st.n_issues):
                    assert st.lo[i] <= x[i] <= st.hi[i], (draw, off["proposer"], st.issues[i], x[i])
                    if i in st.options:
                        assert x[i] == int(x[i]), (draw, off["proposer"], st.issues[i], x[i])
        # the Mesa driver plays row `draw` exactly as the batch driver did
        summary = model.summary()
        assert summary["outcome"] == st.outcomes[batch.outcome[draw]]
        assert summary["rounds"] == batch.rounds[draw]
        assert [summary["utilities"][p] for p in st.parties] == pytest.approx(batch.utilities[draw], abs=1e-11)
    assert n_offers >= N_MESA
