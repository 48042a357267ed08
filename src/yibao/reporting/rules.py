"""The reports' questions to the policy engine: the resident scheme's collection period (the
daily chart's days, the time a monthly bulletin measures against), the employee scheme's
declaration window (who is overdue) and when a county's weekly figures are due
(``resident.progress_report_deadline``, 晋城 五（五）)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from yibao.errors import RuleRefused
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


@dataclass(frozen=True)
class Deadline:
    due: dt.datetime            # aware, in the site's time zone
    required: bool              # the week's report day lies in the collection period
    weekday: int
    time: str
    citation: str


def weekly_deadline(region: str, insurance_year: int, day: dt.date) -> Deadline:
    """The deadline of the week holding ``day``; ``RuleRefused`` (not_configured …) where the
    region's notice gives none."""
    answer = get_engine().ask(region, "resident.progress_report_deadline",
                              {"insurance_year": insurance_year, "date": day.isoformat()})
    if not answer.ok:
        raise RuleRefused.from_answer(answer.error, answer.explanation)
    v = answer.values
    naive = dt.datetime.fromisoformat(v["due"])
    cites = [c.get("text", "") for step in answer.explanation for c in (step.get("citations") or [])
             if isinstance(c, dict) and c.get("parameter") == "resident.progress_report_deadline"]
    return Deadline(due=timezone.make_aware(naive), required=bool(v["required"]), weekday=v["weekday"],
                    time=v["time"], citation=cites[0] if cites else "")


def weekly_deadline_or_none(region: str, insurance_year: int, day: dt.date) -> tuple[Deadline | None, str]:
    """The deadline, or None with the engine's message where it is not configured."""
    try:
        return weekly_deadline(region, insurance_year, day), ""
    except RuleRefused as exc:
        return None, exc.message
