"""Writes for accounts: creating users, signing in with throttling."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction

from yibao.access.roles import Role, ScopeKind, scope_kind
from yibao.audit.services import client_ip, record_event
from yibao.identity import IdentityError, parse_resident_id

from . import throttle
from .models import User


class AccountError(ValueError):
    """A refused account action; ``str(exc)`` is the Chinese message for the user."""


#: Django's password validators by code, in Chinese (its own catalogue leaves some in English)
PASSWORD_PROBLEMS = {
    "password_too_short": "密码太短，至少 {min_length} 个字符",
    "password_too_common": "密码太常见",
    "password_entirely_numeric": "密码不能全是数字",
    "password_too_similar": "密码与账号信息太相近",
}


def password_problems(exc: ValidationError) -> str:
    """What Django's validators found wrong with a password, one Chinese sentence."""
    out = []
    for error in exc.error_list:
        text = PASSWORD_PROBLEMS.get(error.code)
        out.append(text.format(**(error.params or {})) if text else "；".join(error.messages))
    return "；".join(dict.fromkeys(out)) + "。"


class IdNumberTaken(AccountError):
    """The identity number is already another account's (its number or its user name)."""


@transaction.atomic
def create_user(*, role: str, username: str, password: str, full_name: str = "", division=None,
                id_number: str = "", phone: str = "", actor=None, check_password: bool = True,
                update_existing: bool = False, division_path: str = "") -> User:
    """Create (or, with ``update_existing``, update) an account. A unit operator's account is
    made by the employer app (``create_unit_operator``), which links it to its unit; accounts
    know no domain model. ``division_path`` places the audit entry where no division is given."""
    if role not in Role.values:
        raise AccountError(f"未知角色：{role}")
    kind = scope_kind(role)
    if kind == ScopeKind.UNIT:
        if not (username or "").strip():
            raise AccountError("参保单位经办人以单位编号登录，必须给出单位编号。")
        username = username.strip()
    elif kind == ScopeKind.PERSON:
        try:
            id_number = parse_resident_id(id_number or username).number
        except IdentityError as exc:
            raise AccountError(str(exc)) from exc
        username = id_number
    elif kind == ScopeKind.DIVISION and division is None:
        raise AccountError("该角色必须指定管辖区划。")
    if check_password:
        try:
            validate_password(password)
        except ValidationError as exc:
            raise AccountError("；".join(exc.messages)) from exc

    existing = User.objects.filter(username=username).first()
    if existing and not update_existing:
        raise AccountError(f"账号 {username} 已存在。")
    user = existing or User(username=username)
    before = _snapshot(existing) if existing else None
    user.role = role
    user.full_name = full_name
    user.division = division if kind == ScopeKind.DIVISION else None
    user.id_number = id_number if kind == ScopeKind.PERSON else ""
    user.phone = phone
    user.is_staff = role == Role.ADMIN
    user.set_password(password)
    user.save()
    record_event(actor, "user.update" if existing else "user.create", "user", user.pk,
                 before=before, after=_snapshot(user),
                 division_path=(division.path if division else division_path))
    return user


