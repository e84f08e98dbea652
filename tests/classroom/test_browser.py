"""The classroom in a real browser: Playwright driving Debian's Chromium against the server in a thread.

An instructor creates a room, two teams in separate browser contexts join and play the split-the-price
case to a deal, and the debrief shows it; a class of rooms and its dashboard; accepting less than the
walk-away asks for confirmation (scripts off). Screenshots of each page go to $CLASSROOM_SCREENSHOTS
(or a pytest tmp folder). Skipped, with the reason, without Chromium or the playwright package.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install -y chromium)")
playwright_sync = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
waitress = pytest.importorskip("waitress", reason="waitress is not installed")

PASSPHRASE = "blue heron at dawn"  # the instructor's, typed in the front page's form
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def server(tmp_path):
    from negotiation.classroom import create_app

    app = create_app(tmp_path / "data", mc_draws=500, instructor_passphrase=PASSPHRASE)
    srv = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.effective_port}"
    finally:
        srv.close()
        thread.join(5)


@pytest.fixture
def browser():
    with playwright_sync.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("CLASSROOM_SCREENSHOTS") or tmp_path / "screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _goto(page, url: str) -> None:
    """Open ``url``; the instructor page reloads itself when the game moves, and a reload that
    starts while we navigate interrupts the navigation: then wait for the page to settle and
    check it is the page we asked for."""
    try:
        page.goto(url)
    except playwright_sync.Error as exc:
        if "interrupted by another navigation" not in str(exc):
            raise
        page.wait_for_load_state()
        assert page.url == url


def _offline(page, base: str, seen: list):
    """Record every request that leaves the app (there must be none)."""
    page.on("request", lambda req: None if req.url.startswith(base) else seen.append(req.url))


def test_two_teams_play_to_a_deal(server, browser, shots):
    base = server
    outside: list[str] = []
    errors: list[str] = []

    teacher = browser.new_context(viewport={"width": 1280, "height": 900})
    page = teacher.new_page()
    _offline(page, base, outside)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "/")
    page.screenshot(path=shots / "01-home.png", full_page=True)
    page.check("input[name=scenario][value=teaching_split]")
    page.fill("#passphrase", PASSPHRASE)
    page.click("text=Create room")
    page.wait_for_url(re.compile(r"/i/"))
    page.screenshot(path=shots / "02-setup.png", full_page=True)
    # only the first party is ticked until the instructor chooses
    assert page.is_checked("input[name=team][value=B]") and not page.is_checked("input[name=team][value=S]")
    page.check("input[name=team][value=S]")
    page.click("text=Save and open the room")
    code = page.inner_text("#join-code").strip()
    assert re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", code)
    instructor_url = page.url

    teams = {}
    for party, name in (("B", "Buyers of Room 101"), ("S", "Sellers United")):
        ctx = browser.new_context(viewport={"width": 1200, "height": 900})
        tp = ctx.new_page()
        _offline(tp, base, outside)
        tp.on("pageerror", lambda exc: errors.append(str(exc)))
        tp.goto(base + "/join")
        tp.fill("#code", code.lower())
        tp.click("text=Continue")
        if party == "B":
            tp.screenshot(path=shots / "03-join-choose.png", full_page=True)
        tp.check(f"input[name=party][value={party}]")
        tp.fill("#team", name)
        tp.click("button:has-text('Join')")
        tp.wait_for_url(re.compile(r"/t/"))
        teams[party] = tp
    _goto(page, instructor_url)
    page.screenshot(path=shots / "04-instructor-open.png", full_page=True)
    assert "Buyers of Room 101" in page.content()

    buyer = teams["B"]
    buyer.reload()
    assert buyer.is_visible("#your-turn")
    assert "Your confidential brief" in buyer.content()
    # A price out of range is refused with a message, and nothing is recorded.
    buyer.fill("input[name='issue:price']", "150")
    assert buyer.inner_text("#live-u") == "–"
    buyer.click("button:has-text('Send offer')")
    assert "expected a number from 0 to 100" in buyer.inner_text(".alert.error")
    buyer.screenshot(path=shots / "05-refused.png", full_page=True)
    # The live utility follows the control.
    buyer.fill("input[name='issue:price']", "30")
    assert buyer.inner_text("#live-u") == "0.70"
    buyer.screenshot(path=shots / "06-offer.png", full_page=True)
    buyer.click("button:has-text('Send offer')")
    assert "Recorded: your offer" in buyer.content()

    prices = {"B": [35, 40], "S": [70, 65]}
    shot_done = set()
    for _ in range(20):
        moved = False
        for party, tp in teams.items():
            tp.reload()
            if tp.is_visible("text=The negotiation is over"):
                continue
            if not tp.is_visible("#your-turn"):
                if "waiting" not in shot_done:
                    tp.screenshot(path=shots / "07-waiting.png", full_page=True)
                    shot_done.add("waiting")
                continue
            heading = tp.inner_text("#your-turn h2")
            if "make an offer" in heading:
                tp.fill("input[name='issue:price']", str(prices[party].pop(0)))
                tp.click("button:has-text('Send offer')")
            else:
                rnd = int(tp.get_attribute("input[name=round]", "value"))
                if "respond" not in shot_done:
                    tp.screenshot(path=shots / "08-respond.png", full_page=True)
                    shot_done.add("respond")
                tp.click("button:has-text('Accept')" if rnd >= 2 else "button:has-text('Reject')")
            moved = True
        if not moved:
            break
    for tp in teams.values():
        tp.reload()
        assert tp.is_visible("text=The negotiation is over")
    buyer.screenshot(path=shots / "09-team-over.png", full_page=True)

    buyer.click("text=Open the debrief")
    buyer.wait_for_selector("#outcome")
    assert "deal" in buyer.inner_text("#outcome")
    buyer.wait_for_function("!document.getElementById('mc-wait')", timeout=15000)
    text = buyer.inner_text("main")
    assert "Percentile" in text and "40.0 $k" in text
    assert buyer.locator("svg.chart").count() == 2
    buyer.screenshot(path=shots / "10-debrief.png", full_page=True)

    _goto(page, instructor_url)
    page.screenshot(path=shots / "11-instructor-over.png", full_page=True)
    page.click("text=Open the debrief")
    page.wait_for_selector("#outcome")
    page.screenshot(path=shots / "12-instructor-debrief.png", full_page=True)

    assert outside == [], f"requests left the app: {outside}"
    assert errors == [], f"script errors: {errors}"


OFFERS = [  # the US's offers in natural units: rules of origin %, dairy %, panels, procurement x, sunset
    {"auto_rvc": "85", "dairy": "3.5", "dispute_panels": "opt_in", "procurement": "0.5", "sunset": "review"},
    {"auto_rvc": "62.5", "dairy": "0", "dispute_panels": "keep", "procurement": "1.7", "sunset": "none"},
    {"auto_rvc": "75", "dairy": "10", "dispute_panels": "eliminate", "procurement": "0", "sunset": "expiry_5y"},
]


@pytest.mark.parametrize("party", ["US", "CA"])
def test_live_utility_in_the_page_equals_the_servers(server, browser, shots, party):
    """NAFTA with one party played by a team (the US: linear values; Canada: concave on autos),
    options and linked stakes: the script's utility as the controls move equals the server's
    Preview (read with scripts off)."""
    base = server
    page = browser.new_context().new_page()
    page.goto(base + "/")
    page.check("input[name=scenario][value=nafta_2017]")
    page.fill("#passphrase", PASSPHRASE)
    page.click("text=Create room")
    page.wait_for_url(re.compile(r"/i/"))
    for other in ("US", "CA", "MX"):
        (page.check if other == party else page.uncheck)(f"input[name=team][value={other}]")
    page.click("text=Save and open the room")
    code = page.inner_text("#join-code").strip()

    live = browser.new_context().new_page()
    live.goto(base + "/join")
    live.fill("#code", code)
    live.click("text=Continue")
    live.check(f"input[name=party][value={party}]")
    live.click("button:has-text('Join')")
    live.wait_for_url(re.compile(r"/t/"))
    if party == "CA":  # the US (computer) opens; Canada rejects, then it is Canada's turn to offer
        assert "US proposes" in live.inner_text("#your-turn h2")
        live.click("button:has-text('Reject')")
        live.wait_for_selector("text=Recorded")
    assert live.is_visible("#your-turn") and "make an offer" in live.inner_text("#your-turn h2")
    static = browser.new_context(java_script_enabled=False).new_page()
    static.goto(live.url)

    seen = []
    for k, offer in enumerate(OFFERS):
        for issue, value in offer.items():
            field = f"[name='issue:{issue}']"
            if issue in ("dispute_panels", "sunset"):
                live.select_option(field, value)
                static.select_option(field, value)
            else:
                live.fill(field, value)
                static.fill(field, value)
        in_page = live.inner_text("#live-u")
        static.click("button:has-text('Preview')")
        from_server = static.inner_text("#live-u")
        assert re.fullmatch(r"-?\d\.\d\d", from_server), from_server
        assert in_page == from_server, (offer, in_page, from_server)
        seen.append(from_server)
        if k == 0 and party == "US":
            live.screenshot(path=shots / "13-nafta-offer.png", full_page=True)
    assert len(set(seen)) == len(OFFERS), seen  # three different utilities, so the check is not vacuous


def test_the_explorer_shows_the_odds_of_the_sweep_command_it_prints(server, browser, shots, negotiate, tmp_path):
    """/explore in Chromium: move a slider and type a value; the odds on the page (and their
    intervals and counts) equal those of the `negotiate sweep` command the page prints, run here;
    the page's link opens the same view."""
    base = server
    outside: list[str] = []
    errors: list[str] = []
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    _offline(page, base, outside)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "/")
    assert page.get_attribute("text=Open the explorer", "href") == "/explore"
    page.goto(base + "/explore?scenario=nafta_2017&seed=7&draws=2000")
    page.wait_for_selector("#status.done")
    assert "every parameter at its distribution" in page.inner_text("#status")
    before = page.get_attribute("#odds tr[data-outcome=deal]", "data-p")

    page.locator(".ctl[data-name='US.reservation'] .ctl-range").fill("0.7")  # moves the slider
    page.click("details[data-group=CA] > summary")
    page.fill(".ctl[data-name='CA.p_extend'] .ctl-value", "0.5")
    page.press(".ctl[data-name='CA.p_extend'] .ctl-value", "Enter")
    page.wait_for_selector("#status.done:has-text('2 parameters fixed')")
    assert page.is_checked(".ctl[data-name='US.reservation'] .ctl-fix")
    command = page.inner_text("#command")
    assert command == (
        "negotiate sweep nafta_2017 --draws 2000 --seed 7 --grid US.reservation=0.7 --grid CA.p_extend=0.5"
    )
    rows = page.locator("#odds tbody tr")
    shown = {}
    for k in range(rows.count()):
        row = rows.nth(k)
        name = row.get_attribute("data-outcome")
        shown[name] = {
            "p": float(row.get_attribute("data-p")),
            "ci95": [float(row.get_attribute("data-lo")), float(row.get_attribute("data-hi"))],
            "n": int(row.get_attribute("data-n")),
        }
        assert row.locator("td.p").inner_text() == f"{100 * shown[name]['p']:.1f}%"
    assert shown["deal"]["p"] != float(before)  # the change moved the odds

    args = command.split()[2:]
    result = negotiate("sweep", *args, "--json", "--quiet", "--no-report", "--runs-dir", tmp_path / "runs")
    assert result.exit_code == 0, result.stderr
    assert shown == json.loads(result.stdout)["outcomes"]
    page.wait_for_selector("#odds tr[data-outcome=deal] td.change:not(:has-text('…'))")  # the change column is in
    page.screenshot(path=shots / "14-explore.png", full_page=True)

    again = browser.new_context().new_page()
    again.goto(page.get_attribute("#link", "href"))
    again.wait_for_selector("#status.done")
    assert again.is_checked(".ctl[data-name='CA.p_extend'] .ctl-fix")
    assert again.inner_text("#command") == command
    assert again.get_attribute("#odds tr[data-outcome=deal]", "data-p") == str(shown["deal"]["p"])
    again.wait_for_selector("#odds tr[data-outcome=deal] td.change:not(:has-text('…'))")

    assert outside == [], f"requests left the app: {outside}"
    assert errors == [], f"script errors: {errors}"


