"""What the classroom pages show of a game: briefs, the calendar, the table, the history, the debrief.

Everything here reads a ``GameView`` (``negotiation.drivers.human.replay`` of a room's stored actions) and
returns plain data for the templates. What a team sees is built with ``viewer=<its party>``: only
its own utilities and brief; ``viewer=None`` is the instructor's view (everything).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache

import numpy as np

from negotiation.drivers.human import (
    MEDIATOR,
    Action,
    GameView,
    accession,
    bilateral_worth,
    closed_chapters,
    current_text,
    delay_now,
    keep_unchanged,
    parse_offer,
    replay,
    staying_out,
    text_values,
)
from negotiation.errors import ConfigError, UserError
from negotiation.kernel.codes import DEAL, OutcomeKind, Shape, bilateral_code, outcome_kind
from negotiation.kernel.utility import utility
from negotiation.output.narrate import early_vote_refused, event_sentence
from negotiation.scenario import bundled as scenarios
from negotiation.scenario import units
from negotiation.scenario.loader import Loaded, load_scenario_text

from .store import Room, StoredAction

SHAPE_TEXT = {  # a value shape as a brief says it
    Shape.LINEAR: "linear",
    Shape.CONCAVE: "concave (tolerant near your ideal)",
    Shape.CONVEX: "convex (sharp near your ideal)",
}
OUTCOME_TEXT = {  # the outcome classes that are not bilateral deals, as the pages say them
    OutcomeKind.DEAL: "deal (everyone signs)",
    OutcomeKind.TERMINATION: "termination (a withdrawal took effect)",
    OutcomeKind.STALEMATE: "stalemate (the status quo stays)",
}
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@lru_cache(maxsize=64)
def load(text: str, name: str) -> Loaded:
    """A scenario from its YAML text (cached: rooms replay it on every request)."""
    return load_scenario_text(text, name)


def bundled() -> list[dict]:
    """The bundled scenarios: stem, title, description, parties (unloadable ones skipped)."""
    out = []
    for stem in sorted(scenarios.names(), key=lambda s: (not s.startswith("teaching"), s)):
        try:
            loaded = load(scenarios.text(stem), f"{stem}.yaml")
        except (ConfigError, OSError, UnicodeDecodeError):
            continue
        scn = loaded.scenario
        out.append(
            {
                "stem": stem,
                "file": f"{stem}.yaml",
                "title": scn.name or stem,
                "description": getattr(scn, "description", "") or "",
                "parties": [f"{p} ({scn.parties[p].name})" for p in loaded.structure.parties],
                "issues": len(loaded.structure.issues),
            }
        )
    return out


def bundled_text(stem: str) -> tuple[str, str] | None:
    """(file name, text) of a bundled scenario, or None when ``stem`` names none."""
    if stem not in scenarios.names():
        return None
    return f"{stem}.yaml", scenarios.text(stem)


def room_loaded(room: Room) -> Loaded:
    """The room's scenario, loaded (cached)."""
    return load(room.config_text, room.config_name)


def engine_actions(stored: list[StoredAction]) -> list[Action]:
    """Stored team decisions as the game engine's actions."""
    return [Action(a.round, a.party, a.kind, a.value, a.proposer) for a in stored]


def replay_room(room: Room, stored: list[StoredAction]) -> GameView:
    """The room's game now: its scenario, seed and draw replayed with the stored team decisions."""
    return replay(room_loaded(room), room.seed, room.draw, list(room.people), engine_actions(stored))


def day_text(day) -> str:
    """An ordinal day as an ISO date."""
    return dt.date.fromordinal(int(day)).isoformat()


def party_name(loaded: Loaded, party: str) -> str:
    """A party's full name ("United States" for "US")."""
    return loaded.scenario.parties[party].name


def shape_key(code) -> str:
    """A value shape code as the name the page's script reads ("linear", "concave", "convex")."""
    return Shape(int(code)).name.lower()


def pair_of(st, code: int) -> tuple[int, int]:
    """The two parties (indices) of the bilateral deal with outcome code ``code``."""
    return next(pair for k, pair in enumerate(st.pairs) if bilateral_code(k) == code)


