"""Pages: the staff search of residents and a person's page (details masked per the reader's
rights, enrolments, hardship categories, whether covered on a date and the premium for a year,
each with the engine's explanation), and the resident's own page (我的居民医保)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from yibao import clock
from yibao.access.permissions import require, user_can
from yibao.accounts.personal_data import record_whole_view, sees_whole_id_numbers, sees_whole_phones

from .. import selectors, services
from ..errors import AppError, RuleRefused
from ..models import LifeStatus


def _date(request, name: str) -> dt.date:
    """A date typed in the query string, or today when it is empty or not a date (with a message)."""
    text = (request.GET.get(name) or "").strip()
    if not text:
        return clock.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        messages.error(request, f"日期“{text[:20]}”无效，应为 YYYY-MM-DD；已按今天查询。")
        return clock.today()


def _year(request, name: str = "year") -> int | None:
    text = (request.GET.get(name) or "").strip()
    if len(text) == 4 and text.isascii() and text.isdecimal() and 1900 <= int(text) <= 2200:
        return int(text)
    if text:
        messages.error(request, f"保险年度“{text[:10]}”无效，应为四位年份。")
    return None


def _premium(user, id_number: str, year: int | None, on: dt.date) -> dict:
    """The premium for the page, or the engine's refusal shown in place."""
    shown = {"answer": None, "error": "", "explanation": [], "year": year}
    try:
        shown["answer"] = selectors.premium_of(user, id_number, year, on)
    except RuleRefused as exc:
        shown.update(error=str(exc), explanation=exc.explanation)
    return shown


@require("resident.view")
def persons(request):
    q = request.GET.get("q", "").strip()
    try:
        found = selectors.search_persons(request.user, q)
    except AppError as exc:
        messages.error(request, str(exc))
        found = selectors.search_persons(request.user, "").none()
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    record_whole_view(request.user, "person", "search", people=len(page.object_list),
                      what=f"参保人员查询第 {page.number} 页")
    return render(request, "resident/coverage/persons.html", {
        "page": page, "q": q, "query": urlencode({"q": q}), "show_ids": sees_whole_id_numbers(request.user),
        "show_phones": sees_whole_phones(request.user)})


@require("resident.view")
def person(request, pk: int):
    card = selectors.person_card(request.user, pk=pk)
    if card is None:
        raise Http404("参保人员不存在。")
    p = card.person
    on = _date(request, "on")
    year = _year(request)
    answer = selectors.coverage_for(request.user, p.id_number, on)
    record_whole_view(request.user, "person", p.pk, people=1, division_path=p.division.path, what="参保人员信息")
    return render(request, "resident/coverage/person.html", {
        "card": card, "p": p, "on": on, "coverage": answer.coverage if answer else None,
        "premium": _premium(request.user, p.id_number, year, clock.today()), "show_ids": sees_whole_id_numbers(request.user),
        "show_phones": sees_whole_phones(request.user), "can_change": user_can(request.user, "resident.register"),
        "can_record_status": user_can(request.user, "resident.review"), "life_statuses": LifeStatus.choices})


@require("resident.review")
@require_POST
def life_status(request, pk: int):
    """A clerk records a death or a move out (人员状态), with its date."""
    card = selectors.person_card(request.user, pk=pk)
    if card is None:
        raise Http404("参保人员不存在。")
    raw = request.POST.get("on", "").strip()
    try:
        on = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        on = raw  # refused by the service with its message
    try:
        services.record_life_status(card.person, status=request.POST.get("status", ""), on=on, actor=request.user)
    except AppError as exc:
        messages.error(request, f"未登记：{exc}")
    else:
        messages.success(request, "已登记人员状态。")
    return redirect("resident_person", pk=pk)


@require("resident.self")
def me(request):
    user = request.user
    own = selectors.own_record(user)
    on = _date(request, "on")
    answer = selectors.coverage_for(user, user.id_number, on) if own.cards else None
    premium = _premium(user, user.id_number, _year(request), clock.today()) if own.region else None
    return render(request, "resident/coverage/me.html", {
        "own": own, "on": on, "asked": "on" in request.GET, "coverage": answer.coverage if answer else None,
        "premium": premium, "show_ids": True, "show_phones": True})


urlpatterns = [
    path("resident/persons/", persons, name="resident_persons"),
    path("resident/persons/<int:pk>/", person, name="resident_person"),
    path("resident/me/", me, name="resident_me"),
    path("resident/persons/<int:pk>/life-status/", life_status, name="resident_person_life_status"),
]
