"""A person's record changes without losing its past: the values it replaces are kept in
``PersonVersion`` with the span they held, so what the record said on any past date stays
answerable (``selectors.person_as_of``)."""

from __future__ import annotations

from django.utils import timezone

from yibao.audit.services import record_event

from ..models import HISTORY_FIELDS, Person, PersonVersion


def _value(person: Person, name: str):
    field = Person._meta.get_field(name)
    return getattr(person, field.attname)


def apply_values(person: Person, values: dict, *, actor, change=None, action: str = "resident.person.change") -> dict:
    """Set ``values`` (field name → value or Division) on ``person`` (locked by the caller's
    transaction), keeping the superseded values as a version. Returns {field: (before, after)}."""
    changed = {}
    for name, value in values.items():
        field = Person._meta.get_field(name)
        new = value.pk if field.is_relation and hasattr(value, "pk") else value
        old = getattr(person, field.attname)
        if old != new:
            changed[name] = (old, new)
    if not changed:
        return {}
    now = timezone.now()
    PersonVersion.objects.create(region_id=person.region_id, person=person, valid_from=person.valid_from,
                                 valid_to=now, change=change,
                                 **{Person._meta.get_field(f).attname: _value(person, f) for f in HISTORY_FIELDS})
    for name, (_, new) in changed.items():
        setattr(person, Person._meta.get_field(name).attname, new)
    person.valid_from = now
    person.save()
    shown = {k: [str(a) if a is not None else "", str(b) if b is not None else ""] for k, (a, b) in changed.items()}
    record_event(actor, action, "person", person.pk, before={k: v[0] for k, v in shown.items()},
                 after={k: v[1] for k, v in shown.items()}, division_path=person.division.path)
    return changed


def record_life_status(person: Person, *, status: str, on, actor) -> dict:
    """人员状态: record a death or a move out of the region (or a return to 在册), with its date.
    Kept as history like any change; coverage ends with a death and the renewal roster leaves the
    person out. A clerk records it for their own area."""
    import datetime as dt

    from django.db import transaction

    from yibao import clock

    from ..errors import RegistrationError
    from ..models import LifeStatus
    from .checks import within_area

    if status not in LifeStatus.values:
        raise RegistrationError("人员状态应为在册、死亡或迁出。", code="life_status_invalid", fields={"status": "无效"})
    if status != LifeStatus.ACTIVE and on is None:
        raise RegistrationError("请填写死亡或迁出的日期。", code="life_status_date_missing", fields={"on": "必填"})
    if on is not None and not isinstance(on, dt.date):
        raise RegistrationError("日期格式不正确，应为 YYYY-MM-DD。", code="date_invalid", fields={"on": "格式不正确"})
    if on is not None and on > clock.today():
        raise RegistrationError(f"日期 {on.isoformat()} 晚于今天，不能登记。", code="life_status_future",
                                fields={"on": "晚于今天"})
    with transaction.atomic():
        locked = Person.objects.select_for_update(of=("self",)).select_related("division").get(pk=person.pk)
        within_area(actor, locked.division)
        return apply_values(locked, {"life_status": status, "life_status_on": on if status != LifeStatus.ACTIVE else None},
                            actor=actor, action="resident.person.life_status")
