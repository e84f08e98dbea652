"""Time-dependent concession curves (the Faratin family), as array functions."""

from __future__ import annotations

import numpy as np


def faratin_alpha(t, T, beta, k, curve: str = "polynomial"):
    """Fraction of the way from ideal to reservation conceded at time ``t`` of ``T``.

    polynomial:  alpha = k + (1 - k) * (min(t, T) / T) ** (1 / beta)
    exponential: alpha = exp((1 - min(t, T) / T) ** beta * ln k), with k floored at 1e-6
    Both give alpha(0) = k and alpha(T) = 1.
    """
    t = np.asarray(t, dtype=float)
    T = np.asarray(T, dtype=float)
    frac = np.where(T > 0, np.minimum(t, T) / np.where(T > 0, T, 1.0), 1.0)
    frac = np.clip(frac, 0.0, 1.0)
    if curve == "exponential":
        kk = np.maximum(k, 1e-6)
        return np.exp((1.0 - frac) ** beta * np.log(kk))
    return k + (1.0 - k) * frac ** (1.0 / beta)


def target_from_alpha(alpha, u_max, u_res, prev_target=None):
    """Target utility u_res + (1 - alpha)(u_max - u_res), never above the last target.

    A party whose reservation is above its best utility holds at its best utility.
    """
    span = np.maximum(u_max - u_res, 0.0)
    target = np.minimum(u_max, u_res + (1.0 - alpha) * span)
    if prev_target is not None:
        target = np.minimum(target, prev_target)
    return target
