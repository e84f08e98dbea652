"""A backtest: each later fact's forecast given the facts to the cut beside its unconditional
forecast, and each cut's mean Brier score both ways."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from negotiation.output.plots.style import COLORS, HATCHES, figure, styled, suptitle

# Given the facts: dark and plain; unconditional: light and hatched (readable in greyscale).
SERIES = (
    ("given", "given the facts to the cut", {"facecolor": COLORS[0], "hatch": HATCHES[0]}),
    ("prior", "unconditional", {"facecolor": "#BBBBBB", "hatch": HATCHES[1]}),
)


def backtest_scores(loaded, result) -> Figure | None:
    """A backtest (``negotiation.experiments.backtest.Backtest``). Left: per cut and later
    fact, the forecast given the facts to the cut and the unconditional forecast (each fact
    happened: outcome 1, the dotted line). Right: per cut, the mean Brier score both ways (lower
    is better). Forecasts left undefined (no draw agreed with the facts) are marked "no match".
    None without any forecast."""
    forecasts = result.forecasts
    if not forecasts:
        return None
    with styled():
        fig = figure((12, 0.45 * len(forecasts) + 2.4))
        ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 1.3]})
        y = np.arange(len(forecasts))[::-1]
        h = 0.38
        for k, (key, label, style) in enumerate(SERIES):
            values = [getattr(f, key) for f in forecasts]
            shown = [np.nan if v is None else v for v in values]
            ax1.barh(y + (0.5 - k) * h, shown, h, label=label, edgecolor="black", linewidth=0.5, **style)
            for yy, v in zip(y, values, strict=True):
                if v is None:
                    ax1.text(0.01, yy + (0.5 - k) * h, "no match", va="center", fontsize=8)
        ax1.axvline(1.0, color="black", linestyle=":", linewidth=1)
        ax1.set_yticks(y, [f"{f.cut}: {f.fact.strip('{}')}" for f in forecasts])
        ax1.set_xlim(0, 1.05)
        ax1.set_xlabel("Forecast probability of the fact (it happened: 1)")
        ax1.set_title("Forecast of each later fact")
        cuts = result.cuts
        x = np.arange(len(cuts))
        for k, (key, _, style) in enumerate(SERIES):
            values = [getattr(c, f"brier_{key}") for c in cuts]
            ax2.bar(
                x + (k - 0.5) * h,
                [np.nan if v is None else v for v in values],
                h,
                edgecolor="black",
                linewidth=0.5,
                **style,
            )
        ax2.set_xticks(x, [str(c.cut) for c in cuts], rotation=30, ha="right")
        ax2.set_ylabel("Mean Brier score (lower is better)")
        ax2.set_title("Mean Brier score per cut")
        handles = [Patch(edgecolor="black", label=label, **style) for _, label, style in SERIES]
        ax1.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False)
        suptitle(fig, f"{loaded.scenario.name}: backtest of {result.source} ({result.draws:,} draws)")
        fig.tight_layout()
    return fig
