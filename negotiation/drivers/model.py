"""The Mesa driver: ``NegotiationModel`` runs one negotiation step by step, one round per step."""

from __future__ import annotations

import datetime as dt

import mesa
import numpy as np

from negotiation.drivers.party import PartyAgent
from negotiation.kernel.codes import path_of
from negotiation.kernel.draws import draw_rows
from negotiation.kernel.protocol import final_utilities, play_round
from negotiation.kernel.state import State
from negotiation.kernel.utility import utility
from negotiation.scenario import units
from negotiation.scenario.loader import Loaded
from negotiation.strategies import party_strategies


def day_text(day: int) -> str:
    """ISO date of an ordinal day."""
    return dt.date.fromordinal(int(day)).isoformat()


class NegotiationModel(mesa.Model):
    """One negotiation: row ``draw`` of the draw table of ``seed``, played round by round.

    All randomness comes from that draw row; Mesa's own generators are seeded but unused.
    ``people`` puts persons in some parties' seats (see ``negotiation.drivers.human``).
    """

    def __init__(self, loaded: Loaded, seed: int = 0, draw: int = 0, space=None, people: dict | None = None):
        super().__init__(rng=seed)
        self.loaded = loaded
        self.structure = st = loaded.structure
        self.space = space or loaded.space
        self.seed, self.draw = seed, draw
        self.inputs, self.draws, self.values = draw_rows(st, self.space, seed, draw, 1)
        self.state = State.start(st, self.inputs)
        self.strategies = party_strategies(st)
        # people: party index -> a factory(model, p) of the decider that stands for a person
        people = people or {}
        self.people = dict(people)
        self.parties = [PartyAgent(self, p, people[p](self, p) if p in people else None) for p in range(st.n_parties)]
        self.history: list[dict] = []
        self._signed = False  # a bilateral deal opened an accession window (recorded once)
        agent_reporters = {
            "party": "party",
            "target": "current_target",
            "offered": "offered",
            "accepted_by": lambda a: a.accepted_by(),
        }
        for i, issue in enumerate(st.issues):
            agent_reporters[f"offer_{issue}"] = lambda a, i=i: a.offer_position(i)
        for q, name in enumerate(st.parties):
            agent_reporters[f"u_{name}"] = lambda a, q=q: a.offer_utility(q)
        # Some party holds beliefs of another (private information, or a person at the table).
        self.beliefs_held = any(getattr(a.kernel, "beliefs", None) is not None for a in self.parties)
        if self.beliefs_held:
            agent_reporters["belief_error"] = "belief_error"
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "round": lambda m: m.state.round,
                "date": lambda m: m.history[-1]["date"],
                "deadline": lambda m: day_text(m.state.deadline[0]),
                "extensions": lambda m: int(m.state.n_ext[0]),
                "notice": lambda m: m.notice_text(),
            },
            agent_reporters=agent_reporters,
        )

    def notice_text(self) -> str:
        s = self.state
        return "" if s.notice_by[0] < 0 else f"{self.structure.parties[s.notice_by[0]]} {day_text(s.notice_day[0])}"

    def offer_utility(self, p: int, q: int) -> float:
        """Utility to party q of party p's offer this round (NaN when p made none)."""
        return self._offer_u[p][q]

    def _offer_utilities(self) -> list[list[float]]:
        st, s = self.structure, self.state
        out = []
        for p in range(st.n_parties):
            x = s.offers[:, p, :]
            if np.isnan(x[0, 0]):
                out.append([float("nan")] * st.n_parties)
            else:
                out.append([float(utility(st, self.inputs, q, x, 0)[0]) for q in range(st.n_parties)])
        return out

    def _belief_errors(self) -> dict:
        """Each computer party's belief error this round (parties that hold no beliefs left out)."""
        out = {}
        for a in self.parties:
            err = getattr(a.kernel, "belief_error", None)
            if err is not None:
                out[a.party] = float(err[0])
        return out

    def step(self) -> None:
        """Play one round and record it."""
        s = self.state
        day, deadline = int(s.day[0]), int(s.deadline[0])
        play_round(self.structure, self.inputs, self.draws, s, self.parties)
        self._offer_u = self._offer_utilities()
        st = self.structure
        ev = s.events
        if ev["termination"][0]:
            # The notice took effect before this round: no round is held. The end goes on the
            # last round's record (the trace keeps one row per round actually played).
            end = [
                {"kind": "termination", "date": day_text(s.end_day[0])},
                {"kind": "outcome", "outcome": st.outcomes[s.outcome[0]], "date": day_text(s.end_day[0])},
            ]
            if self.history:
                self.history[-1]["events"].extend(end)
            self.running = False
            return
        record = {
            "round": s.round,
            "date": day_text(day),
            "deadline": day_text(deadline),
            "targets": {st.parties[p]: float(s.target[0, p]) for p in range(st.n_parties)},
            **({"belief_error": self._belief_errors()} if self.beliefs_held else {}),
            "offers": [],
            "events": [],
        }
        if ev["accession"][0]:
            record["accession"] = True
        judged = ev.get("judged")
        if judged is not None and not np.isnan(judged[0, 0]):
            # the single negotiating text this round judged, and who accepted it
            x = judged[0:1]
            record["text"] = {
                "position": x[0].tolist(),
                "utilities": {st.parties[q]: float(utility(st, self.inputs, q, x, 0)[0]) for q in range(st.n_parties)},
                "accepted_by": [st.parties[q] for q in range(st.n_parties) if s.text_accepted[0, q]],
            }
        shocks = self.loaded.scenario.shocks
        for k in np.flatnonzero(ev["shocks"][0]):
            sid = st.shock_ids[k]
            record["events"].append({"kind": "shock", "id": sid, "label": shocks[sid].label})
        for j in range(st.n_parties):
            p = (s.round - 1 + j) % st.n_parties
            if np.isnan(s.offers[0, p, 0]) or ("text" in record and s.text_accepted[0, p]):
                continue
            record["offers"].append(
                {
                    "proposer": st.parties[p],
                    "position": s.offers[0, p, :].tolist(),
                    "utilities": {st.parties[q]: self.offer_utility(p, q) for q in range(st.n_parties)},
                    # (in an accession round the party asking to join is listed when it joins)
                    "accepted_by": [
                        st.parties[q]
                        for q in range(st.n_parties)
                        if (q != p or ev["accession"][0]) and s.accepted[0, p, q]
                    ],
                }
            )
        for i in np.flatnonzero(ev["reopened_chapters"][0]):
            record["events"].append({"kind": "chapter_reopened", "issue": st.issues[i]})
        for i in np.flatnonzero(ev["closed_chapters"][0]):
            record["events"].append({"kind": "chapter_closed", "issue": st.issues[i]})
        if s.signed[0] >= 0 and not self._signed:
            self._signed = True
            n = int(s.signed[0])
            record["events"].append(
                {
                    "kind": "signed",
                    "outcome": st.outcomes[1 + n],
                    "left_out": st.parties[st.left_out(n)],
                    "date": day_text(s.signed_day[0]),
                    "window_end": day_text(s.deadline[0]),
                }
            )
        if ev["notice"][0] >= 0:
            record["events"].append(
                {"kind": "notice", "party": st.parties[ev["notice"][0]], "effective": day_text(s.notice_day[0])}
            )
        if ev["vote"][0]:
            record["events"].append(
                {
                    "kind": "extension" if ev["extended"][0] else "extension_refused",
                    "deadline": day_text(s.deadline[0]),
                    "gap_days": int(self.inputs.gap[0]),
                }
            )
        if s.done[0]:
            record["events"].append(
                {"kind": "outcome", "outcome": st.outcomes[s.outcome[0]], "date": day_text(s.end_day[0])}
            )
            self.running = False
        elif ev["closed"][0]:
            self.running = False
        self.history.append(record)
        self.datacollector.collect(self)

    def records(self) -> list[dict]:
        """The round records as written to ``rounds.jsonl``: each offer's terms in display units
        (``terms``, by issue) instead of the kernel's model positions."""
        st, cfg = self.structure, self.loaded.scenario.issues
        out = []
        for rec in self.history:
            offers = []
            for off in rec["offers"]:
                off = dict(off)
                terms = units.positions(st, cfg, off.pop("position"))
                offers.append({**off, "terms": dict(zip(st.issues, terms, strict=True))})
            extra = {}
            if "text" in rec:
                text = dict(rec["text"])
                terms = units.positions(st, cfg, text.pop("position"))
                extra["text"] = {**text, "terms": dict(zip(st.issues, terms, strict=True))}
            out.append({**rec, "offers": offers, **extra})
        return out

    def run(self, max_steps: int | None = None) -> None:
        """Step until the negotiation ends."""
        limit = max_steps or self.structure.max_rounds + 1
        while self.running and self.steps < limit:
            self.step()

    def summary(self) -> dict:
        """The run's summary, as DESIGN.md's output contract gives it (positions in display units)."""
        st, s = self.structure, self.state
        outcome = int(s.outcome[0])
        u = final_utilities(st, self.inputs, s)[0]
        cfg = self.loaded.scenario.issues
        agreement = {}
        if st.agreed(outcome):
            agreement = {
                issue: units.position(st, cfg, i, float(s.agreement[0, i])) for i, issue in enumerate(st.issues)
            }
        return {
            "outcome": st.outcomes[outcome],
            "rounds": int(s.rounds[0]),
            "date": day_text(s.end_day[0]),
            "agreement": agreement,
            "units": units.units(st, cfg),
            "utilities": {p: round(float(u[k]), 12) for k, p in enumerate(st.parties)},
            "reservations": {p: round(float(self.inputs.res_eff[0, k]), 12) for k, p in enumerate(st.parties)},
            "seed": self.seed,
            "draw": self.draw,
        }

    def path(self) -> dict:
        """The negotiation's path as ``outcomes.parquet`` records it (columns ``extensions``,
        ``vote_dates``, ``vote_passed``, ``notice_party``, ``notice_date``, ``round_dates``,
        ``shock.<id>`` per shock, the day it applied or None, ``path``, ``signed_date`` and under
        chapter closing ``chapters_closed``, ``reopened`` and ``chapter.<issue>``; dates as
        ``datetime.date``)."""
        st, s = self.structure, self.state
        day = dt.date.fromordinal
        votes = int(s.votes[0])
        given = int(s.notice_by[0]) >= 0
        return {
            "extensions": int(s.n_ext[0]),
            "vote_dates": [day(int(d)) for d in s.vote_day[0, :votes]],
            "vote_passed": [bool(v) for v in s.vote_yes[0, :votes]],
            "notice_party": st.parties[int(s.notice_by[0])] if given else None,
            "notice_date": day(int(s.notice_day[0]) - st.notice_days) if given else None,
            "round_dates": [day(int(d)) for d in s.round_day[0] if d >= 0],
            **{
                f"shock.{sid}": day(int(s.shock_day[0, k])) if s.shock_day[0, k] >= 0 else None
                for k, sid in enumerate(st.shock_ids)
            },
            **{
                f"belief_error.{name}": [float(np.float32(e)) for e in s.belief_error[0, : int(s.rounds[0]), q]]
                for q, name in enumerate(st.parties)
                if s.belief_error.shape[1]
            },
            "path": str(path_of(st.outcomes, s.outcome, s.signed)[0]),
            "signed_date": day(int(s.signed_day[0])) if s.signed[0] >= 0 else None,
            **(self._chapters() if st.closing == "chapters" else {}),
        }

    def _chapters(self) -> dict:
        st, s = self.structure, self.state
        closed = s.chapter_day[0]
        return {
            "chapters_closed": int((closed >= 0).sum()),
            "reopened": int(s.reopened[0]),
            **{
                f"chapter.{issue}": dt.date.fromordinal(int(closed[i])) if closed[i] >= 0 else None
                for i, issue in enumerate(st.issues)
            },
        }

    def trace(self):
        """The per-round trace: one row per round and party (a pandas DataFrame)."""
        df = self.datacollector.get_agent_vars_dataframe().reset_index()
        model = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        model.index = model.index + 1
        df = df.rename(columns={"Step": "step"}).drop(columns=["AgentID"])
        st, cfg = self.structure, self.loaded.scenario.issues
        for i, issue in enumerate(st.issues):
            col = f"offer_{issue}"
            if i in st.options:
                df[col] = [units.position(st, cfg, i, v) or "" for v in df[col]]
            else:
                df[col] = units.to_display(st, cfg, i, df[col].to_numpy(dtype=float))
        df = df.merge(model, left_on="step", right_index=True).drop(columns=["step"])
        first = ["round", "date", "deadline", "extensions", "notice", "party", "target"]
        return df[first + [c for c in df.columns if c not in first]]
