"""Filters of the resident scheme's coverage pages: identity numbers and phones as the reader may
see them (the view says whether the reader sees them whole)."""

from django import template

from yibao.accounts.personal_data import mask_phone
from yibao.identity import mask_id_number

register = template.Library()


@register.filter
def id_shown(number: str, whole: bool) -> str:
    """The identity number, whole or masked (370705********1234)."""
    return number if whole else mask_id_number(number)


@register.filter
def phone_shown(phone: str, whole: bool) -> str:
    """The phone, whole or masked (138****8000)."""
    return phone if whole else mask_phone(phone)


@register.filter
def param(value) -> str:
    """A parameter value the engine read, as text: a rule's fields joined, lists by 、."""
    if isinstance(value, dict):
        return "，".join(f"{k}：{param(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "、".join(param(v) for v in value)
    return "" if value is None else str(value)
