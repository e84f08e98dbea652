"""`negotiate play`: one person plays a party in the terminal against the computer parties."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from negotiation.drivers.human import (
    MEDIATOR,
    Action,
    accession,
    bilateral_worth,
    closed_chapters,
    delay_now,
    keep_unchanged,
    parse_offer,
    replay,
    staying_out,
    text_values,
)
from negotiation.errors import UserError
from negotiation.kernel.codes import bilateral_code
from negotiation.kernel.utility import issue_value, utility
from negotiation.output.narrate import event_lines, offer_text, outcome_lines, position_text, round_lines
from negotiation.scenario import units

HELP = """How to play:
  When it is your turn to propose, give one line per issue as issue=value, in natural units
  (for example auto_rvc=70 for 70%), or option names for issues with options; a blank line
  sends the offer once every issue has a value. 'show' repeats your brief, 'help' this text.
  When an offer is on the table, answer y (accept) or n (reject)."""
HELP_TEXT = """  On a mediator's single text: answer y (accept the text) or n; after n you propose amendments:
  the offer starts from the text, so give only the terms you change (a blank line sends it)."""
HELP_CHAPTERS = """  A chapter (issue) closes when every party accepts its term in the text. A change to a closed
  chapter reopens it only when the change is worth more to you than the reopening cost, which
  you then pay; a smaller change to it is ignored."""
HELP_ACCESSION = """  Left out of a bilateral deal, you may ask to join it in its window (y/n); where amendments
  are allowed you first give the terms you ask for (starting from the signed text), which both
  signatories must accept. Asked to admit the party left out, answer y (admit) or n."""


def help_text(st) -> str:
    """How to play this scenario: the basics, then its single text, chapters and accession."""
    parts = [HELP]
    if st.protocol == "single_text":
        parts.append(HELP_TEXT)
    if st.closing == "chapters":
        parts.append(HELP_CHAPTERS)
    if st.accession.any():
        parts.append(HELP_ACCESSION)
    return "\n".join(parts)


class Quit(Exception):
    """The input ended before the game did."""


def brief_lines(loaded, view, party: str) -> list[str]:
    """The party's confidential brief: weights, ideal points, walk-away value."""
    st, inp = loaded.structure, view.model.inputs
    p = st.parties.index(party)
    cfg = loaded.scenario.issues
    lines = [f"You are {party} ({loaded.scenario.parties[party].name}). Your confidential brief:"]
    width = max(16, *(len(issue) for issue in st.issues))
    for i, issue in enumerate(st.issues):
        w = inp.weight[0, p, i]
        if i in st.options:
            vals = ", ".join(f"{o} {inp.values[0, p, i, k]:.2f}" for k, o in enumerate(st.options[i]))
            lines.append(f"  {issue:<{width}} weight {w:.2f}; value of each option: {vals}")
        else:
            ideal = position_text(st, cfg, i, inp.ideal[0, p, i])
            lo, hi = position_text(st, cfg, i, st.lo[i]), position_text(st, cfg, i, st.hi[i])
            lines.append(f"  {issue:<{width}} weight {w:.2f}; your ideal {ideal} (range {lo} to {hi})")
        if st.issue_pair[i] is not None:
            lines[-1] += f"  [{units.label(st, cfg, i)}]"
    if st.per_pair:
        i = next(i for i, pair in enumerate(st.issue_pair) if pair is not None)
        a, b = (st.parties[q] for q in st.issue_pair[i])
        k = st.issue_config[i]
        lines.append(f"  terms by pair: {st.issues[i]}=... is the term of {a} and {b}; {k}=... sets every pair's term")
    lines.append(
        f"  walking away is worth {inp.res_eff[0, p]:.2f} to you; your best deal is worth {inp.u_max[0, p]:.2f}"
    )
    return lines + _coalition_lines(st, inp, p)


