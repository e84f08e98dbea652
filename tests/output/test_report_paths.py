"""The report's sections "Paths" (where a bilateral deal may be joined) and "Chapters" (under
``closing: chapters``): the odds and intervals of ``summary.json``, the same when counted from the
rows of a folder without a summary, and absent where they do not apply."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from negotiation.cli.commands import cli
from negotiation.output.report import build_report
from tests.helpers import CONFIGS, chapters, joiners


def _sweep(tmp: Path, name: str, text: str | None, *args: str) -> tuple[Path, dict, str]:
    config = tmp / f"{name}.yaml"
    if text is not None:
        config.write_text(text)
    else:
        config = CONFIGS / "teaching_trade.yaml"
    out = tmp / name
    result = CliRunner().invoke(cli, ["sweep", str(config), "--out", str(out), "--quiet", "--no-report", *args])
    assert result.exit_code == 0, result.output
    page = build_report(out, quiet=True)
    return out, json.loads((out / "summary.json").read_text()), page.read_text(encoding="utf-8")


def _table(text: str, ident: str) -> list[list[str]]:
    """The cells of the table with this id, row by row (tags stripped)."""
    body = re.search(f'<table id="{ident}">(.*?)</table>', text, re.S).group(1)
    return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]


def _cells(v: dict) -> list[str]:
    return [f"{v['p']:.4f}", f"[{v['ci95'][0]:.4f}, {v['ci95'][1]:.4f}]", str(v["n"])]


@pytest.fixture(scope="module")
def joined(tmp_path_factory):
    stake = "{dist: uniform, low: -0.6, high: 0.0}"
    return _sweep(tmp_path_factory.mktemp("paths"), "joiners", joiners(stake), "--draws", "400", "--seed", "3")


def test_paths_table(joined):
    folder, s, text = joined
    rows = _table(text, "paths")
    assert rows[0] == ["path", "p", "95% interval", "n"]
    # every path, in the order of the outcome classes, the joined path last
    shown = {
        "deal": "deal",
        "bilateral_A_B": "bilateral A-B",
        "bilateral_A_C": "bilateral A-C",
        "bilateral_B_C": "bilateral B-C",
        "termination": "termination",
        "stalemate": "stalemate",
        "bilateral_A_B>deal": "bilateral A-B, then deal",
    }
    assert rows[1:] == [[label, *_cells(s["paths"][name])] for name, label in shown.items()]
    assert 0 < s["paths"]["bilateral_A_B>deal"]["n"] < 400
    section = text[text.index("<h2>Paths</h2>") : text.index('<table id="paths">')]
    assert "the party left out joined it in its accession window" in section
    assert '<table id="chapters">' not in text


def test_paths_counted_from_the_rows_without_a_summary(joined, tmp_path):
    folder, s, _ = joined
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    (copy / "summary.json").unlink()
    text = build_report(copy, quiet=True).read_text(encoding="utf-8")
    assert _table(text, "paths")[-1] == ["bilateral A-B, then deal", *_cells(s["paths"]["bilateral_A_B>deal"])]


def test_chapters_table(tmp_path):
    # every draw ends in a deal on the text, which closes every chapter (tests/helpers.chapters)
    _, s, text = _sweep(tmp_path, "chapters", chapters(), "--draws", "50", "--grid", "B.y.ideal=0.5,0.0")
    assert _table(text, "chapters") == [
        ["chapter", "closed at the end", "95% interval", "n"],
        ["x", *_cells(s["chapters"]["closed"]["x"])],
        ["y", *_cells(s["chapters"]["closed"]["y"])],
    ]
    assert "on average 2.00 of 2 closed and 0.00 reopenings per draw" in text
    assert '<table id="paths">' not in text  # no bilateral deal here may be joined


def test_no_paths_or_chapters_section_where_they_do_not_apply(tmp_path):
    _, s, text = _sweep(tmp_path, "trade", None, "--draws", "100")
    assert "<h2>Paths</h2>" not in text and "<h2>Chapters</h2>" not in text
    assert s["paths"] == s["outcomes"]
