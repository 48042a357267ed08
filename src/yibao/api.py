"""JSON API at /api/v1 (django-ninja; OpenAPI docs at /api/v1/docs). Handlers stay thin:
each calls one selector or service."""

from __future__ import annotations

import datetime as dt
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.middleware.csrf import get_token
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth
from ninja.utils import check_csrf

from yibao import registry
from yibao.access.permissions import require_capability
from yibao.accounts.services import AccountError, change_password, sign_in
from yibao.audit.selectors import AuditFilter, audit_entries
from yibao.employer import selectors as employer_selectors
from yibao.errors import AppError
from yibao.http import ErrorOut, error_body, responds
from yibao.identity import IdentityError, parse_resident_id, parse_uscc
from yibao.jobs.selectors import job_for
from yibao.regions import selectors as regions
from yibao.web.policy_api import router as policy_router

DESCRIPTION = """职工医保与城乡居民医保缴费管理系统的接口。

**登录与 CSRF。** 接口使用会话 Cookie。登录前先 `GET /api/v1/auth/csrf` 取得 CSRF 令牌（同时设置
`csrftoken` Cookie），再 `POST /api/v1/auth/login`，请求头带 `X-CSRFToken: <令牌>` 与该 Cookie；
浏览器发出的请求还须来自本站（`Origin`/`Referer` 与本站主机一致），跨站提交的登录一律拒绝（403），
以防他站把用户登录到攻击者的账号。登录后令牌会更换：之后的写操作（POST/PUT/DELETE）使用登录后
`csrftoken` Cookie 的值作为 `X-CSRFToken`。

本文档（`/api/v1/docs`）与 `/api/v1/openapi.json` 须登录后查看。"""

# The docs page runs Swagger UI from django-ninja's own static files (``ninja`` is an installed
# app, so nothing is fetched from another site), under a policy that allows this site only.
DOCS_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


