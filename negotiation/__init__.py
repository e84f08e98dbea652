"""A multi-agent negotiation game simulator (flagship scenario: the 2017 NAFTA renegotiation)."""

__version__ = "0.1.0"
