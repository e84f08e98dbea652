"""Histories: facts read and checked against a scenario, and evaluated on the recorded paths of
draws by exact rejection (hand-built paths with known answers)."""

import datetime as dt

import pyarrow as pa
import pytest

import negotiation as ng
from negotiation.experiments.history import load_history
from negotiation.scenario.loader import load_scenario_text

D = dt.date


def _table(rows):
    """An outcomes-like table of hand-written paths."""
    cols = {k: [r[k] for r in rows] for k in rows[0]}
    return pa.table(
        {
            "outcome": pa.array(cols["outcome"], pa.string()),
            "end_date": pa.array(cols["end_date"], pa.date32()),
            "notice_party": pa.array(cols["notice_party"], pa.string()),
            "notice_date": pa.array(cols["notice_date"], pa.date32()),
            "vote_dates": pa.array(cols["vote_dates"], pa.list_(pa.date32())),
            "vote_passed": pa.array(cols["vote_passed"], pa.list_(pa.bool_())),
            "round_dates": pa.array(cols["round_dates"], pa.list_(pa.date32())),
        }
    )


ROUNDS = [D(2017, 8, 16), D(2017, 9, 1), D(2017, 9, 23), D(2017, 10, 11), D(2017, 11, 17), D(2017, 12, 1)]
PATHS = _table(
    [
        # 0: vote at round 4 fails, deal in round 6
        dict(
            outcome="deal",
            end_date=D(2017, 12, 1),
            notice_party=None,
            notice_date=None,
            vote_dates=[D(2017, 10, 11)],
            vote_passed=[False],
            round_dates=ROUNDS,
        ),
        # 1: vote at round 4 passes, US notice on 2017-11-17, termination later
        dict(
            outcome="termination",
            end_date=D(2018, 5, 17),
            notice_party="US",
            notice_date=D(2017, 11, 17),
            vote_dates=[D(2017, 10, 11)],
            vote_passed=[True],
            round_dates=ROUNDS[:5],
        ),
        # 2: vote passes, a US-MX bilateral in round 5
        dict(
            outcome="bilateral_US_MX",
            end_date=D(2017, 11, 17),
            notice_party=None,
            notice_date=None,
            vote_dates=[D(2017, 10, 11)],
            vote_passed=[True],
            round_dates=ROUNDS[:5],
        ),
        # 3: deal in round 3, no vote
        dict(
            outcome="deal",
            end_date=D(2017, 9, 23),
            notice_party=None,
            notice_date=None,
            vote_dates=[],
            vote_passed=[],
            round_dates=ROUNDS[:3],
        ),
    ]
)


@pytest.fixture(scope="module")
def nafta():
    return ng.load("nafta_2017")


def _mask(nafta, *facts):
    return load_history({"facts": list(facts)}, nafta).mask(PATHS).tolist()


def test_each_kind_of_fact_by_hand(nafta):
    assert _mask(nafta, {"extension": "passed", "by": D(2017, 10, 17)}) == [False, True, True, False]
    assert _mask(nafta, {"extension": "failed", "by": D(2017, 10, 17)}) == [True, False, False, False]
    assert _mask(nafta, {"extension": "passed", "by": D(2017, 10, 10)}) == [False, False, False, False]
    assert _mask(nafta, {"agreement": "none", "by": D(2017, 11, 30)}) == [True, True, False, False]
    assert _mask(nafta, {"agreement": "any", "by": D(2017, 11, 30)}) == [False, False, True, True]
    assert _mask(nafta, {"agreement": "bilateral_MX_US", "by": D(2017, 12, 31)}) == [False, False, True, False]
    assert _mask(nafta, {"agreement": "deal", "by": D(2017, 12, 31)}) == [True, False, False, True]
    assert _mask(nafta, {"notice": "none", "by": D(2017, 11, 30)}) == [True, False, True, True]
    assert _mask(nafta, {"notice": "US", "by": D(2017, 11, 17)}) == [False, True, False, False]
    assert _mask(nafta, {"notice": "CA", "by": D(2017, 11, 30)}) == [False, False, False, False]
    assert _mask(nafta, {"rounds_held": 5, "by": D(2017, 11, 30)}) == [True, True, True, False]
    assert _mask(nafta, {"rounds_held": 5, "at_most": 5, "by": D(2017, 12, 31)}) == [False, True, True, False]
    assert _mask(nafta, {"extensions": 1, "by": D(2017, 12, 31)}) == [False, True, True, False]
    assert _mask(nafta, {"extensions": 0, "tolerance": 1, "by": D(2017, 12, 31)}) == [True, True, True, True]