def _coalition_lines(st, inp, p: int) -> list[str]:
    """The brief's lines on the cost of delay and on being left out of (or signing) a bilateral
    deal the party left out may join."""
    lines = []
    if inp.delay_cost is not None and inp.delay_cost[0, p] > 0:
        start = dt.date.fromordinal(int(st.start_day)).isoformat()
        lines.append(
            f"  every month of talks costs you {inp.delay_cost[0, p]:.3f}: a deal is worth that much less"
            f" for each month after {start} it is signed"
        )
    for n in np.flatnonzero(st.accession):
        a, b = (st.parties[q] for q in st.pairs[n])
        months = int(st.accession_months[n])
        q = st.left_out(n)
        if q == p:
            out = inp.reservation[0, p] + inp.stake[0, p, bilateral_code(n)]
            terms = "asking for amendments they must both accept" if st.accession_amend[n] else "on its terms"
            lines.append(
                f"  if {a} and {b} sign without you, staying out is worth {out:.2f} to you;"
                f" you may join their deal within {months} months, {terms}"
            )
        elif p in st.pairs[n]:
            other = b if st.parties[p] == a else a
            lines.append(
                f"  if you and {other} sign without {st.parties[q]}, it may ask to join your deal within"
                f" {months} months; you both must admit it"
            )
    return lines


def play(loaded, seed: int, draw: int, party: str, ask: Callable[[str], str], say: Callable[[str], None]):
    """Play until the end; ``ask(prompt)`` returns a line (raises EOFError at the end of input)."""
    st = loaded.structure
    if party not in st.parties:
        raise UserError(f"unknown party {party!r}; parties are {', '.join(st.parties)}")
    p = st.parties.index(party)
    actions: list[Action] = []
    view = replay(loaded, seed, draw, [party], actions)
    for line in brief_lines(loaded, view, party) + [help_text(st)]:
        say(line)
    shown = 0
    told = 0  # events of the last record already narrated
    while True:
        history = view.model.history
        if shown and len(history) >= shown and len(history[shown - 1]["events"]) > told:
            for line in event_lines(history[shown - 1]["events"][told:]):
                say(line)
        for rec in history[shown:]:
            for line in round_lines(st, loaded.scenario.issues, rec):
                say(line)
        shown = len(history)
        told = len(history[-1]["events"]) if history else 0
        if view.done:
            for line in outcome_lines(st, loaded.scenario.issues, view.summary):
                say(line)
            return view, actions
        need = view.pending
        value = _decide(loaded, view, party, p, need, ask, say)
        actions.append(Action(need.round, party, need.kind, value, need.proposer))
        view = replay(loaded, seed, draw, [party], actions)


def _line(ask, prompt):
    try:
        return ask(prompt)
    except EOFError:
        raise Quit() from None


def _yes_no(ask, say, prompt) -> bool:
    while True:
        answer = _line(ask, prompt).strip().lower()
        if answer in ("y", "yes"):
            return True
        if answer in ("n", "no"):
            return False
        say("  please answer y or n")