def outcome_label(loaded: Loaded, outcome: str) -> str:
    """An outcome class for a person ("bilateral deal A–B"); an unknown name as it is."""
    st = loaded.structure
    try:
        kind = outcome_kind(outcome)
    except ValueError:
        return outcome
    if kind is not OutcomeKind.BILATERAL:
        return OUTCOME_TEXT[kind]
    if outcome not in st.outcomes:
        return outcome
    a, b = pair_of(st, st.outcome_index(outcome))
    return f"bilateral deal {st.parties[a]}–{st.parties[b]}"


def outcome_classes(loaded: Loaded) -> list[str]:
    """The outcome classes a page lists, in code order: a bilateral deal of two parties out of two
    is a deal of all, so a two-party scenario lists no ``bilateral`` class."""
    st = loaded.structure
    if st.n_parties > 2:
        return list(st.outcomes)
    return [name for name in st.outcomes if outcome_kind(name) is not OutcomeKind.BILATERAL]


# Positions and terms (display units: negotiation.scenario.units)


def number_text(v: float) -> str:
    """A number for a form field: short, no trailing zeros."""
    text = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def issue_label(loaded: Loaded, issue: str) -> str:
    """An issue's label for the pages (its id when it has none), with the pair of a per-pair
    issue's term: "Government procurement (US–CA)"."""
    st = loaded.structure
    return units.label(st, loaded.scenario.issues, st.issues.index(issue))


def terms(loaded: Loaded, position) -> list[dict]:
    """An offer as one entry per issue: label and value text in display units."""
    st, cfg = loaded.structure, loaded.scenario.issues
    return [
        {"issue": issue, "label": issue_label(loaded, issue), "text": units.position_text(st, cfg, i, x)}
        for i, (issue, x) in enumerate(zip(st.issues, position, strict=True))
    ]


def terms_text(loaded: Loaded, position) -> str:
    """An offer on one line: "Label value; Label value"."""
    return "; ".join(f"{t['label']} {t['text']}" for t in terms(loaded, position))


def agreement_terms(loaded: Loaded, agreement: dict) -> list[dict]:
    """A summary's agreement (display units, option names) as label and text per agreed issue."""
    st, cfg = loaded.structure, loaded.scenario.issues
    return [
        {"label": issue_label(loaded, issue), "text": units.display_text(st, cfg, i, agreement[issue])}
        for i, issue in enumerate(st.issues)
        if issue in agreement
    ]


def summary_lines(loaded: Loaded, view: GameView) -> list[str]:
    """The ended game in two sentences: the outcome, when, and the terms signed (if any)."""
    s = view.summary
    lines = [f"Outcome: {outcome_label(loaded, s['outcome'])} after {s['rounds']} rounds, on {s['date']}."]
    if s["agreement"]:
        parts = [f"{t['label']} {t['text']}" for t in agreement_terms(loaded, s["agreement"])]
        lines.append("Terms: " + "; ".join(parts) + ".")
    return lines


# Briefs


def brief(loaded: Loaded, view: GameView, party: str) -> dict:
    """A party's confidential brief, and the numbers the offer form's live utility needs."""
    st, inp, cfg = loaded.structure, view.model.inputs, loaded.scenario.issues
    p = st.parties.index(party)
    issues, js = [], []
    for i, issue in enumerate(st.issues):
        w = float(inp.weight[0, p, i])
        entry = {"issue": issue, "label": issue_label(loaded, issue), "weight": w}
        if i in st.options:
            vals = [float(inp.values[0, p, i, k]) for k in range(len(st.options[i]))]
            entry["options"] = list(zip(st.options[i], vals, strict=True))
            best = st.options[i][int(np.argmax(vals))]
            entry["ideal"] = best
            js.append({"issue": issue, "w": w, "values": dict(zip(st.options[i], vals, strict=True))})
        else:
            entry["ideal"] = units.position_text(st, cfg, i, inp.ideal[0, p, i])
            entry["range"] = (units.position_text(st, cfg, i, st.lo[i]), units.position_text(st, cfg, i, st.hi[i]))
            entry["shape"] = SHAPE_TEXT[Shape(int(st.shape[p, i]))]
            js.append(
                {
                    "issue": issue,
                    "w": w,
                    "ideal": units.to_display(st, cfg, i, inp.ideal[0, p, i]),
                    "lo": units.to_display(st, cfg, i, st.lo[i]),
                    "hi": units.to_display(st, cfg, i, st.hi[i]),
                    "shape": shape_key(st.shape[p, i]),
                }
            )
        issues.append(entry)
    stakes = []
    for k, outcome in enumerate(st.outcomes):
        v = float(inp.stake[0, p, k])
        if abs(v) > 1e-12:
            stakes.append({"outcome": outcome_label(loaded, outcome), "value": v})
    deal_stake = float(inp.stake[0, p, DEAL])
    left_out = []  # the bilateral deals it may be left out of and then join
    for n in np.flatnonzero(st.accession):
        if st.left_out(n) == p:
            a, b = (st.parties[q] for q in st.pairs[n])
            left_out.append(
                {
                    "signatories": f"{a} and {b}",
                    "staying_out": float(inp.reservation[0, p] + inp.stake[0, p, bilateral_code(n)]),
                    "months": int(st.accession_months[n]),
                    "amendments": bool(st.accession_amend[n]),
                }
            )
    return {
        "party": party,
        "name": party_name(loaded, party),
        "issues": issues,
        "walk_away": float(inp.res_eff[0, p]),
        "best": float(inp.u_max[0, p]),
        "stakes": stakes,
        "delay_cost": float(inp.delay_cost[0, p]) if inp.delay_cost is not None else 0.0,
        "left_out": left_out,
        "js": {"issues": js, "stake": deal_stake, "walk_away": float(inp.res_eff[0, p])},
    }


