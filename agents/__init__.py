"""Negotiation strategies, one module each, registered by name with ``@register``."""

import importlib
import pkgutil

from agents.registry import REGISTRY, ParamSpec, Situation, Strategy, Traits, get_strategy, register

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "registry":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["REGISTRY", "ParamSpec", "Situation", "Strategy", "Traits", "get_strategy", "register"]
