"""Helpers of the classroom tests: a browser-like client, rooms, teams joining, turns and decisions."""

from __future__ import annotations

import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

from werkzeug.exceptions import HTTPException

from negotiation.classroom.access import csrf_scope, form_token
from negotiation.classroom.app import CSRF_COOKIE, DB_NAME
from negotiation.classroom.play import load

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
MC_DRAWS = 300


class Inputs(HTMLParser):
    """The named inputs of a page (first value of each name) and whether #your-turn is there."""

    def __init__(self, html: str):
        super().__init__()
        self.values: dict[str, str] = {}
        self.your_turn = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id") == "your-turn":
            self.your_turn = True
        if tag == "input" and a.get("name") and a["name"] not in self.values:
            self.values[a["name"]] = a.get("value") or ""


def text(resp) -> str:
    return resp.get_data(as_text=True)


def dump(app) -> dict:
    """Every row of the tables a refused request must leave alone."""
    db = sqlite3.connect(Path(app.config["DATA_DIR"]) / DB_NAME)
    try:
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in ("rooms", "seats", "actions")}
    finally:
        db.close()


class Client:
    """A browser-like client: keeps its cookies and sends the CSRF token with every form.

    ``instructor``: the browser opened the instructor link first, so it may create rooms.
    """

    def __init__(self, app, instructor=False):
        self.app = app
        self.c = app.test_client()
        self.c.get("/")
        if instructor:
            assert self.c.get(f"/instructor/{app.config['ADMIN_KEY']}").status_code == 303

    @property
    def csrf(self) -> str:
        """The browser's CSRF cookie."""
        return self.c.get_cookie(CSRF_COOKIE).value

    def token(self, url) -> str:
        """The CSRF token the page of a form posting to ``url`` carries (bound to the secret in ``url``)."""
        try:
            _, args = self.app.url_map.bind("localhost").match(url.split("?")[0], method="POST")
        except HTTPException:  # no such page: any token will do
            args = {}
        with self.app.app_context():
            return form_token(self.csrf, csrf_scope(args))

    def get(self, url, **kw):
        return self.c.get(url, **kw)

    def post(self, url, data=None, csrf=True, **kw):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf", self.token(url))
        return self.c.post(url, data=data, **kw)


def instructor(app) -> Client:
    """A browser that may create rooms (it opened the instructor link ``negotiate serve`` prints)."""
    return Client(app, instructor=True)


def store(app):
    return app.extensions["classroom"]["store"]


def create_room(app, scenario="teaching_split", teams=None, seed="1", draw="0", open_room=True):
    teacher = instructor(app)
    r = teacher.post("/rooms", {"scenario": scenario, "seed": seed, "draw": draw})
    assert r.status_code == 303, text(r)
    secret = re.search(r"/i/([^/?]+)", r.headers["Location"]).group(1)
    loaded = load((CONFIGS / f"{scenario}.yaml").read_text(), f"{scenario}.yaml")
    teams = list(loaded.structure.parties) if teams is None else teams
    r = teacher.post(f"/i/{secret}/teams", {"team": teams, "open": "1" if open_room else "0"})
    assert r.status_code == 303, text(r)
    code = store(app).room_by_secret(secret).join_code
    return teacher, secret, code


def join(app, code, party, team=None):
    c = Client(app)
    r = c.post("/join", {"code": code})
    assert r.status_code == 200 and f'value="{party}"' in text(r), text(r)
    r = c.post("/join", {"code": code, "party": party, "team": team or f"Team {party}"})
    assert r.status_code == 303, text(r)
    token = r.headers["Location"].rsplit("/", 1)[1]
    return c, token


def turn(client, token) -> dict | None:
    """The hidden fields of the team's pending decision, or None when it is not its turn."""
    page = Inputs(text(client.get(f"/t/{token}")))
    return page.values if page.your_turn else None


def act(client, token, decision=None, offer=None, fields=None, **extra):
    """Submit the team's pending decision (``fields``: the page's hidden fields, read now if None)."""
    fields = fields if fields is not None else turn(client, token)
    assert fields is not None, "not this team's turn"
    data = {k: fields[k] for k in ("seq", "party", "kind", "round") if k in fields}
    if "proposer" in fields:
        data["proposer"] = fields["proposer"]
    if offer is not None:
        data.update({f"issue:{k}": v for k, v in offer.items()})
        data["do"] = "send"
    if decision is not None:
        data["decision"] = decision
    data.update(extra)
    return client.post(f"/t/{token}/act", data)


def play_split(app, teams, b_prices=(30, 35, 40), s_prices=(70, 65), accept_from=2, stop_after=None):
    """Both teams play the split case: B opens; everyone rejects before round ``accept_from``."""
    prices = {"B": list(b_prices), "S": list(s_prices)}
    n = 0
    for _ in range(40):
        moved = False
        for party, (client, token) in teams.items():
            fields = turn(client, token)
            if fields is None:
                continue
            if fields["kind"] == "offer":
                r = act(client, token, offer={"price": str(prices[party].pop(0))}, fields=fields)
            else:
                r = act(client, token, decision="yes" if int(fields["round"]) >= accept_from else "no", fields=fields)
            assert r.status_code == 303, text(r)
            moved = True
            n += 1
            if stop_after is not None and n >= stop_after:
                return n
        if not moved:
            return n
    raise AssertionError("the game did not end")


def wait_mc(app, secret):
    room = store(app).room_by_secret(secret)
    app.extensions["classroom"]["runner"].ensure(room.id)
    app.extensions["classroom"]["runner"].wait(room.id, 60)
    assert store(app).montecarlo(room.id)["result"] is not None
