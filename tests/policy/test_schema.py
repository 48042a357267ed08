"""A bad policy file fails at load time with a message naming the file, the key and the problem."""

import re

import pytest

from yibao.policy import Engine, PolicyFileError


def edit(folder, name, old, new, count=1):
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def load_error(folder) -> PolicyFileError:
    with pytest.raises(PolicyFileError) as err:
        Engine.from_folder(folder)
    return err.value


def test_the_shipped_folder_loads(policy_copy):
    assert len(Engine.from_folder(policy_copy).regions()) == 4


@pytest.mark.parametrize(("name", "old", "new", "key", "problem"), [
    ("370700.yaml", "      value: 4242\n", "      value: abc\n", "parameters.employee.base_floor[0].value", "金额"),
    ("370700.yaml", "      value: 4242\n", "      value: 4242.001\n", "parameters.employee.base_floor[0].value", "两位小数"),
    ("370700.yaml", "  employee.base_floor:\n", "  employee.base_flor:\n", "parameters.employee.base_flor", "未知的参数名"),
    ("370700.yaml", "      source: wf_2024_base\n      section: 一、调整标准\n      note: 2023年度",
     "      source: nowhere\n      section: 一、调整标准\n      note: 2023年度", "parameters.employee.base_floor[0].source",
     "未在 sources 中定义"),
    ("370700.yaml", "      value: 4242\n      source: wf_2024_base\n      section: 一、调整标准\n",
     "      value: 4242\n      source: wf_2024_base\n", "parameters.employee.base_floor[0].section", "缺少条款"),
    ("370700.yaml", "      valid_to: \"2024-12\"\n      value: 4242\n", "      valid_to: \"2023-12\"\n      value: 4242\n",
     "parameters.employee.base_floor[0]", "早于"),
    ("370700.yaml", "    - valid_from: \"2024-01\"\n      valid_to: \"2024-12\"\n      value: 4242\n",
     "    - insurance_year: 2024\n      value: 4242\n", "parameters.employee.base_floor[0]", "valid_from"),
    ("370700.yaml", "        ratio: 0.6\n", "        ratio: 0.59\n", "parameters.employee.base_floor[0].derivation",
     "与 value 4242.00 不符"),
    ("370700.yaml", "      value: 0.7\n", "      value: 70\n", "parameters.employee.self_inspection_threshold[0].value",
     "0 至 1"),
    ("370700.yaml", "        retiree: false\n", "        retiree: 否\n", "parameters.employee.required_materials[0].value.retiree",
     "true 或 false"),
    ("370700.yaml", "        code: annual_report_detail\n", "        code: Annual Report\n",
     "parameters.employee.required_materials[1].value.code", "snake_case"),
    ("370700.yaml", "      value: true\n      source: wf_2024_base\n      section: 一、调整标准\n      note: 缴费基数最高",
     "      value: true\n      sourc: wf_2024_base\n      section: 一、调整标准\n      note: 缴费基数最高",
     "parameters.employee.base_clamp[0].sourc", "未知的键"),
    ("370700.yaml", "  code: \"370700\"", "  code: \"370701\"", "region.code", "文件名"),
    ("370700.yaml", "format: 1", "format: 2", "format", "应为 1"),
    ("370700.yaml", "      value: up_to_yuan\n", "      value: ceil\n", "parameters.employee.bounds_rounding[0].value",
     "up_to_yuan"),
    ("371728.yaml", "        total: 713138\n", "        total: 713139\n",
     "parameters.resident.enrolment_targets[0].value.total", "713138"),
    ("371728.yaml", "{category: 低保对象, rule: percent, rate: 0.3}", "{category: 低保户, rule: percent, rate: 0.3}",
     "parameters.resident.hardship_subsidy[1].value", "词表"),
    ("371728.yaml", "{category: 低保对象, rule: percent, rate: 0.3}", "{category: 低保对象, rule: percent}",
     "parameters.resident.hardship_subsidy[1].value.rate", "须给出 rate"),
    ("140500.yaml", "rate: 0.9, stated_amount: 342}", "rate: 0.9, stated_amount: 343}",
     "parameters.resident.hardship_subsidy[1].value.stated_amount", "342.00"),
    ("140500.yaml", "      value: {start: 2023-09-01, end: 2023-12-25, adjustable: false}",
     "      value: {start: 2023-09-01, end: 2023-08-25, adjustable: false}",
     "parameters.resident.collection_period[0].value.end", "早于"),
    ("140500.yaml", "      value: {first: 1, last: 25}", "      value: {first: 1, last: 32}",
     "parameters.resident.collection_days_of_month[0].value.last", "1 至 31"),
    ("140500.yaml", "    - insurance_year: 2024\n      value: {category: 返贫致贫人口",
     "    - insurance_year: 2024\n      value: {category: 易返贫致贫人口, rule: full}\n      source: jc_2023_10\n"
     "      section: x\n    - insurance_year: 2024\n      value: {category: 返贫致贫人口",
     "parameters.resident.hardship_subsidy[1]", "重叠"),
    ("national.yaml", "      value: 0.0005\n", "      value: -0.0005\n", "parameters.late_fee.daily_rate[0].value", "比例"),
    ("371500.yaml", "        copies: 3\n", "        copies: 2\n", "parameters.employee.base_report_form[0].value.holders",
     "份数 2"),
    ("371500.yaml", "        signature_lines: [单位名称（盖章）, 法定代表人或单位负责人（签名）]\n",
     "        signature_lines: []\n", "parameters.employee.commitment_letter[0].value.signature_lines", "至少 1 项"),
])
def test_schema_errors_name_file_key_and_problem(policy_copy, name, old, new, key, problem):
    edit(policy_copy, name, old, new)
    err = load_error(policy_copy)
    assert err.file == name
    assert err.key == key
    assert problem in err.problem
    assert str(err).startswith(f"{name}: {key}: ")


