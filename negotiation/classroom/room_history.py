"""A room's history: dated facts the instructor gives with the scenario (what happened in the real
talks up to a date, as ``negotiate sweep --given`` reads them), and what they change in the
computer-played odds that the debrief compares the class with.

The facts are checked against the scenario when the room is made (``explore.history_of``, the
checks of ``/explore``'s history box) and kept with the room. The debrief shows the odds of each
outcome over the Monte Carlo's draws (rows 0 .. draws-1 of the room's seed) and among the draws
whose path agrees with every fact (exact rejection, ``negotiation.experiments.whatif.view``),
side by side with the change, and the median agreement date before and given the history.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from flask import request

from negotiation.errors import ConfigError, UserError
from negotiation.experiments import whatif
from negotiation.scenario.loader import Loaded

from .access import Refused
from .explore import HISTORY_FILE, history_of
from .play import load, outcome_classes, outcome_label
from .store import Room, Store


def history_from_form(loaded: Loaded, nothing: str = "Nothing was created.") -> str | None:
    """The form's ``history`` text (None when empty), checked against ``loaded``; Refused with one
    line per problem otherwise."""
    text = (request.form.get("history") or "").replace("\r\n", "\n")
    try:
        return text if history_of(text, loaded) is not None else None
    except ConfigError as exc:
        raise Refused(f"The history has problems. {nothing}", 400, [str(p) for p in exc.problems]) from None
    except UserError as exc:
        raise Refused(f"{exc}. {nothing}") from None


def facts(store: Store, room: Room) -> list[str] | None:
    """The room's facts as written (None when the room has no history)."""
    text = store.history(room.id)
    if text is None:
        return None
    return [f.text for f in history_of(text, load(room.config_text, room.config_name)).facts]


def changed(store: Store, room: Room, draws: int) -> dict | None:
    """What the room's history changes in the computer-played odds (None without a history):
    the facts, how many of ``draws`` draws agree with all of them, and per outcome class the share
    before and given the history; ``error`` instead when no draw agrees."""
    text = store.history(room.id)
    if text is None:
        return None
    return _changed(room.config_text, room.config_name, room.seed, draws, text)


@lru_cache(maxsize=32)
def _changed(config_text: str, config_name: str, seed: int, draws: int, text: str) -> dict:
    loaded = load(config_text, config_name)
    history = history_of(text, loaded)
    out = {"facts": [f.text for f in history.facts], "draws": draws, "file": HISTORY_FILE}
    try:
        given = whatif.view(loaded, {}, seed, draws, history)
    except UserError as exc:
        return {**out, "error": str(exc)}
    prior = whatif.view(loaded, {}, seed, draws)
    rows = []
    for name in outcome_classes(loaded):
        a, b = prior["outcomes"][name], given["given"]["outcomes"][name]
        if a["n"] or b["n"]:
            rows.append(
                {"label": outcome_label(loaded, name), "prior": a["p"], "given": b["p"], "change": b["p"] - a["p"]}
            )
    out.update(matched=given["given"]["matched"], share=given["given"]["share"], rows=rows)
    a, b = (v["agreement_date"]["q50"] if v["agreement_date"] else None for v in (prior, given))
    if a and b:
        days = (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days
        out["date"] = {"prior": a, "given": b, "days": days}
    return out
