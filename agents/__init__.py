"""Negotiation strategies, one module each, registered by name with ``@register``.

Installed as ``negotiation.strategies`` (the repository keeps them in its top-level ``agents/``
folder). The interface a strategy implements (``Strategy``, ``Situation``, ``Traits``,
``ParamSpec``) belongs to the kernel, ``negotiation.kernel.strategy``; it is re-exported here so
that a user's strategy needs one import.
"""

import importlib
import pkgutil

from negotiation.strategies.registry import (
    REGISTRY,
    available,
    get_strategy,
    instantiate,
    party_strategies,
    register,
)

from negotiation.kernel.strategy import ParamSpec, Situation, Strategy, Traits

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "registry":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "REGISTRY",
    "ParamSpec",
    "Situation",
    "Strategy",
    "Traits",
    "available",
    "get_strategy",
    "instantiate",
    "party_strategies",
    "register",
]
