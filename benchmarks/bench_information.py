"""Throughput of the batch driver on the flagship under complete information, private information,
and private information with learning parties (a benchmark, not a test).

    python benchmarks/bench_information.py                  # 20,000 draws, 3 repeats each
    python benchmarks/bench_information.py --draws 50000 --repeats 5

The three modes run in this process on the same draw rows (seed 1), alternated A B C A B C so that
a change in the machine's load falls on all three. "learning" is the flagship with every party's
strategy wrapped in `learning` (its defaults). Prints each run's draws per second, the medians,
the ratios to complete information (target: private with learning within 2x, i.e. a time ratio
of at most 2), and each mode's outcome odds and mean pareto_gap over agreements.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from alternate import time_alternated

from negotiation.scenario.loader import load_scenario, load_scenario_text

CONFIG = Path(__file__).resolve().parent.parent / "configs" / "nafta_2017.yaml"


def scenarios() -> dict:
    """The flagship in each mode."""
    text = CONFIG.read_text(encoding="utf-8")
    learning = text.replace(
        "      name: time_dependent\n      params:\n",
        "      name: learning\n      params:\n        base: time_dependent\n",
    )
    assert learning.count("name: learning") == 3, "the flagship's strategies are not where this benchmark expects them"
    base = load_scenario(CONFIG)
    return {
        "complete": base.with_information("complete"),
        "private": base.with_information("private"),
        "learning": load_scenario_text(learning).with_information("private"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=20_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    modes = scenarios()
    med, results = time_alternated(modes, args.draws, args.repeats)
    for name, loaded in modes.items():
        st, res = loaded.structure, results[name]
        odds = np.bincount(res.outcome, minlength=len(st.outcomes)) / res.outcome.size
        shown = ", ".join(f"{o} {p:.3f}" for o, p in zip(st.outcomes, odds, strict=True) if p > 0)
        gap = getattr(res, "pareto_gap", None)
        gap_text = f"; mean pareto_gap {np.nanmean(gap):.4f}" if gap is not None else ""
        ratio = med[name] / med["complete"]
        print(f"median {name:>9}: {args.draws / med[name]:9,.0f} draws/s, time x{ratio:.2f}; {shown}{gap_text}")
    ratio = med["learning"] / med["complete"]
    print(f"private with learning / complete: x{ratio:.2f} (target <= 2): {'ok' if ratio <= 2 else 'MISSED'}")


if __name__ == "__main__":
    main()
