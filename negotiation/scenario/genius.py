"""Import GENIUS / ANAC negotiation domains: a domain XML file and one utility-profile XML file
per party become a scenario config for this simulator. Files are parsed with defusedxml: a
DOCTYPE or ENTITY declaration is refused in any encoding.

Read: discrete issues with their values; integer and real issues with bounds (their linear
evaluators give the ideal end); per-value evaluations (divided by the issue's largest, so the
best value is worth 1; an issue every evaluation of which is 0 is worth 0 to that party, noted in
a comment of the config); issue weights (normalised); the reservation value; the discount factor
(recorded in a comment: this simulator discounts through the calendar, not per round).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as SafeET
import yaml

from negotiation.errors import UserError

MAX_XML_BYTES = 5_000_000


def _parse(path: Path) -> ET.Element:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    if len(raw) > MAX_XML_BYTES:
        raise UserError(f"{path}: file too large ({len(raw)} bytes; at most {MAX_XML_BYTES})")
    try:  # defusedxml refuses a DOCTYPE in whatever encoding the file declares (UTF-16 too)
        return SafeET.fromstring(raw, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        raise UserError(f"{path}: DOCTYPE and ENTITY declarations are not accepted") from None
    except ET.ParseError as exc:
        raise UserError(
            f"{path}:{exc.position[0]}: not well-formed XML ({exc.msg if hasattr(exc, 'msg') else exc})"
        ) from None


def _ident(text: str, lower: bool) -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "_" if lower else "", text).strip("_")
    s = s.lower() if lower else s
    if not s or not s[0].isalpha():
        s = ("i_" if lower else "P") + s
    return s[: 40 if lower else 16]


def _issues(root: ET.Element, path: Path) -> list[dict]:
    issues = []
    for node in root.iter("issue"):
        name = node.get("name")
        kind = (node.get("type") or node.get("etype") or "discrete").lower()
        if not name:
            raise UserError(f"{path}: an issue has no name")
        if kind == "discrete":
            items = [it.get("value") for it in node.findall("item")]
            if len(items) < 2 or any(v is None for v in items):
                raise UserError(f"{path}: issue {name!r} needs at least two items with a value")
            issues.append({"name": name, "kind": "discrete", "options": items, "index": node.get("index")})
        elif kind in ("integer", "real"):
            try:
                lo, hi = float(node.get("lowerbound")), float(node.get("upperbound"))
            except (TypeError, ValueError):
                raise UserError(f"{path}: issue {name!r} needs numeric lowerbound and upperbound") from None
            if not lo < hi:
                raise UserError(f"{path}: issue {name!r}: lowerbound must be below upperbound")
            issues.append({"name": name, "kind": "continuous", "range": [lo, hi], "index": node.get("index")})
        else:
            raise UserError(f"{path}: issue {name!r} has type {kind!r}; discrete, integer and real are read")
    if not issues:
        raise UserError(f"{path}: no <issue> elements: is this a GENIUS domain file?")
    if len({i["name"] for i in issues}) != len(issues):
        raise UserError(f"{path}: two issues share a name")
    return issues


def _profile(root: ET.Element, path: Path, issues: list[dict]) -> dict:
    by_name = {i["name"]: i for i in issues}
    by_index = {i["index"]: i["name"] for i in issues if i["index"] is not None}
    weights: dict[str, float] = {}
    values: dict[str, dict] = {}
    indifferent: list[str] = []  # discrete issues every evaluation of which is 0
    for w in root.iter("weight"):
        name = by_index.get(w.get("index"))
        if name is None:
            raise UserError(f"{path}: a weight has index {w.get('index')!r}, which names no issue of the domain")
        weights[name] = _number(w.get("value"), path, f"weight of {name}")
    for node in root.iter("issue"):
        name = node.get("name")
        if name not in by_name:
            raise UserError(f"{path}: issue {name!r} is not in the domain")
        iss = by_name[name]
        if iss["kind"] == "discrete":
            evals = {}
            for it in node.findall("item"):
                v = it.get("value")
                if v not in iss["options"]:
                    raise UserError(f"{path}: issue {name!r} has value {v!r}, which is not in the domain")
                e = _number(it.get("evaluation"), path, f"evaluation of {name}={v}")
                if e < 0:
                    raise UserError(f"{path}: evaluation of {name}={v} is negative")
                evals[v] = e
            missing = [o for o in iss["options"] if o not in evals]
            if missing:
                raise UserError(f"{path}: issue {name!r} has no evaluation for {missing[0]!r}")
            top = max(evals.values())
            if top <= 0:  # the party does not value this issue (GENIUS and NegMAS allow it)
                indifferent.append(name)
            values[name] = {o: round(evals[o] / top, 12) if top > 0 else 0.0 for o in iss["options"]}
        else:
            ev = node.find("evaluator")
            slope = _number(ev.get("slope"), path, f"slope of {name}") if ev is not None and ev.get("slope") else 1.0
            values[name] = {"ideal": iss["range"][1] if slope >= 0 else iss["range"][0]}
    for name in by_name:
        if name not in weights:
            raise UserError(f"{path}: no weight for issue {name!r}")
        if name not in values:
            raise UserError(f"{path}: no evaluations for issue {name!r}")
    if indifferent and len(indifferent) == len(by_name):
        raise UserError(f"{path}: every evaluation of every issue is 0: the profile values nothing")
    total = sum(weights.values())
    if total <= 0 or any(w < 0 for w in weights.values()):
        raise UserError(f"{path}: weights must be non-negative with a positive sum")
    res = root.find(".//reservation")
    disc = root.find(".//discount_factor")
    return {
        "weights": {k: round(v / total, 12) for k, v in weights.items()},
        "values": values,
        "indifferent": indifferent,
        "reservation": _number(res.get("value"), path, "reservation") if res is not None else 0.0,
        "discount": _number(disc.get("value"), path, "discount_factor") if disc is not None else 1.0,
    }


def _number(text, path, what) -> float:
    try:
        v = float(text)
    except (TypeError, ValueError):
        raise UserError(f"{path}: {what} is not a number: {text!r}") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise UserError(f"{path}: {what} is not a finite number")
    return v


def import_genius(domain: Path, profiles: list[Path], rounds: int = 10) -> str:
    """A scenario config (YAML text) from a GENIUS domain and its parties' profiles."""
    if len(profiles) < 2:
        raise UserError("give the domain file and at least two profile files")
    issues = _issues(_parse(domain), domain)
    ids = {i["name"]: _ident(i["name"], True) for i in issues}
    if len(set(ids.values())) != len(ids):
        raise UserError(f"{domain}: issue names collide once made into ids: {sorted(ids.values())}")
    parties, profs = {}, {}
    discounts = {}
    notes = []
    for path in profiles:
        pid = _ident(Path(path).stem, False)
        while pid in parties:
            pid = (pid + "X")[:16]
        prof = _profile(_parse(path), path, issues)
        parties[pid] = {"name": Path(path).stem}
        discounts[pid] = prof["discount"]
        notes += [
            f"# {pid} does not value {ids[name]} (every evaluation 0): its values there are all 0."
            for name in prof["indifferent"]
        ]
        entry = {"reservation": min(max(prof["reservation"], 0.0), 1.0), "issues": {}}
        for iss in issues:
            name, key = iss["name"], ids[iss["name"]]
            pref = {"weight": prof["weights"][name]}
            if iss["kind"] == "discrete":
                pref["values"] = prof["values"][name]
            else:
                pref["ideal"] = prof["values"][name]["ideal"]
            entry["issues"][key] = pref
        profs[pid] = entry
    start = dt.date(2024, 1, 1)
    data = {
        "name": f"GENIUS domain {Path(domain).stem}",
        "description": f"Imported from {Path(domain).name} and {', '.join(Path(p).name for p in profiles)}.",
        "parties": parties,
        "issues": {
            ids[i["name"]]: (
                {"label": i["name"], "options": i["options"], "status_quo": i["options"][0]}
                if i["kind"] == "discrete"
                else {"label": i["name"], "range": i["range"], "status_quo": i["range"][0]}
            )
            for i in issues
        },
        "profiles": profs,
        "calendar": {
            "rounds": [start + dt.timedelta(days=7 * k) for k in range(rounds)],
            "deadline": start + dt.timedelta(days=7 * (rounds - 1)),
            "horizon": start + dt.timedelta(days=7 * rounds),
        },
    }
    head = [
        f"# Imported by `negotiate import-genius` from {Path(domain).name} and "
        f"{', '.join(Path(p).name for p in profiles)}.",
        "# Values per option are the profile's evaluations divided by the issue's largest; weights are",
        "# normalised. GENIUS has no status quo: the first value of each issue stands in for it.",
        "# Discount factors (not modelled per round here; the calendar's deadline plays that part): "
        + ", ".join(f"{p} {d:g}" for p, d in discounts.items()),
        *notes,
    ]
    return "\n".join(head) + "\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
