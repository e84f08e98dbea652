"""Scenarios: the YAML schema, uncertain numbers, named parameters, loading with line numbers,
semantic checks, bundled scenarios by name, and GENIUS import."""
