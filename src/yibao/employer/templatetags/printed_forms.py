"""Filters of the printed forms' templates (``employer/forms/``)."""

from django import template

from yibao.employer.forms.base import money as _money
from yibao.employer.forms.base import stamp as _stamp

register = template.Library()


@register.filter
def money(value, empty: str = "—") -> str:
    """An amount as printed: ``21,207.00``; ``—`` (or ``empty``) for no amount."""
    return _money(value, empty)


@register.filter
def stamp(value) -> str:
    """The 打印时间 as printed: ``2024-01-15 09:30``."""
    return _stamp(value)