def test_facts_by_round_use_each_draws_own_round_days(nafta):
    # by round 4 (2017-10-11 in every path that held it): the vote of that round counts
    assert _mask(nafta, {"extension": "passed", "round": 4}) == [False, True, True, False]
    # by round 5: draw 3 ended in round 3, so its whole path counts (a deal on 2017-09-23)
    assert _mask(nafta, {"agreement": "none", "round": 5}) == [True, True, False, False]


def test_every_fact_together_and_the_seeds_history(nafta):
    facts = [
        {"extension": "passed", "by": D(2017, 10, 17)},
        {"agreement": "none", "by": D(2017, 11, 30)},
        {"notice": "none", "by": D(2017, 11, 30)},
        {"rounds_held": 5, "by": D(2017, 11, 30)},
    ]
    assert _mask(nafta, *facts) == [False, False, False, False]
    assert _mask(nafta, *facts[:2]) == [False, True, False, False]
    h = load_history({"as_of": D(2017, 11, 30), "facts": facts}, nafta)
    assert len(h.until(D(2017, 10, 31)).facts) == 1
    fact, count = h.most_restrictive(PATHS)
    assert fact.kind == "extension" and count == 2


def test_bad_histories_are_one_line_per_problem(nafta, tmp_path):
    path = tmp_path / "h.yaml"
    path.write_text(
        "as_of: 2017-11-30\n"
        "facts:\n"
        "  - {deadline: passed, by: 2017-10-17}\n"
        "  - {notice: FR, by: 2017-11-30}\n"
        "  - {agreement: bilateral_US_XX, by: 2017-11-30}\n"
        "  - {agreement: none, by: 2017-01-01}\n"
        "  - {rounds_held: 5}\n"
        "  - {rounds_held: 2, by: 2017-12-30}\n"
    )
    with pytest.raises(ng.ConfigError) as err:
        load_history(path, nafta)
    lines = str(err.value).splitlines()
    assert len(lines) == 6
    assert lines[0].startswith(f"{path}:3: facts[0]: a fact names exactly one of")
    assert lines[1].startswith(f"{path}:4: facts[1].notice: expected one of none, any, US, CA, MX")
    assert lines[2].startswith(f"{path}:5: facts[2].agreement: expected one of")
    assert lines[3] == f"{path}:6: facts[3].by: 2017-01-01 is before the first round (2017-08-16)"
    assert lines[4] == f"{path}:7: facts[4]: give when the fact is known: either by: DATE or round: N"
    assert lines[5] == f"{path}:8: facts[5].by: 2017-12-30 is after the history's as_of date (2017-11-30)"


def test_contradicting_facts_are_refused(nafta):
    with pytest.raises(ng.ConfigError, match="contradicts"):
        load_history(
            {"facts": [{"agreement": "deal", "by": D(2017, 10, 1)}, {"agreement": "none", "by": D(2017, 11, 1)}]},
            nafta,
        )
    with pytest.raises(ng.ConfigError, match="only one withdrawal notice"):
        load_history({"facts": [{"notice": "US", "by": D(2017, 10, 1)}, {"notice": "MX", "by": D(2017, 11, 1)}]}, nafta)


def test_simulate_given_keeps_only_draws_that_agree(nafta):
    facts = {"facts": [{"extension": "passed", "by": D(2017, 10, 17)}, {"notice": "none", "by": D(2017, 11, 30)}]}
    frame = ng.simulate(nafta, draws=3000, seed=2)
    kept = ng.simulate(nafta, draws=3000, seed=2, given=facts)
    assert 0 < len(kept) < len(frame) and kept.attrs["prior_draws"] == 3000
    passed = frame.apply(
        lambda r: any(p and d <= D(2017, 10, 17) for d, p in zip(r["vote_dates"], r["vote_passed"], strict=True)),
        axis=1,
    )
    quiet = frame["notice_date"].isna() | (frame["notice_date"] > D(2017, 11, 30))
    assert kept["draw"].tolist() == frame[passed & quiet]["draw"].tolist()
    odds = ng.odds(kept)
    assert odds["p"].sum() == pytest.approx(1.0) and set(odds["draws"]) == {len(kept)}


