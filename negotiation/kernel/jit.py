"""Compiled loops: the kernel's hot rules are written once, as numba functions over arrays, and
both drivers call them (a batch of one for the Mesa driver).

``njit`` is numba's ``njit`` with the project's settings: compiled code is cached on disk (the
first call ever compiles, later processes load it), numpy's error model (a division by zero gives
inf or nan as numpy does, not an exception) and no fast-math, so a compiled loop gives the same
bits as the numpy expression it replaces. ``NUMBA_DISABLE_JIT=1`` runs the same functions as
plain Python, for debugging.
"""

from __future__ import annotations

import numba

SETTINGS = {"cache": True, "nogil": True, "error_model": "numpy"}


def njit(fn):
    """Compile ``fn`` with the kernel's settings (see the module's docstring)."""
    return numba.njit(**SETTINGS)(fn)


def vectorize():
    """A numpy ufunc compiled from a scalar function (broadcasting as numpy does), for the
    argument types of its first call (then cached like ``njit``)."""
    return numba.vectorize(cache=True)
