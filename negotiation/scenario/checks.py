"""Semantic checks of a validated ``Scenario``, and what they build: the kernel's ``Structure``
and the named parameter slots. Each problem comes back with its key path.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import math
from dataclasses import replace

import networkx as nx
import numpy as np

from negotiation.errors import UserError
from negotiation.kernel.codes import Shape, outcome_names, pair_issue_name
from negotiation.kernel.structure import MAX_EXTENSIONS, MAX_ROUNDS, ShockChange, Structure, add_months
from negotiation.scenario.beliefs import belief_prior
from negotiation.scenario.distributions import Resample
from negotiation.scenario.params import ParamSpace, Slot
from negotiation.scenario.schema import MAX_WEIGHT, Scenario
from negotiation.strategies import get_strategy

PROB = (0.0, 1.0)


class _Problems:
    def __init__(self):
        self.items: list[tuple[tuple, str]] = []

    def add(self, path: tuple, msg: str) -> None:
        self.items.append((path, msg))


def _check_support(slot: Slot, problems: _Problems, what: str) -> None:
    lo, hi = slot.support()
    blo, bhi = slot.bounds
    if slot.integer:
        fixed = [slot.value] if not slot.uncertain else getattr(slot.value, "options", [])
        if any(v != round(v) for v in fixed):
            problems.add(slot.path, f"{what} must be a whole number")
    if lo < blo - 1e-12 or hi > bhi + 1e-12:
        shown = f"{lo:g}" if lo == hi else f"values in [{lo:g}, {hi:g}]"
        allowed = f"be at least {blo:g}" if bhi == math.inf else f"lie in [{blo:g}, {bhi:g}]"
        problems.add(slot.path, f"{what} must {allowed}, got {shown}")


def _protocol(scn: Scenario, pr: _Problems) -> None:
    """The protocol's options must match it: chapters close on a single text; ``mediator`` and
    ``chapters`` apply only to what they configure."""
    if scn.closing == "chapters" and scn.protocol != "single_text":
        pr.add(
            ("closing",), "closing: chapters needs protocol: single_text (chapters close on the one negotiating text)"
        )
    if scn.mediator is not None and scn.protocol != "single_text":
        pr.add(("mediator",), "mediator applies to protocol: single_text")
    if scn.chapters is not None and scn.closing != "chapters":
        pr.add(("chapters",), "chapters applies to closing: chapters")


def build(scn: Scenario) -> tuple[Structure, ParamSpace, list[tuple[tuple, str]]]:
    """Build the structure and the parameter slots; return them with any problems found."""
    pr = _Problems()
    parties = list(scn.parties)
    issues = list(scn.issues)
    P = len(parties)
    outcomes, pairs = outcome_names(parties)
    slots: list[Slot] = []

    def slot(name, path, value, bounds, what, integer=False):
        s = Slot(name, path, value, bounds, integer)
        _check_support(s, pr, what)
        slots.append(s)
        return s

    # Kernel issues: a common issue is one, a per-pair issue one per pair holding a term.
    every = list(itertools.combinations(range(P), 2))
    issue_pairs = {k: _issue_pairs(scn, k, parties, pr) for k in issues if scn.issues[k].scope == "per_pair"}
    unchecked = {k for k, pairs in issue_pairs.items() if pairs is None}  # (pair weights: not checked)
    issue_pairs = {k: every if pairs is None else pairs for k, pairs in issue_pairs.items()}
    issue_config = [k for k in issues for _ in issue_pairs.get(k, [None])]
    issue_pair = [pair for k in issues for pair in issue_pairs.get(k, [None])]
    kernel_issues = [
        k if pair is None else pair_issue_name(k, parties[pair[0]], parties[pair[1]])
        for k, pair in zip(issue_config, issue_pair, strict=True)
    ]
    I = len(kernel_issues)
    cont = [i for i, k in enumerate(issue_config) if not scn.issues[k].discrete]
    disc = [i for i, k in enumerate(issue_config) if scn.issues[k].discrete]
    lo = np.zeros(I)
    hi = np.zeros(I)
    n_opt = np.zeros(I, dtype=int)
    options: dict[int, list[str]] = {}
    sq = np.zeros(I)
    for i, k in enumerate(issue_config):
        iss = scn.issues[k]
        if iss.discrete:
            options[i] = list(iss.options)
            n_opt[i] = len(iss.options)
            lo[i], hi[i] = 0.0, len(iss.options) - 1.0
            sq[i] = iss.options.index(iss.status_quo)
        else:
            lo[i], hi[i] = iss.range
            sq[i] = iss.status_quo

    for p in scn.profiles:
        if p not in scn.parties:
            pr.add(("profiles", p), f"profile for unknown party {p!r}; parties are {parties}")
    shape = np.zeros((P, I), dtype=int)
    strategies, strategy_strings, strategy_slots = [], [], []
    for pi, p in enumerate(parties):
        prof = scn.profiles.get(p)
        if prof is None:
            pr.add(("profiles",), f"no profile for party {p!r}")
            strategies.append(None)
            strategy_strings.append({})
            strategy_slots.append([])
            continue
        base = ("profiles", p)
        for k in prof.issues:
            if k not in scn.issues:
                pr.add(base + ("issues", k), f"unknown issue {k!r}; issues are {issues}")
        weight_floor = 0.0
        for k in issues:
            pref = prof.issues.get(k)
            ipath = base + ("issues", k)
            if pref is None:
                pr.add(base + ("issues",), f"no preference for issue {k!r}")
                continue
            w = slot(f"{p}.{k}.weight", ipath + ("weight",), pref.weight, (0.0, MAX_WEIGHT), "a weight")
            partners = [b if a == pi else a for a, b in issue_pairs.get(k, []) if pi in (a, b)]
            if k not in issue_pairs or partners:  # (a party in no pair of a per-pair issue ignores it)
                weight_floor += w.support()[0]
            iss = scn.issues[k]
            if iss.discrete:
                _discrete_pref(p, k, iss, pref, ipath, slot, pr)
            else:
                shape[pi, [i for i, c in enumerate(issue_config) if c == k]] = Shape[pref.shape.upper()]
                if pref.values is not None:
                    pr.add(ipath + ("values",), "values are for discrete issues; use ideal and shape")
                if pref.ideal is None or isinstance(pref.ideal, str):
                    pr.add(ipath + ("ideal",), f"expected a number in the range {list(iss.range)}")
                else:
                    slot(f"{p}.{k}.ideal", ipath + ("ideal",), pref.ideal, tuple(iss.range), "the ideal point")
            if k not in unchecked:
                _pair_weights(p, k, pref, ipath, [parties[q] for q in partners], k in issue_pairs, slot, pr)
        if weight_floor == 0 and all(k in prof.issues for k in issues):
            pr.add(base + ("issues",), "weights must sum to a positive number; they are (or can all be) 0")
        slot(f"{p}.reservation", base + ("reservation",), prof.reservation, (0.0, 1.0), "reservation")
        slot(f"{p}.p_extend", base + ("p_extend",), prof.p_extend, PROB, "p_extend (a probability)")
        slot(f"{p}.p_withdraw", base + ("p_withdraw",), prof.p_withdraw, PROB, "p_withdraw (a probability)")
        what = "p_notice_at_close (a probability)"
        slot(f"{p}.p_notice_at_close", base + ("p_notice_at_close",), prof.p_notice_at_close, PROB, what)
        slot(f"{p}.delay_cost", base + ("delay_cost",), prof.delay_cost, (0.0, 1.0), "delay_cost (utility per month)")
        strat, strings, numeric = _strategy(p, prof, base, slot, pr)
        strategies.append(strat)
        strategy_strings.append(strings)
        strategy_slots.append(numeric)

    stake_ids = list(scn.stakes)
    stake_affects = np.zeros(len(stake_ids), dtype=int)
    stake_when = np.zeros((len(stake_ids), len(outcomes)), dtype=bool)
    for si, (sid, st) in enumerate(scn.stakes.items()):
        spath = ("stakes", sid)
        for role in ("holder", "affects"):
            if getattr(st, role) not in scn.parties:
                pr.add(spath + (role,), f"unknown party {getattr(st, role)!r}; parties are {parties}")
        if st.affects in scn.parties:
            stake_affects[si] = parties.index(st.affects)
        for wi, w in enumerate(st.when):
            name = _canonical_outcome(w, parties)
            if name not in outcomes:
                pr.add(spath + ("when", wi), f"unknown outcome {w!r}; outcomes are {outcomes}")
            else:
                stake_when[si, outcomes.index(name)] = True
        slot(f"stakes.{sid}.value", spath + ("value",), st.value, (-1.0, 1.0), "a stake's value")

    graph = nx.Graph()
    graph.add_nodes_from(parties)
    p_open, accession = {}, {}
    for ci, c in enumerate(scn.coalitions):
        cpath = ("coalitions", ci)
        a, b = c.pair
        bad = [x for x in (a, b) if x not in scn.parties]
        for x in bad:
            pr.add(cpath + ("pair",), f"unknown party {x!r}; parties are {parties}")
        if not bad and a == b:
            pr.add(cpath + ("pair",), "a bilateral pair needs two different parties")
        if bad or a == b:
            continue
        if graph.has_edge(a, b):
            pr.add(cpath + ("pair",), f"pair {a}-{b} listed twice")
            continue
        graph.add_edge(a, b, weight=c.weight)
        p_open[frozenset((a, b))] = (c.p_open, cpath + ("p_open",))
        if c.accession is not None:
            accession[frozenset((a, b))] = (c.accession, cpath + ("accession",))
    pair_weight = np.zeros(len(pairs))
    acc_open = np.zeros(len(pairs), dtype=bool)
    acc_window = np.zeros(len(pairs), dtype=int)
    acc_amend = np.zeros(len(pairs), dtype=bool)
    acc_rounds = 0
    for n, (a, b) in enumerate(pairs):
        key = frozenset((parties[a], parties[b]))
        value, path = p_open.get(key, (0.0, ("coalitions",)))
        p = slot(f"coalitions.{parties[a]}-{parties[b]}.p_open", path, value, PROB, "p_open (a probability)")
        if key in p_open:
            pair_weight[n] = graph.edges[parties[a], parties[b]]["weight"]
        acc, apath = accession.get(key, (None, ()))
        gap_value = acc.gap_days if acc is not None else 30
        name = f"coalitions.{parties[a]}-{parties[b]}.accession.gap_days"
        acc_gap = slot(name, apath + ("gap_days",), gap_value, (1, 3650), "accession gap_days", integer=True)
        if acc is None:
            continue
        if P != 3:
            pr.add(apath, f"accession needs exactly one party left out of the pair; the scenario has {P} parties")
        elif p.support()[1] <= 0:
            pr.add(apath, f"accession for pair {parties[a]}-{parties[b]}, which cannot form (p_open is 0)")
        acc_open[n] = True
        acc_window[n] = acc.window_months
        # rounds an accession window can hold: one every gap (at least a day) over the window
        least_gap = min(max(1, int(math.floor(min(max(acc_gap.support()[0], 1), 3650) + 0.5))), 3650)
        acc_rounds = max(acc_rounds, (31 * acc.window_months) // least_gap + 1)
        acc_amend[n] = acc.amendments

    cal = scn.calendar
    cpath = ("calendar",)
    days = [d.toordinal() for d in cal.rounds]
    if any(b <= a for a, b in zip(days, days[1:], strict=False)):
        pr.add(cpath + ("rounds",), "round dates must be in increasing order")
    if days and days[-1] > cal.deadline.toordinal():
        pr.add(cpath + ("deadline",), f"deadline {cal.deadline} is before the last planned round")
    if cal.horizon < cal.deadline:
        pr.add(cpath + ("horizon",), f"horizon {cal.horizon} is before the deadline {cal.deadline}")
    if cal.first_vote_round is not None and not 1 <= cal.first_vote_round <= len(days):
        pr.add(cpath + ("first_vote_round",), f"expected a round number from 1 to {len(days)}")
    max_ext = slot(
        "calendar.max_extensions",
        cpath + ("max_extensions",),
        cal.max_extensions,
        (0, MAX_EXTENSIONS),
        "max_extensions",
        integer=True,
    )
    gap = slot(
        "calendar.extension_gap_days",
        cpath + ("extension_gap_days",),
        cal.extension_gap_days,
        (1, 3650),
        "extension_gap_days",
        integer=True,
    )

    deadline_days = np.array(
        [add_months(cal.deadline, cal.extension_months * k).toordinal() for k in range(MAX_EXTENSIONS + 1)]
    )
    start = days[0] if days else cal.deadline.toordinal()
    horizon = cal.horizon.toordinal()
    # (clamped: an out-of-range value is already reported, and must not break what follows)
    ext_max = min(max(int(math.floor(min(max_ext.support()[1], MAX_EXTENSIONS) + 0.5)), 0), MAX_EXTENSIONS)
    gap_min = min(max(1, int(math.floor(min(max(gap.support()[0], 1), 3650) + 0.5))), 3650)
    # After an extension rounds run every gap from the last round held (which may be well before
    # the deadline) to the last possible deadline, with one shorter step to each deadline.
    by_ext = len(days) + (int(deadline_days[ext_max]) - start) // gap_min + ext_max + 2
    # After an extension rounds are gap_min or more apart, but for one shorter step to each deadline.
    by_horizon = len(days) + (horizon - start) // gap_min + 2 + ext_max
    talk_rounds = int(min(by_ext, by_horizon))
    max_rounds = talk_rounds + acc_rounds  # an accession window may follow the last round of talks
    if max_rounds > MAX_ROUNDS:
        pr.add(
            cpath,
            f"the calendar allows {max_rounds} rounds; at most {MAX_ROUNDS} (shorten the horizon, "
            "lengthen the extension gap or allow fewer extensions)",
        )
    _protocol(scn, pr)
    shock_base_day, shock_changes = _shocks(scn, slots, slot, pr, horizon)
    beliefs = belief_prior(scn, parties, issue_config, issue_pair, slots, int(n_opt.max()) if disc else 1, pr)
    structure = Structure(
        parties=parties,
        issues=kernel_issues,
        cont=cont,
        disc=disc,
        lo=lo,
        hi=hi,
        n_options=n_opt,
        options=options,
        issue_config=issue_config,
        issue_pair=issue_pair,
        status_quo=sq,
        shape=shape,
        outcomes=outcomes,
        pairs=pairs,
        pair_weight=pair_weight,
        graph=graph,
        stake_ids=stake_ids,
        stake_affects=stake_affects,
        stake_when=stake_when,
        strategies=strategies,
        strategy_strings=strategy_strings,
        strategy_slots=strategy_slots,
        start_day=start,
        planned_days=np.array(days, dtype=np.int64),
        deadline_days=deadline_days,
        horizon_day=horizon,
        notice_days=cal.withdrawal_notice_days,
        withdrawal_earliest_round=cal.withdrawal_earliest_round,
        first_vote_round=cal.first_vote_round or 0,
        max_rounds=max_rounds,
        talk_rounds=talk_rounds,
        max_votes=ext_max + 2,
        shock_ids=list(scn.shocks),
        shock_base_day=shock_base_day,
        shock_changes=shock_changes,
        information=scn.information,
        beliefs=beliefs,
        accession=acc_open,
        accession_months=acc_window,
        accession_amend=acc_amend,
        protocol=scn.protocol,
        closing=scn.closing,
        mediator_step=(scn.mediator.step if scn.mediator else 0.5),
        reopen_cost=(scn.chapters.reopen_cost if scn.chapters else 0.05),
    )
    columns = _posterior(scn, slots, pr) if scn.posterior is not None else None
    return structure, ParamSpace(slots, columns), pr.items


MAX_LISTED = 5  # rows of the wrong length reported one by one; the rest in one line


def _posterior(scn: Scenario, slots: list[Slot], pr: _Problems) -> dict[int, int] | None:
    """Give the slots named in ``posterior:`` their stored rows (``Resample``), every one read
    through the uniform column of the first of them in slot order, so that a draw takes all its
    values from one row; every other slot keeps its column and the draw table its width. Checks:
    each name an uncertain slot (its distribution is the prior), listed once; each row one value
    per name; each value within its prior's support. Returns the slot -> uniform column map, or
    None (the default map) when there is a problem."""
    post = scn.posterior
    base = ("posterior",)
    index = {s.name: i for i, s in enumerate(slots)}
    before = len(pr.items)
    seen: set[str] = set()
    for k, name in enumerate(post.names):
        if name not in index:
            pr.add(base + ("names", k), f"unknown parameter {name!r} (`negotiate params` lists the names)")
        elif not slots[index[name]].uncertain:
            pr.add(base + ("names", k), f"{name} is fixed here; only an uncertain one (a distribution) takes rows")
        elif name in seen:
            pr.add(base + ("names", k), f"{name} is listed twice")
        seen.add(name)
    short = [k for k, row in enumerate(post.rows) if len(row) != len(post.names)]
    for k in short[:MAX_LISTED]:
        pr.add(base + ("rows", k), f"expected {len(post.names)} values, one per name, got {len(post.rows[k])}")
    if len(short) > MAX_LISTED:
        pr.add(base + ("rows",), f"{len(short) - MAX_LISTED} more rows with other than {len(post.names)} values")
    if len(pr.items) > before:
        return None
    table = np.array(post.rows, dtype=float)
    for j, name in enumerate(post.names):
        s = slots[index[name]]
        lo, hi = s.support()
        col = table[:, j]
        tol = 1e-9 * max(1.0, abs(lo), abs(hi))
        bad = (col < lo - tol) | (col > hi + tol) | (s.integer & (col != np.round(col)))
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            more = f" (and {int(bad.sum()) - 1} more rows)" if bad.sum() > 1 else ""
            whole = "a whole number " if s.integer else ""
            msg = f"{name} must be {whole}within its prior's support [{lo:g}, {hi:g}], got {col[k]:g}{more}"
            pr.add(base + ("rows", k, j), msg)
    if len(pr.items) > before:
        return None
    uncertain = [i for i, s in enumerate(slots) if s.uncertain]
    columns = {i: c for c, i in enumerate(uncertain)}
    shared = columns[min(index[name] for name in post.names)]
    for j, name in enumerate(post.names):
        i = index[name]
        slots[i] = replace(slots[i], value=Resample(table[:, j], post.source))
        columns[i] = shared
    return columns


def _shock_targets(scn: Scenario, slots: list[Slot]) -> dict[str, tuple]:
    """The slots a shock may change: name -> (kind, index, param, bounds)."""
    parties, stakes = list(scn.parties), list(scn.stakes)
    out = {}
    for s in slots:
        head, _, rest = s.name.partition(".")
        if head in scn.parties and rest in ("reservation", "p_extend", "p_withdraw"):
            out[s.name] = (rest, parties.index(head), "", s.bounds)
        elif head in scn.parties and rest.startswith("strategy."):
            out[s.name] = ("strategy", parties.index(head), rest.removeprefix("strategy."), s.bounds)
        elif head in scn.parties and rest.endswith(".weight") and rest.removesuffix(".weight") in scn.issues:
            out[s.name] = ("weight", parties.index(head), rest.removesuffix(".weight"), s.bounds)
        elif head == "stakes" and rest.endswith(".value") and rest.removesuffix(".value") in scn.stakes:
            out[s.name] = ("stake", stakes.index(rest.removesuffix(".value")), "", s.bounds)
    return out


def _shocks(scn: Scenario, slots: list[Slot], slot, pr: _Problems, horizon: int):
    """Check the ``shocks`` section and add its slots (after every other slot, so a scenario's
    other draws do not move when shocks are added; see ``kernel.draws``)."""
    targets = _shock_targets(scn, slots)
    known = {s.name for s in slots}
    base_days: list[int] = []
    changes: list[ShockChange] = []
    for si, (sid, sh) in enumerate(scn.shocks.items()):
        path = ("shocks", sid)
        base_days.append(sh.date.toordinal())
        slot(f"shocks.{sid}.probability", path + ("probability",), sh.probability, PROB, "a shock's probability")
        delay = slot(
            f"shocks.{sid}.delay_days", path + ("delay_days",), sh.delay_days, (0, 3650), "delay_days", integer=True
        )
        latest = sh.date.toordinal() + max(0, math.floor(delay.support()[1] + 0.5))
        if latest > horizon:
            where = path + ("date",) if sh.date.toordinal() > horizon else path + ("delay_days",)
            shown = dt.date.fromordinal(min(latest, dt.date.max.toordinal()))
            pr.add(where, f"the shock can fall on {shown}, after the horizon {scn.calendar.horizon}")
        for k, ch in enumerate(sh.changes):
            cpath = path + ("changes", k)
            mode = "add" if ch.add is not None else "set"
            amount = ch.add if ch.add is not None else ch.set
            if ch.target not in targets:
                if ch.target in known:
                    msg = (
                        f"{ch.target} cannot be changed by a shock; targets are a party's reservation, "
                        "p_extend, p_withdraw, issue weight or numeric strategy parameter, or a stake's value"
                    )
                else:
                    close = difflib.get_close_matches(ch.target, list(targets), n=3, cutoff=0.5)
                    hint = f"; did you mean {', '.join(close)}?" if close else "; see `negotiate params CONFIG`"
                    msg = f"unknown target {ch.target!r}{hint}"
                pr.add(cpath + ("target",), msg)
                continue
            kind, index, param, (lo, hi) = targets[ch.target]
            bounds = (-math.inf, math.inf) if mode == "add" else (lo, hi)
            name = f"shocks.{sid}.{k}.{mode}"
            slot(name, cpath + (mode,), amount, bounds, f"the value set for {ch.target}")
            changes.append(ShockChange(si, kind, index, param, mode, lo, hi, name))
    return base_days, changes


def _issue_pairs(scn: Scenario, k: str, parties: list[str], pr: _Problems) -> list[tuple[int, int]] | None:
    """The pairs holding a term on per-pair issue ``k`` (party indices, in the order of the
    outcome classes): every pair of parties, or those ``pairs`` lists; None after a problem."""
    iss, path = scn.issues[k], ("issues", k)
    every = list(itertools.combinations(range(len(parties)), 2))
    if iss.pairs is None:
        if len(every) < 2:
            pr.add(path + ("scope",), f"scope: per_pair needs two pairs of parties or more; {'-'.join(parties)} is one")
            return None
        return every
    before = len(pr.items)
    if len(iss.pairs) < 2:
        pr.add(path + ("pairs",), "scope: per_pair needs two pairs or more (one pair's term is a common issue)")
    chosen: set[tuple[int, int]] = set()
    for n, pair in enumerate(iss.pairs):
        ppath = path + ("pairs", n)
        bad = [x for x in pair if x not in scn.parties]
        for x in bad:
            pr.add(ppath, f"unknown party {x!r}; parties are {parties}")
        if bad:
            continue
        if pair[0] == pair[1]:
            pr.add(ppath, "a pair needs two different parties")
            continue
        a, b = sorted(parties.index(x) for x in pair)
        if (a, b) in chosen:
            pr.add(ppath, f"pair {parties[a]}-{parties[b]} listed twice")
        chosen.add((a, b))
    return [pair for pair in every if pair in chosen] if len(pr.items) == before else None


def _pair_weights(p: str, k: str, pref, ipath: tuple, partners: list[str], per_pair: bool, slot, pr) -> None:
    """Party ``p``'s split of its weight on per-pair issue ``k`` over its pairs: one slot per
    partner (``US.procurement.pairs.CA``, default 1: equal shares), normalised in ``kernel.draws``."""
    given = pref.pair_weights
    path = ipath + ("pair_weights",)
    if not per_pair:
        if given is not None:
            pr.add(path, f"pair_weights is for an issue with scope: per_pair; {k} is common")
        return
    for q in given or {}:
        if q == p:
            pr.add(path + (q,), f"{p} is itself; pair_weights are keyed by the other party of each of {p}'s pairs")
        elif q not in partners:
            listed = ", ".join(partners) or "none"
            pr.add(path + (q,), f"{q} is in no pair with {p} on {k}; {p}'s partners on {k}: {listed}")
    if given is not None and (missing := [q for q in partners if q not in given]):
        pr.add(path, f"no pair weight for {', '.join(missing)}; give one for each of {', '.join(partners)}")
        return
    before, floor = len(pr.items), 0.0
    for q in partners:
        value, at = (1.0, ipath) if given is None else (given[q], path + (q,))
        floor += slot(f"{p}.{k}.pairs.{q}", at, value, (0.0, MAX_WEIGHT), "a pair weight").support()[0]
    if partners and floor == 0 and len(pr.items) == before:
        pr.add(path, "pair weights must sum to a positive number; they are (or can all be) 0")


def _canonical_outcome(name: str, parties: list[str]) -> str:
    if name.startswith("bilateral_"):
        members = name[len("bilateral_") :].split("_")
        if len(members) == 2 and all(m in parties for m in members):
            members.sort(key=parties.index)
            return "bilateral_" + "_".join(members)
    return name


def _discrete_pref(p, k, iss, pref, ipath, slot, pr) -> None:
    if pref.shape != "linear":
        pr.add(ipath + ("shape",), "shape is for continuous issues; give values per option")
    if pref.values is None:
        if not isinstance(pref.ideal, str) or pref.ideal not in iss.options:
            pr.add(ipath + ("ideal",), f"expected one of {iss.options} (or give values per option)")
            return
        best = iss.options.index(pref.ideal)
        far = max(best, len(iss.options) - 1 - best)
        for o, name in enumerate(iss.options):
            v = 1.0 - abs(o - best) / far
            slot(f"{p}.{k}.value.{name}", ipath + ("ideal",), v, (0.0, 1.0), "an option's value")
        return
    for name in pref.values:
        if name not in iss.options:
            pr.add(ipath + ("values", name), f"unknown option {name!r}; options are {iss.options}")
    for name in iss.options:
        if name not in pref.values:
            pr.add(ipath + ("values",), f"no value for option {name!r}")
            continue
        slot(f"{p}.{k}.value.{name}", ipath + ("values", name), pref.values[name], (0.0, 1.0), "an option's value")
    if pref.ideal is not None:
        pr.add(ipath + ("ideal",), "give either ideal or values for a discrete issue, not both")


def _strategy(p, prof, base, slot, pr):
    spath = base + ("strategy",)
    try:
        cls = get_strategy(prof.strategy.name)
    except UserError as exc:
        pr.add(spath + ("name",), str(exc))
        return None, {}, []
    strings: dict = {}
    numeric: list[str] = []
    specs = dict(cls.params)
    if cls.wraps:
        base_name = prof.strategy.params.get("base", cls.params["base"].default)
        try:
            base_cls = get_strategy(str(base_name))
        except UserError as exc:
            pr.add(spath + ("params", "base"), str(exc))
            return None, {}, []
        if base_cls.wraps:
            pr.add(spath + ("params", "base"), f"{cls.name} cannot wrap {base_cls.name}, itself a wrapper")
            return None, {}, []
        strings["base"] = base_cls.name
        specs = {**base_cls.params, **{k: v for k, v in cls.params.items() if k != "base"}}
    for name in prof.strategy.params:
        if name not in specs and not (cls.wraps and name == "base"):
            pr.add(spath + ("params", name), f"unknown parameter for {cls.name}; expected one of {sorted(specs)}")
    for name, spec in specs.items():
        value = prof.strategy.params.get(name, spec.default)
        ppath = spath + ("params", name)
        if spec.numeric:
            if isinstance(value, str):
                pr.add(ppath, f"expected a number in [{spec.low:g}, {spec.high:g}]")
                continue
            slot(f"{p}.strategy.{name}", ppath, value, (spec.low, spec.high), f"{p}'s {cls.name} parameter {name}")
            numeric.append(name)
        else:
            if value not in spec.choices:
                pr.add(ppath, f"expected one of {list(spec.choices)}, got {value!r}")
            strings[name] = value
    return cls.name, strings, numeric
