"""Plots of run folders, drawn with matplotlib's Agg backend (no screen needed).

Every function takes the loaded scenario (``negotiation.scenario.loader.Loaded``), the data it draws and
the path of the PNG to write, and returns that path (None when there is nothing to draw).
Figures are readable in greyscale: series differ by line style, marker and hatch as well as by
colour. Sweep rows come as a ``pyarrow.Table`` with the columns of ``outcomes.parquet``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
from matplotlib import dates as mdates  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from negotiation.analysis.outcome_space import nash_point, pareto_mask  # noqa: E402
from negotiation.kernel.draws import build_inputs  # noqa: E402

DPI = 110
MAX_SCATTER = 20_000  # agreements drawn in the utility-space plot (an even subsample beyond)

RC = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8.5,
    "figure.titlesize": 12,
    "axes.grid": True,
    "grid.color": "0.88",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "hatch.linewidth": 0.6,
}

# Colour-blind safe colours (Okabe-Ito) of distinct lightness, each paired with a line style,
# a marker and a hatch, so that series stay apart in greyscale.
COLORS = ["#000000", "#CC79A7", "#0072B2", "#009E73", "#E69F00", "#56B4E9", "#D55E00", "#F0E442"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (8, 2)), (0, (1, 1)), (0, (3, 1, 3, 3))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
HATCHES = ["", "//", "\\\\", "xx", "..", "--", "oo", "++"]
OUTCOME_COLORS = {"deal": "#56B4E9", "termination": "#D55E00", "stalemate": "#999999"}
BILATERAL_COLORS = ["#E69F00", "#009E73", "#F0E442", "#CC79A7", "#0072B2", "#000000"]


# --- styles and labels -------------------------------------------------------------------------


def outcome_label(name: str) -> str:
    """``bilateral_US_MX`` -> ``bilateral US-MX``; other outcome names as they are."""
    if name.startswith("bilateral_"):
        return "bilateral " + "-".join(name[len("bilateral_") :].split("_"))
    return name


def outcome_style(outcomes: list[str], name: str) -> dict:
    """Colour, hatch, marker and line style of an outcome class, fixed by its place in the list."""
    k = outcomes.index(name) if name in outcomes else len(outcomes)
    color = OUTCOME_COLORS.get(name, BILATERAL_COLORS[(k - 1) % len(BILATERAL_COLORS)])
    return {
        "color": color,
        "hatch": HATCHES[k % len(HATCHES)],
        "marker": MARKERS[k % len(MARKERS)],
        "linestyle": LINESTYLES[k % len(LINESTYLES)],
    }


def party_style(k: int) -> dict:
    return {"color": COLORS[k % len(COLORS)], "linestyle": LINESTYLES[k % len(LINESTYLES)], "marker": MARKERS[k % 8]}


def party_name(loaded, party: str) -> str:
    """``United States (US)``, or the id alone when the config gives no longer name."""
    full = loaded.scenario.parties[party].name
    return f"{full} ({party})" if full and full != party else party


def issue_axis_label(loaded, issue: str) -> str:
    """An issue's label with its unit (continuous) for an axis."""
    cfg = loaded.scenario.issues[issue]
    label = cfg.label or issue
    unit = (cfg.unit or "").strip()
    if cfg.discrete:
        return f"{label} (option)"
    return f"{label} [{unit}]" if unit else label


def _suptitle(fig, text: str) -> None:
    """A figure title, wrapped to the figure's width."""
    width = int(fig.get_figwidth() * 130 / RC["figure.titlesize"])
    fig.suptitle(textwrap.fill(text, max(40, width)))


def _save(fig, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, bbox_inches="tight", facecolor="white", metadata={"Software": None})
    plt.close(fig)
    return path


def column_array(table: pa.Table, name: str) -> np.ndarray:
    """A column of a table as a numpy array (None -> NaN for numbers, None kept for strings)."""
    col = table.column(name)
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        col = col.dictionary_encode()
    if pa.types.is_dictionary(col.type):
        # via each chunk's dictionary, so equal strings share one Python object (8 bytes a row)
        out = []
        for chunk in col.chunks if isinstance(col, pa.ChunkedArray) else [col]:
            values = np.array(chunk.dictionary.to_pylist() + [None], dtype=object)
            out.append(values[chunk.indices.fill_null(len(values) - 1).to_numpy(zero_copy_only=False).astype(np.int64)])
        return np.concatenate(out) if out else np.array([], dtype=object)
    if pa.types.is_date(col.type):
        return col.cast(pa.date32()).to_numpy(zero_copy_only=False).astype("datetime64[D]")
    return col.to_numpy(zero_copy_only=False).astype(float) if col.null_count else col.to_numpy()


def agreement_outcomes(st) -> list[str]:
    """The outcome classes with an agreement: deal and every bilateral pair."""
    return st.outcomes[: 1 + len(st.pairs)]


