"""The printed forms there are, and which of them a declaration prints.

A form class registers itself with ``@register``; forms are offered in the order of their
``order``.
"""

from __future__ import annotations

from .. import rules
from ..models import Declaration, DeclarationKind
from .base import PrintedForm

_FORMS: dict[str, PrintedForm] = {}


def register(cls: type[PrintedForm]) -> type[PrintedForm]:
    """Class decorator: the form is offered wherever it applies."""
    if cls.code in _FORMS:
        raise ValueError(f"two printed forms with the code {cls.code!r}")
    _FORMS[cls.code] = cls()
    ordered = sorted(_FORMS.values(), key=lambda form: form.order)
    _FORMS.clear()
    _FORMS.update((form.code, form) for form in ordered)
    return cls


def all_forms() -> list[PrintedForm]:
    return list(_FORMS.values())


def get_form(code: str) -> PrintedForm | None:
    return _FORMS.get(code)


def required_material_codes(declaration: Declaration) -> set[str]:
    """Codes of the materials the region requires of this declaration (policy engine)."""
    return {m["code"] for m in rules.required_materials(
        declaration.unit.region_id, declaration.year, retiree=declaration.kind == DeclarationKind.RETIREE)}


def available_forms(declaration: Declaration) -> list[PrintedForm]:
    """The forms this declaration prints: every form for every region, the others where the
    region's required materials name them."""
    materials = required_material_codes(declaration)
    return [form for form in _FORMS.values() if form.applies_to(declaration, materials)]


def form_choices(declaration: Declaration) -> list[tuple[str, str]]:
    """``(code, title)`` of the forms this declaration prints, for pages and messages."""
    return [(form.code, form.title) for form in available_forms(declaration)]
