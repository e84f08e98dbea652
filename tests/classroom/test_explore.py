"""The explorer's blueprint (``/explore``) through Flask's test client: the page and its headers,
the JSON views equal ``whatif.view`` and name the command and link that reproduce them, uploads are
checked as the classroom checks them, and every refusal is a message, never a traceback."""

from __future__ import annotations

import io
import json
import re
from urllib.parse import parse_qs, urlparse

import pytest

from negotiation.classroom.access import CONTENT_SECURITY_POLICY
from negotiation.classroom.home import MAX_YAML_BYTES
from negotiation.experiments import whatif
from tests.classroom.helpers import CONFIGS, Client, text
from tests.helpers import DATA

MULTIPART = "multipart/form-data"
HISTORY = (DATA / "history_nafta_2017-11-30.yaml").read_text()


def page_data(page: str) -> dict:
    """The JSON the explorer's script reads."""
    found = re.search(r'<script type="application/json" id="explore-data">(.*?)</script>', page, re.S)
    assert found, "no explorer data on the page"
    return json.loads(found.group(1))


def view(client, **fields):
    data = {"scenario": "nafta_2017", "seed": "3", "draws": "400", **fields}
    return client.post("/explore/view.json", data)


def test_the_page_has_a_control_per_parameter_and_no_outside_resource(app):
    c = Client(app)
    r = c.get("/explore?scenario=nafta_2017&seed=4&draws=5000&fix=US.reservation%3D0.7")
    assert r.status_code == 200
    assert r.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["Cache-Control"] == "no-store"
    page = text(r)
    names = re.findall(r'<div class="ctl[^"]*" data-name="([^"]+)"', page)
    assert len(names) == 74 and names[0] == "US.auto_rvc.weight" and names[-1] == "calendar.extension_gap_days"
    assert re.search(r'<div class="ctl fixed" data-name="US.reservation">', page)
    assert 'src="/static/explore.js"' in page and 'href="/static/style.css"' in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing from elsewhere
    assert "<script>" not in page  # no inline script: the policy forbids it
    data = page_data(page)
    assert data["scenario"] == "nafta_2017" and data["seed"] == 4 and data["draws"] == 5000
    assert data["fixed"] == {"US.reservation": "0.7"}
    assert [o["name"] for o in data["outcomes"]][0] == "deal" and data["start"] == "2017-08-16"
    assert "/explore" in text(c.get("/"))  # the front page links here


def test_a_view_equals_whatif_and_names_its_command_and_link(app, nafta):
    c = Client(app)
    r = view(c, fix=["calendar.max_extensions=2", "US.reservation=0.70"])
    assert r.status_code == 200 and r.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    d = r.get_json()
    expected = whatif.view(nafta, {"US.reservation": 0.7, "calendar.max_extensions": 2.0}, seed=3, draws=400)
    assert d["view"]["outcomes"] == expected["outcomes"] and d["view"]["terms"] == expected["terms"]
    assert d["command"] == (
        "negotiate sweep nafta_2017 --draws 400 --seed 3 --grid US.reservation=0.7 --grid calendar.max_extensions=2"
    )
    link = urlparse(d["link"])
    assert link.path == "/explore"
    assert parse_qs(link.query) == {
        "scenario": ["nafta_2017"],
        "seed": ["3"],
        "draws": ["400"],
        "fix": ["US.reservation=0.7", "calendar.max_extensions=2"],  # in the scenario's order
    }
    assert d["kept"] is False
    again = view(c, fix=["US.reservation=0.7", "calendar.max_extensions=2.0"]).get_json()
    assert again["kept"] is True and again["view"] == d["view"]  # the same view, kept


