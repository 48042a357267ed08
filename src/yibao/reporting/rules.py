"""The reports' questions to the policy engine: the resident scheme's collection period (the
daily chart's days) and the employee scheme's declaration window (who is overdue)."""

from __future__ import annotations

import datetime as dt

from yibao.policy import get_engine


def collection_period(region: str, insurance_year: int) -> tuple[dt.date, dt.date] | None:
    """集中缴费期 of the year, or None where the region's notice gives none."""
    answer = get_engine().ask(region, "resident.collection_period", {"insurance_year": insurance_year})
    if not answer.ok:
        return None
    return dt.date.fromisoformat(answer.values["start"]), dt.date.fromisoformat(answer.values["end"])


def declaration_window(region: str, year: int, on: dt.date) -> dict | None:
    """The employee scheme's declaration window for ``year`` as it stands on ``on`` (``deadline``,
    ``late``), or None where the region's notice gives none (then nobody is counted overdue)."""
    answer = get_engine().ask(region, "employee.declaration_window", {"date": on.isoformat(), "year": year})
    return answer.values if answer.ok else None