def _decide(loaded, view, party, p, need, ask, say):
    st, inp = loaded.structure, view.model.inputs
    date = dt.date.fromordinal(int(view.model.state.day[0])).isoformat()
    cfg = loaded.scenario.issues
    acc = accession(view)
    if need.kind == "join":
        return _join(loaded, view, p, need, acc, ask, say, date)
    if need.kind in ("respond", "bilateral"):
        x = need.offer[None, :]
        u = utility(st, inp, p, x, need.outcome)[0]
        text = offer_text(st, cfg, need.offer.tolist())
        if need.kind == "respond" and need.proposer == MEDIATOR:
            say(f"Round {need.round + 1} ({date}): the mediator's text: {text}")
            for line in _chapter_lines(st, view, quiet=True):
                say(line)
            say(f"  worth {_worth(view, p, u)} to you (walking away: {inp.res_eff[0, p]:.2f})")
            return _yes_no(ask, say, "  accept the text? [y/n] ")
        if need.kind == "respond" and acc is not None:
            mine = bilateral_worth(view, p, acc.pair, acc.agreement)
            asks = "on these terms" if acc.amendments else "on the terms you signed"
            partner = next(q for q in acc.signatories if q != party)
            say(
                f"Round {need.round + 1} ({date}): {need.proposer} asks to join your bilateral deal with"
                f" {partner} (signed {acc.signed}) {asks}: {text}"
            )
            say(f"  worth {u:.2f} to you as a deal of all; your bilateral deal is worth {mine:.2f} to you")
            return _yes_no(ask, say, f"  admit {need.proposer}? [y/n] ")
        if need.kind == "respond":
            say(f"Round {need.round + 1} ({date}): {need.proposer} proposes {text}")
            say(f"  worth {_worth(view, p, u)} to you (walking away: {inp.res_eff[0, p]:.2f})")
            return _yes_no(ask, say, "  accept? [y/n] ")
        pair = [st.parties[q] for q in st.pairs[need.outcome - bilateral_code(0)]]  # the pair signing
        partner = next(q for q in pair if q != party)
        others = [q for q in st.parties if q not in pair]
        what = "the text" if need.proposer == MEDIATOR else "it"
        say(
            f"  {', '.join(others)} rejected {what}. A bilateral deal with {partner} on these terms,"
            f" leaving {', '.join(others)} out, is worth {_worth(view, p, u)} to you."
        )
        return _yes_no(ask, say, "  sign the bilateral deal? [y/n] ")
    if need.kind == "extend":
        say(f"Round {need.round + 1} ({date}): the deadline has come. Extend the talks?")
        return _yes_no(ask, say, "  vote to extend? [y/n] ")
    start = _offer_intro(loaded, view, p, need, acc, say, date)
    values: dict[str, str] = dict(start)
    while True:
        line = _line(ask, "  offer> ").strip()
        if line == "help":
            say(help_text(st))
            continue
        if line == "show":
            for b in brief_lines(loaded, view, party):
                say(b)
            continue
        if not line:
            missing = [k for k in st.issues if k not in values]
            if missing:
                say(f"  still missing: {', '.join(missing)}")
                continue
            try:
                pos = parse_offer(loaded, values)
            except UserError as exc:
                say(f"  {exc}; try again")
                values = dict(start)  # back to the terms it started from
                continue
            if need.offer is not None:
                pos = keep_unchanged(loaded, values, start, pos, need.offer)
            u = utility(st, inp, p, np.array([pos]), 0)[0]
            say(f"  you {_offer_verb(need, acc)} {offer_text(st, loaded.scenario.issues, pos)} (worth {u:.2f} to you)")
            for line in _reopens(st, view, p, need, acc, pos):
                say(line)
            return pos
        for item in line.replace(",", " ").split():
            name, sep, val = item.partition("=")
            # a per-pair issue's id sets the term of each of its pairs
            names = [name] if name in st.issues else [st.issues[i] for i in st.issue_columns(name)]
            if not sep or not names:
                say(f"  not understood: {item!r}; write issue=value with an issue among {', '.join(st.issues)}")
                continue
            try:
                parse_offer(loaded, {**_defaults(loaded, view, p), **dict.fromkeys(names, val)})
            except UserError as exc:
                say(f"  {exc}")
                continue
            values.update(dict.fromkeys(names, val))


def _defaults(loaded, view, p) -> dict:
    """The party's ideal on every issue, in natural units (to check one value at a time)."""
    st, inp, cfg = loaded.structure, view.model.inputs, loaded.scenario.issues
    out = {}
    for i, issue in enumerate(st.issues):
        x = inp.ideal[0, p, i]
        out[issue] = st.options[i][int(round(x))] if i in st.options else units.to_display(st, cfg, i, x)
    return out


def _worth(view, p, u) -> str:
    """A utility for the person, net of the cost of delay to the current round's day."""
    lag = delay_now(view, p)
    return f"{u - lag:.2f}" + (f" ({u:.2f} less {lag:.2f} for the delay so far)" if lag >= 0.005 else "")


