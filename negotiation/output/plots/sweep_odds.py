"""Outcome odds across the points of a sweep: the figure that fits the sweep's shape."""

from __future__ import annotations

from matplotlib.figure import Figure

from negotiation.output.plots.data import is_grid, numeric_params
from negotiation.output.plots.odds_by_parameter import odds_by_parameter
from negotiation.output.plots.odds_by_point import odds_by_point
from negotiation.output.plots.odds_heatmaps import odds_heatmaps


def sweep_odds(loaded, points: list[dict]) -> Figure | None:
    """Each outcome's probability across the sweep points (``summary.json``'s ``points``).

    One parameter: probability against the parameter with shaded 95% bands
    (``odds_by_parameter``). Two parameters on a full grid: one annotated heatmap per outcome
    (``odds_heatmaps``). Otherwise (a design over more parameters, or two parameters not on a
    grid): one panel per parameter, each point's probability with its interval
    (``odds_by_point``). None when the sweep has a single point or no numeric parameter.
    """
    names = numeric_params(points)
    if len(points) < 2 or not names:
        return None
    if len(names) == 1:
        return odds_by_parameter(loaded, points, names[0])
    if len(names) == 2 and is_grid(points, *names):
        return odds_heatmaps(loaded, points, *names)
    return odds_by_point(loaded, points, names)