def offer_utility(loaded: Loaded, view: GameView, party: str, position, outcome: int = DEAL) -> float:
    """The utility to ``party`` of ``position`` (model units) if it is signed as outcome code ``outcome``."""
    st = loaded.structure
    p = st.parties.index(party)
    x = np.asarray(position, dtype=float)[None, :]
    return float(utility(st, view.model.inputs, p, x, outcome)[0])


# The public state of the game


def event_text(loaded: Loaded, ev: dict, early: bool | None = None) -> str:
    """A calendar event as a sentence for the pages (the terminal's narration, capitalised; outcomes
    and issues by their labels; ``early``: whether a failed extension vote was an early one)."""

    def label(name):
        return outcome_label(loaded, name)

    if ev["kind"] == "outcome":
        return f"Outcome: {event_sentence(ev, label)}."
    if ev["kind"] in ("chapter_closed", "chapter_reopened"):
        ev = {**ev, "issue": f"“{issue_label(loaded, ev['issue'])}”"}
    text = event_sentence(ev, label, early)
    return text[:1].upper() + text[1:] + "."


def calendar(loaded: Loaded, view: GameView) -> dict:
    """The calendar card: round, date, deadline, extensions, horizon, a withdrawal notice."""
    st, s, inp = loaded.structure, view.model.state, view.model.inputs
    out = {
        "planned": len(st.planned_days),
        "first": day_text(st.planned_days[0]),
        "horizon": day_text(st.horizon_day),
        "extensions": int(s.n_ext[0]),
        "max_extensions": int(inp.max_ext[0]),
        "deadline": day_text(s.deadline[0]),
        "notice": view.model.notice_text(),
    }
    if view.pending is not None:
        out["round"] = view.pending.round + 1
        out["date"] = day_text(s.day[0])
    else:
        out["round"] = view.summary["rounds"]
        out["date"] = view.summary["date"]
    return out


def history(loaded: Loaded, view: GameView, viewer: str | None) -> list[dict]:
    """Past rounds, newest first; ``viewer`` sees only its own utility of each offer. A round on
    the single text has the ``text`` judged and who accepted it, and its offers are amendments;
    an accession round's offer is the party left out asking to join (``joins``, then who admitted
    it)."""
    st = loaded.structure
    out = []
    for rec in view.model.history:
        on_text, joining = "text" in rec, bool(rec.get("accession"))
        offers = []
        for off in rec["offers"]:
            others = [q for q in st.parties if q != off["proposer"]]
            us = off["utilities"]
            entry = {
                "proposer": off["proposer"],
                "verb": "asked to join on" if joining else ("asked to amend it to" if on_text else "proposed"),
                "terms": terms_text(loaded, off["position"]),
                "accepted_by": [q for q in others if q in off["accepted_by"]],
                "rejected_by": [q for q in others if q not in off["accepted_by"]],
                "mine": us.get(viewer) if viewer else None,
                "all": None if viewer else us,
            }
            if joining:
                entry["joins"] = off["proposer"] in off["accepted_by"]
            if on_text:  # amendments are not accepted or rejected: the mediator revises the text
                entry["accepted_by"] = entry["rejected_by"] = []
            offers.append(entry)
        entry = {
            "round": rec["round"],
            "date": rec["date"],
            "deadline": rec["deadline"],
            "offers": offers,
            "accession": joining,
            "events": [event_text(loaded, ev, early_vote_refused(loaded.structure, rec)) for ev in rec["events"]],
        }
        if on_text:
            t = rec["text"]
            entry["text"] = {
                "terms": terms_text(loaded, t["position"]),
                "accepted_by": [q for q in st.parties if q in t["accepted_by"]],
                "rejected_by": [q for q in st.parties if q not in t["accepted_by"]],
                "mine": t["utilities"].get(viewer) if viewer else None,
                "all": None if viewer else t["utilities"],
            }
        out.append(entry)
    return out[::-1]