# --- coalitions and chapters: a bilateral deal joined later, accession, chapters closed ---------

COALITIONS = """
name: coalitions
parties: {A: {name: A}, B: {name: B}, C: {name: C}}
issues:
  x: {range: [0, 1], status_quo: 0.5}
  y: {range: [0, 1], status_quo: 0.0}
profiles:
  A: {reservation: 0.3, issues: {x: {weight: 1, ideal: 1}, y: {weight: 1, ideal: 1}}}
  B: {reservation: 0.3, issues: {x: {weight: 1, ideal: 0}, y: {weight: 1, ideal: 1}}}
  C: {reservation: 0.3, issues: {x: {weight: 1, ideal: 0}, y: {weight: 1, ideal: 0}}}
coalitions:
  - {pair: [A, B], accession: {gap_days: 30, window_months: 6}}
  - {pair: [A, C], accession: {gap_days: 30, window_months: 6}}
  - {pair: [B, C], p_open: 0.5}
calendar: {rounds: [2024-01-01], deadline: 2024-06-30, horizon: 2024-12-31}
protocol: single_text
closing: chapters
"""


def _coalition_table(rows):
    """The columns coalition and chapter facts read (and the rest of what every fact reads)."""
    n = len(rows)
    return pa.table(
        {
            "outcome": pa.array([r[0] for r in rows], pa.string()),
            "path": pa.array([r[1] for r in rows], pa.string()),
            "end_date": pa.array([r[2] for r in rows], pa.date32()),
            "signed_date": pa.array([r[3] for r in rows], pa.date32()),
            "chapter.x": pa.array([r[4] for r in rows], pa.date32()),
            "chapter.y": pa.array([r[5] for r in rows], pa.date32()),
            "notice_party": pa.array([None] * n, pa.string()),
            "notice_date": pa.array([None] * n, pa.date32()),
            "vote_dates": pa.array([[]] * n, pa.list_(pa.date32())),
            "vote_passed": pa.array([[]] * n, pa.list_(pa.bool_())),
            "round_dates": pa.array([[D(2024, 1, 1)]] * n, pa.list_(pa.date32())),
        }
    )


JOINED = _coalition_table(
    [
        # outcome, path, end_date, signed_date, chapter.x, chapter.y
        ("deal", "bilateral_A_B>deal", D(2024, 3, 1), D(2024, 2, 1), D(2024, 1, 1), None),  # 0: C joined A-B
        ("bilateral_A_B", "bilateral_A_B", D(2024, 2, 1), D(2024, 2, 1), D(2024, 1, 1), D(2024, 2, 1)),  # 1: did not
        ("bilateral_B_C", "bilateral_B_C", D(2024, 2, 1), None, None, None),  # 2: no accession for B-C
        ("deal", "deal", D(2024, 3, 1), None, None, D(2024, 1, 15)),  # 3: a deal of all three
        ("deal", "bilateral_A_C>deal", D(2024, 4, 1), D(2024, 1, 15), None, None),  # 4: B joined A-C
        ("termination", "termination", D(2024, 6, 1), None, None, None),  # 5
    ]
)


@pytest.fixture(scope="module")
def coalitions():
    return load_scenario_text(COALITIONS)


def _joined(loaded, *facts):
    return load_history({"facts": list(facts)}, loaded).mask(JOINED).tolist()


