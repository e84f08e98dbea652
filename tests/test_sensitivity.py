"""Sobol indices are checked on the Ishigami function (known analytic indices) before they are
trusted on the simulator; PRIM peeling on a planted box."""

import numpy as np
import pytest

from negotiation.experiments.discovery import describe, prim_box

pytest.importorskip("SALib")

from negotiation.experiments.sensitivity import problem, sobol_indices  # noqa: E402


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_ishigami_indices_match_theory():
    # Analytic values for a = 7, b = 0.1 (Ishigami and Homma 1990; Sobol' 1993):
    # V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2 = 13.8446;
    # S1 = (0.5 (1 + b pi^4/5)^2) / V = 0.3139, S2 = (a^2/8) / V = 0.4424, S3 = 0;
    # ST1 = 0.5576, ST2 = 0.4424, ST3 = 0.2437.
    from SALib.sample import sobol as sample

    ranges = {"x1": [-np.pi, np.pi], "x2": [-np.pi, np.pi], "x3": [-np.pi, np.pi]}
    x = sample.sample(problem(ranges), 4096, calc_second_order=False, seed=3)
    idx = sobol_indices(ranges, ishigami(x), seed=3)
    for name, s1, st in (("x1", 0.3139, 0.5576), ("x2", 0.4424, 0.4424), ("x3", 0.0, 0.2437)):
        assert idx[name]["S1"] == pytest.approx(s1, abs=0.03)
        assert idx[name]["ST"] == pytest.approx(st, abs=0.03)


def test_constant_output_has_zero_indices():
    idx = sobol_indices({"a": [0, 1], "b": [0, 1]}, np.ones(8), seed=1)
    assert idx == {n: {"S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0} for n in ("a", "b")}


def test_prim_finds_a_planted_box():
    rng = np.random.default_rng(5)
    x = rng.random((20_000, 3))
    # the outcome is likely only when x0 < 0.3 and x2 > 0.6 (rate 0.9 inside, 0.1 outside)
    inside = (x[:, 0] < 0.3) & (x[:, 2] > 0.6)
    y = rng.random(20_000) < np.where(inside, 0.9, 0.1)
    box = prim_box(x, y, ["a", "b", "c"], min_support=0.05)
    assert set(box["bounds"]) == {"a", "c"}
    assert box["bounds"]["a"][1] == pytest.approx(0.3, abs=0.05)
    assert box["bounds"]["c"][0] == pytest.approx(0.6, abs=0.05)
    assert box["p_box"] > 0.8 > box["p_all"]
    text = describe(box, "deal")
    a_hi, c_lo = box["bounds"]["a"][1], box["bounds"]["c"][0]
    assert text.startswith(f"deal is most likely when a is at most {a_hi:.3g} and c is at least {c_lo:.3g}: ")
    assert f"P(deal) {box['p_box']:.2f} in that box, against {box['p_all']:.2f} overall" in text
