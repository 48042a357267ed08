"""The policy page: a form built from each question's declared inputs, the answer's outputs under
their Chinese titles with the explanation and its citations, refusals in Chinese, and bad input
shown beside its field."""

import datetime as dt
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 1, 15)


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = TODAY


def get(client, **params):
    return client.get(reverse("policy"), params)


def ask(client, region, question, **inputs):
    """Submit the form as the page shows it for ``region`` and ``question``."""
    params = {"region": region, "question": question, "shown": f"{region}|{question}"}
    params.update({f"in-{k}": v for k, v in inputs.items()})
    return client.get(reverse("policy"), params)


def tag(html: str, name: str) -> str:
    """The opening tag of the form control named ``in-<name>`` (the first, for checkboxes)."""
    m = re.search(r'<(input|select)[^>]*name="in-' + re.escape(name) + r'"[^>]*>', html)
    assert m, name
    return m.group(0)


def test_the_form_asks_for_the_inputs_of_an_employee_question(client_for, people):
    page = get(client_for(people.weifang_clerk), region="370700", question="employee.base")
    assert page.status_code == 200 and page.context["answer"] is None
    html = page.content.decode()
    month = tag(html, "month")
    assert 'type="month"' in month and 'value="2024-01"' in month and "required" in month
    wage = tag(html, "wage")
    assert 'type="number"' in wage and 'step="0.01"' in wage and "value=" not in wage
    assert 'type="date"' in tag(html, "published_on") and "required" not in tag(html, "published_on")
    assert "缴费月份" in html and "申报的上年度月均实际工资收入（元）" in html and "选填" in html
    assert "key=value" not in html and "<textarea" not in html


def test_the_question_list_is_the_regions_schemes_and_the_region_defaults_to_the_users(client_for, people):
    page = get(client_for(people.dongming_township_clerk))
    assert page.context["region"] == "371728"
    names = [q["name"] for _, items in page.context["question_groups"] for q in items]
    assert names and all(n.startswith("resident.") for n in names)
    assert page.context["question"].name == names[0]
    weifang = get(client_for(people.weifang_clerk))
    assert weifang.context["region"] == "370700" and weifang.context["question"].name.startswith("employee.")


def test_categories_are_the_regions_hardship_categories_as_checkboxes(client_for, people):
    client = client_for(people.dongming_township_clerk)
    html = get(client, region="371728", question="resident.premium").content.decode()
    boxes = re.findall(r'<input type="checkbox" name="in-categories" value="([^"]+)"', html)
    assert boxes == ["特困人员", "低保对象", "返贫致贫人口"]  # the ones 东明's notice names
    year = tag(html, "insurance_year")
    assert 'type="number"' in year and 'value="2024"' in year
    jincheng = get(client, region="140500", question="resident.premium").content.decode()
    boxes = re.findall(r'<input type="checkbox" name="in-categories" value="([^"]+)"', jincheng)
    assert set(boxes) == {"特困人员", "低保对象", "返贫致贫人口", "易返贫致贫人口", "重度残疾人", "在乡重点优抚对象"}


def test_choices_and_yes_no_are_selects_with_chinese_labels(client_for, people):
    html = get(client_for(people.jincheng_manager), region="140500", question="resident.benefit_start").content.decode()
    kind = html[html.index('name="in-kind"'):]
    kind = kind[:kind.index("</select>")]
    assert '<option value="newborn">新生儿</option>' in kind and 'value="ordinary" selected' in kind
    origin = html[html.index('name="in-paid_at_origin"'):]
    origin = origin[:origin.index("</select>")]
    assert '<option value="true">是</option>' in origin and '<option value="false">否</option>' in origin
    assert '<option value="" selected>（不填）</option>' in origin
    paid_on, birth = tag(html, "paid_on"), tag(html, "birth_date")
    assert 'type="date"' in paid_on and 'value="2024-01-15"' in paid_on
    assert 'type="date"' in birth and "value=" not in birth
    rate = get(client_for(people.liaocheng_clerk), region="371500", question="employee.contribution_rate").content.decode()
    assert '<option value="unit">单位</option>' in rate and "（不填）" in rate


