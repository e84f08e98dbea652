"""The report of a sweep run with a history (``--given``): prior and given odds side by side, the
facts and matched draws, the given agreement date and terms, what the history changed (checked
against medians worked out here from ``outcomes.parquet``), the figure, and per-point odds."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from negotiation.cli.commands import cli
from negotiation.output.report import build_report

ROOT = Path(__file__).resolve().parents[2]
NAFTA = str(ROOT / "configs" / "nafta_2017.yaml")
HISTORY = str(ROOT / "tests" / "data" / "history_nafta_2017-11-30.yaml")


def _sweep(out: Path, *extra: str) -> Path:
    args = ["sweep", NAFTA, "--seed", "1", "--given", HISTORY, "--out", str(out), "--quiet", "--no-report", *extra]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Path, dict, str]:
    folder = _sweep(tmp_path_factory.mktemp("given") / "run", "--draws", "2000")
    page = build_report(folder, quiet=True)
    summary = json.loads((folder / "summary.json").read_text())
    return folder, summary, page.read_text(encoding="utf-8")


def _table(text: str, ident: str) -> list[list[str]]:
    """The cells of the table with this id, row by row (tags stripped)."""
    body = re.search(f'<table id="{ident}">(.*?)</table>', text, re.S).group(1)
    return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]


def test_prior_and_given_odds_side_by_side(run):
    folder, s, text = run
    g = s["given"]
    assert s["prior"]["outcomes"] == s["outcomes"]
    rows = {r[0]: r[1:] for r in _table(text, "given-odds")[1:]}
    assert "deal" in rows and "termination" in rows
    for name, cells in rows.items():
        key = name.replace("bilateral ", "bilateral_").replace("-", "_")
        a, b = s["prior"]["outcomes"][key], g["outcomes"][key]
        assert cells == [
            f"{a['p']:.4f}",
            f"[{a['ci95'][0]:.4f}, {a['ci95'][1]:.4f}]",
            f"{b['p']:.4f}",
            f"[{b['ci95'][0]:.4f}, {b['ci95'][1]:.4f}]",
            f"{b['p'] - a['p']:+.4f}",
        ]
    assert f"<strong>{g['matched']:,}</strong> of {s['n_draws']:,} draws ({100 * g['share']:.2f}%)" in text
    for fact in g["facts"]:
        assert f"<code>{fact}</code>" in text
    date = _table(text, "given-date")
    assert date[1] == ["agreement date", *g["agreement_date"].values()]
    terms = {r[0]: r[1:] for r in _table(text, "given-terms")[1:]}
    assert terms["Auto rules of origin (regional value content) (% regional content)"] == [
        f"{v:.2f}" for v in g["terms"]["auto_rvc"].values()
    ]
    assert (folder / "plots" / "given_odds.png").stat().st_size > 15_000
    assert "plots/given_odds.png" in text


def test_what_changed_matches_the_rows(run):
    folder, s, text = run
    g = s["given"]
    cols = ["outcome", "end_date", "x.auto_rvc", "x.sunset"]
    t = pq.read_table(folder / "outcomes.parquet", columns=cols).to_pandas()
    agreed = t[(t["outcome"] == "deal") | t["outcome"].str.startswith("bilateral_")]
    days = np.sort(np.array([d.toordinal() for d in agreed["end_date"]]))
    median_day = days[int(np.ceil(0.5 * len(days))) - 1]  # the lower median, as the given dates are
    prior_date = dt.date.fromordinal(int(median_day)).isoformat()
    rvc = float(np.median(agreed["x.auto_rvc"].astype(float)))
    sunset = agreed["x.sunset"].value_counts(normalize=True)
    rows = {r[0]: r[1:] for r in _table(text, "given-changed")[1:]}
    deal = rows["P(deal)"]
    assert deal == [f"{s['outcomes']['deal']['p']:.4f}", f"{g['outcomes']['deal']['p']:.4f}", deal[2]]
    assert rows["median agreement date"][:2] == [prior_date, g["agreement_date"]["q50"]]
    assert rows["median Auto rules of origin (regional value content) (% regional content)"] == [
        f"{rvc:.2f}",
        f"{g['terms']['auto_rvc']['q50']:.2f}",
        f"{g['terms']['auto_rvc']['q50'] - rvc:+.2f}",
    ]
    for option, share in sunset.items():
        assert rows[f"share Sunset clause: {option}"][:2] == [f"{share:.3f}", f"{g['terms']['sunset'][option]:.3f}"]


def test_per_point_given_odds(tmp_path):
    folder = _sweep(tmp_path / "grid", "--draws", "400", "--grid", "US.reservation=0.5,0.9")
    text = build_report(folder, quiet=True).read_text(encoding="utf-8")
    s = json.loads((folder / "summary.json").read_text())
    assert "Per sweep point, given the history" in text
    section = text[text.index("Per sweep point, given the history") :]
    for pt in s["given"]["points"]:
        d = pt["outcomes"]["deal"]
        assert f"{d['p']:.3f} [{d['ci95'][0]:.3f}, {d['ci95'][1]:.3f}]" in section
        assert f'<td class="num">{pt["matched"]}</td>' in section
