"""Outcome odds at each sweep point of a design over several parameters, one panel per parameter."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from negotiation.output.plots.data import point_outcomes
from negotiation.output.plots.style import figure, outcome_label, outcome_style, styled, suptitle

MAX_PANELS = 9


def odds_by_point(loaded, points: list[dict], names: list[str]) -> Figure:
    """One panel per parameter in ``names`` (the first nine): each sweep point's probability of
    each observed outcome, with its 95% interval, against the point's value of the parameter.
    For designs (Latin hypercube, Sobol) or two parameters not on a grid."""
    order = point_outcomes(loaded, points)
    seen = [o for o in order if any(pt["outcomes"][o]["n"] for pt in points)]
    shown = names[:MAX_PANELS]
    ncols = min(3, len(shown))
    nrows = -(-len(shown) // ncols)
    with styled():
        fig = figure((4.3 * ncols + 1.8, 3.4 * nrows + 0.6))
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for ax in axes.flat[len(shown) :]:
            ax.set_visible(False)
        for ax, name in zip(axes.flat, shown, strict=False):
            x = np.array([pt["params"].get(name, np.nan) for pt in points], dtype=float)
            for o in seen:
                s = outcome_style(order, o)
                p = np.array([pt["outcomes"][o]["p"] for pt in points])
                lo = np.array([pt["outcomes"][o]["ci95"][0] for pt in points])
                hi = np.array([pt["outcomes"][o]["ci95"][1] for pt in points])
                ax.errorbar(
                    x,
                    p,
                    yerr=[p - lo, hi - p],
                    fmt=s["marker"],
                    color=s["color"],
                    markeredgecolor="black",
                    markeredgewidth=0.5,
                    markersize=5,
                    elinewidth=0.7,
                    capsize=2,
                    label=outcome_label(o),
                )
            ax.set_xlabel(name)
            ax.set_ylabel("Probability")
            ax.set_ylim(0, 1)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), title="outcome", frameon=False)
        more = f" (first {len(shown)} of {len(names)} parameters)" if len(names) > len(shown) else ""
        suptitle(fig, f"Outcome odds at each of {len(points)} sweep points, by parameter{more}; bars: 95% intervals")
        fig.tight_layout()
    return fig
