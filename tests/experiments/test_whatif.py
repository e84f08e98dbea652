"""What-if views (``experiments/whatif.py``, the explorer's numbers): equal to the summary of the
``negotiate sweep`` command they print and to ``simulate``; fixing a parameter replaces only its
own column of the draw table (common random numbers); the heatmap's cells are the sweep's points;
bad input is refused in one line."""

from __future__ import annotations

import datetime as dt
import json
import shlex
import time

import numpy as np
import pytest

from negotiation import api
from negotiation.errors import UserError
from negotiation.experiments import whatif
from negotiation.experiments.history import load_history
from tests.helpers import DATA

HISTORY = DATA / "history_nafta_2017-11-30.yaml"
FIXED = {"US.reservation": 0.7, "calendar.max_extensions": 2.0}


def run_command(negotiate, command: str, runs_dir) -> dict:
    """The summary of a printed ``negotiate sweep`` command, run here with --json."""
    args = shlex.split(command)
    assert args[:2] == ["negotiate", "sweep"]
    result = negotiate(*args[1:], "--json", "--quiet", "--no-report", "--runs-dir", runs_dir)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_view_given_a_history_equals_the_command_it_prints(nafta, negotiate, runs_dir):
    history = load_history(HISTORY, nafta)
    view = whatif.view(nafta, FIXED, seed=3, draws=1000, history=history)
    command = whatif.sweep_command("nafta_2017", 1000, 3, {n: [v] for n, v in FIXED.items()}, str(HISTORY))
    assert command == (
        "negotiate sweep nafta_2017 --draws 1000 --seed 3 --grid US.reservation=0.7 "
        f"--grid calendar.max_extensions=2 --given {HISTORY}"
    )
    summary = run_command(negotiate, command, runs_dir)
    assert summary["points"][0]["params"] == FIXED
    assert view["outcomes"] == summary["outcomes"] == summary["prior"]["outcomes"]
    given = summary["given"]
    assert view["given"]["outcomes"] == given["outcomes"]
    assert view["given"]["matched"] == given["matched"] and 0 < given["matched"] < 1000
    assert view["given"]["facts"] == given["facts"]
    assert view["agreement_date"] == given["agreement_date"]
    assert {issue: t["values"] for issue, t in view["terms"].items()} == given["terms"]
    json.dumps(view)  # JSON-able as it is


def test_a_view_equals_simulate_and_its_odds_sum_to_one(nafta):
    view = whatif.view(nafta, {"US.reservation": 0.7}, seed=5, draws=800)
    frame = api.simulate(nafta, draws=800, seed=5, grid={"US.reservation": [0.7]})
    odds = api.odds(frame).set_index("outcome")
    for name, o in view["outcomes"].items():
        assert o["n"] == odds.loc[name, "n"] and o["p"] == pytest.approx(odds.loc[name, "p"], abs=1e-12)
        assert o["ci95"] == [odds.loc[name, "ci95_low"], odds.loc[name, "ci95_high"]]
        assert o["ci95"][0] <= o["p"] <= o["ci95"][1]
    assert sum(o["n"] for o in view["outcomes"].values()) == 800
    assert sum(o["p"] for o in view["outcomes"].values()) == pytest.approx(1.0)
    agreed = frame["outcome"].isin(["deal"] + [o for o in view["outcomes"] if o.startswith("bilateral_")])
    assert view["agreed"] == int(agreed.sum())
    # the median agreement day and agreed term, by hand from the frame
    days = np.sort(frame.loc[agreed, "end_date"].map(lambda d: d.toordinal()).to_numpy())
    median = days[int(np.ceil(0.5 * len(days))) - 1]  # inverted CDF
    assert view["agreement_date"]["q50"] == dt.date.fromordinal(int(median)).isoformat()
    autos = view["terms"]["auto_rvc"]
    assert autos["values"]["q50"] == pytest.approx(frame.loc[agreed, "x.auto_rvc"].median(), abs=1e-8)
    assert autos["range"] == [50.0, 95.0] and autos["unit"] == "% regional content"
    shares = view["terms"]["sunset"]["values"]
    assert sum(shares.values()) == pytest.approx(1.0) and set(shares) <= {"none", "review", "expiry_5y"}


