"""The policy page (政策查询): a form built from the inputs a question declares, and the answer
with its outputs under their Chinese titles, the explanation steps and their citations.

Everything is a GET: choosing a region or a question reloads the page with that question's form
(a few lines of script submit on change; without script the 查询 button does it), and the form
asks the engine once it was shown for the region and question it is submitted with.
"""

from __future__ import annotations

import re

from django import forms
from django.shortcuts import render

from yibao import clock
from yibao.access.permissions import require
from yibao.policy import get_engine
from yibao.policy.questions import Input
from yibao.policy.schema import SPECS

PREFIX = "in"
SCHEMES = {"employee": "职工基本医疗保险", "resident": "城乡居民基本医疗保险"}
REFUSALS = {
    "not_configured": "政策未规定",
    "out_of_range": "超出规定范围",
    "not_eligible": "不符合条件",
    "invalid_input": "输入有误",
}
#: Chinese names of the codes a choice input takes.
CHOICES = {
    "unit": "单位", "individual": "个人",
    "ordinary": "一般参保人员", "newborn": "新生儿", "migrant": "新迁入居民",
    "death": "死亡", "employee_insurance": "参加职工医保", "insured_elsewhere": "在统筹区外参加居民或职工医保",
    "employee": "职工医保", "resident": "居民医保", "none": "未参加医保",
}
#: Chinese names of coded values, per output (or per field of a parameter's value).
VALUES = {
    "source": {"notice": "通知", "average_wage": "新公布平均工资"},
    "clamped": {"floor": "按下限保底", "ceiling": "按上限封顶", "none": "未调整"},
    "rule": {"full": "全额资助", "fixed": "定额资助", "percent": "按比例资助", "unspecified": "未规定"},
}
#: Chinese names of the fields of records: outputs that are lists of records, parameter values.
COLUMNS = {
    "division_name": "单位", "division_code": "区划代码", "target": "参保任务",
    "code": "代码", "title": "名称", "retiree": "退休人员申报用", "requirement": "要求", "section": "通知章节",
    "category": "类别", "rule": "方式", "amount": "金额", "rate": "比例", "stated_amount": "通知所列金额",
    "excludes": "不含", "notice_term": "通知用语", "wage_year": "工资年度", "annual": "年平均工资",
    "published_on": "公布日期", "start": "开始", "end": "结束", "first": "首日", "last": "末日",
    "adjustable": "可适时调整", "divisions": "各单位", "total": "合计", "unit": "计量单位",
}
TIME_TYPES = ("date", "month", "year")
MONTH = re.compile(r"(\d{4})-(\d{1,2})")
OPTIONAL = "（不填）"


# --- the form -------------------------------------------------------------------------------------

class MonthField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return ""
        m = MONTH.fullmatch(value)
        if not m or not 1 <= int(m[2]) <= 12:
            raise forms.ValidationError("请按“年-月”填写月份，如 2024-01。", code="invalid")
        return f"{m[1]}-{int(m[2]):02d}"


def _bool(value) -> bool:
    return value == "true"


def _field(inp: Input, categories: list[str]) -> forms.Field:
    common = {"label": inp.title, "required": inp.required}
    t = inp.type
    if t == "month":
        return MonthField(widget=forms.TextInput(attrs={"type": "month", "placeholder": "2024-01"}), **common)
    if t == "date":
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), input_formats=["%Y-%m-%d", "%Y/%m/%d"],
            error_messages={"invalid": "请按“年-月-日”填写日期，如 2024-01-15。"}, **common)
    if t == "money":
        return forms.DecimalField(max_digits=14, decimal_places=2,
                                  widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}), **common)
    if t == "int":
        return forms.IntegerField(widget=forms.NumberInput(attrs={"step": "1", "inputmode": "numeric"}), **common)
    if t == "year":
        return forms.IntegerField(min_value=1900, max_value=2200,
                                  widget=forms.NumberInput(attrs={"step": "1", "inputmode": "numeric"}), **common)
    if t == "bool":
        choices = [("true", "是"), ("false", "否")]
        return forms.TypedChoiceField(choices=choices if inp.required else [("", OPTIONAL), *choices],
                                      coerce=_bool, empty_value=None, **common)
    if t == "choice":
        choices = [(c, CHOICES.get(c, c)) for c in inp.choices]
        return forms.ChoiceField(choices=choices if inp.required else [("", OPTIONAL), *choices], **common)
    if t == "categories":
        # the boxes show the categories: the title's parenthesised examples are left out
        return forms.MultipleChoiceField(
            label=inp.title.split("（", 1)[0], required=inp.required, choices=[(c, c) for c in categories],
            widget=forms.CheckboxSelectMultiple, help_text="可多选；不属于困难群体的不选。")
    return forms.CharField(max_length=200, **common)


