"""A single negotiation's concession paths, party by party, over calendar dates."""

from __future__ import annotations

import datetime as dt
import textwrap

import numpy as np
from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from negotiation.output.plots.style import figure, outcome_label, party_name, party_style, styled, suptitle

# event kind -> (legend label, colour, line style)
EVENT_STYLE = {
    "extension": ("extension", "#009E73", (0, (5, 2))),
    "extension_refused": ("extension refused", "#E69F00", (0, (1, 1.5))),
    "notice": ("withdrawal notice", "#D55E00", (0, (6, 2, 1, 2))),
    "notice_effective": ("notice takes effect", "#D55E00", (0, (2, 1))),
    "termination": ("termination", "#D55E00", "-"),
    "outcome": ("outcome", "0.35", "-"),
    "shock": ("shock takes effect", "#CC79A7", (0, (3, 1, 1, 1))),
}


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def concession_paths(loaded, history: list[dict], summary: dict | None = None) -> Figure | None:
    """One panel per party, over calendar dates: its target, the utility to it of its own offer
    and of each other party's offer, its effective reservation, and the calendar events
    (extensions, refused extensions, withdrawal notices, termination, the outcome).

    ``history`` is the per-round trace (the lines of ``rounds.jsonl``); ``summary`` the run's
    ``summary.json`` (reservations and the outcome for the title). None without any round."""
    st = loaded.structure
    if not history:
        return None
    dates = [_day(r["date"]) for r in history]
    P = st.n_parties
    with styled():
        fig = figure((10.5, 2.7 * P + 1.3))
        axes = fig.subplots(P, 1, sharex=True, squeeze=False)[:, 0]
        for p, party in enumerate(st.parties):
            ax = axes[p]
            target = [r["targets"].get(party, np.nan) for r in history]
            ax.plot(dates, target, color="0.55", lw=3.2, ls="--", label=f"{party}'s target", zorder=1)
            for q, other in enumerate(st.parties):
                s = party_style(q)
                own = q == p
                xs, ys = [], []
                for d, r in zip(dates, history, strict=True):
                    for off in r["offers"]:
                        if off["proposer"] == other and off["utilities"].get(party) is not None:
                            xs.append(d)
                            ys.append(off["utilities"][party])
                if not xs:
                    continue
                ax.plot(
                    xs,
                    ys,
                    color=s["color"],
                    ls="-" if own else s["linestyle"],
                    marker=s["marker"],
                    markersize=7 if own else 5,
                    markerfacecolor=s["color"] if own else "white",
                    markeredgecolor="black" if own else s["color"],
                    lw=2.2 if own else 1.2,
                    zorder=3 if own else 2,
                    label=f"{party}'s own offer" if own else f"{other}'s offer",
                )
            if summary and party in summary.get("reservations", {}):
                ax.axhline(summary["reservations"][party], color="0.4", ls=":", lw=1.5, label="reservation")
            ax.set_ylabel(f"Utility to {party}\n(0-1 scale)")
            ax.set_title(f"{party_name(loaded, party)}: target and utility of offers", loc="left", fontsize=10)
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        _mark_events(axes, history, dates)
        axes[-1].set_xlabel("Date of round")
        axes[-1].xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=9))
        axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%Y"))
        title = f"{loaded.scenario.name}: concession paths"
        if summary:
            title += f" (outcome: {outcome_label(summary['outcome'])} on {summary['date']}, {summary['rounds']} rounds)"
        suptitle(fig, title)
        fig.tight_layout()
    return fig


def _mark_events(axes, history, dates) -> None:
    """Vertical lines on every panel at each event, and one legend of events under the last
    (an extension's entry lists the new deadlines)."""
    used: dict[str, tuple] = {}
    deadlines: list[str] = []
    ends = {
        ev.get("date") for r in history for ev in r.get("events", []) if ev.get("kind") in ("termination", "outcome")
    }
    for d, r in zip(dates, history, strict=True):
        for ev in r.get("events", []):
            kind = ev.get("kind")
            if kind not in EVENT_STYLE:
                continue
            day = d
            if kind in ("termination", "outcome") and ev.get("date"):
                day = _day(ev["date"])
            label, color, ls = EVENT_STYLE[kind]
            if kind == "outcome" and ev.get("outcome"):
                label = f"end of talks: {outcome_label(ev['outcome'])}"
            for ax in axes:
                ax.axvline(day, color=color, ls=ls, lw=1.6, zorder=1)
            used.setdefault(kind, (label, color, ls))
            if kind == "extension" and ev.get("deadline"):
                deadlines.append(ev["deadline"])
            # the day a notice takes effect, unless the talks ended on that day anyway
            if kind == "notice" and ev.get("effective") and ev["effective"] not in ends:
                label2, color2, ls2 = EVENT_STYLE["notice_effective"]
                for ax in axes:
                    ax.axvline(_day(ev["effective"]), color=color2, ls=ls2, lw=1.0, zorder=1)
                used.setdefault("notice_effective", (label2, color2, ls2))
    if deadlines and "extension" in used:
        _, color, ls = used["extension"]
        text = "extension; new deadline " + ", ".join(deadlines)
        used["extension"] = (textwrap.fill(text, 30), color, ls)
    if used:
        handles = [Line2D([], [], color=c, ls=ls, lw=1.6, label=lab) for lab, c, ls in used.values()]
        axes[-1].legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.01, -0.12),
            frameon=False,
            title="events",
        )
