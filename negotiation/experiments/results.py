"""Sweep results as tables: one Arrow row per draw (the columns of ``outcomes.parquet``)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from negotiation.drivers.batch import BatchResult
from negotiation.kernel.codes import path_of
from negotiation.kernel.structure import Structure
from negotiation.scenario import units
from negotiation.scenario.params import ParamSpace

EPOCH = dt.date(1970, 1, 1).toordinal()


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(days, dtype=np.int64) - EPOCH, type=pa.int32()).cast(pa.date32())


def _dates_where(days: np.ndarray, present: np.ndarray) -> pa.Array:
    """Ordinal ``days`` as dates where ``present``, null elsewhere."""
    days = np.where(present, np.asarray(days, dtype=np.int64) - EPOCH, 0)
    return pa.array(days, type=pa.int32(), mask=~np.asarray(present, dtype=bool)).cast(pa.date32())


def _float32(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype(np.float32), type=pa.float32())


def _filled(values: np.ndarray, used: np.ndarray, kind) -> pa.Array:
    """A list column: per row, the first ``used`` entries of the (B, k) matrix ``values`` (as ``kind``)."""
    counts = np.asarray(used, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    mask = np.arange(values.shape[1])[None, :] < counts[:, None]
    return pa.ListArray.from_arrays(pa.array(offsets), kind(values[mask]))


def path_columns(st: Structure, path: dict) -> dict[str, pa.Array]:
    """The path of each draw, for histories (see docs/forecasting.md): extensions won, the date
    and result of every extension vote, the party and date of a withdrawal notice (the day it was
    given), the date of every round held, and per shock (``shock.<id>``) the day of the round it
    applied at (null: it did not fire, or the talks ended first); under private information each
    party's belief error in each round held (``belief_error.<party>``)."""
    votes = path["votes"]
    given = path["notice_by"] >= 0
    rounds_held = (path["round_day"] >= 0).sum(axis=1)
    parties = np.array(st.parties + [None], dtype=object)
    return {
        "extensions": pa.array(path["n_ext"].astype(np.int8)),
        "vote_dates": _filled(path["vote_day"], votes, _dates),
        "vote_passed": _filled(path["vote_yes"], votes, lambda v: pa.array(v, type=pa.bool_())),
        "notice_party": pa.array(parties[np.where(given, path["notice_by"], -1)], type=pa.string()),
        "notice_date": _dates_where(path["notice_day"] - st.notice_days, given),
        "round_dates": _filled(path["round_day"], rounds_held, _dates),
        **{
            f"shock.{sid}": _dates_where(path["shock_day"][:, k], path["shock_day"][:, k] >= 0)
            for k, sid in enumerate(st.shock_ids)
        },
        **{
            f"belief_error.{name}": _filled(path["belief_error"][:, :, q], rounds_held, _float32)
            for q, name in enumerate(st.parties)
            if path["belief_error"].shape[1]
        },
    }


def coalition_columns(st: Structure, path: dict) -> dict[str, pa.Array]:
    """The coalition part of each draw's path, for histories (see docs/forecasting.md): the day a
    bilateral deal that opened an accession window was signed (``signed_date``; null when no such
    deal was signed, as after a bilateral deal of a pair without accession, dated by ``end_date``)
    and, under ``closing: chapters`` only, the chapters closed at the end (``chapters_closed``),
    the reopenings (``reopened``) and per issue the day its chapter last closed
    (``chapter.<issue>``; null if it was open at the end)."""
    cols = {"signed_date": _dates_where(path["signed_day"], path["signed"] >= 0)}
    if st.closing != "chapters":
        return cols
    day = path["chapter_day"]
    closed = day >= 0
    cols["chapters_closed"] = pa.array(closed.sum(axis=1).astype(np.int8))
    cols["reopened"] = pa.array(np.asarray(path["reopened"]).astype(np.int16))
    for i, issue in enumerate(st.issues):
        cols[f"chapter.{issue}"] = _dates_where(day[:, i], closed[:, i])
    return cols


def chunk_table(
    st: Structure,
    issues_cfg: dict,
    space: ParamSpace,
    res: BatchResult,
    draw: np.ndarray,
    n_draws: int,
    swept: list[str],
) -> pa.Table:
    """One chunk's rows: draw index, point, row, outcome, path (``kernel.codes.path_of``: the
    outcome class, or ``bilateral_A_B>deal`` when the party left out joined), rounds, end date,
    agreement (display units; each ``x.<issue>`` field's metadata names its unit), utilities, the
    Pareto gap (null without an agreement; ``kernel.efficiency``), the path's record (votes,
    notice, round dates, signing, chapters) and the values of the uncertain and swept parameters
    (``swept``: the names points set)."""
    draw = np.asarray(draw, dtype=np.int64)
    cols = {
        "draw": pa.array(draw),
        "point": pa.array((draw // n_draws).astype(np.int32)),
        "row": pa.array(draw % n_draws),
        "outcome": pa.array(np.array(st.outcomes, dtype=object)[res.outcome], type=pa.string()),
        "path": pa.array(path_of(st.outcomes, res.outcome, res.path["signed"]), type=pa.string()),
        "rounds": pa.array(res.rounds.astype(np.int16)),
        "end_date": _dates(res.end_day),
    }
    agreed = st.agreed(res.outcome)
    fields = {}
    for i, issue in enumerate(st.issues):
        x = res.agreement[:, i]
        if i in st.options:
            names = np.array(st.options[i], dtype=object)[np.where(agreed, np.rint(np.nan_to_num(x)), 0).astype(int)]
            cols[f"x.{issue}"] = pa.array(np.where(agreed, names, None), type=pa.string())
        else:
            cols[f"x.{issue}"] = pa.array(np.where(agreed, units.to_display(st, issues_cfg, i, x), np.nan))
        fields[f"x.{issue}"] = units.unit_of(st, issues_cfg, i)
    for p, party in enumerate(st.parties):
        cols[f"u.{party}"] = pa.array(res.utilities[:, p])
    cols["pareto_gap"] = pa.array(res.pareto_gap, mask=np.isnan(res.pareto_gap))  # null: no agreement
    cols.update(path_columns(st, res.path))
    cols.update(coalition_columns(st, res.path))
    shown = [i for i, s in enumerate(space.slots) if s.uncertain or s.name in swept]
    for i in shown:
        cols[f"param.{space.slots[i].name}"] = pa.array(res.values[:, i])
    schema = pa.schema(
        [
            pa.field(name, col.type, metadata={"unit": fields[name]} if name in fields else None)
            for name, col in cols.items()
        ]
    )
    return pa.table(cols, schema=schema)
