"""PRIM scenario discovery: a planted interval box, a planted effect of a swept grid parameter,
value sets in words, and the rows read from an outcomes.parquet."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from negotiation.experiments.discovery import conditions_from_parquet, describe, prim_box, spread_rows

GRID = np.array([0.55, 0.7, 0.85])


def grid_sweep(rng, p_by_point, n=5000):
    """A 3-point sweep of "US.reservation" with ``n`` draws per point: the outcome's probability is
    ``p_by_point`` by grid value; three uniform parameters a, b, c, the same rows at every point
    (common random numbers, as in a sweep), have no effect."""
    u = rng.random((n, 3))
    x = np.column_stack([np.repeat(GRID, n), np.tile(u, (3, 1))])
    y = rng.random(3 * n) < np.repeat(p_by_point, n)
    return x, y, ["US.reservation", "a", "b", "c"]


def test_prim_finds_a_planted_box():
    rng = np.random.default_rng(5)
    x = rng.random((20_000, 3))
    # the outcome is likely only when x0 < 0.3 and x2 > 0.6 (rate 0.9 inside, 0.1 outside)
    inside = (x[:, 0] < 0.3) & (x[:, 2] > 0.6)
    y = rng.random(20_000) < np.where(inside, 0.9, 0.1)
    box = prim_box(x, y, ["a", "b", "c"], min_support=0.05)
    assert set(box["bounds"]) == {"a", "c"}
    assert box["values"] == {}
    assert box["bounds"]["a"][1] == pytest.approx(0.3, abs=0.05)
    assert box["bounds"]["c"][0] == pytest.approx(0.6, abs=0.05)
    assert box["p_box"] > 0.8 > box["p_all"]
    text = describe(box, "deal")
    a_hi, c_lo = box["bounds"]["a"][1], box["bounds"]["c"][0]
    assert text.startswith(f"deal is most likely when a is at most {a_hi:.3g} and c is at least {c_lo:.3g}: ")
    assert f"P(deal) {box['p_box']:.2f} in that box, against {box['p_all']:.2f} overall" in text


def test_a_swept_grid_parameter_is_named_by_its_best_value():
    # P(deal) 0.9 / 0.75 / 0.3 at US.reservation 0.55 / 0.7 / 0.85. Dropping 0.85 lifts the box
    # from 0.65 to (0.9 + 0.75) / 2 = 0.825, then dropping 0.7 to 0.9, at a third of the draws;
    # a 5% peel of an irrelevant parameter lifts it by noise only, and pruning undoes it.
    x, deal, names = grid_sweep(np.random.default_rng(7), [0.9, 0.75, 0.3])
    box = prim_box(x, deal, names)
    assert box["values"] == {"US.reservation": [0.55]}
    assert box["levels"] == {"US.reservation": [0.55, 0.7, 0.85]}
    assert box["bounds"] == {}
    assert box["support"] == pytest.approx(1 / 3)
    assert box["p_box"] == pytest.approx(0.9, abs=0.02)
    assert describe(box, "deal").startswith("deal is most likely when US.reservation is 0.55: P(deal) 0.9")
    # termination (the complement) is most likely at the highest reservation value
    box = prim_box(x, ~deal, names)
    assert box["values"] == {"US.reservation": [0.85]}
    assert describe(box, "termination").startswith("termination is most likely when US.reservation is 0.85")


def test_a_categorical_cut_is_a_value_set_in_words():
    # four levels: the outcome's rate is 0.8 at 1 and 2 and 0.2 at 3 and 4 (not monotone in a way a
    # threshold on the interior could find, so the box keeps exactly {1, 2})
    rng = np.random.default_rng(11)
    k = rng.permutation(np.repeat([1.0, 2.0, 3.0, 4.0], 3000))
    order = {1.0: 0.8, 2.0: 0.8, 3.0: 0.2, 4.0: 0.2}
    y = rng.random(k.size) < np.vectorize(order.get)(k)
    x = np.column_stack([k, rng.random(k.size)])
    box = prim_box(x, y, ["k", "u"])
    assert box["values"] == {"k": [1.0, 2.0]}
    assert describe(box, "deal").startswith("deal is most likely when k is in {1, 2}: ")


def test_value_sets_are_said_by_the_shorter_list():
    box = {"bounds": {}, "ranges": {}, "p_box": 0.9, "p_all": 0.5, "support": 0.4}
    levels = {"n": [0.0, 1.0, 2.0, 3.0, 4.0]}
    for kept, words in (
        ([2.0], "n is 2"),
        ([1.0, 3.0], "n is in {1, 3}"),
        ([0.0, 1.0, 2.0], "n is in {0, 1, 2}"),
        ([0.0, 1.0, 2.0, 4.0], "n is not 3"),
    ):
        text = describe({**box, "values": {"n": kept}, "levels": levels}, "deal")
        assert text.startswith(f"deal is most likely when {words}: "), text


def test_ties_at_the_end_of_a_whole_number_column_do_not_stop_the_peel():
    # 15 whole-number values (too many to be categorical), each holding 1/15 > alpha = 5% of the
    # draws, so the 5% and 95% quantiles are the minimum and maximum themselves and a quantile cut
    # would keep every draw; the cut moves to the next value instead. The outcome is likely at 13
    # and 14 (2/15 = 13% of the draws, above min_support).
    rng = np.random.default_rng(3)
    m = rng.integers(0, 15, 30_000).astype(float)
    y = rng.random(m.size) < np.where(m >= 13, 0.9, 0.2)
    box = prim_box(m[:, None], y, ["m"])
    assert box["values"] == {}
    assert box["bounds"] == {"m": [13.0, 14.0]}
    assert describe(box, "deal").startswith("deal is most likely when m is at least 13: ")


def test_conditions_read_draws_from_every_point(tmp_path):
    # Rows are stored point by point; the first `limit` rows would all be at US.reservation 0.55
    # and could not show its effect.
    x, deal, _ = grid_sweep(np.random.default_rng(7), [0.9, 0.75, 0.3])
    outcome = np.where(deal, "deal", "termination")
    table = pa.table(
        {"outcome": outcome, **{f"param.{n}": x[:, j] for j, n in enumerate(["US.reservation", "a", "b", "c"])}}
    )
    path = tmp_path / "outcomes.parquet"
    pq.write_table(table, path, row_group_size=4096)
    rows = spread_rows(path, ["param.US.reservation"], limit=1000)
    assert rows.num_rows == 1000  # every 15th of 15,000 rows
    assert np.array_equal(rows.column(0).to_numpy(), x[::15, 0])
    out = conditions_from_parquet(path, limit=5000)
    assert out["deal"]["values"] == {"US.reservation": [0.55]}
    assert out["termination"]["values"] == {"US.reservation": [0.85]}
    assert out["deal"]["draws"] == 5000  # every 3rd row
    assert out["deal"]["text"].startswith("deal is most likely when US.reservation is 0.55: ")
