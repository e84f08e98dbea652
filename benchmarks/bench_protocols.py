"""Throughput of the batch driver on the flagship under each protocol of step 10 (a benchmark, not
a test): round-robin packages (the flagship as it is, accession windows on), the same without
accession windows, and a single negotiating text closed as a package or by chapters.

    python benchmarks/bench_protocols.py                    # 20,000 draws, 3 repeats each
    python benchmarks/bench_protocols.py --draws 50000 --repeats 5

The variants run in this process on the same draw rows (seed 1), alternated so that a change in
the machine's load falls on all of them. Prints each run's draws per second, the medians, the
time ratios to the flagship, and each variant's path odds and mean rounds.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
from alternate import time_alternated

from negotiation.kernel.codes import path_of
from negotiation.scenario.loader import load_scenario_text

CONFIG = Path(__file__).resolve().parent.parent / "configs" / "nafta_2017.yaml"


def scenarios() -> dict:
    """The flagship under each protocol."""
    text = CONFIG.read_text(encoding="utf-8")
    stated = "protocol: round_robin\nclosing: package\n"
    assert stated in text, "the flagship's protocol is not where this benchmark expects it"
    no_accession = re.sub(r"(?m)^\s*accession:.*\n", "", text)
    return {
        "flagship": load_scenario_text(text),
        "no accession": load_scenario_text(no_accession),
        "single text": load_scenario_text(text.replace(stated, "protocol: single_text\nclosing: package\n")),
        "chapters": load_scenario_text(text.replace(stated, "protocol: single_text\nclosing: chapters\n")),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=20_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    variants = scenarios()
    med, results = time_alternated(variants, args.draws, args.repeats)
    for name, loaded in variants.items():
        st, res = loaded.structure, results[name]
        paths, counts = np.unique(path_of(st.outcomes, res.outcome, res.path["signed"]), return_counts=True)
        shown = ", ".join(f"{p} {c / res.outcome.size:.3f}" for p, c in zip(paths, counts, strict=True))
        ratio = med[name] / med["flagship"]
        print(
            f"median {name:>12}: {args.draws / med[name]:9,.0f} draws/s, time x{ratio:.2f}; "
            f"mean rounds {res.rounds.mean():.2f}; {shown}"
        )


if __name__ == "__main__":
    main()
