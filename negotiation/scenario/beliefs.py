"""The parties' beliefs of each other before the talks (``beliefs:`` in a config), as the kernel's
``BeliefPrior``.

By default a party believes of another what an outsider knows: the mean of the scenario's prior
for each of the other's parameters (its weights, ideals and option values), with the prior's
spread as its uncertainty about continuous ideals. A ``beliefs:`` entry replaces that for one
holder, one other party and one parameter: its own prior (``prior``), or a misperception of the
true value (``factor`` times it, or ``shift`` added to it).
"""

from __future__ import annotations

import numpy as np

from negotiation.kernel.beliefs import BeliefPrior
from negotiation.scenario.params import Slot

GRID = 4096  # midpoints of the uniform grid on which a distribution's mean and variance are taken


def moments(value) -> tuple[float, float]:
    """Mean and variance of a slot's value: a number (variance 0) or a distribution."""
    if isinstance(value, (int, float)):
        return float(value), 0.0
    x = np.asarray(value.ppf((np.arange(GRID) + 0.5) / GRID), dtype=float)
    return float(x.mean()), float(x.var())


def _parse(param: str, scn) -> tuple[str, str, str | None] | str:
    """(kind, config issue, option) of a belief's ``param``, or the problem with it."""
    parts = param.split(".")
    if len(parts) < 2 or parts[0] not in scn.issues:
        return f"expected <issue>.weight, <issue>.ideal or <issue>.value.<option> with an issue of {list(scn.issues)}"
    issue, kind = parts[0], parts[1]
    iss = scn.issues[issue]
    if kind == "weight" and len(parts) == 2:
        return ("weight", issue, None)
    if kind == "ideal" and len(parts) == 2:
        if iss.discrete:
            return f"{issue} is discrete: give beliefs about {issue}.value.<option>"
        return ("ideal", issue, None)
    if kind == "value" and len(parts) == 3:
        if not iss.discrete:
            return f"{issue} is continuous: give beliefs about {issue}.ideal"
        if parts[2] not in iss.options:
            return f"unknown option {parts[2]!r} of {issue}; options are {iss.options}"
        return ("value", issue, parts[2])
    return f"expected {issue}.weight, {issue}.ideal or {issue}.value.<option>, got {param!r}"


def mean_shares(parties: list[str], issue_config: list[str], issue_pair: list, slots: list[Slot]) -> np.ndarray:
    """(P, I) each party's share of its config issue's weight on each kernel issue, at the means
    of its pair weights (``<party>.<issue>.pairs.<other>``): 1 on a common issue, 0 on the term
    of a pair it is not in (terms by pair; ``kernel.draws.pair_shares`` does the same per draw)."""
    by_name = {s.name: s for s in slots}
    out = np.ones((len(parties), len(issue_config)))
    for q, party in enumerate(parties):
        for k in dict.fromkeys(c for c, pair in zip(issue_config, issue_pair, strict=True) if pair is not None):
            cols = [i for i, c in enumerate(issue_config) if c == k]
            out[q, cols] = 0.0
            for i in cols:
                a, b = issue_pair[i]
                if q in (a, b) and (s := by_name.get(f"{party}.{k}.pairs.{parties[b if a == q else a]}")):
                    out[q, i] = moments(s.value)[0]
            total = out[q, cols].sum()
            out[q, cols] = out[q, cols] / total if total > 0 else 0.0
    return out


def belief_prior(
    scn, parties: list[str], issue_config: list[str], issue_pair: list, slots: list[Slot], n_options: int, pr
) -> BeliefPrior:
    """Every party's belief of every other party's profile before the talks; problems with the
    ``beliefs:`` section go to ``pr`` (``add(path, message)``). The issues are the kernel's: a
    config issue's ``issue_config``, the pair of a per-pair issue's term ``issue_pair``; a belief
    about a per-pair issue applies to each of its terms (a weight split by the mean pair weights)."""
    P, I, K = len(parties), len(issue_config), n_options
    out = BeliefPrior.empty(P, I, K)
    by_name = {s.name: s for s in slots}
    share = mean_shares(parties, issue_config, issue_pair, slots)
    about_mean = {"weight": np.zeros((P, I)), "ideal": np.zeros((P, I)), "value": np.zeros((P, I, K))}
    about_var = np.zeros((P, I))
    for q, party in enumerate(parties):
        for i, issue in enumerate(issue_config):
            iss = scn.issues[issue]
            w = by_name.get(f"{party}.{issue}.weight")
            if w is not None:
                about_mean["weight"][q, i] = moments(w.value)[0] * share[q, i]
            if iss.discrete:
                for o, name in enumerate(iss.options):
                    v = by_name.get(f"{party}.{issue}.value.{name}")
                    if v is not None:
                        about_mean["value"][q, i, o] = moments(v.value)[0]
            elif (s := by_name.get(f"{party}.{issue}.ideal")) is not None:
                about_mean["ideal"][q, i], about_var[q, i] = moments(s.value)
    out.weight_mean[:] = about_mean["weight"][None]
    out.ideal_mean[:] = about_mean["ideal"][None]
    out.ideal_var[:] = about_var[None]
    out.values_mean[:] = about_mean["value"][None]
    fields = {"weight": "weight", "ideal": "ideal", "value": "values"}
    bounds = {"weight": (0.0, np.inf), "value": (0.0, 1.0)}
    for k, b in enumerate(scn.beliefs):
        path = ("beliefs", k)
        bad = False
        for key in ("holder", "about"):
            if getattr(b, key) not in parties:
                pr.add(path + (key,), f"unknown party {getattr(b, key)!r}; parties are {parties}")
                bad = True
        if not bad and b.holder == b.about:
            pr.add(path + ("about",), "a party knows its own profile: name another party")
            bad = True
        given = [key for key in ("prior", "factor", "shift") if getattr(b, key) is not None]
        if len(given) != 1:
            pr.add(path, f"give exactly one of prior, factor or shift (got {', '.join(given) or 'none'})")
            bad = True
        parsed = _parse(b.param, scn)
        if isinstance(parsed, str):
            pr.add(path + ("param",), parsed)
            bad = True
        if bad:
            continue
        kind, issue, option = parsed
        p, q = parties.index(b.holder), parties.index(b.about)
        name = fields[kind]
        if b.prior is not None:
            lo, hi = bounds.get(kind, tuple(scn.issues[issue].range or (0.0, 0.0)))
            support = (b.prior, b.prior) if isinstance(b.prior, (int, float)) else b.prior.support()
            if support[0] < lo - 1e-12 or support[1] > hi + 1e-12:
                pr.add(
                    path + ("prior",), f"{b.param} must lie in [{lo:g}, {hi:g}], got [{support[0]:g}, {support[1]:g}]"
                )
                continue
        # each of the issue's kernel issues (a weight split by the mean pair weights)
        for i in [i for i, c in enumerate(issue_config) if c == issue]:
            cell = (p, q, i) if option is None else (p, q, i, scn.issues[issue].options.index(option))
            split = share[q, i] if kind == "weight" else 1.0
            if b.prior is not None:
                mean, var = moments(b.prior)
                getattr(out, f"{name}_mean")[cell] = mean * split
                if kind == "ideal":
                    out.ideal_var[cell] = var
            else:
                getattr(out, f"{name}_rel")[cell] = True
                getattr(out, f"{name}_mult")[cell] = b.factor if b.factor is not None else 1.0
                getattr(out, f"{name}_add")[cell] = (b.shift if b.shift is not None else 0.0) * split
    return out
