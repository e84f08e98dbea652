"""Histories: facts known at a date, and the draws whose path agrees with every fact.

A history file is YAML::

    as_of: 2017-11-30
    facts:
      - {extension: passed, by: 2017-10-17}     # at least one extension vote passed by that day
      - {agreement: none, by: 2017-11-30}       # no deal or bilateral signed by that day
      - {notice: none, by: 2017-11-30}          # no withdrawal notice given by that day
      - {rounds_held: 5, by: 2017-11-30}        # at least this many rounds held by that day

Each fact names one kind and when it is known: ``by: DATE`` (on or before that day) or
``round: N`` (by the day of the draw's N-th round; if the talks ended earlier, by their end).
Kinds: ``extension: passed | failed`` (a vote with that result), ``agreement: none | any | deal |
bilateral_A_B`` (signed: a bilateral deal that the party left out later joined counts from its
signing, the deal from the day it joined), ``notice: none | any | PARTY`` (given),
``rounds_held: N`` (at least N; ``at_most: M`` bounds it above), ``extensions: N`` (exactly N
votes passed; ``tolerance: k`` allows N - k to N + k), ``accession: none | any | PARTY`` (the
party left out of a bilateral deal joined it), and under ``closing: chapters``
``chapters_closed: N`` (at least N chapters closed; ``at_most: M``) and ``chapter: ISSUE`` (that
issue's chapter closed), a chapter counting from the day it last closed if it was closed at the
end. Conditioning is exact rejection: a draw is kept when its path, as ``outcomes.parquet``
records it, agrees with every fact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from negotiation.errors import ConfigError, ConfigProblem, UserError
from negotiation.kernel.codes import DEAL, PATH_STEP, OutcomeKind, bilateral_code
from negotiation.scenario.loader import Loaded
from negotiation.scenario.yamlio import Lines, format_path, line_of, parse_yaml, read_yaml

KINDS = ("extension", "agreement", "notice", "rounds_held", "extensions", "accession", "chapters_closed", "chapter")
WHEN = ("by", "round")
EXTRA = {"rounds_held": ("at_most",), "extensions": ("tolerance",), "chapters_closed": ("at_most",)}
CHAPTER_KINDS = ("chapters_closed", "chapter")  # facts only a config with closing: chapters can state
EPOCH = dt.date(1970, 1, 1).toordinal()
NEVER = np.iinfo(np.int32).max


@dataclass(frozen=True)
class Fact:
    """One fact: its kind and value, when it is known (a day or a round number), its options."""

    kind: str
    value: object
    day: int | None  # ordinal day, or None when given by round
    round: int | None
    at_most: int | None = None
    tolerance: int = 0
    text: str = ""  # as written, for messages
    where: str = ""  # file:line: key path
    path: tuple = ()  # key path in the history file, e.g. ("facts", 2)
    # What the fact reads besides its value: an accession fact the paths it names
    # (``bilateral_A_B>deal``), a chapters_closed fact the ``chapter.<issue>`` columns.
    names: tuple = ()

    def when(self) -> str:
        return f"by {dt.date.fromordinal(self.day)}" if self.day is not None else f"by round {self.round}"


@dataclass
class History:
    """The facts of a history file, checked against a scenario."""

    facts: list[Fact]
    as_of: dt.date | None
    source: str

    def fact_masks(self, table) -> list[np.ndarray]:
        """For each fact, which rows of ``table`` (a pyarrow Table or pandas DataFrame with the
        columns of ``outcomes.parquet``) agree with it."""
        view = _Paths(table)
        return [view.agrees(f) for f in self.facts]

    def mask(self, table) -> np.ndarray:
        """Which rows agree with every fact."""
        masks = self.fact_masks(table)
        out = np.ones(_rows(table), dtype=bool)
        for m in masks:
            out &= m
        return out

    def most_restrictive(self, table) -> tuple[Fact, int]:
        """The fact that, alone, the fewest rows agree with, and that number."""
        counts = [int(m.sum()) for m in self.fact_masks(table)]
        k = int(np.argmin(counts))
        return self.facts[k], counts[k]

    def until(self, cut: dt.date) -> History:
        """The facts known on ``cut``: dated on or before it (facts given by round are kept)."""
        day = cut.toordinal()
        return History([f for f in self.facts if f.day is None or f.day <= day], cut, self.source)


def _rows(table) -> int:
    return table.num_rows if isinstance(table, pa.Table) else len(table)


def fact_columns(st) -> list[str]:
    """The columns of ``outcomes.parquet`` that the facts of a history for this scenario read."""
    columns = ["outcome", "path", "end_date", "signed_date", "notice_party", "notice_date"]
    columns += ["vote_dates", "vote_passed", "round_dates"]
    return columns + ([f"chapter.{issue}" for issue in st.issues] if st.closing == "chapters" else [])


class _Paths:
    """The path columns of a table as flat arrays, for fast evaluation of facts."""

    def __init__(self, table):
        if not isinstance(table, pa.Table):
            table = pa.Table.from_pandas(table, preserve_index=False)
        self.n = table.num_rows
        self.table = table
        self.outcome = _Labels(table.column("outcome"))
        self.end = _days(table.column("end_date"))
        # Rows of a version before accession: the path is the outcome class, nothing signed early.
        names = table.column_names
        self.path = _Labels(table.column("path")) if "path" in names else self.outcome
        self.signed = _days(table.column("signed_date")) if "signed_date" in names else np.full(self.n, NEVER)
        self._chapters: dict[str, np.ndarray] = {}
        self.notice_party = _Labels(table.column("notice_party"))
        self.notice_day = _days(table.column("notice_date"))
        self.rounds = _lists(table.column("round_dates"))
        self.votes = _lists(table.column("vote_dates"))
        passed = pc.list_flatten(table.column("vote_passed").combine_chunks())
        self.passed = np.asarray(passed.to_numpy(zero_copy_only=False), dtype=bool)

    def cut(self, fact: Fact) -> np.ndarray:
        """The day by which the fact must hold, per row."""
        if fact.day is not None:
            return np.full(self.n, fact.day, dtype=np.int64)
        flat, start, length = self.rounds
        k = np.minimum(fact.round, length) - 1
        return np.where(length > 0, flat[np.maximum(start + k, 0)], self.end)

    def agrees(self, fact: Fact) -> np.ndarray:
        cut = self.cut(fact)
        if fact.kind == "extension":
            flat, start, length = self.votes
            parent = np.repeat(np.arange(self.n), length)
            ok = (self.passed if fact.value == "passed" else ~self.passed) & (flat <= cut[parent])
            return np.bincount(parent[ok], minlength=self.n) > 0
        if fact.kind == "extensions":
            flat, start, length = self.votes
            parent = np.repeat(np.arange(self.n), length)
            won = np.bincount(parent[self.passed & (flat <= cut[parent])], minlength=self.n)
            return np.abs(won - int(fact.value)) <= fact.tolerance
        if fact.kind == "rounds_held":
            flat, start, length = self.rounds
            parent = np.repeat(np.arange(self.n), length)
            held = np.bincount(parent[flat <= cut[parent]], minlength=self.n)
            ok = held >= int(fact.value)
            return ok & (held <= fact.at_most) if fact.at_most is not None else ok
        if fact.kind == "agreement":
            final = self.end <= cut  # the talks' final outcome had been reached (signed, if an agreement)
            early = self.signed <= cut  # a bilateral deal open to accession had been signed
            if fact.value == str(OutcomeKind.DEAL):
                return final & (self.outcome == fact.value)
            if fact.value in ("none", "any"):
                signed = (final & _agreed(self.outcome)) | early
                return ~signed if fact.value == "none" else signed
            joined = self.path == f"{fact.value}{PATH_STEP}{OutcomeKind.DEAL}"
            return (final & (self.outcome == fact.value)) | (early & joined)
        if fact.kind == "accession":
            joined = self.path.isin(fact.names) & (self.end <= cut)
            return ~joined if fact.value == "none" else joined
        if fact.kind == "chapter":
            return self.chapter(f"chapter.{fact.value}") <= cut
        if fact.kind == "chapters_closed":
            closed = np.zeros(self.n, dtype=np.int64)
            for name in fact.names:
                closed += self.chapter(name) <= cut
            ok = closed >= int(fact.value)
            return ok & (closed <= fact.at_most) if fact.at_most is not None else ok
        # notice
        given = (self.notice_day <= cut) & (self.notice_day != NEVER)
        if fact.value == "none":
            return ~given
        if fact.value == "any":
            return given
        return given & (self.notice_party == fact.value)

    def chapter(self, name: str) -> np.ndarray:
        """The day a chapter last closed, per row (NEVER: open at the end)."""
        if name not in self._chapters:
            if name not in self.table.column_names:
                raise UserError(f"the draws have no {name} column: they come from a config without closing: chapters")
            self._chapters[name] = _days(self.table.column(name))
        return self._chapters[name]


class _Labels:
    """A string column as integer codes over its distinct values (no Python object per row)."""

    def __init__(self, col):
        arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        enc = pc.dictionary_encode(arr.cast(pa.string()))
        self.values = enc.dictionary.to_pylist()
        self.codes = np.asarray(enc.indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)

    def __eq__(self, label) -> np.ndarray:  # noqa: D105 - rows whose value is ``label``
        return self.isin([label])

    __hash__ = None

    def isin(self, labels) -> np.ndarray:
        wanted = [k for k, v in enumerate(self.values) if v in set(labels)]
        return np.isin(self.codes, wanted)


def _agreed(outcome: _Labels) -> np.ndarray:
    kinds = [v for v in outcome.values if v == str(OutcomeKind.DEAL) or v.startswith(f"{OutcomeKind.BILATERAL}_")]
    return outcome.isin(kinds)


def _days(col) -> np.ndarray:
    """Ordinal days of a date column; missing dates are NEVER."""
    arr = pc.cast(col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col, pa.int32())
    return np.asarray(arr.fill_null(NEVER - EPOCH).to_numpy(), dtype=np.int64) + EPOCH


def _lists(col) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A list-of-dates column as (flat ordinal days, start offset per row, length per row)."""
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    offsets = np.asarray(arr.offsets.to_numpy(), dtype=np.int64)
    flat = _days(pc.list_flatten(arr)) if len(arr) else np.zeros(0, dtype=np.int64)
    return flat, offsets[:-1] - offsets[0], np.diff(offsets)