def _join(browser, base: str, code: str, party: str, team: str, scripts: bool = True):
    """A team's page in its own browser context, joined as ``party``."""
    tp = browser.new_context(viewport={"width": 1200, "height": 900}, java_script_enabled=scripts).new_page()
    tp.goto(base + "/join")
    tp.fill("#code", code)
    tp.click("text=Continue")
    tp.check(f"input[name=party][value={party}]")
    tp.fill("#team", team)
    tp.click("button:has-text('Join')")
    tp.wait_for_url(re.compile(r"/t/"))
    return tp


def _play_split(teams: dict) -> None:
    """Both teams play the split case in their pages: B offers 30, 35, 40 and S 70, 65; the
    first yes comes in the third round (to B's 40)."""
    prices = {"B": [30, 35, 40], "S": [70, 65]}
    for _ in range(20):
        moved = False
        for party, tp in teams.items():
            tp.reload()
            if tp.is_visible("text=The negotiation is over") or not tp.is_visible("#your-turn"):
                continue
            if "make an offer" in tp.inner_text("#your-turn h2"):
                tp.fill("input[name='issue:price']", str(prices[party].pop(0)))
                tp.click("button:has-text('Send offer')")
            else:
                rnd = int(tp.get_attribute("input[name=round]", "value"))
                tp.click("button:has-text('Accept')" if rnd >= 2 else "button:has-text('Reject')")
            moved = True
        if not moved:
            return
    raise AssertionError("the game did not end")


