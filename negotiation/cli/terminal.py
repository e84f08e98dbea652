"""`negotiate play`: one person plays a party in the terminal against the computer parties."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from negotiation.drivers.human import Action, parse_offer, replay
from negotiation.errors import UserError
from negotiation.kernel.utility import utility
from negotiation.output.narrate import event_lines, offer_text, outcome_lines, position_text, round_lines
from negotiation.scenario import units

HELP = """How to play:
  When it is your turn to propose, give one line per issue as issue=value, in natural units
  (for example auto_rvc=70 for 70%), or option names for issues with options; a blank line
  sends the offer once every issue has a value. 'show' repeats your brief, 'help' this text.
  When an offer is on the table, answer y (accept) or n (reject)."""


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
    return lines


def play(loaded, seed: int, draw: int, party: str, ask: Callable[[str], str], say: Callable[[str], None]):
    """Play until the end; ``ask(prompt)`` returns a line (raises EOFError at the end of input)."""
    st = loaded.structure
    if party not in st.parties:
        raise UserError(f"unknown party {party!r}; parties are {', '.join(st.parties)}")
    p = st.parties.index(party)
    actions: list[Action] = []
    view = replay(loaded, seed, draw, [party], actions)
    for line in brief_lines(loaded, view, party) + [HELP]:
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
    day = view.model.state.day[0]
    import datetime as dt

    date = dt.date.fromordinal(int(day)).isoformat()
    if need.kind in ("respond", "bilateral"):
        x = need.offer[None, :]
        u = utility(st, inp, p, x, need.outcome)[0]
        text = offer_text(st, loaded.scenario.issues, need.offer.tolist())
        if need.kind == "respond":
            say(f"Round {need.round + 1} ({date}): {need.proposer} proposes {text}")
            say(f"  worth {u:.2f} to you (walking away: {inp.res_eff[0, p]:.2f})")
            return _yes_no(ask, say, "  accept? [y/n] ")
        others = [q for q in st.parties if q not in (party, need.proposer)]
        say(
            f"  {', '.join(others)} rejected it. A bilateral deal with {need.proposer} on these terms,"
            f" leaving {', '.join(others)} out, is worth {u:.2f} to you."
        )
        return _yes_no(ask, say, "  sign the bilateral deal? [y/n] ")
    if need.kind == "extend":
        say(f"Round {need.round + 1} ({date}): the deadline has come. Extend the talks?")
        return _yes_no(ask, say, "  vote to extend? [y/n] ")
    say(f"Round {need.round + 1} ({date}): your turn to propose. One issue=value per line, blank line to send.")
    values: dict[str, str] = {}
    while True:
        line = _line(ask, "  offer> ").strip()
        if line == "help":
            say(HELP)
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
                values.clear()
                continue
            u = utility(st, inp, p, np.array([pos]), 0)[0]
            say(f"  you offer {offer_text(st, loaded.scenario.issues, pos)} (worth {u:.2f} to you)")
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
