"""Outcome odds against one swept parameter, with shaded 95% bands."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from negotiation.output.plots.data import per_point, point_outcomes
from negotiation.output.plots.style import figure, outcome_label, outcome_style, styled


def odds_by_parameter(loaded, points: list[dict], name: str) -> Figure:
    """Each outcome's probability against parameter ``name`` over the sweep points
    (``summary.json``'s ``points``), with shaded 95% bands; outcomes never observed are listed
    beside the legend."""
    order = point_outcomes(loaded, points)
    pts = sorted(points, key=lambda pt: pt["params"][name])
    x = np.array([pt["params"][name] for pt in pts], dtype=float)
    seen = [o for o in order if any(pt["outcomes"][o]["n"] for pt in pts)]
    never = [o for o in order if o not in seen]
    with styled():
        fig = figure((9.5, 5.0))
        ax = fig.subplots()
        for o in seen:
            s = outcome_style(order, o)
            p = np.array([pt["outcomes"][o]["p"] for pt in pts])
            lo = np.array([pt["outcomes"][o]["ci95"][0] for pt in pts])
            hi = np.array([pt["outcomes"][o]["ci95"][1] for pt in pts])
            ax.fill_between(x, lo, hi, color=s["color"], alpha=0.18, hatch=s["hatch"], edgecolor=s["color"], lw=0)
            ax.plot(
                x,
                p,
                color=s["color"],
                linestyle=s["linestyle"],
                marker=s["marker"],
                markersize=6,
                markeredgecolor="black",
                markeredgewidth=0.6,
                lw=1.8,
                label=outcome_label(o),
            )
        ax.set_xlabel(param_label(loaded, name))
        ax.set_ylabel("Probability (share of draws)")
        ax.set_ylim(0, 1)
        ax.set_title(f"Outcome odds against {name} ({per_point(pts)}; bands: 95% intervals)")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="outcome", frameon=False)
        if never:
            ax.text(
                1.01,
                0.02,
                "never observed:\n" + "\n".join(outcome_label(o) for o in never),
                transform=ax.transAxes,
                fontsize=8.5,
                va="bottom",
                color="0.3",
            )
        fig.tight_layout()
    return fig


def param_label(loaded, name: str) -> str:
    """A parameter's name for an axis, with its issue's unit where the parameter is a position."""
    parts = name.split(".")
    if len(parts) == 3 and parts[2] == "ideal" and parts[1] in loaded.scenario.issues:
        cfg = loaded.scenario.issues[parts[1]]
        unit = (cfg.unit or "").strip()
        return f"{name} [{unit}, /{cfg.scale:g}]" if cfg.scale != 1 else f"{name} [{unit}]"
    if parts[-1] == "reservation":
        return f"{name} (utility of walking away, 0-1 scale)"
    return name
