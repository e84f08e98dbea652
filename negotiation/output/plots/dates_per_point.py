"""When agreements were reached at each sweep point, one small panel per point."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
from matplotlib import dates as mdates
from matplotlib.figure import Figure

from negotiation.output.plots.data import agreement_outcomes, column_array
from negotiation.output.plots.odds_per_point import MAX_POINTS, panel_layout, point_title
from negotiation.output.plots.style import OUTCOME_COLORS, figure, styled, suptitle


def month_edges(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from ``first``'s month to the month after ``last``."""
    edges = [dt.date(first.year, first.month, 1)]
    while edges[-1] <= last:
        e = edges[-1]
        edges.append(dt.date(e.year + (e.month == 12), e.month % 12 + 1, 1))
    return edges


def dates_per_point(loaded, table: pa.Table, points: list[dict]) -> Figure | None:
    """One histogram per sweep point (the first twelve of ``summary.json``'s ``points``, each
    with its ``params``) of the agreement dates (``end_date`` of
    the rows that end in an agreement, monthly bins on one shared date axis), each with its
    median dated and its count of agreements and draws. None for fewer than two points or
    without any agreement."""
    if len(points) < 2:
        return None
    st = loaded.structure
    outcome = column_array(table, "outcome")
    point = column_array(table, "point").astype(int)
    end = column_array(table, "end_date")
    agreed = np.isin(outcome, agreement_outcomes(st))
    if not agreed.any():
        return None
    shown = points[:MAX_POINTS]
    first, last = end[agreed].min().item(), end[agreed].max().item()
    bins = mdates.date2num(month_edges(first, last))
    nrows, ncols, at = panel_layout(shown)
    with styled():
        fig = figure((4.4 * ncols + 0.6, 2.9 * nrows + 0.9))
        axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True, sharey=True)
        for j, ax in enumerate(axes.flat):
            ax.set_visible(j in at)
        for k, pt in enumerate(shown):
            ax = axes.flat[at[k]]
            here = point == k
            days = end[here & agreed]
            n = int(here.sum())
            if len(days):
                ax.hist(
                    mdates.date2num(days.astype("datetime64[D]")),
                    bins=bins,
                    weights=np.full(len(days), 1.0 / n),
                    color=OUTCOME_COLORS["deal"],
                    edgecolor="black",
                    linewidth=0.4,
                )
                median = np.sort(days)[(len(days) - 1) // 2]
                ax.axvline(mdates.date2num(median), color="black", ls="--", lw=1.2)
                said = f"median {median.item().isoformat()}; {len(days):,} of {n:,} draws agreed"
            else:
                said = f"no agreement in {n:,} draws"
            ax.set_title(f"{point_title(k, pt)}\n{said}", fontsize=9)
        for row in axes:
            row[0].set_ylabel("Share of draws")
        loc = mdates.AutoDateLocator(maxticks=6)
        for ax in axes.flat:
            ax.xaxis.set_major_locator(loc)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
            ax.tick_params(axis="x", labelbottom=True, labelsize=8)
        more = f" (first {len(shown)} of {len(points)} points)" if len(points) > len(shown) else ""
        suptitle(
            fig,
            f"{loaded.scenario.name}: agreement dates at each sweep point{more} (monthly bins, share of the "
            "point's draws; dashed: median agreement date)",
        )
        fig.tight_layout()
    return fig
