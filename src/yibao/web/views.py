"""Thin views: parse the request, call one service or selector, render."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from yibao import registry
from yibao.access.permissions import require
from yibao.accounts.services import AccountError, change_password, sign_in
from yibao.audit import services as audit_services
from yibao.audit.selectors import AuditFilter, audit_entries
from yibao.jobs.selectors import job_for
from yibao.regions import selectors as regions

from .forms import AuditSearchForm, LoginForm, PasswordChangeForm


def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = sign_in(request, form.cleaned_data["username"], form.cleaned_data["password"])
            except AccountError as exc:
                form.add_error(None, str(exc))
                status = 401
            else:
                login(request, user)
                target = request.GET.get("next", "")
                if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                    target = ""
                return redirect(target or "home")
        else:
            status = 400
    return render(request, "web/login.html", {"form": form}, status=status)


def account_path(user) -> str:
    """Where an account's audit entries belong: its division, or its unit's for a unit operator."""
    from yibao.employer import selectors as employer_selectors

    if user.division_id:
        return user.division.path
    unit = employer_selectors.unit_of(user)
    return unit.division.path if unit else ""


@login_required
def password_change_view(request):
    """The account's own password change; the only page an account opened with a one-time
    password reaches until it has changed it."""
    form = PasswordChangeForm(request.POST or None)
    forced = request.user.must_change_password
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = change_password(request.user, old=d["old_password"], new=d["new_password"],
                                   confirm=d["confirm_password"], division_path=account_path(request.user))
        except AccountError as exc:
            form.add_error(None, str(exc))
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改。")
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = ""
            return redirect(target or "home")
    return render(request, "web/password_change.html", {"form": form, "forced": forced},
                  status=400 if request.method == "POST" else 200)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("login")


@login_required
def home(request):
    """The panels the apps registered, as offered to this user (``yibao.registry``)."""
    user = request.user
    panels = [render_to_string(p.template, {**context, "user": user}, request=request)
              for p, context in registry.panels_for(user)]
    return render(request, "web/home.html", {"user": user, "panels": panels})


@require("reference.view")
def regions_view(request):
    region_key = request.GET.get("region") or None
    parent_key = request.GET.get("parent")
    user = request.user
    node = regions.division_for(user, parent_key) if parent_key else None
    if parent_key and node is None:
        raise Http404("区划不存在或不在您的管辖范围内。")
    if node is not None:
        children = regions.divisions_for(user, parent_key=node.key)
    elif user.division_id:
        node = user.division
        children = regions.divisions_for(user, parent_key=node.key)
    else:
        children = regions.pooling_regions()
    return render(request, "web/regions.html", {
        "node": node, "children": children[:500], "ancestors": _ancestors(node),
        "regions": regions.pooling_regions(), "agencies": regions.agencies(region_key),
        "targets": regions.targets(region_key), "region_key": region_key or "",
    })


def _ancestors(node):
    chain = []
    while node is not None:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


@require("audit.view")
def audit_view(request):
    form = AuditSearchForm(request.GET or None)
    flt = AuditFilter(**form.cleaned_data) if form.is_valid() else AuditFilter()
    entries = audit_entries(request.user, flt)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/audit.html", {"form": form, "page": page, "query": query.urlencode()})


@require("audit.view")
@require_POST
def audit_export(request):
    form = AuditSearchForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    job = audit_services.export(request.user, data)
    return redirect("job", job_id=job.id)


@login_required
def job_view(request, job_id):
    job = job_for(request.user, job_id)
    if job is None:
        raise Http404("任务不存在。")
    return render(request, "web/job.html", {"job": job})


@login_required
def job_download(request, job_id):
    job = job_for(request.user, job_id)
    if job is None or not job.result_file or not Path(job.result_file).exists():
        raise Http404("文件不存在。")
    name = (job.result or {}).get("filename") or f"{job.label}{Path(job.result_file).suffix}"
    return FileResponse(open(job.result_file, "rb"), as_attachment=True, filename=name)  # noqa: SIM115


def forbidden(request, exception=None):
    return render(request, "web/error.html", {"title": "无权访问", "message": str(exception or "") or
                                              "您的角色无权访问此页面。"}, status=403)


def not_found(request, exception=None):
    return render(request, "web/error.html", {"title": "页面不存在",
                                              "message": "您要找的内容不存在，或不在您的管辖范围内。"}, status=404)
