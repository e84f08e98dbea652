"""The bundled scenarios: the repository's ``configs/`` folder, installed as the package data of
``negotiation.configs``, so a scenario can be named from any folder after a plain install."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from negotiation.errors import UserError

PACKAGE = "negotiation.configs"


def _folder():
    return resources.files(PACKAGE)


def names() -> list[str]:
    """The bundled scenarios' names (file stems), sorted."""
    return sorted(f.name[: -len(".yaml")] for f in _folder().iterdir() if f.name.endswith(".yaml"))


def text(name: str) -> str:
    """The YAML text of the bundled scenario ``name`` (with or without ``.yaml``)."""
    stem = name[: -len(".yaml")] if name.endswith(".yaml") else name
    if stem not in names():
        raise UserError(f"no bundled scenario named {name!r}; bundled: {', '.join(names())}")
    return (_folder() / f"{stem}.yaml").read_text(encoding="utf-8")


def is_name(ref: str | Path) -> bool:
    """Whether ``ref`` names a bundled scenario rather than a file (no such file, no folder part)."""
    if isinstance(ref, Path) or Path(ref).exists() or "/" in str(ref) or "\\" in str(ref):
        return False
    stem = ref[: -len(".yaml")] if ref.endswith(".yaml") else ref
    return stem in names()