# --- outcome odds ------------------------------------------------------------------------------


def outcome_odds(loaded, outcomes: dict, path, n_draws: int | None = None, title: str | None = None) -> Path:
    """Bar chart of every outcome class's probability with its 95% interval (``summary.json``'s
    ``outcomes``: ``{name: {p, ci95, n}}``), in the scenario's order of outcome classes."""
    order = [o for o in loaded.structure.outcomes if o in outcomes] + [
        o for o in outcomes if o not in loaded.structure.outcomes
    ]
    p = np.array([outcomes[o]["p"] for o in order])
    lo = np.array([outcomes[o]["ci95"][0] for o in order])
    hi = np.array([outcomes[o]["ci95"][1] for o in order])
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(max(6.5, 1.25 * len(order) + 1.5), 4.6))
        x = np.arange(len(order))
        for k, o in enumerate(order):
            s = outcome_style(order, o)
            ax.bar(x[k], p[k], 0.65, color=s["color"], edgecolor="black", hatch=s["hatch"], linewidth=0.8)
        ax.errorbar(
            x,
            p,
            yerr=[np.maximum(p - lo, 0), np.maximum(hi - p, 0)],
            fmt="none",
            ecolor="black",
            elinewidth=1.2,
            capsize=5,
            capthick=1.2,
        )
        for k in range(len(order)):
            ax.annotate(
                f"{p[k]:.3f}",
                (x[k], hi[k]),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=9,
            )
        ax.set_xticks(x, [outcome_label(o) for o in order], rotation=20 if len(order) > 5 else 0, ha="center")
        ax.set_ylim(0, min(1.0, max(0.05, float(hi.max()) * 1.18 + 0.02)) if len(hi) else 1.0)
        ax.set_ylabel("Probability (share of draws)")
        ax.set_xlabel("Outcome class")
        ax.grid(axis="x", visible=False)
        what = f"{n_draws:,} draws, " if n_draws else ""
        ax.set_title(title or f"{loaded.scenario.name}: outcome odds ({what}bars: 95% Wilson intervals)")
        fig.tight_layout()
        return _save(fig, path)


# --- sweep points ------------------------------------------------------------------------------


def _numeric_params(points: list[dict]) -> list[str]:
    names: list[str] = []
    for pt in points:
        for n, v in pt["params"].items():
            if n not in names and isinstance(v, (int, float)) and not isinstance(v, bool):
                names.append(n)
    return names


def _is_grid(points: list[dict], a: str, b: str) -> bool:
    keys = {(pt["params"].get(a), pt["params"].get(b)) for pt in points}
    xs = {k[0] for k in keys}
    ys = {k[1] for k in keys}
    return None not in xs and None not in ys and len(keys) == len(points) == len(xs) * len(ys)


def sweep_odds(loaded, points: list[dict], path) -> Path | None:
    """Each outcome's probability across the sweep points (``summary.json``'s ``points``).

    One parameter: probability against the parameter with shaded 95% bands. Two parameters on a
    full grid: one annotated heatmap per outcome. Otherwise (a design over more parameters, or
    two parameters not on a grid): one panel per parameter, each point's probability with its
    interval. None when the sweep has a single point or no numeric parameter.
    """
    names = _numeric_params(points)
    if len(points) < 2 or not names:
        return None
    if len(names) == 1:
        return _sweep_lines(loaded, points, names[0], path)
    if len(names) == 2 and _is_grid(points, *names):
        return _sweep_heatmaps(loaded, points, names, path)
    return _sweep_scatter(loaded, points, names, path)


def _order(loaded, points) -> list[str]:
    have = points[0]["outcomes"]
    return [o for o in loaded.structure.outcomes if o in have]


def _sweep_lines(loaded, points, name, path) -> Path:
    order = _order(loaded, points)
    pts = sorted(points, key=lambda pt: pt["params"][name])
    x = np.array([pt["params"][name] for pt in pts], dtype=float)
    seen = [o for o in order if any(pt["outcomes"][o]["n"] for pt in pts)]
    never = [o for o in order if o not in seen]
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(9.5, 5.0))
        for o in seen:
            s = outcome_style(order, o)
            p = np.array([pt["outcomes"][o]["p"] for pt in pts])
            lo = np.array([pt["outcomes"][o]["ci95"][0] for pt in pts])
            hi = np.array([pt["outcomes"][o]["ci95"][1] for pt in pts])
            ax.fill_between(x, lo, hi, color=s["color"], alpha=0.18, hatch=s["hatch"], edgecolor=s["color"], lw=0)
            ax.plot(
                x,
                p,
                color=s["color"],
                linestyle=s["linestyle"],
                marker=s["marker"],
                markersize=6,
                markeredgecolor="black",
                markeredgewidth=0.6,
                lw=1.8,
                label=outcome_label(o),
            )
        ax.set_xlabel(_param_label(loaded, name))
        ax.set_ylabel("Probability (share of draws)")
        ax.set_ylim(0, 1)
        ax.set_title(f"Outcome odds against {name} ({_per_point(pts)}; bands: 95% intervals)")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="outcome", frameon=False)
        if never:
            ax.text(
                1.01,
                0.02,
                "never observed:\n" + "\n".join(outcome_label(o) for o in never),
                transform=ax.transAxes,
                fontsize=8.5,
                va="bottom",
                color="0.3",
            )
        fig.tight_layout()
        return _save(fig, path)


