"""The what-if explorer, ``/explore``: a researcher's page over ``negotiation.experiments.whatif``.

Pick a bundled or uploaded scenario; fix named parameters or keep their distributions; read the
odds of each outcome with 95% intervals, the agreement-day and agreed-terms bands, optionally
given a history's facts, and a heatmap over two parameters on request. The page fetches JSON:

- ``POST /explore/view.json``: one view (``whatif.view``), with the ``negotiate sweep`` command
  that prints the same numbers and a link to the view;
- ``POST /explore/heatmap.json``: the odds over a grid of two parameters (``whatif.heatmap``);
- ``POST /explore/upload``: an uploaded scenario, checked as the classroom checks one and kept
  in the data folder under a key made from its content (``explore/<key>/scenario.yaml``, and its
  file name in ``name.txt``);
- ``POST /explore/history.yaml``: the history box as a file, for the command's ``--given``.

The work runs in the request, one computation at a time per app (``Explorer``), each stopped
after ``timeout`` seconds; recent results are kept, so going back to a view is immediate.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import re
import threading
import time
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for

from negotiation.errors import ConfigError, UserError
from negotiation.experiments import whatif
from negotiation.experiments.executors import die_with_parent
from negotiation.experiments.history import check_history
from negotiation.scenario.loader import Loaded
from negotiation.scenario.yamlio import parse_yaml

from . import play
from .access import Refused
from .home import scenario_from_form

log = logging.getLogger(__name__)
bp = Blueprint("explore", __name__, url_prefix="/explore")

DEFAULT_SCENARIO = "nafta_2017"
MAX_DRAWS = 100_000  # draws of one view
CELL_DRAWS = (250, 500, 1000, 2000, 4000)  # the heatmap's choices of draws per cell
MAX_HISTORY_BYTES = 20_000
HISTORY_FILE = "history.yaml"  # the history box's name in messages and in the command
UPLOAD_KEY = re.compile(r"^upload:([0-9a-f]{16})$")
UPLOAD_TEXT, UPLOAD_NAME = "scenario.yaml", "name.txt"  # an upload's files in its folder
GROUPS = {"stakes": "Linked stakes", "coalitions": "Coalitions", "calendar": "Calendar", "shocks": "Shocks"}


class Busy(Exception):
    """The explorer is computing for someone else and did not finish within the wait."""


class Explorer:
    """One app's explorer: the uploaded scenarios (files under ``folder``), one computation at a
    time (stopped after ``timeout`` seconds; a request waits at most ``wait`` seconds for its
    turn) and the last ``keep`` results."""

    def __init__(self, folder: Path, timeout: float = 60.0, wait: float = 60.0, keep: int = 64, workers: int = 1):
        self.folder = Path(folder)
        self.timeout, self.wait, self.keep = timeout, wait, keep
        self.workers = workers  # worker processes sharing a computation's chunks (1: in the request)
        self._pool: ProcessPoolExecutor | None = None
        self._turn = threading.Lock()  # one computation at a time
        self._held = threading.Lock()  # guards the kept results
        self._results: OrderedDict = OrderedDict()

    def pool(self) -> ProcessPoolExecutor | None:
        """The worker processes (started at the first computation, then kept warm), or None
        with one worker. A pool whose worker died is replaced."""
        if self.workers <= 1:
            return None
        if self._pool is None or getattr(self._pool, "_broken", False):
            self._pool = ProcessPoolExecutor(  # its workers die with the server, however it ends
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=die_with_parent,
                initargs=(os.getpid(),),
            )
        return self._pool

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def save_upload(self, name: str, text: str) -> str:
        """Keep an uploaded scenario (its text, and its file name apart); return its key:
        ``upload:`` and 16 hex digits of the hash of both."""
        digest = hashlib.sha256(f"{name}\n{text}".encode()).hexdigest()[:16]
        where = self.folder / digest
        where.mkdir(parents=True, exist_ok=True)
        (where / UPLOAD_TEXT).write_text(text, encoding="utf-8")
        (where / UPLOAD_NAME).write_text(name, encoding="utf-8")
        return f"upload:{digest}"

    def upload(self, key: str) -> tuple[str, str] | None:
        """(file name, text) of an uploaded scenario, or None when ``key`` names none."""
        m = UPLOAD_KEY.match(key)
        where = self.folder / m.group(1) if m else None
        if where is None or not (where / UPLOAD_TEXT).is_file():
            return None
        return (where / UPLOAD_NAME).read_text(encoding="utf-8"), (where / UPLOAD_TEXT).read_text(encoding="utf-8")

    def _kept(self, key: tuple):
        with self._held:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
        return None

    def compute(self, key: tuple, work) -> tuple[dict, float, bool]:
        """``work(deadline)``'s result for ``key`` (a kept one if there is), the seconds it took
        and whether it was kept; Busy when the turn did not come within ``wait`` seconds."""
        kept = self._kept(key)
        if kept is not None:
            return (*kept, True)
        if not self._turn.acquire(timeout=self.wait):
            raise Busy()
        try:
            kept = self._kept(key)  # computed while this request waited
            if kept is not None:
                return (*kept, True)
            start = time.monotonic()
            result = work(start + self.timeout)
            seconds = time.monotonic() - start
            with self._held:
                self._results[key] = (result, seconds)
                while len(self._results) > self.keep:
                    self._results.popitem(last=False)
            return result, seconds, False
        finally:
            self._turn.release()


def explorer() -> Explorer:
    """The explorer of the app handling this request."""
    return current_app.extensions["classroom"]["explorer"]


# --- scenarios and request fields ----------------------------------------------------------------


def scenario(ref: str) -> tuple[Loaded, str]:
    """The scenario a page names (a bundled scenario's name, or an upload's key) and the name the
    command line gives it (the bundled name, or the uploaded file's name); Refused otherwise."""
    found = explorer().upload(ref) if ref.startswith("upload:") else play.bundled_text(ref)
    if found is None:
        said = f"{ref[:40]!r} is not a bundled scenario or a scenario uploaded to this server"
        raise Refused(f"{said}; choose one or upload it again.", 404)
    name, text = found
    try:
        loaded = play.load(text, name)
    except ConfigError as exc:  # a bundled scenario that no longer loads
        raise Refused("The scenario has problems:", 400, [str(p) for p in exc.problems]) from None
    return loaded, (ref if not ref.startswith("upload:") else name)


def _whole(raw: str | None, name: str, default: int, lo: int, hi: int) -> int:
    raw = (raw or "").strip().replace(",", "").replace("_", "")
    if not raw:
        return default
    if not re.fullmatch(r"\d{1,12}", raw) or not lo <= int(raw) <= hi:
        raise UserError(f"{name}: expected a whole number from {lo:,} to {hi:,}, got {raw[:40]!r}")
    return int(raw)


def history_of(text: str, loaded: Loaded):
    """The facts of the history box, checked against the scenario (None for an empty box);
    ConfigError with one line per problem (``history.yaml:LINE: key path: what is wrong``)."""
    if not text.strip():
        return None
    if len(text.encode()) > MAX_HISTORY_BYTES:
        raise UserError(f"{HISTORY_FILE}: the history is too long (at most {MAX_HISTORY_BYTES // 1000} kB)")
    data, lines = parse_yaml(text, HISTORY_FILE)
    return check_history(data, lines, HISTORY_FILE, loaded)


def _fields(source) -> dict:
    """The view's fields from a form or the query string: scenario, seed, draws, fixed values."""
    ref = source.get("scenario") or DEFAULT_SCENARIO
    loaded, config = scenario(ref)
    return {
        "ref": ref,
        "loaded": loaded,
        "config": config,
        "seed": _whole(source.get("seed"), "seed", 0, 0, 2**32 - 1),
        "draws": _whole(source.get("draws"), "draws", whatif.DEFAULT_DRAWS, 1, MAX_DRAWS),
        "fixed": whatif.parse_fixed(loaded, [f for f in source.getlist("fix") if f.strip()]),
    }


def _error(message: str, lines: list[str] | None = None, status: int = 400):
    return jsonify({"error": message, "lines": lines or []}), status


def _json_call(make):
    """Run ``make()`` for a JSON endpoint: user errors as ``{error, lines}`` with 400 (404 for an
    unknown scenario, 503 when busy), never a traceback."""
    try:
        return make()
    except ConfigError as exc:  # only the history box is read here (scenarios were checked on upload)
        return _error("The history has problems:", [str(p) for p in exc.problems])
    except UserError as exc:
        return _error(str(exc))
    except Refused as exc:
        return _error(exc.message, exc.lines, exc.status)
    except Busy:
        return _error("The server is busy with other computations; try again in a moment.", status=503)
    except Exception as exc:  # a bug: said on the page in one line, the traceback goes to the log
        log.exception("explorer computation failed")
        return _error(f"The computation failed: {type(exc).__name__}: {exc}", status=500)


# --- pages ---------------------------------------------------------------------------------------


@bp.get("")
def page():
    """The explorer for the scenario, seed, draws and fixed values in the query string."""
    try:
        return render_template("explore.html", **_context(_fields(request.args)))
    except Refused as exc:
        error, lines, status = exc.message, exc.lines, exc.status
    except UserError as exc:
        error, lines, status = str(exc), [], 400
    try:  # the scenario asked for, as written; else the default one
        f = _fields(_Only(scenario=request.args.get("scenario") or DEFAULT_SCENARIO))
    except Refused:
        f = _fields(_Only())
    return render_template("explore.html", **_context(f, error, lines)), status


class _Only(dict):
    """Fields with only the given keys, read as a form or query string is read."""

    def getlist(self, key):
        return [self[key]] if key in self else []


def _context(f: dict, error: str | None = None, lines: list[str] | None = None) -> dict:
    loaded = f["loaded"]
    st = loaded.structure
    controls = whatif.controls(loaded)
    groups: dict[str, dict] = {}
    for c in controls:
        g = c["group"]
        if g not in groups:
            title = f"{g} · {play.party_name(loaded, g)}" if g in st.parties else GROUPS.get(g, g)
            groups[g] = {"id": g, "title": title, "controls": []}
        groups[g]["controls"].append(c)
    page_data = {
        "scenario": f["ref"],
        "config": f["config"],
        "seed": f["seed"],
        "draws": f["draws"],
        "fixed": {n: whatif.value_text(v) for n, v in f["fixed"].items()},
        "outcomes": [{"name": o, "label": play.outcome_label(loaded, o)} for o in st.outcomes],
        "start": play.day_text(st.start_day),
        "horizon": play.day_text(st.horizon_day),
        "own_sweep": loaded.scenario.sweep is not None,
        "cell_draws": CELL_DRAWS,
        "view_url": url_for("explore.view_json"),
        "heatmap_url": url_for("explore.heatmap_json"),
        "page_url": url_for("explore.page"),
    }
    bundled = play.bundled()
    return {
        "scenarios": bundled,
        "current": f["ref"],
        "uploaded": None if any(s["stem"] == f["ref"] for s in bundled) else f["config"],
        "title": loaded.scenario.name or f["config"],
        "groups": list(groups.values()),
        "controls": controls,
        "fixed": page_data["fixed"],
        "seed": f["seed"],
        "draws": f["draws"],
        "max_draws": MAX_DRAWS,
        "cell_draws": CELL_DRAWS,
        "page_data": page_data,
        "chapters": st.closing == "chapters",
        "example_history": example_history(loaded),
        "history_file": HISTORY_FILE,
        "error": error,
        "error_lines": lines or [],
    }


def example_history(loaded: Loaded) -> str:
    """A history the box shows as its placeholder: two facts dated two months into the talks."""
    st = loaded.structure
    day = play.day_text(min(st.start_day + 60, st.horizon_day))
    return f"as_of: {day}\nfacts:\n  - {{agreement: none, by: {day}}}\n  - {{notice: none, by: {day}}}"


@bp.post("/upload")
def upload():
    """Check an uploaded scenario (the classroom's size limit and messages) and open it."""
    try:
        name, text = scenario_from_form("Nothing was loaded.")
        play.load(text, name)
    except ConfigError as exc:
        return _upload_error("The scenario has problems; nothing was loaded:", [str(p) for p in exc.problems])
    except Refused as exc:
        return _upload_error(exc.message, exc.lines, exc.status)
    key = explorer().save_upload(name, text)
    return redirect(url_for("explore.page", scenario=key), 303)


def _upload_error(message: str, lines: list[str], status: int = 400):
    f = _fields(_Only())
    return render_template("explore.html", **_context(f, message, lines)), status


@bp.post("/view.json")
def view_json():
    """One view: ``{view, command, link, seconds, kept}`` or ``{error, lines}``."""

    def make():
        f = _fields(request.form)
        text = request.form.get("history", "")
        history = history_of(text, f["loaded"])
        key = ("view", f["ref"], f["seed"], f["draws"], tuple(sorted(f["fixed"].items())), text.strip())

        def work(deadline):
            return whatif.view(
                f["loaded"], f["fixed"], f["seed"], f["draws"], history, deadline, pool=explorer().pool()
            )

        result, seconds, kept = explorer().compute(key, work)
        grid = {n: [v] for n, v in f["fixed"].items()}
        given = HISTORY_FILE if history is not None else None
        link = url_for(
            "explore.page",
            scenario=f["ref"],
            seed=f["seed"],
            draws=f["draws"],
            fix=whatif.grid_options(grid),
            _external=True,
        )
        return jsonify(
            {
                "view": result,
                "command": whatif.sweep_command(f["config"], f["draws"], f["seed"], grid, given),
                "link": link,
                "seconds": round(seconds, 2),
                "kept": kept,
            }
        )

    return _json_call(make)


@bp.post("/heatmap.json")
def heatmap_json():
    """The odds over a grid of two parameters: ``{heatmap, command, seconds, kept}`` or ``{error, lines}``."""

    def make():
        f = _fields(request.form)
        text = request.form.get("history", "")
        history = history_of(text, f["loaded"])
        x, y = request.form.get("x", ""), request.form.get("y", "")
        draws = _whole(request.form.get("cell_draws"), "draws per cell", CELL_DRAWS[2], 1, CELL_DRAWS[-1])
        key = ("heatmap", f["ref"], f["seed"], draws, x, y, tuple(sorted(f["fixed"].items())), text.strip())

        def work(deadline):
            return whatif.heatmap(
                f["loaded"], x, y, f["fixed"], f["seed"], draws, history, deadline, pool=explorer().pool()
            )

        result, seconds, kept = explorer().compute(key, work)
        given = HISTORY_FILE if history is not None else None
        command = whatif.sweep_command(f["config"], draws, f["seed"], result["grid"], given)
        return jsonify({"heatmap": result, "command": command, "seconds": round(seconds, 2), "kept": kept})

    return _json_call(make)


@bp.post("/history.yaml")
def history_file():
    """The history box as ``history.yaml``, the file the command's ``--given`` reads."""
    text = request.form.get("history", "")
    if len(text.encode()) > MAX_HISTORY_BYTES:
        raise Refused(f"{HISTORY_FILE}: the history is too long (at most {MAX_HISTORY_BYTES // 1000} kB)")
    text = text.replace("\r\n", "\n")
    resp = Response(text if text.endswith("\n") or not text else text + "\n", mimetype="text/yaml")
    resp.headers["Content-Disposition"] = f'attachment; filename="{HISTORY_FILE}"'
    return resp
