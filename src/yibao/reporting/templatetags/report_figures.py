"""``{{ row|figures }}``: a progress row's figures in the weekly report's column order."""

from decimal import Decimal

from django import template

from ..services.reports import figures_of, percent

register = template.Library()


@register.filter
def figures(row):
    return figures_of(row)


@register.filter
def pct(value):
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except ArithmeticError:
            return value
    return percent(value)