def _signed_in_docs(view):
    """The OpenAPI document and its docs page are for signed-in users: the page sends others to
    the sign-in page, the document answers them 401."""

    @wraps(view)
    def docs_view(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.path.endswith("openapi.json"):
                return JsonResponse({"detail": "请先登录。"}, status=401)
            return redirect_to_login(request.get_full_path())
        response = view(request, *args, **kwargs)
        response.headers["Content-Security-Policy"] = DOCS_CSP
        return response

    return docs_view


api = NinjaAPI(title="医保 API", version="1.0.0", urls_namespace="api-1.0.0", auth=django_auth,
               description=DESCRIPTION, docs_decorator=_signed_in_docs)


def require(request, capability: str) -> None:
    require_capability(request.user, capability)


# --- auth ---------------------------------------------------------------------------
class LoginIn(Schema):
    username: str
    password: str


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    role_display: str
    division: str | None
    unit: str | None
    must_change_password: bool


def _me(user) -> dict[str, Any]:
    return {"username": user.username, "full_name": user.full_name, "role": user.role,
            "role_display": user.get_role_display(), "division": user.division_id,
            "unit": unit.unit_number if (unit := employer_selectors.unit_of(user)) else None,
            "must_change_password": user.must_change_password}


class CsrfOut(Schema):
    csrf_token: str


@api.get("/auth/csrf", auth=None, response=CsrfOut, tags=["账号"])
def csrf_token(request):
    """The CSRF token to send as ``X-CSRFToken`` when signing in; also sets the ``csrftoken`` cookie."""
    return {"csrf_token": get_token(request)}


@api.post("/auth/login", auth=None, response={**responds(MeOut), 401: ErrorOut}, tags=["账号"])
def api_login(request, payload: LoginIn):
    """Sign in. Needs the CSRF token (``GET /auth/csrf``) and, from a browser, a request from this
    site: a sign-in posted from another site is refused (login CSRF)."""
    if check_csrf(request) is not None:
        return Status(403, {"detail": "登录请求缺少有效的 CSRF 令牌或来自其他网站，已拒绝。"})
    try:
        user = sign_in(request, payload.username, payload.password)
    except AccountError as exc:
        return Status(401, {"detail": str(exc), "code": "sign_in_refused", "message": str(exc)})
    login(request, user)
    return _me(user)


class PasswordChangeIn(Schema):
    old_password: str = Field(..., max_length=128)
    new_password: str = Field(..., max_length=128)


class PasswordChangedOut(Schema):
    changed: bool


@api.post("/auth/password", response=responds(PasswordChangedOut), tags=["账号"])
def api_password_change(request, payload: PasswordChangeIn):
    """Change one's own password (Django's password validators). An account opened with a
    one-time password must do this first: until then every other operation but sign-in and
    ``/me`` answers 403 with the code ``password_change_required``."""
    from yibao.web.views import account_path

    try:
        user = change_password(request.user, old=payload.old_password, new=payload.new_password,
                               division_path=account_path(request.user))
    except AccountError as exc:
        raise AppError(str(exc), code="password_refused") from None
    update_session_auth_hash(request, user)
    return {"changed": True}


@api.get("/me", response=responds(MeOut), tags=["账号"])
def me(request):
    return _me(request.user)


# --- reference data ---------------------------------------------------------------
class DivisionOut(Schema):
    key: str
    code: str
    name: str
    level: str
    parent: str | None
    is_pooling_region: bool
    note: str


def _division(d) -> dict[str, Any]:
    return {"key": d.key, "code": d.code, "name": d.name, "level": d.level, "parent": d.parent_id,
            "is_pooling_region": d.is_pooling_region, "note": d.note}


class DivisionPage(Schema):
    """One page of divisions (in tree order): ``total`` is how many match, ``items`` at most
    ``limit`` of them from ``offset``."""

    total: int
    offset: int
    limit: int
    items: list[DivisionOut]


#: bounds of the paging numbers: outside them the API answers 422, never 500
MAX_OFFSET = 10_000_000
MAX_DIVISIONS = 5000


@api.get("/divisions", response=responds(DivisionPage), tags=["区划"])
def list_divisions(request, parent: str | None = None, pooling_regions: bool = False,
                   offset: int = Query(0, ge=0, le=MAX_OFFSET), limit: int = Query(1000, ge=1, le=MAX_DIVISIONS)):
    """The divisions in the caller's scope (the children of ``parent`` when given; the pooling
    regions with ``pooling_regions``), a page at a time: walk them with ``offset`` until
    ``offset + limit`` reaches ``total``."""
    require(request, "reference.view")
    if pooling_regions:
        qs = regions.pooling_regions()
    else:
        qs = regions.divisions_for(request.user, parent_key=parent) if parent else regions.divisions_for(request.user)
    return {"total": qs.count(), "offset": offset, "limit": limit,
            "items": [_division(d) for d in qs[offset:offset + limit]]}


@api.get("/divisions/{key}", response=responds(DivisionOut), tags=["区划"])
def get_division(request, key: str):
    require(request, "reference.view")
    d = regions.division_for(request.user, key)
    if d is None:
        return Status(404, {"detail": "区划不存在或不在您的管辖范围内。", "code": "not_found"})
    return _division(d)


class AgencyOut(Schema):
    region: str
    name: str
    division: str
    phones: str
    note: str


@api.get("/agencies", response=responds(list[AgencyOut]), tags=["区划"])
def list_agencies(request, region: str | None = None):
    require(request, "reference.view")
    return [{"region": a.region_id, "name": a.name, "division": a.division_id, "phones": a.phones,
             "note": a.note} for a in regions.agencies(region)]


class TargetOut(Schema):
    region: str
    year: int
    division: str
    division_name: str
    target: int
    source: str


@api.get("/targets", response=responds(list[TargetOut]), tags=["区划"])
def list_targets(request, region: str | None = None, year: int | None = Query(None, ge=1900, le=2999)):
    require(request, "reference.view")
    return [{"region": t.region_id, "year": t.year, "division": t.division_id, "division_name": t.division.name,
             "target": t.target, "source": t.source} for t in regions.targets(region, year)]


# --- identity numbers ----------------------------------------------------------------
class ValueIn(Schema):
    value: str


class ResidentIdOut(Schema):
    number: str
    birth_date: dt.date
    sex: str
    region_code: str


class CreditCodeOut(Schema):
    code: str
    registration_authority: str
    org_type: str
    region_code: str


@api.post("/identity/resident-id", response=responds(ResidentIdOut), tags=["校验"])
def check_resident_id(request, payload: ValueIn):
    try:
        r = parse_resident_id(payload.value)
    except IdentityError as exc:
        return Status(400, {"detail": exc.message, "code": "invalid_input", "fields": {"value": exc.code}})
    return {"number": r.number, "birth_date": r.birth_date, "sex": r.sex, "region_code": r.region_code}


@api.post("/identity/uscc", response=responds(CreditCodeOut), tags=["校验"])
def check_uscc(request, payload: ValueIn):
    try:
        c = parse_uscc(payload.value)
    except IdentityError as exc:
        return Status(400, {"detail": exc.message, "code": "invalid_input", "fields": {"value": exc.code}})
    return {"code": c.code, "registration_authority": c.registration_authority, "org_type": c.org_type,
            "region_code": c.region_code}


# --- audit log ------------------------------------------------------------------------
class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor: str
    actor_role: str
    action: str
    object_type: str
    object_id: str
    before: Any
    after: Any


class AuditPage(Schema):
    count: int
    page: int
    pages: int
    items: list[AuditOut]


class AuditQuery(Schema):
    q: str = ""
    action: str = ""
    object_type: str = ""
    actor: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1


@api.get("/audit", response=responds(AuditPage), tags=["审计"])
def list_audit(request, query: Query[AuditQuery]):
    require(request, "audit.view")
    data = query.dict()
    page_no = data.pop("page")
    pager = Paginator(audit_entries(request.user, AuditFilter(**data)), 100)
    page = pager.get_page(page_no)
    return {"count": pager.count, "page": page.number, "pages": pager.num_pages, "items": [
        {"id": e.id, "at": e.at, "actor": e.actor_label, "actor_role": e.actor_role, "action": e.action,
         "object_type": e.object_type, "object_id": e.object_id, "before": e.before, "after": e.after}
        for e in page]}


# --- background jobs -------------------------------------------------------------------
class JobOut(Schema):
    id: UUID
    kind: str
    label: str
    status: str
    status_display: str
    total: int
    done: int
    percent: int
    finished: bool
    message: str
    has_file: bool
    result: Any


@api.get("/jobs/{job_id}", response=responds(JobOut), url_name="job_detail", tags=["后台任务"])
def job_detail(request, job_id: UUID):
    job = job_for(request.user, job_id)
    if job is None:
        return Status(404, {"detail": "任务不存在。", "code": "not_found"})
    return {"id": job.id, "kind": job.kind, "label": job.label, "status": job.status,
            "status_display": job.get_status_display(), "total": job.total, "done": job.done,
            "percent": job.percent, "finished": job.finished, "message": job.message,
            "has_file": bool(job.result_file), "result": job.result}


@api.exception_handler(AppError)
def refused(request, exc: AppError):
    """Every refusal of a service, and every engine refusal, in one shape (``ErrorOut``)."""
    return api.create_response(request, error_body(exc), status=exc.status)


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    """A request its operation's schema refuses (422), in the same shape: ``fields`` maps where
    (e.g. ``query.year``, ``body.payload.amount``) to what is wrong."""
    fields = {".".join(str(part) for part in e.get("loc", ())) or "request": e.get("msg", "") for e in exc.errors}
    message = "请求参数无效：" + "；".join(f"{k} {v}" for k, v in fields.items())
    return api.create_response(request, {"detail": message, "code": "invalid_input", "message": message,
                                         "fields": fields}, status=422)


@api.exception_handler(AuthenticationError)
def not_signed_in(request, exc: AuthenticationError):
    message = "请先登录。"
    return api.create_response(request, {"detail": message, "code": "not_signed_in", "message": message},
                               status=401)


api.add_router("/policy", policy_router)
# Each domain app registers its router (yibao.registry): adding an app edits no file here.
for prefix, router in registry.api_routers():
    api.add_router(prefix, router)
