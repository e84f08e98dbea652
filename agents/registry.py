"""The strategy registry, filled by the ``@register`` decorator next to each strategy.

Strategies come from three places: the modules of this package (imported with it), any
installed package that declares an entry point in the group ``negotiation.strategies`` (loaded
on the first look-up), and user code that applies ``@register`` itself (a module, a script or a
notebook cell).
"""

from __future__ import annotations

import importlib
import importlib.metadata

from negotiation.errors import UserError
from negotiation.kernel.strategy import Strategy, Traits

ENTRY_POINTS = "negotiation.strategies"

REGISTRY: dict[str, type[Strategy]] = {}
_plugins_loaded = False


def register(cls: type[Strategy]) -> type[Strategy]:
    """Class decorator: add a strategy to the registry under its ``name``.

    Registering the same class twice (a module imported again) is harmless; another class under a
    name already taken is refused.
    """
    if not isinstance(cls, type) or not issubclass(cls, Strategy):
        raise ValueError(f"{cls!r} is not a Strategy subclass")
    if not cls.name:
        raise ValueError(f"strategy {cls.__qualname__} has an empty name")
    old = REGISTRY.get(cls.name)
    if old is not None and (old.__module__, old.__qualname__) != (cls.__module__, cls.__qualname__):
        raise ValueError(f"strategy name {cls.name!r} is already registered by {old.__module__}.{old.__qualname__}")
    if not isinstance(getattr(cls, "traits", None), Traits):
        raise ValueError(f"strategy {cls.name!r} declares no traits")
    REGISTRY[cls.name] = cls
    return cls


def load_plugins() -> None:
    """Import the strategies of installed packages (entry-point group ``negotiation.strategies``;
    each entry names a module whose strategies register themselves, or a ``Strategy`` class)."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for ep in importlib.metadata.entry_points(group=ENTRY_POINTS):
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plugin must say which one it is
            raise UserError(f"strategy plugin {ep.name!r} ({ep.value}) failed to load: {exc}") from None
        if isinstance(obj, type) and issubclass(obj, Strategy):
            register(obj)


def available() -> dict[str, type[Strategy]]:
    """Every registered strategy by name, installed plugins included."""
    load_plugins()
    return dict(sorted(REGISTRY.items()))


def get_strategy(name: str) -> type[Strategy]:
    """The strategy class registered as ``name``; a UserError listing the known names if none."""
    if name not in REGISTRY:
        load_plugins()
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise UserError(f"unknown strategy {name!r}; known strategies: {known}") from None


def instantiate(name: str, strings: dict) -> Strategy:
    """A strategy object for a party: ``name`` with its non-numeric parameters ``strings`` (a
    wrapper's ``base`` names the strategy it wraps)."""
    cls = get_strategy(name)
    base = get_strategy(strings["base"])() if cls.wraps else None
    return cls(base)


def party_strategies(st) -> list[Strategy]:
    """One strategy object per party of a structure (``Structure.strategies`` holds names)."""
    return [instantiate(name, strings) for name, strings in zip(st.strategies, st.strategy_strings, strict=True)]


def outside_modules(names) -> list[str]:
    """The modules that define the named strategies outside this package, which a worker process
    must import before it can run them. A strategy defined in ``__main__`` (a notebook or a
    script run directly) cannot be imported by a worker: that is a UserError saying what to do."""
    out = []
    for name in names:
        cls = get_strategy(name)
        module = cls.__module__
        if module == "__main__" or module.startswith("__mp_main__"):
            raise UserError(
                f"strategy {name!r} is defined in __main__ (a notebook or a script), which worker processes "
                "cannot import; run with workers=1, or move the class to a module (a .py file on the path) "
                "and import it"
            )
        if not module.startswith(__package__ + ".") and module not in out:
            out.append(module)
    return out


def import_modules(modules) -> None:
    """Import modules named by ``outside_modules`` (in a worker process)."""
    for module in modules:
        importlib.import_module(module)
