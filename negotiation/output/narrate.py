"""Human-readable narration of a negotiation, round by round, from the Mesa model's history
(positions as ``negotiation.scenario.units`` shows them)."""

from __future__ import annotations

import datetime as dt
import itertools

from negotiation.kernel.structure import Structure
from negotiation.scenario.units import display_text, pair_text, position_text


def terms_line(st: Structure, texts: list[str]) -> str:
    """One text per kernel issue as one line, a per-pair issue's terms together:
    "tariff 4.0, procurement (US–CA 1.2, US–MX 0.8)"."""
    parts = []
    for issue, group in itertools.groupby(range(st.n_issues), key=lambda i: st.issue_config[i]):
        cols = list(group)
        if st.issue_pair[cols[0]] is None:
            parts.append(f"{issue} {texts[cols[0]]}")
        else:
            parts.append(f"{issue} ({', '.join(f'{pair_text(st, i)} {texts[i]}' for i in cols)})")
    return ", ".join(parts)


def offer_text(st: Structure, issues_cfg: dict, position: list[float]) -> str:
    return terms_line(st, [position_text(st, issues_cfg, i, x) for i, x in enumerate(position)])


def round_lines(st: Structure, issues_cfg: dict, rec: dict) -> list[str]:
    """The lines narrating one round record."""
    targets = "  ".join(f"{p} {u:.2f}" for p, u in rec["targets"].items())
    lines = [f"Round {rec['round']}  {rec['date']}  (deadline {rec['deadline']})  targets: {targets}"]
    # shocks take effect at the start of the round, before anyone decides
    lines += event_lines([ev for ev in rec["events"] if ev["kind"] == "shock"])
    text = rec.get("text")
    if text is not None:
        us = "  ".join(f"{p} {u:.2f}" for p, u in text["utilities"].items())
        said = ", ".join(f"{p} {'accepts' if p in text['accepted_by'] else 'rejects'}" for p in st.parties)
        lines.append(f"  The mediator's text: {offer_text(st, issues_cfg, text['position'])}")
        lines.append(f"      utilities: {us};  {said}")
    for off in rec["offers"]:
        us = "  ".join(f"{p} {u:.2f}" for p, u in off["utilities"].items())
        if rec.get("accession"):
            verb = "asks to join on"
        elif text is not None:
            verb = "asks to amend it to"
        else:
            verb = "proposes"
        lines.append(f"  {off['proposer']} {verb} {offer_text(st, issues_cfg, off['position'])}")
        lines.append(f"      utilities: {us}" + (f";  {_responses(st, off, rec)}" if text is None else ""))
    early = early_vote_refused(st, rec)
    return lines + event_lines([ev for ev in rec["events"] if ev["kind"] != "shock"], early)


def early_vote_refused(st: Structure, rec: dict) -> bool:
    """Whether round ``rec`` held an early extension vote that failed, leaving planned rounds
    before the deadline (``calendar.first_vote_round``, no extension passed before): the talks
    go on to them, where a vote at the deadline fails and the talks close (the kernel's rule in
    ``kernel.protocol``)."""
    if not any(ev["kind"] == "extension_refused" for ev in rec["events"]) or rec["round"] != st.first_vote_round:
        return False
    first_deadline = int(st.deadline_days[0])
    if dt.date.fromisoformat(rec["deadline"]).toordinal() != first_deadline:  # an extension passed before
        return False
    return rec["round"] < len(st.planned_days) and int(st.planned_days[rec["round"]]) <= first_deadline


def _responses(st: Structure, off: dict, rec: dict) -> str:
    """Who accepted an offer (in an accession round: whether the party joins, and whether the
    signatories admit it)."""
    others = [p for p in st.parties if p != off["proposer"]]
    if rec.get("accession"):
        joins = "joins" if off["proposer"] in off["accepted_by"] else "stays out"
        said = ", ".join(f"{p} {'admits' if p in off['accepted_by'] else 'refuses'}" for p in others)
        return f"{off['proposer']} {joins}; {said}"
    return ", ".join(f"{p} {'accepts' if p in off['accepted_by'] else 'rejects'}" for p in others)


def event_sentence(ev: dict, outcome_name=str, early: bool | None = None) -> str:
    """One calendar event in words, lower case and without a full stop (``outcome_name`` names
    outcomes; ``early``: whether a failed extension vote was an early one, after which the talks
    go on, ``early_vote_refused``; None: not known, and not said)."""
    kind = ev["kind"]
    if kind == "notice":
        party, effective = ev["party"], ev["effective"]
        return f"{party} gives notice of withdrawal: it takes effect on {effective} unless a deal is signed first"
    if kind == "extension":
        return f"the extension vote passes: new deadline {ev['deadline']}, rounds every {ev['gap_days']} days"
    if kind == "extension_refused":
        if early is None:
            return "the extension vote fails"
        return "the extension vote fails: " + ("talks go on to the planned rounds" if early else "the talks close")
    if kind == "termination":
        return f"the withdrawal notice takes effect on {ev['date']}: the treaty is terminated"
    if kind == "outcome":
        return f"{outcome_name(ev['outcome'])} on {ev['date']}"
    if kind == "signed":
        name, until = outcome_name(ev["outcome"]), ev["window_end"]
        return f"{name} signed on {ev['date']}: {ev['left_out']} may join it until {until}"
    if kind == "chapter_closed":
        return f"chapter {ev['issue']} closes (provisionally)"
    if kind == "chapter_reopened":
        return f"chapter {ev['issue']} is reopened"
    if kind == "shock":
        return f"{ev['label']} (shock {ev['id']}) takes effect" if ev.get("label") else f"shock {ev['id']} takes effect"
    return str(ev)


def event_lines(events: list[dict], early: bool | None = None) -> list[str]:
    """The lines narrating calendar events: shocks, notices, extension votes, termination, the
    outcome (``early``: a failed extension vote among them was an early one)."""
    return [f"  {'=' if ev['kind'] == 'outcome' else '!'} {event_sentence(ev, early=early)}" for ev in events]


def outcome_lines(st: Structure, issues_cfg: dict, summary: dict) -> list[str]:
    """The closing lines: outcome, agreement, utilities against reservations."""
    lines = [f"Outcome: {summary['outcome']} after {summary['rounds']} rounds, on {summary['date']}"]
    if summary["agreement"]:
        texts = [display_text(st, issues_cfg, i, summary["agreement"][issue]) for i, issue in enumerate(st.issues)]
        lines.append("  agreement: " + terms_line(st, texts))
    lines.append(
        "  utilities: "
        + "  ".join(
            f"{p} {summary['utilities'][p]:.3f} (walk-away {summary['reservations'][p]:.3f})" for p in st.parties
        )
    )
    return lines
