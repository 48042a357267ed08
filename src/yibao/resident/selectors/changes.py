"""Change requests, their documents and a person's history, as the reader may see them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from yibao.access.permissions import user_can
from yibao.access.scoping import scope_of
from yibao.accounts.personal_data import shown_id_number
from yibao.regions.models import Division

from ..models import (
    CHANGEABLE,
    HISTORY_FIELDS,
    ChangeDocument,
    ChangeRequest,
    ChangeStatus,
    Person,
    PersonVersion,
    ProblemStatus,
)
from .persons import person_as_of

LABELS = {"id_number": "身份证号码", "name": "姓名", "sex": "性别", "birth_date": "出生日期",
          "household_number": "户口簿编号", "basis": "登记依据", "hukou_division": "户籍地",
          "residence_division": "居住地", "division": "参保村居", "phone": "联系电话",
          "life_status": "人员状态", "life_status_on": "状态变更日期"}
DIVISIONS = ("hukou_division", "residence_division", "division")


def changes_for(user, *, status: str | None = None) -> QuerySet[ChangeRequest]:
    qs = scope_of(user).filter(ChangeRequest.objects.all()).select_related("person", "division", "region")
    return qs.filter(status=status) if status else qs


def change_for(user, pk: int) -> ChangeRequest | None:
    return changes_for(user).filter(pk=pk).first()


def document_for(user, pk: int) -> ChangeDocument | None:
    return ChangeDocument.objects.filter(pk=pk, change__in=changes_for(user)).select_related(
        "change__division").first()


def person_by_pk(user, pk: int) -> Person | None:
    return scope_of(user).filter(Person.objects.all()).select_related(
        "division", "hukou_division", "residence_division", "region").filter(pk=pk).first()


def open_problem(request: ChangeRequest):
    return request.problems.filter(status__in=[ProblemStatus.OPEN, ProblemStatus.RETURNED]).first()


# --- shown to the reader ------------------------------------------------------------------------

def mask_phone(value: str) -> str:
    digits = value or ""
    if len(digits) <= 4:
        return "*" * len(digits)
    keep = 3 if len(digits) >= 11 else 0
    return digits[:keep] + "*" * (len(digits) - keep - 4) + digits[-4:]


def shown_phone(reader, value: str) -> str:
    return value if user_can(reader, "person.view_phone") else mask_phone(value)


def _division_names(codes) -> dict[str, str]:
    codes = {c for c in codes if c}
    return dict(Division.objects.filter(key__in=codes).values_list("key", "name")) if codes else {}


def shown_value(reader, name: str, value, names: dict[str, str] | None = None) -> str:
    """A field's value as the reader may see it: numbers and phones masked for roles without the
    right, divisions by name and code."""
    if value in (None, ""):
        return ""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    if name == "id_number":
        return shown_id_number(reader, text)
    if name == "phone":
        return shown_phone(reader, text)
    if name in DIVISIONS:
        names = names if names is not None else _division_names([text])
        return f"{names.get(text, '')}（{text}）" if names.get(text) else text
    if name == "sex" or name == "basis" or name == "life_status":
        choices = dict(Person._meta.get_field(name).choices)
        return str(choices.get(text, text))
    return text


@dataclass
class ChangeLine:
    field: str
    label: str
    before: str
    after: str


def change_lines(reader, request: ChangeRequest) -> list[ChangeLine]:
    """Each requested change: the field, the value before (as filed, or as replaced once
    approved) and the new value, shown as the reader may see them."""
    names = _division_names([*request.changes.values(), *request.before.values()])
    return [ChangeLine(k, CHANGEABLE.get(k, k), shown_value(reader, k, request.before.get(k, ""), names),
                       shown_value(reader, k, v, names)) for k, v in request.changes.items()]


def shows_whole_numbers(request: ChangeRequest) -> int:
    """How many whole identity numbers a view of the request shows (for the audit of whole views)."""
    return 1 + int("id_number" in request.changes)


# --- history --------------------------------------------------------------------------------------

@dataclass
class HistoryEntry:
    valid_from: dt.datetime
    valid_to: dt.datetime | None        # None: the current values
    values: dict                        # field → shown value
    changed: list[str] = field(default_factory=list)   # labels of what differs from the entry before
    change_id: int | None = None        # the change request whose approval brought these values
    change_status: str = ""


def _raw(obj, model) -> dict:
    return {f: getattr(obj, model._meta.get_field(f).attname) for f in HISTORY_FIELDS}


def history_of(reader, person: Person) -> list[HistoryEntry]:
    """The record's versions, oldest first, then the current values: from when to when each
    held, what differed from the one before, and which change request brought it (a version
    records the request whose approval ended it, so the next one was brought by that request)."""
    versions = list(PersonVersion.objects.filter(person=person).order_by("valid_from", "id"))
    raws = [(v.valid_from, v.valid_to, _raw(v, PersonVersion), v.change_id) for v in versions]
    raws.append((person.valid_from, None, _raw(person, Person), None))
    names = _division_names(str(r[2][f]) for r in raws for f in DIVISIONS)
    statuses = dict(ChangeRequest.objects.filter(pk__in=[r[3] for r in raws if r[3]]).values_list("pk", "status"))
    entries, previous, brought_by = [], None, None
    for valid_from, valid_to, raw, ended_by in raws:
        changed = [LABELS[f] for f in HISTORY_FIELDS if previous is not None and previous[f] != raw[f]]
        entries.append(HistoryEntry(valid_from, valid_to,
                                    {f: shown_value(reader, f, raw[f], names) for f in HISTORY_FIELDS}, changed,
                                    brought_by, ChangeStatus(statuses[brought_by]).label if brought_by else ""))
        previous, brought_by = raw, ended_by
    return entries


def person_on(person: Person, day: dt.date) -> dict | None:
    """What the record said on ``day``: its values at the end of that day (local time), or None
    before the person was registered."""
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return person_as_of(person, end - dt.timedelta(microseconds=1))
