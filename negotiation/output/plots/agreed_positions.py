"""Where agreements landed on each issue, with the status quo and each party's ideal."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from negotiation.kernel.draws import build_inputs
from negotiation.output.plots.data import agreement_outcomes, column_array
from negotiation.output.plots.style import (
    figure,
    hatch_bars,
    issue_axis_label,
    outcome_label,
    outcome_style,
    party_name,
    party_style,
    styled,
    suptitle,
)
from negotiation.scenario import units


def party_ideals(loaded) -> np.ndarray:
    """Each party's ideal position (P, I) in model units: from the config, the middle of its
    distribution's support when uncertain (option index for discrete issues)."""
    space = loaded.space
    return build_inputs(loaded.structure, space, space.base()[None, :]).ideal[0]


def agreed_positions(loaded, table: pa.Table) -> Figure | None:
    """The agreed position on each issue over the draws that reached an agreement: a histogram
    per continuous issue, counts per option for discrete ones; stacked by outcome class, with the
    status quo and each party's ideal marked. None without any agreement.

    ``table`` has the columns of ``outcomes.parquet``: ``outcome`` and, per issue, ``x.<issue>``
    in display units (the model value times the issue's ``scale``; the option's name for a
    discrete issue). Ideals, bounds and the status quo come in model units from the scenario and
    are shown in display units too."""
    st = loaded.structure
    outcome = column_array(table, "outcome")
    agree = agreement_outcomes(st)
    classes = [o for o in agree if np.any(outcome == o)]
    if not classes:
        return None
    ideals = party_ideals(loaded)
    for i, pair in enumerate(st.issue_pair):  # a pair's term: only its two parties' ideals are shown
        if pair is not None:
            ideals[[q for q in range(st.n_parties) if q not in pair], i] = np.nan
    n_issues = st.n_issues
    ncols = 2 if n_issues > 1 else 1
    nrows = -(-n_issues // ncols)
    order = st.outcomes
    with styled():
        fig = figure((6.4 * ncols, 3.7 * nrows + 0.9))
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for ax in axes.flat[n_issues:]:
            ax.set_visible(False)
        for i, issue in enumerate(st.issues):
            ax = axes.flat[i]
            x = column_array(table, f"x.{issue}")  # display units already
            if i in st.options:
                _discrete_hist(ax, loaded, i, x, outcome, classes, ideals[:, i], order)
            else:
                shown = units.to_display(st, loaded.scenario.issues, i, ideals[:, i])
                _continuous_hist(ax, loaded, i, x, outcome, classes, shown, order)
            ax.set_title(units.label(st, loaded.scenario.issues, i))
            ax.set_xlabel(issue_axis_label(loaded, issue))
            ax.set_ylabel("Agreements (draws)")
        handles = [
            Patch(
                facecolor=outcome_style(order, o)["color"],
                hatch=outcome_style(order, o)["hatch"],
                edgecolor="black",
                label=outcome_label(o),
            )
            for o in classes
        ]
        handles.append(Line2D([], [], color="black", lw=2.2, label="status quo"))
        for p, party in enumerate(st.parties):
            s = party_style(p)
            handles.append(
                Line2D(
                    [],
                    [],
                    color=s["color"],
                    linestyle=s["linestyle"],
                    marker="v",
                    markeredgecolor="black",
                    label=f"ideal of {party_name(loaded, party)}",
                )
            )
        fig.legend(handles=handles, loc="lower center", ncol=min(4, len(handles)), frameon=False)
        n = int(np.isin(outcome, classes).sum())
        suptitle(fig, f"{loaded.scenario.name}: agreed positions ({n:,} agreements of {len(outcome):,} draws)")
        rows_legend = -(-len(handles) // min(4, len(handles)))
        fig.tight_layout(rect=(0, 0.045 * rows_legend / max(1, nrows) + 0.02, 1, 1))
    return fig


def _mark_ideals(ax, loaded, xs, peak: float, span: float) -> None:
    """Each party's ideal: a vertical line of its style and a labelled marker near the top of the
    axes; markers of parties with close ideals are put on staggered levels."""
    levels: dict[int, int] = {}
    placed: list[tuple[float, int]] = []
    for p in np.argsort(xs, kind="stable"):
        if np.isnan(xs[p]):  # (a party outside the pair whose term this is)
            continue
        level = 0
        while any(abs(xs[p] - x) < 0.07 * span and lv == level for x, lv in placed):
            level += 1
        levels[int(p)] = level
        placed.append((xs[p], level))
    for p, party in enumerate(loaded.structure.parties):
        if p not in levels:
            continue
        s = party_style(p)
        y = peak * (1.30 - 0.11 * levels[p])
        ax.axvline(xs[p], color=s["color"], linestyle=s["linestyle"], lw=1.6, zorder=3)
        ax.plot([xs[p]], [y], marker="v", color=s["color"], markeredgecolor="black", ms=8, zorder=4)
        ax.annotate(
            party,
            (xs[p], y),
            xytext=(6, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=8.5,
            fontweight="bold",
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
            zorder=5,
        )


def _continuous_hist(ax, loaded, i, x, outcome, classes, ideals, order) -> None:
    """Stacked histogram of display-unit positions ``x`` over the issue's range (30 bins)."""
    st = loaded.structure
    lo, hi = (units.to_display(st, loaded.scenario.issues, i, v) for v in (st.lo[i], st.hi[i]))
    bins = np.linspace(lo, hi, 31)
    data = [x[(outcome == o) & np.isfinite(x)] for o in classes]
    styles = [outcome_style(order, o) for o in classes]
    _, _, bars = ax.hist(
        data,
        bins=bins,
        stacked=True,
        color=[s["color"] for s in styles],
        edgecolor="black",
        linewidth=0.4,
    )
    hatch_bars(bars, len(classes), styles)
    counts, _ = np.histogram(np.concatenate(data), bins)  # the stacked bars' heights
    peak = max(1.0, float(counts.max()))
    ax.set_ylim(0, peak * 1.42)
    sq = units.to_display(st, loaded.scenario.issues, i, st.status_quo[i])
    ax.axvline(sq, color="black", lw=2.2, zorder=3)
    ax.annotate(
        "status quo",
        (sq, peak * 0.5),
        xytext=(-3, 0) if sq - lo > 0.08 * (hi - lo) else (3, 0),
        textcoords="offset points",
        fontsize=8,
        ha="right" if sq - lo > 0.08 * (hi - lo) else "left",
        va="center",
        rotation=90,
        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
    )
    _mark_ideals(ax, loaded, ideals, peak, hi - lo)
    ax.set_xlim(lo - 0.015 * (hi - lo), hi + 0.015 * (hi - lo))


def _discrete_hist(ax, loaded, i, x, outcome, classes, ideals, order) -> None:
    """Stacked counts per option (``x`` holds option names; ``ideals`` option indices)."""
    st = loaded.structure
    options = st.options[i]
    pos = np.arange(len(options))
    bottom = np.zeros(len(options))
    for o in classes:
        s = outcome_style(order, o)
        counts = np.array([np.sum((outcome == o) & (x == name)) for name in options], dtype=float)
        ax.bar(pos, counts, 0.6, bottom=bottom, color=s["color"], hatch=s["hatch"], edgecolor="black", lw=0.5)
        bottom += counts
    top = max(1.0, bottom.max()) * 1.08
    ax.set_ylim(0, top * 1.25)
    sq = int(st.status_quo[i])
    ax.bar([sq], [top * 1.25], 0.84, fill=False, edgecolor="black", lw=2.2, zorder=0)
    ax.annotate("status quo", (sq, top * 1.22), ha="center", va="top", fontsize=8)
    ax.set_xticks(pos, options)
    ax.set_xlim(-0.6, len(options) - 0.4)
    ax.grid(axis="x", visible=False)
    # ideals: one marker per party above the option, side by side when they share it
    shown = [q for q in range(len(st.parties)) if not np.isnan(ideals[q])]
    for p in shown:
        party = st.parties[p]
        s = party_style(p)
        k = int(round(ideals[p]))
        same = [q for q in shown if int(round(ideals[q])) == k]
        dx = (same.index(p) - (len(same) - 1) / 2) * 0.16
        ax.plot([k + dx], [top * 1.05], marker="v", color=s["color"], markeredgecolor="black", ms=9, ls="none")
        ax.annotate(party, (k + dx, top * 1.05), xytext=(0, 7), textcoords="offset points", ha="center", fontsize=8)
