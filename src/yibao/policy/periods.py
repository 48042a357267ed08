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
import re
from dataclasses import dataclass

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True, order=True)
class Month:
    """A contribution month, written "YYYY-MM"."""

    year: int
    month: int

    def __post_init__(self):
        if not 1 <= self.month <= 12:
            raise ValueError(f"月份应在 1 至 12 之间：{self.month}")
        if not 1 <= self.year <= 9999:
            raise ValueError(f"年份无效：{self.year}")

    @classmethod
    def parse(cls, text: str) -> Month:
        m = _MONTH_RE.match(text.strip())
        if not m:
            raise ValueError(f"“{text}”不是 YYYY-MM 格式的月份")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


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
