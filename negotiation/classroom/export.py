"""Transcripts of rooms for the instructor: everything as JSON, the round-by-round trace as CSV."""

from __future__ import annotations

import csv
import io
import math

from negotiation.scenario import units

from .play import replay_room, room_loaded, terms
from .store import Room, Store


def _clean(v):
    """JSON-safe: NaN and infinities become None (JSON has no NaN)."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


def _display_terms(loaded, position) -> dict:
    """An offer as ``{issue: value}`` in display units (option names for discrete issues)."""
    st = loaded.structure
    return dict(zip(st.issues, units.positions(st, loaded.scenario.issues, position), strict=True))


def room_transcript(store: Store, room: Room) -> dict:
    """A room's full transcript: the scenario, who played what, every action, every round, the outcome."""
    loaded = room_loaded(room)
    stored = store.actions(room.id)
    seats = store.seats(room.id)
    view = replay_room(room, stored)
    actions = []
    for a in stored:
        entry = {
            "seq": a.seq,
            "round": a.round + 1,
            "party": a.party,
            "team": seats[a.party].team if a.party in seats else None,
            "kind": a.kind,
            "value": a.value,
            "proposer": a.proposer,
            "time": a.time,
        }
        if a.kind == "offer":
            entry["terms"] = _display_terms(loaded, a.value)
        actions.append(entry)
    rounds = []
    for rec in view.model.history:
        rec = dict(rec)
        rec["offers"] = [dict(off, terms=_display_terms(loaded, off["position"])) for off in rec["offers"]]
        if "text" in rec:  # the mediator's single text that round
            rec["text"] = dict(rec["text"], terms=_display_terms(loaded, rec["text"]["position"]))
        rounds.append(rec)
    pending = None
    if view.pending is not None:
        need = view.pending
        pending = {"round": need.round + 1, "party": need.party, "kind": need.kind, "proposer": need.proposer}
        if need.offer is not None:
            pending["terms"] = {t["issue"]: t["text"] for t in terms(loaded, need.offer.tolist())}
    mc = store.montecarlo(room.id)
    return _clean(
        {
            "room": {
                "id": room.id,
                "title": room.title,
                "scenario": loaded.scenario.name,
                "config_name": room.config_name,
                "config_yaml": room.config_text,
                "seed": room.seed,
                "draw": room.draw,
                "teams": list(room.people),
                "computer": [p for p in loaded.structure.parties if p not in room.people],
                "status": room.status,
                "created": room.created,
            },
            "seats": [{"party": s.party, "team": s.team, "joined": s.joined} for s in seats.values()],
            "actions": actions,
            "rounds": rounds,
            "pending": pending,
            "summary": view.summary,
            "montecarlo": None
            if not mc or not mc["result"]
            else {"draws": mc["result"]["draws"], "seed": mc["result"]["seed"], "outcomes": mc["result"]["outcomes"]},
        }
    )


TRACE_LEAD = ["room", "title", "played_by"]


def trace_rows(store: Store, room: Room) -> list[dict]:
    """One row per round and party (the model's trace), with who played the party."""
    view = replay_room(room, store.actions(room.id))
    seats = store.seats(room.id)
    rows = []
    if not view.model.history:
        return rows
    df = view.model.trace()
    for rec in df.to_dict(orient="records"):
        party = rec["party"]
        who = "computer" if party not in room.people else (seats[party].team if party in seats else "team")
        rows.append({"room": room.id, "title": room.title, "played_by": who, **rec})
    return rows


def action_rows(store: Store, room: Room) -> list[dict]:
    """One row per team decision, offers in display units (a game under way included)."""
    loaded = room_loaded(room)
    seats = store.seats(room.id)
    rows = []
    for a in store.actions(room.id):
        row = {
            "room": room.id,
            "title": room.title,
            "seq": a.seq,
            "round": a.round + 1,
            "party": a.party,
            "team": seats[a.party].team if a.party in seats else "",
            "kind": a.kind,
            "proposer": a.proposer or "",
            "decision": "" if a.kind == "offer" else ("yes" if a.value else "no"),
        }
        for issue in loaded.structure.issues:
            row[f"offer_{issue}"] = ""
        if a.kind == "offer":
            row.update({f"offer_{k}": v for k, v in _display_terms(loaded, a.value).items()})
        row["time"] = a.time
        rows.append(row)
    return rows


def _cell(v):
    """A CSV cell: no NaN text, and no text a spreadsheet would run as a formula (a team's name)."""
    if isinstance(v, float) and not math.isfinite(v):
        return ""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


def csv_text(rows: list[dict]) -> str:
    """Rows as CSV text: the union of their keys as the header, in first-seen order."""
    buf = io.StringIO()
    fields: list[str] = []
    for row in rows:
        fields += [k for k in row if k not in fields]
    writer = csv.DictWriter(buf, fieldnames=fields or TRACE_LEAD, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return buf.getvalue()