def test_a_view_given_the_history_and_its_file(app):
    c = Client(app)
    d = view(c, history=HISTORY).get_json()
    assert d["command"].endswith(" --given history.yaml")
    given = d["view"]["given"]
    assert 0 < given["matched"] < 400 and sum(o["n"] for o in given["outcomes"].values()) == given["matched"]
    r = c.post("/explore/history.yaml", {"history": HISTORY.replace("\n", "\r\n")})
    assert r.status_code == 200 and r.headers["Content-Disposition"] == 'attachment; filename="history.yaml"'
    assert text(r) == HISTORY


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"history": "facts:\n  - {agreement: maybe, by: 2017-11-30}\n"}, 400, "history.yaml:2: facts[0].agreement"),
        ({"history": "facts: [\n"}, 400, "history.yaml:"),
        ({"history": "facts:\n  - {agreement: deal, by: 2017-08-20}\n"}, 400, "no draw of 400 agrees with every fact"),
        ({"fix": "US.reservation=1.5"}, 400, "outside its allowed range [0, 1]"),
        ({"fix": "nope=1"}, 400, "names nothing in the scenario"),
        ({"draws": "0"}, 400, "draws: expected a whole number from 1 to 100,000"),
        ({"seed": "-1"}, 400, "seed: expected a whole number"),
        ({"scenario": "../configs/nafta_2017"}, 404, "is not a bundled scenario or a scenario uploaded"),
        ({"scenario": "upload:0123456789abcdef"}, 404, "upload it again"),
    ],
)
def test_bad_views_are_refused_with_a_message(app, fields, status, message):
    r = view(Client(app), **fields)
    assert r.status_code == status
    d = r.get_json()
    said = " ".join([d["error"], *d["lines"]])
    assert message in said and "Traceback" not in said
    assert "\n" not in d["error"] and all("\n" not in line for line in d["lines"])


def test_a_heatmap_from_the_endpoint(app, nafta):
    c = Client(app)
    data = {"scenario": "nafta_2017", "seed": "3", "draws": "20000"}
    data.update(x="US.reservation", y="calendar.max_extensions")
    r = c.post("/explore/heatmap.json", dict(data, cell_draws="100", fix="CA.reservation=0.5"))
    d = r.get_json()
    assert r.status_code == 200, d
    h = whatif.heatmap(nafta, "US.reservation", "calendar.max_extensions", {"CA.reservation": 0.5}, seed=3, draws=100)
    assert d["heatmap"]["cells"] == h["cells"]
    assert d["command"] == (
        "negotiate sweep nafta_2017 --draws 100 --seed 3 --grid US.reservation=0.55,0.625,0.7,0.775,0.85 "
        "--grid calendar.max_extensions=1,2,3 --grid CA.reservation=0.5"
    )
    r = c.post("/explore/heatmap.json", dict(data, cell_draws="250", y="US.reservation"))
    assert r.status_code == 400 and "two different parameters" in r.get_json()["error"]
    r = c.post("/explore/heatmap.json", dict(data, cell_draws="99999"))
    assert r.status_code == 400 and "draws per cell" in r.get_json()["error"]


def test_forms_without_the_csrf_token_are_refused(app):
    c = Client(app)
    for url in ("/explore/view.json", "/explore/heatmap.json", "/explore/upload", "/explore/history.yaml"):
        assert c.post(url, {"scenario": "nafta_2017"}, csrf=False).status_code == 403


def test_a_busy_or_slow_explorer_says_so(app, tmp_path):
    from negotiation.classroom import create_app

    c = Client(app)
    explorer = app.extensions["classroom"]["explorer"]
    explorer.wait = 0.0
    with explorer._turn:  # another request is computing
        r = view(c)
    assert r.status_code == 503 and "busy" in r.get_json()["error"]
    slow = create_app(tmp_path / "slow", mc_draws=10, explore_timeout=-1.0)  # every computation is past its time
    r = view(Client(slow))
    assert r.status_code == 400 and "ask for fewer draws" in r.get_json()["error"]


