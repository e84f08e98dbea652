"""Helpers shared by several suites: where the bundled configs are, a CLI runner, tiny scenarios
written as Python dicts or YAML, and kernel inputs with named slots overridden. Fixtures built on these
live in ``tests/conftest.py``."""

from __future__ import annotations

import datetime as dt
import inspect
from pathlib import Path

import numpy as np
import yaml
from click.testing import CliRunner

from negotiation.kernel.draws import build_inputs
from negotiation.kernel.inputs import Inputs
from negotiation.scenario.loader import Loaded, load_scenario_text

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"  # the bundled scenarios (installed as negotiation.configs)
DATA = Path(__file__).resolve().parent / "data"  # fixtures kept with the tests


def cli_runner() -> CliRunner:
    """A runner that keeps stderr apart from stdout (click 8.2+ always does; 8.1 needs a flag)."""
    if "mix_stderr" in inspect.signature(CliRunner).parameters:
        return CliRunner(mix_stderr=False)
    return CliRunner()


def scenario(
    profiles: dict,
    issues: dict,
    calendar: dict | None = None,
    stakes: dict | None = None,
    coalitions: list | None = None,
    **extra,
) -> Loaded:
    """Load a scenario from a profile per party and issue specs (YAML-able dicts); ``extra``
    top-level keys (``information``, ``beliefs``, ...) as given."""
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
    data.update(extra)
    return load_scenario_text(yaml.safe_dump(data, sort_keys=False))


TWO_PARTY = """
name: split
parties: {{A: {{name: A}}, B: {{name: B}}}}
issues:
  price: {{range: [0, 100], status_quo: 50}}
  speed: {{range: [0, 10], status_quo: 5}}
profiles:
  A:
    reservation: {res_a}
    issues:
      price: {{weight: {wa1}, ideal: 0}}
      speed: {{weight: {wa2}, ideal: 10}}
    strategy: {{name: linear}}
  B:
    reservation: {res_b}
    issues:
      price: {{weight: {wb1}, ideal: 100}}
      speed: {{weight: {wb2}, ideal: 0}}
    strategy: {{name: linear}}
calendar:
  rounds: [2024-01-01, 2024-01-11, 2024-01-21, 2024-01-31, 2024-02-10, 2024-02-20, 2024-03-01,
           2024-03-11, 2024-03-21, 2024-03-31]
  deadline: 2024-03-31
  horizon: 2024-12-31
"""


def two_party(res_a=0.2, res_b=0.2, wa1=0.5, wa2=0.5, wb1=0.5, wb2=0.5) -> Loaded:
    """Two parties, two linear issues on opposite sides (A wants price 0 and speed 10)."""
    return load_scenario_text(TWO_PARTY.format(res_a=res_a, res_b=res_b, wa1=wa1, wa2=wa2, wb1=wb1, wb2=wb2))


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


def learning_flagship() -> Loaded:
    """The flagship with every party's strategy wrapped in ``learning`` (private information)."""
    text = (CONFIGS / "nafta_2017.yaml").read_text(encoding="utf-8")
    old = "      name: time_dependent\n      params:\n"
    assert text.count(old) == 3
    text = text.replace(old, "      name: learning\n      params:\n        base: time_dependent\n")
    return load_scenario_text(text).with_information("private")


JOINERS = """
name: joiners
parties: {{A: {{name: A}}, B: {{name: B}}, C: {{name: C}}}}
issues:
  x: {{range: [0, 1], status_quo: 0.5}}
profiles:
  A: {{reservation: 0.2, issues: {{x: {{weight: 1, ideal: 1}}}}, strategy: {{name: linear}}}}
  B: {{reservation: 0.2, issues: {{x: {{weight: 1, ideal: 1}}}}, strategy: {{name: linear}}}}
  C: {{reservation: 0.2, issues: {{x: {{weight: 1, ideal: 0}}}}, strategy: {{name: linear}}}}
stakes:
  c_out: {{holder: A, affects: C, value: {stake}, when: [bilateral_A_B]}}
coalitions:
  - {{pair: [A, B], p_open: 1.0{accession}}}
calendar: {{rounds: [2024-01-01], deadline: 2024-01-31, horizon: 2024-12-31}}
"""


