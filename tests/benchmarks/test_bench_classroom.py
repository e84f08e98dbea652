"""`benchmarks/bench_classroom.py --quick`: a small class against a real server, killed halfway."""

import importlib.util
import json
import sys

import pytest

from tests.helpers import ROOT

pytest.importorskip("waitress", reason="the classroom needs waitress")


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_classroom", ROOT / "benchmarks" / "bench_classroom.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_a_quick_class_has_no_errors_and_loses_nothing_to_a_kill(tmp_path):
    result = _load_bench().main(["--quick", "--json", str(tmp_path / "bench.json")])
    assert json.loads((tmp_path / "bench.json").read_text()) == result
    load = result["load"]
    assert result["rooms"] == 2 and result["teams"] == 6
    assert load["errors"] == 0, load["error_kinds"]
    assert result["decisions_accepted"] > 0 and result["lost"] == 0
    assert 0 < load["restart_listening_seconds"] <= load["recovery_seconds"]
    assert set(load["by_kind"]) >= {"state.json", "team page", "instructor page"}
    assert load["during_restart"] > 0  # the probe at least, counted apart from the errors
