"""Capability checks for views and API handlers."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied

from .roles import can


def user_can(user, capability: str) -> bool:
    return bool(user and user.is_authenticated and user.is_active and can(user.role, capability))


def require(*capabilities: str):
    """View decorator: sign-in required; a role lacking any of ``capabilities`` gets 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not all(user_can(request.user, c) for c in capabilities):
                raise PermissionDenied("您的角色无权使用此功能。")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def require_capability(user, *capabilities: str) -> None:
    """For API operations: refuse (403, in the API's one error shape) a user lacking any of
    ``capabilities``."""
    from yibao.errors import Forbidden

    if not all(user_can(user, c) for c in capabilities):
        raise Forbidden("您的角色无权使用此接口。")
