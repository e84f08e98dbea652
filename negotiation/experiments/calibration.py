"""Calibration: what a history says about the judgements (the uncertain parameters).

Approximate Bayesian computation by exact rejection: rows 0..N-1 of the draw table of ``seed``
draw every uncertain parameter from its prior (the config's distribution) and play the talks; the
draws whose path agrees with every fact of the history (``History.mask``; a count fact may carry a
``tolerance``) are kept, and their ``param.<name>`` values are a sample of the joint posterior.
Each parameter's move is measured by the Kolmogorov-Smirnov distance between its prior and
posterior samples (the largest gap between the two empirical CDFs, 0 to 1) and by the shift of
its mean in prior standard deviations.

The calibrated config is the scenario as the simulator understood it plus a ``posterior:``
section: the kept rows, thinned deterministically to every k-th matched draw so that at most
``MAX_ROWS`` rows and ``MAX_VALUES`` values are stored. A draw of that config takes every
parameter from one stored row (``scenario.distributions.Resample``), so the posterior's
correlations are kept and the same seed picks the same rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from negotiation.errors import UserError
from negotiation.experiments.history import History, no_match_error
from negotiation.scenario.loader import Loaded
from negotiation.scenario.schema import MAX_POSTERIOR_ROWS

MAX_ROWS = MAX_POSTERIOR_ROWS  # stored rows at most
MAX_VALUES = 50_000  # stored values (rows x parameters) at most, so the config stays quick to load
QUANTILES = (0.05, 0.5, 0.95)


@dataclass
class Calibration:
    """The prior and posterior samples of the uncertain parameters given a history.

    ``names``: the parameters; ``prior`` (draws x parameters) and ``posterior`` (matched x
    parameters) their samples; ``table``: a pandas DataFrame, one row per parameter, moved most
    first (``ks`` then ``|shift|``), with prior and posterior mean, sd and 5/50/95% quantiles,
    ``ks`` (Kolmogorov-Smirnov distance) and ``shift`` (posterior mean - prior mean, in prior sds).
    """

    names: list[str]
    prior: np.ndarray = field(repr=False)
    posterior: np.ndarray = field(repr=False)
    table: object = field(repr=False)
    history: History = field(repr=False)
    seed: int = 0
    scenario_yaml: str = field(repr=False, default="")
    source: str = ""

    @property
    def draws(self) -> int:
        return len(self.prior)

    @property
    def matched(self) -> int:
        return len(self.posterior)

    @property
    def share(self) -> float:
        return self.matched / self.draws if self.draws else 0.0

    @property
    def step(self) -> int:
        """Every ``step``-th matched draw is stored in the calibrated config."""
        keep = min(MAX_ROWS, max(1, MAX_VALUES // max(1, len(self.names))))
        return max(1, math.ceil(self.matched / keep))

    def stored_rows(self) -> np.ndarray:
        """The rows the calibrated config stores: every ``step``-th matched draw, in draw order."""
        return self.posterior[:: self.step]

    def thinning(self) -> str:
        return "every matched draw" if self.step == 1 else f"every {self.step}-th matched draw"

    def config_text(self) -> str:
        """The calibrated config: comments saying what produced it, the scenario, the posterior."""
        rows = self.stored_rows()
        h = self.history
        facts = "; ".join(f.text for f in h.facts)
        as_of = f" (as of {h.as_of})" if h.as_of else ""
        source = f"{Path(h.source).name}{as_of}, seed {self.seed}, {self.draws} draws, {self.matched} matched"
        head = [
            f"# Calibrated by `negotiate calibrate` from {self.source} given the history {h.source}{as_of}:",
            f"#   {facts}",
            f"# Exact rejection: {self.matched} of {self.draws} draws of seed {self.seed} agree with every fact "
            f"({self.share:.2%}).",
            f"# posterior: stores {len(rows)} of them ({self.thinning()}); each draw of this config",
            f"# takes all {len(self.names)} uncertain parameters from one stored row. The distributions below are",
            "# the priors: delete the posterior section to return to them.",
        ]
        post = {
            "posterior": {
                "source": source,
                "names": list(self.names),
                "rows": [[float(f"{v:.9g}") for v in row] for row in rows.tolist()],
            }
        }
        body = yaml.safe_dump(post, sort_keys=False, default_flow_style=None, width=1_000_000)
        return "\n".join(head) + "\n" + self.scenario_yaml + body

    def write_config(self, path: str | Path) -> Path:
        """Write the calibrated config to a new file (an existing file is never overwritten)."""
        path = Path(path)
        refuse_existing(path)
        try:
            with open(path, "x", encoding="utf-8") as fh:
                fh.write(self.config_text())
        except FileExistsError:
            refuse_existing(path)
        except OSError as exc:
            raise UserError(f"{path}: cannot write ({exc.strerror})") from None
        return path


def refuse_existing(path: str | Path) -> None:
    if Path(path).exists():
        raise UserError(f"{path} exists; the calibrated config goes to a new file (give another -o)")


def calibrate(
    loaded: Loaded, history: History, draws: int, seed: int, workers: int = 1, client=None, quiet: bool = True
) -> Calibration:
    """Play ``draws`` rows of the draw table of ``seed`` with every parameter drawn from its
    prior, keep the rows whose path agrees with every fact of ``history``, and compare each
    uncertain parameter's kept values with all its values. No row kept raises a UserError
    naming the most restrictive fact."""
    from negotiation.experiments.sweep import simulate_table

    names = [s.name for s in loaded.space.slots if s.uncertain]
    if not names:
        raise UserError(f"{loaded.source} has no uncertain parameter to calibrate")
    table = simulate_table(loaded, [{}], seed, draws, workers, client, quiet=quiet)
    mask = history.mask(table)
    if not mask.any():
        raise no_match_error(history, table)
    prior = np.column_stack([table.column(f"param.{n}").to_numpy() for n in names]).astype(float)
    data = loaded.scenario.model_dump(mode="python", exclude_none=True, exclude_defaults=True)
    data.pop("posterior", None)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None)
    return Calibration(
        names, prior, prior[mask], moved_table(names, prior, prior[mask]), history, seed, text, loaded.source
    )


def moved_table(names: list[str], prior: np.ndarray, posterior: np.ndarray):
    """One row per parameter, moved most first: prior and posterior mean, sd and quantiles,
    the Kolmogorov-Smirnov distance between the samples and the shift of the mean in prior sds."""
    import pandas as pd
    from scipy.stats import ks_2samp

    rows = []
    for j, name in enumerate(names):
        a, b = prior[:, j], posterior[:, j]
        sd = float(a.std())
        row = {"parameter": name}
        for label, x in (("prior", a), ("posterior", b)):
            row[f"{label}_mean"] = float(x.mean())
            row[f"{label}_sd"] = float(x.std())
            for q, v in zip(QUANTILES, np.quantile(x, QUANTILES), strict=True):
                row[f"{label}_q{int(q * 100):02d}"] = float(v)
        # The posterior rows are a subset of the prior's, so the test's p-value does not apply;
        # the statistic is the distance.
        row["ks"] = float(ks_2samp(a, b).statistic) if sd > 0 else 0.0
        row["shift"] = (row["posterior_mean"] - row["prior_mean"]) / sd if sd > 0 else 0.0
        rows.append(row)
    frame = pd.DataFrame(rows)
    order = np.lexsort((-frame["shift"].abs().to_numpy(), -frame["ks"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)