# --- reading and checking a history file ---------------------------------------------------------


def load_history(ref, loaded: Loaded) -> History:
    """Read a history file (a path, or YAML text with ``name``) and check it against a scenario;
    raise ConfigError with every problem (file, line, key path, what was expected)."""
    if isinstance(ref, History):
        return ref
    if isinstance(ref, dict):
        data, lines, name = ref, {}, "<history>"
    elif isinstance(ref, Path) or (isinstance(ref, str) and "\n" not in ref and Path(ref).suffix in (".yaml", ".yml")):
        data, lines, _ = read_yaml(ref)
        name = str(ref)
    else:
        data, lines = parse_yaml(str(ref), "<history>")
        name = "<history>"
    return check_history(data, lines, name, loaded)


def check_history(data, lines: Lines, name: str, loaded: Loaded) -> History:
    """Check parsed history data against a scenario (see ``load_history``)."""
    problems: list[ConfigProblem] = []

    def bad(path: tuple, msg: str) -> None:
        problems.append(ConfigProblem(name, line_of(lines, path), format_path(path), msg))

    if not isinstance(data, dict):
        raise ConfigError([ConfigProblem(name, 1, "", "expected a mapping with 'facts' (and optionally 'as_of')")])
    for key in data:
        if key not in ("as_of", "facts"):
            bad((key,), "unknown key; expected as_of or facts")
    as_of = data.get("as_of")
    if as_of is not None and not isinstance(as_of, dt.date):
        bad(("as_of",), f"expected a date (YYYY-MM-DD), got {as_of!r}")
        as_of = None
    raw = data.get("facts")
    if not isinstance(raw, list) or not raw:
        bad(("facts",), "expected a list of facts, e.g. - {agreement: none, by: 2017-11-30}")
        raise ConfigError(problems)
    st = loaded.structure
    facts = []
    for k, item in enumerate(raw):
        fact = _check_fact(item, ("facts", k), loaded, bad, as_of, name, lines)
        if fact is not None:
            facts.append(fact)
    if not problems:
        _contradictions(facts, bad, st)
    if problems:
        raise ConfigError(problems)
    return History(facts, as_of, name)


