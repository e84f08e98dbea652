"""Histories: facts read and checked against a scenario, and evaluated on the recorded paths of
draws by exact rejection (hand-built paths with known answers)."""

import datetime as dt

import pyarrow as pa
import pytest

import negotiation as ng
from negotiation.experiments.history import load_history

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
