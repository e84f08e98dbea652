"""`negotiate params`: a header row, then one row per named parameter with its value or its
distribution written as in the YAML (flow style, numbers as a person writes them) and its range."""

import re

import pytest

from tests.helpers import CONFIGS


def rows(stdout: str) -> list[list[str]]:
    """The table's rows, split into columns (columns are at least two spaces apart)."""
    return [re.split(r"\s{2,}", line.rstrip()) for line in stdout.splitlines()]


def test_params_has_a_header_and_yaml_values(ok):
    table = rows(ok("params", "nafta_2017").stdout)
    assert table[0] == ["parameter", "value", "range"]
    by_name = {r[0]: r[1:] for r in table[1:]}
    assert len(by_name) == len(table) - 1  # one row per parameter
    # as written in configs/nafta_2017.yaml: max_extensions: {dist: choice, options: [1, 2, 3]}
    assert by_name["calendar.max_extensions"] == ["{dist: choice, options: [1, 2, 3]}", "[0, 20]"]
    # reservation: {dist: uniform, low: 0.55, high: 0.85}
    assert by_name["US.reservation"] == ["{dist: uniform, low: 0.55, high: 0.85}", "[0, 1]"]
    # ideal: {dist: uniform, low: 5.0, high: 10.0} (dairy, in the unit the config uses)
    assert by_name["US.dairy.ideal"] == ["{dist: uniform, low: 5, high: 10}", "[0, 10]"]
    # stakes: value: {dist: uniform, low: -0.12, high: -0.03}
    assert by_name["stakes.mx_cooperation.value"] == ["{dist: uniform, low: -0.12, high: -0.03}", "[-1, 1]"]
    assert by_name["US.p_extend"] == ["0.95", "[0, 1]"]
    assert by_name["US.dispute_panels.value.keep"] == ["0", "[0, 1]"]
    # the header lines up with the columns below it
    header, first = ok("params", "nafta_2017").stdout.splitlines()[:2]
    assert header.index("value") == first.index("{dist: uniform, low: 0.25")
    assert header.index("range") == first.index("[0, 1e+06]")  # a weight: at most 1e6 (the schema's bound)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("{dist: triangular, low: 0.1, mode: 0.3, high: 0.9}", "{dist: triangular, low: 0.1, mode: 0.3, high: 0.9}"),
        (
            "{dist: normal, mean: 0.5, sd: 0.1, low: 0.2, high: 0.8}",
            "{dist: normal, mean: 0.5, sd: 0.1, low: 0.2, high: 0.8}",
        ),
        (
            "{dist: choice, options: [0.6, 0.7], p: [0.25, 0.75]}",
            "{dist: choice, options: [0.6, 0.7], p: [0.25, 0.75]}",
        ),
    ],
)
def test_every_distribution_reads_as_its_yaml(tmp_path, ok, text, want):
    config = (CONFIGS / "teaching_split.yaml").read_text()
    line = next(s for s in config.splitlines() if re.match(r"\s+reservation:", s))
    path = tmp_path / "c.yaml"
    path.write_text(config.replace(line, re.sub(r"reservation:.*", f"reservation: {text}", line), 1))
    table = rows(ok("params", path).stdout)
    assert [r[1] for r in table if r[0].endswith(".reservation")][0] == want
