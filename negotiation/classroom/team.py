"""One team's seat (``/t/<token>``): its own brief, the public state of the game, and its decisions.

A decision is checked against the game (``negotiation.drivers.human.check_action``) and stored
with the next sequence number; a form loaded before another submission is refused.
"""

from __future__ import annotations

import re

from flask import Blueprint, jsonify, render_template, request, url_for

from negotiation.drivers.human import Action, check_action
from negotiation.errors import UserError

from . import play
from .access import Refused, seat_for_token, store, version
from .flash import redirect_with_notice, take_notice
from .replays import replayed
from .store import Conflict, Room, Seat

bp = Blueprint("team", __name__, url_prefix="/t/<token>")

KINDS = ("offer", "respond", "bilateral", "extend", "join")  # the decisions a team makes
OUT_OF_STEP = ("it is ", "expected ", "the negotiation is over")  # check_action's refusals of a stale form


@bp.get("")
def page(token):
    """The team's page: its turn (a form) or the state of the game while it waits."""
    seat, room = seat_for_token(token)
    notice = take_notice() or ""
    return render_template("team.html", **_context(room, seat, sent=notice.removeprefix("sent_") or None))


def _context(room: Room, seat: Seat, error=None, given=None, preview=None, sent=None) -> dict:
    loaded = play.room_loaded(room)
    stored, view = replayed(room)
    me = seat.party
    todo = play.decision(loaded, view, me)
    if todo is not None and todo["kind"] == "offer" and given is not None:
        todo["fields"] = play.offer_form(loaded, view, me, given)
    seats = store().seats(room.id)
    return {
        "room": room,
        "seat": seat,
        "loaded": loaded,
        "me": me,
        "my_name": play.party_name(loaded, me),
        "brief": play.brief(loaded, view, me),
        "view": view,
        "calendar": play.calendar(loaded, view),
        "pending_text": play.pending_text(loaded, view),
        "todo": todo,
        "table": play.table(loaded, view, me),
        "text": play.text_card(loaded, view, me),
        "accession": play.accession_card(loaded, view, me),
        "history": play.history(loaded, view, me),
        "seq": len(stored),
        "others": [
            {"party": p, "name": play.party_name(loaded, p), "by": play.played_by(room, seats, p)}
            for p in loaded.structure.parties
            if p != me
        ],
        "error": error,
        "preview": preview,
        "sent": sent,
        "version": version(room),
        "summary_lines": play.summary_lines(loaded, view) if view.done else [],
    }


@bp.post("/act")
def act(token):
    """Record the team's decision (or, for an offer with ``do=preview``, show what it is worth).

    A yes to terms worth less to the team than its alternative (``play.below_alternative``) is
    recorded only with ``confirm=1``; without it, a page asks the team to confirm."""
    seat, room = seat_for_token(token)
    loaded = play.room_loaded(room)
    form = request.form
    given = None
    if form.get("kind") == "offer":  # what was typed, to show again if refused
        given = {issue: str(form.get(f"issue:{issue}", ""))[:100] for issue in loaded.structure.issues}
    try:
        if form.get("party", seat.party) != seat.party:
            raise Refused(f"Your team plays {seat.party}; you cannot act for {form.get('party', '')[:40]!r}.", 403)
        stored, view = replayed(room)
        seq = form.get("seq", "")
        if seq != str(len(stored)):
            raise Refused(
                "The negotiation has moved on since this page was loaded (another submission came first). "
                "Nothing was recorded; here is where it stands now.",
                409,
            )
        kind = form.get("kind", "")
        rnd = form.get("round", "")
        if kind not in KINDS or not re.fullmatch(r"\d{1,6}", rnd):
            raise Refused("This is not a decision the game knows.")
        proposer = form.get("proposer") or None
        if kind == "offer":
            given, value = play.read_offer(loaded, form)
            value = play.exact_terms(loaded, view, given, value)
            if form.get("do") == "preview":
                u = play.offer_utility(loaded, view, seat.party, value)
                return render_template("team.html", **_context(room, seat, given=given, preview=u))
        else:
            answer = form.get("decision", "")
            if answer not in ("yes", "no"):
                raise Refused("Answer with one of the buttons.")
            value = answer == "yes"
        action = Action(int(rnd), seat.party, kind, value, proposer)
        check_action(view, action)
        if value is True and form.get("confirm") != "1":  # yes to less than the alternative: ask first
            below = (play.decision(loaded, view, seat.party) or {}).get("below")
            if below is not None:
                return render_template("confirm.html", **_context(room, seat), below=below)
        store().add_action(room.id, len(stored), action.round, action.party, kind, value, proposer)
    except UserError as exc:
        status = 409 if str(exc).startswith(OUT_OF_STEP) else 400
        ctx = _context(room, seat, error=f"{exc}. Nothing was recorded.", given=given)
        return render_template("team.html", **ctx), status
    except (Refused, Conflict) as exc:
        message = exc.message if isinstance(exc, Refused) else f"{exc}. Nothing was recorded."
        status = exc.status if isinstance(exc, Refused) else 409
        ctx = _context(room, seat, error=message, given=given if status == 400 else None)
        return render_template("team.html", **ctx), status
    return redirect_with_notice(url_for("team.page", token=token), f"sent_{kind}")


@bp.get("/state.json")
def state(token):
    """The room's version, which the page polls to reload when something changes."""
    _, room = seat_for_token(token)
    return jsonify(version=version(room))
