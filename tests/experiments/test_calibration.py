"""Calibration: the posterior of the uncertain parameters given a history (exact rejection), the
calibrated config that resamples the stored posterior rows jointly, its checks, the command and
the figure.

Known answer. In ``SPLIT`` the buyer's reservation r_B ~ U(0.1, 0.7) and the seller's is 0.2; both
concede linearly (Faratin beta = 1) over rounds 1..10, the target at round k being
1 - (1 - r)(k - 1)/9. One continuous issue with opposite linear utilities summing to 1, so the
targets meet at round k when 2 - (2 - r_B - 0.2)(k - 1)/9 <= 1, i.e. r_B <= 1.8 - 9/(k - 1).
Signed by round 7 (2024-03-01) <=> r_B <= 0.3. So the posterior of r_B given that fact is
U(0.1, 0.3): mean 0.2 against the prior's 0.4, a shift of -0.2/0.1732 = -1.15 prior sds, and a
Kolmogorov-Smirnov distance of F_post(0.3) - F_prior(0.3) = 1 - 1/3 = 2/3. The seller's p_extend
~ U(0, 1) is never used (no extension vote: max_extensions is 0), so it should barely move.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.figure import Figure

import negotiation as ng
from negotiation.cli.commands import cli
from negotiation.errors import ConfigError, UserError
from negotiation.experiments.calibration import MAX_VALUES, Calibration
from negotiation.kernel.draws import DrawLayout
from negotiation.output.plots import prior_posterior
from negotiation.scenario.loader import load_scenario, load_scenario_text

SPLIT = """\
name: Split with an uncertain buyer
parties:
  B: {name: Buyer}
  S: {name: Seller}
issues:
  price: {range: [0, 100], status_quo: 50}
profiles:
  B:
    reservation: {dist: uniform, low: 0.1, high: 0.7}
    issues:
      price: {weight: 1, ideal: 0}
  S:
    reservation: 0.2
    p_extend: {dist: uniform, low: 0, high: 1}
    issues:
      price: {weight: 1, ideal: 100}
calendar:
  rounds: [2024-01-01, 2024-01-11, 2024-01-21, 2024-01-31, 2024-02-10,
           2024-02-20, 2024-03-01, 2024-03-11, 2024-03-21, 2024-03-31]
  deadline: 2024-03-31
  horizon: 2024-12-31
