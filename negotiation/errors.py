"""User-facing errors: each renders as one line and makes the CLI exit with code 2."""

from __future__ import annotations

from dataclasses import dataclass


class UserError(Exception):
    """An error caused by the user's input (not a bug); the CLI prints it on one line, exit 2."""


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in a config file: where it is and what was expected."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" {self.path}:" if self.path else ""
        return f"{where}:{key} {self.message}"


class ConfigError(UserError):
    """A config that cannot be used; holds every problem found, one line each."""

    def __init__(self, problems: list[ConfigProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        # Rebuilt from its problems when it crosses a process boundary (a worker's error).
        return (type(self), (self.problems,))
