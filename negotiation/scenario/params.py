"""Named parameter slots: every number the kernel reads, fixed or uncertain.

A slot is named like ``US.auto_rvc.ideal``, ``CA.reservation``, ``US.strategy.beta``,
``stakes.mx_cooperation.value`` or ``calendar.max_extensions``; sweeps (step 2) override
slots by these names. ``ParamSpace.sample`` turns a matrix of uniforms into a matrix of
values, one row per negotiation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True)
class Slot:
    """One named number: a constant or a distribution, with the bounds it must respect."""

    name: str
    path: tuple
    value: object  # float or a distribution
    bounds: tuple[float, float]
    integer: bool = False

    @property
    def uncertain(self) -> bool:
        return not isinstance(self.value, (int, float))

    def support(self) -> tuple[float, float]:
        if self.uncertain:
            return self.value.support()
        return (float(self.value), float(self.value))


class ParamSpace:
    """The ordered set of slots of a scenario."""

    def __init__(self, slots: list[Slot], columns: dict[int, int] | None = None):
        self.slots = list(slots)
        self.index = {s.name: i for i, s in enumerate(self.slots)}
        if columns is None:
            uncertain = [i for i, s in enumerate(self.slots) if s.uncertain]
            columns = {i: c for c, i in enumerate(uncertain)}
        # The uniform column of each uncertain slot is fixed when the scenario is loaded, so
        # fixing one slot (a sweep point) leaves every other slot's draws as they were.
        self.columns = columns
        self.n_columns = len(columns)
        # The columns of the shocks' slots (``shocks.*``, the last slots) come from the draw
        # table's shock block, so adding shocks leaves a scenario's other draws as they were.
        self.n_shock_columns = sum(1 for i in columns if self.slots[i].name.startswith("shocks."))

    def __len__(self) -> int:
        return len(self.slots)

    def __getitem__(self, name: str) -> Slot:
        return self.slots[self.index[name]]

    def base(self) -> np.ndarray:
        """Slot values with every uncertain slot at the middle of its support."""
        out = np.empty(len(self.slots))
        for i, s in enumerate(self.slots):
            lo, hi = s.support()
            v = s.value if not s.uncertain else (lo + hi) / 2
            out[i] = np.floor(v + 0.5) if s.integer else v
        return out

    def sample(self, uniforms: np.ndarray) -> np.ndarray:
        """Map uniforms of shape (B, n_columns) to slot values of shape (B, n_slots)."""
        b = uniforms.shape[0]
        out = np.empty((b, len(self.slots)))
        for i, s in enumerate(self.slots):
            v = s.value.ppf(uniforms[:, self.columns[i]]) if s.uncertain else s.value
            out[:, i] = np.floor(np.asarray(v) + 0.5) if s.integer else v  # whole numbers round half up
        return out

    def with_values(self, values: dict[str, object]) -> ParamSpace:
        """A copy with some slots set to new constants or distributions."""
        slots = list(self.slots)
        for name, v in values.items():
            slots[self.index[name]] = replace(slots[self.index[name]], value=v)
        return ParamSpace(slots, self.columns)
