"""How long talks lasted: rounds played and end dates, stacked by outcome class."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from negotiation.output.plots.data import column_array
from negotiation.output.plots.style import figure, hatch_bars, outcome_label, outcome_style, styled, suptitle


def time_to_agreement(loaded, table: pa.Table) -> Figure | None:
    """Histograms, stacked by outcome class, of the rounds played and of the end date (monthly
    bins) over the sweep rows (``outcome``, ``rounds``, ``end_date`` of ``outcomes.parquet``).
    None without any row of a known outcome class."""
    st = loaded.structure
    outcome = column_array(table, "outcome")
    rounds = column_array(table, "rounds").astype(int)
    end = column_array(table, "end_date")
    classes = [o for o in st.outcomes if np.any(outcome == o)]
    if not classes:
        return None
    styles = [outcome_style(st.outcomes, o) for o in classes]
    with styled():
        fig = figure((13, 4.8))
        ax1, ax2 = fig.subplots(1, 2)
        bins = np.arange(rounds.min() - 0.5, rounds.max() + 1.5, 1.0)
        _stacked(ax1, [rounds[outcome == o] for o in classes], bins, styles)
        ax1.set_xlabel("Rounds played")
        ax1.set_ylabel("Draws")
        ax1.set_title("Rounds until the talks ended")
        if rounds.max() - rounds.min() <= 25:
            ax1.set_xticks(np.arange(rounds.min(), rounds.max() + 1))
        days = mdates.date2num(end.astype("datetime64[D]"))
        first = end.min().item()
        last = end.max().item()
        edges = [dt.date(first.year, first.month, 1)]
        while edges[-1] <= last:
            e = edges[-1]
            edges.append(dt.date(e.year + (e.month == 12), e.month % 12 + 1, 1))
        _stacked(ax2, [days[outcome == o] for o in classes], mdates.date2num(edges), styles)
        loc = mdates.AutoDateLocator(maxticks=10)
        ax2.xaxis.set_major_locator(loc)
        ax2.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
        ax2.set_xlabel("End date (monthly bins)")
        ax2.set_ylabel("Draws")
        ax2.set_title("When the talks ended")
        handles = [
            Patch(facecolor=s["color"], hatch=s["hatch"], edgecolor="black", label=outcome_label(o))
            for o, s in zip(classes, styles, strict=True)
        ]
        ax2.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="outcome", frameon=False)
        suptitle(fig, f"{loaded.scenario.name}: time to the end of talks, by outcome ({len(outcome):,} draws)")
        fig.tight_layout()
    return fig


def _stacked(ax, data, bins, styles) -> None:
    _, _, bars = ax.hist(
        data, bins=bins, stacked=True, color=[s["color"] for s in styles], edgecolor="black", linewidth=0.4
    )
    hatch_bars(bars, len(data), styles)