def test_a_class_dashboard_and_a_finished_room(server, browser, shots):
    """The instructor makes a class of three rooms from the front page, sets them up on its page,
    one room plays to a deal and another has one team: the dashboard shows each room's state, the
    finished room's outcome and utilities against the walk-aways, the class's outcomes beside the
    computer's, and exports the class; the finished room's own page says it is over."""
    base = server
    errors: list[str] = []
    page = browser.new_context(viewport={"width": 1300, "height": 1000}).new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "/")
    page.check("input[name=scenario][value=teaching_split]")
    page.fill("#rooms", "3")
    page.click("text=Title, seed and draw")
    page.fill("input[name=title]", "Monday seminar")
    page.fill("#passphrase", PASSPHRASE)
    page.click("text=Create room")
    page.wait_for_url(re.compile(r"/c/[A-Za-z0-9_-]+$"))
    class_url = page.url
    assert "Class created." in page.inner_text("main")
    assert page.is_checked("input[name=team][value=B]") and not page.is_checked("input[name=team][value=S]")
    page.check("input[name=team][value=S]")
    page.click("text=Save and open every room")
    page.wait_for_selector("code.code")
    codes = [c.strip() for c in page.locator("code.code").all_inner_texts()]
    assert len(codes) == 3 and len(set(codes)) == 3
    assert "Class created." not in page.inner_text("main")  # shown once
    page.screenshot(path=shots / "20-class-open.png", full_page=True)

    teams = {"B": _join(browser, base, codes[0], "B", "Red"), "S": _join(browser, base, codes[0], "S", "Blue")}
    _play_split(teams)
    _join(browser, base, codes[1], "B", "Green")

    _goto(page, class_url)
    page.wait_for_selector("#class-outcomes")
    rows = page.locator("#class-rooms tbody tr")
    assert [rows.nth(k).get_attribute("data-state") for k in range(3)] == ["finished", "joining", "joining"]
    first = rows.nth(0).inner_text()
    assert "finished" in first and "deal (everyone signs)" in first and "Price 40.0 $k" in first
    # B's value of price p is 1 - p/100 and S's p/100; both walk away at 0.20
    assert "0.60 / 0.20" in first and "+0.40" in first and "0.40 / 0.20" in first and "+0.20" in first
    assert codes[0] not in first and "closed" in first
    assert "1 of 2 teams joined" in rows.nth(1).inner_text() and codes[1] in rows.nth(1).inner_text()
    # the Monte Carlo arrives in the background; the page reloads itself when it does
    page.wait_for_function(
        "document.querySelector('#class-outcomes').innerText.includes('500 negotiations')", timeout=60000
    )
    deal = page.locator("#class-outcomes tr[data-outcome=deal]").inner_text().split("\t")
    assert [c.strip() for c in deal[1:4]] == ["1", "100%", "500"]
    assert page.locator("#class-outcomes tr[data-outcome^=bilateral]").count() == 0
    page.screenshot(path=shots / "21-class-dashboard.png", full_page=True)

    with page.expect_download() as got:
        page.click("text=Results (CSV)")
    lines = Path(got.value.path()).read_text().splitlines()
    assert lines[0].startswith("class,room,title,state,round,outcome,date,party,played_by,utility,walk_away")
    assert len(lines) == 1 + 3 * 2 and ",finished,3,deal,2024-01-21,B,Red,0.6," in lines[1]
    with page.expect_download() as got:
        page.click("text=Everything (JSON)")
    doc = json.loads(Path(got.value.path()).read_text())
    assert doc["finished"] == 1 and [r["state"] for r in doc["rooms"]] == ["finished", "joining", "joining"]

    # the finished room's own page: over, no code to hand out, the debrief
    page.click("#class-rooms tbody tr:first-child a")
    page.wait_for_url(re.compile(r"/i/"))
    assert "The negotiation is over" in page.inner_text("main")
    assert page.is_visible(".finished-note") and not page.is_visible("text=New code")
    page.screenshot(path=shots / "22-finished-room.png", full_page=True)
    assert errors == [], f"script errors: {errors}"