def test_fixing_a_parameter_replaces_only_its_own_column(nafta):
    _, free = whatif.draw_table(nafta, {}, seed=2, draws=300)
    points, fixed = whatif.draw_table(nafta, {"US.reservation": [0.7]}, seed=2, draws=300)
    assert points == [{"US.reservation": 0.7}]
    assert fixed.column("row").to_pylist() == free.column("row").to_pylist() == list(range(300))
    assert set(fixed.column("param.US.reservation").to_pylist()) == {0.7}
    assert len(set(free.column("param.US.reservation").to_pylist())) == 300  # drawn from its distribution
    others = [c for c in free.column_names if c.startswith("param.") and c != "param.US.reservation"]
    assert len(others) > 30
    for name in others:
        assert fixed.column(name).equals(free.column(name)), name


def test_the_heatmap_cells_are_the_points_of_the_command_it_prints(nafta, negotiate, runs_dir):
    h = whatif.heatmap(nafta, "US.reservation", "calendar.max_extensions", {"CA.reservation": 0.5}, seed=4, draws=150)
    assert h["xs"] == [0.55, 0.625, 0.7, 0.775, 0.85] and h["ys"] == [1.0, 2.0, 3.0]  # a choice of 1, 2 or 3
    assert h["grid"] == {"US.reservation": h["xs"], "calendar.max_extensions": h["ys"], "CA.reservation": [0.5]}
    command = whatif.sweep_command("nafta_2017", 150, 4, h["grid"])
    assert "--grid US.reservation=0.55,0.625,0.7,0.775,0.85 --grid calendar.max_extensions=1,2,3" in command
    summary = run_command(negotiate, command, runs_dir)
    assert len(summary["points"]) == 15
    for k, point in enumerate(summary["points"]):
        i, j = divmod(k, 3)  # the first --grid varies slowest
        cell = h["cells"][j][i]
        params = {"US.reservation": h["xs"][i], "calendar.max_extensions": h["ys"][j], "CA.reservation": 0.5}
        assert point["params"] == params
        assert cell["n"] == 150
        assert cell["outcomes"] == {name: o["p"] for name, o in point["outcomes"].items()}


def test_a_heatmap_given_a_history_counts_the_agreeing_draws_of_each_cell(nafta):
    history = load_history(HISTORY, nafta)
    h = whatif.heatmap(nafta, "US.reservation", "MX.reservation", seed=1, draws=100, history=history, size=2)
    assert h["xs"] == [0.55, 0.85] and h["ys"] == [0.25, 0.45]
    cells = [c for row in h["cells"] for c in row]
    assert h["matched"] == sum(c["n"] for c in cells) and all(0 < c["n"] <= 100 for c in cells)
    for c in cells:
        assert sum(c["outcomes"].values()) == pytest.approx(1.0)


def test_controls_name_every_parameter_with_its_range(nafta):
    controls = {c["name"]: c for c in whatif.controls(nafta)}
    assert list(controls) == [s.name for s in nafta.space.slots]
    res = controls["US.reservation"]
    assert res["prior"] == "uniform 0.55 to 0.85" and res["uncertain"]
    assert (res["lo"], res["hi"], res["start"], res["step"], res["group"]) == (0.55, 0.85, 0.7, 0.001, "US")
    ext = controls["calendar.max_extensions"]
    assert ext["integer"] and ext["prior"] == "one of 1, 2, 3" and (ext["lo"], ext["hi"], ext["start"]) == (1, 3, 2)
    extend = controls["US.p_extend"]  # a constant: a range around it, within its bounds [0, 1]
    assert extend["prior"] == "constant 0.95" and not extend["uncertain"]
    assert (extend["lo"], extend["hi"], extend["start"], extend["bounds"]) == (0.0, 1.0, 0.95, [0.0, 1.0])
    gap = controls["coalitions.CA-MX.accession.gap_days"]
    assert (gap["lo"], gap["hi"], gap["start"]) == (1.0, 60.0, 30.0)
    weight = controls["US.auto_rvc.weight"]
    assert weight["bounds"] == [0.0, 1e6] and weight["start"] == 0.35 and weight["text"] == "0.35"
    assert controls["US.delay_cost"]["text"] == "0" and ext["text"] == "2"


