"""Geometry of the debrief's inline SVG charts (the templates draw them; no script, no images)."""

from __future__ import annotations

import math

import numpy as np

PALETTE = ["#1f5fa8", "#c0392b", "#2e8540", "#8e44ad", "#d35400", "#16697a", "#7f6000", "#b03a6f", "#555555"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "4 4", "1 2", "10 4", "3 6", "5 2 1 2"]


def party_style(index: int) -> dict:
    """The colour and dash pattern of the party with this index, the same on every chart."""
    return {"color": PALETTE[index % len(PALETTE)], "dash": DASHES[index % len(DASHES)]}


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    span = hi - lo
    if span <= 0:
        return [lo]
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if raw <= m * mag)
    first = math.ceil(lo / step - 1e-9) * step
    out, v = [], first
    while v <= hi + 1e-9:
        out.append(round(v, 10))
        v += step
    return out


def concession_chart(parties: list[str], history: list[dict], party: str, reservation: float, final=None) -> dict:
    """Utility to ``party`` of every party's offer per round (``history``: the model's round records)."""
    W, H, L, R, T, B = 560, 250, 48, 16, 14, 36
    rounds = [rec["round"] for rec in history]
    series = {q: [] for q in parties}
    for rec in history:
        for off in rec["offers"]:
            u = off["utilities"].get(party)
            if u is not None and math.isfinite(u):
                series[off["proposer"]].append((rec["round"], u))
    values = [u for pts in series.values() for _, u in pts] + [reservation, 0.0, 1.0]
    if final is not None:
        values.append(final)
    ylo, yhi = min(values), max(values)
    pad = 0.04 * (yhi - ylo or 1)
    ylo, yhi = ylo - pad, yhi + pad
    xlo, xhi = (min(rounds), max(rounds)) if rounds else (1, 1)
    if xlo == xhi:
        xlo, xhi = xlo - 0.5, xhi + 0.5

    def X(r):
        return round(L + (r - xlo) / (xhi - xlo) * (W - L - R), 1)

    def Y(u):
        return round(T + (yhi - u) / (yhi - ylo) * (H - T - B), 1)

    lines = []
    for k, q in enumerate(parties):
        pts = series[q]
        if not pts:
            continue
        d = " ".join(f"{'M' if j == 0 else 'L'}{X(r)},{Y(u)}" for j, (r, u) in enumerate(pts))
        lines.append(
            {
                "party": q,
                "own": q == party,
                "d": d,
                "points": [{"x": X(r), "y": Y(u), "round": r, "u": u} for r, u in pts],
                **party_style(k),
            }
        )
    step = max(1, math.ceil(len(rounds) / 12))
    xticks = [{"x": X(r), "label": str(r)} for r in rounds[::step]]
    yticks = [{"y": Y(v), "label": f"{v:g}"} for v in _ticks(ylo, yhi)]
    table_rows = []
    for r in rounds:
        cells = [next((u for rr, u in series[line["party"]] if rr == r), None) for line in lines]
        table_rows.append({"round": r, "cells": cells})
    chart = {
        "rows": table_rows,
        "width": W,
        "height": H,
        "left": L,
        "right": W - R,
        "top": T,
        "bottom": H - B,
        "lines": lines,
        "xticks": xticks,
        "yticks": yticks,
        "reservation": {"y": Y(reservation), "u": reservation},
        "final": None if final is None or not rounds else {"x": X(rounds[-1]), "y": Y(final), "u": final},
    }
    return chart


def _anchor(x: float, left: float, right: float) -> str:
    """Text anchor keeping a label near ``x`` inside [left, right]."""
    if x > right - 40:
        return "end"
    if x < left + 40:
        return "start"
    return "middle"


def histogram(values: list[float], mark: float | None, reservation: float | None = None, bins: int = 24) -> dict:
    """Bars of the distribution of ``values`` with the class's value ``mark`` drawn over them."""
    W, H, L, R, T, B = 320, 130, 10, 10, 22, 28
    data = np.asarray(values, dtype=float)
    extra = [v for v in (mark, reservation) if v is not None and math.isfinite(v)]
    lo = float(min([data.min()] + extra)) if data.size else 0.0
    hi = float(max([data.max()] + extra)) if data.size else 1.0
    if hi - lo < 1e-6:
        lo, hi = lo - 0.05, hi + 0.05
    counts, edges = np.histogram(data, bins=bins, range=(lo, hi))
    top = max(int(counts.max()) if counts.size else 1, 1)

    def X(v):
        return round(L + (v - lo) / (hi - lo) * (W - L - R), 1)

    base = H - B
    bars = []
    for c, a, b in zip(counts, edges[:-1], edges[1:], strict=True):
        if c == 0:
            continue
        h = round(c / top * (base - T), 1)
        bars.append({"x": X(a), "w": max(round(X(b) - X(a) - 1, 1), 1), "y": round(base - h, 1), "h": h, "n": int(c)})
    return {
        "width": W,
        "height": H,
        "base": base,
        "top": T,
        "left": L,
        "right": W - R,
        "bars": bars,
        "mark": None if mark is None else {"x": X(mark), "u": mark, "anchor": _anchor(X(mark), L, W - R)},
        "reservation": None if reservation is None else {"x": X(reservation), "u": reservation},
        "lo": f"{lo:.2f}",
        "hi": f"{hi:.2f}",
    }
