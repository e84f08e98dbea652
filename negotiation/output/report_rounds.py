"""The table of rounds of a single negotiation's report: every offer of every round, its terms in
the issues' units, its utility to each party, who accepted it and the round's events."""

from __future__ import annotations

from negotiation.output.report import RunData, _row
from negotiation.scenario import units

EVENT_WORDS = {
    "extension": "extension",
    "extension_refused": "extension refused",
    "notice": "withdrawal notice",
    "termination": "termination",
    "outcome": "end of talks",
    "shock": "shock",
}


def _event_text(ev: dict) -> str:
    from negotiation.output.plots import outcome_label

    kind = ev.get("kind", "")
    text = EVENT_WORDS.get(kind, kind.replace("_", " "))
    if kind == "outcome" and ev.get("outcome"):
        text += f": {outcome_label(ev['outcome'])}"
    if kind == "extension" and ev.get("deadline"):
        text += f" to {ev['deadline']}"
    if kind == "notice" and ev.get("effective"):
        text += f" (effective {ev['effective']})"
    return text


def rounds_section(data: RunData) -> str:
    """The table of rounds: every offer of every round with its terms in the issues' units, its
    utility to each party and who accepted it; the round's date, targets and events on its first
    offer."""
    st, cfg = data.loaded.structure, data.loaded.scenario.issues
    head = ["round", "date", "proposer"]
    head += [f"{issue} ({units.unit_of(st, cfg, i)})" for i, issue in enumerate(st.issues)]
    head += [f"u.{p}" for p in st.parties] + ["accepted by", "events"]
    rows = [_row(*head, header=True)]
    for r in data.history:
        offers = r.get("offers") or [{}]
        events = "; ".join(_event_text(ev) for ev in r.get("events", []))
        for k, off in enumerate(offers):
            first = k == 0
            cells = [(r.get("round", "") if first else "", "num"), (r.get("date", "") if first else "", "nowrap")]
            cells.append(off.get("proposer", ""))
            for issue in st.issues:
                v = (off.get("terms") or {}).get(issue)
                cells.append((v if isinstance(v, str) else ("" if v is None else f"{v:.1f}"), "num"))
            for p in st.parties:
                u = (off.get("utilities") or {}).get(p)
                cells.append(("" if u is None else f"{u:.3f}", "num"))
            cells += [", ".join(off.get("accepted_by") or []), events if first else ""]
            rows.append(_row(*cells).replace("<tr>", '<tr class="first">' if first else "<tr>", 1))
    return (
        "<h2>Rounds</h2><p>Every offer on the table, round by round: its terms in each issue's units (in "
        "brackets), what it is worth to each party (utility 0-1) and who accepted it.</p>"
        '<div class="wide"><table id="rounds">' + "".join(rows) + "</table></div>"
    )
