"""GENIUS / ANAC domain import, checked against hand-computed Pareto and Nash points."""

import pytest

from negotiation.analysis.bargaining import analyze
from negotiation.errors import UserError
from negotiation.scenario.genius import import_genius
from negotiation.scenario.loader import load_scenario, load_scenario_text
from tests.helpers import DATA

GENIUS = DATA / "genius"
DOMAIN, P1, P2 = GENIUS / "party_domain.xml", GENIUS / "party1_utility.xml", GENIUS / "party2_utility.xml"


def test_import_reads_values_weights_and_reservations():
    loaded = load_scenario_text(import_genius(DOMAIN, [P1, P2]))
    scn = loaded.scenario
    assert list(scn.parties) == ["party1utility", "party2utility"]
    assert scn.issues["food"].options == ["Chips", "Catering", "Finger food"]
    p1 = scn.profiles["party1utility"]
    # evaluations 1, 4, 2 divided by the largest; weights 0.6 and 0.4 (already normalised)
    assert p1.issues["food"].values == {"Chips": 0.25, "Catering": 1.0, "Finger food": 0.5}
    assert (p1.issues["food"].weight, p1.issues["music"].weight, p1.reservation) == (0.6, 0.4, 0.3)
    p2 = scn.profiles["party2utility"]
    # weights 1 and 3 normalise to 0.25 and 0.75
    assert (p2.issues["food"].weight, p2.issues["music"].weight, p2.reservation) == (0.25, 0.75, 0.2)


def test_pareto_and_nash_by_hand():
    # Utilities (party1, party2) of the six agreements (food, music):
    #   Chips/DJ .55/.50  Chips/Band .23/.875  Catering/DJ 1.0/.4375  Catering/Band .68/.8125
    #   Finger/DJ .70/.625  Finger/Band .38/1.0
    # Above both reservations (.3, .2): all but Chips/Band. Pareto among those: Catering/DJ,
    # Catering/Band, Finger/DJ, Finger/Band (Chips/DJ is beaten by Finger/DJ).
    # Nash products (u - d): Catering/DJ .7*.2375 = .166, Catering/Band .38*.6125 = .233,
    # Finger/DJ .4*.425 = .170, Finger/Band .08*.8 = .064, Chips/DJ .25*.3 = .075 -> Catering/Band.
    res = analyze(load_scenario_text(import_genius(DOMAIN, [P1, P2])))
    assert (res["agreements"], res["individually_rational"], res["pareto_size"]) == (6, 5, 4)
    frontier = {(p["agreement"]["food"], p["agreement"]["music"]) for p in res["pareto"]}
    assert frontier == {("Catering", "DJ"), ("Catering", "Band"), ("Finger food", "DJ"), ("Finger food", "Band")}
    assert res["nash"]["agreement"] == {"food": "Catering", "music": "Band"}
    assert res["nash"]["utilities"] == pytest.approx({"party1utility": 0.68, "party2utility": 0.8125})
    assert res["best_for"]["party1utility"]["agreement"] == {"food": "Catering", "music": "DJ"}
    assert res["best_for"]["party2utility"]["agreement"] == {"food": "Finger food", "music": "Band"}


def test_cli_import_then_run(tmp_path, negotiate):
    out = tmp_path / "party.yaml"
    result = negotiate("import-genius", DOMAIN, P1, P2, "-o", out)
    assert result.exit_code == 0, result.output
    load_scenario(out)
    ran = negotiate("run", out, "--out", tmp_path / "run", "--no-report")
    assert ran.exit_code == 0, ran.output
    again = negotiate("import-genius", DOMAIN, P1, P2, "-o", out)
    assert again.exit_code == 2 and "already exists" in again.stderr


