"""The sections of a sweep's report that set its points apart: each point's odds and agreement
dates (tables and small multiples), and the conditions under which an outcome is most likely,
stated as pooled over the points and found at each point."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from negotiation.output.report import RunData, _e, _figure, _num, _points_table, _row

MAX_POINT_CONDITIONS = 12  # points whose own conditions are found (PRIM on each point's draws)


def per_point_section(data: RunData, drawn: list[Path]) -> str:
    """Each sweep point apart: its outcome odds (table and small multiples), and when its
    agreements were reached (table and small multiples)."""
    st, s = data.loaded.structure, data.summary or {}
    pts = s.get("points", [])
    out = [
        "<h2>Per sweep point</h2>",
        f"<p>The odds above pool the draws of all {len(pts)} points. Here each point is apart: its own "
        "outcome odds (Wilson 95% intervals) and when its agreements were reached.</p>",
        '<div class="wide">' + _points_table([pt for pt in pts if pt.get("n_draws")], st.outcomes) + "</div>",
    ]
    out += [_figure(path) for path in drawn if path.name == "odds_per_point.png"]
    if data.table is not None:
        out.append("<h3>Agreement date per point</h3>" + _dates_table(data))
    out += [_figure(path) for path in drawn if path.name == "dates_per_point.png"]
    return "\n".join(out)


def _dates_table(data: RunData) -> str:
    """Per sweep point: its draws, how many ended in an agreement, and the 10%, 50% and 90%
    quantiles (lower order statistics) of their agreement dates and rounds."""
    from negotiation.output.plots import agreement_outcomes, column_array

    st, table = data.loaded.structure, data.table
    points = data.manifest.get("points") or [{}]
    outcome = column_array(table, "outcome")
    point = column_array(table, "point").astype(int)
    end = column_array(table, "end_date")
    rounds = column_array(table, "rounds")
    agreed = np.isin(outcome, agreement_outcomes(st))
    names = []
    for pt in points:
        names += [n for n in pt if n not in names]
    head = ["point", *names, "draws", "agreements", "share", "date 10%", "median date", "date 90%", "median rounds"]
    rows = [_row(*head, header=True)]
    for k, pt in enumerate(points[:60]):
        here = point == k
        days = np.sort(end[here & agreed])
        n, m = int(here.sum()), len(days)
        cells = [(k, "num"), *[(_num(pt.get(name, "")), "num") for name in names], (f"{n:,}", "num")]
        cells += [(f"{m:,}", "num"), (f"{m / n:.3f}" if n else "", "num")]
        if m:
            q = [days[int(np.floor(f * (m - 1)))].item().isoformat() for f in (0.1, 0.5, 0.9)]
            r = np.sort(rounds[here & agreed])[(m - 1) // 2]
            cells += [(d, "num") for d in q] + [(int(r), "num")]
        else:
            cells += [("", "num")] * 4
        rows.append(_row(*cells))
    more = f"<p>(first 60 of {len(points)} points shown)</p>" if len(points) > 60 else ""
    return '<div class="wide"><table id="dates-points">' + "".join(rows) + "</table></div>" + more


def conditions_section(data: RunData) -> str:
    """The conditions (PRIM boxes) under which an outcome is most likely. For one point: as found.
    For several: stated as found over the draws of all points pooled (with the pooled rate named
    as such), then each point's own conditions over the parameters that vary within it (up to
    ``MAX_POINT_CONDITIONS`` points), so that no sentence reads as a point's odds."""
    from negotiation.experiments.discovery import describe

    s = data.summary or {}
    boxes = {o: c for o, c in (s.get("conditions") or {}).items() if isinstance(c, dict) and c.get("text")}
    points = data.manifest.get("points") or [{}]
    if len(points) < 2:
        if not boxes:
            return ""
        return "<h3>Conditions</h3><ul>" + "".join(f"<li>{_e(c['text'])}</li>" for c in boxes.values()) + "</ul>"
    out = []
    if boxes:
        pooled = f"pooled over the {len(points)} points"
        out.append(
            f"<h3>Conditions, {pooled}</h3><p>Found over the draws of all {len(points)} sweep points together: "
            f"each rate is pooled over the points, not any one point's (those are in the section "
            "<em>Per sweep point</em>). A condition on a swept parameter covers the points with those values.</p>"
        )
        texts = [_pooled_text(describe, o, c, pooled) for o, c in boxes.items()]
        out.append('<ul id="conditions-pooled">' + "".join(f"<li>{_e(t)}</li>" for t in texts) + "</ul>")
    per_point = _point_conditions(data, points)
    if per_point:
        out.append(
            "<h3>Conditions at each point</h3><p>Found over each point's own draws (at most 50,000 draws of the "
            "sweep read, spread over it), among the parameters that vary within it; each rate is against the "
            "point's own rate in those draws.</p>"
        )
        rows = [_row("point", "condition", header=True)]
        for k, texts in per_point:
            for t in texts:
                rows.append(_row((k, "num"), t))
        out.append('<table id="conditions-points">' + "".join(rows) + "</table>")
    return "\n".join(out)


def _pooled_text(describe, outcome: str, box: dict, pooled: str) -> str:
    """A pooled box in words, its overall rate named as pooled (the stored text otherwise)."""
    try:
        return (
            describe(box, outcome)
            .replace(" overall,", f" {pooled},")
            .replace(f"above {box['p_all']:.2f}.", f"above {box['p_all']:.2f} ({pooled}).")
        )
    except (KeyError, TypeError, ValueError):
        return box["text"]


def _point_conditions(data: RunData, points: list[dict]) -> list[tuple[int, list[str]]]:
    """Each point's conditions (PRIM over its own draws, at most 50,000 rows read in all);
    empty when there are too many points, no parameter varies within a point, or no rows."""
    from negotiation.experiments.discovery import conditions, spread_rows

    if len(points) > MAX_POINT_CONDITIONS or data.source is None:
        return []
    if isinstance(data.source, pa.Table):
        names = [n for n in data.source.column_names if n.startswith("param.")]
        rows = data.source.select(["point", "outcome", *names]) if names else None
    else:
        names = [n for n in pq.ParquetFile(data.source).schema_arrow.names if n.startswith("param.")]
        rows = spread_rows(data.source, ["point", "outcome", *names], 50_000) if names else None
    if rows is None or rows.num_rows == 0:
        return []
    point = rows.column("point").to_numpy()
    totals = {k: pt.get("n_draws") for k, pt in enumerate((data.summary or {}).get("points", []))}
    out = []
    for k in range(len(points)):
        found = conditions(rows.filter(pa.array(point == k)))
        seen, total = int(np.sum(point == k)), totals.get(k)
        where = f"at point {k}" + (f" (in {seen:,} of its {total:,} draws)" if total and seen < total else "")
        texts = [
            box["text"]
            .replace(" overall,", f" {where},")
            .replace(f"above {box['p_all']:.2f}.", f"above {box['p_all']:.2f} {where}.")
            for box in found.values()
        ]
        if texts:
            out.append((k, texts))
    return out