def _param_label(loaded, name: str) -> str:
    """A parameter's name for an axis, with its issue's unit where the parameter is a position."""
    parts = name.split(".")
    if len(parts) == 3 and parts[2] == "ideal" and parts[1] in loaded.scenario.issues:
        cfg = loaded.scenario.issues[parts[1]]
        unit = (cfg.unit or "").strip()
        return f"{name} [{unit}, /{cfg.scale:g}]" if cfg.scale != 1 else f"{name} [{unit}]"
    if parts[-1] == "reservation":
        return f"{name} (utility of walking away, 0-1 scale)"
    return name


def _per_point(points: list[dict]) -> str:
    """``1,000 draws per point``, or the range when points have different numbers of draws."""
    n = [pt["n_draws"] for pt in points]
    return f"{min(n):,} draws per point" if min(n) == max(n) else f"{min(n):,} to {max(n):,} draws per point"


def _fmt(v: float) -> str:
    return f"{v:g}"


def _sweep_heatmaps(loaded, points, names, path) -> Path:
    order = _order(loaded, points)
    a, b = names
    xs = sorted({pt["params"][a] for pt in points})
    ys = sorted({pt["params"][b] for pt in points})
    cells = len(xs) * len(ys)
    ncols = 3 if len(order) > 4 else 2
    nrows = -(-len(order) // ncols)
    w = min(5.2, 1.0 + 0.75 * len(xs))
    h = min(4.4, 1.2 + 0.55 * len(ys))
    with plt.rc_context(RC):
        fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * (w + 1.3), nrows * (h + 0.9)), squeeze=False)
        for ax in axes.flat[len(order) :]:
            ax.set_visible(False)
        for ax, o in zip(axes.flat, order, strict=False):
            grid = np.full((len(ys), len(xs)), np.nan)
            ci = {}
            for pt in points:
                i, j = ys.index(pt["params"][b]), xs.index(pt["params"][a])
                grid[i, j] = pt["outcomes"][o]["p"]
                ci[i, j] = pt["outcomes"][o]["ci95"]
            vmax = max(0.01, float(np.nanmax(grid)))
            im = ax.imshow(grid, origin="lower", cmap="viridis", vmin=0, vmax=vmax, aspect="auto")
            ax.grid(False)
            for (i, j), (lo, hi) in ci.items():
                v = grid[i, j]
                dark = v / vmax < 0.55
                txt = f"{v:.2f}" if cells > 30 else f"{v:.2f}\n[{lo:.2f}, {hi:.2f}]"
                ax.text(j, i, txt, ha="center", va="center", fontsize=8, color="white" if dark else "black")
            ax.set_xticks(range(len(xs)), [_fmt(v) for v in xs])
            ax.set_yticks(range(len(ys)), [_fmt(v) for v in ys])
            ax.set_xlabel(a)
            ax.set_ylabel(b)
            ax.set_title(f"P({outcome_label(o)})")
            cb = fig.colorbar(im, ax=ax, fraction=0.06, pad=0.03)
            cb.set_label("probability", fontsize=8.5)
        per = _per_point(points).replace("point", "cell")
        _suptitle(fig, f"Outcome odds over the grid {a} x {b} ({per}; brackets: 95% intervals)")
        fig.tight_layout()
        return _save(fig, path)


def _sweep_scatter(loaded, points, names, path) -> Path:
    order = _order(loaded, points)
    seen = [o for o in order if any(pt["outcomes"][o]["n"] for pt in points)]
    shown = names[:9]
    ncols = min(3, len(shown))
    nrows = -(-len(shown) // ncols)
    with plt.rc_context(RC):
        fig, axes = plt.subplots(nrows, ncols, figsize=(4.3 * ncols + 1.8, 3.4 * nrows + 0.6), squeeze=False)
        for ax in axes.flat[len(shown) :]:
            ax.set_visible(False)
        for ax, name in zip(axes.flat, shown, strict=False):
            x = np.array([pt["params"].get(name, np.nan) for pt in points], dtype=float)
            for o in seen:
                s = outcome_style(order, o)
                p = np.array([pt["outcomes"][o]["p"] for pt in points])
                lo = np.array([pt["outcomes"][o]["ci95"][0] for pt in points])
                hi = np.array([pt["outcomes"][o]["ci95"][1] for pt in points])
                ax.errorbar(
                    x,
                    p,
                    yerr=[p - lo, hi - p],
                    fmt=s["marker"],
                    color=s["color"],
                    markeredgecolor="black",
                    markeredgewidth=0.5,
                    markersize=5,
                    elinewidth=0.7,
                    capsize=2,
                    label=outcome_label(o),
                )
            ax.set_xlabel(name)
            ax.set_ylabel("Probability")
            ax.set_ylim(0, 1)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), title="outcome", frameon=False)
        more = f" (first {len(shown)} of {len(names)} parameters)" if len(names) > len(shown) else ""
        _suptitle(fig, f"Outcome odds at each of {len(points)} sweep points, by parameter{more}; bars: 95% intervals")
        fig.tight_layout()
        return _save(fig, path)