def _check_fact(item, path, loaded: Loaded, bad, as_of, name, lines) -> Fact | None:
    st = loaded.structure
    if not isinstance(item, dict):
        bad(path, f"expected a fact such as {{agreement: none, by: 2017-11-30}}, got {item!r}")
        return None
    kinds = [k for k in item if k in KINDS]
    if len(kinds) != 1:
        bad(path, f"a fact names exactly one of {', '.join(KINDS)}; got {', '.join(map(str, item)) or 'none'}")
        return None
    kind = kinds[0]
    allowed = {kind, *WHEN, *EXTRA.get(kind, ())}
    for key in item:
        if key not in allowed:
            bad(path + (key,), f"unknown key for a {kind} fact; expected {', '.join(sorted(allowed))}")
    value = item[kind]
    joins = _joins(st)
    if kind in CHAPTER_KINDS and st.closing != "chapters":
        bad(path + (kind,), f"a {kind} fact needs closing: chapters; this scenario closes as one package")
        return None
    if kind == "accession" and not joins:
        bad(path + (kind,), "no pair's bilateral deal can be joined in this scenario (coalitions: accession:)")
        return None
    options = {
        "extension": ["passed", "failed"],
        "agreement": ["none", "any", *st.outcomes[: st.termination]],
        "notice": ["none", "any", *st.parties],
        "accession": ["none", "any", *[p for p in st.parties if p in joins]],
        "chapter": list(st.issues),
    }
    if kind in options:
        if kind == "agreement" and isinstance(value, str) and value.startswith("bilateral_"):
            value = _canonical(value, st.parties)
        if value not in options[kind]:
            bad(path + (kind,), f"expected one of {', '.join(options[kind])}, got {item[kind]!r}")
            return None
    elif not _whole(value) or value < 0:
        bad(path + (kind,), f"expected a whole number, 0 or more, got {value!r}")
        return None
    elif kind == "chapters_closed" and value > st.n_issues:
        bad(path + (kind,), f"expected at most {st.n_issues}: the scenario has {st.n_issues} chapters (issues)")
        return None
    names: tuple = ()
    if kind == "accession":
        names = tuple(n for p, ns in joins.items() if value in ("any", "none", p) for n in ns)
    elif kind == "chapters_closed":
        names = tuple(f"chapter.{issue}" for issue in st.issues)
    at_most = item.get("at_most")
    if at_most is not None and (not _whole(at_most) or at_most < value):
        bad(path + ("at_most",), f"expected a whole number at least {value}, got {at_most!r}")
    tolerance = item.get("tolerance", 0)
    if not _whole(tolerance) or tolerance < 0:
        bad(path + ("tolerance",), f"expected a whole number, 0 or more, got {tolerance!r}")
        tolerance = 0
    day = rnd = None
    if ("by" in item) == ("round" in item):
        bad(path, "give when the fact is known: either by: DATE or round: N")
        return None
    if "by" in item:
        when = item["by"]
        if not isinstance(when, dt.date):
            bad(path + ("by",), f"expected a date (YYYY-MM-DD), got {when!r}")
            return None
        day = when.toordinal()
        first = dt.date.fromordinal(st.start_day)
        if day < st.start_day:
            bad(path + ("by",), f"{when} is before the first round ({first})")
            return None
        if as_of is not None and when > as_of:
            bad(path + ("by",), f"{when} is after the history's as_of date ({as_of})")
            return None
    else:
        rnd = item["round"]
        if not _whole(rnd) or not 1 <= rnd <= st.max_rounds:
            bad(path + ("round",), f"expected a round number from 1 to {st.max_rounds}, got {rnd!r}")
            return None
    where = f"{name}:{line_of(lines, path)}: {format_path(path)}"
    text = ", ".join(f"{k}: {v}" for k, v in item.items())
    return Fact(kind, value, day, rnd, at_most, int(tolerance), "{" + text + "}", where, path, names)


