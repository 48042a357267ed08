"""Calendar arithmetic: contribution months and periods counted in months.

Periods "within N months" follow the Civil Code (《中华人民共和国民法典》):

* 第二百零一条: when a period is counted in years, months or days, the day it starts is not
  counted; counting begins the next day.
* 第二百零二条: a period counted in months ends on the corresponding day of the last month, or
  on the last day of that month when it has no corresponding day.

So six months from 2024-03-10 end on 2024-09-10, and from 2024-03-31 on 2024-09-30. The
extension of 第二百零三条 (a last day falling on a statutory holiday moves to the next working
day) is not applied: no policy file carries a holiday calendar, and the notices count calendar
days.
"""

from __future__ import annotations

import calendar
import datetime as dt

from yibao.months import Month


def add_months(day: dt.date, months: int) -> dt.date:
    """The corresponding day ``months`` later, or the last day of that month when it has none
    (民法典 第二百零二条)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def period_end(start: dt.date, months: int) -> dt.date:
    """Last day of a period of ``months`` months beginning after ``start`` (the start day itself
    is not counted, 第二百零一条; the end is the corresponding day, 第二百零二条)."""
    return add_months(start, months)


def within_months(start: dt.date, months: int, day: dt.date) -> bool:
    """Whether ``day`` (not before ``start``) falls within ``months`` months of ``start``."""
    return start <= day <= period_end(start, months)


def first_day_of_next_month(day: dt.date) -> dt.date:
    return Month.of(day).next().first_day


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)