# --- agreed positions --------------------------------------------------------------------------


def party_ideals(loaded) -> np.ndarray:
    """Each party's ideal position (P, I): from the config, the middle of its distribution's
    support when uncertain (option index for discrete issues)."""
    space = loaded.space
    return build_inputs(loaded.structure, space, space.base()[None, :]).ideal[0]


def agreed_positions(loaded, table: pa.Table, path) -> Path | None:
    """The agreed position on each issue over the draws that reached an agreement: a histogram
    per continuous issue (natural units), counts per option for discrete ones; stacked by outcome
    class, with the status quo and each party's ideal marked. None without any agreement."""
    st = loaded.structure
    outcome = column_array(table, "outcome")
    agree = agreement_outcomes(st)
    classes = [o for o in agree if np.any(outcome == o)]
    if not classes:
        return None
    ideals = party_ideals(loaded)
    n_issues = st.n_issues
    ncols = 2 if n_issues > 1 else 1
    nrows = -(-n_issues // ncols)
    order = st.outcomes
    with plt.rc_context(RC):
        fig, axes = plt.subplots(nrows, ncols, figsize=(6.4 * ncols, 3.7 * nrows + 0.9), squeeze=False)
        for ax in axes.flat[n_issues:]:
            ax.set_visible(False)
        for i, issue in enumerate(st.issues):
            ax = axes.flat[i]
            cfg = loaded.scenario.issues[issue]
            x = column_array(table, f"x.{issue}")
            if i in st.options:
                _discrete_hist(ax, loaded, i, x, outcome, classes, ideals[:, i], order)
            else:
                _continuous_hist(ax, loaded, i, x * cfg.scale, outcome, classes, ideals[:, i] * cfg.scale, order)
            ax.set_title(cfg.label or issue)
            ax.set_xlabel(issue_axis_label(loaded, issue))
            ax.set_ylabel("Agreements (draws)")
        handles = [
            Patch(
                facecolor=outcome_style(order, o)["color"],
                hatch=outcome_style(order, o)["hatch"],
                edgecolor="black",
                label=outcome_label(o),
            )
            for o in classes
        ]
        handles.append(plt.Line2D([], [], color="black", lw=2.2, label="status quo"))
        for p, party in enumerate(st.parties):
            s = party_style(p)
            handles.append(
                plt.Line2D(
                    [],
                    [],
                    color=s["color"],
                    linestyle=s["linestyle"],
                    marker="v",
                    markeredgecolor="black",
                    label=f"ideal of {party_name(loaded, party)}",
                )
            )
        fig.legend(handles=handles, loc="lower center", ncol=min(4, len(handles)), frameon=False)
        n = int(np.isin(outcome, classes).sum())
        _suptitle(fig, f"{loaded.scenario.name}: agreed positions ({n:,} agreements of {len(outcome):,} draws)")
        rows_legend = -(-len(handles) // min(4, len(handles)))
        fig.tight_layout(rect=(0, 0.045 * rows_legend / max(1, nrows) + 0.02, 1, 1))
        return _save(fig, path)


def _mark_ideals(ax, loaded, xs, peak: float, span: float) -> None:
    """Each party's ideal: a vertical line of its style and a labelled marker near the top of the
    axes; markers of parties with close ideals are put on staggered levels."""
    levels: dict[int, int] = {}
    placed: list[tuple[float, int]] = []
    for p in np.argsort(xs, kind="stable"):
        level = 0
        while any(abs(xs[p] - x) < 0.07 * span and lv == level for x, lv in placed):
            level += 1
        levels[int(p)] = level
        placed.append((xs[p], level))
    for p, party in enumerate(loaded.structure.parties):
        s = party_style(p)
        y = peak * (1.30 - 0.11 * levels[p])
        ax.axvline(xs[p], color=s["color"], linestyle=s["linestyle"], lw=1.6, zorder=3)
        ax.plot([xs[p]], [y], marker="v", color=s["color"], markeredgecolor="black", ms=8, zorder=4)
        ax.annotate(
            party,
            (xs[p], y),
            xytext=(6, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=8.5,
            fontweight="bold",
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
            zorder=5,
        )


def _continuous_hist(ax, loaded, i, x, outcome, classes, ideals, order) -> None:
    st = loaded.structure
    cfg = loaded.scenario.issues[st.issues[i]]
    lo, hi = st.lo[i] * cfg.scale, st.hi[i] * cfg.scale
    bins = np.linspace(lo, hi, 31)
    data = [x[(outcome == o) & np.isfinite(x)] for o in classes]
    styles = [outcome_style(order, o) for o in classes]
    _, _, bars = ax.hist(
        data,
        bins=bins,
        stacked=True,
        color=[s["color"] for s in styles],
        edgecolor="black",
        linewidth=0.4,
    )
    containers = bars if len(classes) > 1 else [bars]
    for cont, s in zip(containers, styles, strict=True):
        for patch in cont:
            patch.set_hatch(s["hatch"])
    counts, _ = np.histogram(np.concatenate(data), bins)  # the stacked bars' heights
    peak = max(1.0, float(counts.max()))
    ax.set_ylim(0, peak * 1.42)
    sq = st.status_quo[i] * cfg.scale
    ax.axvline(sq, color="black", lw=2.2, zorder=3)
    ax.annotate(
        "status quo",
        (sq, peak * 0.5),
        xytext=(-3, 0) if sq - lo > 0.08 * (hi - lo) else (3, 0),
        textcoords="offset points",
        fontsize=8,
        ha="right" if sq - lo > 0.08 * (hi - lo) else "left",
        va="center",
        rotation=90,
        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
    )
    _mark_ideals(ax, loaded, ideals, peak, hi - lo)
    ax.set_xlim(lo - 0.015 * (hi - lo), hi + 0.015 * (hi - lo))


def _discrete_hist(ax, loaded, i, x, outcome, classes, ideals, order) -> None:
    st = loaded.structure
    options = st.options[i]
    pos = np.arange(len(options))
    bottom = np.zeros(len(options))
    for o in classes:
        s = outcome_style(order, o)
        counts = np.array([np.sum((outcome == o) & (x == name)) for name in options], dtype=float)
        ax.bar(pos, counts, 0.6, bottom=bottom, color=s["color"], hatch=s["hatch"], edgecolor="black", lw=0.5)
        bottom += counts
    top = max(1.0, bottom.max()) * 1.08
    ax.set_ylim(0, top * 1.25)
    sq = int(st.status_quo[i])
    ax.bar([sq], [top * 1.25], 0.84, fill=False, edgecolor="black", lw=2.2, zorder=0)
    ax.annotate("status quo", (sq, top * 1.22), ha="center", va="top", fontsize=8)
    ax.set_xticks(pos, options)
    ax.set_xlim(-0.6, len(options) - 0.4)
    ax.grid(axis="x", visible=False)
    # ideals: one marker per party above the option, side by side when they share it
    n = len(st.parties)
    for p, party in enumerate(st.parties):
        s = party_style(p)
        k = int(round(ideals[p]))
        same = [q for q in range(n) if int(round(ideals[q])) == k]
        dx = (same.index(p) - (len(same) - 1) / 2) * 0.16
        ax.plot([k + dx], [top * 1.05], marker="v", color=s["color"], markeredgecolor="black", ms=9, ls="none")
        ax.annotate(party, (k + dx, top * 1.05), xytext=(0, 7), textcoords="offset points", ha="center", fontsize=8)


# --- utility space -----------------------------------------------------------------------------


def effective_reservations(loaded, table: pa.Table, points: list[dict] | None = None) -> np.ndarray:
    """Each row's effective reservation (N, P): the walk-away utility plus the linked stakes under
    termination (``Inputs.res_eff``), rebuilt from the row's ``param.*`` columns (every uncertain
    or swept parameter) and the config's constants, with the row's sweep point applied."""
    st, space = loaded.structure, loaded.space
    n = table.num_rows
    out = np.zeros((n, st.n_parties))
    point = column_array(table, "point") if "point" in table.column_names else np.zeros(n, dtype=int)
    cols = {name[len("param.") :]: name for name in table.column_names if name.startswith("param.")}
    for k in np.unique(point):
        sel = point == k
        params = points[int(k)] if points and int(k) < len(points) else {}
        sp = space.with_values(params) if params else space
        m = np.tile(sp.base(), (int(sel.sum()), 1))
        for i, slot in enumerate(sp.slots):
            if slot.name in cols:
                m[:, i] = column_array(table, cols[slot.name])[sel]
        out[sel] = build_inputs(st, sp, m).res_eff
    return out


def even_subsample(n: int, limit: int) -> np.ndarray:
    """At most ``limit`` indices of ``range(n)``, evenly spread (all of them when n <= limit)."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(int))


def utility_space(
    loaded, table: pa.Table, path, points: list[dict] | None = None, n_agreements: int | None = None
) -> Path | None:
    """Pairwise scatter of the parties' final utilities over the agreements (deals and
    bilaterals), with each party's mean effective reservation, the Pareto frontier of the plotted
    points and their Nash bargaining point (gains over the mean reservations). One panel per
    pair of parties. None without agreements or with a single party."""
    st = loaded.structure
    if st.n_parties < 2:
        return None
    outcome = column_array(table, "outcome")
    classes = agreement_outcomes(st)
    rows = np.flatnonzero(np.isin(outcome, classes))
    if rows.size == 0:
        return None
    rows = rows[even_subsample(rows.size, MAX_SCATTER)]
    sub = table.take(pa.array(rows))
    u = np.column_stack([column_array(sub, f"u.{p}") for p in st.parties])
    out = outcome[rows]
    res = effective_reservations(loaded, sub, points).mean(axis=0)
    nash = nash_point(u, res)
    pairs = list(itertools.combinations(range(st.n_parties), 2))
    ncols = min(3, len(pairs))
    nrows = -(-len(pairs) // ncols)
    order = st.outcomes
    with plt.rc_context(RC):
        fig, axes = plt.subplots(nrows, ncols, figsize=(5.0 * ncols, 4.8 * nrows + 1.0), squeeze=False)
        for ax in axes.flat[len(pairs) :]:
            ax.set_visible(False)
        alpha = 0.6 if len(rows) < 2000 else 0.4
        for ax, (a, b) in zip(axes.flat, pairs, strict=False):
            for o in classes:
                sel = out == o
                if not sel.any():
                    continue
                s = outcome_style(order, o)
                ax.scatter(
                    u[sel, a],
                    u[sel, b],
                    s=9,
                    marker=s["marker"],
                    color=s["color"],
                    alpha=alpha,
                    lw=0,
                    label=f"{outcome_label(o)} ({int(sel.sum()):,})",
                    rasterized=True,
                )
            # the Pareto frontier of the plotted points for this pair: a staircase through them
            front = pareto_mask(u[:, [a, b]])
            fx, fy = u[front, a], u[front, b]
            idx = np.argsort(fx)
            ax.step(fx[idx], fy[idx], where="post", color="black", lw=1.5, zorder=4)
            ax.plot(fx[idx], fy[idx], ls="none", marker="o", ms=3.5, color="black", zorder=4)
            ax.axvline(res[a], color="0.25", ls="--", lw=1.2)
            ax.axhline(res[b], color="0.25", ls=":", lw=1.4)
            if nash is not None:
                ax.scatter(
                    [u[nash, a]],
                    [u[nash, b]],
                    s=280,
                    marker="*",
                    color="white",
                    edgecolors="black",
                    lw=1.4,
                    zorder=5,
                )
            ax.set_xlabel(f"Utility to {party_name(loaded, st.parties[a])}")
            ax.set_ylabel(f"Utility to {party_name(loaded, st.parties[b])}")
            ax.set_title(f"{st.parties[a]} against {st.parties[b]}")
            lo = min(np.nanmin(u[:, [a, b]]), res[a], res[b])
            hi = max(np.nanmax(u[:, [a, b]]), res[a], res[b])
            pad = 0.04 * (hi - lo or 1)
            ax.set_xlim(lo - pad, hi + pad)
            ax.set_ylim(lo - pad, hi + pad)
            ax.set_aspect("equal", adjustable="box")
        handles = []
        for o in classes:
            n_o = int(np.sum(out == o))
            if n_o:
                s = outcome_style(order, o)
                handles.append(
                    plt.Line2D(
                        [],
                        [],
                        ls="none",
                        marker=s["marker"],
                        color=s["color"],
                        ms=6,
                        label=f"{outcome_label(o)} ({n_o:,})",
                    )
                )
        handles += [
            plt.Line2D([], [], color="black", lw=1.5, marker="o", ms=3.5, label="Pareto frontier of the points shown"),
            plt.Line2D([], [], ls="none", marker="*", ms=15, mfc="white", mec="black", label="Nash bargaining point"),
            plt.Line2D([], [], color="0.25", ls="--", lw=1.2, label="mean reservation, x-axis party"),
            plt.Line2D([], [], color="0.25", ls=":", lw=1.4, label="mean reservation, y-axis party"),
        ]
        legend_cols = 2 if len(pairs) == 1 else 4
        fig.legend(handles=handles, loc="lower center", ncol=legend_cols, frameon=False)
        total = max(n_agreements or 0, int(np.isin(outcome, classes).sum()))
        shown = f"{len(rows):,} agreements" + (f" (an even subsample of {total:,})" if len(rows) < total else "")
        _suptitle(fig, f"{loaded.scenario.name}: final utilities of {shown}; utility scale 0-1 per party")
        leg_rows = -(-len(handles) // legend_cols)
        fig.tight_layout(rect=(0, 0.05 * leg_rows / nrows + 0.02, 1, 1))
        return _save(fig, path)


# --- concession paths (single run) -------------------------------------------------------------


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def concession_paths(loaded, history: list[dict], path, summary: dict | None = None) -> Path | None:
    """One panel per party, over calendar dates: its target, the utility to it of its own offer
    and of each other party's offer, its effective reservation, and the calendar events
    (extensions, refused extensions, withdrawal notices, termination, the outcome)."""
    st = loaded.structure
    if not history:
        return None
    dates = [_day(r["date"]) for r in history]
    P = st.n_parties
    with plt.rc_context(RC):
        fig, axes = plt.subplots(P, 1, figsize=(10.5, 2.7 * P + 1.3), sharex=True, squeeze=False)
        axes = axes[:, 0]
        for p, party in enumerate(st.parties):
            ax = axes[p]
            target = [r["targets"].get(party, np.nan) for r in history]
            ax.plot(dates, target, color="0.55", lw=3.2, ls="--", label=f"{party}'s target", zorder=1)
            for q, other in enumerate(st.parties):
                s = party_style(q)
                own = q == p
                xs, ys = [], []
                for d, r in zip(dates, history, strict=True):
                    for off in r["offers"]:
                        if off["proposer"] == other and off["utilities"].get(party) is not None:
                            xs.append(d)
                            ys.append(off["utilities"][party])
                if not xs:
                    continue
                ax.plot(
                    xs,
                    ys,
                    color=s["color"],
                    ls="-" if own else s["linestyle"],
                    marker=s["marker"],
                    markersize=7 if own else 5,
                    markerfacecolor=s["color"] if own else "white",
                    markeredgecolor="black" if own else s["color"],
                    lw=2.2 if own else 1.2,
                    zorder=3 if own else 2,
                    label=f"{party}'s own offer" if own else f"{other}'s offer",
                )
            if summary and party in summary.get("reservations", {}):
                ax.axhline(summary["reservations"][party], color="0.4", ls=":", lw=1.5, label="reservation")
            ax.set_ylabel(f"Utility to {party}\n(0-1 scale)")
            ax.set_title(f"{party_name(loaded, party)}: target and utility of offers", loc="left", fontsize=10)
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        _mark_events(axes, history, dates)
        axes[-1].set_xlabel("Date of round")
        axes[-1].xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=9))
        axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%Y"))
        title = f"{loaded.scenario.name}: concession paths"
        if summary:
            title += f" (outcome: {outcome_label(summary['outcome'])} on {summary['date']}, {summary['rounds']} rounds)"
        _suptitle(fig, title)
        fig.tight_layout()
        return _save(fig, path)


EVENT_STYLE = {
    "extension": ("extension", "#009E73", (0, (5, 2))),
    "extension_refused": ("extension refused", "#E69F00", (0, (1, 1.5))),
    "notice": ("withdrawal notice", "#D55E00", (0, (6, 2, 1, 2))),
    "notice_effective": ("notice takes effect", "#D55E00", (0, (2, 1))),
    "termination": ("termination", "#D55E00", "-"),
    "outcome": ("outcome", "0.35", "-"),
}


def _mark_events(axes, history, dates) -> None:
    """Vertical lines on every panel at each event, and one legend of events under the last
    (an extension's entry lists the new deadlines)."""
    used: dict[str, tuple] = {}
    deadlines: list[str] = []
    ends = {
        ev.get("date") for r in history for ev in r.get("events", []) if ev.get("kind") in ("termination", "outcome")
    }
    for d, r in zip(dates, history, strict=True):
        for ev in r.get("events", []):
            kind = ev.get("kind")
            if kind not in EVENT_STYLE:
                continue
            day = d
            if kind in ("termination", "outcome") and ev.get("date"):
                day = _day(ev["date"])
            label, color, ls = EVENT_STYLE[kind]
            if kind == "outcome" and ev.get("outcome"):
                label = f"end of talks: {outcome_label(ev['outcome'])}"
            for ax in axes:
                ax.axvline(day, color=color, ls=ls, lw=1.6, zorder=1)
            used.setdefault(kind, (label, color, ls))
            if kind == "extension" and ev.get("deadline"):
                deadlines.append(ev["deadline"])
            # the day a notice takes effect, unless the talks ended on that day anyway
            if kind == "notice" and ev.get("effective") and ev["effective"] not in ends:
                label2, color2, ls2 = EVENT_STYLE["notice_effective"]
                for ax in axes:
                    ax.axvline(_day(ev["effective"]), color=color2, ls=ls2, lw=1.0, zorder=1)
                used.setdefault("notice_effective", (label2, color2, ls2))
    if deadlines and "extension" in used:
        _, color, ls = used["extension"]
        text = "extension; new deadline " + ", ".join(deadlines)
        used["extension"] = (textwrap.fill(text, 30), color, ls)
    if used:
        handles = [plt.Line2D([], [], color=c, ls=ls, lw=1.6, label=lab) for lab, c, ls in used.values()]
        axes[-1].legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.01, -0.12),
            frameon=False,
            title="events",
        )


# --- time to agreement -------------------------------------------------------------------------


def time_to_agreement(loaded, table: pa.Table, path) -> Path | None:
    """Histograms, stacked by outcome class, of the rounds played and of the end date."""
    st = loaded.structure
    outcome = column_array(table, "outcome")
    rounds = column_array(table, "rounds").astype(int)
    end = column_array(table, "end_date")
    classes = [o for o in st.outcomes if np.any(outcome == o)]
    if not classes:
        return None
    styles = [outcome_style(st.outcomes, o) for o in classes]
    with plt.rc_context(RC):
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.8))
        bins = np.arange(rounds.min() - 0.5, rounds.max() + 1.5, 1.0)
        _stacked(ax1, [rounds[outcome == o] for o in classes], bins, styles)
        ax1.set_xlabel("Rounds played")
        ax1.set_ylabel("Draws")
        ax1.set_title("Rounds until the talks ended")
        if rounds.max() - rounds.min() <= 25:
            ax1.set_xticks(np.arange(rounds.min(), rounds.max() + 1))
        days = mdates.date2num(end.astype("datetime64[D]"))
        first = end.min().item()
        last = end.max().item()
        edges = [dt.date(first.year, first.month, 1)]
        while edges[-1] <= last:
            e = edges[-1]
            edges.append(dt.date(e.year + (e.month == 12), e.month % 12 + 1, 1))
        _stacked(ax2, [days[outcome == o] for o in classes], mdates.date2num(edges), styles)
        loc = mdates.AutoDateLocator(maxticks=10)
        ax2.xaxis.set_major_locator(loc)
        ax2.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
        ax2.set_xlabel("End date (monthly bins)")
        ax2.set_ylabel("Draws")
        ax2.set_title("When the talks ended")
        handles = [
            Patch(facecolor=s["color"], hatch=s["hatch"], edgecolor="black", label=outcome_label(o))
            for o, s in zip(classes, styles, strict=True)
        ]
        ax2.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="outcome", frameon=False)
        _suptitle(fig, f"{loaded.scenario.name}: time to the end of talks, by outcome ({len(outcome):,} draws)")
        fig.tight_layout()
        return _save(fig, path)