def _whole(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _joins(st) -> dict[str, list[str]]:
    """{party: the paths on which it joins a bilateral deal it was left out of}, for the pairs
    whose deal may be joined (``Structure.accession``)."""
    out: dict[str, list[str]] = {}
    for n, on in enumerate(st.accession):
        if on:
            name = f"{st.outcomes[bilateral_code(n)]}{PATH_STEP}{st.outcomes[DEAL]}"
            out.setdefault(st.parties[st.left_out(n)], []).append(name)
    return out


def _canonical(name: str, parties: list[str]) -> str:
    members = name[len("bilateral_") :].split("_")
    if len(members) == 2 and all(m in parties for m in members):
        members.sort(key=parties.index)
        return "bilateral_" + "_".join(members)
    return name


def _contradictions(facts: list[Fact], bad, st) -> None:
    """Facts that no path can satisfy together: one line each, at the second fact's line."""

    def say(a: Fact, b: Fact, why: str) -> None:
        if b.path < a.path:  # said where the later-written fact is
            a, b = b, a
        bad(b.path, f"{b.text} contradicts {a.text} ({a.where}): {why}")

    joinable = {name.split(PATH_STEP)[0] for names in _joins(st).values() for name in names}  # bilateral_A_B
    dated = [f for f in facts if f.day is not None]
    for i, a in enumerate(dated):
        for b in dated[i + 1 :]:
            early, late = (a, b) if a.day <= b.day else (b, a)
            if a.kind == b.kind == "agreement":
                if early.value not in ("none",) and late.value == "none":
                    say(early, late, "an agreement signed earlier is still signed later")
                elif "none" not in (a.value, b.value) and "any" not in (a.value, b.value) and a.value != b.value:
                    values, deal = {a.value, b.value}, str(OutcomeKind.DEAL)
                    if deal not in values or not values - {deal} <= joinable:  # a deal may follow a joinable bilateral
                        say(a, b, "talks end with one agreement")
            if a.kind == b.kind == "accession":
                if early.value != "none" and late.value == "none":
                    say(early, late, "a party that joined earlier is still in later")
                elif "none" not in (a.value, b.value) and "any" not in (a.value, b.value) and a.value != b.value:
                    say(a, b, "one party at most joins: the one left out of the bilateral deal")
            if {a.kind, b.kind} == {"accession", "agreement"}:
                acc, agr = (a, b) if a.kind == "accession" else (b, a)
                if acc.value != "none" and agr.value == "none" and agr.day >= acc.day:
                    say(a, b, "a party that joined, joined an agreement signed by then")
            if a.kind == b.kind == "chapters_closed" and late.at_most is not None and early.value > late.at_most:
                say(early, late, "a chapter counts from the day it last closed, so the count cannot fall over time")
            if a.kind == b.kind == "notice":
                if early.value != "none" and late.value == "none":
                    say(early, late, "a notice given earlier is still given later")
                elif "none" not in (a.value, b.value) and "any" not in (a.value, b.value) and a.value != b.value:
                    say(a, b, "only one withdrawal notice is given")
            if a.kind == b.kind == "rounds_held" and late.at_most is not None and early.value > late.at_most:
                say(early, late, "rounds held cannot fall over time")
    for f in dated:
        if f.kind == "chapters_closed" and f.at_most is not None:
            known = [c for c in dated if c.kind == "chapter" and c.day <= f.day]
            if len({c.value for c in known}) > f.at_most:
                last = max(known, key=lambda c: c.path)
                say(last, f, f"{len({c.value for c in known})} chapters closed by then, more than {f.at_most}")
    for f in dated:
        if f.kind == "rounds_held" and f.value > st.max_rounds:
            bad(f.path + (f.kind,), f"{f.text}: the calendar allows at most {st.max_rounds} rounds")


# --- conditional summaries --------------------------------------------------------------------


def matched_summary(st, table, mask: np.ndarray, outcome_block) -> dict:
    """The odds among the rows in ``mask`` (``outcome_block`` of the counts), the number and
    share matched, and the quantiles of the agreement day and of each agreed term."""
    n = _rows(table)
    paths = _Paths(table)
    index = {name: k for k, name in enumerate(st.outcomes)}
    lut = np.array([index[v] for v in paths.outcome.values], dtype=np.int64)
    codes = lut[paths.outcome.codes[mask]]
    counts = np.bincount(codes, minlength=len(st.outcomes))
    out = {
        "matched": int(mask.sum()),
        "share": round(float(mask.mean()), 12) if n else 0.0,
        "outcomes": outcome_block(st, counts),
    }
    agreed = mask & _agreed(paths.outcome)
    qs = (0.05, 0.25, 0.5, 0.75, 0.95)
    if agreed.any():
        days = np.quantile(paths.end[agreed], qs, method="inverted_cdf")
        out["agreement_date"] = {_q(q): dt.date.fromordinal(int(d)).isoformat() for q, d in zip(qs, days, strict=True)}
        terms = {}
        n_agreed = int(agreed.sum())
        for i, issue in enumerate(st.issues):
            col = table.column(f"x.{issue}") if isinstance(table, pa.Table) else pa.array(table[f"x.{issue}"])
            if i in st.options:
                labels = _Labels(col)
                k = np.bincount(labels.codes[agreed] + 1, minlength=len(labels.values) + 1)[1:]
                terms[issue] = {
                    str(a): round(int(c) / n_agreed, 12) for a, c in sorted(zip(labels.values, k, strict=True)) if c
                }
            else:
                values = np.asarray(col.to_numpy(), dtype=float)[agreed]
                q = np.quantile(values, qs)
                terms[issue] = {_q(p): round(float(v), 9) for p, v in zip(qs, q, strict=True)}
        out["terms"] = terms
    return out


def _q(q: float) -> str:
    return f"q{int(round(q * 100)):02d}"


def no_match_error(history: History, table) -> UserError:
    """The one line said when no draw agrees with the history."""
    fact, count = history.most_restrictive(table)
    return UserError(
        f"no draw of {_rows(table)} agrees with every fact of {history.source}; the most restrictive, "
        f"{fact.text} ({fact.where}), alone matches {count}; draw more (--draws, --min-matched) or check the facts"
    )
