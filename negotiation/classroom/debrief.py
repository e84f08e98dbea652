"""The debrief of an ended game: each party's result, where it falls among the computer-played
draws of the same scenario and seed (the room's Monte Carlo), the odds of each outcome, and the
concession paths. The instructor opens it from ``/i/<secret>/debrief``, a team from ``/t/<token>/debrief``."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from . import play, room_history
from .access import Refused, room_for_secret, runner, seat_for_token, store, version
from .charts import concession_chart, histogram, party_style
from .montecarlo import percentile, quantile
from .replays import replayed
from .store import Room

bp = Blueprint("debrief", __name__)


@bp.get("/i/<secret>/debrief")
def instructor(secret):
    """The debrief for the instructor."""
    room = room_for_secret(secret)
    back = url_for("instructor.page", secret=secret)
    return page(room, back=back, poll=url_for("instructor.state", secret=secret))


@bp.get("/t/<token>/debrief")
def team(token):
    """The debrief for a team: the same numbers, its own party marked."""
    seat, room = seat_for_token(token)
    return page(room, back=url_for("team.page", token=token), poll=url_for("team.state", token=token), me=seat.party)


def page(room: Room, back: str, poll: str, me: str | None = None):
    """The debrief page of ``room`` (409 while the game is under way); ``me`` marks a team's party."""
    loaded = play.room_loaded(room)
    _, view = replayed(room)
    if not view.done:
        raise Refused("The debrief opens when the negotiation is over.", 409)
    runner().ensure(room.id)
    st = loaded.structure
    summary = view.summary
    seats = store().seats(room.id)
    mc = store().montecarlo(room.id)
    result = mc["result"] if mc else None
    parties = []
    for k, p in enumerate(st.parties):
        u, res = summary["utilities"][p], summary["reservations"][p]
        entry = {
            "party": p,
            "name": play.party_name(loaded, p),
            "by": play.played_by(room, seats, p),
            "utility": u,
            "reservation": res,
            "surplus": u - res,
            "style": party_style(k),
            "chart": concession_chart(st.parties, view.model.history, p, res, u),
            "me": p == me,
        }
        if result:
            values = result["utilities"][p]
            entry["percentile"] = percentile(values, u)
            entry["median"] = quantile(values, 0.5)
            entry["p10"], entry["p90"] = quantile(values, 0.1), quantile(values, 0.9)
            entry["hist"] = histogram(values, u, res)
        parties.append(entry)
    odds = []
    classes = play.outcome_classes(loaded)
    if result:
        n = result["draws"]
        for name in classes:
            c = result["outcomes"].get(name, 0)
            if c or name == summary["outcome"]:
                odds.append(
                    {
                        "label": play.outcome_label(loaded, name),
                        "n": c,
                        "p": c / n,
                        "ours": name == summary["outcome"],
                    }
                )
    ctx = {
        "room": room,
        "loaded": loaded,
        "summary": summary,
        "outcome_label": play.outcome_label(loaded, summary["outcome"]),
        "agreement": play.agreement_terms(loaded, summary["agreement"]),
        "parties": parties,
        "odds": odds,
        "mc": mc,
        "mc_draws": result["draws"] if result else runner().draws,
        "hidden_outcomes": len(classes) - len(odds),
        "back": back,
        "poll": poll,
        "version": version(room),
        "history": play.history(loaded, view, None),
        "text": play.text_card(loaded, view, None),
        "accession": play.accession_card(loaded, view, None),
        "given": room_history.changed(store(), room, runner().draws),
    }
    return render_template("debrief.html", **ctx)
