"""``{{ number|id_number:show_whole }}``: an identity number whole or masked."""

from django import template

from yibao.identity import mask_id_number

register = template.Library()


@register.filter
def id_number(number, show_whole=False):
    return number if show_whole else mask_id_number(number or "")
