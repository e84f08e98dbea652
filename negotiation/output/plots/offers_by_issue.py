"""A single negotiation's offers on each issue, round by round, in the issue's own units."""

from __future__ import annotations

import textwrap
from functools import partial

import numpy as np
from matplotlib.figure import Figure

from negotiation.output.plots.style import figure, outcome_label, party_style, styled, suptitle
from negotiation.scenario import units


def round_ticks(ax, history: list[dict]) -> None:
    """Round numbers on the x axis, each with its date under it (every round up to 16, else
    about 12 of them)."""
    rounds = [r["round"] for r in history]
    step = max(1, -(-len(rounds) // 12)) if len(rounds) > 16 else 1
    shown = history[::step]
    ax.set_xticks([r["round"] for r in shown], [f"{r['round']}\n{r['date'][5:]}" for r in shown])
    ax.set_xlim(min(rounds) - 0.5, max(rounds) + 0.5)


def _option_index(options: list[str], v) -> float:
    return options.index(v) if v in options else np.nan


def offers_by_issue(loaded, history: list[dict], summary: dict | None = None) -> Figure | None:
    """One panel per issue: each party's offered term in every round (display units: "% regional
    content", years, USD; option names on a discrete issue's axis), the agreed term when the run
    ended in one, and each party's accepted offers filled. ``history`` is the lines of
    ``rounds.jsonl`` (terms in display units already). None without any offer."""
    st = loaded.structure
    if not any(r.get("offers") for r in history or []):
        return None
    n = st.n_issues
    ncols = 1 if n <= 2 else 2
    nrows = -(-n // ncols)
    agreed = (summary or {}).get("agreement") or {}
    with styled():
        fig = figure((6.4 * ncols + 2.2, 2.9 * nrows + 1.0))
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for ax in axes.flat[n:]:
            ax.set_visible(False)
        for i, (ax, issue) in enumerate(zip(axes.flat, st.issues, strict=False)):
            options = st.options.get(i)
            value = partial(_option_index, options) if options else float
            for q, party in enumerate(st.parties):
                s = party_style(q)
                xs, ys, took = [], [], []
                for r in history:
                    for off in r.get("offers", []):
                        v = (off.get("terms") or {}).get(issue)
                        if off["proposer"] == party and v is not None:
                            xs.append(r["round"])
                            ys.append(value(v))
                            took.append(bool(off.get("accepted_by")))
                if not xs:
                    continue
                ax.plot(
                    xs,
                    ys,
                    color=s["color"],
                    ls=s["linestyle"],
                    lw=1.4,
                    marker=s["marker"],
                    ms=6,
                    mfc="white",
                    mec=s["color"],
                    label=f"{party}'s offer",
                    zorder=2,
                )
                hit = [(x, y) for x, y, t in zip(xs, ys, took, strict=True) if t]
                if hit:
                    ax.plot(*zip(*hit, strict=True), ls="none", marker=s["marker"], ms=6, color=s["color"], zorder=3)
            if agreed.get(issue) is not None:
                ax.axhline(value(agreed[issue]), color="0.3", ls=":", lw=1.6, label="agreed", zorder=1)
            if options:
                ax.set_yticks(range(len(options)), options)
                ax.set_ylim(-0.5, len(options) - 0.5)
            label = units.label(st, loaded.scenario.issues, i)
            ax.set_title(textwrap.shorten(label, 60, placeholder="..."), loc="left", fontsize=10)
            ax.set_ylabel(units.unit_of(st, loaded.scenario.issues, i) or "value")
            round_ticks(ax, history)
            ax.tick_params(axis="x", labelsize=8)
        for ax in axes[-1]:
            ax.set_xlabel("Round (date)")
        handles, labels = axes.flat[0].get_legend_handles_labels()
        for ax in axes.flat[1:n]:
            for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
                if lab not in labels:
                    handles.append(h)
                    labels.append(lab)
        fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.0, 0.93), frameon=False)
        title = f"{loaded.scenario.name}: offers on each issue, round by round (filled: accepted by someone)"
        if summary and summary.get("outcome"):
            title += f"; outcome {outcome_label(summary['outcome'])} after {summary.get('rounds')} rounds"
        suptitle(fig, title)
        fig.tight_layout()
    return fig