@pytest.mark.parametrize(
    "text,words",
    [
        ("<utility_space><objective", "not well-formed XML"),
        ('<!DOCTYPE x [<!ENTITY a "b">]><utility_space/>', "DOCTYPE and ENTITY"),
        ("<utility_space><objective/></utility_space>", "no weight for issue"),
    ],
)
def test_bad_profiles_are_one_clear_error(tmp_path, text, words):
    bad = tmp_path / "bad.xml"
    bad.write_text(text)
    with pytest.raises(UserError, match=words):
        import_genius(DOMAIN, [P1, bad])


def test_too_few_profiles_and_unknown_issue(tmp_path):
    with pytest.raises(UserError, match="at least two profile files"):
        import_genius(DOMAIN, [P1])
    other = tmp_path / "p.xml"
    other.write_text(P1.read_text().replace('name="Music"', 'name="Dance"'))
    with pytest.raises(UserError, match="'Dance' is not in the domain"):
        import_genius(DOMAIN, [P1, other])


def billion_laughs(levels: int = 9) -> str:
    """A profile whose one item value is an entity that expands ten-fold per level (10 ** levels
    "lol"s), declared in the DOCTYPE."""
    chain = "".join(f' <!ENTITY lol{k} "' + f"&lol{k - 1};" * 10 + '">\n' for k in range(1, levels + 1))
    return (
        '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE lolz [\n <!ENTITY lol0 "lol">\n' + chain + "]>\n"
        f'<utility_space><objective><issue name="Food" index="1"><item value="&lol{levels};"/></issue>'
        "</objective></utility_space>\n"
    )


@pytest.mark.parametrize("levels", [9, 1])
def test_a_utf16_doctype_is_refused_on_one_line(tmp_path, negotiate, levels):
    # UTF-16 spells "<!DOCTYPE" with a zero byte after each letter: a byte search for it missed it.
    bad = tmp_path / "lol.xml"
    bad.write_bytes(billion_laughs(levels).encode("utf-16"))
    result = negotiate("import-genius", DOMAIN, P1, bad, "-o", tmp_path / "out.yaml")
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [f"error: {bad}: DOCTYPE and ENTITY declarations are not accepted"]
    assert not (tmp_path / "out.yaml").exists()


def test_a_utf16_profile_without_a_doctype_is_read(tmp_path):
    p2 = tmp_path / "party2_utility.xml"
    p2.write_bytes(('<?xml version="1.0" encoding="UTF-16"?>\n' + P2.read_text()).encode("utf-16"))
    scn = load_scenario_text(import_genius(DOMAIN, [P1, p2])).scenario
    assert scn.profiles["party2utility"].issues["music"].weight == 0.75


def test_an_issue_every_evaluation_of_which_is_zero_is_worth_nothing(tmp_path, negotiate):
    # ANAC profiles (and GENIUS and NegMAS, which read them) allow an issue the party does not care
    # about: every evaluation 0, often with a tiny weight. It is worth 0 to that party.
    zero = tmp_path / "party3_utility.xml"
    zero.write_text(
        P1.read_text()
        .replace('value="DJ" evaluation="5"', 'value="DJ" evaluation="0"')
        .replace('value="Band" evaluation="1"', 'value="Band" evaluation="0"')
        .replace('<weight index="2" value="0.4"/>', '<weight index="2" value="0.0001"/>')
    )
    out = tmp_path / "three.yaml"
    result = negotiate("import-genius", DOMAIN, P1, P2, zero, "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "# party3utility does not value music (every evaluation 0): its values there are all 0." in text
    p3 = load_scenario(out).scenario.profiles["party3utility"]
    assert p3.issues["music"].values == {"DJ": 0.0, "Band": 0.0}
    # weights 0.6 and 0.0001 normalised
    assert p3.issues["music"].weight == pytest.approx(0.0001 / 0.6001)
    assert p3.issues["food"].values == {"Chips": 0.25, "Catering": 1.0, "Finger food": 0.5}
    ran = negotiate("run", out, "--out", tmp_path / "run", "--no-report")
    assert ran.exit_code == 0, ran.output