@transaction.atomic
def change_password(user: User, *, old: str, new: str, confirm: str | None = None, division_path: str = "") -> User:
    """The account's own password change: the current password, then a new one that passes
    Django's password validators (settings.AUTH_PASSWORD_VALIDATORS) and differs from it. Clears
    the first-sign-in flag; audited (never the password itself) where ``division_path`` (the
    account's area, or its unit's: accounts know no unit) or the account's division says."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old or ""):
        raise AccountError("当前密码不正确。")
    if confirm is not None and new != confirm:
        raise AccountError("两次输入的新密码不一致。")
    if not new:
        raise AccountError("请填写新密码。")
    if new == old:
        raise AccountError("新密码不能与当前密码相同。")
    try:
        validate_password(new, user)
    except ValidationError as exc:
        raise AccountError(password_problems(exc)) from exc
    forced = user.must_change_password
    user.set_password(new)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    record_event(user, "user.password.change", "user", user.pk, after={"first_sign_in": forced},
                 division_path=division_path or (user.division.path if user.division_id else ""))
    return user


@transaction.atomic
def change_id_number(old: str, new: str, *, actor, division_path: str = "") -> User | None:
    """Move the account that signs in with identity number ``old`` to ``new``: its number and its
    user name (an individual signs in with the number), audited. Called by a domain app inside
    the transaction that changes the person's number, so both change or neither. None when no
    account has ``old``. Refused (``IdNumberTaken``), with nothing changed, when ``new`` is
    another account's number or user name. ``division_path`` places the audit entry (an
    individual's account has no division)."""
    try:
        new = parse_resident_id(new).number
    except IdentityError as exc:
        raise AccountError(str(exc)) from exc
    old = (old or "").strip().upper()
    user = User.objects.select_for_update().filter(id_number=old).first() if old else None
    if user is None or old == new:
        return user
    if User.objects.filter(models.Q(username=new) | models.Q(id_number=new)).exclude(pk=user.pk).exists():
        raise IdNumberTaken(f"身份证号码 {new} 已是另一个账号的登录账号。")
    before = {"username": user.username, "id_number": user.id_number}
    user.id_number = new
    if scope_kind(user.role) == ScopeKind.PERSON:
        user.username = new
    user.save(update_fields=["id_number", "username"])
    record_event(actor, "user.id_number", "user", user.pk, before=before,
                 after={"username": user.username, "id_number": user.id_number}, division_path=division_path)
    return user


def _snapshot(user: User) -> dict:
    return {"username": user.username, "role": user.role, "full_name": user.full_name,
            "division": user.division_id, "active": user.is_active}


def _minutes() -> int:
    return settings.LOGIN_THROTTLE["window_seconds"] // 60


def sign_in(request, username: str, password: str) -> User:
    """Check credentials with throttling (``yibao.accounts.throttle``); raise AccountError with a
    Chinese message on refusal. Failed sign-ins and lockouts are audited with the source address."""
    ip = client_ip(request)
    # a NUL byte matches no account, and PostgreSQL stores none: shown as U+FFFD in the throttle's
    # key, the audit and the look-up, so such an attempt fails and is counted like any other
    username = (username or "").strip().replace("\x00", "\ufffd")
    if not username or not password:
        raise AccountError("请输入账号和密码。")
    try:
        attempt = throttle.begin(username, ip)
    except throttle.Locked as exc:
        raise AccountError(f"登录失败次数过多，账号已暂时锁定，请 {_minutes()} 分钟后再试。") from exc
    user = authenticate(request, username=username, password=password)
    if user is None and len(username) == 18:
        user = authenticate(request, username=username.upper(), password=password)
    if user is None:
        _audit_failure(username, ip, attempt)
        hint = f"还可尝试 {attempt.left} 次。" if attempt.left else f"账号已暂时锁定，请 {_minutes()} 分钟后再试。"
        raise AccountError("账号或密码错误，" + hint)
    throttle.succeeded(attempt)
    record_event(user, "auth.login", "user", user.pk, ip=ip)
    return user


def _audit_failure(username: str, ip: str | None, attempt: throttle.Attempt) -> None:
    known = (User.objects.filter(username__in={username, username.upper()}).select_related("division")
             .first())
    division_path = known.division.path if known and known.division_id else ""
    name = username[:150]
    record_event(None, "auth.failed", "user", known.pk if known else "", after={"username": name},
                 division_path=division_path, ip=ip)
    for key in attempt.locks():
        on_account = key == attempt.account_key
        record_event(None, "auth.locked", "user" if on_account else "address",
                     (known.pk if known else "") if on_account else ip,
                     after={"username": name, "key": key, "failures": attempt.failures[key],
                            "minutes": _minutes()},
                     division_path=division_path if on_account else "", ip=ip)
