"""Fuzzed input: mutated configs and command lines end in a clear error (exit 2, one `error:`
line per problem) or a valid run, never a traceback, a hang or a partial folder shown as complete."""

import copy
import json
import math

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from tests.helpers import CONFIGS

BASE = yaml.safe_load((CONFIGS / "teaching_trade.yaml").read_text())
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def paths(node, prefix=()):
    """Every key path in a nested dict/list."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, (*prefix, i))


ALL_PATHS = [p for p in paths(BASE) if p]
ODD_VALUES = [
    None,
    True,
    "text",
    "",
    [],
    {},
    [1, 2],
    {"dist": "uniform"},
    -1,
    0,
    1e308,
    -1e308,
    10**30,
    float("nan"),
    float("inf"),
    "2024-13-45",
    {"dist": "choice", "options": []},
    "!!python/object:os.system",
    {"a": {"b": {"c": {"d": 1}}}},
    list(range(5000)),
]


def nest(depth):
    node = 1
    for _ in range(depth):
        node = {"x": node}
    return node


def mutate(data, path, op, value):
    data = copy.deepcopy(data)
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    if op == "delete":
        del parent[key]
    elif op == "retype":
        parent[key] = value
    elif op == "rename" and isinstance(parent, dict):
        parent[str(key) + "_x"] = parent.pop(key)
    elif op == "nest":
        parent[key] = nest(300)
    return data


def check(negotiate, tmp_path, text: bytes | str):
    cfg = tmp_path / "fuzz.yaml"
    if isinstance(text, str):
        cfg.write_text(text, encoding="utf-8")
    else:
        cfg.write_bytes(text)
    result = negotiate("validate", cfg)
    assert result.exit_code in (0, 2), (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert lines and all(ln.startswith("error: ") for ln in lines), lines
        return
    out = tmp_path / f"run{len(list(tmp_path.iterdir()))}"
    ran = negotiate("run", cfg, "--out", out, "--no-report", "--json")
    assert ran.exit_code in (0, 2), (ran.exit_code, ran.output, ran.exception)
    assert ran.exception is None or isinstance(ran.exception, SystemExit), repr(ran.exception)
    if ran.exit_code == 0:
        summary = json.loads(ran.stdout)
        assert json.loads((out / "manifest.json").read_text())["status"] == "complete"
        assert all(math.isfinite(u) for u in summary["utilities"].values())
    elif out.exists():
        assert json.loads((out / "manifest.json").read_text())["status"] != "complete"


@SETTINGS
@given(
    path=hs.sampled_from(ALL_PATHS),
    op=hs.sampled_from(["delete", "retype", "rename", "nest"]),
    value=hs.sampled_from(ODD_VALUES),
)
def test_mutated_configs(negotiate, tmp_path_factory, path, op, value):
    tmp = tmp_path_factory.mktemp("m")
    data = mutate(BASE, path, op, value)
    check(negotiate, tmp, yaml.safe_dump(data, allow_unicode=True))


@SETTINGS
@given(cut=hs.integers(0, 2000), junk=hs.binary(min_size=1, max_size=8), dup=hs.integers(0, 60))
def test_mangled_text(negotiate, tmp_path_factory, cut, junk, dup):
    tmp = tmp_path_factory.mktemp("t")
    text = (CONFIGS / "teaching_trade.yaml").read_bytes()
    lines = text.splitlines(keepends=True)
    k = dup % len(lines)
    duplicated = b"".join(lines[: k + 1] + [lines[k]] + lines[k + 1 :])
    for variant in (text[:cut], text[:cut] + junk + text[cut:], duplicated):
        check(negotiate, tmp, variant)


@settings(max_examples=40, deadline=None)
@given(
    args=hs.lists(
        hs.sampled_from(
            [
                "--draws",
                "--seed",
                "--workers",
                "--chunk-rows",
                "--grid",
                "--lhs",
                "--range",
                "--method",
                "--samples",
                "0",
                "-1",
                "3",
                "abc",
                "1e9",
                "nan",
                "US.reservation=0.5",
                "x=1",
                "sobol",
                "mc",
                "--json",
                "--quiet",
            ]
        ),
        max_size=6,
    )
)
def test_fuzzed_sweep_command_lines(negotiate, tmp_path_factory, args):
    tmp = tmp_path_factory.mktemp("c")
    full = ["sweep", CONFIGS / "teaching_split.yaml", "--out", tmp / "s", "--no-report", *args]
    if "--draws" not in args:
        full += ["--draws", "20"]
    result = negotiate(*full)
    assert result.exit_code in (0, 2), (args, result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
