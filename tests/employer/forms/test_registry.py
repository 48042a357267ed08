"""The registry of printed forms: which forms a declaration prints (by region and kind), that a
new form is one registered class, and that every form's HTML prints user text as text."""

import pytest
from django.template.loader import get_template

from yibao.employer.forms import PrintedForm, all_forms, available_forms, form_choices, get_form, register
from yibao.employer.forms import registry as registry_module
from yibao.employer.forms.base import FormData
from yibao.employer.models import Declaration

from .conftest import make_detail, make_letter, make_report, make_summary, make_unit

SCRIPT = "<script>alert(1)</script>"


def codes(declaration) -> list[str]:
    return [form.code for form in available_forms(declaration)]


def unsaved(unit, kind: str, year: int = 2024) -> Declaration:
    """A declaration as the registry sees one: its unit (region), year and kind."""
    return Declaration(unit=unit, year=year, kind=kind)


@pytest.mark.django_db
@pytest.mark.parametrize(("unit", "kind", "expected"), [
    ("weifang_unit", "active", ["detail", "summary"]),
    ("civil_unit", "retiree", ["detail", "summary"]),
    ("liaocheng_unit", "active", ["detail", "summary", "base_report", "commitment"]),
    # 聊城 requires its 申报表 and 承诺书 of the active staff's declaration only
    ("liaocheng_unit", "retiree", ["detail", "summary"]),
])
def test_forms_offered_by_region_and_kind(people, unit, kind, expected):
    declaration = unsaved(getattr(people, unit), kind)
    assert codes(declaration) == expected
    assert form_choices(declaration) == [(code, get_form(code).title) for code in expected]


def test_every_form_is_registered_once_with_its_template():
    forms = all_forms()
    assert [f.code for f in forms] == ["detail", "summary", "base_report", "commitment"]
    assert [f.title for f in forms] == ["医疗保险年报明细表", "医疗保险年报汇总表", "缴费基数申报表", "缴费基数申报承诺书"]
    for form in forms:
        assert get_form(form.code) is form
        assert get_template(form.template_name)
        assert issubclass(form.data_class, FormData)


@pytest.mark.django_db
def test_a_new_form_is_one_registered_class(people, monkeypatch):
    """Registering a class is all it takes for the form to be offered where it applies, in its place."""
    monkeypatch.setattr(registry_module, "_FORMS", dict(registry_module._FORMS))

    @register
    class Extra(PrintedForm):
        code = "extra"
        title = "另一张表"
        order = 15
        material = "annual_report_detail"  # 潍坊 requires it of active staff
        template_name = "employer/forms/commitment.html"
        data_class = FormData

    assert codes(unsaved(people.weifang_unit, "active")) == ["detail", "extra", "summary"]
    assert "extra" not in codes(unsaved(people.liaocheng_unit, "active"))
    assert "extra" not in codes(unsaved(people.civil_unit, "retiree"))
    with pytest.raises(ValueError):
        register(Extra)  # one class per code


@pytest.mark.parametrize("key", ["detail", "summary", "base-report", "commitment"])
def test_script_in_user_text_is_escaped_in_the_html(key):
    unit = make_unit(name=f"甲公司{SCRIPT}", contact_name=SCRIPT, contact_phone=SCRIPT, address=SCRIPT,
                     nature=SCRIPT, uscc=SCRIPT, region_name="某市")
    if key in ("detail", "summary"):
        data = make_detail(3, unit=unit, first_name=f"{SCRIPT}王五")
        data.amount_title = SCRIPT
        if key == "summary":
            data = make_summary(data)
    elif key == "base-report":
        data = make_report(note=SCRIPT)
        data.unit = unit
        data.active.label = SCRIPT
    else:
        data = make_letter(title=SCRIPT, opening=SCRIPT, clauses=[SCRIPT], signature_lines=["单位名称（盖章）", SCRIPT])
        data.unit = unit
    form = get_form(key.replace("-", "_"))
    html = form.render_html(data)
    assert "<script" not in html.lower()
    assert "甲公司&lt;script&gt;alert(1)&lt;/script&gt;" in html
