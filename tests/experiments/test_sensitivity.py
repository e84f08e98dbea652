"""Sobol indices are checked on the Ishigami function (known analytic indices) before they are
trusted on the simulator (PRIM scenario discovery: tests/experiments/test_discovery.py)."""

import numpy as np
import pytest

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
