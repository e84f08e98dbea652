"""Prior against posterior: what a history says about each uncertain parameter."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from negotiation.output.plots.style import figure, styled, suptitle

COLUMNS = 3


def prior_posterior(calibration, top: int = 9) -> Figure:
    """One panel per parameter, the ``top`` the history moved most (``calibration.table``'s
    order): the prior sample as grey bars, the posterior sample as a black outline over hatching,
    both as densities on the same bins, with each mean marked (prior dashed, posterior solid)
    and the Kolmogorov-Smirnov distance and mean shift in the title. ``calibration``: a
    ``negotiation.experiments.calibration.Calibration``."""
    table = calibration.table.head(top)
    n = len(table)
    cols = min(COLUMNS, n)
    rows = math.ceil(n / cols)
    with styled():
        fig = figure((3.4 * cols, 2.6 * rows + 0.9))
        axes = fig.subplots(rows, cols, squeeze=False)
        for ax, (_, row) in zip(axes.flat, table.iterrows(), strict=False):
            j = calibration.names.index(row["parameter"])
            prior, post = calibration.prior[:, j], calibration.posterior[:, j]
            bins = _bins(prior)
            ax.hist(prior, bins, density=True, color="0.78", label="prior")
            outline = {"facecolor": "none", "edgecolor": "black", "hatch": "//", "lw": 1.4}
            ax.hist(post, bins, density=True, histtype="stepfilled", label="posterior", **outline)
            ax.axvline(row["prior_mean"], color="0.35", linestyle="--", lw=1.2)
            ax.axvline(row["posterior_mean"], color="black", linestyle="-", lw=1.2)
            ax.set_title(f"{row['parameter']}\nKS {row['ks']:.2f}, shift {row['shift']:+.2f} sd", fontsize=9)
            ax.set_yticks([])
            ax.tick_params(axis="x", labelsize=8)
        for ax in axes.flat[n:]:
            ax.set_visible(False)
        axes.flat[0].legend(loc="upper right", frameon=False, fontsize=8)
        suptitle(
            fig,
            f"Prior (grey) and posterior (hatched) given {calibration.history.source}: "
            f"{calibration.matched} of {calibration.draws} draws match; dashed / solid: means",
        )
        fig.tight_layout()
    return fig


def _bins(x: np.ndarray) -> np.ndarray:
    """Edges around each whole number for a whole-valued sample with few values, else 30 bins."""
    values = np.unique(x)
    if len(values) <= 30 and np.all(values == np.round(values)):
        return np.arange(values[0] - 0.5, values[-1] + 1.0)
    lo, hi = float(x.min()), float(x.max())
    return np.linspace(lo, hi, 31) if hi > lo else np.array([lo - 0.5, lo + 0.5])
