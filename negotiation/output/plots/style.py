"""What every figure shares: sizes and fonts, greyscale-readable styles, labels, and saving.

Series differ by line style, marker and hatch as well as by colour, so that a figure printed in
greyscale still reads. Nothing here touches matplotlib's global state: figures are bare
``matplotlib.figure.Figure`` objects drawn under ``rc_context(RC)``, and no backend is chosen.
"""

from __future__ import annotations

import textwrap
from contextlib import contextmanager
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from negotiation.kernel.codes import PATH_STEP
from negotiation.scenario import units

DPI = 110  # of the saved PNGs

RC = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8.5,
    "figure.titlesize": 12,
    "axes.grid": True,
    "grid.color": "0.88",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "hatch.linewidth": 0.6,
}

# Colour-blind safe colours (Okabe-Ito) of distinct lightness, each paired with a line style,
# a marker and a hatch, so that series stay apart in greyscale.
COLORS = ["#000000", "#CC79A7", "#0072B2", "#009E73", "#E69F00", "#56B4E9", "#D55E00", "#F0E442"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (8, 2)), (0, (1, 1)), (0, (3, 1, 3, 3))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
HATCHES = ["", "//", "\\\\", "xx", "..", "--", "oo", "++"]
OUTCOME_COLORS = {"deal": "#56B4E9", "termination": "#D55E00", "stalemate": "#999999"}
BILATERAL_COLORS = ["#E69F00", "#009E73", "#F0E442", "#CC79A7", "#0072B2", "#000000"]


@contextmanager
def styled():
    """The figures' rc settings (``RC``) for the duration of the block, restored after."""
    with mpl.rc_context(RC):
        yield


def figure(figsize: tuple[float, float]) -> Figure:
    """A bare figure (no pyplot, no backend, no global figure list); draw on it under ``styled()``."""
    return Figure(figsize=figsize)


def save_png(fig: Figure, path) -> Path:
    """Write ``fig`` as a PNG at ``path`` (parents made as needed) in the style it was drawn in:
    ``DPI``, a tight bounding box, a white background, no software stamp. Returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with styled():  # ticks made while saving take the same grid and font settings
        fig.savefig(path, dpi=DPI, bbox_inches="tight", facecolor="white", metadata={"Software": None})
    return path


# --- styles ------------------------------------------------------------------------------------


def outcome_style(outcomes: list[str], name: str) -> dict:
    """Colour, hatch, marker and line style of an outcome class, fixed by its place in the list."""
    k = outcomes.index(name) if name in outcomes else len(outcomes)
    color = OUTCOME_COLORS.get(name, BILATERAL_COLORS[(k - 1) % len(BILATERAL_COLORS)])
    return {
        "color": color,
        "hatch": HATCHES[k % len(HATCHES)],
        "marker": MARKERS[k % len(MARKERS)],
        "linestyle": LINESTYLES[k % len(LINESTYLES)],
    }


def party_style(k: int) -> dict:
    """Colour, line style and marker of the ``k``-th party."""
    return {"color": COLORS[k % len(COLORS)], "linestyle": LINESTYLES[k % len(LINESTYLES)], "marker": MARKERS[k % 8]}


def hatch_bars(bars, n_series: int, styles: list[dict]) -> None:
    """Give each series of a (stacked) ``ax.hist`` its style's hatch."""
    containers = bars if n_series > 1 else [bars]
    for cont, s in zip(containers, styles, strict=True):
        for patch in cont:
            patch.set_hatch(s["hatch"])


# --- labels ------------------------------------------------------------------------------------


def interval_marks(ax, at, p, lo, hi, width: float = 1.2, cap: float = 5, lift: float = 4, size: float = 9) -> None:
    """95% interval whiskers on bars at ``at`` (heights ``p``, bounds ``lo``/``hi``), each bar's
    value written above its whisker."""
    ax.errorbar(
        at,
        p,
        yerr=[np.maximum(p - lo, 0), np.maximum(hi - p, 0)],
        fmt="none",
        ecolor="black",
        elinewidth=width,
        capsize=cap,
        capthick=width,
    )
    for j in range(len(p)):
        ax.annotate(
            f"{p[j]:.3f}",
            (at[j], hi[j]),
            xytext=(0, lift),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=size,
        )


def outcome_label(name: str) -> str:
    """``bilateral_US_MX`` -> ``bilateral US-MX``; other outcome names as they are."""
    if name.startswith("bilateral_"):
        return "bilateral " + "-".join(name[len("bilateral_") :].split("_"))
    return name


def path_label(name: str) -> str:
    """``bilateral_US_MX>deal`` -> ``bilateral US-MX, then deal``; an outcome class as
    ``outcome_label`` shows it."""
    return ", then ".join(outcome_label(step) for step in name.split(PATH_STEP))


def party_name(loaded, party: str) -> str:
    """``United States (US)``, or the id alone when the config gives no longer name."""
    full = loaded.scenario.parties[party].name
    return f"{full} ({party})" if full and full != party else party


def issue_axis_label(loaded, issue: str) -> str:
    """A (kernel) issue's label with its unit (continuous) for an axis."""
    st = loaded.structure
    i = st.issues.index(issue)
    cfg = units.config_of(st, loaded.scenario.issues, i)
    label = units.label(st, loaded.scenario.issues, i)
    unit = (cfg.unit or "").strip()
    if cfg.discrete:
        return f"{label} (option)"
    return f"{label} [{unit}]" if unit else label


def suptitle(fig: Figure, text: str) -> None:
    """A figure title, wrapped to the figure's width."""
    width = int(fig.get_figwidth() * 130 / RC["figure.titlesize"])
    fig.suptitle(textwrap.fill(text, max(40, width)))
