"""One unit convention for positions, wherever a person or a program reads them.

The kernel works in model units (a share as 0.741); everything read outside it (narration,
``summary.json``, ``outcomes.parquet``, ``rounds.jsonl``, ``analyze``, the classroom and the
reports) shows the issue's display units: model units times the issue's ``scale`` (74.1 for
"% regional content"), and option names for discrete issues. The unit travels with the numbers:
``summary.json`` has a ``units`` block and each ``x.<issue>`` column of ``outcomes.parquet``
carries its unit in the field metadata.

Positions are per kernel issue (``Structure.issues``): a per-pair issue (``scope: per_pair``) is one
kernel issue per pair holding a term (``procurement.US_CA``), and reads its unit, scale and label
from its config issue (``Structure.issue_config``).
"""

from __future__ import annotations

import math

import numpy as np

OPTION = "option"  # the unit of a discrete issue: its values are option names


def config_of(st, issues_cfg: dict, i: int):
    """The config issue (``schema.Issue``) of kernel issue ``i``: itself, or the per-pair issue
    whose term it holds."""
    return issues_cfg[st.issue_config[i]]


def pair_text(st, i: int) -> str:
    """The pair of a per-pair issue's term ``i`` for a person ("US–CA"); "" for a common issue."""
    pair = st.issue_pair[i]
    return "" if pair is None else f"{st.parties[pair[0]]}–{st.parties[pair[1]]}"


def label(st, issues_cfg: dict, i: int) -> str:
    """Kernel issue ``i`` for a person: its config issue's label (its id when it has none), with
    the pair of a per-pair term: "Government procurement (US–CA)"."""
    text = config_of(st, issues_cfg, i).label or st.issue_config[i]
    return f"{text} ({pair_text(st, i)})" if st.issue_pair[i] is not None else text


def unit_of(st, issues_cfg: dict, i: int) -> str:
    """The display unit of issue ``i`` ("option" for a discrete issue)."""
    return OPTION if i in st.options else config_of(st, issues_cfg, i).unit.strip()


def units(st, issues_cfg: dict) -> dict[str, str]:
    """Every issue's display unit, by issue id."""
    return {issue: unit_of(st, issues_cfg, i) for i, issue in enumerate(st.issues)}


def scale_of(st, issues_cfg: dict, i: int) -> float:
    """The display factor of issue ``i`` (1 for a discrete issue)."""
    return 1.0 if i in st.options else float(config_of(st, issues_cfg, i).scale)


def to_display(st, issues_cfg: dict, i: int, x):
    """Model positions ``x`` (a number or an array) of a continuous issue ``i`` in display units."""
    return (
        np.asarray(x, dtype=float) * scale_of(st, issues_cfg, i)
        if np.ndim(x)
        else float(x) * scale_of(st, issues_cfg, i)
    )


def from_display(st, issues_cfg: dict, i: int, v: float) -> float:
    """A display value of a continuous issue ``i`` in model units."""
    return float(v) / scale_of(st, issues_cfg, i)


def position(st, issues_cfg: dict, i: int, x: float, digits: int = 12):
    """One position as read outside the kernel: a display-unit number (rounded to ``digits``
    decimals), an option name for a discrete issue, None for no position (NaN)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    if i in st.options:
        return st.options[i][int(round(x))]
    return round(float(x) * scale_of(st, issues_cfg, i), digits)


def positions(st, issues_cfg: dict, xs) -> list:
    """A whole agreement or offer (one model position per issue) as read outside the kernel."""
    return [position(st, issues_cfg, i, float(x)) for i, x in enumerate(xs)]


def display_text(st, issues_cfg: dict, i: int, v) -> str:
    """A display value (a number in display units, or an option's name) for a person:
    "74.1% regional content", or the option's name."""
    if isinstance(v, str):
        return v
    return f"{v:.1f}{config_of(st, issues_cfg, i).unit}"


def positions_of(st, issues_cfg: dict, i: int, xs) -> list:
    """Several model positions on one issue ``i`` as read outside the kernel."""
    return [position(st, issues_cfg, i, float(x)) for x in xs]


def position_text(st, issues_cfg: dict, i: int, x: float) -> str:
    """One issue's model position for a person: "74.1% regional content", or the option's name."""
    return display_text(st, issues_cfg, i, position(st, issues_cfg, i, x))