def test_fixed_values_come_in_the_scenarios_order(nafta):
    fixed = whatif.parse_fixed(nafta, ["calendar.max_extensions=2", "US.reservation=0.70", "CA.reservation=.5"])
    assert list(fixed.items()) == [("US.reservation", 0.7), ("CA.reservation", 0.5), ("calendar.max_extensions", 2.0)]
    assert whatif.parse_fixed(nafta, []) == {}


def test_values_and_commands_read_back_exactly():
    for v in (0.7, 2.0, 0.1 + 0.2, 1e-7, -0.05, 1234567.0):
        assert float(whatif.value_text(v)) == v
    assert whatif.value_text(2.0) == "2" and whatif.value_text(0.1 + 0.2) == "0.30000000000000004"
    command = whatif.sweep_command("my case.yaml", 20000, 0, {"A.reservation": [0.5]}, "history.yaml")
    assert command == (
        "negotiate sweep 'my case.yaml' --draws 20000 --seed 0 --grid A.reservation=0.5 --given history.yaml"
    )
    assert whatif.sweep_command("nafta_2017", 100, 1, {}) == "negotiate sweep nafta_2017 --draws 100 --seed 1"


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["US.reservashun=0.7"], "names nothing in the scenario; did you mean US.reservation"),
        (["US.reservation=1.5"], "value 1.5 is outside its allowed range [0, 1]"),
        (["calendar.max_extensions=1.5"], "expected a whole number, got 1.5"),
        (["US.reservation=0.6,0.7"], "US.reservation: give one value to fix it"),
        (["US.reservation=high"], "'high' is not a number"),
        (["US.reservation"], "--grid expects NAME=VALUE"),
    ],
)
def test_bad_fixed_values_are_refused_in_one_line(nafta, items, message):
    with pytest.raises(UserError) as err:
        whatif.parse_fixed(nafta, items)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_no_agreeing_draw_past_deadline_and_bad_counts_are_one_line(nafta):
    facts = {"facts": [{"agreement": "deal", "by": dt.date(2017, 8, 20)}]}  # four days into the talks
    with pytest.raises(UserError, match="no draw of 50 agrees with every fact"):
        whatif.view(nafta, {}, seed=0, draws=50, history=load_history(facts, nafta))
    with pytest.raises(whatif.TooSlow, match="ask for fewer draws"):
        whatif.view(nafta, {}, seed=0, draws=50, deadline=time.monotonic() - 1)
    with pytest.raises(UserError, match="draws must be at least 1"):
        whatif.view(nafta, {}, draws=0)
    with pytest.raises(UserError, match="two different parameters"):
        whatif.heatmap(nafta, "US.reservation", "US.reservation")


def test_worker_pools_share_the_chunks_and_change_nothing(nafta):
    """With a pool the chunks run in its workers and come back in chunk order: the same view and
    heatmap as in the request (a thread pool here; ``negotiate serve`` uses processes); a
    deadline that passes while waiting stops the view."""
    from concurrent.futures import ThreadPoolExecutor

    alone = whatif.view(nafta, FIXED, seed=4, draws=10_200)  # two chunks of the sweep
    with ThreadPoolExecutor(2) as pool:
        assert whatif.view(nafta, FIXED, seed=4, draws=10_200, pool=pool) == alone
        cells = whatif.heatmap(nafta, "US.reservation", "CA.reservation", seed=4, draws=100, size=2, pool=pool)
        assert cells == whatif.heatmap(nafta, "US.reservation", "CA.reservation", seed=4, draws=100, size=2)
        with pytest.raises(whatif.TooSlow):
            whatif.view(nafta, FIXED, seed=5, draws=2500, deadline=time.monotonic(), pool=pool)