def table(loaded: Loaded, view: GameView, viewer: str | None) -> list[dict]:
    """The offers made so far in the round under way (on the single text: the amendments that
    change it; in an accession round: the terms the party left out asks to join on)."""
    st = loaded.structure
    text, acc = current_text(view), accession(view)
    joining = acc is not None and not acc.over
    out = []
    for off in view.table:
        if text is not None and not joining and np.allclose(off["position"], text, rtol=0, atol=1e-12):
            continue  # a party that accepted the text (or amends nothing) proposes it unchanged
        verb = "asks to join on" if joining else ("asks to amend the text to" if text is not None else "proposes")
        entry = {"proposer": off["proposer"], "verb": verb, "terms": terms_text(loaded, off["position"])}
        if viewer:
            entry["mine"] = offer_utility(loaded, view, viewer, off["position"])
        else:
            entry["all"] = {q: offer_utility(loaded, view, q, off["position"]) for q in st.parties}
        out.append(entry)
    return out


def pending_text(loaded: Loaded, view: GameView) -> str:
    """Who must decide what now, as a sentence."""
    need = view.pending
    if need is None:
        return "The negotiation is over."
    who = f"{need.party} ({party_name(loaded, need.party)})"
    acc = accession(view)
    if need.kind == "offer":
        if acc is not None:
            return f"{who} is to say on which terms it asks to join the {outcome_label(loaded, acc.outcome)}."
        if need.offer is not None:
            return f"{who} is to propose amendments to the mediator's text."
        if loaded.structure.protocol == "single_text":
            return f"{who} is to state its opening position for the mediator's first text."
        return f"{who} is to make an offer."
    if need.kind == "respond":
        if need.proposer == MEDIATOR:
            return f"{who} is to accept the mediator's text or not."
        if acc is not None:
            return f"{who} is to admit {need.proposer} to the {outcome_label(loaded, acc.outcome)} or not."
        return f"{who} is to accept or reject {need.proposer}'s offer."
    if need.kind == "bilateral":
        whose = "the mediator's text" if need.proposer == MEDIATOR else f"{need.proposer}'s terms"
        return f"{who} is to decide on a bilateral deal on {whose}."
    if need.kind == "join":
        return f"{who} is to decide whether to join the {outcome_label(loaded, acc.outcome)}."
    return f"{who} is to vote on extending the talks."


def decision(loaded: Loaded, view: GameView, party: str) -> dict | None:
    """What ``party`` must decide now (None when it is not its turn)."""
    need = view.pending
    if need is None or need.party != party:
        return None
    st = loaded.structure
    p = st.parties.index(party)
    acc = accession(view)
    out = {"kind": need.kind, "round": need.round, "proposer": need.proposer or ""}
    out["mediator"] = need.proposer == MEDIATOR
    if need.kind in ("respond", "bilateral", "join"):
        out["terms"] = terms(loaded, need.offer.tolist())
        out["utility"] = offer_utility(loaded, view, party, need.offer.tolist(), need.outcome)
        out["delay"] = delay_now(view, p)  # what the cost of delay takes from a deal signed today
        if need.kind == "bilateral":
            pair = [st.parties[q] for q in pair_of(st, need.outcome)]
            out["left_out"] = [q for q in st.parties if q not in pair]
            out["partner"] = next(q for q in pair if q != party)
            if out["mediator"]:
                out["whose"] = "the mediator's text"
            else:
                out["whose"] = "your offer" if need.proposer == party else f"{need.proposer}'s offer"
        if acc is not None and need.kind in ("respond", "join"):
            out["accession"] = accession_card(loaded, view, party)
            if need.kind == "respond":  # a signatory asked to admit the party left out
                out["delay"] = 0.0  # (its deal counts from the signing either way)
                out["bilateral"] = bilateral_worth(view, p, acc.pair, acc.agreement)
                out["partner"] = next(q for q in acc.signatories if q != party)
            else:
                out["staying_out"] = staying_out(view, p, acc.pair)
        out["below"] = below_alternative(out, float(view.model.inputs.res_eff[0, p]))
    elif need.kind == "offer":
        out["fields"] = offer_form(loaded, view, party)
        out["amending"] = need.offer is not None and acc is None
        out["joining"] = acc is not None
        out["opening"] = need.offer is None and st.protocol == "single_text"
        if acc is not None:
            out["accession"] = accession_card(loaded, view, party)
        if out["amending"] and st.closing == "chapters":
            out["reopen_cost"] = st.reopen_cost
    return out


