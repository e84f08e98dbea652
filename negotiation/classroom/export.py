"""Transcripts of rooms for the instructor: everything as JSON, the round-by-round trace as CSV.

Every room's transcript is streamed one room at a time (``rooms_json``, ``csv_lines``): the
server holds one room in memory, however many rooms there are. A CSV of many rooms is headed by
the columns of every scenario among them (``trace_fields``, ``action_fields``).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Iterator

from negotiation.drivers.human import replay
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


def trace_fields(room: Room) -> list[str]:
    """The columns of the room's trace: those of its scenario played by the computer alone."""
    view = replay(room_loaded(room), room.seed, room.draw, [], [])
    return TRACE_LEAD + list(view.model.trace().columns)


ACTION_LEAD = ["room", "title", "seq", "round", "party", "team", "kind", "proposer", "decision"]


def action_fields(room: Room) -> list[str]:
    """The columns of the room's decisions (``action_rows``)."""
    return ACTION_LEAD + [f"offer_{issue}" for issue in room_loaded(room).structure.issues] + ["time"]


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


def union(lists: Iterable[Iterable[str]]) -> list[str]:
    """The names of every list, in first-seen order."""
    out: dict[str, None] = {}
    for names in lists:
        out.update(dict.fromkeys(names))
    return list(out)


def csv_lines(fields: list[str], rows: Iterable[dict]) -> Iterator[str]:
    """CSV text a line at a time: the header ``fields``, then each row (a key not in ``fields`` is left out)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields or TRACE_LEAD, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
        writer.writerow({k: _cell(v) for k, v in row.items()})
    yield buf.getvalue()


def csv_text(rows: list[dict]) -> str:
    """Rows as CSV text: the union of their keys as the header, in first-seen order."""
    return "".join(csv_lines(union(rows), rows))


def rooms_csv(
    store: Store, rooms: list[Room], rows_of: Callable[[Store, Room], list[dict]], fields_of: Callable[[Room], list]
) -> Iterator[str]:
    """Every room's rows as one CSV, a room at a time; the header from each scenario's columns (found once)."""
    by_scenario: dict[tuple[str, str], list[str]] = {}
    for room in rooms:
        key = (room.config_name, room.config_text)
        if key not in by_scenario:
            by_scenario[key] = fields_of(room)
    fields = union(by_scenario.values())
    return csv_lines(fields, (row for room in rooms for row in rows_of(store, room)))


def rooms_json(store: Store, rooms: list[Room], dumps: Callable[[object], str]) -> Iterator[str]:
    """``{"rooms": [...]}`` of every room's transcript, one room at a time (``dumps`` writes one)."""
    yield '{"rooms":['
    for k, room in enumerate(rooms):
        yield ("," if k else "") + dumps(room_transcript(store, room))
    yield "]}\n"
