"""The app factory: every blueprint and its routes are registered; the pages read names, not codes."""

from __future__ import annotations

import json
import re

from negotiation.classroom import play
from negotiation.classroom.play import outcome_label
from negotiation.kernel.codes import Shape, outcome_names
from tests.classroom.helpers import act, create_room, join, store, text

# Every route of the app: (rule, endpoint, methods). A route added or moved must be added here.
ROUTES = {
    ("/", "home.index", "GET"),
    ("/rooms", "home.create_room", "POST"),
    ("/instructor/<key>", "home.instructor", "GET"),
    ("/join", "join.form", "GET"),
    ("/join", "join.submit", "POST"),
    ("/i/<secret>", "instructor.page", "GET"),
    ("/i/<secret>/teams", "instructor.set_teams", "POST"),
    ("/i/<secret>/code", "instructor.join_code", "POST"),
    ("/i/<secret>/free", "instructor.free_seat", "POST"),
    ("/i/<secret>/state.json", "instructor.state", "GET"),
    ("/t/<token>", "team.page", "GET"),
    ("/t/<token>/act", "team.act", "POST"),
    ("/t/<token>/state.json", "team.state", "GET"),
    ("/i/<secret>/debrief", "debrief.instructor", "GET"),
    ("/t/<token>/debrief", "debrief.team", "GET"),
    ("/i/<secret>/export.json", "downloads.room_json", "GET"),
    ("/i/<secret>/rounds.csv", "downloads.room_rounds", "GET"),
    ("/i/<secret>/actions.csv", "downloads.room_actions", "GET"),
    ("/admin/<key>/export.json", "downloads.all_json", "GET"),
    ("/admin/<key>/rounds.csv", "downloads.all_rounds", "GET"),
    ("/admin/<key>/actions.csv", "downloads.all_actions", "GET"),
    ("/admin/<key>", "admin.rooms", "GET"),
    ("/explore", "explore.page", "GET"),
    ("/explore/upload", "explore.upload", "POST"),
    ("/explore/view.json", "explore.view_json", "POST"),
    ("/explore/heatmap.json", "explore.heatmap_json", "POST"),
    ("/explore/history.yaml", "explore.history_file", "POST"),
    ("/c/<secret>", "classes.page", "GET"),
    ("/c/<secret>/teams", "classes.set_teams", "POST"),
    ("/c/<secret>/rooms", "classes.add_room", "POST"),
    ("/c/<secret>/state.json", "classes.state", "GET"),
    ("/c/<secret>/export.json", "classes.export_json", "GET"),
    ("/c/<secret>/results.csv", "classes.export_csv", "GET"),
    ("/static/<path:filename>", "static", "GET"),
}


def test_every_blueprint_and_route_is_registered(app):
    assert set(app.blueprints) == {
        "home",
        "instructor",
        "join",
        "team",
        "debrief",
        "downloads",
        "admin",
        "explore",
        "classes",
    }
    routes = {
        (rule.rule, rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == ROUTES
    # every blueprint serves at least one route
    assert {endpoint.split(".")[0] for _, endpoint, _ in ROUTES if "." in endpoint} == set(app.blueprints)


def test_two_apps_share_no_state(tmp_path):
    """Blueprints are module objects: each app still has its own store and admin key."""
    from negotiation.classroom import create_app

    first, second = create_app(tmp_path / "one", mc_draws=10), create_app(tmp_path / "two", mc_draws=10)
    assert first.extensions["classroom"]["store"] is not second.extensions["classroom"]["store"]
    assert first.config["ADMIN_KEY"] != second.config["ADMIN_KEY"]
    key = first.config["ADMIN_KEY"]
    assert first.test_client().get(f"/admin/{key}").status_code == 200
    assert second.test_client().get(f"/admin/{key}").status_code == 404


def brief_data(page: str) -> dict:
    """The JSON the offer form's script reads (the team's brief)."""
    found = re.search(r'<script type="application/json" id="brief-data">(.*?)</script>', page, re.S)
    assert found, "no brief data on the page"
    return json.loads(found.group(1))


def test_the_offer_form_gives_the_script_shape_names(app):
    """Canada in NAFTA (concave on autos): the page's data names each continuous issue's shape,
    as kernel.codes.Shape spells it, and the brief says it in words."""
    _, secret, code = create_room(app, "nafta_2017", teams=["CA"])
    client, token = join(app, code, "CA")
    assert act(client, token, decision="no").status_code == 303  # the US (computer) opened; now Canada offers
    page = text(client.get(f"/t/{token}"))
    data = brief_data(page)

    loaded = play.room_loaded(store(app).room_by_secret(secret))
    st = loaded.structure
    p = st.parties.index("CA")
    expected = {st.issues[i]: Shape(int(st.shape[p, i])).name.lower() for i in st.cont}
    shapes = {it["issue"]: it["shape"] for it in data["issues"] if "values" not in it}
    assert shapes == expected
    assert set(shapes.values()) <= {s.name.lower() for s in Shape}
    assert "concave" in shapes.values()  # not vacuous: Canada's autos are concave
    assert "concave (tolerant near your ideal)" in page
    # discrete issues give option values by name, no shape
    assert all("shape" not in it for it in data["issues"] if "values" in it)


def test_outcome_labels_come_from_the_outcome_names():
    loaded = play.load(play.bundled_text("teaching_trade")[1], "teaching_trade.yaml")
    names, _ = outcome_names(loaded.structure.parties)
    labels = [outcome_label(loaded, name) for name in names]
    assert labels == [
        "deal (everyone signs)",
        "bilateral deal A–B",
        "bilateral deal A–C",
        "bilateral deal B–C",
        "termination (a withdrawal took effect)",
        "stalemate (the status quo stays)",
    ]
    assert outcome_label(loaded, "bilateral_A_Z") == "bilateral_A_Z" and outcome_label(loaded, "odd") == "odd"
