"""Sobol sensitivity: how much of each outcome's variance across points each parameter explains."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure


def sobol_sensitivity(sobol: dict, top: int = 12) -> Figure | None:
    """Bar charts of the first-order (S1, hatched) and total-order (ST, grey) Sobol indices per
    parameter, with their 95% bootstrap half-widths, the ``top`` parameters by ST first; one
    panel per outcome whose indices are not all zero. ``sobol`` is ``summary.json``'s ``sobol``
    block, ``{outcome: {parameter: {S1, S1_conf, ST, ST_conf}}}`` (as computed by
    ``negotiation.experiments.sensitivity.outcome_sobol``). None when no outcome varies."""
    shown = [o for o, idx in sobol.items() if any(v["ST"] > 0 for v in idx.values())]
    if not shown:
        return None
    fig = Figure(figsize=(9, 2.2 + 0.32 * top * len(shown)))
    axes = fig.subplots(len(shown), 1, squeeze=False)
    for ax, o in zip(axes[:, 0], shown, strict=True):
        idx = sobol[o]
        names = sorted(idx, key=lambda n: -idx[n]["ST"])[:top][::-1]
        y = np.arange(len(names))
        ax.barh(
            y + 0.2,
            [idx[n]["ST"] for n in names],
            0.4,
            xerr=[idx[n]["ST_conf"] for n in names],
            color="0.35",
            label="total order (ST)",
        )
        ax.barh(
            y - 0.2,
            [idx[n]["S1"] for n in names],
            0.4,
            xerr=[idx[n]["S1_conf"] for n in names],
            color="white",
            edgecolor="black",
            hatch="//",
            label="first order (S1)",
        )
        ax.set_yticks(y, names, fontsize=8)
        ax.set_xlabel("Sobol index of P(" + o + ")")
        ax.set_title(f"Sensitivity of P({o})", fontsize=10)
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig
