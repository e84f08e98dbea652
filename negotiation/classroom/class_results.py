"""What a class dashboard shows of its rooms: each room's state, outcome and each party's utility
against its walk-away; the class's outcome frequencies beside the computer-only Monte Carlo of the
same scenario and seed; the same as rows for the class's JSON and CSV export.

Pure reads of the store: every room's game is replayed from its stored actions, as its own pages do.
"""

from __future__ import annotations

import math

from negotiation.drivers.human import accession, closed_chapters

from .montecarlo import quantile
from .play import agreement_terms, outcome_classes, outcome_label, played_by, room_loaded
from .replays import replayed
from .store import ClassGroup, Room, Store

STATE_TEXT = {  # a room's state as the dashboard says it
    "setup": "being set up",
    "joining": "waiting for teams",
    "playing": "under way",
    "finished": "finished",
}


def room_row(store: Store, room: Room) -> dict:
    """One room as the dashboard shows it: state, teams joined, round, outcome, and per party who
    plays it, its walk-away, and (once finished) its utility and surplus over the walk-away."""
    loaded = room_loaded(room)
    st = loaded.structure
    view = replayed(room)[1]  # the app's kept replay (a room is replayed once per decision)
    seats = store.seats(room.id)
    joined = sum(1 for p in room.people if p in seats)
    if view.done:
        state = "finished"
    elif room.status == "setup":
        state = "setup"
    elif joined < len(room.people):
        state = "joining"
    else:
        state = "playing"
    summary = view.summary if view.done else None
    parties = []
    for k, p in enumerate(st.parties):
        walk_away = summary["reservations"][p] if summary else float(view.model.inputs.res_eff[0, k])
        utility = summary["utilities"][p] if summary else None
        parties.append(
            {
                "party": p,
                "played_by": played_by(room, seats, p),
                "team": p in room.people,
                "utility": utility,
                "walk_away": walk_away,
                "surplus": None if utility is None else utility - walk_away,
            }
        )
    return {
        "room": room,
        "path": path_notes(loaded, view),
        "state": state,
        "state_text": STATE_TEXT[state],
        "teams": len(room.people),
        "joined": joined,
        "code_open": room.code_valid() and not view.done,
        "round": view.summary["rounds"] if view.done else view.pending.round + 1,
        "outcome": summary["outcome"] if summary else None,
        "outcome_label": outcome_label(loaded, summary["outcome"]) if summary else None,
        "date": summary["date"] if summary else None,
        "agreement": agreement_terms(loaded, summary["agreement"]) if summary else [],
        "parties": parties,
    }


def path_notes(loaded, view) -> list[str]:
    """What a room's game went through that its outcome does not say: a bilateral deal signed with
    the party left out joining (or not), and the chapters closed on the single text."""
    notes = []
    acc = accession(view)
    if acc is not None:
        a, b = acc.signatories
        if acc.joined:
            then = f"{acc.left_out} joined on {view.summary['date']}"
        elif acc.over:
            then = f"{acc.left_out} stayed out"
        else:
            then = f"{acc.left_out} may join until {acc.window_end}"
        notes.append(f"{a}–{b} signed on {acc.signed}; {then}")
    st = loaded.structure
    if st.protocol == "single_text" and st.closing == "chapters":
        notes.append(f"{len(closed_chapters(view))} of {st.n_issues} chapters closed")
    return notes


def class_montecarlo(store: Store, rooms: list[Room]) -> dict | None:
    """The computer-only distribution of the class's scenario and seed: the first room's stored
    Monte Carlo result (every room of a class has the same scenario and seed), or None."""
    for room in rooms:
        mc = store.montecarlo(room.id)
        if mc is not None and mc["result"] is not None:
            return mc["result"]
    return None


def outcome_table(loaded, rows: list[dict], mc: dict | None) -> list[dict]:
    """Per outcome class the page lists: how many finished rooms ended so, their share, and the
    share of computer-played draws (None until the Monte Carlo is ready)."""
    finished = [r for r in rows if r["state"] == "finished"]
    out = []
    for name in outcome_classes(loaded):
        n = sum(1 for r in finished if r["outcome"] == name)
        entry = {
            "outcome": name,
            "label": outcome_label(loaded, name),
            "rooms": n,
            "share": n / len(finished) if finished else None,
            "draws": None,
            "computer_share": None,
        }
        if mc is not None:
            entry["draws"] = mc["outcomes"].get(name, 0)
            entry["computer_share"] = entry["draws"] / mc["draws"]
        out.append(entry)
    return out


