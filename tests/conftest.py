"""Fixtures shared by several suites. Module-level needs (parametrize ids, scenarios loaded at
import) use the constants of ``tests/helpers.py`` that these fixtures wrap."""

from __future__ import annotations

from pathlib import Path

import pytest

from negotiation.cli.commands import cli
from negotiation.scenario.loader import Loaded, load_scenario
from tests.helpers import CONFIGS, cli_runner


@pytest.fixture(scope="session")
def configs() -> Path:
    """The folder of the bundled scenarios (``configs/`` in the repository)."""
    return CONFIGS


@pytest.fixture(scope="session")
def nafta() -> Loaded:
    """The flagship scenario, loaded once and shared by every test: do not change it (derive
    another space with ``space.with_values``, another scenario from the YAML text)."""
    return load_scenario(CONFIGS / "nafta_2017.yaml")


@pytest.fixture
def runs_dir(tmp_path) -> Path:
    """A ``--runs-dir`` that does not exist yet, so a test can check that nothing was written."""
    return tmp_path / "runs"


@pytest.fixture(scope="session")
def negotiate():
    """``negotiate(*args, input=None)``: the command line run in this process; arguments are
    turned into strings; returns click's ``Result`` (``.stdout`` and ``.stderr`` apart)."""
    runner = cli_runner()

    def invoke(*args, input: str | None = None):
        return runner.invoke(cli, [str(a) for a in args], input=input)

    return invoke


@pytest.fixture
def ok(negotiate):
    """``ok(*args)``: the command line, which must succeed; its result."""

    def run(*args):
        result = negotiate(*args)
        assert result.exit_code == 0, result.output + str(result.exception)
        return result

    return run
