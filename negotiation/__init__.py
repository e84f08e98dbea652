"""A multi-agent negotiation game simulator (flagship scenario: the 2017 NAFTA renegotiation).

The public API, in a few lines::

    import negotiation as ng
    frame = ng.simulate("nafta_2017", draws=2000, seed=7)   # one row per draw
    print(ng.odds(frame))                                    # outcome odds, Wilson 95% intervals
    one = ng.run("nafta_2017", seed=1)                       # .summary, .trace, .events

See docs/api.md for every name below. Names are imported on first use, so that
``import negotiation`` stays light and the command line starts fast.
"""

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    # scenarios
    "load": "negotiation.api",
    "scenarios": "negotiation.api",
    # one negotiation
    "run": "negotiation.api",
    "replay": "negotiation.api",
    "RunResult": "negotiation.api",
    # many negotiations
    "simulate": "negotiation.api",
    "odds": "negotiation.api",
    "history": "negotiation.api",
    "condition": "negotiation.api",
    "calibrate": "negotiation.api",
    "backtest": "negotiation.api",
    "sweep": "negotiation.api",
    "SweepResult": "negotiation.api",
    "tournament": "negotiation.api",
    "TournamentResult": "negotiation.api",
    # analysis and output
    "analyze": "negotiation.api",
    "forecast": "negotiation.api",
    "forecast_convergence": "negotiation.api",
    "report": "negotiation.api",
    # writing strategies
    "Strategy": "negotiation.kernel.strategy",
    "Situation": "negotiation.kernel.strategy",
    "Traits": "negotiation.kernel.strategy",
    "ParamSpec": "negotiation.kernel.strategy",
    "register": "negotiation.strategies.registry",
    # errors
    "ConfigError": "negotiation.errors",
    "UserError": "negotiation.errors",
}
# ``negotiation.strategies`` is the strategy package itself (its registry, ``available()``, the
# built-in strategies); it is a public name too.
__all__ = sorted([*_EXPORTS, "strategies"]) + ["__version__"]


def __getattr__(name: str):
    if name == "strategies":
        return import_module("negotiation.strategies")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'negotiation' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
