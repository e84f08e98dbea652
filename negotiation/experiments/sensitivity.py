"""Sobol sensitivity of outcome probabilities to the uncertain parameters (SALib, optional).

A Sobol sweep draws Saltelli points over parameter ranges (by default every uncertain parameter
of the scenario over its support, taken as uniform), runs ``--draws`` Monte Carlo draws at each
point, and computes first- and total-order indices of each outcome's probability. The indices
are data; ``negotiation.output.plots.sobol`` draws them.
"""

from __future__ import annotations

import numpy as np

from negotiation.errors import UserError
from negotiation.scenario.params import ParamSpace


def _salib():
    try:
        from SALib.analyze import sobol as analyze
        from SALib.sample import sobol as sample
    except ImportError:
        raise UserError("--method sobol needs SALib: pip install 'negotiation-sim[sensitivity]'") from None
    return sample, analyze


def default_ranges(space: ParamSpace) -> dict[str, list[float]]:
    """Every uncertain parameter over its support (skipping those whose support is a point)."""
    out = {}
    for s in space.slots:
        if s.uncertain:
            lo, hi = s.support()
            if hi > lo:
                out[s.name] = [float(lo), float(hi)]
    return out


def problem(ranges: dict[str, list[float]]) -> dict:
    """The SALib problem for named ranges."""
    return {"num_vars": len(ranges), "names": list(ranges), "bounds": [list(map(float, r)) for r in ranges.values()]}


def sobol_points(space: ParamSpace, ranges: dict[str, list[float]], samples: int, seed: int) -> list[dict]:
    """Saltelli points (``samples`` * (D + 2) of them, first order and total order only)."""
    sample, _ = _salib()
    x = sample.sample(problem(ranges), samples, calc_second_order=False, scramble=True, seed=seed)
    names = list(ranges)
    integer = [space[n].integer for n in names]
    return [{n: float(round(v)) if i else float(v) for n, v, i in zip(names, row, integer, strict=True)} for row in x]


def sobol_indices(ranges: dict[str, list[float]], y: np.ndarray, seed: int) -> dict:
    """First- and total-order indices (with 95% bootstrap half-widths) of output ``y`` per point."""
    _, analyze = _salib()
    y = np.asarray(y, dtype=float)
    if np.ptp(y) == 0:
        zero = {"S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0}
        return {n: dict(zero) for n in ranges}
    res = analyze.analyze(problem(ranges), y, calc_second_order=False, seed=seed, print_to_console=False)
    return {
        n: {k: round(float(res[k][j]), 9) for k in ("S1", "S1_conf", "ST", "ST_conf")} for j, n in enumerate(ranges)
    }


def outcome_sobol(summary: dict, ranges: dict[str, list[float]], seed: int) -> dict:
    """Indices of every outcome's probability across the sweep's points."""
    out = {}
    for name in summary["outcomes"]:
        y = np.array([pt["outcomes"][name]["p"] for pt in summary["points"]])
        out[name] = sobol_indices(ranges, y, seed)
    return out
