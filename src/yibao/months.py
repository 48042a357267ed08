"""Months as a type, never strings: a contribution month, its arithmetic and its text form
"YYYY-MM". Pure Python (no Django); ``yibao.fields.MonthField`` stores it in a column.

Periods "within N months" (Civil Code 第二百零一条、第二百零二条) are counted by
``yibao.policy.periods`` on dates; this module only knows whole months.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True, order=True)
class Month:
    """A contribution month, written "YYYY-MM"."""

    year: int
    month: int

    def __post_init__(self):
        if isinstance(self.year, bool) or isinstance(self.month, bool) \
                or not isinstance(self.year, int) or not isinstance(self.month, int):
            raise ValueError("年份和月份应为整数")
        if not 1 <= self.month <= 12:
            raise ValueError(f"月份应在 1 至 12 之间：{self.month}")
        if not 1 <= self.year <= 9999:
            raise ValueError(f"年份无效：{self.year}")

    @classmethod
    def parse(cls, text: str) -> Month:
        m = _MONTH_RE.match(str(text).strip())
        if not m:
            raise ValueError(f"“{text}”不是 YYYY-MM 格式的月份")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def coerce(cls, value) -> Month:
        """A month from a ``Month``, a date or "YYYY-MM" text."""
        if isinstance(value, Month):
            return value
        if isinstance(value, dt.date):
            return cls.of(value)
        if isinstance(value, str):
            return cls.parse(value)
        raise ValueError(f"“{value}”不是 YYYY-MM 格式的月份")

    @classmethod
    def first_of(cls, year: int) -> Month:
        return cls(year, 1)

    @classmethod
    def last_of(cls, year: int) -> Month:
        return cls(year, 12)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def index(self) -> int:
        """Months since year 0, for arithmetic."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        year, month = divmod(index, 12)
        return cls(year, month + 1)

    def __add__(self, months: int) -> Month:
        if not isinstance(months, int):
            return NotImplemented
        return Month.from_index(self.index + months)

    def __sub__(self, other):
        if isinstance(other, Month):
            return self.index - other.index
        if isinstance(other, int):
            return Month.from_index(self.index - other)
        return NotImplemented

    def next(self) -> Month:
        return self + 1

    def previous(self) -> Month:
        return self - 1

    def until(self, last: Month) -> Iterator[Month]:
        """This month through ``last``, both included."""
        for i in range(self.index, last.index + 1):
            yield Month.from_index(i)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def isoformat(self) -> str:
        return str(self)
