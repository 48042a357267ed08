"""What every printed form of a declaration is: ``PrintedForm``, and the unit block they share.

A form is one subclass of ``PrintedForm`` (registered with ``registry.register``) and one
Django template under ``employer/forms/``:

- ``code``, ``title``: its key in URLs and the CLI, and its name in the list of forms, in job
  labels and in file names; ``order``: its place in that list;
- ``material``: the required material (policy engine, ``rules.required_materials``) that calls
  for it, or ``None`` for a form every declaration prints;
- ``data(declaration)``: the typed data of the form, built from the declaration's lines (every
  figure is computed from the data, so the form agrees with the declaration by construction);
  ``masked(data)`` the same for a reader who sees identity numbers masked;
- ``template_name``: the HTML the PDF is laid out from, rendered with autoescaping;
- ``write_xlsx(book, data)``: the same form as a one-sheet workbook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.template.loader import render_to_string
from django.utils import timezone

from yibao.documents import pdf
from yibao.documents.xlsx import FormBook, cents
from yibao.months import Month

from .. import rules
from ..models import Declaration, DeclarationKind

_UNSAFE_IN_NAME = re.compile(r"[\\/:*?\"<>|\x00-\x1f\x7f]+")


@dataclass
class FormUnit:
    name: str
    unit_number: str
    uscc: str = ""
    nature: str = ""
    address: str = ""
    postcode: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    region_name: str = ""


def unit_of(declaration: Declaration) -> FormUnit:
    u = declaration.unit
    return FormUnit(name=u.name, unit_number=u.unit_number, uscc=u.uscc, nature=u.nature, address=u.address,
                    postcode=u.postcode, contact_name=u.contact_name, contact_phone=u.contact_phone,
                    region_name=u.region.name)


def declaration_bounds(declaration: Declaration) -> tuple[Decimal | None, Decimal | None]:
    """The floor and ceiling of the declaration's year (active staff only)."""
    if declaration.kind != DeclarationKind.ACTIVE:
        return None, None
    b = rules.bounds(declaration.unit.region_id, Month.first_of(declaration.year))
    return b.floor, b.ceiling


@dataclass
class FormData:
    """What every form's data has: whose and which year's it is."""

    unit: FormUnit
    year: int


class KindLabels:
    """Labels that follow the declaration's kind (active employees' wages or retirees' pensions)."""

    kind: str

    @property
    def retiree(self) -> bool:
        return self.kind == "retiree"

    @property
    def base_label(self) -> str:
        return "个人账户划入基数" if self.retiree else "缴费基数"


def money(value, empty: str = "—") -> str:
    """Two decimals with thousands separators: ``21,207.00``; ``empty`` for no amount."""
    v = cents(value)
    return empty if v is None else f"{v:,.2f}"


def stamp(when: datetime | None) -> str:
    """The 打印时间 as printed."""
    return when.strftime("%Y-%m-%d %H:%M") if when else ""


def now() -> datetime:
    return timezone.localtime()


class PrintedForm:
    """A printed form of a declaration, as PDF (from its template) and as xlsx."""

    code: ClassVar[str]
    title: ClassVar[str]
    template_name: ClassVar[str]
    data_class: ClassVar[type[FormData]]
    material: ClassVar[str | None] = None
    order: ClassVar[int] = 100  # place in the list of forms (the declaration page, the CLI's message)
    # A PDF of a declaration with more lines than this is rendered by the background worker
    # (``None``: always within the request).
    pdf_inline_lines: ClassVar[int | None] = None

    # --- which declarations ------------------------------------------------------------------

    def applies_to(self, declaration: Declaration, materials: set[str]) -> bool:
        """Whether ``declaration`` prints this form; ``materials`` are the codes of the materials
        its region requires of it."""
        return self.material is None or self.material in materials

    def renders_in_background(self, declaration: Declaration, fmt: str) -> bool:
        return fmt == "pdf" and self.pdf_inline_lines is not None and declaration.line_count > self.pdf_inline_lines

    # --- data ----------------------------------------------------------------------------------

    def data(self, declaration: Declaration) -> FormData:
        raise NotImplementedError

    def masked(self, data: FormData) -> FormData:
        """The data as a reader who sees identity numbers masked is given it (a form that prints
        identity numbers masks them here)."""
        return data

    def heading(self, data: FormData) -> str:
        """The title printed on top of the form."""
        return self.title

    def file_title(self, data: FormData) -> str:
        return self.title

    def filename(self, data: FormData, ext: str) -> str:
        """File name of a download, e.g. ``医疗保险年报明细表-37070500001-2024.pdf``."""
        self.check(data)
        number = _UNSAFE_IN_NAME.sub("_", data.unit.unit_number).strip(". ") or "unit"
        return f"{self.file_title(data)}-{number}-{data.year}.{ext.lstrip('.')}"

    def check(self, data: Any) -> None:
        if not isinstance(data, self.data_class):
            raise TypeError(f"not the data of {self.title}: {type(data).__name__}")

    # --- PDF -----------------------------------------------------------------------------------

    def context(self, data: FormData) -> dict[str, Any]:
        """The template's context; a form adds what its template needs beyond its data."""
        return {"form": self, "data": data, "heading": self.heading(data), "base_css": pdf.BASE_CSS,
                "fonts": {"sans": pdf.SANS, "serif": pdf.SERIF}}

    def render_html(self, data: FormData) -> str:
        """The HTML the PDF is laid out from (also handy to preview a form in a browser)."""
        self.check(data)
        return render_to_string(self.template_name, self.context(data))

    def estimated_pages(self, data: FormData) -> int:
        """Pages of the PDF, estimated before the layout (for a progress bar)."""
        return 1

    def render_pdf(self, data: FormData, progress=None) -> bytes:
        """An A4 PDF with the Noto CJK fonts embedded; ``progress(page)`` is called as each page
        is laid out (compare with ``estimated_pages``)."""
        return pdf.write_pdf(self.render_html(data), progress)

    # --- xlsx ----------------------------------------------------------------------------------

    def write_xlsx(self, book: FormBook, data: FormData) -> None:
        raise NotImplementedError

    def render_xlsx(self, data: FormData) -> bytes:
        """A one-sheet workbook set up to print on A4."""
        self.check(data)
        book = FormBook()
        self.write_xlsx(book, data)
        return book.close()