def test_an_uploaded_scenario_is_kept_and_explored(app):
    body = (CONFIGS / "teaching_trade.yaml").read_bytes()
    c = Client(app)
    r = c.post("/explore/upload", {"upload": (io.BytesIO(body), "../my trade.yaml")}, content_type=MULTIPART)
    assert r.status_code == 303
    key = parse_qs(urlparse(r.headers["Location"]).query)["scenario"][0]
    assert re.fullmatch(r"upload:[0-9a-f]{16}", key)
    page = text(c.get(r.headers["Location"]))
    assert "my trade.yaml (uploaded)" in page and page_data(page)["config"] == "my trade.yaml"
    d = c.post("/explore/view.json", {"scenario": key, "seed": "1", "draws": "200"}).get_json()
    assert d["command"] == "negotiate sweep 'my trade.yaml' --draws 200 --seed 1"
    assert sum(o["n"] for o in d["view"]["outcomes"].values()) == 200
    # kept on disk: a new app over the same data folder still has it
    from negotiation.classroom import create_app

    again = create_app(app.config["DATA_DIR"], mc_draws=10)
    assert "my trade.yaml (uploaded)" in text(Client(again).get(r.headers["Location"]))
    # a file name that is not a name still gives a scenario (its text is kept apart from its name)
    r = c.post("/explore/upload", {"upload": (io.BytesIO(body), "..")}, content_type=MULTIPART)
    assert r.status_code == 303 and "upload.yaml (uploaded)" in text(c.get(r.headers["Location"]))


@pytest.mark.parametrize(
    ("name", "body", "status", "message"),
    [
        ("big.yaml", b"# " + b"x" * (MAX_YAML_BYTES + 10) + b"\n", 400, "The uploaded file is too large: at most 200"),
        ("latin.yaml", "name: caf\xe9\n".encode("latin-1"), 400, "latin.yaml: not UTF-8 text. Nothing was loaded."),
        ("empty.yaml", b"  \n", 400, "empty.yaml: the file is empty. Nothing was loaded."),
        ("bad.yaml", b"name: [unclosed\n", 400, "The scenario has problems; nothing was loaded:"),
        ("evil.yaml", b"!!python/object/apply:os.system ['true']\n", 400, "The scenario has problems"),
        ("huge.yaml", b"# " + b"x" * 2_000_000, 413, "too large"),
    ],
)
def test_bad_uploads_are_refused_as_the_classroom_refuses_them(app, name, body, status, message):
    c = Client(app)
    r = c.post("/explore/upload", {"upload": (io.BytesIO(body), name)}, content_type=MULTIPART)
    assert r.status_code == status
    page = text(r)
    assert message in page and "Traceback" not in page
    assert not list((app.extensions["classroom"]["explorer"].folder).glob("*"))


def test_an_invalid_scenario_lists_each_problem_with_its_line(app):
    body = (CONFIGS / "teaching_split.yaml").read_text().replace("range: [0, 100]", "range: [100, 0]")
    r = Client(app).post(
        "/explore/upload", {"upload": (io.BytesIO(body.encode()), "mine.yaml")}, content_type=MULTIPART
    )
    assert r.status_code == 400
    assert re.search(r"<code>mine\.yaml:\d+: issues\.price: range low \(100\.0\) must be below high", text(r))


def test_a_page_with_bad_fields_says_so_and_shows_the_scenario(app):
    c = Client(app)
    r = c.get("/explore?scenario=teaching_trade&fix=A.reservashun%3D1")
    assert r.status_code == 400
    page = text(r)
    assert "names nothing in the scenario" in page and page_data(page)["scenario"] == "teaching_trade"
    r = c.get("/explore?scenario=nope")
    assert r.status_code == 404 and "is not a bundled scenario" in text(r)
    assert page_data(text(r))["scenario"] == "nafta_2017"


def test_a_scenario_with_its_own_sweep_section_is_viewed_as_written(app):
    """With nothing fixed the view is the scenario as written (one point), not its sweep: design;
    the page knows, to say that the printed command would run the design."""
    body = (CONFIGS / "teaching_trade.yaml").read_text() + "\nsweep:\n  grid:\n    A.reservation: [0.3, 0.5]\n"
    c = Client(app)
    r = c.post("/explore/upload", {"upload": (io.BytesIO(body.encode()), "swept.yaml")}, content_type=MULTIPART)
    assert r.status_code == 303
    key = parse_qs(urlparse(r.headers["Location"]).query)["scenario"][0]
    assert page_data(text(c.get(r.headers["Location"])))["own_sweep"] is True
    d = c.post("/explore/view.json", {"scenario": key, "seed": "1", "draws": "100"}).get_json()
    assert sum(o["n"] for o in d["view"]["outcomes"].values()) == 100
    assert d["command"] == "negotiate sweep swept.yaml --draws 100 --seed 1"
