"""Model fields for the core value types: ``MonthField`` stores a ``yibao.months.Month`` as
"YYYY-MM" text (sortable, readable in SQL, the same on SQLite and PostgreSQL)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from yibao.months import Month


class MonthField(models.CharField):
    description = "月份（YYYY-MM）"

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = 7
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return None
        return Month.parse(value)

    def to_python(self, value):
        if value is None or value == "" or isinstance(value, Month):
            return value or None
        try:
            return Month.coerce(value)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from exc

    def get_prep_value(self, value):
        if value is None or value == "":
            return "" if not self.null else None
        return str(Month.coerce(value))

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else str(value)
