"""Prior and given odds: each outcome's probability over all draws and among the draws whose
path agrees with a history, side by side with their 95% intervals."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from negotiation.output.plots.style import figure, interval_marks, outcome_label, styled

SERIES = (  # (key, legend label, fill, hatch): apart in greyscale by lightness and hatch
    ("prior", "prior (all draws)", "0.85", "//"),
    ("given", "given the history", "#0072B2", ""),
)


def given_odds(loaded, prior: dict, given: dict, matched: int | None = None, title: str | None = None) -> Figure | None:
    """Paired bars per outcome class: the prior probability (``summary.json``'s
    ``prior.outcomes``, ``{name: {p, ci95, n}}``) and the given one (``given.outcomes``), each
    with its 95% interval, in the scenario's order; outcome classes no draw reached in either
    are left out. ``matched`` (draws that agree with the history) goes in the default title.
    None when there is no outcome to draw."""
    order = [o for o in loaded.structure.outcomes if prior.get(o, {}).get("n") or given.get(o, {}).get("n")]
    if not order:
        return None
    blocks = {"prior": prior, "given": given}
    with styled():
        fig = figure((max(6.5, 1.5 * len(order) + 1.5), 4.6))
        ax = fig.subplots()
        x = np.arange(len(order))
        width = 0.38
        top = 0.0
        for k, (key, label, color, hatch) in enumerate(SERIES):
            p = np.array([blocks[key][o]["p"] for o in order])
            lo = np.array([blocks[key][o]["ci95"][0] for o in order])
            hi = np.array([blocks[key][o]["ci95"][1] for o in order])
            at = x + (k - 0.5) * width
            ax.bar(at, p, width, color=color, edgecolor="black", hatch=hatch, linewidth=0.8, label=label)
            interval_marks(ax, at, p, lo, hi, width=1.1, cap=4, lift=3, size=8)
            top = max(top, float(hi.max()))
        ax.set_xticks(x, [outcome_label(o) for o in order], rotation=20 if len(order) > 5 else 0, ha="center")
        ax.set_ylim(0, min(1.0, max(0.05, top * 1.18 + 0.02)))
        ax.set_ylabel("Probability (share of draws)")
        ax.set_xlabel("Outcome class")
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper right")
        what = f"{matched:,} matched draws; " if matched is not None else ""
        ax.set_title(title or f"{loaded.scenario.name}: odds before and given the history ({what}bars: 95% intervals)")
        fig.tight_layout()
    return fig