def _stacked(ax, data, bins, styles) -> None:
    _, _, bars = ax.hist(
        data, bins=bins, stacked=True, color=[s["color"] for s in styles], edgecolor="black", linewidth=0.4
    )
    containers = bars if len(data) > 1 else [bars]
    for cont, s in zip(containers, styles, strict=True):
        for patch in cont:
            patch.set_hatch(s["hatch"])


# --- tournaments -------------------------------------------------------------------------------


def tournament_deal_odds(loaded, table: pa.Table, path) -> Path | None:
    """Horizontal bars of the deal probability (95% interval) of each strategy assignment
    (``tournament.csv``), best first."""
    st = loaded.structure
    if table.num_rows == 0 or "p.deal" not in table.column_names:
        return None
    p = column_array(table, "p.deal").astype(float)
    lo = column_array(table, "ci95_low.deal").astype(float)
    hi = column_array(table, "ci95_high.deal").astype(float)
    strat = {
        party: column_array(table, f"strategy.{party}")
        for party in st.parties
        if f"strategy.{party}" in table.column_names
    }
    labels = [", ".join(f"{party}: {strat[party][k]}" for party in strat) for k in range(table.num_rows)]
    order = np.argsort(p)  # best at the top of a barh
    n = len(order)
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(10, 1.2 + 0.32 * n))
        y = np.arange(n)
        ax.barh(y, p[order], 0.7, color=OUTCOME_COLORS["deal"], edgecolor="black", lw=0.6)
        ax.errorbar(
            p[order],
            y,
            xerr=[p[order] - lo[order], hi[order] - p[order]],
            fmt="none",
            ecolor="black",
            capsize=3,
            elinewidth=1,
        )
        for k, j in enumerate(order):
            ax.annotate(f"{p[j]:.3f}", (hi[j], k), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
        ax.set_yticks(y, [labels[j] for j in order], fontsize=8 if n > 20 else 9)
        ax.set_xlim(0, min(1.1, float(hi.max()) * 1.12 + 0.02))
        if hi.max() > 0.5:
            ax.set_xticks(np.linspace(0, 1, 6))
        ax.set_xlabel("P(deal) (share of draws; bars: 95% Wilson intervals)")
        ax.grid(axis="y", visible=False)
        draws = int(column_array(table, "n_draws")[0]) if "n_draws" in table.column_names else None
        each = f", {draws:,} draws each" if draws else ""
        ax.set_title(f"{loaded.scenario.name}: deal probability per strategy assignment{each}")
        fig.tight_layout()
        return _save(fig, path)
