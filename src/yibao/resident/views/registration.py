"""Pages of registration: the registration form (agents, clerks, the resident online), the review
queue and a form's review, and the problem queue. Each view checks the capability, reads through
a selector and calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from yibao import clock
from yibao.access.permissions import require, user_can
from yibao.accounts.personal_data import record_whole_view, shown_id_number, shown_phone

from .. import rules, selectors, services
from ..errors import AppError
from ..models import Basis, Kind, ProblemActor, RegistrationStatus, Sex

FAMILY_FIELDS = ("household_number", "hukou_code", "residence_code", "basis", "phone", "insurance_year")


NO_REGION = "您所在地区未开展城乡居民医保参保登记（以政策文件为准）。"


def _no_region(request):
    return render(request, "resident/no_region.html", {"message": NO_REGION})


def _default_year(region) -> int:
    return rules.default_insurance_year(region.key, clock.today())


def _form_context(request, region, values, *, online=False):
    default_year = _default_year(region)
    places = [] if online else list(selectors.places_for(request.user, region).values("key", "name", "level"))
    return {"region": region, "values": values, "kinds": Kind.choices, "bases": Basis.choices, "sexes": Sex.choices,
            "places": places, "default_year": values.get("insurance_year") or default_year, "online": online}


@require("resident.register")
def register(request):
    region = selectors.region_of(request.user)
    if region is None:
        return _no_region(request)
    values = {k: request.GET.get(k, "") for k in FAMILY_FIELDS}
    if request.method == "POST":
        values = request.POST.dict()
        try:
            data = services.RegistrationInput.from_strings(request.POST, insurance_year=_default_year(region))
            registration = services.register(data, region=region.key, actor=request.user)
        except AppError as exc:
            messages.error(request, f"登记未保存：{exc}")
            context = _form_context(request, region, values)
            context["field_errors"] = exc.fields
            return render(request, "resident/register.html", context, status=400)
        if registration.status == RegistrationStatus.PROBLEM:
            messages.warning(request, f"已登记{registration.name}，但两证信息不一致，已转入待处理信息，解决后方可审核参保。")
        else:
            messages.success(request, f"已登记{registration.name}，等待另一名经办人员审核。")
        family = {k: request.POST.get(k, "") for k in FAMILY_FIELDS}
        if request.POST.get("next") == "family":
            from urllib.parse import urlencode

            return redirect(f"{reverse('resident_register')}?{urlencode(family)}")
        return redirect("resident_registration", pk=registration.pk)
    return render(request, "resident/register.html", _form_context(request, region, values))


@require("resident.self")
def register_online(request):
    """The resident registers themself online, pending a clerk's review."""
    region = selectors.region_of(request.user)
    if region is None:
        return _no_region(request)
    values = {"id_number": request.user.id_number, "name": request.user.full_name}
    if request.method == "POST":
        values = {**request.POST.dict(), "id_number": request.user.id_number}
        try:
            data = services.RegistrationInput.from_strings(values, insurance_year=_default_year(region))
            registration = services.register(data, region=region.key, actor=request.user)
        except AppError as exc:
            messages.error(request, f"登记未保存：{exc}")
            context = _form_context(request, region, values, online=True)
            context["field_errors"] = exc.fields
            return render(request, "resident/register.html", context, status=400)
        messages.success(request, "已提交参保登记，乡镇（街道）经办人员审核后生效。")
        return redirect("resident_registration", pk=registration.pk)
    return render(request, "resident/register.html", _form_context(request, region, values, online=True))


@require("resident.review")
def registrations(request):
    status = request.GET.get("status", RegistrationStatus.PENDING)
    if status not in RegistrationStatus.values:
        status = RegistrationStatus.PENDING
    qs = selectors.registrations_for(request.user).filter(status=status).order_by("submitted_at", "id")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [{"r": r, "id_number": shown_id_number(request.user, r.id_number)} for r in page.object_list]
    record_whole_view(request.user, "registration", "queue", people=len(rows), what="参保登记审核列表")
    return render(request, "resident/registrations.html", {
        "page": page, "rows": rows, "status": status, "statuses": RegistrationStatus.choices,
        "counts": selectors.registration_counts(request.user)})


