"""Helpers for kernel tests: tiny scenarios written as Python dicts, and kernel inputs with
named slots overridden."""

from __future__ import annotations

import datetime as dt

import numpy as np
import yaml

from negotiation.kernel.draws import build_inputs
from negotiation.kernel.inputs import Inputs
from negotiation.scenario.loader import Loaded, load_scenario_text


def scenario(
    profiles: dict,
    issues: dict,
    calendar: dict | None = None,
    stakes: dict | None = None,
    coalitions: list | None = None,
) -> Loaded:
    """Load a scenario from a profile per party and issue specs (YAML-able dicts)."""
    data = {
        "name": "test",
        "parties": {p: {"name": p} for p in profiles},
        "issues": issues,
        "profiles": profiles,
        "calendar": calendar
        or {"rounds": [dt.date(2024, 1, 1)], "deadline": dt.date(2024, 1, 31), "horizon": dt.date(2024, 12, 31)},
    }
    if stakes:
        data["stakes"] = stakes
    if coalitions:
        data["coalitions"] = coalitions
    return load_scenario_text(yaml.safe_dump(data, sort_keys=False))


def slot_rows(loaded: Loaded, rows: list[dict]) -> np.ndarray:
    """A (B, n_slots) matrix: the base values with each row's named slots overridden."""
    base = loaded.space.base()
    m = np.repeat(base[None, :], len(rows), axis=0)
    for r, over in enumerate(rows):
        for name, v in over.items():
            m[r, loaded.space.index[name]] = v
    return m


def inputs(loaded: Loaded, rows: list[dict] | None = None) -> Inputs:
    """Kernel inputs for a batch (one row of base values by default)."""
    return build_inputs(loaded.structure, loaded.space, slot_rows(loaded, rows or [{}]))
