"""The bundled scenarios, installed as ``negotiation.configs`` (package data): load one by name,
``negotiation.load("nafta_2017")`` or ``negotiate run nafta_2017``."""
