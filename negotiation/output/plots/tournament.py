"""A tournament's deal probability per assignment of strategies to parties."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from matplotlib.figure import Figure

from negotiation.output.plots.data import column_array
from negotiation.output.plots.style import OUTCOME_COLORS, figure, styled


def tournament_deal_odds(loaded, table: pa.Table) -> Figure | None:
    """Horizontal bars of the deal probability (95% interval) of each strategy assignment
    (the rows of ``tournament.csv``: ``p.deal``, ``ci95_low.deal``, ``ci95_high.deal``,
    ``strategy.<party>``, ``n_draws``), best first. None for an empty table."""
    st = loaded.structure
    if table.num_rows == 0 or "p.deal" not in table.column_names:
        return None
    p = column_array(table, "p.deal").astype(float)
    lo = column_array(table, "ci95_low.deal").astype(float)
    hi = column_array(table, "ci95_high.deal").astype(float)
    strat = {
        party: column_array(table, f"strategy.{party}")
        for party in st.parties
        if f"strategy.{party}" in table.column_names
    }
    labels = [", ".join(f"{party}: {strat[party][k]}" for party in strat) for k in range(table.num_rows)]
    order = np.argsort(p)  # best at the top of a barh
    n = len(order)
    with styled():
        fig = figure((10, 1.2 + 0.32 * n))
        ax = fig.subplots()
        y = np.arange(n)
        ax.barh(y, p[order], 0.7, color=OUTCOME_COLORS["deal"], edgecolor="black", lw=0.6)
        ax.errorbar(
            p[order],
            y,
            xerr=[p[order] - lo[order], hi[order] - p[order]],
            fmt="none",
            ecolor="black",
            capsize=3,
            elinewidth=1,
        )
        for k, j in enumerate(order):
            ax.annotate(f"{p[j]:.3f}", (hi[j], k), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
        ax.set_yticks(y, [labels[j] for j in order], fontsize=8 if n > 20 else 9)
        ax.set_xlim(0, min(1.1, float(hi.max()) * 1.12 + 0.02))
        if hi.max() > 0.5:
            ax.set_xticks(np.linspace(0, 1, 6))
        ax.set_xlabel("P(deal) (share of draws; bars: 95% Wilson intervals)")
        ax.grid(axis="y", visible=False)
        draws = int(column_array(table, "n_draws")[0]) if "n_draws" in table.column_names else None
        each = f", {draws:,} draws each" if draws else ""
        ax.set_title(f"{loaded.scenario.name}: deal probability per strategy assignment{each}")
        fig.tight_layout()
    return fig