"""
HISTORY = "facts:\n  - {agreement: any, by: 2024-03-01}\n"
DRAWS = 2000


@pytest.fixture(scope="module")
def split(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("calibrate") / "split.yaml"
    path.write_text(SPLIT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cal(split) -> Calibration:
    return ng.calibrate(split, HISTORY, draws=DRAWS, seed=1)


@pytest.fixture(scope="module")
def calibrated(cal, split) -> Path:
    return cal.write_config(split.parent / "calibrated.yaml")


def _row(cal: Calibration, name: str) -> dict:
    return cal.table.set_index("parameter").loc[name].to_dict()


def test_the_decisive_parameter_moves_as_derived(cal):
    r = _row(cal, "B.reservation")
    assert 0.3 < cal.share < 0.37  # P(r_B <= 0.3) = 1/3
    assert cal.posterior[:, cal.names.index("B.reservation")].max() <= 0.3
    assert r["prior_mean"] == pytest.approx(0.4, abs=0.015)
    assert r["posterior_mean"] == pytest.approx(0.2, abs=0.01)
    assert r["shift"] == pytest.approx(-0.2 / (0.6 / math.sqrt(12)), abs=0.1)
    assert r["ks"] == pytest.approx(2 / 3, abs=0.04)
    assert cal.table["parameter"].iloc[0] == "B.reservation"  # moved most, first


def test_an_unused_parameter_barely_moves(cal):
    r = _row(cal, "S.p_extend")
    assert r["ks"] < 0.08
    assert abs(r["shift"]) < 0.1


def test_the_calibrated_config_keeps_the_scenario_and_the_draw_table(cal, calibrated, split):
    before, after = load_scenario(split), load_scenario(calibrated)
    assert after.scenario.model_copy(update={"posterior": None}) == before.scenario
    assert DrawLayout.of(after.structure, after.space).width == DrawLayout.of(before.structure, before.space).width
    assert len(after.scenario.posterior.rows) == cal.matched  # few enough: every matched draw
    text = calibrated.read_text(encoding="utf-8")
    assert f"{cal.matched} of {DRAWS} draws of seed 1" in text.splitlines()[2]
    assert CliRunner().invoke(cli, ["validate", str(calibrated)]).output.splitlines()[0] == "ok"


def test_the_calibrated_config_draws_stored_rows_jointly_and_reproducibly(calibrated):
    stored = {tuple(row) for row in load_scenario(calibrated).scenario.posterior.rows}
    a = ng.simulate(calibrated, draws=1500, seed=5)
    b = ng.simulate(calibrated, draws=1500, seed=5)
    assert a.equals(b)
    pairs = set(zip(a["param.B.reservation"], a["param.S.p_extend"], strict=True))
    assert pairs <= stored  # every draw is one stored row, both values together
    assert len(pairs) > 0.5 * len(stored)  # and the draws spread over the rows


def test_the_posterior_predictive_agrees_with_the_history(calibrated, split):
    facts = ng.history(HISTORY, split)
    prior = ng.simulate(split, draws=1500, seed=5)
    posterior = ng.simulate(calibrated, draws=1500, seed=5)
    assert facts.mask(prior).mean() < 0.4
    assert facts.mask(posterior).mean() > 0.9


def test_stored_rows_are_a_bounded_thinning_of_the_matched_draws():
    names = [f"p{k}" for k in range(43)]
    post = np.arange(12_000 * 43, dtype=float).reshape(12_000, 43)
    cal = Calibration(names, post, post, None, None)
    rows = cal.stored_rows()
    assert rows.size <= MAX_VALUES
    assert cal.step == math.ceil(12_000 / (MAX_VALUES // 43))
    assert np.array_equal(rows, post[:: cal.step])


def test_no_matching_draw_names_the_fact(split):
    with pytest.raises(UserError, match="agreement: any, by: 2024-01-11"):
        ng.calibrate(split, "facts:\n  - {agreement: any, by: 2024-01-11}\n", draws=200)


# --- the posterior section of a config: one line per problem ------------------------------------


def _with_posterior(section: str) -> str:
    return SPLIT + section


@pytest.mark.parametrize(
    "section, path, words",
    [
        ("posterior:\n  names: [B.nope]\n  rows: [[0.2]]\n", "posterior.names[0]", "unknown parameter 'B.nope'"),
        ("posterior:\n  names: [S.reservation]\n  rows: [[0.2]]\n", "posterior.names[0]", "is fixed here"),
        (
            "posterior:\n  names: [B.reservation, B.reservation]\n  rows: [[0.2, 0.2]]\n",
            "posterior.names[1]",
            "listed twice",
        ),
        (
            "posterior:\n  names: [B.reservation, S.p_extend]\n  rows: [[0.2, 0.5], [0.2]]\n",
            "posterior.rows[1]",
            "expected 2 values",
        ),
        (
            "posterior:\n  names: [B.reservation]\n  rows: [[0.2], [0.9], [0.95]]\n",
            "posterior.rows[1][0]",
            "within its prior's support [0.1, 0.7], got 0.9 (and 1 more rows)",
        ),
        ("posterior:\n  names: [B.reservation]\n  rows: []\n", "posterior.rows", "at least 1 item"),
    ],
)
def test_a_bad_posterior_section_is_one_line(tmp_path, section, path, words):
    with pytest.raises(ConfigError) as err:
        load_scenario_text(_with_posterior(section), "bad.yaml")
    (problem,) = err.value.problems
    assert problem.path == path
    assert words in problem.message
    bad = tmp_path / "bad.yaml"
    bad.write_text(_with_posterior(section), encoding="utf-8")
    res = CliRunner().invoke(cli, ["validate", str(bad)])
    assert res.exit_code == 2
    assert len(res.output.strip().splitlines()) == 1


def test_posterior_rows_of_a_whole_number_parameter_must_be_whole():
    text = SPLIT.replace("  horizon:", "  max_extensions: {dist: choice, options: [0, 1]}\n  horizon:")
    with pytest.raises(ConfigError, match="must be a whole number within"):
        load_scenario_text(text + "posterior:\n  names: [calendar.max_extensions]\n  rows: [[0.5]]\n")


# --- command and figure -------------------------------------------------------------------------


def test_the_command_prints_the_table_writes_the_config_and_the_plot(split, tmp_path):
    history = tmp_path / "h.yaml"
    history.write_text(HISTORY, encoding="utf-8")
    out, png = tmp_path / "out.yaml", tmp_path / "post.png"
    args = ["calibrate", str(split), "--given", str(history), "-o", str(out), "--draws", "600", "--quiet"]
    res = CliRunner().invoke(cli, [*args, "--plot", str(png)])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert "of 600 draws agree with every fact" in lines[0]
    assert lines[2].startswith("B.reservation")
    assert out.exists() and png.stat().st_size > 0
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 2
    refusal = f"error: {out} exists; the calibrated config goes to a new file (give another -o)"
    assert again.output.strip().splitlines() == [refusal]
    res = CliRunner().invoke(cli, [*args[:5], str(tmp_path / "j.yaml"), "--draws", "600", "--json"])
    data = json.loads(res.output)
    assert data["draws"] == 600 and data["parameters"][0]["parameter"] == "B.reservation"


def test_the_figure_draws_one_panel_per_parameter(cal):
    fig = prior_posterior(cal, top=9)
    assert isinstance(fig, Figure)
    assert sum(ax.get_visible() for ax in fig.axes) == 2