def test_ints_and_optional_years(client_for, people):
    html = get(client_for(people.weifang_clerk), region="370700", question="employee.self_inspection").content.decode()
    assert 'type="number"' in tag(html, "contributors") and 'step="1"' in tag(html, "contributors")
    # year and month are alternatives: the year is filled in so the form can be asked at once
    assert 'value="2024"' in tag(html, "year") and "value=" not in tag(html, "month")
    window = get(client_for(people.weifang_clerk), region="370700", question="employee.declaration_window")
    html = window.content.decode()
    assert 'value="2024-01-15"' in tag(html, "date") and "value=" not in tag(html, "year")


def test_an_answer_shows_outputs_under_chinese_titles_with_the_explanation_and_citations(client_for, people):
    page = ask(client_for(people.dongming_township_clerk), "371728", "resident.premium", insurance_year=2024, categories="低保对象")
    assert page.status_code == 200
    answer = page.context["answer"]
    assert answer["ok"]
    outputs = {o["name"]: o for o in answer["outputs"]}
    assert outputs["payable"]["title"] == "个人应缴（元）" and outputs["payable"]["text"] == "266.00"
    assert outputs["subsidy_category"]["text"] == "低保对象"
    html = page.content.decode()
    assert "个人应缴（元）" in html and "266.00" in html and "payable" not in re.sub(r'data-testid="[^"]*"', "", html)
    assert "东政办字〔2023〕26号" in html  # cited with the step that reads it
    assert any(c["number"] == "东政办字〔2023〕26号" for s in answer["steps"] for c in s["citations"])
    assert "个人应缴 = 380.00 − 114.00 = 266.00 元。" in html
    assert "居民医保个人缴费标准" in html  # a parameter under its Chinese title
    assert 'value="低保对象" id="id_in-categories_1" checked' in html  # the form keeps what was asked


def test_bounds_after_publication_shows_the_bounds_in_force_and_the_new_ones(client_for, people):
    page = ask(client_for(people.weifang_clerk), "370700", "employee.bounds_after_publication",
               month="2024-06", annual_average_wage="100000", published_on="2024-06-20")
    outputs = {o["name"]: (o["title"], o["text"]) for o in page.context["answer"]["outputs"]}
    assert outputs["floor"] == ("所问月份执行的下限（元/月）", "4242.00")
    assert outputs["new_floor"] == ("新下限（元/月）", "5000.00")
    assert outputs["in_effect"][1] == "否" and outputs["effective_from"][1] == "2024-07"
    assert "本月仍按原上下限执行" in page.content.decode()


def test_coded_outputs_are_shown_in_chinese(client_for, people):
    page = ask(client_for(people.weifang_clerk), "370700", "employee.base", month="2024-01", wage="3000")
    outputs = {o["name"]: o["text"] for o in page.context["answer"]["outputs"]}
    assert outputs["clamped"] == "按下限保底（floor）" and outputs["base"] == "4242.00"


def test_list_outputs_are_tables_or_lists(client_for, people):
    page = ask(client_for(people.liaocheng_clerk), "371500", "employee.required_materials", year=2024)
    materials = page.context["answer"]["outputs"][0]
    assert materials["columns"][:2] == ["代码", "名称"] and len(materials["rows"]) == 2
    letter = ask(client_for(people.liaocheng_clerk), "371500", "employee.commitment_letter", year=2024)
    clauses = {o["name"]: o for o in letter.context["answer"]["outputs"]}["clauses"]
    assert len(clauses["entries"]) == 2


def test_a_refusal_is_shown_in_chinese_with_its_explanation(client_for, people):
    page = ask(client_for(people.jincheng_manager), "140500", "resident.benefit_start", insurance_year=2024,
               kind="newborn", paid_on="2024-05-01", birth_date="2024-03-10")
    assert page.status_code == 200
    answer = page.context["answer"]
    assert not answer["ok"] and answer["error"]["code"] == "not_configured"
    html = page.content.decode()
    assert "不能给出结果：政策未规定" in html and answer["error"]["message"] in html
    assert "缺少参数" in html and "resident.newborn" in html
    assert "晋市医保发〔2023〕10号" in html  # the refusal's explanation cites the notice


@pytest.mark.parametrize(("inputs", "title"), [
    ({"month": "2024-01", "chosen_base": "4241.99"}, "超出规定范围"),
    ({"month": "2024-01", "chosen_base": "0"}, "输入有误"),
])
def test_other_refusals(client_for, people, inputs, title):
    page = ask(client_for(people.weifang_clerk), "370700", "employee.flexible_base", **inputs)
    assert page.context["answer"]["error"]["title"] == title
    assert title in page.content.decode() and page.context["answer"]["steps"]