def below_alternative(todo: dict, walk_away: float) -> dict | None:
    """When saying yes to ``todo`` (a ``decision`` on terms) gives the party less than saying no:
    ``worth`` (the terms today, the cost of delay taken off), ``alternative`` and what the
    alternative is (``label``); None when yes is worth at least as much.

    The alternative is the walk-away value, staying out for a party asked to join a signed deal,
    and the bilateral deal for a signatory asked to admit the party left out."""
    if todo["kind"] not in ("respond", "bilateral", "join"):
        return None
    worth, alternative, label = todo["utility"] - todo["delay"], walk_away, "walking away"
    if "bilateral" in todo and todo["kind"] == "respond":
        alternative, label = todo["bilateral"], "keeping your bilateral deal"
    elif "staying_out" in todo:
        alternative, label = todo["staying_out"], "staying out"
    if worth >= alternative - 1e-9:
        return None
    return {"worth": worth, "alternative": alternative, "label": label, "gap": alternative - worth}


def offer_form(loaded: Loaded, view: GameView, party: str, given: dict | None = None) -> list[dict]:
    """The offer form's fields (``offer_fields``): on the single text or in an accession window
    they start from the text the person amends (a refused form's ``given`` values first), and
    a closed chapter's field says since when it is closed."""
    need = view.pending
    start = text_values(loaded, need.offer) if need is not None and need.offer is not None else None
    if start is not None:
        given = {**start, **(given or {})}
    fields = offer_fields(loaded, view, party, given)
    if start is not None and accession(view) is None:
        closed = closed_chapters(view)
        for i, f in enumerate(fields):
            f["closed"] = closed.get(i)
    return fields


def exact_terms(loaded: Loaded, view: GameView, given: dict, positions: list[float]) -> list[float]:
    """An offer read from the form (``given``, ``positions``), with every term left as the form
    started it (the text amended, or the signed text) exactly as that text has it, not as the
    form rounded it (``negotiation.drivers.human.keep_unchanged``)."""
    need = view.pending
    if need is None or need.offer is None:
        return positions
    return keep_unchanged(loaded, given, text_values(loaded, need.offer), positions, need.offer)


# The single text, its chapters, and an accession window


def text_card(loaded: Loaded, view: GameView, viewer: str | None) -> dict | None:
    """The mediator's single text (None under another protocol): its terms now (the last text
    once the talks are over), each with its chapter (the day it closed, under chapter closing),
    who accepted the last round's text, and what it is worth to ``viewer`` (to every party for
    the instructor)."""
    st = loaded.structure
    if st.protocol != "single_text":
        return None
    text = current_text(view)
    if text is None and view.done:  # the talks ended before the mediator drafted a text
        return None
    last = next((rec for rec in reversed(view.model.history) if "text" in rec), None)
    out = {"drafted": text is not None, "chapters": st.closing == "chapters", "done": view.done}
    out["reopen_cost"] = st.reopen_cost
    if last is not None:
        said = last["text"]["accepted_by"]
        out["last"] = {
            "round": last["round"],
            "accepted_by": [q for q in st.parties if q in said],
            "rejected_by": [q for q in st.parties if q not in said],
        }
    if text is None:
        return out
    closed = closed_chapters(view)
    out["terms"] = [dict(t, closed=closed.get(i)) for i, t in enumerate(terms(loaded, text.tolist()))]
    out["closed"] = len(closed)
    if viewer:
        out["mine"] = offer_utility(loaded, view, viewer, text.tolist())
    else:
        out["all"] = {q: offer_utility(loaded, view, q, text.tolist()) for q in st.parties}
    return out