def test_agreement_facts_on_joined_paths(coalitions):
    F, T = False, True
    # a bilateral deal later joined was signed from its signing day; the deal from the day C joined
    assert _joined(coalitions, {"agreement": "bilateral_A_B", "by": D(2024, 1, 31)}) == [F, F, F, F, F, F]
    assert _joined(coalitions, {"agreement": "bilateral_B_A", "by": D(2024, 2, 1)}) == [T, T, F, F, F, F]
    assert _joined(coalitions, {"agreement": "bilateral_A_C", "by": D(2024, 1, 15)}) == [F, F, F, F, T, F]
    assert _joined(coalitions, {"agreement": "bilateral_B_C", "by": D(2024, 12, 31)}) == [F, F, T, F, F, F]
    assert _joined(coalitions, {"agreement": "deal", "by": D(2024, 2, 15)}) == [F, F, F, F, F, F]
    assert _joined(coalitions, {"agreement": "deal", "by": D(2024, 3, 1)}) == [T, F, F, T, F, F]
    assert _joined(coalitions, {"agreement": "deal", "by": D(2024, 4, 1)}) == [T, F, F, T, T, F]
    assert _joined(coalitions, {"agreement": "any", "by": D(2024, 1, 20)}) == [F, F, F, F, T, F]
    assert _joined(coalitions, {"agreement": "any", "by": D(2024, 2, 1)}) == [T, T, T, F, T, F]
    assert _joined(coalitions, {"agreement": "none", "by": D(2024, 2, 1)}) == [F, F, F, T, F, T]
    # a history of the signing, then the accession
    both = ({"agreement": "bilateral_A_B", "by": D(2024, 2, 1)}, {"agreement": "deal", "by": D(2024, 3, 1)})
    assert _joined(coalitions, *both) == [T, F, F, F, F, F]


def test_accession_facts(coalitions):
    F, T = False, True
    assert _joined(coalitions, {"accession": "C", "by": D(2024, 2, 29)}) == [F, F, F, F, F, F]
    assert _joined(coalitions, {"accession": "C", "by": D(2024, 3, 1)}) == [T, F, F, F, F, F]
    assert _joined(coalitions, {"accession": "B", "by": D(2024, 4, 1)}) == [F, F, F, F, T, F]
    assert _joined(coalitions, {"accession": "any", "by": D(2024, 4, 1)}) == [T, F, F, F, T, F]
    assert _joined(coalitions, {"accession": "none", "by": D(2024, 3, 31)}) == [F, T, T, T, T, T]
    assert _joined(coalitions, {"accession": "any", "round": 1}) == [F, F, F, F, F, F]  # by 2024-01-01


def test_chapter_facts(coalitions):
    F, T = False, True
    assert _joined(coalitions, {"chapters_closed": 1, "by": D(2024, 1, 1)}) == [T, T, F, F, F, F]
    assert _joined(coalitions, {"chapters_closed": 2, "by": D(2024, 2, 1)}) == [F, T, F, F, F, F]
    assert _joined(coalitions, {"chapters_closed": 0, "at_most": 0, "by": D(2024, 1, 31)}) == [F, F, T, F, T, T]
    assert _joined(coalitions, {"chapters_closed": 1, "at_most": 1, "by": D(2024, 12, 31)}) == [T, F, F, T, F, F]
    assert _joined(coalitions, {"chapter": "y", "by": D(2024, 2, 1)}) == [F, T, F, T, F, F]
    assert _joined(coalitions, {"chapter": "x", "by": D(2024, 12, 31)}) == [T, T, F, F, F, F]
    # the same on a pandas frame (``condition``), and on rows of an older version without the
    # coalition columns (the path is the outcome class; nothing was signed before the end)
    h = load_history({"facts": [{"chapter": "y", "by": D(2024, 2, 1)}]}, coalitions)
    assert h.mask(JOINED.to_pandas()).tolist() == [F, T, F, T, F, F]
    old = JOINED.drop(["path", "signed_date"])
    fact = {"agreement": "bilateral_A_B", "by": D(2024, 2, 1)}
    assert load_history({"facts": [fact]}, coalitions).mask(old).tolist() == [F, T, F, F, F, F]
    with pytest.raises(ng.UserError, match="the draws have no chapter.y column"):
        h.mask(JOINED.drop(["chapter.y"]))