def test_invalid_yaml_names_the_line(policy_copy):
    edit(policy_copy, "371500.yaml", "parameters:\n", "parameters:\n  - [unclosed\n")
    err = load_error(policy_copy)
    assert err.file == "371500.yaml" and re.match(r"第 \d+ 行", err.key) and "YAML" in err.problem


def test_missing_national_file(policy_copy):
    (policy_copy / "national.yaml").unlink()
    assert "national.yaml" in str(load_error(policy_copy))


def test_region_parameters_cannot_be_national(policy_copy):
    edit(policy_copy, "national.yaml", "parameters:\n", "parameters:\n  resident.individual_premium:\n"
         "    - insurance_year: 2024\n      value: 380\n      source: social_insurance_law\n      section: x\n")
    err = load_error(policy_copy)
    assert err.key == "parameters.resident.individual_premium" and "统筹区" in err.problem


def test_next_year_is_added_by_values_alone(policy_copy):
    """A policy officer adds 2025 to 东明 without touching code."""
    path = policy_copy / "371728.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("sources:\n", "sources:\n  dm_2024_x:\n    title: 2025年度筹资通知\n    issuer: 东明县人民政府办公室\n", 1)
    text = text.replace("  resident.fiscal_subsidy:\n", "  resident.fiscal_subsidy:\n    - insurance_year: 2025\n"
                        "      value: 670\n      source: dm_2024_x\n      section: 一\n", 1)
    text = text.replace("  resident.individual_premium:\n", "  resident.individual_premium:\n    - insurance_year: 2025\n"
                        "      value: 400\n      source: dm_2024_x\n      section: 一\n", 1)
    path.write_text(text, encoding="utf-8")
    engine = Engine.from_folder(policy_copy)
    v = engine.ask("371728", "resident.premium", {"insurance_year": 2025, "categories": []}).values
    assert (v["standard"], v["fiscal_subsidy"]) == (400, 670)
    old = engine.ask("371728", "resident.premium", {"insurance_year": 2024, "categories": []}).values
    assert old["standard"] == 380
    refused = engine.ask("371728", "resident.premium", {"insurance_year": 2025, "categories": ["低保对象"]})
    assert refused.error["missing"] == ["resident.hardship_subsidy[低保对象]"]


def test_a_published_average_wage_recorded_in_the_file_moves_the_bounds(policy_copy):
    path = policy_copy / "370700.yaml"
    path.write_text(path.read_text(encoding="utf-8") + (
        "  employee.average_wage_published:\n    - valid_from: \"2024-01\"\n      valid_to: \"2024-12\"\n"
        "      value: {wage_year: 2023, annual: 100000, published_on: 2024-06-20}\n"
        "      source: lu_2023_59\n      section: x\n"), encoding="utf-8")
    engine = Engine.from_folder(policy_copy)
    assert engine.ask("370700", "employee.bounds", {"month": "2024-06"}).values["floor"] == 4242
    july = engine.ask("370700", "employee.bounds", {"month": "2024-07"}).values
    assert (july["floor"], july["ceiling"], july["source"]) == (5000, 25000, "average_wage")