def accession_card(loaded: Loaded, view: GameView, viewer: str | None) -> dict | None:
    """A signed bilateral deal the party left out may join (None when none is signed): who signed
    when, who was left out and until when it may join, on what terms, and where it stands; for a
    team, what staying out is worth to the party left out or the bilateral deal to a signatory."""
    acc = accession(view)
    if acc is None:
        return None
    out = {
        "deal": outcome_label(loaded, acc.outcome),
        "signatories": list(acc.signatories),
        "left_out": acc.left_out,
        "signed": acc.signed,
        "window_end": acc.window_end,
        "amendments": acc.amendments,
        "terms": terms(loaded, acc.agreement),
        "joined": acc.joined,
        "over": acc.over,
        "joined_on": view.summary["date"] if acc.joined else None,
    }
    if viewer == acc.left_out:
        out["staying_out"] = staying_out(view, loaded.structure.parties.index(viewer), acc.pair)
    elif viewer in acc.signatories and not acc.joined:
        p = loaded.structure.parties.index(viewer)
        out["bilateral"] = bilateral_worth(view, p, acc.pair, acc.agreement)
    return out


def offer_fields(loaded: Loaded, view: GameView, party: str, given: dict | None = None) -> list[dict]:
    """One form control per issue; preset to ``given`` (a refused form), else the party's last offer,
    else its ideal."""
    st, cfg, inp = loaded.structure, loaded.scenario.issues, view.model.inputs
    p = st.parties.index(party)
    last = None
    for rec in view.model.history:
        for off in rec["offers"]:
            if off["proposer"] == party:
                last = off["position"]
    for off in view.table:
        if off["proposer"] == party:
            last = off["position"]
    fields = []
    for i, issue in enumerate(st.issues):
        x = last[i] if last is not None else inp.ideal[0, p, i]
        value = units.position(st, cfg, i, float(x))
        field = {"issue": issue, "label": issue_label(loaded, issue)}
        if i in st.options:
            field["options"] = st.options[i]
        else:
            lo, hi = units.to_display(st, cfg, i, st.lo[i]), units.to_display(st, cfg, i, st.hi[i])
            field.update(
                {
                    "min": number_text(lo),
                    "max": number_text(hi),
                    "step": number_text(nice_step(hi - lo)),
                    "unit": units.unit_of(st, cfg, i),
                }
            )
            value = number_text(value)
        if given is not None and issue in given:
            value = given[issue]
        field["value"] = value
        fields.append(field)
    return fields


def nice_step(span: float) -> float:
    """A round slider step giving a few hundred positions over ``span``."""
    raw = span / 200
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def read_offer(loaded: Loaded, form) -> tuple[dict, list[float]]:
    """``{issue: text}`` and positions from a form's ``issue:<name>`` fields; UserError when refused."""
    st = loaded.structure
    given = {}
    for i, issue in enumerate(st.issues):
        raw = form.get(f"issue:{issue}")
        if raw is None or not str(raw).strip():
            raise UserError(f"no value for {issue_label(loaded, issue)}")
        raw = str(raw).strip()[:100]
        given[issue] = raw
        if i not in st.options and not NUMBER.match(raw):
            raise UserError(f"{issue_label(loaded, issue)}: expected a number, got {raw!r}")
    try:
        return given, parse_offer(loaded, given)
    except UserError as exc:
        raise UserError(str(exc)) from None


def seat_summary(loaded: Loaded, room: Room, seats: dict) -> list[dict]:
    """Per party: whether a team plays it, and which team has joined as it."""
    out = []
    for party in loaded.structure.parties:
        seat = seats.get(party)
        out.append(
            {
                "party": party,
                "name": party_name(loaded, party),
                "team_played": party in room.people,
                "team": seat.team if seat else None,
                "token": seat.token if seat else None,
                "joined": seat.joined if seat else None,
            }
        )
    return out


def played_by(room: Room, seats: dict, party: str) -> str:
    """Who plays ``party``: "computer", the team's name, or a team not yet joined."""
    if party not in room.people:
        return "computer"
    seat = seats.get(party)
    return seat.team if seat else "team (not joined)"
