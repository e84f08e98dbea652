"""Safe YAML loading that remembers the line of every key, and refuses duplicate keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from negotiation.errors import ConfigError, ConfigProblem

MAX_CONFIG_BYTES = 2_000_000
# Nodes that aliases (``*name``) may add to a document once it is written out: a few hundred
# bytes of nested aliases would otherwise stand for billions of nodes ("billion laughs").
MAX_ALIAS_NODES = 100_000
MAX_INT_DIGITS = 18  # digits of a YAML integer (any base); no count or value of a scenario needs more

Lines = dict[tuple, int]


def format_path(path: tuple) -> str:
    """Render a key path as dotted text, list indices in brackets: ``profiles.US.issues[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def line_of(lines: Lines, path: tuple) -> int | None:
    """The line of ``path`` or, failing that, of its nearest ancestor that has one."""
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get((), None)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


class _AliasProblem(Exception):
    pass


def _written_out(node: yaml.Node, sizes: dict[int, int], open_: set[int]) -> int:
    """Nodes under ``node`` (itself included) once every alias is written out; memoised by node,
    so each distinct node is counted once however often aliases reach it."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_:
        raise _AliasProblem
    open_.add(key)
    total = 1 + sum(_written_out(child, sizes, open_) for child in _children(node))
    open_.discard(key)
    sizes[key] = total
    return total


def _check_aliases(root: yaml.Node, name: str) -> None:
    """Refuse a document whose aliases add more than ``MAX_ALIAS_NODES`` nodes once written out, or
    an alias inside the node it names, before anything walks the expanded document. The problem
    names the alias where the running count passes the bound."""
    sizes: dict[int, int] = {}
    try:
        extra = _written_out(root, sizes, set()) - len(sizes)
        if extra <= MAX_ALIAS_NODES:
            return
    except _AliasProblem:
        pass
    seen: set[int] = set()
    added = 0
    # Document order: the first time a node is met it is its anchor (or has none); every later
    # meeting is an alias, which writes out a copy of the node and all under it.
    stack: list[tuple[yaml.Node, tuple, int, set]] = [(root, (), root.start_mark.line + 1, set())]
    while stack:
        node, path, line, above = stack.pop()
        if id(node) in above:
            loop = "an alias refers to a node that contains it"
            raise ConfigError([ConfigProblem(name, line, format_path(path), loop)])
        if id(node) in seen:
            added += sizes.get(id(node), MAX_ALIAS_NODES + 1)
            if added > MAX_ALIAS_NODES:
                raise ConfigError(
                    [
                        ConfigProblem(
                            name,
                            line,
                            format_path(path),
                            f"aliases write out more than {MAX_ALIAS_NODES:,} nodes; "
                            "write the repeated parts out or use fewer aliases",
                        )
                    ]
                )
            continue
        seen.add(id(node))
        inner = above | {id(node)}
        items: list[tuple[yaml.Node, tuple, int]] = []
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
                at = key_node.start_mark.line + 1
                items += [(key_node, path + (key,), at), (value_node, path + (key,), at)]
        elif isinstance(node, yaml.SequenceNode):
            items = [(item, path + (i,), line) for i, item in enumerate(node.value)]
        stack.extend((n, p, ln, inner) for n, p, ln in reversed(items))


def _walk(node: yaml.Node, path: tuple, lines: Lines, problems: list, name: str) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(ConfigProblem(name, line, format_path(path + (key,)), "duplicate key"))
                continue
            seen.add(key)
            lines[path + (key,)] = line
            _walk(value_node, path + (key,), lines, problems, name)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), lines, problems, name)


def _int_digits(text: str) -> int:
    """Digits of a YAML 1.1 integer as written (``-1_000``, ``0x1F``, ``0o17``, ``0b101``,
    ``1:30:00``), counted without converting it: Python refuses to convert decimal text of more
    than 4,300 digits, and converting a huge hex number is fine but printing it is not."""
    body = text.lower().lstrip("+-").replace("_", "").replace(":", "")
    if body[:2] in ("0x", "0o", "0b"):
        body = body[2:]
    return len(body)


def _int_too_long(node: yaml.Node) -> bool:
    return node.tag == "tag:yaml.org,2002:int" and _int_digits(node.value) > MAX_INT_DIGITS


def _too_long(node: yaml.ScalarNode) -> str:
    return f"integer too long ({_int_digits(node.value):,} digits; at most {MAX_INT_DIGITS})"


def _check_scalars(loader, node: yaml.Node, path: tuple, problems: list, name: str) -> None:
    """Scalars that YAML recognises but cannot be used become problems: dates the calendar has no room
    for (2024-02-30), integers of more than ``MAX_INT_DIGITS`` digits."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if _int_too_long(key_node):
                at = key_node.start_mark.line + 1
                what = "a key is an " + _too_long(key_node)
                problems.append(ConfigProblem(name, at, format_path(path), what))
                continue
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            _check_scalars(loader, value_node, path + (key,), problems, name)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_scalars(loader, item, path + (i,), problems, name)
    elif _int_too_long(node):
        problems.append(ConfigProblem(name, node.start_mark.line + 1, format_path(path), _too_long(node)))
    elif node.tag == "tag:yaml.org,2002:timestamp":
        try:
            loader.construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            problems.append(
                ConfigProblem(
                    name, node.start_mark.line + 1, format_path(path), f"not a valid date: {node.value} ({exc})"
                )
            )


def parse_yaml(text: str, name: str) -> tuple[Any, Lines]:
    """Parse YAML text with the safe loader; return the data and a key-path -> line map."""
    lines: Lines = {}
    problems: list[ConfigProblem] = []
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise ConfigError(
            [ConfigProblem(name, line, "", f"invalid YAML: character {exc.character!r} is not allowed")]
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise ConfigError([ConfigProblem(name, 1, "", "the file is empty; expected a mapping")])
        _check_aliases(node, name)
        _walk(node, (), lines, problems, name)
        _check_scalars(loader, node, (), problems, name)
        if problems:
            raise ConfigError(problems)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
            mark = exc.context_mark  # e.g. an unclosed quote: say where it opens, not the file's end
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        raise ConfigError([ConfigProblem(name, line, "", f"invalid YAML: {what}")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([ConfigProblem(name, None, "", f"invalid YAML: {exc}")]) from None
    except RecursionError:
        raise ConfigError([ConfigProblem(name, None, "", "invalid YAML: nested too deeply")]) from None
    finally:
        loader.dispose()
    return data, lines


def read_yaml(path: str | Path) -> tuple[Any, Lines, str]:
    """Read and parse a YAML file; return (data, lines, text). Errors are ConfigError."""
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(name, None, "", "no such file")]) from None
    except IsADirectoryError:
        raise ConfigError([ConfigProblem(name, None, "", "is a folder, expected a YAML file")]) from None
    except OSError as exc:
        raise ConfigError([ConfigProblem(name, None, "", f"cannot read: {exc.strerror}")]) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(
            [ConfigProblem(name, None, "", f"file too large ({len(raw)} bytes; at most {MAX_CONFIG_BYTES})")]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError([ConfigProblem(name, line, "", "not UTF-8 text")]) from None
    data, lines = parse_yaml(text, name)
    return data, lines, text
