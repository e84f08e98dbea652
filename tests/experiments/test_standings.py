"""A tournament's standings (negotiation.experiments.standings) on a case worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from negotiation.experiments.standings import Standings, t_interval
from negotiation.experiments.statistics import wilson
from negotiation.experiments.tournament import assignments

T1 = 12.706204736174698  # t(0.975, 1 degree of freedom)

# Two parties A, B and two strategies x, y: assignments xx, xy, yx, yy; two draw rows.
PLAN = assignments(["A", "B"], ["x", "y"])
U = np.array(
    [
        [[0.6, 0.4], [0.5, 0.5]],  # xx: row 0, row 1 (A, B)
        [[0.8, 0.2], [0.7, 0.1]],  # xy
        [[0.3, 0.9], [0.2, 0.6]],  # yx
        [[0.5, 0.5], [0.4, 0.4]],  # yy
    ]
)
OUTCOME = np.array([[0, 1], [0, 0], [1, 1], [0, 1]])  # 0 = deal


def standings(chunked: bool) -> dict:
    s = Standings(PLAN, ["x", "y"], ["A", "B"], deal=0)
    if chunked:  # row by row, the second row first: the same result
        s.add(1, U[:, 1:], OUTCOME[:, 1:])
        s.add(0, U[:, :1], OUTCOME[:, :1])
    else:
        s.add(0, U, OUTCOME)
    return s.result()


@pytest.mark.parametrize("chunked", [False, True])
def test_standings_by_hand(chunked):
    res = standings(chunked)
    x, y = res["standings"]
    # x plays slots (xx, A), (xx, B), (xy, A), (yx, B): row 0 (.6 + .4 + .8 + .9) / 4 = .675,
    # row 1 (.5 + .5 + .7 + .6) / 4 = .575; mean .625, sd .1 / sqrt 2, se .05
    assert (x["strategy"], x["rank"], x["slots"], x["games"], x["n_draws"]) == ("x", 1, 4, 3, 2)
    assert x["mean_utility"] == pytest.approx(0.625)
    assert x["mean_utility_ci95"] == pytest.approx([0.625 - T1 * 0.05, 0.625 + T1 * 0.05])
    # y: row 0 (.2 + .3 + .5 + .5) / 4 = .375, row 1 (.1 + .2 + .4 + .4) / 4 = .275
    assert (y["strategy"], y["rank"]) == ("y", 2)
    assert y["mean_utility"] == pytest.approx(0.325)
    assert y["mean_utility_ci95"] == pytest.approx([0.325 - T1 * 0.05, 0.325 + T1 * 0.05])
    # deal shares: x's games xx, xy, yx end in deals 2 of 3 in row 0, 1 of 3 in row 1: rate .5;
    # y's xy, yx, yy likewise; Wilson on the 2 rows
    for r in (x, y):
        assert r["deal_rate"] == pytest.approx(0.5)
        assert r["deal_rate_ci95"] == pytest.approx(list(wilson(1, 2)))
    # pairwise: x against y is slots (xy, A) and (yx, B): rows .85, .65; y against x (xy, B) and
    # (yx, A): .25, .15; the diagonal is the all-x (.5, .5) and all-y (.5, .4) games
    cells = res["pairwise"]
    assert cells["x"]["y"]["mean_utility"] == pytest.approx(0.75)
    assert cells["x"]["y"]["ci95"] == pytest.approx([0.75 - T1 * 0.1, 0.75 + T1 * 0.1])
    assert cells["y"]["x"]["mean_utility"] == pytest.approx(0.2)
    assert cells["x"]["x"]["mean_utility"] == pytest.approx(0.5)
    assert cells["x"]["x"]["ci95"] == pytest.approx([0.5, 0.5])
    assert cells["y"]["y"]["mean_utility"] == pytest.approx(0.45)
    assert all(cells[a][b]["slots"] == 2 for a in "xy" for b in "xy")


def test_t_interval_of_one_value_has_no_interval():
    assert t_interval(0.7, 0.0, 1) == (0.7, None)
    mean, ci = t_interval(1.5, 0.5, 2)  # values 1 and 2: mean 1.5, m2 .5, sd sqrt(.5), se .5
    assert mean == 1.5 and ci == pytest.approx([1.5 - T1 * 0.5, 1.5 + T1 * 0.5])
