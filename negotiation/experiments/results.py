"""Sweep results as tables: one Arrow row per draw (the columns of ``outcomes.parquet``)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from negotiation.drivers.batch import BatchResult
from negotiation.kernel.structure import Structure
from negotiation.scenario import units
from negotiation.scenario.params import ParamSpace


def chunk_table(
    st: Structure,
    issues_cfg: dict,
    space: ParamSpace,
    res: BatchResult,
    draw: np.ndarray,
    n_draws: int,
    swept: list[str],
) -> pa.Table:
    """One chunk's rows: draw index, point, row, outcome, rounds, end date, agreement (display
    units; each ``x.<issue>`` field's metadata names its unit), utilities and the values of the
    uncertain and swept parameters (``swept``: the names points set)."""
    draw = np.asarray(draw, dtype=np.int64)
    cols = {
        "draw": pa.array(draw),
        "point": pa.array((draw // n_draws).astype(np.int32)),
        "row": pa.array(draw % n_draws),
        "outcome": pa.array(np.array(st.outcomes, dtype=object)[res.outcome], type=pa.string()),
        "rounds": pa.array(res.rounds.astype(np.int16)),
        "end_date": pa.array(res.end_day - dt.date(1970, 1, 1).toordinal(), type=pa.int32()).cast(pa.date32()),
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
