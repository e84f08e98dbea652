"""Outcome odds: each outcome class's probability with its 95% interval."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from negotiation.output.plots.style import figure, interval_marks, outcome_label, outcome_style, styled


def outcome_odds(loaded, outcomes: dict, n_draws: int | None = None, title: str | None = None) -> Figure:
    """Bar chart of every outcome class's probability with its 95% interval (``summary.json``'s
    ``outcomes``: ``{name: {p, ci95, n}}``), in the scenario's order of outcome classes.

    ``n_draws`` goes in the default title; ``title`` replaces it."""
    order = [o for o in loaded.structure.outcomes if o in outcomes] + [
        o for o in outcomes if o not in loaded.structure.outcomes
    ]
    p = np.array([outcomes[o]["p"] for o in order])
    lo = np.array([outcomes[o]["ci95"][0] for o in order])
    hi = np.array([outcomes[o]["ci95"][1] for o in order])
    with styled():
        fig = figure((max(6.5, 1.25 * len(order) + 1.5), 4.6))
        ax = fig.subplots()
        x = np.arange(len(order))
        for k, o in enumerate(order):
            s = outcome_style(order, o)
            ax.bar(x[k], p[k], 0.65, color=s["color"], edgecolor="black", hatch=s["hatch"], linewidth=0.8)
        interval_marks(ax, x, p, lo, hi)
        ax.set_xticks(x, [outcome_label(o) for o in order], rotation=20 if len(order) > 5 else 0, ha="center")
        ax.set_ylim(0, min(1.0, max(0.05, float(hi.max()) * 1.18 + 0.02)) if len(hi) else 1.0)
        ax.set_ylabel("Probability (share of draws)")
        ax.set_xlabel("Outcome class")
        ax.grid(axis="x", visible=False)
        what = f"{n_draws:,} draws, " if n_draws else ""
        ax.set_title(title or f"{loaded.scenario.name}: outcome odds ({what}bars: 95% Wilson intervals)")
        fig.tight_layout()
    return fig
