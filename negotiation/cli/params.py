"""The table of ``negotiate params``: each named parameter (slot) with its value, or its
distribution as a config writes it, and the range it must stay in."""

from __future__ import annotations

import math

from negotiation.scenario.distributions import Resample
from negotiation.scenario.params import ParamSpace, Slot

# The order in which a distribution's fields are written (as docs/model.md section 8 names them).
FIELDS = ("dist", "mean", "sd", "low", "mode", "high", "options", "p")


def number_text(x: float) -> str:
    """A number as a person writes it in YAML: ``5`` for 5.0, ``0.85``, ``-0.03``, ``.inf``."""
    if math.isinf(x):
        return ".inf" if x > 0 else "-.inf"
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def _yaml(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_yaml(x) for x in v) + "]"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return number_text(v)
    return str(v)


def value_text(slot: Slot) -> str:
    """A slot's value as a config writes it: a number, a distribution in YAML flow style
    (``{dist: choice, options: [1, 2, 3]}``), or the stored rows of a posterior."""
    value = slot.value
    if isinstance(value, Resample):
        return value.describe()
    if not slot.uncertain:
        return number_text(value)
    data = value.model_dump(exclude_none=True)
    keys = sorted(data, key=lambda k: FIELDS.index(k) if k in FIELDS else len(FIELDS))
    return "{" + ", ".join(f"{k}: {_yaml(data[k])}" for k in keys) + "}"


def params_lines(space: ParamSpace) -> list[str]:
    """The table: a header row, then name, value and range ``[low, high]`` per slot."""
    rows = [("parameter", "value", "range")]
    rows += [(s.name, value_text(s), f"[{s.bounds[0]:g}, {s.bounds[1]:g}]") for s in space.slots]
    name_w = max(len(r[0]) for r in rows)
    value_w = max(len(r[1]) for r in rows)
    return [f"{n:<{name_w}}  {v:<{value_w}}  {b}".rstrip() for n, v, b in rows]
