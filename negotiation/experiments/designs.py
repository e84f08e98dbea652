"""Sweep specs: expand a grid or a Latin-hypercube sample into points (pure functions).

A point is a dict from slot name (``US.auto_rvc.ideal``, ``calendar.max_extensions``, ...) to
the constant it takes at that point; every point runs the same Monte Carlo draw rows.
"""

from __future__ import annotations

import difflib
import itertools
import math

import numpy as np

from negotiation.errors import UserError
from negotiation.scenario.params import ParamSpace
from negotiation.scenario.schema import LatinHypercube, SobolDesign, SweepSpec

LHS_STREAM = 0x5EED  # spawn key of the Latin-hypercube stream, apart from the draw table's


def check_name(space: ParamSpace, name: str) -> None:
    """Refuse a parameter name that names no slot, suggesting the closest ones."""
    if name not in space.index:
        close = difflib.get_close_matches(name, list(space.index), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see `negotiate params CONFIG`"
        raise UserError(f"sweep parameter {name!r} names nothing in the scenario{hint}")


def _check_value(space: ParamSpace, name: str, value: float) -> None:
    lo, hi = space[name].bounds
    if not (math.isfinite(value) and lo - 1e-12 <= value <= hi + 1e-12):
        raise UserError(f"sweep parameter {name}: value {value:g} is outside its allowed range [{lo:g}, {hi:g}]")
    if space[name].integer and value != round(value):
        raise UserError(f"sweep parameter {name}: expected a whole number, got {value:g}")


def grid_points(space: ParamSpace, grid: dict[str, list[float]]) -> list[dict[str, float]]:
    """The Cartesian product of the listed values, first parameter varying slowest."""
    names = list(grid)
    for name in names:
        check_name(space, name)
        for v in grid[name]:
            _check_value(space, name, v)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*(grid[n] for n in names))]


def lhs_points(space: ParamSpace, lhs: LatinHypercube, seed: int) -> list[dict[str, float]]:
    """A Latin-hypercube sample: each range cut in ``samples`` strata, one point per stratum,
    strata paired at random (from the sweep's seed, apart from the draw table's stream)."""
    names = list(lhs.ranges)
    for name in names:
        check_name(space, name)
        lo, hi = lhs.ranges[name]
        if lo > hi:
            raise UserError(f"sweep parameter {name}: range low {lo:g} is above high {hi:g}")
        _check_value(space, name, lo)
        _check_value(space, name, hi)
    n = lhs.samples
    rng = np.random.Generator(np.random.Philox(np.random.SeedSequence(seed, spawn_key=(LHS_STREAM,))))
    points = [{} for _ in range(n)]
    for name in names:
        lo, hi = lhs.ranges[name]
        u = (rng.permutation(n) + rng.random(n)) / n
        for k in range(n):
            v = float(lo + u[k] * (hi - lo))
            points[k][name] = float(round(v)) if space[name].integer else v
    return points


def sobol_ranges(space: ParamSpace, spec: SweepSpec) -> dict[str, list[float]]:
    """The ranges of a Sobol design, checked (default: every uncertain parameter's support)."""
    from negotiation.experiments.sensitivity import default_ranges

    ranges = spec.sobol.ranges or default_ranges(space)
    if not ranges:
        raise UserError("a Sobol sweep needs ranges: the scenario has no uncertain parameter; give --range")
    for name, (lo, hi) in ranges.items():
        check_name(space, name)
        if lo >= hi:
            raise UserError(f"sweep parameter {name}: range low {lo:g} must be below high {hi:g}")
        _check_range(space, name, lo, hi)
    return ranges


def _check_range(space: ParamSpace, name: str, lo: float, hi: float) -> None:
    blo, bhi = space[name].bounds
    if lo < blo - 1e-12 or hi > bhi + 1e-12:
        raise UserError(f"sweep parameter {name}: range [{lo:g}, {hi:g}] leaves its allowed range [{blo:g}, {bhi:g}]")


def expand(space: ParamSpace, spec: SweepSpec | None, seed: int) -> list[dict[str, float]]:
    """The points of a sweep spec; a single empty point (the scenario as written) when none."""
    if spec is None or (spec.grid is None and spec.lhs is None and spec.sobol is None):
        return [{}]
    if spec.grid is not None:
        return grid_points(space, spec.grid)
    if spec.sobol is not None:
        from negotiation.experiments.sensitivity import sobol_points

        return sobol_points(space, sobol_ranges(space, spec), spec.sobol.samples, seed)
    return lhs_points(space, spec.lhs, seed)


def parse_assignments(items: tuple[str, ...], what: str) -> dict[str, str]:
    """Parse ``NAME=VALUE`` command-line items."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise UserError(f"{what} expects NAME=VALUE, got {item!r}")
        out[name.strip()] = value.strip()
    return out


def _float(text: str, what: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise UserError(f"{what}: {text!r} is not a number") from None
    if not math.isfinite(v):
        raise UserError(f"{what}: {text!r} is not a finite number")
    return v


def design_spec(
    draws: int,
    grid: dict[str, list[float]] | None = None,
    lhs: int | None = None,
    ranges: dict[str, list[float]] | None = None,
    method: str = "mc",
    samples: int = 64,
) -> SweepSpec | None:
    """A sweep spec from Python values: a ``grid`` {name: values}, or ``lhs`` samples over
    ``ranges`` {name: [low, high]}, or ``method="sobol"`` with ``samples`` (and optional
    ``ranges``); None when none is given (the config's own spec, if any, applies)."""
    if method not in ("mc", "sobol"):
        raise UserError(f"method must be 'mc' or 'sobol', got {method!r}")
    if method == "sobol":
        if grid or lhs is not None:
            raise UserError("--method sobol takes --range (optional) and --samples, not --grid or --lhs")
        if samples < 2:
            raise UserError(f"--samples must be at least 2, got {samples}")
        return SweepSpec(draws=draws, sobol=SobolDesign(samples=samples, ranges=ranges or None))
    if not grid and lhs is None and not ranges:
        return None
    if grid and (lhs is not None or ranges):
        raise UserError("give either --grid or --lhs with --range, not both")
    if grid:
        return SweepSpec(draws=draws, grid={n: [float(v) for v in vs] for n, vs in grid.items()})
    if lhs is None or not ranges:
        raise UserError("--lhs N needs at least one --range NAME=LOW:HIGH (and --range needs --lhs)")
    if lhs < 1:
        raise UserError(f"--lhs must be at least 1, got {lhs}")
    return SweepSpec(draws=draws, lhs=LatinHypercube(samples=lhs, ranges=ranges))


def spec_from_cli(
    grid: tuple[str, ...],
    lhs: int | None,
    ranges: tuple[str, ...],
    draws: int,
    method: str | None = None,
    samples: int = 64,
) -> SweepSpec | None:
    """A sweep spec from ``--grid NAME=v1,v2``, ``--lhs N``, ``--method sobol [--samples N]`` and
    ``--range NAME=lo:hi`` options."""
    values = {
        n: [_float(v, f"--grid {n}") for v in vs.split(",")] for n, vs in parse_assignments(grid, "--grid").items()
    }
    return design_spec(draws, values or None, lhs, _ranges(ranges) or None, method or "mc", samples)


def _ranges(ranges: tuple[str, ...]) -> dict[str, list[float]]:
    rng = {}
    for name, text in parse_assignments(ranges, "--range").items():
        lo, sep, hi = text.partition(":")
        if not sep:
            raise UserError(f"--range {name} expects LOW:HIGH, got {text!r}")
        rng[name] = [_float(lo, f"--range {name}"), _float(hi, f"--range {name}")]
    return rng