def test_accepting_below_the_walk_away_asks_to_confirm(server, browser, shots):
    """Scripts off (the confirmation is the server's): the seller asks 90, worth 0.10 to the buyer,
    whose walk-away is 0.20. Accept is not the primary button; pressing it shows a confirmation with
    both numbers and records nothing; going back keeps the turn; "Accept anyway" records the deal."""
    base = server
    page = browser.new_context().new_page()
    page.goto(base + "/")
    page.check("input[name=scenario][value=teaching_split]")
    page.fill("#passphrase", PASSPHRASE)
    page.click("text=Create room")
    page.wait_for_url(re.compile(r"/i/"))
    page.check("input[name=team][value=S]")
    page.click("text=Save and open the room")
    code = page.inner_text("#join-code").strip()
    buyer = _join(browser, base, code, "B", "Buyers", scripts=False)
    seller = _join(browser, base, code, "S", "Sellers", scripts=False)
    buyer.fill("input[name='issue:price']", "30")
    buyer.click("button:has-text('Send offer')")
    seller.reload()
    seller.click("button:has-text('Reject')")
    seller.fill("input[name='issue:price']", "90")
    seller.click("button:has-text('Send offer')")

    buyer.reload()
    assert "0.10" in buyer.inner_text("#your-turn .live")
    assert "Worth less to you than walking away" in buyer.inner_text("#below-note")
    assert buyer.get_attribute("button[value=yes]", "class") == "secondary"
    assert buyer.get_attribute("button[value=no]", "class") == "primary"
    buyer.screenshot(path=shots / "23-below-walk-away.png", full_page=True)
    buyer.click("button[value=yes]")
    buyer.wait_for_selector("#confirm")
    assert buyer.inner_text("#confirm-worth") == "0.10" and buyer.inner_text("#confirm-alternative") == "0.20"
    assert "Nothing has been recorded yet" in buyer.inner_text("#confirm")
    buyer.screenshot(path=shots / "24-confirm.png", full_page=True)
    buyer.click("text=Go back without accepting")
    assert buyer.is_visible("#your-turn") and "S proposes" in buyer.inner_text("#your-turn h2")
    buyer.click("button[value=yes]")
    buyer.click("text=Accept anyway")
    assert "Recorded: your answer" in buyer.content() or buyer.is_visible("text=The negotiation is over")
    buyer.reload()
    assert buyer.is_visible("text=The negotiation is over")
    assert "Price 90.0 $k" in buyer.inner_text("main")
