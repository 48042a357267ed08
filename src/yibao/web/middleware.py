from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

PASSWORD_CHANGE_REQUIRED = "password_change_required"
PASSWORD_CHANGE_MESSAGE = "请先修改初始密码：开户时发放的一次性密码须在首次登录时修改，修改前不能办理其他业务。"


class PasswordChangeRequiredMiddleware:
    """An account opened with a one-time password (``User.must_change_password``) reaches nothing
    but the change-password page (and signing out) until it has changed it: every other page
    redirects there, every API call but sign-in, ``/auth/password`` and ``/me`` answers 403 with
    the code ``password_change_required``."""

    API_OPEN = ("/api/v1/auth/", "/api/v1/me")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            path = request.path
            change, logout = reverse("password_change"), reverse("logout")
            if path.startswith("/api/"):
                if not path.startswith(self.API_OPEN):
                    return JsonResponse({"detail": PASSWORD_CHANGE_MESSAGE, "code": PASSWORD_CHANGE_REQUIRED,
                                         "message": PASSWORD_CHANGE_MESSAGE}, status=403)
            elif path not in (change, logout) and not path.startswith("/static/"):
                return redirect(f"{change}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django 5.2 does not set itself: a strict content security policy, and
    ``Cache-Control: no-store`` on every API answer and every page or file served to a signed-in
    user (accounts, identity numbers, bills: nothing personal is kept by a browser or a proxy),
    unless a view has set its own."""

    CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
           "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", self.CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
