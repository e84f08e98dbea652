"""A single negotiation's joint utility path: what each offer on the table is worth to every
party, round by round."""

from __future__ import annotations

from matplotlib.figure import Figure

from negotiation.output.plots.offers_by_issue import round_ticks
from negotiation.output.plots.style import figure, party_name, party_style, styled, suptitle


def joint_utility(loaded, history: list[dict], summary: dict | None = None) -> Figure | None:
    """One panel per proposing party: every party's utility (0-1) of that party's offer in each
    round, each party's reservation (walk-away utility, with stakes) dotted, and the rounds where
    the offer was accepted by someone marked. Read across the panels of one round, it is the
    utility of every offer on the table to everybody. A shaded round: someone accepted the offer
    (who, at the foot of the band). None without any offer."""
    st = loaded.structure
    proposers = [p for p in st.parties if any(o["proposer"] == p for r in history or [] for o in r.get("offers", []))]
    if not proposers:
        return None
    res = (summary or {}).get("reservations") or {}
    with styled():
        fig = figure((10.5, 2.6 * len(proposers) + 1.2))
        axes = fig.subplots(len(proposers), 1, sharex=True, sharey=True, squeeze=False)[:, 0]
        for ax, proposer in zip(axes, proposers, strict=True):
            took = []
            for q, party in enumerate(st.parties):
                s = party_style(q)
                xs, ys = [], []
                for r in history:
                    for off in r.get("offers", []):
                        u = (off.get("utilities") or {}).get(party)
                        if off["proposer"] == proposer and u is not None:
                            xs.append(r["round"])
                            ys.append(u)
                            if q == 0 and off.get("accepted_by"):
                                took.append((r["round"], ", ".join(off["accepted_by"])))
                ax.plot(xs, ys, color=s["color"], ls=s["linestyle"], marker=s["marker"], ms=5, lw=1.6, label=party)
                if party in res:
                    ax.axhline(res[party], color=s["color"], ls=":", lw=1.0, alpha=0.9)
            for x, who in took:  # a shaded round: someone accepted this offer; who, at the foot
                ax.axvspan(x - 0.3, x + 0.3, color="#009E73", alpha=0.12, lw=0, zorder=0)
                ax.annotate(who, (x, 0.03), xycoords=("data", "axes fraction"), fontsize=7.5, ha="center", color="0.25")
            ax.set_ylim(0, 1.05)
            ax.set_ylabel("Utility (0-1)")
            ax.set_title(f"{party_name(loaded, proposer)}'s offer: its utility to each party", loc="left", fontsize=10)
        round_ticks(axes[-1], history)
        axes[-1].set_xlabel("Round (date)")
        key = "utility to\n(dotted: reservation;\nshaded: accepted by\nthe parties named)"
        axes[0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, title=key)
        suptitle(fig, f"{loaded.scenario.name}: joint utility path of the offers on the table")
        fig.tight_layout()
    return fig
