"""The figures of the reports, one module per figure, each a function that returns a
``matplotlib.figure.Figure`` (or None when there is nothing to draw).

Figures are bare ``Figure`` objects: no pyplot, no global figure list, and no backend chosen
here or anywhere in the library (importing this package changes no matplotlib setting). Saving
is the caller's job: ``save_png(fig, path)`` writes a PNG in the reports' style, with Agg, which
a bare figure uses for PNG output without any backend being selected.

Every function takes the loaded scenario (``negotiation.scenario.loader.Loaded``) and the data
it draws; sweep rows come as a ``pyarrow.Table`` with the columns of ``outcomes.parquet``
(positions in display units). Figures are readable in greyscale (``style``).
"""

from negotiation.output.plots.agreed_positions import agreed_positions, party_ideals
from negotiation.output.plots.backtest import backtest_scores
from negotiation.output.plots.concession_paths import concession_paths
from negotiation.output.plots.data import MAX_SCATTER, agreement_outcomes, column_array, even_subsample
from negotiation.output.plots.dates_per_point import dates_per_point
from negotiation.output.plots.given_odds import given_odds
from negotiation.output.plots.joint_utility import joint_utility
from negotiation.output.plots.odds_by_parameter import odds_by_parameter
from negotiation.output.plots.odds_by_point import odds_by_point
from negotiation.output.plots.odds_heatmaps import odds_heatmaps
from negotiation.output.plots.odds_per_point import odds_per_point
from negotiation.output.plots.offers_by_issue import offers_by_issue
from negotiation.output.plots.outcome_odds import outcome_odds
from negotiation.output.plots.pareto_gaps import pareto_gaps
from negotiation.output.plots.posterior import prior_posterior
from negotiation.output.plots.sobol import sobol_sensitivity
from negotiation.output.plots.standings import tournament_standings
from negotiation.output.plots.style import outcome_label, path_label, save_png
from negotiation.output.plots.sweep_odds import sweep_odds
from negotiation.output.plots.time_to_agreement import time_to_agreement
from negotiation.output.plots.tournament import tournament_deal_odds
from negotiation.output.plots.utility_space import effective_reservations, utility_space

__all__ = [
    "MAX_SCATTER",
    "agreed_positions",
    "backtest_scores",
    "agreement_outcomes",
    "column_array",
    "concession_paths",
    "dates_per_point",
    "effective_reservations",
    "even_subsample",
    "given_odds",
    "joint_utility",
    "odds_by_parameter",
    "odds_by_point",
    "odds_heatmaps",
    "odds_per_point",
    "offers_by_issue",
    "outcome_label",
    "outcome_odds",
    "pareto_gaps",
    "party_ideals",
    "path_label",
    "prior_posterior",
    "save_png",
    "sobol_sensitivity",
    "sweep_odds",
    "time_to_agreement",
    "tournament_deal_odds",
    "tournament_standings",
    "utility_space",
]
