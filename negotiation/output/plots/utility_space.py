"""The parties' final utilities over the agreements, pair by pair, with the Pareto frontier,
the Nash bargaining point and the mean reservations."""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from negotiation.analysis.outcome_space import nash_point, pareto_mask
from negotiation.kernel.draws import build_inputs
from negotiation.output.plots.data import MAX_SCATTER, agreement_outcomes, column_array, even_subsample
from negotiation.output.plots.style import figure, outcome_label, outcome_style, party_name, styled, suptitle


def effective_reservations(loaded, table: pa.Table, points: list[dict] | None = None) -> np.ndarray:
    """Each row's effective reservation (N, P): the walk-away utility plus the linked stakes under
    termination (``Inputs.res_eff``), rebuilt from the row's ``param.*`` columns (every uncertain
    or swept parameter) and the config's constants, with the row's sweep point applied."""
    st, space = loaded.structure, loaded.space
    n = table.num_rows
    out = np.zeros((n, st.n_parties))
    point = column_array(table, "point") if "point" in table.column_names else np.zeros(n, dtype=int)
    cols = {name[len("param.") :]: name for name in table.column_names if name.startswith("param.")}
    for k in np.unique(point):
        sel = point == k
        params = points[int(k)] if points and int(k) < len(points) else {}
        sp = space.with_values(params) if params else space
        m = np.tile(sp.base(), (int(sel.sum()), 1))
        for i, slot in enumerate(sp.slots):
            if slot.name in cols:
                m[:, i] = column_array(table, cols[slot.name])[sel]
        out[sel] = build_inputs(st, sp, m).res_eff
    return out


def utility_space(
    loaded, table: pa.Table, points: list[dict] | None = None, n_agreements: int | None = None
) -> Figure | None:
    """Pairwise scatter of the parties' final utilities over the agreements (deals and
    bilaterals), with each party's mean effective reservation, the Pareto frontier of the plotted
    points and their Nash bargaining point (gains over the mean reservations). One panel per
    pair of parties. None without agreements or with a single party.

    ``table`` holds sweep rows with ``outcome``, ``u.<party>`` and the ``param.*`` columns (for
    the reservations); at most ``MAX_SCATTER`` agreements are drawn, evenly spread.
    ``n_agreements`` is the number of agreements the rows were taken from, for the title."""
    st = loaded.structure
    if st.n_parties < 2:
        return None
    outcome = column_array(table, "outcome")
    classes = agreement_outcomes(st)
    rows = np.flatnonzero(np.isin(outcome, classes))
    if rows.size == 0:
        return None
    rows = rows[even_subsample(rows.size, MAX_SCATTER)]
    sub = table.take(pa.array(rows))
    u = np.column_stack([column_array(sub, f"u.{p}") for p in st.parties])
    out = outcome[rows]
    res = effective_reservations(loaded, sub, points).mean(axis=0)
    nash = nash_point(u, res)
    pairs = list(itertools.combinations(range(st.n_parties), 2))
    ncols = min(3, len(pairs))
    nrows = -(-len(pairs) // ncols)
    order = st.outcomes
    with styled():
        fig = figure((5.0 * ncols, 4.8 * nrows + 1.0))
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for ax in axes.flat[len(pairs) :]:
            ax.set_visible(False)
        alpha = 0.6 if len(rows) < 2000 else 0.4
        for ax, (a, b) in zip(axes.flat, pairs, strict=False):
            for o in classes:
                sel = out == o
                if not sel.any():
                    continue
                s = outcome_style(order, o)
                ax.scatter(
                    u[sel, a],
                    u[sel, b],
                    s=9,
                    marker=s["marker"],
                    color=s["color"],
                    alpha=alpha,
                    lw=0,
                    label=f"{outcome_label(o)} ({int(sel.sum()):,})",
                    rasterized=True,
                )
            # the Pareto frontier of the plotted points for this pair: a staircase through them
            front = pareto_mask(u[:, [a, b]])
            fx, fy = u[front, a], u[front, b]
            idx = np.argsort(fx)
            ax.step(fx[idx], fy[idx], where="post", color="black", lw=1.5, zorder=4)
            ax.plot(fx[idx], fy[idx], ls="none", marker="o", ms=3.5, color="black", zorder=4)
            ax.axvline(res[a], color="0.25", ls="--", lw=1.2)
            ax.axhline(res[b], color="0.25", ls=":", lw=1.4)
            if nash is not None:
                ax.scatter(
                    [u[nash, a]],
                    [u[nash, b]],
                    s=280,
                    marker="*",
                    color="white",
                    edgecolors="black",
                    lw=1.4,
                    zorder=5,
                )
            ax.set_xlabel(f"Utility to {party_name(loaded, st.parties[a])}")
            ax.set_ylabel(f"Utility to {party_name(loaded, st.parties[b])}")
            ax.set_title(f"{st.parties[a]} against {st.parties[b]}")
            lo = min(np.nanmin(u[:, [a, b]]), res[a], res[b])
            hi = max(np.nanmax(u[:, [a, b]]), res[a], res[b])
            pad = 0.04 * (hi - lo or 1)
            ax.set_xlim(lo - pad, hi + pad)
            ax.set_ylim(lo - pad, hi + pad)
            ax.set_aspect("equal", adjustable="box")
        handles = []
        for o in classes:
            n_o = int(np.sum(out == o))
            if n_o:
                s = outcome_style(order, o)
                handles.append(
                    Line2D(
                        [],
                        [],
                        ls="none",
                        marker=s["marker"],
                        color=s["color"],
                        ms=6,
                        label=f"{outcome_label(o)} ({n_o:,})",
                    )
                )
        handles += [
            Line2D([], [], color="black", lw=1.5, marker="o", ms=3.5, label="Pareto frontier of the points shown"),
            Line2D([], [], ls="none", marker="*", ms=15, mfc="white", mec="black", label="Nash bargaining point"),
            Line2D([], [], color="0.25", ls="--", lw=1.2, label="mean reservation, x-axis party"),
            Line2D([], [], color="0.25", ls=":", lw=1.4, label="mean reservation, y-axis party"),
        ]
        legend_cols = 2 if len(pairs) == 1 else 4
        fig.legend(handles=handles, loc="lower center", ncol=legend_cols, frameon=False)
        total = max(n_agreements or 0, int(np.isin(outcome, classes).sum()))
        shown = f"{len(rows):,} agreements" + (f" (an even subsample of {total:,})" if len(rows) < total else "")
        suptitle(fig, f"{loaded.scenario.name}: final utilities of {shown}; utility scale 0-1 per party")
        leg_rows = -(-len(handles) // legend_cols)
        fig.tight_layout(rect=(0, 0.05 * leg_rows / nrows + 0.02, 1, 1))
    return fig