class InputForm(forms.Form):
    """The inputs of one question, named as the question names them (prefixed in the query string)."""

    def __init__(self, inputs: list[Input], categories: list[str], *args, **kwargs):
        super().__init__(*args, prefix=PREFIX, label_suffix="", **kwargs)
        self.inputs = inputs
        for inp in inputs:
            self.fields[inp.name] = _field(inp, categories)

    def engine_inputs(self) -> dict:
        out = {}
        for inp in self.inputs:
            value = self.cleaned_data.get(inp.name)
            if value in (None, "") and inp.type not in ("categories", "text"):
                continue
            if inp.type == "date":
                value = value.isoformat()
            elif inp.type == "categories":
                value = list(value)
            out[inp.name] = value
        return out


def _defaults(inputs: list[Input]) -> dict:
    """The business date for dates, its month and year for months and years, the first choice of
    a required choice. Optional inputs stay empty, except the first time input of a question
    whose time inputs are all optional (one of them is needed)."""
    today = clock.today()
    by_type = {"date": today, "month": f"{today:%Y-%m}", "year": today.year}
    out = {}
    for inp in inputs:
        if inp.required and inp.type in by_type:
            out[inp.name] = by_type[inp.type]
        elif inp.required and inp.type == "choice" and inp.choices:
            out[inp.name] = inp.choices[0]
    if not any(i.required and i.type in TIME_TYPES for i in inputs):
        first = next((i for i in inputs if i.type in TIME_TYPES), None)
        if first is not None:
            out[first.name] = by_type[first.type]
    return out


def _carried(request, inputs: list[Input]) -> dict:
    """Values typed for another question, kept where this question has an input of that name."""
    out = {}
    for inp in inputs:
        key = f"{PREFIX}-{inp.name}"
        if inp.type == "categories":
            if key in request.GET:
                out[inp.name] = request.GET.getlist(key)
        elif request.GET.get(key, "").strip():
            out[inp.name] = request.GET[key].strip()
    return out


# --- regions, questions and categories ------------------------------------------------------------

def region_categories(engine, code: str) -> list[str]:
    """The hardship categories the region's policy file names (in the national vocabulary's
    order); the whole vocabulary where the file names none."""
    vocabulary = engine.hardship_categories
    pf = engine.policies.regions.get(code)
    named = {e.key for e in pf.entries.get("resident.hardship_subsidy", ())} if pf else set()
    return [c for c in vocabulary if c in named] or list(vocabulary)


def _user_region(user, codes: list[str]) -> str:
    division = getattr(user, "division", None)
    for key in (division.path.split("/") if division else []):
        if key in codes:
            return key
    return codes[0] if codes else ""


def _questions_for(engine, region: dict | None) -> list[dict]:
    questions = engine.questions()
    schemes = set(region["schemes"]) if region else set()
    return [q for q in questions if q["scheme"] in schemes] or questions


def _question_groups(questions: list[dict]) -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for q in questions:
        groups.setdefault(SCHEMES.get(q["scheme"], q["scheme"]), []).append(q)
    return list(groups.items())


# --- the answer -----------------------------------------------------------------------------------

