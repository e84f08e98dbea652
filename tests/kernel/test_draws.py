"""Draw rows (``negotiation.kernel.draws``) on the flagship scenario: each row is the same
whatever batch it is drawn in, and the drawn values follow the config's distributions."""

import numpy as np

from negotiation.kernel.draws import draw_rows


def test_draw_rows_do_not_depend_on_batching(nafta):
    st, space = nafta.structure, nafta.space
    inp_a, draws_a, values_a = draw_rows(st, space, 5, 10, 5)
    inp_b, draws_b, values_b = draw_rows(st, space, 5, 0, 20)
    np.testing.assert_array_equal(values_a, values_b[10:15])
    for name in ("withdraw", "vote", "open", "noise"):
        np.testing.assert_array_equal(getattr(draws_a, name), getattr(draws_b, name)[10:15])
    for name in ("ideal", "weight", "values", "reservation", "stake", "res_eff", "u_max", "u_sq", "gap", "max_ext"):
        np.testing.assert_array_equal(getattr(inp_a, name), getattr(inp_b, name)[10:15])
    # and another seed gives other rows
    assert not np.array_equal(draw_rows(st, space, 6, 10, 5)[2], values_a)


def test_draw_row_values_respect_their_distributions(nafta):
    st, space = nafta.structure, nafta.space
    _, _, values = draw_rows(st, space, 5, 0, 500)
    us = values[:, space.index["US.reservation"]]
    assert us.min() >= 0.55 and us.max() <= 0.85  # uniform 0.55 .. 0.85
    ext = values[:, space.index["calendar.max_extensions"]]
    assert set(np.unique(ext)) == {1.0, 2.0, 3.0}  # a choice of 1, 2, 3
    gap = values[:, space.index["calendar.extension_gap_days"]]
    assert np.array_equal(gap, np.rint(gap)) and gap.min() >= 30 and gap.max() <= 50  # whole days
    assert np.all(values[:, space.index["CA.dairy.ideal"]] == 0.0)  # a constant
