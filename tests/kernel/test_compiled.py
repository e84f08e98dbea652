"""The compiled kernel (``negotiation.kernel.jit``): the numba functions give the values the rules
state, the same bits as the same functions run as plain Python, and results that do not depend on
how the batch is cut into blocks."""

import datetime as dt
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

import negotiation as ng
from negotiation.drivers import batch
from negotiation.drivers.batch import run_rows
from negotiation.kernel.codes import Shape
from negotiation.kernel.rules import add_months, months_after
from negotiation.kernel.utility import continuous_value, discrete_value
from tests.helpers import learning_flagship

FIELDS = ("outcome", "rounds", "end_day", "agreement", "utilities", "pareto_gap")


def test_continuous_value_by_hand():
    # ideal 0.3 on [0, 1]: the farther end is 0.7 away; x = 0.2 is d = 0.1 / 0.7 = 1/7 from it
    d = 1 / 7
    x = np.array([0.2, 0.2, 0.2, 0.3, 1.0, 1.5])
    shape = np.array([Shape.LINEAR, Shape.CONCAVE, Shape.CONVEX, Shape.CONVEX, Shape.LINEAR, Shape.LINEAR])
    got = continuous_value(x, 0.3, 0.0, 1.0, shape)
    np.testing.assert_allclose(got, [1 - d, 1 - d * d, (1 - d) ** 2, 1.0, 0.0, 0.0], rtol=0, atol=1e-15)


def test_continuous_value_broadcasts_like_numpy():
    x = np.linspace(0, 10, 12).reshape(4, 3)
    ideal = np.array([[2.0], [5.0], [8.0], [10.0]])
    got = continuous_value(x, ideal, 0.0, 10.0, int(Shape.LINEAR))
    assert got.shape == (4, 3)
    far = np.maximum(ideal, 10.0 - ideal)
    np.testing.assert_array_equal(got, 1.0 - np.clip(np.abs(x - ideal) / far, 0.0, 1.0))


def test_discrete_value_rounds_and_falls_back_to_the_first_option():
    values = np.array([[0.1, 0.5, 0.9]] * 5)
    # 1.4 rounds to 1, 1.5 to 2 (half to even), 2.6 to 3: off the table, so option 0 as before
    assert discrete_value(np.array([0.0, 1.4, 1.5, 2.6, -1.0]), values).tolist() == [0.1, 0.5, 0.9, 0.1, 0.1]


@settings(max_examples=200, deadline=None)
@given(
    hs.lists(hs.integers(dt.date(1990, 1, 1).toordinal(), dt.date(2040, 12, 31).toordinal()), min_size=1, max_size=20),
    hs.integers(0, 48),
)
def test_months_after_is_add_months_over_arrays(days, months):
    got = months_after(np.array(days), months)
    assert got.tolist() == [add_months(dt.date.fromordinal(d), months).toordinal() for d in days]


def test_months_after_clips_to_the_end_of_the_month():
    jan31 = dt.date(2018, 1, 31).toordinal()
    got = months_after(np.array([jan31, jan31, jan31]), np.array([1, 13, 25]))
    ends = [dt.date(2018, 2, 28), dt.date(2019, 2, 28), dt.date(2020, 2, 29)]
    assert [dt.date.fromordinal(int(d)) for d in got] == ends


def _same(a, b):
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    for name in a.path:
        np.testing.assert_array_equal(a.path[name], b.path[name], err_msg=name)


@pytest.mark.parametrize("name", ["nafta_2017", "teaching_chapters"])
def test_blocks_change_no_result(monkeypatch, name):
    """The batch driver plays ``BLOCK_ROWS`` rows at a time: any cut gives the same bits, belief
    errors included (summed in a fixed order, not by numpy's layout-dependent reductions)."""
    loaded = ng.load(name)
    whole = run_rows(loaded.structure, loaded.space, 5, 0, 300)
    monkeypatch.setattr(batch, "BLOCK_ROWS", 37)
    _same(whole, run_rows(loaded.structure, loaded.space, 5, 0, 300))


def test_learning_blocks_change_no_result(monkeypatch):
    loaded = learning_flagship()
    whole = run_rows(loaded.structure, loaded.space, 2, 0, 120)
    monkeypatch.setattr(batch, "BLOCK_ROWS", 50)
    _same(whole, run_rows(loaded.structure, loaded.space, 2, 0, 120))


PLAIN = """
import hashlib, sys
import numpy as np
import negotiation as ng
from negotiation.drivers.batch import run_rows
loaded = ng.load("nafta_2017")
res = run_rows(loaded.structure, loaded.space, 11, 0, 40)
h = hashlib.sha256()
for name in {fields!r}:
    h.update(np.ascontiguousarray(getattr(res, name)).tobytes())
for name in sorted(res.path):
    h.update(np.ascontiguousarray(res.path[name]).tobytes())
print(h.hexdigest())
"""


@pytest.mark.slow
def test_compiled_and_plain_python_give_the_same_bits():
    """The same kernel functions run as plain Python (``NUMBA_DISABLE_JIT=1``) and compiled give
    byte-identical results on flagship draws (accession terms, offers, beliefs)."""
    code = PLAIN.format(fields=FIELDS)
    out = {}
    for disable in ("0", "1"):
        env = {**os.environ, "NUMBA_DISABLE_JIT": disable}
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        out[disable] = proc.stdout.strip()
    assert out["0"] == out["1"] and len(out["0"]) == 64