def party_table(loaded, rows: list[dict], mc: dict | None) -> list[dict]:
    """Per party over the finished rooms: the mean utility and surplus, how many rooms it ended
    above its walk-away, and the computer-played median utility."""
    out = []
    for k, p in enumerate(loaded.structure.parties):
        done = [r["parties"][k] for r in rows if r["state"] == "finished"]
        utilities = [d["utility"] for d in done]
        surpluses = [d["surplus"] for d in done]
        out.append(
            {
                "party": p,
                "rooms": len(done),
                "mean_utility": sum(utilities) / len(done) if done else None,
                "mean_surplus": sum(surpluses) / len(done) if done else None,
                "above": sum(1 for s in surpluses if s >= -1e-9),
                "computer_median": quantile(mc["utilities"][p], 0.5) if mc is not None else None,
            }
        )
    return out


def class_view(store: Store, group: ClassGroup) -> dict:
    """Everything the dashboard shows of ``group``: its rooms' rows, outcome frequencies beside the
    Monte Carlo, and per-party results (``loaded`` is None for a class without rooms)."""
    rooms = store.class_rooms(group.id)
    rows = [room_row(store, r) for r in rooms]
    mc = class_montecarlo(store, rooms)
    loaded = room_loaded(rooms[0]) if rooms else None
    return {
        "group": group,
        "rooms": rooms,
        "rows": rows,
        "loaded": loaded,
        "mc": mc,
        "finished": sum(1 for r in rows if r["state"] == "finished"),
        "outcomes": outcome_table(loaded, rows, mc) if loaded else [],
        "party_results": party_table(loaded, rows, mc) if loaded else [],
    }


def csv_rows(view: dict) -> list[dict]:
    """The class as CSV rows: one per room and party (a room under way has no utility yet)."""
    out = []
    for r in view["rows"]:
        room = r["room"]
        for p in r["parties"]:
            row = {
                "class": view["group"].title,
                "room": room.id,
                "title": room.title,
                "state": r["state"],
                "round": r["round"],
                "outcome": r["outcome"] or "",
                "date": r["date"] or "",
                "party": p["party"],
                "played_by": p["played_by"],
                "utility": p["utility"],
                "walk_away": p["walk_away"],
                "surplus": p["surplus"],
                "above_walk_away": "" if p["surplus"] is None else ("yes" if p["surplus"] >= -1e-9 else "no"),
            }
            for t in r["agreement"]:
                row[f"agreed {t['label']}"] = t["text"]
            out.append(row)
    return out


def json_safe(v):
    """``v`` with NaN and infinities as None (JSON has no NaN)."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_safe(x) for x in v]
    return v


def export(view: dict, transcripts: list[dict]) -> dict:
    """The class as one JSON document: the class, each room's row, the outcome frequencies beside
    the Monte Carlo, per-party results, and every room's full transcript."""
    group = view["group"]
    rooms = []
    for r in view["rows"]:
        room = r["room"]
        rooms.append(
            {
                "id": room.id,
                "title": room.title,
                "state": r["state"],
                "teams_joined": r["joined"],
                "teams": r["teams"],
                "round": r["round"],
                "outcome": r["outcome"],
                "date": r["date"],
                "agreement": {t["label"]: t["text"] for t in r["agreement"]},
                "path": r["path"],
                "parties": r["parties"],
            }
        )
    mc = view["mc"]
    doc = {
        "class": {"id": group.id, "title": group.title, "created": group.created, "rooms": len(rooms)},
        "scenario": view["loaded"].scenario.name if view["loaded"] else None,
        "seed": view["rooms"][0].seed if view["rooms"] else None,
        "draw": view["rooms"][0].draw if view["rooms"] else None,
        "finished": view["finished"],
        "rooms": rooms,
        "outcomes": view["outcomes"],
        "parties": view["party_results"],
        "montecarlo_draws": mc["draws"] if mc else None,
        "transcripts": transcripts,
    }
    return json_safe(doc)
