"""Fixtures of the classroom tests."""

from __future__ import annotations

import pytest

from tests.classroom.helpers import MC_DRAWS


@pytest.fixture
def app(tmp_path):
    """A fresh classroom app over an empty data folder (a small Monte Carlo, for speed)."""
    from negotiation.classroom import create_app

    return create_app(tmp_path / "data", mc_draws=MC_DRAWS)