def test_not_eligible_is_shown_in_chinese_and_yes_reaches_the_engine(client_for, people):
    page = ask(client_for(people.dongming_township_clerk), "371728", "resident.benefit_start", insurance_year=2024,
               kind="migrant", moved_in_on="2024-03-01", paid_at_origin="true", paid_on="2024-03-15")
    answer = page.context["answer"]
    assert answer["error"]["code"] == "not_eligible" and answer["error"]["title"] == "不符合条件"
    assert "不能给出结果：不符合条件" in page.content.decode()
    page = ask(client_for(people.dongming_township_clerk), "371728", "resident.benefit_start", insurance_year=2024,
               kind="migrant", moved_in_on="2024-03-01", paid_at_origin="false", paid_on="2024-03-15")
    assert page.context["answer"]["ok"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("month", "2024-13", "请按“年-月”填写月份"),
    ("month", "", "这个字段是必填项"),
    ("wage", "abc", "输入一个数字"),
    ("wage", "3000.001", "2"),
    ("published_on", "2024-02-30", "请按“年-月-日”填写日期"),
])
def test_bad_input_is_shown_beside_its_field(client_for, people, field, value, message):
    inputs = {"month": "2024-01", "wage": "3000", field: value}
    page = ask(client_for(people.weifang_clerk), "370700", "employee.base", **inputs)
    assert page.status_code == 200 and page.context["answer"] is None
    html = page.content.decode()
    error = re.search(r'data-testid="field-' + field + r'".*?data-testid="error-' + field + r'">([^<]*)<', html, re.S)
    assert error and message in error.group(1)
    assert 'aria-invalid="true"' in tag(html, field)


def test_bad_values_for_years_choices_and_categories_are_field_errors(client_for, people):
    client = client_for(people.jincheng_manager)
    page = ask(client, "140500", "resident.benefit_start", insurance_year="1800", kind="martian", paid_on="2024-01-15")
    assert set(page.context["form"].errors) == {"insurance_year", "kind"}
    page = ask(client_for(people.dongming_township_clerk), "371728", "resident.premium", insurance_year=2024,
               categories="易返贫致贫人口")  # not among 东明's categories
    assert set(page.context["form"].errors) == {"categories"}


def test_choosing_another_question_reloads_the_form_and_keeps_what_fits(client_for, people):
    client = client_for(people.weifang_clerk)
    page = client.get(reverse("policy"), {"region": "370700", "question": "employee.flexible_base",
                                          "shown": "370700|employee.base", "in-month": "2024-03", "in-wage": "5000"})
    assert page.context["answer"] is None and page.context["switched"]
    html = page.content.decode()
    assert 'value="2024-03"' in tag(html, "month") and "chosen_base" in html
    assert "请核对后再点“查询”" in html
    # the script drops "shown" when a select changes: a fresh form, no note
    page = client.get(reverse("policy"), {"region": "371500", "question": "employee.base", "in-month": "2024-03"})
    assert page.context["answer"] is None and not page.context["switched"]
    assert page.context["region"] == "371500"


def test_a_question_of_another_scheme_falls_back_to_the_regions_first(client_for, people):
    page = ask(client_for(people.weifang_clerk), "370700", "resident.premium", insurance_year=2024)
    assert page.status_code == 200 and page.context["answer"] is None
    assert page.context["question"].name.startswith("employee.")
    page = get(client_for(people.weifang_clerk), region="999999", question="nonsense")
    assert page.status_code == 200 and page.context["region"] == "370700"


def test_the_page_needs_sign_in(client):
    page = client.get(reverse("policy"))
    assert page.status_code == 302 and "/login/" in page["Location"]


def test_the_administrator_sees_what_each_region_cannot_answer_yet(people, client_for):
    page = client_for(people.admin).get("/policy/gaps/", {"region": "371500", "year": "2024"}).content.decode()
    assert "employee.contribution_rate[unit]" in page and "employee.retiree_allotment_base_rule" in page
    assert "潍坊市</td>" not in page
    assert client_for(people.weifang_clerk).get("/policy/gaps/").status_code == 403
