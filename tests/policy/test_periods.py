"""Civil Code period arithmetic (民法典 第二百零一条、第二百零二条) and months."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yibao.policy.periods import Month, add_months, first_day_of_next_month, period_end, within_months


@pytest.mark.parametrize(("start", "months", "end"), [
    (dt.date(2024, 3, 10), 6, dt.date(2024, 9, 10)),
    (dt.date(2024, 3, 31), 6, dt.date(2024, 9, 30)),
    (dt.date(2023, 8, 31), 6, dt.date(2024, 2, 29)),
    (dt.date(2024, 8, 31), 6, dt.date(2025, 2, 28)),
    (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
    (dt.date(2023, 12, 31), 2, dt.date(2024, 2, 29)),
    (dt.date(2024, 1, 1), 12, dt.date(2025, 1, 1)),
])
def test_period_end(start, months, end):
    assert period_end(start, months) == end


def test_within_six_months_examples():
    assert within_months(dt.date(2024, 3, 10), 6, dt.date(2024, 9, 10))
    assert not within_months(dt.date(2024, 3, 10), 6, dt.date(2024, 9, 11))
    assert within_months(dt.date(2024, 3, 31), 6, dt.date(2024, 9, 30))
    assert not within_months(dt.date(2024, 3, 31), 6, dt.date(2024, 10, 1))
    assert within_months(dt.date(2024, 3, 10), 6, dt.date(2024, 3, 10))
    assert not within_months(dt.date(2024, 3, 10), 6, dt.date(2024, 3, 9))


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2200, 1, 1)), st.integers(0, 60))
def test_add_months_lands_on_the_corresponding_day_or_month_end(day, months):
    end = add_months(day, months)
    assert (end.year * 12 + end.month) - (day.year * 12 + day.month) == months
    if end.day != day.day:
        assert end.day < day.day and first_day_of_next_month(end) - end == dt.timedelta(days=1)


def test_months():
    m = Month.parse("2024-12")
    assert str(m) == "2024-12" and str(m.next()) == "2025-01"
    assert m.first_day == dt.date(2024, 12, 1) and m.last_day == dt.date(2024, 12, 31)
    assert Month.parse("2024-02").last_day == dt.date(2024, 2, 29)
    assert Month(2024, 1) < Month(2024, 2) < Month(2025, 1)
    for bad in ("2024-13", "2024", "2024/01", "abcd-01"):
        with pytest.raises(ValueError):
            Month.parse(bad)
