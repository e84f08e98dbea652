"""Load a scenario file: YAML -> validated ``Scenario`` -> structure and parameter slots.

Every problem is reported with file, line and key path (``ConfigError``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from negotiation.errors import ConfigError, ConfigProblem, UserError
from negotiation.kernel.structure import Structure
from negotiation.scenario import bundled
from negotiation.scenario.checks import build
from negotiation.scenario.cost import too_much_work
from negotiation.scenario.distributions import DIST_TAGS
from negotiation.scenario.params import ParamSpace
from negotiation.scenario.schema import Scenario
from negotiation.scenario.yamlio import Lines, format_path, line_of, parse_yaml, read_yaml


@dataclass
class Loaded:
    """A loaded scenario with everything derived from it."""

    scenario: Scenario
    structure: Structure
    space: ParamSpace
    source: str  # file name, for messages

    def with_information(self, mode: str | None) -> Loaded:
        """The same scenario under ``complete`` or ``private`` information (None: as it is)."""
        if mode is None or mode == self.structure.information:
            return self
        if mode not in ("complete", "private"):
            raise UserError(f"information must be complete or private, got {mode!r}")
        scn = self.scenario.model_copy(update={"information": mode})
        return dataclasses.replace(self, scenario=scn, structure=dataclasses.replace(self.structure, information=mode))

    def resolved_yaml(self) -> str:
        """The scenario as the simulator understood it, defaults filled in, as YAML."""
        data = _without_unused_features(self.scenario.model_dump(mode="python", exclude_none=True))
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)

    def config_hash(self) -> str:
        """SHA-256 of the resolved scenario (canonical JSON): equal configs, equal hashes."""
        data = _without_unused_features(self.scenario.model_dump(mode="json"))
        blob = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()


# Keys added after the first release, with the defaults that keep the earlier model: left out of
# the dump where they hold them, so a config that does not use them dumps (and hashes) as before.
NEW_DEFAULTS = {"information": "complete", "protocol": "round_robin", "closing": "package"}
NEW_PROFILE_DEFAULTS = {"p_notice_at_close": 1.0, "delay_cost": 0.0}


def _without_unused_features(data: dict) -> dict:
    """A scenario that uses none of the later features (shocks, beliefs, private information,
    protocols, accession, stalemate choice, cost of delay) dumps (and hashes) as it did before
    those existed."""
    for key in ("shocks", "beliefs", "mediator", "chapters"):
        if not data.get(key):
            data.pop(key, None)
    for key, default in NEW_DEFAULTS.items():
        if data.get(key) == default:
            data.pop(key)
    for prof in data.get("profiles", {}).values():
        for key, default in NEW_PROFILE_DEFAULTS.items():
            if prof.get(key) == default:
                prof.pop(key)
    for c in data.get("coalitions", []):
        if c.get("accession", 0) is None:
            c.pop("accession")
    return data


def _real_path(data, loc: tuple, missing: bool) -> tuple:
    """Drop the parts of a pydantic error location that are union branches, not keys."""
    path: list = []
    node = data
    for i, part in enumerate(loc):
        if (
            isinstance(node, dict)
            and part in node
            or isinstance(node, list)
            and isinstance(part, int)
            and 0 <= part < len(node)
        ):
            path.append(part)
            node = node[part]
        elif missing and i == len(loc) - 1 and isinstance(part, str) and isinstance(node, dict):
            path.append(part)  # a missing key
    return tuple(path)


def _message(err: dict) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "union_tag_invalid":
        return f"unknown distribution; expected dist: one of {', '.join(DIST_TAGS)}"
    if kind == "union_tag_not_found":
        return f"a distribution needs 'dist: <{'|'.join(DIST_TAGS)}>'"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if msg.startswith("Input should be "):
        return f"expected {msg.removeprefix('Input should be ')}, got {_shown(err.get('input'))}"
    return msg


def _shown(value) -> str:
    """A value as an error message shows it: a container by its type, an integer too long to
    print (Python refuses more than 4,300 decimal digits) by its size, anything else by repr."""
    if isinstance(value, (dict, list)):
        return type(value).__name__
    if isinstance(value, int) and value.bit_length() > 64:
        return f"an integer of {math.floor(math.log10(abs(value))) + 1:,} digits"
    return repr(value)


def _pydantic_problems(exc: ValidationError, data, lines: Lines, name: str) -> list[ConfigProblem]:
    by_path: dict[tuple, list[dict]] = {}
    for err in exc.errors():
        by_path.setdefault(_real_path(data, err["loc"], err["type"] == "missing"), []).append(err)
    # A number-or-distribution field written as a distribution with an error inside reports that
    # error at its own (deeper) path; the float branch's "not a number" at the field itself is noise.
    for path in list(by_path):
        if any(other[: len(path)] == path and len(other) > len(path) for other in by_path) and all(
            not any(t in e["loc"] for t in DIST_TAGS) and not e["type"].startswith("union_tag") for e in by_path[path]
        ):
            del by_path[path]
    problems = []
    for path, errs in by_path.items():
        node = data
        for part in path:
            node = node[part] if isinstance(node, (dict, list)) and (isinstance(node, list) or part in node) else None
        # For a number-or-distribution field, report the branch that matches what was written.
        if isinstance(node, dict):
            chosen = next(
                (e for e in errs if any(t in e["loc"] for t in DIST_TAGS) or e["type"].startswith("union_tag")), errs[0]
            )
        else:
            chosen = next((e for e in errs if not any(t in e["loc"] for t in DIST_TAGS)), errs[0])
        problems.append(ConfigProblem(name, line_of(lines, path), format_path(path), _message(chosen)))
    return problems


def validate_data(data, lines: Lines, name: str) -> Loaded:
    """Validate parsed YAML data; raise ConfigError listing every problem."""
    if not isinstance(data, dict):
        raise ConfigError([ConfigProblem(name, 1, "", f"expected a mapping at the top, got {type(data).__name__}")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_pydantic_problems(exc, data, lines, name)) from None
    structure, space, problems = build(scenario)
    if problems:
        raise ConfigError([ConfigProblem(name, line_of(lines, p), format_path(p), m) for p, m in problems])
    too_much = too_much_work(structure)
    if too_much:
        raise ConfigError([ConfigProblem(name, None, "", too_much)])
    return Loaded(scenario, structure, space, name)


def load_scenario(ref: str | Path) -> Loaded:
    """Load and validate a scenario: a file path, or the name of a bundled scenario
    (``nafta_2017``; a file of that name in the current folder comes first)."""
    if bundled.is_name(ref):
        stem = str(ref).removesuffix(".yaml")
        return load_scenario_text(bundled.text(stem), f"{stem}.yaml")
    data, lines, _ = read_yaml(ref)
    return validate_data(data, lines, str(ref))


def load_scenario_text(text: str, name: str = "<config>") -> Loaded:
    """Load and validate a scenario given as YAML text."""
    data, lines = parse_yaml(text, name)
    return validate_data(data, lines, name)
