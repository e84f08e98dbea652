"""What a plain (not editable) install puts in site-packages: the project's namespace only,
with its strategies, bundled scenarios and the classroom's files."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest


@pytest.mark.slow
def test_the_wheel_installs_nothing_but_the_negotiation_namespace(tmp_path):
    root = Path(__file__).resolve().parent.parent
    src = tmp_path / "src"  # a copy, so that the build leaves nothing in the checkout
    src.mkdir()
    for item in ("negotiation", "agents", "configs", "pyproject.toml", "README.md"):
        copy = shutil.copytree if (root / item).is_dir() else shutil.copy
        copy(
            root / item,
            src / item,
            **({"ignore": shutil.ignore_patterns("__pycache__")} if copy is shutil.copytree else {}),
        )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(src)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("negotiation_sim-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"negotiation", next(t for t in tops if t.endswith(".dist-info"))}
    for needed in (
        "negotiation/strategies/time_dependent.py",
        "negotiation/strategies/registry.py",
        "negotiation/configs/nafta_2017.yaml",
        "negotiation/configs/teaching_split.yaml",
        "negotiation/configs/bdm_ec_emissions.yaml",
        "negotiation/kernel/protocol.py",
        "negotiation/output/plots/outcome_odds.py",
        "negotiation/classroom/templates/base.html",
        "negotiation/classroom/static/app.js",
    ):
        assert needed in names, needed
    assert not any(n.startswith(("agents/", "configs/", "tests/")) for n in names)
    # every module of the source tree is in the wheel (pyproject.toml lists the packages by hand)
    for source in (root / "negotiation").rglob("*.py"):
        assert source.relative_to(root).as_posix() in names, source
    for source in (root / "agents").glob("*.py"):
        assert f"negotiation/strategies/{source.name}" in names, source
