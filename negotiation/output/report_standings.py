"""The standings section of a tournament's report: the strategies ranked by mean utility with
intervals and deal rates, and the pairwise table."""

from __future__ import annotations

from negotiation.output.report import RunData, _row


def _interval(ci, digits: int = 3) -> str:
    return f"[{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]" if ci else "n/a"


def standings_section(data: RunData) -> str:
    """The strategies ranked by mean utility with intervals and deal rates, and the pairwise
    table (row strategy's mean utility against the column strategy). Empty for a summary without
    standings (a tournament of an older version)."""
    s = data.summary or {}
    rows = s.get("standings") or []
    if not rows:
        return ""
    n = rows[0]["n_draws"]
    out = [
        "<h2>Standings</h2>",
        f"<p>Every assignment was played on the same {n:,} draw rows. A strategy's <em>mean utility</em> is "
        "its parties' final utility (0-1), averaged per row over every slot where a party plays it and then "
        "over rows, with a 95% t interval over the rows; its <em>deal rate</em> is the share of the "
        "games it takes part in that end in a full deal, with a 95% Wilson interval on the rows "
        "(conservative). Ranked by mean utility.</p>",
    ]
    head = _row("rank", "strategy", "mean utility", "95% interval", "deal rate", "95% interval", "slots", header=True)
    body = [head]
    for r in rows:
        body.append(
            _row(
                (r["rank"], "num"),
                r["strategy"],
                (f"{r['mean_utility']:.3f}", "num"),
                (_interval(r["mean_utility_ci95"]), "num"),
                (f"{r['deal_rate']:.3f}", "num"),
                (_interval(r["deal_rate_ci95"]), "num"),
                (r["slots"], "num"),
            )
        )
    out.append('<table id="standings">' + "".join(body) + "</table>")
    pair = s.get("pairwise") or {}
    names = [r["strategy"] for r in rows]
    if pair and len(names) > 1:
        out.append(
            "<h3>Pairwise</h3><p>Mean utility of a party playing the row strategy in the assignments where "
            "every other party plays the column strategy (the diagonal: everybody plays it), with its 95% "
            "t interval over the rows.</p>"
        )
        body = [_row("strategy (row) against (column)", *names, header=True)]
        for a in names:
            cells = []
            for b in names:
                c = (pair.get(a) or {}).get(b)
                cells.append((f"{c['mean_utility']:.3f} {_interval(c['ci95'])}" if c else "", "num"))
            body.append(_row(a, *cells))
        out.append('<table id="pairwise">' + "".join(body) + "</table>")
    return "\n".join(out)
