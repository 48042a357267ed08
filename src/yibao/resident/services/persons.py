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
