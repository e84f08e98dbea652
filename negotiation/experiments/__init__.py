"""Experiments over many draws: sweep designs, executors, sweeps, tournaments, sensitivity,
discovery of conditions, and the statistics they report."""