def joiners(stake="-0.5", accession: bool = True) -> str:
    """Three parties, one issue: A and B want x = 1, C wants 0. A opens with x = 1 on 2024-01-01,
    B accepts and C refuses, so A and B sign a bilateral deal that day (its path is always open).
    With ``accession`` C may join, on the signed text, every 30 days for 6 months: the text is worth
    0 to C and staying out its reservation plus its stake, 0.2 + ``stake``, so C joins on
    2024-01-31 when the stake is at most -0.2 and never otherwise (the deal stands, dated its
    signing). Without accession the bilateral deal ends the talks. The config's YAML text."""
    more = ", accession: {gap_days: 30, window_months: 6, amendments: false}" if accession else ""
    return JOINERS.format(stake=stake, accession=more)


CHAPTERS = """
name: chapters
parties: {{A: {{name: A}}, B: {{name: B}}}}
issues:
  x: {{range: [0, 1], status_quo: 0.5}}
  y: {{range: [0, 1], status_quo: 0.0}}
profiles:
  A:
    reservation: 0.3
    issues: {{x: {{weight: 1, ideal: 1}}, y: {{weight: 1, ideal: 0.5}}}}
    strategy: {{name: linear}}
  B:
    reservation: 0.3
    issues: {{x: {{weight: 1, ideal: 0}}, y: {{weight: 1, ideal: {b_y}}}}}
    strategy: {{name: linear}}
calendar: {{rounds: [2024-01-01, 2024-02-01, 2024-03-01], deadline: 2024-03-01, horizon: 2024-12-31}}
protocol: single_text
closing: chapters
"""


def chapters(b_y=0.5) -> str:
    """Two parties on a single negotiating text, closing chapter by chapter: on x they are
    opposite (A wants 1, B 0), on y A wants 0.5 and B ``b_y``. The mediator's first text (2024-01-01)
    is the mean of their opening positions, their ideals; where both want y = 0.5 its chapter
    closes that day, x stays open, and both accept the text (x = y = 0.5, worth 0.75 to each) on
    2024-02-01. The config's YAML text."""
    return CHAPTERS.format(b_y=b_y)


def synthetic(parties: int, issues: int, rounds: int, options: int = 5) -> str:
    """YAML of a scenario of any size: every other issue discrete (``options`` options), the rest
    continuous on [0, 100]; each party's ideals spread, weights and reservations uncertain; weekly
    rounds, the horizon 400 days after the deadline. For the bounds on the work a scenario asks for."""
    issue_specs, profiles = {}, {}
    for i in range(issues):
        discrete = i % 2 == 1
        spec = {"options": [f"o{k}" for k in range(options)], "status_quo": "o0"}
        issue_specs[f"i{i}"] = spec if discrete else {"range": [0, 100], "status_quo": 50}
    for p in range(parties):
        prefs = {}
        for i in range(issues):
            ideal = f"o{(p + i) % options}" if i % 2 else 100 * ((p + i) % parties) / max(parties - 1, 1)
            prefs[f"i{i}"] = {"weight": {"dist": "uniform", "low": 0.2, "high": 1.0}, "ideal": ideal}
        profiles[f"P{p}"] = {"reservation": {"dist": "uniform", "low": 0.5, "high": 0.9}, "issues": prefs}
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=7 * k) for k in range(rounds)]
    data = {
        "name": f"synthetic {parties} x {issues} x {rounds}",
        "parties": {f"P{p}": {"name": f"Party {p}"} for p in range(parties)},
        "issues": issue_specs,
        "profiles": profiles,
        "calendar": {"rounds": days, "deadline": days[-1], "horizon": days[-1] + dt.timedelta(days=400)},
    }
    return yaml.safe_dump(data, sort_keys=False)