@require("resident.view_registration")
def registration(request, pk):
    r = selectors.registration_for(request.user, pk)
    if r is None:
        raise Http404("登记不存在。")
    user = request.user
    mismatched = {what for what, _, _ in r.mismatches()}
    sides = [("身份证号码", shown_id_number(user, r.id_number), shown_id_number(user, r.hk_id_number) if r.hk_id_number else ""),
             ("姓名", r.name, r.hk_name), ("性别", r.sex, r.hk_sex),
             ("出生日期", r.birth_date.isoformat(), r.hk_birth_date.isoformat() if r.hk_birth_date else "")]
    record_whole_view(user, "registration", r.pk, people=1, division_path=r.division.path, what="参保登记表")
    return render(request, "resident/registration.html", {
        "r": r, "sides": [(w, a, b, w in mismatched) for w, a, b in sides], "phone": shown_phone(user, r.phone),
        "problems": r.problems.order_by("-created_at"),
        "can_review": (user_can(user, "resident.review") and r.status == RegistrationStatus.PENDING
                       and r.maker_id != user.pk),
        "own_form": r.maker_id == user.pk and r.status == RegistrationStatus.PENDING})


@require("resident.review")
@require_POST
def review(request, pk):
    r = selectors.registration_for(request.user, pk)
    if r is None:
        raise Http404("登记不存在。")
    approve = request.POST.get("decision") == "approve"
    try:
        services.review(r, actor=request.user, approve=approve, note=request.POST.get("note", ""))
    except AppError as exc:
        messages.error(request, f"审核未完成：{exc}")
    else:
        messages.success(request, f"{r.name}：" + ("审核通过，已参保登记。" if approve else "已退回。"))
    return redirect("resident_registration", pk=pk)


@require("resident.review")
def problems(request):
    status = request.GET.get("status", "open")
    qs = selectors.problems_for(request.user, status=status if status != "all" else None).order_by("created_at", "id")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "resident/problems.html", {"page": page, "status": status})


@require("resident.view_problem")
def problem(request, pk):
    p = selectors.problem_for(request.user, pk)
    if p is None:
        raise Http404("待处理信息不存在。")
    r = p.registration
    return render(request, "resident/problem.html", {
        "p": p, "r": r, "clerk": user_can(request.user, "resident.review"), "sexes": Sex.choices,
        "mismatched": {what for what, _, _ in r.mismatches()} if r else set(),
        "open": p.status in ("open", "returned"), "for_resident": p.actor == ProblemActor.RESIDENT})


CORRECTION_FIELDS = ("id_number", "name", "sex", "birth_date", "hk_id_number", "hk_name", "hk_sex", "hk_birth_date")


def _problem_action(request, pk, act, done: str, then: str):
    p = selectors.problem_for(request.user, pk)
    if p is None:
        raise Http404("待处理信息不存在。")
    corrections = {k: request.POST.get(k, "").strip() for k in CORRECTION_FIELDS if request.POST.get(k, "").strip()}
    try:
        act(p, corrections)
    except AppError as exc:
        messages.error(request, f"未完成：{exc}")
        return redirect("resident_problem", pk=pk)
    messages.success(request, done)
    return redirect(then) if then == "resident_problems" else redirect(then, pk=pk)


@require("resident.review")
@require_POST
def problem_release(request, pk):
    return _problem_action(request, pk, lambda p, c: services.resolve(p, actor=request.user, corrections=c,
                                                                       note=request.POST.get("note", "")),
                           "已修改并放行，等待审核。", "resident_problems")


@require("resident.review")
@require_POST
def problem_send_back(request, pk):
    return _problem_action(request, pk, lambda p, c: services.send_back(
        p, actor=request.user, instructions=request.POST.get("instructions", "")), "已通知本人处理。", "resident_problems")


@require("resident.self")
@require_POST
def problem_resubmit(request, pk):
    return _problem_action(request, pk, lambda p, c: services.resubmit(p, actor=request.user, corrections=c),
                           "已重新提交。", "resident_problem")


urlpatterns = [
    path("resident/register/", register, name="resident_register"),
    path("resident/me/register/", register_online, name="resident_online"),
    path("resident/registrations/", registrations, name="resident_registrations"),
    path("resident/registrations/<int:pk>/", registration, name="resident_registration"),
    path("resident/registrations/<int:pk>/review/", review, name="resident_registration_review"),
    path("resident/problems/", problems, name="resident_problems"),
    path("resident/problems/<int:pk>/", problem, name="resident_problem"),
    path("resident/problems/<int:pk>/release/", problem_release, name="resident_problem_release"),
    path("resident/problems/<int:pk>/send-back/", problem_send_back, name="resident_problem_send_back"),
    path("resident/problems/<int:pk>/resubmit/", problem_resubmit, name="resident_problem_resubmit"),
]
