"""The how-to pages are executable: every Python block of docs/api.md runs, in order, in an
empty folder, and every public name has its section."""

import re
from pathlib import Path

import pytest

import negotiation as ng

ROOT = Path(__file__).resolve().parent.parent
API = ROOT / "docs" / "api.md"


def test_every_public_name_has_a_section_in_docs_api():
    headings = re.findall(r"^### (.+)$", API.read_text(), flags=re.M)
    named = {n.strip("` ") for h in headings for n in re.findall(r"`?(\w+)", h.split("(")[0])}
    assert set(ng.__all__) - {"__version__"} <= named


@pytest.mark.slow
def test_the_examples_of_docs_api_run(tmp_path, monkeypatch, capsys):
    from negotiation.strategies.registry import REGISTRY

    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", API.read_text(), flags=re.S)
    assert len(blocks) >= 15
    namespace = {"__name__": "docs_api"}
    try:
        for block in blocks:
            exec(compile(block, str(API), "exec"), namespace)
    finally:
        REGISTRY.pop("half_way", None)
    out = capsys.readouterr().out
    assert "deal" in out and "--draws must be at least 1, got 0" in out