def _text(value, labels: dict | None = None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return "；".join(f"{COLUMNS.get(k, k)}：{_text(v, VALUES.get(k))}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(_text(v) for v in value) or "—"
    if labels and str(value) in labels:
        return f"{labels[str(value)]}（{value}）"
    return str(value)


def _output(name: str, title: str, value) -> dict:
    row = {"name": name, "title": title}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        keys = list(dict.fromkeys(k for v in value for k in v))
        row["columns"] = [COLUMNS.get(k, k) for k in keys]
        row["rows"] = [[_text(v.get(k)) for k in keys] for v in value]
    elif isinstance(value, list) and len(value) > 1:
        row["entries"] = [_text(v) for v in value]
    else:
        row["text"] = _text(value, VALUES.get(name))
    return row


def _parameter_title(label: str) -> str:
    spec = SPECS.get(label.split("[", 1)[0])
    return spec.title if spec else label


def _steps(explanation: list[dict]) -> list[dict]:
    return [{"rule": s["rule"], "citations": s["citations"],
             "parameters": [{"name": k, "title": _parameter_title(k), "value": _text(v)}
                            for k, v in s["parameters"].items()]} for s in explanation]


def _answer(engine, region: str, question, inputs: dict) -> dict:
    answer = engine.ask(region, question.name, inputs).to_json()
    out = {"ok": answer["ok"], "steps": _steps(answer["explanation"])}
    if answer["ok"]:
        out["outputs"] = [_output(k, question.outputs.get(k, k), v) for k, v in answer["values"].items()]
    else:
        error = answer["error"]
        out["error"] = {"code": error["code"], "title": REFUSALS.get(error["code"], error["code"]),
                        "message": error["message"],
                        "missing": [{"name": m, "title": _parameter_title(m)} for m in error.get("missing", [])]}
    return out


# --- the view -------------------------------------------------------------------------------------

@require("policy.ask")
def policy_view(request):
    engine = get_engine()
    regions = engine.regions()
    by_code = {r["code"]: r for r in regions}
    region = request.GET.get("region", "")
    if region not in by_code:
        region = _user_region(request.user, list(by_code))
    questions = _questions_for(engine, by_code.get(region))
    name = request.GET.get("question", "")
    if name not in {q["name"] for q in questions}:
        name = questions[0]["name"]
    question = engine.question(name)
    categories = region_categories(engine, region)
    shown = f"{region}|{name}"
    answer = None
    if request.GET.get("shown") == shown:
        form = InputForm(question.inputs, categories, data=request.GET)
        if form.is_valid():
            answer = _answer(engine, region, question, form.engine_inputs())
    else:
        form = InputForm(question.inputs, categories,
                         initial={**_defaults(question.inputs), **_carried(request, question.inputs)})
    return render(request, "web/policy.html", {
        "regions": regions, "region": region, "region_name": by_code.get(region, {}).get("name", region),
        "question_groups": _question_groups(questions), "question": question, "shown": shown, "form": form,
        "switched": "shown" in request.GET and request.GET.get("shown") != shown, "answer": answer,
        "documents": by_code.get(region, {}).get("documents", []),
    })


@require("policy.gaps")
def gaps_view(request):
    """What each region cannot answer yet (not_configured) and what is missing, for a year."""
    from yibao.policy.gaps import gaps

    engine = get_engine()
    try:
        year = int(request.GET.get("year") or clock.today().year)
    except ValueError:
        year = clock.today().year
    year = min(max(year, 1990), 2200)
    names = {r["code"]: r["name"] for r in engine.regions()}
    region = request.GET.get("region") or None
    if region not in names:
        region = None
    found = gaps(engine, year, region)
    overlays = [{"code": r["code"], "name": r["name"], "overlays": r.get("overlays", [])} for r in engine.regions()]
    return render(request, "web/policy_gaps.html", {
        "year": year, "region": region, "names": names, "overlays": overlays,
        "gaps": [(names[g.region], g) for g in found]})
