"""Executors: results are the same whatever runs them, and a worker's error reaches the caller
as it was raised (a config error stays one line per problem)."""

import pytest

from negotiation.errors import ConfigError, ConfigProblem, UserError
from negotiation.experiments import executors

PROBLEM = ConfigProblem("scenario.yaml", 4, "profiles.US.reservation", "expected a number, got 'high'")


def square(n):
    return n * n


def fail(n):
    if n == 2:
        raise ConfigError([PROBLEM])
    return n


def fail_plain(n):
    raise UserError("--draws must be at least 1, got 0")


def test_serial_and_local_workers_give_the_same_results():
    serial = dict(executors.run(range(7), square))
    local = dict(executors.run(range(7), square, workers=2))
    assert serial == local == {n: n * n for n in range(7)}


def test_a_config_error_raised_in_a_worker_arrives_whole():
    with pytest.raises(ConfigError) as err:
        dict(executors.run(range(4), fail, workers=2))
    assert err.value.problems == [PROBLEM]
    assert str(err.value) == "scenario.yaml:4: profiles.US.reservation: expected a number, got 'high'"


def test_a_user_error_raised_in_a_worker_keeps_its_line():
    with pytest.raises(UserError, match=r"^--draws must be at least 1, got 0$"):
        dict(executors.run(range(2), fail_plain, workers=2))
