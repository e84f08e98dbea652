"""Strategies from outside the package: a user's module, a notebook or script (``__main__``),
and an installed package's entry point in the group ``negotiation.strategies``."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from negotiation.strategies.registry import REGISTRY

import negotiation as ng

ROOT = Path(__file__).resolve().parents[2]

STUBBORN = '''
"""A test strategy: holds a fixed share of its range, never less."""
import numpy as np

from negotiation import ParamSpec, Strategy, Traits, register


@register
class {cls}(Strategy):
    name = "{name}"
    summary = "holds a fixed share of the way from reservation to ideal"
    traits = Traits(concession="fixed", uses_deadline=False, models_opponents=False, stochastic=False)
    params = {{"share": ParamSpec(0.5, low=0.0, high=1.0, doc="share of the range held")}}

    def target(self, sit, prm):
        return np.maximum(sit.u_res + prm["share"] * (sit.u_max - sit.u_res), sit.u_res)
'''


def _config(tmp_path: Path, strategy: str) -> Path:
    text = (ROOT / "configs" / "teaching_split.yaml").read_text()
    import yaml

    data = yaml.safe_load(text)
    data["profiles"]["S"]["strategy"] = {"name": strategy, "params": {"share": 0.3}}
    path = tmp_path / f"split_{strategy}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_a_strategy_in_a_users_module_runs_in_worker_processes_too(tmp_path, monkeypatch):
    (tmp_path / "my_strategies.py").write_text(STUBBORN.format(cls="Stubborn", name="test_stubborn_module"))
    monkeypatch.syspath_prepend(str(tmp_path))
    import my_strategies  # noqa: F401  (registers the strategy, as a user's import would)

    try:
        config = _config(tmp_path, "test_stubborn_module")
        one = ng.simulate(config, draws=120, seed=3)
        two = ng.simulate(config, draws=120, seed=3, workers=2)
        assert one.equals(two)
        assert "test_stubborn_module" in ng.strategies.available()
    finally:
        REGISTRY.pop("test_stubborn_module", None)
        sys.modules.pop("my_strategies", None)


def test_a_strategy_defined_in_main_is_refused_for_workers_before_any_work(tmp_path):
    namespace = {"__name__": "__main__"}
    exec(STUBBORN.format(cls="MainStubborn", name="test_stubborn_main"), namespace)  # as a notebook cell would
    try:
        config = _config(tmp_path, "test_stubborn_main")
        assert len(ng.simulate(config, draws=20, seed=1)) == 20  # in-process: fine
        with pytest.raises(ng.UserError) as err:
            ng.simulate(config, draws=20, seed=1, workers=2)
        msg = str(err.value)
        assert "__main__" in msg and "workers=1" in msg and "\n" not in msg
        out = tmp_path / "runs"
        with pytest.raises(ng.UserError):
            ng.sweep(config, draws=20, seed=1, workers=2, runs_dir=out)
        assert not out.exists()  # refused before anything was written
    finally:
        REGISTRY.pop("test_stubborn_main", None)


@pytest.mark.slow
def test_an_installed_plugin_package_appears_in_the_cli(tmp_path):
    pkg = tmp_path / "plugin"
    (pkg / "stubborn_plugin").mkdir(parents=True)
    (pkg / "stubborn_plugin" / "__init__.py").write_text(STUBBORN.format(cls="PluginStubborn", name="stubborn"))
    (pkg / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [build-system]
            requires = ["setuptools>=61"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "stubborn-plugin"
            version = "1.0"

            [project.entry-points."negotiation.strategies"]
            stubborn = "stubborn_plugin"

            [tool.setuptools]
            packages = ["stubborn_plugin"]
            """
        )
    )
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(site),
            str(pkg),
        ],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    negotiate = [sys.executable, "-m", "negotiation"]

    def cli(*args):
        return subprocess.run([*negotiate, *args], capture_output=True, text=True, env=env, cwd=tmp_path)

    listed = cli("strategies")
    assert listed.returncode == 0, listed.stderr
    assert any(line.startswith("stubborn ") for line in listed.stdout.splitlines())
    config = _config(tmp_path, "stubborn")
    run = cli("run", str(config), "--json", "--no-report", "--runs-dir", str(tmp_path / "runs"))
    assert run.returncode == 0, run.stderr
    tour = cli(
        "tournament",
        str(config),
        "--strategies",
        "stubborn,linear",
        "--draws",
        "20",
        "--workers",
        "2",
        "--no-report",
        "--runs-dir",
        str(tmp_path / "runs"),
        "--json",
    )
    assert tour.returncode == 0, tour.stderr
    # without the plugin on the path, the config names an unknown strategy: one line, exit 2
    gone = subprocess.run([*negotiate, "validate", str(config)], capture_output=True, text=True, cwd=tmp_path)
    assert gone.returncode == 2 and "unknown strategy 'stubborn'" in gone.stderr
    assert len(gone.stderr.strip().splitlines()) == 1
