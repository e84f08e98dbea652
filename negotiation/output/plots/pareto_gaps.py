"""How far agreements lie from the Pareto frontier: the distribution of their Pareto gaps."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from negotiation.kernel.efficiency import ON_FRONTIER
from negotiation.output.plots.data import gap_groups, gap_stats
from negotiation.output.plots.style import figure, hatch_bars, outcome_label, outcome_style, styled, suptitle


def pareto_gaps(loaded, table: pa.Table) -> Figure | None:
    """The Pareto gaps of the agreements (``pareto_gap`` of ``outcomes.parquet``: the largest
    gain every party to an agreement could still have had at once) for deals and bilateral
    deals: a histogram of the gaps off the frontier, as shares of each kind's agreements, and
    the share of agreements with a gap up to each value (starting at the share on the frontier).
    None without any agreement or without the column."""
    st = loaded.structure
    groups = gap_groups(st, table)
    if not groups:
        return None
    stats = [gap_stats(g) for _, g in groups]
    styles = [outcome_style(st.outcomes, name if name in st.outcomes else st.outcomes[1]) for name, _ in groups]
    labels = [
        f"{outcome_label(name)} ({s['n']:,}; {100 * s['frontier']:.1f}% on the frontier)"
        for (name, _), s in zip(groups, stats, strict=True)
    ]
    top = max(float(g.max()) for _, g in groups)
    with styled():
        fig = figure((13, 4.8))
        ax1, ax2 = fig.subplots(1, 2)
        off = [g[g >= ON_FRONTIER] for _, g in groups]
        if any(len(o) for o in off):
            bins = np.linspace(0.0, top, 31)
            weights = [np.full(len(o), 1.0 / s["n"]) for o, s in zip(off, stats, strict=True)]
            _, _, bars = ax1.hist(
                off, bins=bins, weights=weights, color=[s["color"] for s in styles], edgecolor="black", linewidth=0.4
            )
            hatch_bars(bars, len(off), styles)
            handles = [
                Patch(facecolor=s["color"], hatch=s["hatch"], edgecolor="black", label=outcome_label(name))
                for (name, _), s in zip(groups, styles, strict=True)
            ]
            ax1.legend(handles=handles, loc="upper right", frameon=False)
        else:
            ax1.text(0.5, 0.5, "every agreement is on the frontier", ha="center", va="center", transform=ax1.transAxes)
        ax1.set_xlabel("Pareto gap (utility every member could still gain)")
        ax1.set_ylabel("Share of the kind's agreements")
        ax1.set_title("Agreements off the frontier")
        for (_, g), s, label in zip(groups, styles, labels, strict=True):
            x, n = np.unique(g, return_counts=True)  # one step per distinct gap (most are 0)
            ax2.step(
                np.concatenate([[0.0], x, [max(top, 1e-3)]]),
                np.concatenate([[0.0], np.cumsum(n) / len(g), [1.0]]),
                where="post",
                color=s["color"],
                linestyle=s["linestyle"],
                linewidth=1.6,
                label=label,
            )
        ax2.set_xlabel("Pareto gap")
        ax2.set_ylabel("Share of agreements with a gap up to x")
        ax2.set_title("Cumulative share")
        ax2.set_ylim(min(s["frontier"] for s in stats) - 0.02, 1.005)
        ax2.legend(loc="lower right", frameon=False)
        n = sum(s["n"] for s in stats)
        suptitle(fig, f"{loaded.scenario.name}: how far agreements lie from the Pareto frontier ({n:,} agreements)")
        fig.tight_layout()
    return fig