def _chapter_lines(st, view, quiet: bool = False) -> list[str]:
    """Which chapters are closed (under chapter closing; ``quiet``: nothing while none is)."""
    if st.closing != "chapters":
        return []
    closed = closed_chapters(view)
    if not closed:
        return [] if quiet else ["  no chapter is closed yet"]
    shut = ", ".join(f"{st.issues[i]} (since {day})" for i, day in closed.items())
    return [f"  closed chapters: {shut}; reopening one costs {st.reopen_cost:.2f}"]


def _join(loaded, view, p, need, acc, ask, say, date):
    """Left out of a bilateral deal: join it on these terms (the signed text, or the terms the
    person asked for), or stay out."""
    st, inp = loaded.structure, view.model.inputs
    u = utility(st, inp, p, need.offer[None, :], need.outcome)[0]
    out = staying_out(view, p, acc.pair)
    deal = " and ".join(acc.signatories)
    say(
        f"Round {need.round + 1} ({date}): you were left out of the bilateral deal {deal} signed on"
        f" {acc.signed}; you may join it until {acc.window_end}."
    )
    if acc.amendments:
        say(f"  on the terms you ask ({offer_text(st, loaded.scenario.issues, need.offer.tolist())}),")
        say(f"  if both admit you, joining is worth {_worth(view, p, u)} to you; staying out is worth {out:.2f}")
        return _yes_no(ask, say, "  join on these terms? [y/n] ")
    say(f"  its terms: {offer_text(st, loaded.scenario.issues, need.offer.tolist())}")
    say(f"  joining is worth {_worth(view, p, u)} to you; staying out is worth {out:.2f}")
    return _yes_no(ask, say, "  join it? [y/n] ")


def _offer_intro(loaded, view, p, need, acc, say, date) -> dict[str, str]:
    """Say what the offer is for; the terms it starts from (``issue: text``; none for a fresh offer)."""
    st = loaded.structure
    head = f"Round {need.round + 1} ({date}): "
    if need.offer is None:
        if st.protocol == "single_text":
            say(head + "state your opening position; the mediator drafts one text from every party's position.")
            say("  One issue=value per line, blank line to send.")
        else:
            say(head + "your turn to propose. One issue=value per line, blank line to send.")
        return {}
    start = text_values(loaded, need.offer)
    shown = offer_text(st, loaded.scenario.issues, need.offer.tolist())
    if acc is not None and st.parties[p] == acc.left_out:
        say(head + f"ask for the terms on which you join the bilateral deal {' and '.join(acc.signatories)}.")
        say(f"  The signed text: {shown}")
    else:
        say(head + "you are amending the mediator's text.")
        say(f"  The text: {shown}")
        for line in _chapter_lines(st, view):
            say(line)
    say("  Give only the terms you change (issue=value); a blank line sends the text with your changes.")
    return start


def _offer_verb(need, acc) -> str:
    if need.offer is None:
        return "offer"
    if acc is not None and need.party == acc.left_out:
        return "ask to join on"
    return "ask to amend the text to"


def _reopens(st, view, p, need, acc, pos) -> list[str]:
    """The closed chapters an amendment of the text reopens: where the change is worth more to the
    party than the reopening cost (``kernel.protocol._chapters``), which it then pays."""
    if st.closing != "chapters" or need.offer is None or acc is not None:
        return []
    inp, lines = view.model.inputs, []
    for i in closed_chapters(view):
        if pos[i] != need.offer[i]:
            own = issue_value(st, inp, p, i, np.array([pos[i]]))[0]
            text = issue_value(st, inp, p, i, need.offer[i : i + 1])[0]
            gain = inp.weight[0, p, i] * (own - text)
            if gain > st.reopen_cost:
                lines.append(f"  this reopens chapter {st.issues[i]}: it costs you {st.reopen_cost:.2f}")
            else:
                lines.append(
                    f"  chapter {st.issues[i]} stays closed: your change there is worth {gain:.2f} to you,"
                    f" not more than the reopening cost {st.reopen_cost:.2f}, and is ignored"
                )
    return lines