def test_bad_coalition_and_chapter_facts_are_one_line_each(coalitions, nafta, tmp_path):
    path = tmp_path / "h.yaml"
    path.write_text(
        "facts:\n"
        "  - {accession: A, by: 2024-03-01}\n"
        "  - {accession: FR, by: 2024-03-01}\n"
        "  - {chapter: z, by: 2024-03-01}\n"
        "  - {chapters_closed: 3, by: 2024-03-01}\n"
        "  - {chapters_closed: 1, at_most: 0, by: 2024-03-01}\n"
        "  - {chapter: x, tolerance: 1, by: 2024-03-01}\n"
    )
    with pytest.raises(ng.ConfigError) as err:
        load_history(path, coalitions)
    assert str(err.value).splitlines() == [
        f"{path}:2: facts[0].accession: expected one of none, any, B, C, got 'A'",
        f"{path}:3: facts[1].accession: expected one of none, any, B, C, got 'FR'",
        f"{path}:4: facts[2].chapter: expected one of x, y, got 'z'",
        f"{path}:5: facts[3].chapters_closed: expected at most 2: the scenario has 2 chapters (issues)",
        f"{path}:6: facts[4].at_most: expected a whole number at least 1, got 0",
        f"{path}:7: facts[5].tolerance: unknown key for a chapter fact; expected by, chapter, round",
    ]
    # the flagship: the US is never left out, and it closes as one package
    path.write_text(
        "facts:\n"
        "  - {accession: US, by: 2017-11-30}\n"
        "  - {chapters_closed: 1, by: 2017-11-30}\n"
        "  - {chapter: dairy, by: 2017-11-30}\n"
    )
    with pytest.raises(ng.ConfigError) as err:
        load_history(path, nafta)
    assert str(err.value).splitlines() == [
        f"{path}:2: facts[0].accession: expected one of none, any, CA, MX, got 'US'",
        f"{path}:3: facts[1].chapters_closed: a chapters_closed fact needs closing: chapters; "
        "this scenario closes as one package",
        f"{path}:4: facts[2].chapter: a chapter fact needs closing: chapters; this scenario closes as one package",
    ]


def test_contradicting_coalition_facts(coalitions):
    def history(*facts):
        return load_history({"facts": list(facts)}, coalitions)

    # a deal may follow a bilateral deal open to accession (and precede its date: signed earlier)
    history({"agreement": "bilateral_A_B", "by": D(2024, 2, 1)}, {"agreement": "deal", "by": D(2024, 3, 1)})
    history({"agreement": "deal", "by": D(2024, 3, 1)}, {"agreement": "bilateral_A_C", "by": D(2024, 4, 1)})
    for facts, words in (
        (
            [{"agreement": "bilateral_B_C", "by": D(2024, 2, 1)}, {"agreement": "deal", "by": D(2024, 3, 1)}],
            "talks end with one agreement",
        ),
        (
            [{"agreement": "bilateral_A_B", "by": D(2024, 2, 1)}, {"agreement": "bilateral_A_C", "by": D(2024, 3, 1)}],
            "talks end with one agreement",
        ),
        (
            [{"accession": "C", "by": D(2024, 2, 1)}, {"accession": "none", "by": D(2024, 3, 1)}],
            "a party that joined earlier is still in later",
        ),
        (
            [{"accession": "C", "by": D(2024, 2, 1)}, {"accession": "B", "by": D(2024, 3, 1)}],
            "one party at most joins",
        ),
        (
            [{"accession": "any", "by": D(2024, 2, 1)}, {"agreement": "none", "by": D(2024, 3, 1)}],
            "joined an agreement signed by then",
        ),
        (
            [{"chapters_closed": 2, "by": D(2024, 2, 1)}, {"chapters_closed": 0, "at_most": 1, "by": D(2024, 3, 1)}],
            "the count cannot fall over time",
        ),
        (
            [
                {"chapter": "x", "by": D(2024, 1, 10)},
                {"chapter": "y", "by": D(2024, 2, 1)},
                {"chapters_closed": 0, "at_most": 1, "by": D(2024, 3, 1)},
            ],
            "2 chapters closed by then, more than 1",
        ),
    ):
        with pytest.raises(ng.ConfigError, match=words) as err:
            history(*facts)
        assert len(str(err.value).splitlines()) == 1
